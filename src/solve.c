/* Ordinary least squares on the host in double: Householder QR (or the normal equations by
 * Cholesky) of the centred, column-scaled design. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Householder QR of A (n x d, column-major, n >= d) in place, applied to c as it goes:
 * on return the upper triangle of A holds R and c holds Q^T c. */
static void householder_qr(double *A, size_t n, size_t d, double *c)
{
    for (size_t k = 0; k < d; k++) {
        double *a = A + k * n;
        double norm = 0, scale = 0;
        for (size_t i = k; i < n; i++) /* scaled 2-norm, safe from overflow */
            scale = fmax(scale, fabs(a[i]));
        if (scale == 0)
            continue;
        for (size_t i = k; i < n; i++)
            norm += (a[i] / scale) * (a[i] / scale);
        norm = scale * sqrt(norm);
        double alpha = a[k] > 0 ? -norm : norm; /* R_kk; the sign avoids cancellation */
        /* v = a[k..] - alpha e_k, stored in a[k..]; H = I - 2 v v^T / (v^T v) */
        a[k] -= alpha;
        double vtv = 0;
        for (size_t i = k; i < n; i++)
            vtv += a[i] * a[i];
        for (size_t j = k + 1; j <= d; j++) {
            double *t = j < d ? A + j * n : c;
            double dot = 0;
            for (size_t i = k; i < n; i++)
                dot += a[i] * t[i];
            double f = 2 * dot / vtv;
            for (size_t i = k; i < n; i++)
                t[i] -= f * a[i];
        }
        a[k] = alpha;
        for (size_t i = k + 1; i < n; i++)
            a[i] = 0;
    }
}

/* Cholesky of the Gram matrix G = A^T A (d x d) and the solve of G z = A^T c. Returns the
 * index of the first pivot that is not positive enough, or d when all are. */
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
    for (size_t i = 0; i < d; i++) /* R = L^T */
        for (size_t j = i; j < d; j++)
            R[i * d + j] = G[j * d + i];
    free(G);
    return d;
}

/* The 2-norm condition number of an upper-triangular R (d x d, row-major): the largest
 * singular value by power iteration on R^T R, the smallest by inverse iteration (two
 * triangular solves a step). An estimate: enough iterations for a few digits. */
