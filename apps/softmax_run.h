/* What one run of clnum-softmax holds, shared by its steps (clnum-softmax.c trains,
 * softmax_output.c prints and writes, softmax_predict.c predicts). */
#ifndef CLNUM_APPS_SOFTMAX_RUN_H
#define CLNUM_APPS_SOFTMAX_RUN_H

#include <stddef.h>

#include "cli_args.h"
#include "clnum/clnum.h"
#include "softmax_data.h"
#include "softmax_options.h"

#define SOFTMAX_PROGRAM "clnum-softmax" /* the prefix of its messages */

/* What each epoch reported: its mean training loss, validation loss and accuracy. */
typedef struct softmax_epoch_log {
    size_t count, cap;
    double *train_loss, *val_loss, *val_acc;
    int out_of_memory;
} softmax_epoch_log;

/* Everything one run holds; freed by softmax_run_free. */
typedef struct softmax_run {
    const softmax_options *o;
    softmax_data data;
    cln_context *ctx;
    cln_dtype dtype;           /* --dtype's, or the --load model's */
    cln_dataset *ds;
    cln_softmax *model;
    cln_model_meta *meta;      /* the --load model's description, else NULL */
    size_t first_epoch;        /* epochs the --load model was trained for before */
    cln_history hist;
    softmax_epoch_log log;
    double *W, *b;
    size_t *val_correct;       /* k: validation rows of each class classified right */
    double train_acc;          /* on the host, with the final W and b */
    double ms;
    int have_params;
    int diverged;              /* cln_fit ended with CLN_ERR_DIVERGED (fit_msg) */
    int stopped_by;            /* the signal that stopped the fit, else 0 */
    char fit_msg[640];
    cli_saved_signals signals;
} softmax_run;

void softmax_run_free(softmax_run *s);

/* One line on stderr, the library's message (or the status's name); returns 1. */
int softmax_fail(cln_status st);

/* "completed", "interrupted" or "diverged". */
const char *softmax_run_status(const softmax_run *s);
/* The last epoch's validation accuracy, NaN without one. */
double softmax_final_val_acc(const softmax_run *s);
/* The name of a training path ("epoch", "fused", ...). */
const char *softmax_path_name(cln_train_path p);

/* The data line (the source, its rows, features and classes). */
void softmax_print_data_line(const softmax_run *s);
/* The result lines: the accuracies, the classes with their counts, the time. */
void softmax_print_results(const softmax_run *s);
/* --plot, --json and --save, each whole or not at all; returns 1 when one could not be
 * written (the reason on stderr), else 0. */
int softmax_write_outputs(const softmax_run *s);

/* --load MODEL --predict ROWS [--output FILE]: the exit status. */
int softmax_predict(const softmax_options *o);

#endif
