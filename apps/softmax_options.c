#include "softmax_options.h"

#include <stdio.h>
#include <string.h>

static const char *const dtype_words[] = {"float32", "float64", NULL}; /* softmax_dtype */
static const char *const placement_words[] = {"auto", "device", "host", NULL}; /* cln_placement */

#define FIELD(f) offsetof(softmax_options, f)
#define T SOFTMAX_GIVEN_TRAINING
#define M (SOFTMAX_GIVEN_MODEL | SOFTMAX_GIVEN_TRAINING)
#define SYN (SOFTMAX_GIVEN_SYNTHETIC | SOFTMAX_GIVEN_TRAINING)
#define CSV (SOFTMAX_GIVEN_CSV | SOFTMAX_GIVEN_TRAINING)
#define IDX (SOFTMAX_GIVEN_IDX_FILE | SOFTMAX_GIVEN_TRAINING)
static const cli_opt_spec specs[] = {
    {"--epochs", CLI_OPT_SIZE, 1, 1000000, FIELD(epochs), T, NULL},
    {"--lr", CLI_OPT_DOUBLE, 0, 0, FIELD(lr), T, NULL},
    {"--batch-size", CLI_OPT_SIZE, 1, UINT32_MAX, FIELD(batch_size), T, NULL},
    {"--sigma", CLI_OPT_DOUBLE, 0, 0, FIELD(sigma), M, NULL},
    {"--weight-decay", CLI_OPT_DOUBLE, 0, 0, FIELD(weight_decay), T, NULL},
    {"--seed", CLI_OPT_U64, 0, 0, FIELD(seed), T, NULL},
    {"--dtype", CLI_OPT_CHOICE, 0, 0, FIELD(dtype), M, dtype_words},
    {"--placement", CLI_OPT_CHOICE, 0, 0, FIELD(placement), T, placement_words},
    {"--device", CLI_OPT_STRING, 0, 0, FIELD(device), 0, NULL},
    {"--num-train", CLI_OPT_SIZE, 1, UINT32_MAX - 1, FIELD(num_train), SYN, NULL},
    {"--num-val", CLI_OPT_SIZE, 0, UINT32_MAX - 1, FIELD(num_val), SYN, NULL},
    {"--num-inputs", CLI_OPT_SIZE, 1, 65536, FIELD(num_inputs), SYN | M, NULL},
    {"--num-classes", CLI_OPT_SIZE, 2, 1000, FIELD(num_classes), SYN | M, NULL},
    {"--noise", CLI_OPT_DOUBLE, 0, 0, FIELD(noise), SYN, NULL},
    {"--data", CLI_OPT_STRING, 0, 0, FIELD(data_path), T, NULL},
    {"--target", CLI_OPT_STRING, 0, 0, FIELD(target), CSV, NULL},
    {"--features", CLI_OPT_STRING, 0, 0, FIELD(features), CSV | M, NULL},
    {"--exclude", CLI_OPT_STRING, 0, 0, FIELD(exclude), CSV | M, NULL},
    {"--delimiter", CLI_OPT_CHAR, 0, 0, FIELD(delimiter), SOFTMAX_GIVEN_CSV, NULL},
    {"--no-header", CLI_OPT_FLAG, 0, 0, FIELD(no_header), SOFTMAX_GIVEN_CSV, NULL},
    {"--skip-lines", CLI_OPT_SIZE, 0, 1000000000, FIELD(skip_lines), SOFTMAX_GIVEN_CSV, NULL},
    {"--standardize", CLI_OPT_FLAG, 0, 0, FIELD(standardize), CSV | M, NULL},
    {"--val-fraction", CLI_OPT_DOUBLE, 0, 0, FIELD(val_fraction), CSV, NULL},
    {"--idx", CLI_OPT_STRING, 0, 0, FIELD(idx_dir), T, NULL},
    {"--train-images", CLI_OPT_STRING, 0, 0, FIELD(train_images), IDX, NULL},
    {"--train-labels", CLI_OPT_STRING, 0, 0, FIELD(train_labels), IDX, NULL},
    {"--val-images", CLI_OPT_STRING, 0, 0, FIELD(val_images), IDX, NULL},
    {"--val-labels", CLI_OPT_STRING, 0, 0, FIELD(val_labels), IDX, NULL},
    {"--save", CLI_OPT_STRING, 0, 0, FIELD(save_path), T, NULL},
    {"--load", CLI_OPT_STRING, 0, 0, FIELD(load_path), 0, NULL},
    {"--predict", CLI_OPT_STRING, 0, 0, FIELD(predict_path), 0, NULL},
    {"--output", CLI_OPT_STRING, 0, 0, FIELD(output_path), 0, NULL},
    /* --json's value may be left out after --list-devices: the list as JSON on stdout */
    {"--json", CLI_OPT_STRING, 1, 0, FIELD(json_path), T, NULL},
    {"--plot", CLI_OPT_STRING, 0, 0, FIELD(plot_path), T, NULL},
    {"--log-y", CLI_OPT_FLAG, 0, 0, FIELD(log_y), T | SOFTMAX_GIVEN_PLOT_STYLE, NULL},
    {"--title", CLI_OPT_STRING, 0, 0, FIELD(title), T | SOFTMAX_GIVEN_PLOT_STYLE, NULL},
    {"--quiet", CLI_OPT_FLAG, 0, 0, FIELD(quiet), 0, NULL},
    {"--list-devices", CLI_OPT_FLAG, 0, 0, FIELD(list_devices), 0, NULL},
    {"--help", CLI_OPT_FLAG, 0, 0, FIELD(help), 0, NULL},
    {"--version", CLI_OPT_FLAG, 0, 0, FIELD(version), 0, NULL},
};
#undef T
#undef M
#undef SYN
#undef CSV
#undef IDX

