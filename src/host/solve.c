/* Ordinary least squares on the host in double: LAPACK's rank-revealing solvers (dgelsy,
 * column-pivoted QR; dgelsd, SVD) or the normal equations by Cholesky, all on the centred,
 * column-scaled design, after an exact power-of-two scaling of every column and of y. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "runtime/internal.h"

/* Cholesky of the Gram matrix G = A^T A (d x d) and the solve of G z = A^T c. Returns the
 * index of the first pivot that is not positive enough, d when all are, (size_t)-1 when out
 * of memory. On success the upper triangle of R (d x d, column-major) is L^T. */
static size_t normal_equations(const double *A, size_t n, size_t d, const double *c, double *z,
                               double *R)
{
    double *G = calloc(d * d, sizeof *G);
    if (!G)
        return (size_t)-1;
    for (size_t j = 0; j < d; j++) {
        for (size_t k = 0; k <= j; k++) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += A[j * n + i] * A[k * n + i];
            G[j * d + k] = s;
        }
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += A[j * n + i] * c[i];
        z[j] = s;
    }
    /* G = L L^T, L in the lower triangle */
    for (size_t j = 0; j < d; j++) {
        double diag = G[j * d + j];
        for (size_t k = 0; k < j; k++)
            diag -= G[j * d + k] * G[j * d + k];
        if (!(diag > (double)(n + d) * DBL_EPSILON * G[j * d + j])) {
            free(G);
            return j;
        }
        double l = sqrt(diag);
        G[j * d + j] = l;
        for (size_t i = j + 1; i < d; i++) {
            double s = G[i * d + j];
            for (size_t k = 0; k < j; k++)
                s -= G[i * d + k] * G[j * d + k];
            G[i * d + j] = s / l;
        }
    }
    for (size_t i = 0; i < d; i++) { /* L u = A^T c */
        double s = z[i];
        for (size_t k = 0; k < i; k++)
            s -= G[i * d + k] * z[k];
        z[i] = s / G[i * d + i];
    }
    for (size_t i = d; i-- > 0;) { /* L^T z = u */
        double s = z[i];
        for (size_t k = i + 1; k < d; k++)
            s -= G[k * d + i] * z[k];
        z[i] = s / G[i * d + i];
    }
    for (size_t i = 0; i < d; i++) /* R = L^T: R(i, j) = L(j, i) */
        for (size_t j = i; j < d; j++)
            R[j * d + i] = G[j * d + i];
    free(G);
    return d;
}

/* The 2-norm condition number of the upper-triangular r x r matrix R(i, k) = R[k * ld + i]
 * (column-major, leading dimension ld): the largest singular value by power iteration on
 * R^T R, the smallest by inverse iteration (two triangular solves a step). An estimate:
 * enough iterations for a few digits. */
static double condition_number(const double *R, size_t r, size_t ld, double *v, double *u)
{
    double big = 0, small = 0;
    if (r == 0)
        return 1;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < r; i++)
            v[i] = 1.0 / sqrt((double)r) * (1 + 0.01 * (double)i); /* not orthogonal to much */
        double lambda = 0;
        for (int it = 0; it < 200; it++) {
            if (pass == 0) { /* u = R v, v = R^T u */
                for (size_t i = 0; i < r; i++) {
                    double t = 0;
                    for (size_t k = i; k < r; k++)
                        t += R[k * ld + i] * v[k];
                    u[i] = t;
                }
                for (size_t k = 0; k < r; k++) {
                    double t = 0;
                    for (size_t i = 0; i <= k; i++)
                        t += R[k * ld + i] * u[i];
                    v[k] = t;
                }
            } else { /* solve R^T u = v, then R v = u */
                for (size_t k = 0; k < r; k++) {
                    double t = v[k];
                    for (size_t i = 0; i < k; i++)
                        t -= R[k * ld + i] * u[i];
                    u[k] = t / R[k * ld + k];
                }
                for (size_t i = r; i-- > 0;) {
                    double t = u[i];
                    for (size_t k = i + 1; k < r; k++)
                        t -= R[k * ld + i] * v[k];
                    v[i] = t / R[i * ld + i];
                }
            }
            double norm = 0;
            for (size_t i = 0; i < r; i++)
                norm += v[i] * v[i];
            norm = sqrt(norm);
            if (!(norm > 0) || !isfinite(norm))
                return INFINITY;
            for (size_t i = 0; i < r; i++)
                v[i] /= norm;
            if (it > 5 && fabs(norm - lambda) <= 1e-10 * norm)
                break;
            lambda = norm;
        }
        if (pass == 0)
            big = sqrt(lambda);       /* lambda: the largest eigenvalue of R^T R */
        else
            small = 1 / sqrt(lambda); /* lambda: the largest of (R^T R)^-1 */
    }
    return big / small;
}

/* The exponent e with max |v| = f 2^e, f in [0.5, 1) (0 for all zeros): v 2^-e is exact
 * (a power of two) and at most 1 in magnitude, so sums of rows and squares cannot overflow. */
static int scale_exponent(double maxabs)
{
    int e = 0;
    if (maxabs > 0)
        (void)frexp(maxabs, &e);
    return e;
}

