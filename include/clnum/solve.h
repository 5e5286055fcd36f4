/**
 * @file solve.h
 * @brief The exact answer: ordinary least squares solved on the host in double precision.
 *
 * What SGD approaches, computed directly: the w and b that minimise
 * sum_i (x_i w + b - y_i)^2. It is the reference `clnum-linreg --solver exact` prints and
 * the tests compare training with.
 *
 * How (CLN_LSTSQ_QR, the default): the intercept is taken out by centring X and y on their
 * means, each column is scaled to unit length, and the centred, scaled X is factored as
 * Q R by Householder reflections; R w' = Q^T y is solved by back substitution and w' is
 * scaled back. Why QR: the normal equations X^T X w = X^T y (CLN_LSTSQ_CHOLESKY solves them
 * by Cholesky, after the same centring and scaling) have the same solution in exact
 * arithmetic, but forming X^T X squares the condition number, so they lose twice as many
 * digits: with a condition number of 1e6 QR keeps about 10 of double's 16 digits and the
 * normal equations about 4. Centring matters as much: NIST's Longley data has a condition
 * number of about 5e9 as given and about 110 once centred and scaled. Both methods cost
 * O(n d^2) on the host.
 */
#ifndef CLNUM_SOLVE_H
#define CLNUM_SOLVE_H

#include <stddef.h>

#include "clnum/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How cln_lstsq() solves. */
typedef enum cln_lstsq_method {
    CLN_LSTSQ_QR = 0,       /**< Householder QR of the centred, scaled X (default, accurate) */
    CLN_LSTSQ_CHOLESKY = 1  /**< normal equations by Cholesky (faster for n >> d, less accurate) */
} cln_lstsq_method;

/** What cln_lstsq() reports besides the solution. */
typedef struct cln_lstsq_info {
    /** The 2-norm condition number of the centred, scaled X (largest over smallest
     * singular value of R, by power iteration): about how many digits the data costs. */
    double condition;
    double mse;   /**< mean over the rows of (x_i w + b - y_i)^2 at the solution */
} cln_lstsq_info;

/**
 * @brief Least squares: the w (and b) minimising sum_i (x_i w + b - y_i)^2.
 * @param X      rows x cols values, row-major. Not modified.
 * @param y      rows targets. Not modified.
 * @param rows   number of rows; at least cols + 1 with an intercept, cols without.
 * @param cols   number of features, at least 1.
 * @param fit_intercept 1: fit b too; 0: b is 0 (and X, y are not centred).
 * @param method CLN_LSTSQ_QR or CLN_LSTSQ_CHOLESKY.
 * @param[out] w cols weights.
 * @param[out] b the intercept (0 when fit_intercept is 0); may be NULL without intercept.
 * @param[out] info the condition estimate and the fit's mean squared error; may be NULL.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for NULL pointers, too few rows, an unknown
 * method, or features that are (numerically) linearly dependent, a constant one among
 * them when there is an intercept: then no unique solution exists, and the message names
 * the feature; CLN_ERR_NOT_FINITE for NaN or infinite inputs;
 * CLN_ERR_OUT_OF_HOST_MEMORY. The message is in cln_last_error(NULL).
 */
cln_status cln_lstsq(const double *X, const double *y, size_t rows, size_t cols,
                     int fit_intercept, cln_lstsq_method method, double *w, double *b,
                     cln_lstsq_info *info);

#ifdef __cplusplus
}
#endif
#endif