static int fail(char *err, size_t cap, const char *msg)
{
    snprintf(err, cap, "%s", msg);
    return -1;
}

static int check(int argc, char **argv, softmax_options *o, char *err, size_t cap)
{
    if (!(o->lr > 0))
        return fail(err, cap, "--lr must be greater than 0");
    if (o->sigma < 0)
        return fail(err, cap, "--sigma must be 0 or more");
    if (o->weight_decay < 0)
        return fail(err, cap, "--weight-decay must be 0 or more");
    if (!(o->weight_decay * o->lr < 1)) {
        /* the step scales W by 1 - lr * weight_decay (trainer.h) */
        snprintf(err, cap, "--weight-decay %g must be below 1 / --lr (%g): each step scales W "
                 "by 1 - lr * weight_decay", o->weight_decay, 1 / o->lr);
        return -1;
    }
    if (o->noise < 0)
        return fail(err, cap, "--noise must be 0 or more");
    if (!(o->val_fraction >= 0 && o->val_fraction < 1))
        return fail(err, cap, "--val-fraction must be at least 0 and less than 1");
    if (o->num_train + o->num_val > UINT32_MAX - 1)
        return fail(err, cap, "--num-train and --num-val: at most 4294967294 rows in all");
    int idx_files = (o->given & SOFTMAX_GIVEN_IDX_FILE) != 0;
    int sources = !!o->data_path + !!o->idx_dir + idx_files;
    if (sources > 1)
        return fail(err, cap, "--data, --idx and --train-images/--train-labels are different "
                    "data: give one of them");
    const size_t n = sizeof specs / sizeof specs[0];
    const char *training = cli_first_given(argc, argv, specs, n, SOFTMAX_GIVEN_TRAINING);
    if (o->predict_path && !o->load_path)
        return fail(err, cap, "--predict applies a saved model: it needs --load MODEL");
    if (o->output_path && !o->predict_path)
        return fail(err, cap, "--output is where --predict writes: it needs --predict FILE.csv");
    if (o->predict_path && training) {
        snprintf(err, cap, "%s does not go with --predict, which only applies the --load "
                 "model to the rows", training);
        return -1;
    }
    const char *decided = cli_first_given(argc, argv, specs, n, SOFTMAX_GIVEN_MODEL);
    if (o->load_path && decided) {
        snprintf(err, cap, "%s does not go with --load: the saved model's shape, dtype, "
                 "features and their standardisation are its own", decided);
        return -1;
    }
    if (!o->data_path && !o->predict_path && (o->given & SOFTMAX_GIVEN_CSV))
        return fail(err, cap, "--target, --features, --exclude, --delimiter, --no-header, "
                    "--skip-lines, --standardize and --val-fraction need --data FILE.csv");
    if (o->features && o->exclude)
        return fail(err, cap, "--exclude leaves columns out of every other column: it does "
                    "not go with --features, which names the columns");
    if ((o->given & SOFTMAX_GIVEN_PLOT_STYLE) && !o->plot_path)
        return fail(err, cap, "--log-y and --title style the plot: they need --plot FILE.svg");
    const char *ext = o->plot_path ? cli_plot_path_problem(o->plot_path) : NULL;
    if (ext) {
        snprintf(err, cap, "--plot %.200s: the plot is an SVG file, not %s: name it FILE.svg",
                 o->plot_path, ext);
        return -1;
    }
    cln_device_selector sel;
    if (o->device && cln_device_selector_parse(o->device, &sel) != CLN_SUCCESS) {
        snprintf(err, cap, "--device: %s", cln_last_error(NULL));
        return -1;
    }
    if (sources && (o->given & SOFTMAX_GIVEN_SYNTHETIC))
        return fail(err, cap, "--num-train, --num-val, --num-inputs, --num-classes and --noise "
                    "describe synthetic data: they do not go with --data or IDX files");
    if (idx_files && (!o->train_images || !o->train_labels))
        return fail(err, cap, "--train-images and --train-labels go together: the images and "
                    "their labels");
    if (!o->val_images != !o->val_labels)
        return fail(err, cap, "--val-images and --val-labels go together: the images and their "
                    "labels");
    if (o->features) {
        char **items;
        size_t n;
        if (cli_split_list(o->features, &items, &n) != 0) {
            snprintf(err, cap, "--features: '%.200s' has an empty name", o->features);
            return -1;
        }
        cli_free_list(items, n);
    }
    return 0;
}