cln_status cln_lstsq(const double *X, const double *y, size_t rows, size_t cols,
                     int fit_intercept, cln_lstsq_method method, double *w, double *b,
                     cln_lstsq_info *info)
{
    const char *fn = "cln_lstsq";
    CLNI_CHECK(clni_check_ptr(NULL, X, fn, "X"));
    CLNI_CHECK(clni_check_ptr(NULL, y, fn, "y"));
    CLNI_CHECK(clni_check_ptr(NULL, w, fn, "w"));
    if (fit_intercept)
        CLNI_CHECK(clni_check_ptr(NULL, b, fn, "b"));
    if (method != CLN_LSTSQ_QR && method != CLN_LSTSQ_CHOLESKY && method != CLN_LSTSQ_SVD)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: unknown method %d", fn, (int)method);
    if (cols == 0 || rows == 0)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: %zu rows and %zu features: need at "
                         "least one of each", fn, rows, cols);
    if (rows > SIZE_MAX / sizeof(double) / cols)
        return clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: %zu x %zu is too large", fn,
                         rows, cols);
    const size_t lapack_max = sizeof(lapack_int) >= 8 ? (size_t)INT64_MAX : (size_t)INT32_MAX;
    if (method != CLN_LSTSQ_CHOLESKY && (rows > lapack_max || cols > lapack_max))
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: %zu x %zu is beyond LAPACK's "
                         "%zu-bit sizes", fn, rows, cols, 8 * sizeof(lapack_int));
    for (size_t i = 0; i < rows * cols; i++)
        if (!isfinite(X[i]))
            return clni_fail(NULL, CLN_ERR_NOT_FINITE, "%s: X[%zu][%zu] is not finite", fn,
                             i / cols, i % cols);
    for (size_t i = 0; i < rows; i++)
        if (!isfinite(y[i]))
            return clni_fail(NULL, CLN_ERR_NOT_FINITE, "%s: y[%zu] is not finite", fn, i);

    size_t n = rows, d = cols, m = n > d ? n : d, k = n < d ? n : d;
    double *A = malloc(n * d * sizeof *A);   /* column-major, centred and scaled */
    double *c = calloc(m, sizeof *c);        /* LAPACK's b: max(n, d) rows */
    double *mx = calloc(d, sizeof *mx), *nx = malloc(d * sizeof *nx);
    int *ex = malloc(d * sizeof *ex);
    double *z = calloc(d, sizeof *z), *tmp = malloc(2 * (d + 1) * sizeof *tmp);
    double *R = method == CLN_LSTSQ_CHOLESKY ? calloc(d * d, sizeof *R) : NULL;
    double *sv = method == CLN_LSTSQ_SVD ? malloc(k * sizeof *sv) : NULL;
    lapack_int *jpvt = method == CLN_LSTSQ_QR ? calloc(d, sizeof *jpvt) : NULL; /* all free */
    unsigned char *zero = calloc(d, 1); /* constant (or, without intercept, all-zero) columns */
    cln_status st = CLN_SUCCESS;
    if (!A || !c || !mx || !nx || !ex || !z || !tmp || !zero ||
        (method == CLN_LSTSQ_CHOLESKY && !R) || (method == CLN_LSTSQ_SVD && !sv) ||
        (method == CLN_LSTSQ_QR && !jpvt)) {
        st = clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
        goto done;
    }

    /* y' = y 2^-ey and X'_j = X_j 2^-ex_j: exact, |.| <= 1, so no mean, centred value or
     * sum of squares below can overflow whatever finite data comes in; the solution is
     * scaled back by the same powers of two at the end. */
    double ymax = 0;
    for (size_t i = 0; i < n; i++)
        ymax = fmax(ymax, fabs(y[i]));
    int ey = scale_exponent(ymax);
    double my = 0;
    for (size_t i = 0; i < n; i++)
        c[i] = ldexp(y[i], -ey);
    if (fit_intercept) { /* the mean, then the mean of what is left (two passes) */
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += c[i];
        my = s / (double)n;
        s = 0;
        for (size_t i = 0; i < n; i++)
            s += c[i] - my;
        my += s / (double)n;
        for (size_t i = 0; i < n; i++)
            c[i] -= my;
    }
    for (size_t j = 0; j < d; j++) {
        double *a = A + j * n, xmax = 0;
        for (size_t i = 0; i < n; i++)
            xmax = fmax(xmax, fabs(X[i * d + j]));
        ex[j] = scale_exponent(xmax);
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            a[i] = ldexp(X[i * d + j], -ex[j]);
            lo = fmin(lo, a[i]);
            hi = fmax(hi, a[i]);
        }
        if (fit_intercept) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += a[i];
            mx[j] = s / (double)n;
            s = 0;
            for (size_t i = 0; i < n; i++)
                s += a[i] - mx[j];
            mx[j] += s / (double)n;
            if (lo == hi)
                mx[j] = lo; /* a constant column: exactly zero once centred */
            for (size_t i = 0; i < n; i++)
                a[i] -= mx[j];
        }
        double s = 0, norm = 0;
        for (size_t i = 0; i < n; i++) /* scaled 2-norm */
            s = fmax(s, fabs(a[i]));
        for (size_t i = 0; s > 0 && i < n; i++)
            norm += (a[i] / s) * (a[i] / s);
        norm = s * sqrt(norm);
        if (!(norm > 0)) { /* no information: the rank-revealing solvers give it weight 0 */
            zero[j] = 1;
            norm = 1;
        }
        nx[j] = norm;
        for (size_t i = 0; i < n; i++)
            a[i] /= norm;
    }

    /* Solve min |A z - c| for z: the minimum-norm z when A's rank is below d. Relative
     * singular values (QR: condition of the kept block) below max(n, d) eps count as 0. */
    double rcond = (double)m * DBL_EPSILON, condition = 1;
    size_t rank = d;
    if (method == CLN_LSTSQ_CHOLESKY) {
        size_t bad = normal_equations(A, n, d, c, z, R);
        if (bad == (size_t)-1) {
            st = clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
            goto done;
        }
        if (bad < d) {
            st = clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: feature %zu is %s: the normal "
                           "equations are singular (CLN_LSTSQ_QR or CLN_LSTSQ_SVD gives the "
                           "minimum-norm solution)", fn, bad,
                           zero[bad] ? (fit_intercept ? "constant" : "all zeros")
                                     : "(numerically) a linear combination of the ones before it");
            goto done;
        }
        condition = condition_number(R, d, d, tmp, tmp + d);
    } else {
        lapack_int lrank = 0, lapack_info;
        if (method == CLN_LSTSQ_QR)
            lapack_info = LAPACKE_dgelsy(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)d, 1, A,
                                         (lapack_int)n, c, (lapack_int)m, jpvt, rcond, &lrank);
        else
            lapack_info = LAPACKE_dgelsd(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)d, 1, A,
                                         (lapack_int)n, c, (lapack_int)m, sv, rcond, &lrank);
        if (lapack_info == LAPACK_WORK_MEMORY_ERROR) {
            st = clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory (LAPACK's "
                           "workspace)", fn);
            goto done;
        }
        if (lapack_info != 0) {
            st = clni_fail(NULL, CLN_ERR_UNSUPPORTED, "%s: LAPACK's %s failed (info %lld%s)",
                           fn, method == CLN_LSTSQ_QR ? "dgelsy" : "dgelsd",
                           (long long)lapack_info,
                           lapack_info > 0 ? ": the SVD did not converge" : "");
            goto done;
        }
        rank = (size_t)lrank;
        memcpy(z, c, d * sizeof *z);
        if (rank == 0)
            condition = 1;
        else if (method == CLN_LSTSQ_SVD)
            condition = sv[0] / sv[rank - 1];
        else /* the leading rank x rank triangle of the complete orthogonal factorisation */
            condition = condition_number(A, rank, n, tmp, tmp + rank);
    }

    /* Back to the data's units: v_j = z_j / |column j| in the scaled units, then
     * w_j = v_j 2^(ey - ex_j) and b = (my' - sum_j v_j mx'_j) 2^ey. */
    double bias = my;
    for (size_t j = 0; j < d; j++) {
        z[j] = zero[j] ? 0.0 : z[j] / nx[j];
        bias -= z[j] * mx[j];
    }
    for (size_t j = 0; j < d; j++) {
        double wj = ldexp(z[j], ey - ex[j]);
        if (!isfinite(wj)) {
            int e;
            (void)frexp(z[j], &e);
            st = clni_fail(NULL, CLN_ERR_NOT_FINITE, "%s: the solution's w[%zu] is about "
                           "2^%lld, beyond double's range (about 2^1024): the target's scale "
                           "(2^%d) over feature %zu's (2^%d) is too large", fn, j,
                           (long long)e + ey - ex[j], ey, j, ex[j]);
            goto done;
        }
    }
    double bout = fit_intercept ? ldexp(bias, ey) : 0.0;
    if (!isfinite(bout)) {
        st = clni_fail(NULL, CLN_ERR_NOT_FINITE, "%s: the solution's intercept is beyond "
                       "double's range", fn);
        goto done;
    }
    for (size_t j = 0; j < d; j++)
        w[j] = ldexp(z[j], ey - ex[j]);
    if (b)
        *b = bout;
    if (info) {
        double sse = 0; /* in the scaled units, exact powers of two from the data's */
        for (size_t i = 0; i < n; i++) {
            double r = (fit_intercept ? bias : 0.0) - ldexp(y[i], -ey);
            for (size_t j = 0; j < d; j++)
                r += ldexp(X[i * d + j], -ex[j]) * z[j];
            sse += r * r;
        }
        info->condition = condition;
        info->mse = ldexp(sse / (double)n, 2 * ey);
        info->rank = rank;
        info->unique = rank == d;
    }
done:
    free(A);
    free(c);
    free(mx);
    free(nx);
    free(ex);
    free(z);
    free(tmp);
    free(R);
    free(sv);
    free(jpvt);
    free(zero);
    return st;
}
