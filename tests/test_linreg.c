/* The linear-regression kernels (forward, loss, backward, SGD step) against a
 * double-precision host reference on random data, for d in {1, 2, 3, 300} and n in
 * {1, 7, 1000, 100003}, through a shuffled index and in order at an offset; guard values
 * around every output; and the gradient against finite differences of the loss. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define GUARD -777.0

typedef struct problem {
    cln_context *ctx;
    size_t n, d;
    double *X, *y, *w, b;          /* host copies, rounded to float */
    cln_tensor *tX, *ty;
    cln_linreg *m;
    cln_loader *loader;            /* shuffled order over the n rows */
} problem;

static void problem_make(problem *p, cln_context *ctx, size_t n, size_t d, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    p->ctx = ctx;
    p->n = n;
    p->d = d;
    p->X = tu_normals(n * d, seed);
    p->y = tu_normals(n, seed + 1);
    p->w = tu_normals(d, seed + 2);
    p->b = 0.625;
    tu_round_to_float(p->X, n * d);
    tu_round_to_float(p->y, n);
    tu_round_to_float(p->w, d);
    size_t shape[2] = {n, d};
    p->tX = tu_tensor_from(ctx, CLN_FLOAT32, 2, shape, p->X);
    p->ty = tu_tensor_from(ctx, CLN_FLOAT32, 1, &n, p->y);
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, d, 0.01, seed, &p->m));
    TU_OK(ctx, cln_linreg_set(p->m, p->w, p->b));
    TU_OK(ctx, cln_loader_create(ctx, n, n, 1, seed, &p->loader));
    TU_OK(ctx, cln_loader_start_epoch(p->loader, 0));
}

static void problem_free(problem *p)
{
    free(p->X); free(p->y); free(p->w);
    cln_tensor_free(p->tX); cln_tensor_free(p->ty);
    cln_linreg_free(p->m);
    cln_loader_free(p->loader);
}

/* Row i of a batch, as the kernels read it. */
static size_t batch_row(const cln_batch *batch, size_t i)
{
    return batch->loader ? cln_loader_order(batch->loader)[batch->first + i] : batch->first + i;
}

/* A tensor of `slots` values all GUARD. */
static cln_tensor *guarded(cln_context *ctx, size_t slots)
{
    cln_tensor *t;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, slots, &t));
    TU_OK(ctx, cln_tensor_fill(t, GUARD));
    return t;
}

static void assert_guards(const double *v, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        assert_true(v[i] == GUARD);
}

static void check_forward(problem *p, const cln_batch *batch)
{
    const double eps = tu_eps(CLN_FLOAT32);
    size_t B = batch->count;
    cln_tensor *y_hat = guarded(p->ctx, B + 3), *out;
    TU_OK(p->ctx, cln_tensor_view_rows(y_hat, 1, B + 1, &out)); /* y_hat[0] is a guard too */
    TU_OK(p->ctx, cln_linreg_forward(p->m, batch, out));
    double *got = tu_download(p->ctx, y_hat);
    for (size_t i = 0; i < B; i++) {
        const double *x = p->X + batch_row(batch, i) * p->d;
        double want = p->b, mag = fabs(p->b);
        for (size_t j = 0; j < p->d; j++) {
            want += x[j] * p->w[j];
            mag += fabs(x[j] * p->w[j]);
        }
        double tol = 2.0 * (p->d + 2) * eps * mag;
        if (!(fabs(got[1 + i] - want) <= tol))
            TU_FAIL("forward row %zu: %.9g, expected %.9g", i, got[1 + i], want);
    }
    assert_guards(got, 0, 1);
    assert_guards(got, B + 1, B + 3);
    free(got);
    cln_tensor_free(out);
    cln_tensor_free(y_hat);
}

