/**
 * @file solve.h
 * @brief The exact answer: ordinary least squares solved on the host in double precision.
 *
 * What SGD approaches, computed directly: the w and b that minimise
 * sum_i (x_i w + b - y_i)^2. It is the reference `clnum-linreg --solver exact` prints and
 * the tests compare training with.
 *
 * How: every column of X and y is first multiplied by a power of two that brings its
 * largest magnitude into [0.5, 1) (exact, and it makes the means, centred values and sums of
 * squares safe from overflow for any finite data, up to +-DBL_MAX); the intercept is taken
 * out by centring X and y on their means, and each column is scaled to unit length.
 * CLN_LSTSQ_QR (the default) hands the centred, scaled X to LAPACK's dgelsy: QR with column
 * pivoting, which reveals the numerical rank, then a complete orthogonal factorisation;
 * CLN_LSTSQ_SVD hands it to dgelsd (the singular value decomposition, divide and conquer).
 * Both give the minimum-norm least-squares solution when X's columns are linearly
 * dependent: a constant feature (with an intercept), two identical features, fewer rows than
 * features + 1, more features than rows. The solution is then one of infinitely many with
 * the same (smallest) squared error; cln_lstsq_info says so (rank < cols, unique 0). A
 * relative singular value below max(rows, cols) * DBL_EPSILON counts as zero. Why not the
 * normal equations X^T X w = X^T y (CLN_LSTSQ_CHOLESKY solves them by Cholesky, after the
 * same scaling and centring; full rank only): they have the same solution in exact
 * arithmetic, but forming X^T X squares the condition number, so they lose twice as many
 * digits: with a condition number of 1e6 QR keeps about 10 of double's 16 digits and the
 * normal equations about 4. Centring matters as much: NIST's Longley data has a condition
 * number of about 5e9 as given and about 110 once centred and scaled. All cost
 * O(rows cols min(rows, cols)) on the host. Linking: clnum uses LAPACKE (Debian's
 * liblapacke-dev); the shared library brings it along, the static one's users link
 * -llapacke (clnum.pc's Requires.private and clnum::clnum_static do it).
 */
#ifndef CLNUM_SOLVE_H
#define CLNUM_SOLVE_H

#include "clnum/export.h"

#include <stddef.h>

#include "clnum/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How cln_lstsq() solves. */
typedef enum cln_lstsq_method {
    CLN_LSTSQ_QR = 0,       /**< LAPACK dgelsy: column-pivoted QR, rank-revealing (default) */
    CLN_LSTSQ_CHOLESKY = 1, /**< normal equations by Cholesky (full rank only, less accurate) */
    CLN_LSTSQ_SVD = 2       /**< LAPACK dgelsd: the SVD, rank-revealing (slower than QR) */
} cln_lstsq_method;

/** What cln_lstsq() reports besides the solution. */
typedef struct cln_lstsq_info {
    /** The 2-norm condition number of the centred, scaled X on the part of it that is
     * solved (its rank): the largest over the smallest kept singular value (CLN_LSTSQ_SVD),
     * of the kept triangle of the factorisation by power iteration (CLN_LSTSQ_QR,
     * CLN_LSTSQ_CHOLESKY): about how many digits the data costs. 1 when the rank is 0. */
    double condition;
    /** mean over the rows of (x_i w + b - y_i)^2 at the solution (HUGE_VAL if beyond
     * DBL_MAX, which targets near DBL_MAX can give; w and b are still right) */
    double mse;
    /** The numerical rank of the centred, scaled X (the features; the intercept is not
     * counted): cols when the features are linearly independent, less when some are (numerically)
     * combinations of others, a constant one among them with an intercept. At most
     * rows - 1 with an intercept, rows without. */
    size_t rank;
    /** 1: rank == cols, the solution is the only one. 0: rank < cols, infinitely many w
     * (and b) fit equally well; w is the one of least norm in the centred, column-scaled
     * units (sum_j (w_j |x_j - mean_j|)^2 smallest): a constant feature gets 0, identical
     * features share the weight equally. */
    int unique;
} cln_lstsq_info;

/**
 * @brief Least squares: the w (and b) minimising sum_i (x_i w + b - y_i)^2.
 * @param X      rows x cols values, row-major. Not modified.
 * @param y      rows targets. Not modified.
 * @param rows   number of rows, at least 1 (fewer than cols + 1 is rank-deficient).
 * @param cols   number of features, at least 1.
 * @param fit_intercept 1: fit b too; 0: b is 0 (and X, y are not centred).
 * @param method CLN_LSTSQ_QR, CLN_LSTSQ_SVD or CLN_LSTSQ_CHOLESKY.
 * @param[out] w cols weights.
 * @param[out] b the intercept (0 when fit_intercept is 0); may be NULL without intercept.
 * @param[out] info the condition estimate, the fit's mean squared error, the rank and
 * whether the solution is unique; may be NULL.
 * @return CLN_SUCCESS, also when the features are linearly dependent (CLN_LSTSQ_QR,
 * CLN_LSTSQ_SVD: the minimum-norm solution, see info); CLN_ERR_BAD_ARGUMENT for NULL
 * pointers, no rows or no features, an unknown method, sizes beyond LAPACK's integers, or
 * with CLN_LSTSQ_CHOLESKY features that are (numerically) linearly dependent (the message
 * names the feature); CLN_ERR_NOT_FINITE for NaN or infinite inputs, or a solution that
 * double cannot hold (a w_j or b beyond DBL_MAX: the target's scale over a feature's is
 * too large; the message says which), never a NaN or infinite w or b;
 * CLN_ERR_UNSUPPORTED if LAPACK fails (the SVD does not converge);
 * CLN_ERR_OUT_OF_HOST_MEMORY. The message is in cln_last_error(NULL).
 */
CLN_API cln_status cln_lstsq(const double *X, const double *y, size_t rows, size_t cols,
                     int fit_intercept, cln_lstsq_method method, double *w, double *b,
                     cln_lstsq_info *info);

#ifdef __cplusplus
}
#endif
#endif
