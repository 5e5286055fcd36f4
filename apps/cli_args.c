#include "cli_args.h"

#include "clnum/clnum.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cli_parse_u64(const char *text, uint64_t *out)
{
    /* A digit first: strtoull would skip any leading white space ("\t-1") and negate. */
    if (!text || !isdigit((unsigned char)*text))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int cli_parse_size(const char *text, size_t min, size_t max, size_t *out)
{
    uint64_t v;
    if (cli_parse_u64(text, &v) || v < min || v > max)
        return -1;
    *out = (size_t)v;
    return 0;
}

int cli_parse_double(const char *text, double *out)
{
    if (!text || !*text || isspace((unsigned char)*text)) /* strtod would skip "\t" too */
        return -1;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int cli_split_list(const char *text, char ***items, size_t *count)
{
    *items = NULL;
    *count = 0;
    size_t n = 1;
    for (const char *c = text; *c; c++)
        n += *c == ',';
    char **list = calloc(n, sizeof *list);
    if (!list)
        return -1;
    const char *start = text;
    for (size_t k = 0; k < n; k++) {
        const char *end = strchr(start, ',');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        if (len == 0 || !(list[k] = malloc(len + 1))) {
            cli_free_list(list, n);
            return -1;
        }
        memcpy(list[k], start, len);
        list[k][len] = '\0';
        start = end ? end + 1 : start + len;
    }
    *items = list;
    *count = n;
    return 0;
}

void cli_free_list(char **items, size_t count)
{
    for (size_t k = 0; items && k < count; k++)
        free(items[k]);
    free(items);
}

/* clnum-linreg's table (cli_opt_spec, cli_args.h) */
#define OPT_SIZE CLI_OPT_SIZE
#define OPT_U64 CLI_OPT_U64
#define OPT_DOUBLE CLI_OPT_DOUBLE
#define OPT_STRING CLI_OPT_STRING
#define OPT_FLAG CLI_OPT_FLAG
#define OPT_CHAR CLI_OPT_CHAR
#define OPT_CHOICE CLI_OPT_CHOICE
typedef cli_opt_spec opt_spec;

static const char *const solver_words[] = {"sgd", "exact", NULL};
static const char *const loss_words[] = {"half-mse", "mse", NULL};
static const char *const placement_words[] = {"auto", "device", "host", NULL}; /* cln_placement */
static const char *const dtype_words[] = {"float32", "float64", NULL}; /* CLI_DTYPE_* */

const char CLI_VALUE_LEFT_OUT[] = "-";

#define FIELD(f) offsetof(linreg_options, f)
#define SGD (LINREG_GIVEN_SGD_ONLY | LINREG_GIVEN_TRAINING)
#define DATA (LINREG_GIVEN_DATA_ONLY | LINREG_GIVEN_TRAINING)
#define SYNTH (LINREG_GIVEN_SYNTHETIC | LINREG_GIVEN_TRAINING)
#define TRAIN LINREG_GIVEN_TRAINING
#define COLS (DATA | LINREG_GIVEN_COLUMNS)
static const opt_spec specs[] = {
    {"--epochs", OPT_SIZE, 1, 1000000, FIELD(epochs), SGD, NULL},
    {"--lr", OPT_DOUBLE, 0, 0, FIELD(lr), SGD, NULL},
    {"--batch-size", OPT_SIZE, 1, UINT32_MAX, FIELD(batch_size), SGD, NULL},
    {"--num-train", OPT_SIZE, 1, UINT32_MAX, FIELD(num_train), SYNTH, NULL},
    {"--num-val", OPT_SIZE, 0, UINT32_MAX, FIELD(num_val), SYNTH, NULL},
    {"--num-inputs", OPT_SIZE, 1, 1u << 20, FIELD(num_inputs), SYNTH | LINREG_GIVEN_NUM_INPUTS,
     NULL},
    {"--noise", OPT_DOUBLE, 0, 0, FIELD(noise), SYNTH, NULL},
    {"--seed", OPT_U64, 0, 0, FIELD(seed), TRAIN, NULL},
    {"--device", OPT_STRING, 0, 0, FIELD(device), 0, NULL},
    {"--csv", OPT_STRING, 0, 0, FIELD(csv_path), SGD, NULL},
    {"--list-devices", OPT_FLAG, 0, 0, FIELD(list_devices), 0, NULL},
    {"--help", OPT_FLAG, 0, 0, FIELD(help), 0, NULL},
    {"--version", OPT_FLAG, 0, 0, FIELD(version), 0, NULL},
    {"--data", OPT_STRING, 0, 0, FIELD(data_path), TRAIN, NULL},
    {"--target", OPT_STRING, 0, 0, FIELD(target), DATA, NULL},
    {"--features", OPT_STRING, 0, 0, FIELD(features), COLS, NULL},
    {"--exclude", OPT_STRING, 0, 0, FIELD(exclude), COLS, NULL},
    {"--delimiter", OPT_CHAR, 0, 0, FIELD(delimiter), LINREG_GIVEN_CSV_FORMAT, NULL},
    {"--no-header", OPT_FLAG, 0, 0, FIELD(no_header), LINREG_GIVEN_CSV_FORMAT, NULL},
    {"--standardize", OPT_FLAG, 0, 0, FIELD(standardize), COLS, NULL},
    {"--val-fraction", OPT_DOUBLE, 0, 0, FIELD(val_fraction), DATA, NULL},
    {"--solver", OPT_CHOICE, 0, 0, FIELD(solver), TRAIN, solver_words},
    {"--loss", OPT_CHOICE, 0, 0, FIELD(loss), SGD | LINREG_GIVEN_LOSS, loss_words},
    {"--dtype", OPT_CHOICE, 0, 0, FIELD(dtype), SGD | LINREG_GIVEN_COLUMNS, dtype_words},
    {"--plot", OPT_STRING, 0, 0, FIELD(plot_path), SGD, NULL},
    {"--log-y", OPT_FLAG, 0, 0, FIELD(log_y), SGD | LINREG_GIVEN_PLOT_STYLE, NULL},
    {"--title", OPT_STRING, 0, 0, FIELD(title), SGD | LINREG_GIVEN_PLOT_STYLE, NULL},
    /* --json's value may be left out after --list-devices: the list as JSON on stdout */
    {"--json", OPT_STRING, 1, 0, FIELD(json_path), TRAIN, NULL},
    {"--quiet", OPT_FLAG, 0, 0, FIELD(quiet), 0, NULL},
    {"--placement", OPT_CHOICE, 0, 0, FIELD(placement), TRAIN, placement_words},
    {"--save", OPT_STRING, 0, 0, FIELD(save_path), SGD, NULL},
    {"--load", OPT_STRING, 0, 0, FIELD(load_path), 0, NULL},
    {"--predict", OPT_STRING, 0, 0, FIELD(predict_path), 0, NULL},
    {"--output", OPT_STRING, 0, 0, FIELD(output_path), 0, NULL},
    /* not in the usage: for checking a data-parallel run (README, "Data-parallel training") */
    {"--shards", OPT_SIZE, 1, 65536, FIELD(shards), TRAIN, NULL},
};
#undef SGD
#undef DATA
#undef SYNTH
#undef TRAIN
#undef COLS

size_t cli_utf8_char_len(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    unsigned char b = s[0];
    if (b < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* the allowed range of the second byte */
    if (b >= 0xc2 && b <= 0xdf) {
        n = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
        n = 3;
        if (b == 0xe0)
            lo = 0xa0; /* overlong */
        if (b == 0xed)
            hi = 0x9f; /* UTF-16 surrogates */
    } else if (b >= 0xf0 && b <= 0xf4) {
        n = 4;
        if (b == 0xf0)
            lo = 0x90; /* overlong */
        if (b == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0; /* a continuation byte, C0, C1 (overlong) or F5..FF */
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if (s[k] < 0x80 || s[k] > 0xbf)
            return 0; /* the NUL that ends a truncated sequence stops here too */
    return n;
}

const char *cli_printable(const char *text, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    const unsigned char *c = (const unsigned char *)text;
    while (*c) {
        size_t n = cli_utf8_char_len((const char *)c);
        int control = n == 1 ? (*c < 0x20 || *c == 0x7f) : n == 2 && c[0] == 0xc2 && c[1] < 0xa0;
        size_t m = n ? n : 1; /* bytes this step takes */
        int escape = n == 0 || control;
        if (o + (escape ? 4 * m : m) + 1 > cap)
            break;
        for (size_t k = 0; k < m; k++) {
            if (escape) {
                out[o++] = '\\';
                out[o++] = 'x';
                out[o++] = hex[c[k] >> 4];
                out[o++] = hex[c[k] & 15];
            } else {
                out[o++] = (char)c[k];
            }
        }
        c += m;
    }
    if (cap)
        out[o] = '\0';
    return out;
}

/* A one-character delimiter: the character itself, or "tab" / "\t". NULL, or why not: the
 * reader's own characters cannot separate fields (clnum-linreg reads with the CSV defaults:
 * '"' quotes, '#' starts a comment line, CR and LF end records). */
const char *cli_parse_delimiter(const char *text, char *out)
{
    if (strcmp(text, "tab") == 0 || strcmp(text, "\\t") == 0) {
        *out = '\t';
        return NULL;
    }
    if (strlen(text) != 1)
        return "a delimiter is one character (or 'tab')";
    if (text[0] == '"')
        return "'\"' quotes fields, so it cannot also separate them";
    if (text[0] == '#')
        return "'#' starts comment lines, so it cannot also separate fields";
    if (text[0] == '\n' || text[0] == '\r')
        return "a line break ends records, so it cannot separate fields";
    *out = text[0];
    return NULL;
}

static int parse_choice(const char *text, const char *const *words, int *out)
{
    for (int k = 0; words[k]; k++)
        if (strcmp(text, words[k]) == 0) {
            *out = k;
            return 0;
        }
    return -1;
}

int cli_parse_args(int argc, char **argv, const cli_opt_spec *specs, size_t num_specs,
                   void *opts, unsigned *given, char *err, size_t err_cap)
{
    err[0] = '\0';
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0)
            arg = "--help";
        /* "--name=value" or "--name value" */
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        const opt_spec *spec = NULL;
        for (size_t s = 0; s < num_specs; s++)
            if (strlen(specs[s].name) == name_len && strncmp(specs[s].name, arg, name_len) == 0)
                spec = &specs[s];
        if (!spec) {
            snprintf(err, err_cap, "unknown option '%s'", arg);
            return -1;
        }
        char *field = (char *)opts + spec->field;
        *given |= spec->given;
        if (spec->kind == OPT_FLAG) {
            if (eq) {
                snprintf(err, err_cap, "%s takes no value", spec->name);
                return -1;
            }
            *(int *)field = 1;
            continue;
        }
        if (spec->kind == OPT_STRING && spec->min && !eq &&
            (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0)) {
            *(const char **)field = CLI_VALUE_LEFT_OUT; /* an optional value left out */
            continue;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) {
            snprintf(err, err_cap, "%s needs a value", spec->name);
            return -1;
        }
        int bad = 0;
        const char *why = NULL; /* OPT_CHAR: the reason */
        switch (spec->kind) {
        case OPT_SIZE: bad = cli_parse_size(value, spec->min, spec->max, (size_t *)field); break;
        case OPT_U64: bad = cli_parse_u64(value, (uint64_t *)field); break;
        case OPT_DOUBLE: bad = cli_parse_double(value, (double *)field); break;
        case OPT_STRING: bad = !*value; *(const char **)field = value; break;
        case OPT_CHAR: bad = (why = cli_parse_delimiter(value, field)) != NULL; break;
        case OPT_CHOICE: bad = parse_choice(value, spec->choices, (int *)field); break;
        case OPT_FLAG: break;
        }
        if (bad) {
            if (spec->kind == OPT_CHOICE) {
                int used = snprintf(err, err_cap, "%s: '%.64s' is not one of", spec->name, value);
                for (int k = 0; spec->choices[k] && used > 0 && (size_t)used < err_cap; k++)
                    used += snprintf(err + used, err_cap - (size_t)used, "%s %s",
                                     k ? "," : "", spec->choices[k]);
            } else if (spec->kind == OPT_CHAR)
                snprintf(err, err_cap, "%s '%.64s': %s", spec->name, value, why);
            else if (spec->kind == OPT_SIZE)
                snprintf(err, err_cap, "%s: '%.64s' is not a whole number in %zu .. %zu",
                         spec->name, value, spec->min, spec->max);
            else
                snprintf(err, err_cap, "%s: '%.64s' is not a valid %s", spec->name, value,
                         spec->kind == OPT_DOUBLE ? "finite number" : "value");
            return -1;
        }
    }
    return 0;
}

const char *cli_first_given(int argc, char **argv, const cli_opt_spec *specs, size_t num_specs,
                            unsigned mask)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = strcmp(argv[i], "-h") == 0 ? "--help" : argv[i];
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        const opt_spec *spec = NULL;
        for (size_t k = 0; k < num_specs; k++)
            if (strlen(specs[k].name) == name_len && strncmp(specs[k].name, arg, name_len) == 0)
                spec = &specs[k];
        if (!spec)
            return NULL; /* the parser stops here too */
        if (spec->given & mask)
            return spec->name;
        int left_out = spec->kind == OPT_STRING && spec->min &&
                       (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0);
        if (spec->kind != OPT_FLAG && !eq && !left_out)
            i++; /* its value */
    }
    return NULL;
}

const char *cli_plot_path_problem(const char *path)
{
    static const char *const others[] = {".png", ".jpg", ".jpeg", ".pdf", ".gif", ".bmp",
                                         ".tif", ".tiff", ".webp", ".eps", ".ps", NULL};
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return NULL;
    for (int k = 0; others[k]; k++)
        if (strcasecmp(dot, others[k]) == 0)
            return others[k];
    return NULL;
}

static int parse_options(int argc, char **argv, linreg_options *opts, char *err, size_t err_cap);

/* err (err_cap bytes) made printable in place (cli_printable). */
void cli_make_printable(char *err, size_t err_cap)
{
    char clean[4096];
    cli_printable(err, clean, sizeof clean < err_cap ? sizeof clean : err_cap);
    snprintf(err, err_cap, "%s", clean);
}

int linreg_options_parse(int argc, char **argv, linreg_options *opts, char *err, size_t err_cap)
{
    int rc = parse_options(argc, argv, opts, err, err_cap);
    /* The reason quotes what was typed: keep it one printable line (a line break, an escape
     * sequence or a byte that is not UTF-8 is shown as \xHH) */
    if (rc != 0)
        cli_make_printable(err, err_cap);
    return rc;
}

/* What goes with what beyond the data: the exact solver, the plot's style, a saved model,
 * the device, --json's optional value. */
static int linreg_check_combinations(int argc, char **argv, const linreg_options *opts,
                                     char *err, size_t err_cap)
{
    const size_t n = sizeof specs / sizeof specs[0];
    const char *sgd_only = cli_first_given(argc, argv, specs, n, LINREG_GIVEN_SGD_ONLY);
    if (opts->solver == LINREG_SOLVER_EXACT && opts->plot_path) {
        snprintf(err, err_cap, "--plot draws the training curves: it needs --solver sgd");
        return -1;
    }
    if (opts->solver == LINREG_SOLVER_EXACT && sgd_only) {
        snprintf(err, err_cap, "%s is for SGD: it does not go with --solver exact", sgd_only);
        return -1;
    }
    if (opts->solver == LINREG_SOLVER_EXACT && opts->load_path) {
        snprintf(err, err_cap, "--load continues training a saved model by SGD: it does not go "
                 "with --solver exact");
        return -1;
    }
    if ((opts->given & LINREG_GIVEN_PLOT_STYLE) && !opts->plot_path) {
        snprintf(err, err_cap, "--log-y and --title style the plot: they need --plot FILE.svg");
        return -1;
    }
    const char *ext = opts->plot_path ? cli_plot_path_problem(opts->plot_path) : NULL;
    if (ext) {
        snprintf(err, err_cap, "--plot %.200s: the plot is an SVG file, not %s: name it "
                 "FILE.svg", opts->plot_path, ext);
        return -1;
    }
    if (opts->predict_path && !opts->load_path) {
        snprintf(err, err_cap, "--predict applies a saved model: it needs --load MODEL");
        return -1;
    }
    if (opts->output_path && !opts->predict_path) {
        snprintf(err, err_cap, "--output is where --predict writes: it needs --predict "
                 "FILE.csv");
        return -1;
    }
    const char *training = cli_first_given(argc, argv, specs, n, LINREG_GIVEN_TRAINING);
    if (opts->predict_path && training) {
        snprintf(err, err_cap, "%s does not go with --predict, which only applies the --load "
                 "model to the rows", training);
        return -1;
    }
    const char *columns = cli_first_given(argc, argv, specs, n, LINREG_GIVEN_COLUMNS);
    if (opts->load_path && columns) {
        snprintf(err, err_cap, "%s does not go with --load: the saved model's dtype, features "
                 "and their standardisation are its own", columns);
        return -1;
    }
    if (opts->json_path == CLI_VALUE_LEFT_OUT && !opts->list_devices) {
        snprintf(err, err_cap, "--json needs a value (a file, or - for standard output)");
        return -1;
    }
    cln_device_selector sel;
    if (opts->device && cln_device_selector_parse(opts->device, &sel) != CLN_SUCCESS) {
        snprintf(err, err_cap, "--device: %s", cln_last_error(NULL));
        return -1;
    }
    return 0;
}

static int parse_options(int argc, char **argv, linreg_options *opts, char *err, size_t err_cap)
{
    memset(opts, 0, sizeof *opts);
    opts->epochs = 3;
    opts->lr = 0.03;
    opts->batch_size = 32;
    opts->num_train = 1000;
    opts->num_val = 1000;
    opts->num_inputs = 2;
    opts->noise = 0.01;
    opts->delimiter = ',';
    opts->val_fraction = 0.2;
    opts->progress.delay_s = LINREG_PROGRESS_DELAY_S;
    opts->progress.interval_s = LINREG_PROGRESS_INTERVAL_S;
    err[0] = '\0';

    if (cli_parse_args(argc, argv, specs, sizeof specs / sizeof specs[0], opts, &opts->given,
                       err, err_cap) != 0)
        return -1;
    if (!(opts->lr > 0)) {
        snprintf(err, err_cap, "--lr must be greater than 0");
        return -1;
    }
    if (opts->noise < 0) {
        snprintf(err, err_cap, "--noise must be 0 or more");
        return -1;
    }
    if (!(opts->val_fraction >= 0 && opts->val_fraction < 1)) {
        snprintf(err, err_cap, "--val-fraction must be at least 0 and less than 1");
        return -1;
    }
    if (opts->data_path && (opts->given & LINREG_GIVEN_SYNTHETIC)) {
        snprintf(err, err_cap, "--num-train, --num-val, --num-inputs and --noise describe "
                 "synthetic data: they do not go with --data");
        return -1;
    }
    if (!opts->data_path && (opts->given & LINREG_GIVEN_DATA_ONLY)) {
        snprintf(err, err_cap, "--target, --features, --exclude, --standardize and "
                 "--val-fraction need --data FILE.csv");
        return -1;
    }
    if (!opts->data_path && !opts->predict_path && (opts->given & LINREG_GIVEN_CSV_FORMAT)) {
        snprintf(err, err_cap, "--delimiter and --no-header need --data FILE.csv (or "
                 "--predict FILE.csv)");
        return -1;
    }
    if (opts->features && opts->exclude) {
        snprintf(err, err_cap, "--exclude leaves columns out of every other column: it does not "
                 "go with --features, which names the columns");
        return -1;
    }
    if (opts->shards > 0 && opts->batch_size % opts->shards != 0) {
        snprintf(err, err_cap, "--batch-size %zu is the global minibatch: it must be a multiple "
                 "of --shards %zu", opts->batch_size, opts->shards);
        return -1;
    }
    return linreg_check_combinations(argc, argv, opts, err, err_cap);
}

static int parse_seconds(const char *name, const char *text, double *out, char *err,
                         size_t err_cap)
{
    if (!text || !*text)
        return 0;
    double v;
    if (cli_parse_double(text, &v) != 0 || !(v >= 0)) {
        snprintf(err, err_cap, "%s: '%.64s' is not a number of seconds, 0 or more", name, text);
        return -1;
    }
    *out = v;
    return 0;
}

int linreg_progress_timing_parse(const char *delay, const char *interval,
                                 linreg_progress_timing *t, char *err, size_t err_cap)
{
    linreg_progress_timing r = *t;
    err[0] = '\0';
    if (parse_seconds("CLNUM_PROGRESS_DELAY", delay, &r.delay_s, err, err_cap) != 0 ||
        parse_seconds("CLNUM_PROGRESS_INTERVAL", interval, &r.interval_s, err, err_cap) != 0) {
        cli_make_printable(err, err_cap); /* one printable line, as for the options */
        return -1;
    }
    *t = r;
    return 0;
}

int linreg_test_signal_parse(const char *text, linreg_test_signal *t, char *err, size_t err_cap)
{
    static const char *const name = "CLNUM_TEST_SIGNAL_AT_EPOCH";
    linreg_test_signal r;
    memset(&r, 0, sizeof r);
    memset(t, 0, sizeof *t);
    err[0] = '\0';
    if (!text || !*text)
        return 0;
    char num[32];
    const char *colon = strchr(text, ':');
    size_t len = colon ? (size_t)(colon - text) : strlen(text);
    int bad = len >= sizeof num;
    if (!bad) {
        memcpy(num, text, len);
        num[len] = '\0';
        bad = cli_parse_size(num, 1, 1000000, &r.epoch) != 0;
    }
    if (!bad && !colon) {
        r.signals[r.count++] = SIGINT;
    } else if (!bad) {
        for (const char *c = colon + 1;;) {
            const char *end = strchr(c, ',');
            size_t n = end ? (size_t)(end - c) : strlen(c);
            if (n >= 3 && strncmp(c, "SIG", 3) == 0) {
                c += 3;
                n -= 3;
            }
            int sig = n == 3 && strncmp(c, "INT", 3) == 0    ? SIGINT
                      : n == 4 && strncmp(c, "TERM", 4) == 0 ? SIGTERM
                                                             : 0;
            if (!sig || r.count == LINREG_TEST_SIGNALS_MAX) {
                bad = 1;
                break;
            }
            r.signals[r.count++] = sig;
            if (!end)
                break;
            c = end + 1;
        }
    }
    if (bad) {
        snprintf(err, err_cap, "%s: '%.64s' is not EPOCH or EPOCH:SIGNAL[,SIGNAL...] (EPOCH 1 "
                 "to 1000000, at most %d of INT and TERM)", name, text, LINREG_TEST_SIGNALS_MAX);
        cli_make_printable(err, err_cap);
        return -1;
    }
    *t = r;
    return 0;
}

/* ---- output files ----------------------------------------------------------------------- */

/* path's folder ("." for a bare name) in dir, and *base its last component; -1 with errno
 * set when there is none (the path is empty or ends with '/': a folder) or it is too long. */
static int split_path(const char *path, char *dir, size_t dir_cap, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!**base) {
        errno = *path ? EISDIR : ENOENT;
        return -1;
    }
    size_t n = slash ? (size_t)(slash - path) : 1;
    if (slash && n == 0)
        n = 1; /* "/name": the root */
    if (n >= dir_cap || strlen(path) + 64 >= dir_cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (slash)
        memcpy(dir, path, n);
    else
        dir[0] = '.';
    dir[n] = '\0';
    return 0;
}

/* 1: path is written in place: a symbolic link (replacing it would break the link), or an
 * existing file that is not a regular one (a device, a FIFO: a temporary file and a rename
 * cannot replace it). 0: through a temporary file (it is a regular file or absent). */
static int in_place(const char *path)
{
    struct stat ls;
    if (lstat(path, &ls) != 0)
        return 0;
    return S_ISLNK(ls.st_mode) || !(S_ISREG(ls.st_mode) || S_ISDIR(ls.st_mode));
}

/* Creates a new temporary file beside path (O_EXCL, a fresh name until one is free); its
 * name in tmp. Returns the descriptor, or -1 with errno set. */
static int create_temp(const char *path, char *tmp, size_t cap)
{
    static unsigned long counter;
    char dir[4096];
    const char *base;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    if (split_path(path, dir, sizeof dir, &base) != 0)
        return -1;
    int keep_mode = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    for (int attempt = 0; attempt < 100; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long n = counter++ * 7919u + ((unsigned long)ts.tv_nsec ^ (unsigned long)attempt);
        /* the name's part of path is cut to keep within NAME_MAX (255) */
        if ((size_t)snprintf(tmp, cap, "%s/.%.200s.%ld.%lx.tmp", dir, base, (long)getpid(), n) >=
            cap) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            if (keep_mode)
                (void)fchmod(fd, st.st_mode & 07777); /* as the file it replaces */
            return fd;
        }
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

int cli_is_stdio(const char *path)
{
    return path && strcmp(path, "-") == 0;
}

static int output_error(const char *path, int e, char *err, size_t err_cap)
{
    char shown[512];
    snprintf(err, err_cap, "cannot write %s: %s", cli_printable(path, shown, sizeof shown),
             e ? strerror(e) : "write error");
    return -1;
}

int cli_output_open(cli_output *out, const char *path, char *err, size_t err_cap)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    err[0] = '\0';
    errno = 0;
    if (cli_is_stdio(path)) {
        out->f = stdout;
        out->to_stdout = 1;
        return 0;
    }
    if (in_place(path)) {
        out->f = fopen(path, "w");
        return out->f ? 0 : output_error(path, errno, err, err_cap);
    }
    int fd = create_temp(path, out->tmp, sizeof out->tmp);
    if (fd < 0) {
        out->tmp[0] = '\0';
        return output_error(path, errno, err, err_cap);
    }
    out->f = fdopen(fd, "w");
    if (!out->f) {
        int e = errno;
        close(fd);
        unlink(out->tmp);
        out->tmp[0] = '\0';
        return output_error(path, e, err, err_cap);
    }
    errno = 0;
    return 0;
}

int cli_output_commit(cli_output *out, char *err, size_t err_cap)
{
    err[0] = '\0';
    if (!out->f)
        return output_error(out->path, EBADF, err, err_cap);
    int e = 0;
    /* a failed write earlier left its errno; fflush writes what is buffered, and fails the
     * same way */
    if (fflush(out->f) != 0 || ferror(out->f))
        e = errno ? errno : EIO;
    if (out->to_stdout) { /* standard output stays open: other text may follow */
        out->f = NULL;
        return e ? output_error("standard output", e, err, err_cap) : 0;
    }
    if (!e && out->tmp[0] && fsync(fileno(out->f)) != 0)
        e = errno;
    if (fclose(out->f) != 0 && !e)
        e = errno ? errno : EIO;
    out->f = NULL;
    if (!e && out->tmp[0] && rename(out->tmp, out->path) != 0)
        e = errno;
    if (e && out->tmp[0])
        unlink(out->tmp);
    out->tmp[0] = '\0';
    return e ? output_error(out->path, e, err, err_cap) : 0;
}

void cli_output_discard(cli_output *out)
{
    if (out->f && !out->to_stdout)
        fclose(out->f);
    out->f = NULL;
    if (out->tmp[0])
        unlink(out->tmp);
    out->tmp[0] = '\0';
}

int cli_output_probe(const char *path, char *err, size_t err_cap)
{
    err[0] = '\0';
    if (cli_is_stdio(path))
        return 0;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return output_error(path, EISDIR, err, err_cap);
    if (in_place(path))
        return access(path, W_OK) == 0 ? 0 : output_error(path, errno, err, err_cap);
    char tmp[4200];
    int fd = create_temp(path, tmp, sizeof tmp);
    if (fd < 0)
        return output_error(path, errno, err, err_cap);
    close(fd);
    unlink(tmp);
    return 0;
}

/* What a file is, for comparing two. */
typedef struct file_id {
    const char *option, *path;
    int exists, regular;  /* stat(path) succeeded; a regular file */
    dev_t dev;
    ino_t ino;
    int in_dir;           /* its folder's stat succeeded */
    dev_t dir_dev;
    ino_t dir_ino;
    const char *base;     /* the last component of path */
} file_id;

static void identify(file_id *id, const char *option, const char *path)
{
    memset(id, 0, sizeof *id);
    id->option = option;
    id->path = path;
    if (cli_is_stdio(path)) { /* a standard stream: never the same file as another */
        id->exists = 1;
        return;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        id->exists = 1;
        id->regular = S_ISREG(st.st_mode);
        id->dev = st.st_dev;
        id->ino = st.st_ino;
    }
    char dir[4096];
    if (split_path(path, dir, sizeof dir, &id->base) == 0 && stat(dir, &st) == 0) {
        id->in_dir = 1;
        id->dir_dev = st.st_dev;
        id->dir_ino = st.st_ino;
    }
}

/* Two names of one file: the same existing regular file, or a file not there yet (or a
 * regular one) under the same name in the same folder. Devices and FIFOs are never one. */
static int same_file(const file_id *a, const file_id *b)
{
    if ((a->exists && !a->regular) || (b->exists && !b->regular))
        return 0;
    if (a->exists && b->exists)
        return a->dev == b->dev && a->ino == b->ino;
    return a->in_dir && b->in_dir && a->dir_dev == b->dir_dev && a->dir_ino == b->dir_ino &&
           strcmp(a->base, b->base) == 0;
}

int cli_files_check(const cli_file *inputs, size_t num_inputs, const cli_file *outputs,
                    size_t num_outputs, char *err, size_t err_cap)
{
    err[0] = '\0';
    file_id outs[CLI_FILES_MAX], in;
    size_t n = num_outputs < CLI_FILES_MAX ? num_outputs : CLI_FILES_MAX;
    for (size_t i = 0; i < n; i++)
        identify(&outs[i], outputs[i].option, outputs[i].path);
    char a[512], b[512];
    for (size_t k = 0; k < num_inputs; k++) {
        identify(&in, inputs[k].option, inputs[k].path);
        for (size_t i = 0; i < n; i++)
            if (in.exists && in.regular && same_file(&outs[i], &in)) {
                snprintf(err, err_cap, "%s %s is the %s file %s: writing it would replace "
                         "the %s", outs[i].option, cli_printable(outs[i].path, a, sizeof a),
                         in.option, cli_printable(in.path, b, sizeof b),
                         inputs[k].what ? inputs[k].what : "training data");
                return 2;
            }
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (same_file(&outs[i], &outs[j])) {
                snprintf(err, err_cap, "%s %s and %s %s are the same file: one would replace "
                         "the other", outs[i].option, cli_printable(outs[i].path, a, sizeof a),
                         outs[j].option, cli_printable(outs[j].path, b, sizeof b));
                return 2;
            }
    for (size_t i = 0; i < n; i++) {
        char why[1024];
        if (cli_output_probe(outs[i].path, why, sizeof why) != 0) {
            snprintf(err, err_cap, "%s: %s", outs[i].option, why);
            return 1;
        }
    }
    return 0;
}

int cli_stdio_check(const cli_file *inputs, size_t num_inputs, const cli_file *outputs,
                    size_t num_outputs, char *err, size_t err_cap)
{
    err[0] = '\0';
    const cli_file *lists[2] = {inputs, outputs};
    size_t counts[2] = {num_inputs, num_outputs};
    static const char *const streams[2] = {"standard input", "standard output"};
    for (int l = 0; l < 2; l++) {
        const char *first = NULL;
        for (size_t i = 0; i < counts[l]; i++) {
            if (!cli_is_stdio(lists[l][i].path))
                continue;
            if (first) {
                snprintf(err, err_cap, "%s - and %s - are both %s: give one of them a file",
                         first, lists[l][i].option, streams[l]);
                return 2;
            }
            first = lists[l][i].option;
        }
    }
    return 0;
}

int linreg_files_check(const linreg_options *o, char *err, size_t err_cap)
{
    cli_file outs[6], ins[3];
    size_t n = 0, ni = 0;
    if (o->json_path)
        outs[n++] = (cli_file){"--json", o->json_path, NULL};
    if (o->csv_path)
        outs[n++] = (cli_file){"--csv", o->csv_path, NULL};
    if (o->plot_path)
        outs[n++] = (cli_file){"--plot", o->plot_path, NULL};
    if (o->save_path)
        outs[n++] = (cli_file){"--save", o->save_path, NULL};
    if (o->predict_path)
        outs[n++] = (cli_file){"--output", o->output_path ? o->output_path : "-", NULL};
    if (o->data_path)
        ins[ni++] = (cli_file){"--data", o->data_path, "training data"};
    if (o->load_path)
        ins[ni++] = (cli_file){"--load", o->load_path, "saved model"};
    if (o->predict_path)
        ins[ni++] = (cli_file){"--predict", o->predict_path, "rows to predict"};
    int rc = cli_stdio_check(ins, ni, outs, n, err, err_cap);
    return rc ? rc : cli_files_check(ins, ni, outs, n, err, err_cap);
}

/* ---- the programs' text ------------------------------------------------------------------- */

static FILE *text_stream; /* NULL: stdout */

FILE *cli_text(void)
{
    return text_stream ? text_stream : stdout;
}

void cli_text_to_stderr(void)
{
    fflush(stdout);
    text_stream = stderr;
}

const char *cli_format_number(double v, int decimals, int small_as_e, char *out, size_t cap)
{
    double a = fabs(v);
    int e = isfinite(v) && (a >= 1e6 || (small_as_e && a < 1e-4 && a > 0));
    snprintf(out, cap, e ? "%.*e" : "%.*f", decimals, v);
    return out;
}

int cli_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(cli_text(), fmt, ap);
    va_end(ap);
    return n;
}

/* ---- SIGINT and SIGTERM during a fit ------------------------------------------------------ */

static volatile sig_atomic_t caught_signal; /* the first SIGINT or SIGTERM caught, else 0 */
static int ignored_at_start[2];             /* SIGINT, SIGTERM: SIG_IGN when main began */
static const int stop_signals[2] = {SIGINT, SIGTERM};

static void on_stop_signal(int sig)
{
    if (caught_signal) { /* the second: as if it had never been caught */
        signal(sig, SIG_DFL);
        raise(sig); /* delivered when this handler returns (sig is blocked until then) */
        return;
    }
    caught_signal = sig;
}

void cli_signals_note_ignored(void)
{
    for (int i = 0; i < 2; i++) {
        struct sigaction sa;
        ignored_at_start[i] = sigaction(stop_signals[i], NULL, &sa) == 0 &&
                              sa.sa_handler == SIG_IGN;
    }
}

void cli_signals_catch(cli_saved_signals *sv)
{
    memset(sv, 0, sizeof *sv);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 2; i++)
        sigaddset(&sa.sa_mask, stop_signals[i]); /* one handler at a time */
    sa.sa_flags = SA_RESTART;
    for (int i = 0; i < 2; i++) {
        if (ignored_at_start[i] || sigaction(stop_signals[i], NULL, &sv->old[i]) != 0 ||
            sv->old[i].sa_handler == SIG_IGN)
            continue;
        sv->caught[i] = sigaction(stop_signals[i], &sa, NULL) == 0;
    }
}

void cli_signals_release(cli_saved_signals *sv)
{
    for (int i = 0; i < 2; i++)
        if (sv->caught[i])
            sigaction(stop_signals[i], &sv->old[i], NULL);
    memset(sv, 0, sizeof *sv);
}

int cli_stop_signal(void)
{
    return caught_signal;
}

const char *cli_signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

int cli_end_by_signal(int rc)
{
    int sig = cli_stop_signal();
    if (sig && rc == 128 + sig) {
        fflush(stdout);
        fflush(stderr);
        signal(sig, SIG_DFL);
        raise(sig);
    }
    return rc;
}

double cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

cln_status cli_fit_end(cln_status st, const cln_context *ctx, char *msg, size_t msg_cap,
                       int *diverged, int *stopped_by)
{
    if (st == CLN_ERR_DIVERGED) {
        snprintf(msg, msg_cap, "%s", cln_last_error(ctx));
        *diverged = 1;
        st = CLN_SUCCESS;
    }
    if (st == CLN_SUCCESS)
        *stopped_by = cli_stop_signal();
    return st;
}
