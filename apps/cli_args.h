/* Command-line options of clnum-linreg, parsed without side effects so that tests and the
 * fuzzer can drive the parser directly; and the program's output files, checked before a run
 * and written whole or not at all. The table parser, the file checks, the signal helpers, the
 * small helpers of a run at the end serve clnum-softmax too (cli_devices.h has the device
 * list, cli_kernels.h the kernels' build). */
#ifndef CLNUM_CLI_ARGS_H
#define CLNUM_CLI_ARGS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clnum/clnum.h"

typedef enum { LINREG_SOLVER_SGD = 0, LINREG_SOLVER_EXACT = 1 } linreg_solver;
typedef enum { LINREG_LOSS_HALF_MSE = 0, LINREG_LOSS_MSE = 1 } linreg_loss;

/* When the progress line (report.h) shows: not before the fit has run delay_s seconds, then
 * at most once every interval_s seconds (the last epoch is always shown). The defaults are
 * for people; $CLNUM_PROGRESS_DELAY and $CLNUM_PROGRESS_INTERVAL change them, so that a test
 * can make the line show at every epoch (both 0) without depending on the machine's speed. */
#define LINREG_PROGRESS_DELAY_S 1.0
#define LINREG_PROGRESS_INTERVAL_S 0.1
typedef struct linreg_progress_timing {
    double delay_s;
    double interval_s;
} linreg_progress_timing;

/* The test hook CLNUM_TEST_SIGNAL_AT_EPOCH (test-only; README, "Interrupting a run"): after
 * epoch `epoch` (1-based) the program raises `signals` in order, from inside the fit's
 * epoch callback, so that a test interrupts a run at a known epoch whatever the machine's
 * speed. */
#define LINREG_TEST_SIGNALS_MAX 4
typedef struct linreg_test_signal {
    size_t epoch;                            /* 0: off */
    int signals[LINREG_TEST_SIGNALS_MAX];    /* SIGINT or SIGTERM */
    size_t count;
} linreg_test_signal;

typedef struct linreg_options {
    size_t epochs;
    double lr;
    size_t batch_size;
    size_t num_train;
    size_t num_val;
    size_t num_inputs;
    double noise;
    uint64_t seed;
    const char *device;      /* NULL: CLNUM_DEVICE or the default */
    const char *csv_path;    /* loss history as CSV, or NULL */
    int list_devices;
    int help;
    /* real data (--data and the options that only apply to it) */
    const char *data_path;   /* CSV file to train on, or NULL: synthetic data */
    const char *target;      /* target column (name or index); NULL: the last one */
    const char *features;    /* comma-separated feature columns; NULL: all but the target */
    char delimiter;          /* default ',' ("tab" or "\t" give a tab); not '"', '#', CR or
                                LF, which the reader gives their own meaning */
    int no_header;
    int standardize;
    double val_fraction;     /* default 0.2 */
    /* how and what */
    linreg_solver solver;    /* default LINREG_SOLVER_SGD */
    linreg_loss loss;        /* default LINREG_LOSS_HALF_MSE */
    const char *plot_path;   /* SVG of the loss curves, or NULL */
    int log_y;               /* --log-y: the plot's y axis logarithmic */
    const char *title;       /* --title: the plot's title, or NULL */
    const char *json_path;   /* machine-readable summary, or NULL (CLI_VALUE_LEFT_OUT: --json
                                given last or before another option, which --list-devices
                                reads as standard output) */
    int quiet;
    int version;             /* --version */
    const char *exclude;     /* comma-separated columns left out of "every other column" */
    int dtype;               /* CLI_DTYPE_FLOAT32 (default) or CLI_DTYPE_FLOAT64 */
    /* a saved model (model_file.h) */
    const char *save_path;   /* --save FILE: the trained model, or NULL */
    const char *load_path;   /* --load FILE: start from a saved model, or NULL */
    const char *predict_path;/* --predict rows.csv: predict with the loaded model, or NULL */
    const char *output_path; /* --output FILE: the predictions (default: standard output) */
    int placement;           /* where the rows live: 0 auto (default), 1 device, 2 host (the
                                values of cln_placement) */
    size_t shards;           /* hidden --shards K: one process draws the global order of K
                                data-parallel ranks (0: not given) */
    unsigned given;          /* LINREG_GIVEN_* bits of the options given explicitly */
    linreg_progress_timing progress; /* not an option: the defaults, or the environment's
                                        (linreg_progress_timing_parse) */
    linreg_test_signal test_signal;  /* not an option: off, or the environment's
                                        (linreg_test_signal_parse) */
} linreg_options;

