/* clnum-bench: W1 and W2 through CLBlast alone, the path a user with BLAS but without
 * clnum's kernels would write, on clnum's device buffers and queue.
 *
 * Per training minibatch of B rows (7 CLBlast calls):
 *   r = y_B (copy); r = X_B w - r (gemv); r += 1_B b (gemv of a B x 1 matrix of ones);
 *   loss[k] = r . r (dot, into a device buffer; the 1/(2B) is applied on the host);
 *   g_w = X_B^T r / B (transposed gemv); g_b = 1_B^T r / B (transposed gemv);
 *   (w, b) -= lr (g_w, g_b) (one axpy: w, b and the gradients are kept contiguous).
 * Validation minibatches: the first four. Losses are read back once an epoch.
 *
 * Shuffling: BLAS cannot gather rows through an index, so each epoch visits the
 * contiguous minibatches [kB, (k+1)B) in a shuffled order (cln_shuffle_order of the batch
 * numbers) and the rows inside a batch never change. That is a choice in BLAS's favour:
 * it reads X as contiguous blocks and pays for no gather and no permuted copy of X, where
 * clnum gathers every row through the loader's index. */
#ifndef BENCH_CLBLAST_PATH_H
#define BENCH_CLBLAST_PATH_H

#include "clnum/clnum.h"
#include "error.h"
#include "figures.h"

/* CLBlast calls of one training and one validation minibatch. */
#define CLBLAST_TRAIN_CALLS 7
#define CLBLAST_VAL_CALLS 4

/* One warm-up fit (CLBlast compiles its kernels at their first call), then w->repeats
 * timed fits from (w0, b0), the model's initial parameters. enqueues_per_batch counts
 * CLBlast calls and the loss reads. */
cln_status clblast_fit(cln_context *ctx, const cln_dataset *data, const workload *w,
                       const double *w0, double b0, fit_figures *out, bench_error *err);

#endif