/* Loss and backward take y_hat from the host, so they are checked on their own. */
static void check_loss_backward_step(problem *p, const cln_batch *batch, uint64_t seed)
{
    const double eps = tu_eps(CLN_FLOAT32);
    size_t B = batch->count, d = p->d;
    double *yh = tu_normals(B, seed);
    tu_round_to_float(yh, B);
    cln_tensor *t_yh = tu_tensor_from(p->ctx, CLN_FLOAT32, 1, &B, yh);
    cln_tensor *losses = guarded(p->ctx, 5);
    TU_OK(p->ctx, cln_linreg_loss(p->m, batch, t_yh, losses, 2));
    TU_OK(p->ctx, cln_linreg_backward(p->m, batch, t_yh));

    double loss = 0, loss_mag = 0, gb = 0, gb_mag = 0;
    double *gw = calloc(d, sizeof *gw), *gw_mag = calloc(d, sizeof *gw_mag);
    for (size_t i = 0; i < B; i++) {
        size_t row = batch_row(batch, i);
        double r = yh[i] - p->y[row];
        loss += r * r;
        loss_mag += r * r;
        gb += r;
        gb_mag += fabs(r);
        for (size_t j = 0; j < d; j++) {
            gw[j] += p->X[row * d + j] * r;
            gw_mag[j] += fabs(p->X[row * d + j] * r);
        }
    }
    double levels = log2((double)B) + 4; /* a tree of log B levels, plus the rounding of r */
    double *got = tu_download(p->ctx, losses);
    assert_guards(got, 0, 2);
    assert_guards(got, 3, 5);
    assert_true(fabs(got[2] - loss / (2.0 * B)) <= 2 * levels * eps * loss_mag / (2.0 * B));
    free(got);

    double *g = tu_download(p->ctx, cln_linreg_grad_w(p->m));
    double g_b;
    TU_OK(p->ctx, cln_tensor_download_f64(cln_linreg_grad_b(p->m), &g_b, 1));
    for (size_t j = 0; j < d; j++)
        if (!(fabs(g[j] - gw[j] / B) <= 2 * levels * eps * gw_mag[j] / B + 1e-30))
            TU_FAIL("grad_w[%zu] = %.9g, expected %.9g", j, g[j], gw[j] / B);
    assert_true(fabs(g_b - gb / B) <= 2 * levels * eps * gb_mag / B + 1e-30);

    /* The step: theta -= lr * g, with the device's own g. */
    const double lr = 0.03;
    TU_OK(p->ctx, cln_linreg_sgd_step(p->m, lr));
    double *w_new = malloc(d * sizeof *w_new), b_new;
    TU_OK(p->ctx, cln_linreg_get(p->m, w_new, &b_new));
    for (size_t j = 0; j < d; j++) {
        double want = p->w[j] - lr * g[j];
        assert_true(fabs(w_new[j] - want) <= 2 * eps * (fabs(p->w[j]) + fabs(lr * g[j])));
    }
    assert_true(fabs(b_new - (p->b - lr * g_b)) <= 2 * eps * (fabs(p->b) + fabs(lr * g_b)));
    TU_OK(p->ctx, cln_linreg_set(p->m, p->w, p->b)); /* back for the next check */

    free(yh); free(gw); free(gw_mag); free(g); free(w_new);
    cln_tensor_free(t_yh);
    cln_tensor_free(losses);
}

static void check_size(cln_context *ctx, size_t n, size_t d)
{
    problem p;
    problem_make(&p, ctx, n, d, n * 31 + d);
    /* every row, shuffled */
    cln_batch all = {p.tX, p.ty, p.loader, 0, n};
    check_forward(&p, &all);
    check_loss_backward_step(&p, &all, 5);
    /* a ragged batch in the middle of the shuffled order */
    if (n > 2) {
        cln_batch mid = {p.tX, p.ty, p.loader, n / 3, n - n / 3 - 1};
        check_forward(&p, &mid);
        check_loss_backward_step(&p, &mid, 6);
    }
    /* in order, through row views (a validation split at an offset) */
    if (n > 1) {
        cln_tensor *vX, *vy;
        TU_OK(ctx, cln_tensor_view_rows(p.tX, 1, n - 1, &vX));
        TU_OK(ctx, cln_tensor_view_rows(p.ty, 1, n - 1, &vy));
        problem shifted = p; /* the same host data seen from row 1 */
        shifted.X = p.X + d;
        shifted.y = p.y + 1;
        cln_batch val = {vX, vy, NULL, (n - 1) / 2, n - 1 - (n - 1) / 2};
        check_forward(&shifted, &val);
        check_loss_backward_step(&shifted, &val, 7);
        cln_tensor_free(vX);
        cln_tensor_free(vy);
    }
    problem_free(&p);
}

static void small_sizes(void **state)
{
    const size_t ns[] = {1, 7, 1000}, ds[] = {1, 2, 3, 300};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++)
            check_size(*state, ns[i], ds[j]);
}

static void large_sizes(void **state)
{
    if (tu_small()) skip(); /* CLNUM_TEST_SMALL: the small sizes only */
    const size_t ds[] = {1, 2, 3, 300};
    for (size_t j = 0; j < 4; j++)
        check_size(*state, 100003, ds[j]);
}

/* loss(w + h e_j) - loss(w - h e_j) over 2h is the gradient: exactly, up to rounding, since
 * the loss is quadratic in the parameters. */
