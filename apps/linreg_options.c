#include "linreg_options.h"

#include <stdlib.h>

void linreg_usage(FILE *out)
{
    fprintf(out,
            "usage: clnum-linreg [options]\n"
            "       clnum-linreg --load MODEL --predict ROWS.csv [--output FILE]\n"
            "Trains d2l's linear regression (chapters 3.4 and 3.5) on an OpenCL device, on\n"
            "synthetic data (the default) or on a CSV file; saves the model, and predicts with a\n"
            "saved one.\n"
            "\n"
            "training:\n"
            "  --epochs N        epochs (default 3)\n"
            "  --lr X            learning rate (default 0.03)\n"
            "  --batch-size N    minibatch size (default 32)\n"
#ifdef CLNUM_LINREG_MPI
            "                    (under mpirun the global one: a multiple of the ranks, each\n"
            "                    rank taking N / ranks rows of its shard)\n"
#endif
            "  --loss L          half-mse: d2l's mean((y_hat - y)^2 / 2) (default);\n"
            "                    mse: PyTorch's nn.MSELoss, as chapter 3.5\n"
            "  --dtype T         float32 (default) or float64 (a device with cl_khr_fp64)\n"
            "  --solver S        sgd: train on the device (default); exact: closed-form least\n"
            "                    squares on the host in double precision (pivoted QR, LAPACK),\n"
            "                    without the options that only SGD uses\n"
            "  --seed N          seed of the data, the split, the initial w and the shuffling\n"
            "                    (default 0)\n"
            "synthetic data (without --data):\n"
            "  --num-train N     training rows (default 1000)\n"
            "  --num-val N       validation rows (default 1000)\n"
            "  --num-inputs D    features (default 2; other than 2, the true w is drawn from the seed)\n"
            "  --noise X         noise standard deviation (default 0.01)\n"
            "real data:\n"
            "  --data FILE.csv   train on a CSV file with a header row ('-': standard input)\n"
            "  --target NAME     the column to predict, by name or 0-based index (default: the last)\n"
            "  --features A,B    the input columns (default: every other column)\n"
            "  --exclude A,B     columns left out of every other column (ids, text)\n"
            "  --delimiter C     field separator (default ','; 'tab' for tabs)\n"
            "  --no-header       the first row is data; name columns by index\n"
            "  --standardize     z-score the features with the training rows' statistics\n"
            "                    (the parameters are still printed in the file's units)\n"
            "  --val-fraction F  fraction of rows held out for validation, 0 <= F < 1 (default 0.2)\n"
            "saved models:\n"
            "  --save FILE       the trained model, with its features' names and standardisation\n"
            "  --load FILE       start from a saved model: train it on (epochs numbered on), or\n"
            "                    with --predict apply it\n"
            "  --predict FILE    rows to predict on (CSV, columns by the model's feature names)\n"
            "  --output FILE     the predictions as CSV, TARGET_hat (default: standard output)\n"
            "output ('-' for a file is standard output; the other lines then go to stderr):\n"
            "  --quiet           only the result lines; no epoch lines, no progress line\n"
            "  --plot FILE.svg   the loss curves as d2l's ProgressBoard draws them\n"
            "  --log-y           the plot's y axis logarithmic\n"
            "  --title TEXT      the plot's title\n"
            "  --json FILE       a summary: device, status, w, b, train_loss, val_loss, epochs,\n"
            "                    time_ms\n"
            "  --csv FILE        the loss history (curve,x,loss)\n"
            "device:\n"
            "  --device P:D      platform:device by index or name (default: $CLNUM_DEVICE, else\n"
            "                    the first GPU, else the first device)\n"
            "  --placement P     where the rows live: auto (default: the device if they fit,\n"
            "                    else host memory, streamed), device, or host (streamed)\n"
            "  --list-devices    list the OpenCL devices and exit (with --json [FILE]: as JSON)\n"
            "  --help            this text\n"
            "  --version         the program's version\n"
            "Exit status: 0; 1 for a failure at run time (a missing or malformed file, no device,\n"
            "a run that diverged); 2 for a bad option or value; 130 or 143 for a run that SIGINT\n"
            "or SIGTERM stopped.\n");
}

