/* General ops against double-precision host references, on ragged sizes. A dot product of
 * length k may be off by k * eps * sum |a_i b_i| (the classic bound); tolerances use that. */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

/* Checks got against want with per-element bounds bound[i] (scaled by k * eps). */
static void assert_within_bound(const double *got, const double *want, const double *absdot,
                                size_t n, double k, cln_dtype dtype)
{
    for (size_t i = 0; i < n; i++) {
        double tol = 2.0 * (k + 2) * tu_eps(dtype) * absdot[i] + 1e-300;
        if (!(fabs(got[i] - want[i]) <= tol)) {
            print_error("element %zu: %.9g, expected %.9g (tolerance %.3g)\n", i, got[i],
                        want[i], tol);
            fail();
        }
    }
}

static void check_matmul(cln_context *ctx, cln_dtype dtype, size_t m, size_t k, size_t n)
{
    double *a = tu_normals(m * k, m * 1000 + k), *b = tu_normals(k * n, n * 7 + 1);
    if (dtype == CLN_FLOAT32) {
        tu_round_to_float(a, m * k);
        tu_round_to_float(b, k * n);
    }
    size_t sa[2] = {m, k}, sb[2] = {k, n}, sc[2] = {m, n};
    cln_tensor *ta = tu_tensor_from(ctx, dtype, 2, sa, a), *tb = tu_tensor_from(ctx, dtype, 2, sb, b);
    cln_tensor *tc;
    TU_OK(ctx, cln_tensor_create(ctx, dtype, 2, sc, &tc));
    TU_OK(ctx, cln_matmul(ta, tb, tc));
    double *got = tu_download(ctx, tc);
    double *want = calloc(m * n, sizeof *want), *absdot = calloc(m * n, sizeof *absdot);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            for (size_t p = 0; p < k; p++) {
                want[i * n + j] += a[i * k + p] * b[p * n + j];
                absdot[i * n + j] += fabs(a[i * k + p] * b[p * n + j]);
            }
    assert_within_bound(got, want, absdot, m * n, (double)k, dtype);
    free(a); free(b); free(got); free(want); free(absdot);
    cln_tensor_free(ta); cln_tensor_free(tb); cln_tensor_free(tc);
}

static void matmul_ragged(void **state)
{
    const size_t dims[][3] = {{1, 1, 1}, {7, 3, 5}, {33, 300, 2}, {2, 300, 33}, {65, 17, 129}};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
        check_matmul(*state, CLN_FLOAT32, dims[i][0], dims[i][1], dims[i][2]);
}

static void matmul_f64(void **state)
{
    if (!cln_context_device(*state)->has_float64)
        skip();
    check_matmul(*state, CLN_FLOAT64, 13, 31, 7);
}

static void check_gemv(cln_context *ctx, int trans, size_t m, size_t n)
{
    size_t in = trans ? m : n, out = trans ? n : m;
    double *a = tu_normals(m * n, m + n), *x = tu_normals(in, 5), *y = tu_normals(out, 6);
    tu_round_to_float(a, m * n);
    tu_round_to_float(x, in);
    tu_round_to_float(y, out);
    size_t sa[2] = {m, n};
    cln_tensor *ta = tu_tensor_from(ctx, CLN_FLOAT32, 2, sa, a);
    cln_tensor *tx = tu_tensor_from(ctx, CLN_FLOAT32, 1, &in, x);
    cln_tensor *ty = tu_tensor_from(ctx, CLN_FLOAT32, 1, &out, y);
    const double alpha = 0.75, beta = -0.5;
    TU_OK(ctx, cln_gemv(trans, alpha, ta, tx, beta, ty));
    double *got = tu_download(ctx, ty);
    double *want = malloc(out * sizeof *want), *absdot = malloc(out * sizeof *absdot);
    for (size_t i = 0; i < out; i++) {
        double acc = 0, mag = 0;
        for (size_t p = 0; p < in; p++) {
            double aip = trans ? a[p * n + i] : a[i * n + p];
            acc += aip * x[p];
            mag += fabs(aip * x[p]);
        }
        want[i] = alpha * acc + beta * y[i];
        absdot[i] = mag + fabs(y[i]);
    }
    assert_within_bound(got, want, absdot, out, (double)in, CLN_FLOAT32);
    free(a); free(x); free(y); free(got); free(want); free(absdot);
    cln_tensor_free(ta); cln_tensor_free(tx); cln_tensor_free(ty);
}

static void gemv_both_ways(void **state)
{
    const size_t dims[][2] = {{1, 1}, {7, 3}, {1000, 2}, {3, 300}, {1000, 257}};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        check_gemv(*state, 0, dims[i][0], dims[i][1]);
        check_gemv(*state, 1, dims[i][0], dims[i][1]);
    }
}