/* Options given on the command line, for the checks of what goes with what. */
enum {
    LINREG_GIVEN_SYNTHETIC = 1u << 0, /* --num-train --num-val --num-inputs --noise */
    LINREG_GIVEN_DATA_ONLY = 1u << 1, /* --target --features --exclude --standardize
                                         --val-fraction */
    LINREG_GIVEN_SGD_ONLY = 1u << 2,  /* --epochs --lr --batch-size --loss --dtype --csv
                                         --plot --log-y --title: what only SGD uses */
    LINREG_GIVEN_PLOT_STYLE = 1u << 3, /* --log-y --title: how --plot draws */
    LINREG_GIVEN_TRAINING = 1u << 4,  /* what --predict does not do: every option of a run
                                         but --load, --predict, --output, --device, --quiet,
                                         the CSV's format (--delimiter --no-header) */
    LINREG_GIVEN_COLUMNS = 1u << 5,   /* --features --exclude --standardize --dtype: what a
                                         loaded model has decided already */
    LINREG_GIVEN_CSV_FORMAT = 1u << 6, /* --delimiter --no-header: how a CSV file is read */
    LINREG_GIVEN_LOSS = 1u << 7,      /* --loss (a loaded model keeps its own otherwise) */
    LINREG_GIVEN_NUM_INPUTS = 1u << 8 /* --num-inputs (a loaded model has its own) */
};

/* --dtype's words, shared by both programs: the index is the value stored. */
enum { CLI_DTYPE_FLOAT32 = 0, CLI_DTYPE_FLOAT64 = 1 };

/* The value a string option with an optional value (cli_opt_spec.optional) stores when it is
 * left out: a pointer compared by identity, whose text is "-" (standard output). */
extern const char CLI_VALUE_LEFT_OUT[];

/* Splits a comma-separated list into malloc'd strings (empty items are an error). Returns
 * 0 and sets *items (free each and the array with cli_free_list) and *count; -1 on an
 * empty item or out of memory. */
int cli_split_list(const char *text, char ***items, size_t *count);
void cli_free_list(char **items, size_t count);

/* ---- a table of options, for each program's own (clnum-linreg's, clnum-softmax's) -------
 * Each option is "--name value", "--name=value" or, for a flag, "--name"; "-h" is "--help".
 * An entry stores into the options struct at `field` (offsetof): a size_t (CLI_OPT_SIZE,
 * within [min, max]), a uint64_t, a finite double, a non-empty const char * (kept by pointer
 * into argv), an int set to 1 (a flag, which takes no value), a char (a CSV delimiter:
 * cli_parse_delimiter) or an int index into `choices` (NULL-terminated words). */
typedef enum cli_opt_kind {
    CLI_OPT_SIZE, CLI_OPT_U64, CLI_OPT_DOUBLE, CLI_OPT_STRING, CLI_OPT_FLAG, CLI_OPT_CHAR,
    CLI_OPT_CHOICE
} cli_opt_kind;

typedef struct cli_opt_spec {
    const char *name;            /* "--epochs" */
    cli_opt_kind kind;
    size_t min, max;             /* CLI_OPT_SIZE bounds; CLI_OPT_STRING: min 1 makes the value
                                    optional (CLI_VALUE_LEFT_OUT when the option is last or
                                    the next argument starts with "--") */
    size_t field;                /* offsetof in the options struct */
    unsigned given;              /* bits ORed into *given when the option is given */
    const char *const *choices;  /* CLI_OPT_CHOICE: the words; their index is stored */
} cli_opt_spec;

/* Parses argv[1 .. argc) with the table into opts, whose defaults the caller has set. Returns
 * 0; -1 with a one-line reason in err on an unknown option, a missing or bad value ("--lr:
 * 'x' is not a valid finite number"). The reason quotes what was typed as it is: make it
 * printable (cli_make_printable) before showing it. */
int cli_parse_args(int argc, char **argv, const cli_opt_spec *specs, size_t num_specs,
                   void *opts, unsigned *given, char *err, size_t err_cap);

/* The first option in argv (read as cli_parse_args reads it, values skipped) whose spec has
 * one of the bits of mask, as its spec names it ("--epochs"); NULL when none is. */
const char *cli_first_given(int argc, char **argv, const cli_opt_spec *specs, size_t num_specs,
                            unsigned mask);

/* The extension of a --plot path that names another image format (".png", ".pdf", ...: the
 * plot is SVG), else NULL. */
const char *cli_plot_path_problem(const char *path);

/* A CSV delimiter as typed: the character itself, or "tab" / "\t". Returns NULL with *out
 * set, or why not (the reader's own characters: '"', '#', CR, LF; more than one character). */
const char *cli_parse_delimiter(const char *text, char *out);