/* --features names no empty column. */
static int features_ok(const char *features)
{
    char **items;
    size_t n;
    if (cli_split_list(features, &items, &n) != 0)
        return 0;
    cli_free_list(items, n);
    return 1;
}

static int is_run(int act)
{
    return act == LINREG_ACT_SGD || act == LINREG_ACT_EXACT || act == LINREG_ACT_PREDICT;
}

/* What the options ask for, or why they are bad. */
static int options_action(int argc, char **argv, linreg_command *c)
{
    linreg_options *o = &c->opts;
    if (linreg_options_parse(argc, argv, o, c->err, sizeof c->err) != 0)
        return LINREG_ACT_BAD;
    if (o->help)
        return LINREG_ACT_HELP;
    if (o->version)
        return LINREG_ACT_VERSION;
    if (o->features && !features_ok(o->features)) {
        snprintf(c->err, sizeof c->err, "--features: '%s' has an empty name", o->features);
        return LINREG_ACT_BAD;
    }
    return o->list_devices ? LINREG_ACT_LIST
         : o->predict_path ? LINREG_ACT_PREDICT
         : o->solver == LINREG_SOLVER_EXACT ? LINREG_ACT_EXACT : LINREG_ACT_SGD;
}

/* The progress line's timing (README, "What you see") and the test hook, for a run. */
static int environment_ok(linreg_command *c)
{
    linreg_options *o = &c->opts;
    return linreg_progress_timing_parse(getenv("CLNUM_PROGRESS_DELAY"),
                                        getenv("CLNUM_PROGRESS_INTERVAL"), &o->progress,
                                        c->err, sizeof c->err) == 0 &&
           linreg_test_signal_parse(getenv("CLNUM_TEST_SIGNAL_AT_EPOCH"), &o->test_signal,
                                    c->err, sizeof c->err) == 0;
}

void linreg_command_read(int argc, char **argv, int check_files, linreg_command *c)
{
    c->bad_env = 0;
    c->act = options_action(argc, argv, c);
    if (is_run(c->act) && !environment_ok(c)) {
        c->act = LINREG_ACT_BAD;
        c->bad_env = 1;
    }
    /* The output files, before anything runs: one that is the --data file or another
     * output is a bad command line (exit 2, no usage: the reason is the file, not the
     * option's syntax); one that cannot be written fails now, not after the fit (exit 1). */
    if (is_run(c->act) && check_files) {
        int fc = linreg_files_check(&c->opts, c->err, sizeof c->err);
        if (fc == 2) {
            c->act = LINREG_ACT_BAD;
            c->bad_env = 1;
        } else if (fc != 0) {
            c->act = LINREG_ACT_FAIL;
        }
    }
}

void linreg_command_check_group(linreg_command *c, size_t ranks)
{
    const linreg_options *o = &c->opts;
    if (!is_run(c->act))
        return;
    if (cli_is_stdio(o->data_path) || cli_is_stdio(o->load_path)) {
        snprintf(c->err, sizeof c->err, "%s -: under mpirun standard input is rank 0's alone: "
                 "give every rank a file", cli_is_stdio(o->data_path) ? "--data" : "--load");
        c->act = LINREG_ACT_BAD;
    } else if (o->shards) {
        snprintf(c->err, sizeof c->err, "--shards is for one process: under mpirun the %zu "
                 "ranks are the shards", ranks);
        c->act = LINREG_ACT_BAD;
    } else if (o->solver == LINREG_SOLVER_SGD && o->batch_size % ranks != 0) {
        snprintf(c->err, sizeof c->err, "--batch-size %zu is the global minibatch: it must be "
                 "a multiple of the %zu ranks (each rank takes batch-size / %zu rows of its "
                 "shard)", o->batch_size, ranks, ranks);
        c->act = LINREG_ACT_BAD;
    }
}