static void check_finite_differences(cln_context *ctx, cln_dtype dtype, double h, double rtol)
{
    const size_t n = 57, d = 3;
    double *X = tu_normals(n * d, 77), *y = tu_normals(n, 78);
    size_t shape[2] = {n, d};
    cln_tensor *tX = tu_tensor_from(ctx, dtype, 2, shape, X), *ty = tu_tensor_from(ctx, dtype, 1, &n, y);
    cln_tensor *y_hat, *loss;
    TU_OK(ctx, cln_tensor_create_1d(ctx, dtype, n, &y_hat));
    TU_OK(ctx, cln_tensor_create_1d(ctx, dtype, 1, &loss));
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, dtype, d, 1.0, 3, &m));
    double w[3], b;
    TU_OK(ctx, cln_linreg_get(m, w, &b));
    b = 0.3;
    cln_batch all = {tX, ty, NULL, 0, n};

    TU_OK(ctx, cln_linreg_set(m, w, b));
    TU_OK(ctx, cln_linreg_forward(m, &all, y_hat));
    TU_OK(ctx, cln_linreg_backward(m, &all, y_hat));
    double g[4];
    TU_OK(ctx, cln_tensor_download_f64(cln_linreg_grad_w(m), g, d));
    TU_OK(ctx, cln_tensor_download_f64(cln_linreg_grad_b(m), &g[3], 1));

    for (size_t j = 0; j <= d; j++) {
        double lv[2];
        for (int side = 0; side < 2; side++) {
            double wp[3] = {w[0], w[1], w[2]}, bp = b, step = side ? -h : h;
            if (j < d)
                wp[j] += step;
            else
                bp += step;
            TU_OK(ctx, cln_linreg_set(m, wp, bp));
            TU_OK(ctx, cln_linreg_forward(m, &all, y_hat));
            TU_OK(ctx, cln_linreg_loss(m, &all, y_hat, loss, 0));
            TU_OK(ctx, cln_tensor_download_f64(loss, &lv[side], 1));
        }
        double fd = (lv[0] - lv[1]) / (2 * h);
        if (!(fabs(fd - g[j]) <= rtol * (fabs(g[j]) + 1.0)))
            TU_FAIL("parameter %zu: finite difference %.9g, gradient %.9g", j, fd, g[j]);
    }
    free(X); free(y);
    cln_tensor_free(tX); cln_tensor_free(ty); cln_tensor_free(y_hat); cln_tensor_free(loss);
    cln_linreg_free(m);
}

static void gradient_matches_finite_differences(void **state)
{
    check_finite_differences(*state, CLN_FLOAT32, 1e-2, 1e-3);
    if (cln_context_device(*state)->has_float64)
        check_finite_differences(*state, CLN_FLOAT64, 1e-4, 1e-9);
}

static void bad_batches(void **state)
{
    cln_context *ctx = *state;
    problem p;
    problem_make(&p, ctx, 10, 3, 1);
    cln_tensor *y_hat, *X2;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 10, &y_hat));
    TU_OK(ctx, cln_tensor_create_2d(ctx, CLN_FLOAT32, 10, 4, &X2));
    cln_batch b = {p.tX, p.ty, NULL, 5, 6};
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "[5, 11)", cln_linreg_forward(p.m, &b, y_hat));
    b.first = 0;
    b.count = 0;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "not inside", cln_linreg_forward(p.m, &b, y_hat));
    cln_batch wide = {X2, p.ty, NULL, 0, 10};
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "4 columns", cln_linreg_forward(p.m, &wide, y_hat));
    cln_batch short_y = {p.tX, y_hat, NULL, 0, 4};
    cln_tensor *y4;
    TU_OK(ctx, cln_tensor_view_rows(y_hat, 0, 4, &y4));
    short_y.y = y4;
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "4 values for 10 rows",
             cln_linreg_forward(p.m, &short_y, y_hat));
    cln_batch ok = {p.tX, p.ty, NULL, 0, 10};
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "y_hat has 4", cln_linreg_forward(p.m, &ok, y4));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "batch is NULL", cln_linreg_forward(p.m, NULL, y_hat));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "learning rate", cln_linreg_sgd_step(p.m, -1.0));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "learning rate", cln_linreg_sgd_step(p.m, NAN));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "finite and > 0", cln_linreg_set_loss_scale(p.m, 0.0));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "finite and > 0", cln_linreg_set_loss_scale(p.m, INFINITY));
    assert_true(cln_linreg_loss_scale(p.m) == 0.5);
    cln_tensor_free(y4); cln_tensor_free(y_hat); cln_tensor_free(X2);
    problem_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_sizes),
        cmocka_unit_test(large_sizes),
        cmocka_unit_test(gradient_matches_finite_differences),
        cmocka_unit_test(bad_batches),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