/* err (err_cap bytes) made one printable line in place (cli_printable). */
void cli_make_printable(char *err, size_t err_cap);

/* Strict number parsers: the whole text must be the number, within [min, max]. Return 0 on
 * success, -1 otherwise. */
int cli_parse_size(const char *text, size_t min, size_t max, size_t *out);
int cli_parse_u64(const char *text, uint64_t *out);
int cli_parse_double(const char *text, double *out); /* finite values only */

/* Bytes of the valid UTF-8 character that text starts with (1 to 4; 1 for ASCII, NUL
 * included), or 0 when it does not start one: a stray continuation byte, a sequence cut
 * short, an overlong form, a UTF-16 surrogate or a code point above U+10FFFF. */
size_t cli_utf8_char_len(const char *text);

/* text made fit for one line of a terminal or a message (names from a CSV file, values
 * typed): valid UTF-8 is kept except control characters (C0, DEL and C1: line breaks, tabs,
 * the ESC of terminal escape sequences), which, like every byte that is not valid UTF-8, are
 * written as \xHH ("a\x1b[31m"). Writes at most cap bytes, the NUL included, never half an
 * escape or half a character; returns out. */
const char *cli_printable(const char *text, char *out, size_t cap);


/* Sets t from the value of $CLNUM_TEST_SIGNAL_AT_EPOCH as given (getenv's result): NULL or
 * empty is off; "N" raises SIGINT after epoch N (1 .. 1000000); "N:SIG[,SIG...]" raises each
 * SIG in order, INT or TERM (SIGINT, SIGTERM), at most LINREG_TEST_SIGNALS_MAX of them
 * ("3:INT,INT": a second signal at once). Returns 0; -1 with a one-line reason in err on a
 * bad value, t then off. */
int linreg_test_signal_parse(const char *text, linreg_test_signal *t, char *err, size_t err_cap);

/* ---- SIGINT and SIGTERM during a fit (README, "Interrupting a run") ---------------------
 * The helpers of a program that stops a fit at the end of an epoch when asked, as
 * clnum-linreg does: the first SIGINT or SIGTERM caught only sets cli_stop_signal() (the
 * epoch callback returns non-zero on it), a second takes the default action at once, and a
 * signal ignored when the program started (nohup, `trap '' INT`) stays ignored. */
typedef struct cli_saved_signals {
    struct sigaction old[2];   /* SIGINT, SIGTERM */
    int caught[2];
} cli_saved_signals;
/* Notes which of SIGINT and SIGTERM are ignored: first thing in main, before any library
 * runs (an OpenCL driver may install handlers of its own). */
void cli_signals_note_ignored(void);
/* Catches both (those not ignored at the start) until cli_signals_release(). */
void cli_signals_catch(cli_saved_signals *sv);
void cli_signals_release(cli_saved_signals *sv);
/* The first SIGINT or SIGTERM caught, else 0. */
int cli_stop_signal(void);
/* "SIGINT", "SIGTERM" or "a signal". */
const char *cli_signal_name(int sig);
/* main's return: rc, except after a run that a caught signal interrupted (rc is 128 + that
 * signal): then the program ends by the signal itself, stdout and stderr flushed, so that
 * the shell reports 128 + its number and a script's loop stops (a shell takes a plain
 * exit(130) for a signal the program handled). */
int cli_end_by_signal(int rc);

/* ---- the output files (--json, --csv, --plot) ------------------------------------------
 * Each is written to a temporary file in its folder (".NAME.PID.N.tmp", created with
 * O_EXCL, mode 0666 less the umask, or the mode of the file it replaces), which is flushed,
 * fsync'd and renamed over NAME: NAME holds its previous content or the whole new one,
 * never a part. On a failure the temporary file is removed. A symbolic link, or an existing
 * file that is not a regular one (/dev/stdout, /dev/null, a FIFO), is written in place, as
 * fopen(NAME, "w") does. */
typedef struct cli_output {
    FILE *f;              /* write here */
    const char *path;     /* the output's name, as given */
    char tmp[4200];       /* the temporary file; "" when written in place */
    int to_stdout;        /* path "-": f is stdout, flushed but not closed */
} cli_output;

/* "-": standard output for a file written, standard input for one read. */
int cli_is_stdio(const char *path);

/* Opens path for writing (see above; "-" is standard output). Returns 0; -1 with "cannot write PATH: REASON" in err
 * (a folder, a folder that does not exist or is not writable, ...), nothing left behind. */
int cli_output_open(cli_output *out, const char *path, char *err, size_t err_cap);
/* Flushes, fsyncs, closes and renames the temporary file over the output. Returns 0; -1 with
 * "cannot write PATH: REASON" in err (a full disk, a file-size limit: EFBIG where SIGXFSZ is
 * ignored), the temporary file removed and the output as it was. Either way out->f is
 * closed. */
