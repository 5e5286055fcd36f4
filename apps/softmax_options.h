/* clnum-softmax's command line (d2l chapter 4.4's softmax regression), parsed without side
 * effects with cli_args.h's table parser, so that a test can drive it directly. */
#ifndef CLNUM_SOFTMAX_OPTIONS_H
#define CLNUM_SOFTMAX_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "cli_args.h"

/* What the synthetic data looks like by default (softmax_data.h has the recipe). */
#define SOFTMAX_SYNTH_CLASSES 3
#define SOFTMAX_SYNTH_INPUTS 2
#define SOFTMAX_SYNTH_ROWS 1000
#define SOFTMAX_SYNTH_NOISE 1.0

typedef enum { SOFTMAX_DTYPE_FLOAT32 = 0, SOFTMAX_DTYPE_FLOAT64 = 1 } softmax_dtype;

typedef struct softmax_options {
    /* training: d2l's defaults */
    size_t epochs;           /* 10 */
    double lr;               /* 0.1 */
    size_t batch_size;       /* 256 */
    double sigma;            /* 0.01: W ~ N(0, sigma^2), b = 0 */
    double weight_decay;     /* 0 */
    uint64_t seed;           /* 0: the data (synthetic), the split (CSV), W, the order */
    int dtype;               /* softmax_dtype */
    int placement;           /* cln_placement: 0 auto, 1 device, 2 host */
    const char *device;      /* NULL: CLNUM_DEVICE or the default */
    /* synthetic data (no --data, no IDX files) */
    size_t num_train, num_val, num_inputs, num_classes;
    double noise;
    /* a CSV file */
    const char *data_path;
    const char *target;      /* NULL: the last column */
    const char *features;    /* comma-separated; NULL: every other column */
    char delimiter;
    int no_header;
    size_t skip_lines;
    int standardize;
    double val_fraction;     /* 0.2 */
    /* IDX files (Fashion-MNIST's format): a folder, or the files one by one */
    const char *idx_dir;
    const char *train_images, *train_labels, *val_images, *val_labels;
    const char *exclude;     /* comma-separated columns left out of every other column */
    /* a saved model (model_file.h) */
    const char *save_path;   /* --save FILE, or NULL */
    const char *load_path;   /* --load FILE: start from a saved model, or NULL */
    const char *predict_path;/* --predict rows.csv: predict with the loaded model, or NULL */
    const char *output_path; /* --output FILE: the predictions (NULL: standard output) */
    /* output */
    const char *json_path;   /* NULL; CLI_VALUE_LEFT_OUT: --json without a value, which
                                --list-devices reads as standard output */
    const char *plot_path;
    int log_y;               /* --log-y */
    const char *title;       /* --title, or NULL: the final val_acc */
    int quiet;
    int list_devices;
    int help;
    int version;
    unsigned given;          /* SOFTMAX_GIVEN_* of the options given */
    linreg_progress_timing progress; /* not an option: $CLNUM_PROGRESS_DELAY and _INTERVAL */
    linreg_test_signal test_signal; /* not an option: $CLNUM_TEST_SIGNAL_AT_EPOCH */
} softmax_options;

enum {
    SOFTMAX_GIVEN_SYNTHETIC = 1u << 0, /* --num-train --num-val --num-inputs --num-classes --noise */
    SOFTMAX_GIVEN_CSV = 1u << 1,       /* --target --features --delimiter --no-header
                                          --skip-lines --standardize --val-fraction */
    SOFTMAX_GIVEN_IDX_FILE = 1u << 2,  /* --train-images --train-labels --val-images
                                          --val-labels */
    SOFTMAX_GIVEN_TRAINING = 1u << 3,  /* what --predict does not do: every option but
                                          --load --predict --output --device --quiet
                                          --delimiter --no-header --skip-lines */
    SOFTMAX_GIVEN_MODEL = 1u << 4,     /* --num-inputs --num-classes --sigma --dtype
                                          --features --exclude --standardize: what a loaded
                                          model has decided already */
    SOFTMAX_GIVEN_PLOT_STYLE = 1u << 5 /* --log-y --title */
};

/* Fills o from argv (d2l's defaults for what is not given) and checks what goes with what.
 * Returns 0; -1 with a one-line printable reason in err on a bad option, value or
 * combination. */
int softmax_options_parse(int argc, char **argv, softmax_options *o, char *err, size_t err_cap);

/* The IDX file names in a folder, as d2l and Fashion-MNIST name them. */
#define SOFTMAX_IDX_TRAIN_IMAGES "train-images-idx3-ubyte"
#define SOFTMAX_IDX_TRAIN_LABELS "train-labels-idx1-ubyte"
#define SOFTMAX_IDX_VAL_IMAGES "t10k-images-idx3-ubyte"
#define SOFTMAX_IDX_VAL_LABELS "t10k-labels-idx1-ubyte"

#endif
