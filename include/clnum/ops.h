/**
 * @file ops.h
 * @brief General tensor ops: matmul and gemv through CLBlast, axpy, scale, sum, mean.
 *
 * All enqueue on the tensors' context and return without waiting. Every tensor of one
 * call must belong to the same context and have the same dtype. Matrix products go
 * through CLBlast; the reductions are clnum's own two-stage trees, so a result is the
 * same on every run of the same device. */
#ifndef CLNUM_OPS_H
#define CLNUM_OPS_H

#include "clnum/export.h"

#include "clnum/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief c = a b for 2-D tensors: a (m x k), b (k x n), c (m x n).
 * @param a left factor. @param b right factor. @param c the product (written).
 * @return CLN_SUCCESS; CLN_ERR_SHAPE_MISMATCH; CLN_ERR_BAD_ARGUMENT for NULL tensors,
 * two contexts or two dtypes; CLN_ERR_BLAS or an OpenCL code from CLBlast.
 */
CLN_API cln_status cln_matmul(const cln_tensor *a, const cln_tensor *b, cln_tensor *c);

/**
 * @brief y = alpha op(a) x + beta y, a 2-D (m x n), op(a) = a or a^T; x and y are vectors
 * (any rank, counted by their element number).
 * @param transpose_a non-zero: op(a) = a^T. @param alpha scales op(a) x. @param a the matrix.
 * @param x the vector multiplied. @param beta scales y first. @param y the result.
 * @return as cln_matmul().
 */
CLN_API cln_status cln_gemv(int transpose_a, double alpha, const cln_tensor *a, const cln_tensor *x,
                    double beta, cln_tensor *y);

/**
 * @brief y += alpha x (same element count).
 * @param alpha the factor. @param x added. @param y updated.
 * @return CLN_SUCCESS; CLN_ERR_SHAPE_MISMATCH; CLN_ERR_BAD_ARGUMENT; an OpenCL code.
 */
CLN_API cln_status cln_axpy(double alpha, const cln_tensor *x, cln_tensor *y);

/**
 * @brief x *= alpha.
 * @param alpha the factor. @param x updated.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; an OpenCL code.
 */
CLN_API cln_status cln_scale(double alpha, cln_tensor *x);

/**
 * @brief out[0] = sum of x; out has at least one element and stays on the device.
 * @param x the values. @param out receives the sum in its first element.
 * @return CLN_SUCCESS; CLN_ERR_SHAPE_MISMATCH; CLN_ERR_BAD_ARGUMENT; an OpenCL code.
 */
CLN_API cln_status cln_sum(const cln_tensor *x, cln_tensor *out);
/**
 * @brief out[0] = mean of x, as cln_sum().
 * @param x the values. @param out receives the mean in its first element.
 * @return as cln_sum().
 */
CLN_API cln_status cln_mean(const cln_tensor *x, cln_tensor *out);

#ifdef __cplusplus
}
#endif
#endif