int softmax_options_parse(int argc, char **argv, softmax_options *o, char *err, size_t err_cap)
{
    memset(o, 0, sizeof *o);
    o->epochs = 10;
    o->lr = 0.1;
    o->batch_size = 256;
    o->sigma = 0.01;
    o->num_train = SOFTMAX_SYNTH_ROWS;
    o->num_val = SOFTMAX_SYNTH_ROWS;
    o->num_inputs = SOFTMAX_SYNTH_INPUTS;
    o->num_classes = SOFTMAX_SYNTH_CLASSES;
    o->noise = SOFTMAX_SYNTH_NOISE;
    o->delimiter = ',';
    o->val_fraction = 0.2;
    err[0] = '\0';
    int rc = cli_parse_args(argc, argv, specs, sizeof specs / sizeof specs[0], o, &o->given, err,
                            err_cap);
    if (rc == 0 && o->json_path == CLI_VALUE_LEFT_OUT && !o->list_devices && !o->help &&
        !o->version) {
        snprintf(err, err_cap, "--json needs a value (a file, or - for standard output)");
        rc = -1;
    }
    if (rc == 0 && !o->help && !o->list_devices && !o->version)
        rc = check(argc, argv, o, err, err_cap);
    if (rc != 0)
        cli_make_printable(err, err_cap); /* it quotes what was typed: one printable line */
    return rc;
}
