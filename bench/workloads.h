/* clnum-bench: W1 and W2 (linear regression) and W3 (softmax regression) through cln_fit,
 * on a chosen training path. */
#ifndef BENCH_WORKLOADS_H
#define BENCH_WORKLOADS_H

#include <stdint.h>

#include "clnum/clnum.h"
#include "clnum/softmax.h"
#include "error.h"
#include "figures.h"

#define W_LR 0.03
#define W_SEED 0          /* of the data, the initial w and the order: clnum-linreg's default */

/* The synthetic data of a workload, generated on the device (not timed). */
cln_status workload_data_create(cln_context *ctx, const workload *w, cln_dataset **out,
                                bench_error *err);

/* The relative error of (w, b) against the data's true parameters. */
cln_status workload_rel_err(const cln_dataset *data, const double *w, double b, double *out,
                            bench_error *err);

/* One warm-up fit (PoCL compiles each kernel at its first launch per local size), then
 * w->repeats timed fits, each from the model's initial parameters. A path the library
 * does not have gives out->supported = 0 and CLN_SUCCESS. */
cln_status workload_fit(cln_linreg *m, const cln_dataset *data, const workload *w,
                        cln_train_path path, fit_figures *out, bench_error *err);

/* ---- W3: d2l chapter 4.4's softmax regression, on synthetic Fashion-MNIST-shaped data ---- */

#define W3_CLASSES 10
#define W3_LR 0.1
#define W3_SEED 3         /* of the data (bench/peers/common.py's W3_SEED) */
#define W3_MAX_ACC_GAP 0.005 /* the trainer's accuracy and the host's may differ by this */

/* W3's rows (the recipe of bench/peers/common.py's w3_data, bit for bit) as a labelled
 * dataset on the device, and a host copy of the validation rows for the check. */
typedef struct w3_data {
    cln_dataset *ds;
    float *X_val;          /* num_val x num_inputs, row-major */
    uint32_t *y_val;       /* num_val labels */
    size_t num_val, num_inputs, num_classes;
} w3_data;

/* What one path's W3 epochs measure. */
typedef struct w3_figures {
    fit_figures fit;       /* time of the one-epoch fit (training and validation), enqueues */
    cln_train_path ran;    /* the path the trainer took (what AUTO chose) */
    double train_loss;     /* the epoch's mean training batch loss (cln_epoch_report) */
    double val_acc;        /* the trainer's validation accuracy (its val_metric) */
    double val_loss;       /* the mean cross-entropy over every validation row, and the */
    double host_val_acc;   /* accuracy, both on the host from the learned W and b */
    int mismatch;          /* val_acc and host_val_acc differ by more than W3_MAX_ACC_GAP:
                              the figures are kept, err says so, and the run fails */
} w3_figures;

/* Generates the rows on the host and makes the dataset (not timed). */
cln_status w3_data_create(cln_context *ctx, const workload *w, w3_data *out, bench_error *err);
void w3_data_free(w3_data *d);

/* The name of a path ("auto", "stepwise", ...). */
const char *workload_path_name(cln_train_path p);

/* As workload_fit, for W3's softmax model: one warm-up fit, then w->repeats timed one-epoch
 * fits from the model's initial parameters, which are restored afterwards. Checks that the
 * trainer's accuracy is the host's (out->mismatch, with CLN_SUCCESS). */
cln_status w3_fit(cln_softmax *m, const w3_data *data, const workload *w, cln_train_path path,
                  w3_figures *out, bench_error *err);

#endif
