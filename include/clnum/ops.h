/* clnum: general tensor ops.
 *
 * All enqueue on the tensors' context and return without waiting. Every tensor of one
 * call must belong to the same context and have the same dtype. Matrix products go
 * through CLBlast; the reductions are clnum's own two-stage trees, so a result is the
 * same on every run of the same device. */
#ifndef CLNUM_OPS_H
#define CLNUM_OPS_H

#include "clnum/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* c = a b for 2-D tensors: a (m x k), b (k x n), c (m x n). */
cln_status cln_matmul(const cln_tensor *a, const cln_tensor *b, cln_tensor *c);

/* y = alpha op(a) x + beta y, a 2-D (m x n), op(a) = a or a^T; x and y are vectors
 * (any rank, counted by their element number). */
cln_status cln_gemv(int transpose_a, double alpha, const cln_tensor *a, const cln_tensor *x,
                    double beta, cln_tensor *y);

/* y += alpha x (same element count). */
cln_status cln_axpy(double alpha, const cln_tensor *x, cln_tensor *y);

/* x *= alpha. */
cln_status cln_scale(double alpha, cln_tensor *x);

/* out[0] = sum of x, or mean of x; out has at least one element and stays on the device. */
cln_status cln_sum(const cln_tensor *x, cln_tensor *out);
cln_status cln_mean(const cln_tensor *x, cln_tensor *out);

#ifdef __cplusplus
}
#endif
#endif
