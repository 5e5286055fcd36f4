#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints why, then fails the current test at file:line. */
void tu_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_error(fmt, ap);
    va_end(ap);
    print_error("\n");
    _fail(file, line);
}

int tu_context_setup(void **state)
{
    cln_context *ctx = NULL;
    if (cln_context_create(NULL, &ctx) != CLN_SUCCESS) {
        fprintf(stderr, "no context: %s\n", cln_last_error(NULL));
        return -1;
    }
    *state = ctx;
    return 0;
}

int tu_context_teardown(void **state)
{
    cln_context_free(*state);
    return 0;
}

void tu_ok(cln_status st, const cln_context *ctx, const char *what, const char *file, int line)
{
    if (st != CLN_SUCCESS)
        tu_fail_at(file, line, "%s returned %d (%s): %s", what, (int)st, cln_status_str(st),
                  cln_last_error(ctx));
}

void tu_fails(cln_status got, cln_status want, const char *needle, const cln_context *ctx,
              const char *what, const char *file, int line)
{
    const char *msg = cln_last_error(ctx);
    if (got != want)
        tu_fail_at(file, line, "%s returned %d (%s), expected %d (%s); message: %s", what,
                  (int)got, cln_status_str(got), (int)want, cln_status_str(want), msg);
    if (needle && !strstr(msg, needle))
        tu_fail_at(file, line, "%s: message \"%s\" does not mention \"%s\"", what, msg, needle);
}

double *tu_normals(size_t n, uint64_t seed)
{
    double *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = cln_philox_normal(seed, 99, i);
    return v;
}

void tu_round_to_float(double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (float)v[i];
}

cln_tensor *tu_tensor_from(cln_context *ctx, cln_dtype dtype, size_t rank, const size_t *shape,
                           const double *values)
{
    cln_tensor *t = NULL;
    TU_OK(ctx, cln_tensor_create(ctx, dtype, rank, shape, &t));
    size_t n = cln_tensor_numel(t);
    if (dtype == CLN_FLOAT64) {
        TU_OK(ctx, cln_tensor_upload(t, values, n * sizeof(double)));
    } else {
        float *f = malloc(n * sizeof *f);
        assert_non_null(f);
        for (size_t i = 0; i < n; i++)
            f[i] = (float)values[i];
        TU_OK(ctx, cln_tensor_upload(t, f, n * sizeof *f));
        free(f);
    }
    return t;
}

double *tu_download(cln_context *ctx, const cln_tensor *t)
{
    size_t n = cln_tensor_numel(t);
    double *v = malloc(n * sizeof *v);
    assert_non_null(v);
    TU_OK(ctx, cln_tensor_download_f64(t, v, n));
    return v;
}

void tu_assert_close(const double *got, const double *want, size_t n, double rtol, double atol,
                     const char *what, const char *file, int line)
{
    for (size_t i = 0; i < n; i++) {
        double err = fabs(got[i] - want[i]);
        if (!(err <= atol + rtol * fabs(want[i])))
            tu_fail_at(file, line,
                      "%s[%zu] = %.9g, expected %.9g (error %.3g > %.3g + %.3g * |expected|)",
                      what, i, got[i], want[i], err, atol, rtol);
    }
}

double tu_eps(cln_dtype dtype) { return dtype == CLN_FLOAT64 ? 2.220446049250313e-16 : 1.1920929e-07; }

double tu_unit_roundoff(cln_dtype dtype) { return ldexp(1.0, dtype == CLN_FLOAT64 ? -53 : -24); }

/* The largest error of a product that underflows: half the smallest subnormal (2^-150 for
 * float; 2^-1074, the smallest subnormal double, as half of it is not a double). */
static double underflow_floor(cln_dtype dtype)
{
    return ldexp(1.0, dtype == CLN_FLOAT64 ? -1074 : -150);
}

static double gamma_k(cln_dtype dtype, double k)
{
    double ku = k * tu_unit_roundoff(dtype);
    assert_true(ku < 1);
    return ku / (1 - ku);
}

double tu_sum_bound(cln_dtype dtype, size_t roundings, double abs_sum, size_t products)
{
    double g = gamma_k(dtype, (double)roundings);
    return g * abs_sum + (double)products * underflow_floor(dtype) * (1 + g);
}

/* Whether a product by v does not round (0 or +-2^k). */
static int exact_factor(double v)
{
    int e;
    return v == 0 || fabs(frexp(v, &e)) == 0.5;
}

double tu_axpby_bound(cln_dtype dtype, double alpha, double s, double s_err, double beta,
                      double c)
{
    /* fl(alpha s_hat) = alpha s_hat (1 + d1) + e1, fl(beta c) = beta c (1 + d2) + e2, the sum
     * (A + B)(1 + d3); an FMA makes d1, e1 or d2, e2 zero. With r = alpha s + beta c:
     * |A + B - r| <= |alpha| s_err + u1 |alpha| (|s| + s_err) + u2 |beta c| + e1 + e2 = t
     * and |computed - r| <= t (1 + u3) + u3 |r|. */
    double u = tu_unit_roundoff(dtype), eta = underflow_floor(dtype);
    double u1 = exact_factor(alpha) ? 0 : u, u2 = exact_factor(beta) ? 0 : u;
    double u3 = alpha == 0 || beta == 0 ? 0 : u;
    double t = fabs(alpha) * s_err + u1 * fabs(alpha) * (fabs(s) + s_err) + u2 * fabs(beta * c) +
               (fabs(alpha) == 1 || alpha == 0 ? 0 : eta) +
               (fabs(beta) == 1 || beta == 0 ? 0 : eta);
    return t * (1 + u3) + u3 * fabs(alpha * s + beta * c);
}

void tu_assert_within(const double *got, const double *want, const double *bound, size_t n,
                      const char *what, const char *file, int line)
{
    for (size_t i = 0; i < n; i++) {
        double err = fabs(got[i] - want[i]);
        if (!(err <= bound[i]))
            tu_fail_at(file, line, "%s[%zu] = %.9g, expected %.9g (error %.3g > bound %.3g)",
                      what, i, got[i], want[i], err, bound[i]);
    }
}

int tu_small(void)
{
    const char *v = getenv("CLNUM_TEST_SMALL");
    return v && *v && strcmp(v, "0") != 0;
}

int tu_path_off(cln_context *ctx, cln_train_path path)
{
    TU_OK(ctx, cln_context_selfcheck(ctx, CLN_FLOAT32));
    const cln_device_info *info = cln_context_device(ctx);
    if (!(info->paths_disabled & (1u << path)))
        return 0;
    print_message("path %d skipped: off on %s (%s)\n", (int)path, info->device_name,
                  info->paths_note);
    return 1;
}