int cli_output_commit(cli_output *out, char *err, size_t err_cap);
/* Closes and removes the temporary file (the output as it was). */
void cli_output_discard(cli_output *out);

/* Whether path can be written, without writing it: a temporary file is created in its
 * folder and removed (a file written in place: access(W_OK)). Returns 0; -1 with "cannot
 * write PATH: REASON" in err. */
int cli_output_probe(const char *path, char *err, size_t err_cap);

/* The checks of o's files before a run: an output (--json, --csv, --plot) that is the
 * --data file (st_dev and st_ino, so through links too), or two outputs that are the same
 * file (existing: the same st_dev and st_ino; else the same name in the same folder), return
 * 2; an output that cannot be written (cli_output_probe) returns 1; each with a one-line
 * reason naming the option in err. 0: none. Devices and FIFOs (/dev/null twice) are not
 * compared. */
int linreg_files_check(const linreg_options *o, char *err, size_t err_cap);


/* v with `decimals` digits after the point ("%.*f") while that shows it well, in %e style
 * ("%.*e") when it is large (1e6 or more) or, with small_as_e, small (below 1e-4 but not 0):
 * a huge loss is never a 36-digit number. "nan" and "inf" as printf has them. Returns out. */
const char *cli_format_number(double v, int decimals, int small_as_e, char *out, size_t cap);

/* ---- the programs' text ------------------------------------------------------------------
 * The device, data, epoch and result lines go to standard output, or to standard error once
 * an output file is standard output ("-"), so that the file alone is there. */
FILE *cli_text(void);
void cli_text_to_stderr(void);
/* printf to cli_text() */
int cli_printf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The checks of linreg_files_check for any program: each input (a file the run reads:
 * `what` it holds, "training data" when NULL) and each output (at most CLI_FILES_MAX; `what`
 * unused) by its option and path; "-" (a standard stream) is not compared or probed. An output that is an input, or two outputs that are the
 * same file, return 2; an output that cannot be written returns 1; each with a one-line
 * reason naming the options in err. 0: none. */
#define CLI_FILES_MAX 8
typedef struct cli_file {
    const char *option;   /* "--json" */
    const char *path;
    const char *what;     /* inputs: "training data", "validation data" */
} cli_file;
int cli_files_check(const cli_file *inputs, size_t num_inputs, const cli_file *outputs,
                    size_t num_outputs, char *err, size_t err_cap);
/* The checks of the standard streams: at most one output is "-" (standard output) and at
 * most one input is "-" (standard input). Returns 0; 2 with a one-line reason naming both
 * options in err. */
int cli_stdio_check(const cli_file *inputs, size_t num_inputs, const cli_file *outputs,
                    size_t num_outputs, char *err, size_t err_cap);


/* Fills opts from argv (the chapter's defaults for what is not given). Returns 0 on
 * success; -1 with a one-line reason in err on a bad option or value. */
int linreg_options_parse(int argc, char **argv, linreg_options *opts, char *err, size_t err_cap);

/* Sets t from the values of $CLNUM_PROGRESS_DELAY and $CLNUM_PROGRESS_INTERVAL as given
 * (getenv's results: NULL or empty leaves that one as it is in t). Each is a finite number
 * of seconds, 0 or more. Returns 0; -1 with a one-line reason in err on a bad value, t then
 * unchanged. */
int linreg_progress_timing_parse(const char *delay, const char *interval,
                                 linreg_progress_timing *t, char *err, size_t err_cap);

/* ---- small helpers of both programs' runs ---------------------------------------------- */
/* Returns the status of a library call that fails. */
#define CLI_TRY(call)                         \
    do {                                      \
        cln_status try_st_ = (call);          \
        if (try_st_ != CLN_SUCCESS)           \
            return try_st_;                   \
    } while (0)
/* Milliseconds of a monotonic clock, for a run's timings. */
double cli_now_ms(void);
/* How a fit that keeps its epochs ended: one that diverges (CLN_ERR_DIVERGED: the
 * parameters are back to those at the start of the epoch that diverged) or that a caught
 * signal stops keeps the epochs done, which the program prints and writes, saying why.
 * Returns st, or CLN_SUCCESS for a divergence, with *diverged set and ctx's message in msg
 * (msg_cap bytes); after a fit that did not fail, *stopped_by is cli_stop_signal(). */
cln_status cli_fit_end(cln_status st, const cln_context *ctx, char *msg, size_t msg_cap,
                       int *diverged, int *stopped_by);

#endif
