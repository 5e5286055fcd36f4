/* General ops against double-precision host references, on ragged sizes. Each element's
 * tolerance is its rounding-error bound (test_util.h: tu_sum_bound, tu_axpby_bound), from
 * the inputs, with u = 2^-24 (float32) or 2^-53 (float64), whether or not the device fuses
 * multiply-adds (PoCL contracts a * x + y into an FMA, rusticl does not), plus the bound of
 * the double-precision reference itself:
 *   matmul, gemv: a dot product of k terms in any order, each product rounded and summed
 *     through at most k - 1 additions: gamma_k sum |a_ip b_p| (CLBlast's order is its own);
 *     gemv then alpha s + beta y, three roundings at most (tu_axpby_bound);
 *   axpy y + a x: u (1 + u) |a x| + u |a x + y| without an FMA (two roundings), u |a x + y|
 *     with one; scale by alpha: |alpha| times the error so far, plus u |alpha v| unless alpha
 *     is a power of two (then exact);
 *   sum: gamma_h sum |x_i|, h the roundings on the longest path of cln_sum's reduction
 *     (sum_depth below); mean: the sum's bound scaled by 1/n rounded to the dtype, plus
 *     that rounding and the product's. */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

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
    double *want = calloc(m * n, sizeof *want), *bound = malloc(m * n * sizeof *bound);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double absdot = 0;
            for (size_t p = 0; p < k; p++) {
                want[i * n + j] += a[i * k + p] * b[p * n + j];
                absdot += fabs(a[i * k + p] * b[p * n + j]);
            }
            /* C = 1 * AB + 0 * C: the dot product's error alone; then the reference's */
            bound[i * n + j] = tu_sum_bound(dtype, k, absdot, k) +
                               tu_sum_bound(CLN_FLOAT64, k, absdot, k);
        }
    TU_ASSERT_WITHIN(got, want, bound, m * n);
    free(a); free(b); free(got); free(want); free(bound);
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
    double *want = malloc(out * sizeof *want), *bound = malloc(out * sizeof *bound);
    for (size_t i = 0; i < out; i++) {
        double acc = 0, mag = 0;
        for (size_t p = 0; p < in; p++) {
            double aip = trans ? a[p * n + i] : a[i * n + p];
            acc += aip * x[p];
            mag += fabs(aip * x[p]);
        }
        want[i] = alpha * acc + beta * y[i];
        /* alpha and beta are floats exactly; the device's alpha (A x) + beta y, and the
         * reference's, the same sums in double */
        bound[i] = tu_axpby_bound(CLN_FLOAT32, alpha, acc,
                                  tu_sum_bound(CLN_FLOAT32, in, mag, in), beta, y[i]) +
                   tu_axpby_bound(CLN_FLOAT64, alpha, acc,
                                  tu_sum_bound(CLN_FLOAT64, in, mag, in), beta, y[i]);
    }
    TU_ASSERT_WITHIN(got, want, bound, out);
    free(a); free(x); free(y); free(got); free(want); free(bound);
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
    double *want = malloc(total * sizeof *want), *bound = malloc(total * sizeof *bound);
    for (size_t i = 0; i < total; i++) {
        if (i < 3 || i >= 3 + n) { /* outside the view: untouched */
            want[i] = y[i];
            bound[i] = 0;
            continue;
        }
        /* y + a x (exact in double: 1.5 x has 25 bits, and y and it are within 2^28 of each
         * other here), then 0.25 v */
        double ax = -1.5 * x[i - 2], v = y[i] + ax;
        double v_err = tu_axpby_bound(CLN_FLOAT32, 1, ax, tu_sum_bound(CLN_FLOAT32, 1, fabs(ax), 1),
                                      1, y[i]);
        want[i] = 0.25 * v;
        bound[i] = tu_axpby_bound(CLN_FLOAT32, 0.25, v, v_err, 0, 0);
    }
    TU_ASSERT_WITHIN(got, want, bound, total);
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "1003", cln_axpy(1.0, vx, ty));
    free(x); free(y); free(got); free(want); free(bound);
    cln_tensor_free(vx); cln_tensor_free(vy); cln_tensor_free(tx); cln_tensor_free(ty);
}

/* The most roundings a term meets in cln_sum / cln_mean of n elements (src/tensor/ops.c,
 * reduce_sum, with the context's work-group size wg: the largest power of two up to the
 * device's maximum and 256, src/runtime/context.c): groups of `chunk` elements, each work-item
 * adding up to ceil(chunk / wg) of them in turn (the first onto 0, exactly), a tree of
 * log2(wg) levels in the group, then the same over the groups' partial sums. */
static size_t sum_depth(size_t n, size_t max_work_group_size)
{
    size_t wg = 1, levels = 0;
    while (wg * 2 <= max_work_group_size && wg * 2 <= 256) {
        wg *= 2;
        levels++;
    }
    size_t groups = (n + wg - 1) / wg;
    if (groups > 4 * wg)
        groups = 4 * wg;
    size_t chunk = (n + groups - 1) / groups;
    groups = (n + chunk - 1) / chunk;
    return ((chunk + wg - 1) / wg - 1) + levels + ((groups + wg - 1) / wg - 1) + levels;
}

/* The reference sum, pairwise in double: a tree of depth ceil(log2 n). */
static double pairwise_sum(const double *x, size_t n)
{
    if (n <= 1)
        return n ? x[0] : 0;
    size_t half = (n + 1) / 2;
    return pairwise_sum(x, half) + pairwise_sum(x + half, n - half);
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
    double sum = pairwise_sum(x, n), mag = 0;
    for (size_t i = 0; i < n; i++)
        mag += fabs(x[i]);
    size_t levels = 0;
    while (((size_t)1 << levels) < n)
        levels++;
    double sum_err = tu_sum_bound(dtype, sum_depth(n, cln_context_device(ctx)->max_work_group_size),
                                  mag, 0);
    double ref_err = tu_sum_bound(CLN_FLOAT64, levels, mag, 0);
    double bound = tu_axpby_bound(dtype, 1, sum, sum_err, 0, 0) + ref_err;
    assert_true(got[0] == -9.0 && got[2] == -9.0); /* only the slot was written */
    TU_ASSERT_WITHIN(&got[1], &sum, &bound, 1);
    free(got);
    /* mean: the sum times 1/n as the device holds it (a float for float32), against sum / n;
     * 1/n's rounding (to double, then to float) is the factor's error */
    TU_OK(ctx, cln_mean(t, slot));
    got = tu_download(ctx, out);
    double inv = dtype == CLN_FLOAT32 ? (double)(float)(1.0 / (double)n) : 1.0 / (double)n;
    double inv_err = (tu_unit_roundoff(dtype) + tu_unit_roundoff(CLN_FLOAT64)) / (double)n;
    double mean = sum / (double)n;
    bound = tu_axpby_bound(dtype, inv, sum, sum_err, 0, 0) + inv_err * fabs(sum) +
            tu_axpby_bound(CLN_FLOAT64, 1.0 / (double)n, sum, ref_err, 0, 0); /* sum / n */
    TU_ASSERT_WITHIN(&got[1], &mean, &bound, 1);
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