static double condition_number(const double *R, size_t d, double *v, double *u)
{
    double big = 0, small = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < d; i++)
            v[i] = 1.0 / sqrt((double)d) * (1 + 0.01 * (double)i); /* not orthogonal to much */
        double lambda = 0;
        for (int it = 0; it < 200; it++) {
            if (pass == 0) { /* u = R v, v = R^T u */
                for (size_t i = 0; i < d; i++) {
                    double t = 0;
                    for (size_t k = i; k < d; k++)
                        t += R[i * d + k] * v[k];
                    u[i] = t;
                }
                for (size_t k = 0; k < d; k++) {
                    double t = 0;
                    for (size_t i = 0; i <= k; i++)
                        t += R[i * d + k] * u[i];
                    v[k] = t;
                }
            } else { /* solve R^T u = v, then R v = u */
                for (size_t k = 0; k < d; k++) {
                    double t = v[k];
                    for (size_t i = 0; i < k; i++)
                        t -= R[i * d + k] * u[i];
                    u[k] = t / R[k * d + k];
                }
                for (size_t i = d; i-- > 0;) {
                    double t = u[i];
                    for (size_t k = i + 1; k < d; k++)
                        t -= R[i * d + k] * v[k];
                    v[i] = t / R[i * d + i];
                }
            }
            double norm = 0;
            for (size_t i = 0; i < d; i++)
                norm += v[i] * v[i];
            norm = sqrt(norm);
            if (!(norm > 0) || !isfinite(norm))
                return INFINITY;
            for (size_t i = 0; i < d; i++)
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
    if (method != CLN_LSTSQ_QR && method != CLN_LSTSQ_CHOLESKY)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: unknown method %d", fn, (int)method);
    size_t need = cols + (fit_intercept ? 1 : 0);
    if (cols == 0 || rows < need)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: %zu rows and %zu features%s: need at "
                         "least one feature and %zu rows", fn, rows, cols,
                         fit_intercept ? " and an intercept" : "", need);
    if (rows > SIZE_MAX / sizeof(double) / cols)
        return clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: %zu x %zu is too large", fn,
                         rows, cols);
    for (size_t i = 0; i < rows * cols; i++)
        if (!isfinite(X[i]))
            return clni_fail(NULL, CLN_ERR_NOT_FINITE, "%s: X[%zu][%zu] is not finite", fn,
                             i / cols, i % cols);
    for (size_t i = 0; i < rows; i++)
        if (!isfinite(y[i]))
            return clni_fail(NULL, CLN_ERR_NOT_FINITE, "%s: y[%zu] is not finite", fn, i);

    size_t n = rows, d = cols;
    double *A = malloc(n * d * sizeof *A);   /* column-major, centred and scaled */
    double *c = malloc(n * sizeof *c);
    double *mx = calloc(d, sizeof *mx), *sx = malloc(d * sizeof *sx);
    double *z = malloc(d * sizeof *z), *R = calloc(d * d, sizeof *R);
    double *tmp = malloc(2 * d * sizeof *tmp);
    cln_status st = CLN_SUCCESS;
    if (!A || !c || !mx || !sx || !z || !R || !tmp) {
        st = clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
        goto done;
    }
    double my = 0;
    if (fit_intercept) {
        for (size_t i = 0; i < n; i++)
            my += y[i];
        my /= (double)n;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                mx[j] += X[i * d + j];
        for (size_t j = 0; j < d; j++)
            mx[j] /= (double)n;
    }
    for (size_t i = 0; i < n; i++)
        c[i] = y[i] - my;
    for (size_t j = 0; j < d; j++) {
        double s = 0;
        for (size_t i = 0; i < n; i++) {
            double v = X[i * d + j] - mx[j];
            A[j * n + i] = v;
            s = fmax(s, fabs(v));
        }
        double norm = 0;
        for (size_t i = 0; s > 0 && i < n; i++)
            norm += (A[j * n + i] / s) * (A[j * n + i] / s);
        norm = s * sqrt(norm);
        if (!(norm > 0)) {
            st = clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: feature %zu is %s: no unique "
                           "solution", fn, j, fit_intercept ? "constant" : "all zeros");
            goto done;
        }
        sx[j] = norm;
        for (size_t i = 0; i < n; i++)
            A[j * n + i] /= norm;
    }

    if (method == CLN_LSTSQ_QR) {
        double rmax = 0;
        householder_qr(A, n, d, c);
        for (size_t j = 0; j < d; j++)
            rmax = fmax(rmax, fabs(A[j * n + j]));
        double tol = (double)(n > d ? n : d) * DBL_EPSILON * rmax;
        for (size_t j = 0; j < d; j++) {
            double r = fabs(A[j * n + j]);
            if (!(r > tol)) {
                st = clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: feature %zu is (numerically) a "
                               "linear combination of the ones before it: no unique solution",
                               fn, j);
                goto done;
            }
        }
        for (size_t i = d; i-- > 0;) {
            double s = c[i];
            for (size_t k = i + 1; k < d; k++)
                s -= A[k * n + i] * z[k];
            z[i] = s / A[i * n + i];
        }
        for (size_t i = 0; i < d; i++)
            for (size_t j = i; j < d; j++)
                R[i * d + j] = A[j * n + i];
    } else {
        size_t bad = normal_equations(A, n, d, c, z, R);
        if (bad == (size_t)-1) {
            st = clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
            goto done;
        }
        if (bad < d) {
            st = clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: feature %zu is (numerically) a "
                           "linear combination of the ones before it: the normal equations "
                           "are singular", fn, bad);
            goto done;
        }
    }
    double bias = my;
    for (size_t j = 0; j < d; j++) {
        w[j] = z[j] / sx[j];
        bias -= w[j] * mx[j];
    }
    if (b)
        *b = fit_intercept ? bias : 0.0;
    if (info) {
        double sse = 0;
        for (size_t i = 0; i < n; i++) {
            double r = (fit_intercept ? bias : 0.0) - y[i];
            for (size_t j = 0; j < d; j++)
                r += X[i * d + j] * w[j];
            sse += r * r;
        }
        info->condition = condition_number(R, d, tmp, tmp + d);
        info->mse = sse / (double)n;
    }
done:
    free(A);
    free(c);
    free(mx);
    free(sx);
    free(z);
    free(R);
    free(tmp);
    return st;
}
