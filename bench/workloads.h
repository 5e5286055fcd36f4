/* clnum-bench: W1 and W2 through cln_fit, on a chosen training path. */
#ifndef BENCH_WORKLOADS_H
#define BENCH_WORKLOADS_H

#include "clnum/clnum.h"
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

#endif