static void axpy_scale_on_views(void **state)
{
    cln_context *ctx = *state;
    const size_t n = 1003;
    double *x = tu_normals(n + 4, 11), *y = tu_normals(n + 4, 12);
    tu_round_to_float(x, n + 4);
    tu_round_to_float(y, n + 4);
    size_t total = n + 4;
    cln_tensor *tx = tu_tensor_from(ctx, CLN_FLOAT32, 1, &total, x);
    cln_tensor *ty = tu_tensor_from(ctx, CLN_FLOAT32, 1, &total, y);
    cln_tensor *vx, *vy;
    TU_OK(ctx, cln_tensor_view_rows(tx, 1, n, &vx));
    TU_OK(ctx, cln_tensor_view_rows(ty, 3, n, &vy));
    TU_OK(ctx, cln_axpy(-1.5, vx, vy));
    TU_OK(ctx, cln_scale(0.25, vy));
    double *got = tu_download(ctx, ty);
    double *want = malloc(total * sizeof *want);
    for (size_t i = 0; i < total; i++)
        want[i] = i < 3 || i >= 3 + n ? y[i] : 0.25 * (y[i] - 1.5 * x[i - 2]);
    TU_ASSERT_CLOSE(got, want, total, 4 * tu_eps(CLN_FLOAT32), 1e-30);
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "1003", cln_axpy(1.0, vx, ty));
    free(x); free(y); free(got); free(want);
    cln_tensor_free(vx); cln_tensor_free(vy); cln_tensor_free(tx); cln_tensor_free(ty);
}

static void check_sum_mean(cln_context *ctx, cln_dtype dtype, size_t n)
{
    double *x = tu_normals(n, n);
    if (dtype == CLN_FLOAT32)
        tu_round_to_float(x, n);
    for (size_t i = 0; i < n; i++)
        x[i] += 0.5; /* a mean away from 0, so a relative check means something */
    if (dtype == CLN_FLOAT32)
        tu_round_to_float(x, n);
    cln_tensor *t = tu_tensor_from(ctx, dtype, 1, &n, x), *out;
    TU_OK(ctx, cln_tensor_create_1d(ctx, dtype, 3, &out));
    TU_OK(ctx, cln_tensor_fill(out, -9.0));
    cln_tensor *slot;
    TU_OK(ctx, cln_tensor_view_rows(out, 1, 1, &slot));
    TU_OK(ctx, cln_sum(t, slot));
    double *got = tu_download(ctx, out);
    double sum = 0, mag = 0;
    for (size_t i = 0; i < n; i++) {
        sum += x[i];
        mag += fabs(x[i]);
    }
    double tol = 2.0 * (log2((double)n) + 2) * tu_eps(dtype) * mag; /* a tree sums in log n levels */
    assert_true(got[0] == -9.0 && got[2] == -9.0); /* only the slot was written */
    assert_true(fabs(got[1] - sum) <= tol);
    free(got);
    TU_OK(ctx, cln_mean(t, slot));
    got = tu_download(ctx, out);
    assert_true(fabs(got[1] - sum / n) <= tol / n + tu_eps(dtype) * fabs(sum / n));
    free(got);
    free(x);
    cln_tensor_free(slot); cln_tensor_free(out); cln_tensor_free(t);
}

static void sum_and_mean_ragged(void **state)
{
    const size_t sizes[] = {1, 7, 255, 257, 1000, 100003, 1000003};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (!tu_small() || sizes[i] <= 1000) /* CLNUM_TEST_SMALL: the small sizes only */
            check_sum_mean(*state, CLN_FLOAT32, sizes[i]);
    if (cln_context_device(*state)->has_float64)
        check_sum_mean(*state, CLN_FLOAT64, tu_small() ? 1000 : 100003);
}

static void sum_is_reproducible(void **state)
{
    cln_context *ctx = *state;
    size_t n = tu_small() ? 3007 : 300007; /* CLNUM_TEST_SMALL: still 12 partial sums */
    double *x = tu_normals(n, 3);
    cln_tensor *t = tu_tensor_from(ctx, CLN_FLOAT32, 1, &n, x), *out;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 1, &out));
    float first = 0, again = 0;
    TU_OK(ctx, cln_sum(t, out));
    TU_OK(ctx, cln_tensor_download(out, &first, sizeof first));
    for (int r = 0; r < 5; r++) {
        TU_OK(ctx, cln_sum(t, out));
        TU_OK(ctx, cln_tensor_download(out, &again, sizeof again));
        assert_memory_equal(&first, &again, sizeof first);
    }
    free(x);
    cln_tensor_free(t); cln_tensor_free(out);
}

static void shape_errors(void **state)
{
    cln_context *ctx = *state;
    cln_tensor *a, *b, *c, *v;
    TU_OK(ctx, cln_tensor_create_2d(ctx, CLN_FLOAT32, 3, 4, &a));
    TU_OK(ctx, cln_tensor_create_2d(ctx, CLN_FLOAT32, 5, 2, &b));
    TU_OK(ctx, cln_tensor_create_2d(ctx, CLN_FLOAT32, 3, 2, &c));
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 4, &v));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "(3 x 4) times (5 x 2)", cln_matmul(a, b, c));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "rank 1", cln_matmul(a, v, c));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "needs x of 3", cln_gemv(1, 1.0, a, v, 0.0, v));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "b is NULL", cln_matmul(a, NULL, c));
    cln_tensor_free(a); cln_tensor_free(b); cln_tensor_free(c); cln_tensor_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matmul_ragged),
        cmocka_unit_test(matmul_f64),
        cmocka_unit_test(gemv_both_ways),
        cmocka_unit_test(axpy_scale_on_views),
        cmocka_unit_test(sum_and_mean_ragged),
        cmocka_unit_test(sum_is_reproducible),
        cmocka_unit_test(shape_errors),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
