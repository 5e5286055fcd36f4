/* Synthetic data as d2l makes it, predicted value by value from the host generator; and
 * datasets from host arrays. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static void check_synthetic(cln_context *ctx, size_t d, size_t n_train, size_t n_val, uint64_t seed)
{
    cln_synthetic_config cfg;
    cln_synthetic_config_init(&cfg);
    cfg.num_inputs = d;
    cfg.num_train = n_train;
    cfg.num_val = n_val;
    cfg.seed = seed;
    cln_dataset *ds;
    TU_OK(ctx, cln_synthetic_create(ctx, &cfg, &ds));
    assert_int_equal(cln_dataset_num_train(ds), n_train);
    assert_int_equal(cln_dataset_num_val(ds), n_val);
    double *w = malloc(d * sizeof *w), b;
    TU_OK(ctx, cln_dataset_true_params(ds, w, &b));
    assert_true(b == 4.2);
    if (d == 2) {
        assert_true(w[0] == 2.0 && w[1] == -3.4);
    } else {
        for (size_t j = 0; j < d; j++)
            assert_true(w[j] == cln_philox_normal(seed, 2, j));
    }
    size_t n = n_train + n_val;
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
    double *tx = tu_download(ctx, cln_dataset_train_X(ds));
    double *ty = tu_download(ctx, cln_dataset_train_y(ds));
    for (size_t i = 0; i < n_train * d; i++)
        X[i] = tx[i];
    for (size_t i = 0; i < n_train; i++)
        y[i] = ty[i];
    free(tx);
    free(ty);
    if (n_val) {
        double *vx = tu_download(ctx, cln_dataset_val_X(ds));
        double *vy = tu_download(ctx, cln_dataset_val_y(ds));
        for (size_t i = 0; i < n_val * d; i++)
            X[n_train * d + i] = vx[i];
        for (size_t i = 0; i < n_val; i++)
            y[n_train + i] = vy[i];
        free(vx);
        free(vy);
    } else {
        assert_null(cln_dataset_val_X(ds));
    }
    /* X: stream 0, drawn first; y = X w + b + 0.01 eps with eps from stream 1 */
    for (size_t i = 0; i < n; i++) {
        double want_y = b + 0.01 * cln_philox_normal(seed, 1, i), mag = fabs(b) + 0.05;
        for (size_t j = 0; j < d; j++) {
            double x = cln_philox_normal(seed, 0, i * d + j);
            if (!(fabs(X[i * d + j] - x) <= 4e-6 * (1 + fabs(x))))
                TU_FAIL("X[%zu][%zu] = %.9g, expected %.9g", i, j, X[i * d + j], x);
            want_y += x * w[j];
            mag += fabs(x * w[j]);
        }
        if (!(fabs(y[i] - want_y) <= 4e-6 * mag * (d + 2)))
            TU_FAIL("y[%zu] = %.9g, expected %.9g", i, y[i], want_y);
    }
    free(X); free(y); free(w);
    cln_dataset_free(ds);
}

static void chapter_data(void **state) { check_synthetic(*state, 2, 1000, 1000, 0); }
static void other_shapes(void **state)
{
    check_synthetic(*state, 1, 7, 0, 3);
    check_synthetic(*state, 3, 1, 1, 4);
    check_synthetic(*state, 300, 1003, 17, 5);
}

static void seeds_differ(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config cfg;
    cln_synthetic_config_init(&cfg);
    cln_dataset *a, *b;
    TU_OK(ctx, cln_synthetic_create(ctx, &cfg, &a));
    cfg.seed = 1;
    TU_OK(ctx, cln_synthetic_create(ctx, &cfg, &b));
    double *xa = tu_download(ctx, cln_dataset_train_X(a)), *xb = tu_download(ctx, cln_dataset_train_X(b));
    assert_true(xa[0] != xb[0]);
    free(xa); free(xb);
    cln_dataset_free(a);
    cln_dataset_free(b);
}

static void from_host(void **state)
{
    cln_context *ctx = *state;
    const double X[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[4] = {-1, -2, -3, -4};
    cln_dataset *ds;
    TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, X, y, 4, 2, 3, &ds));
    assert_int_equal(cln_dataset_num_val(ds), 1);
    double *vx = tu_download(ctx, cln_dataset_val_X(ds)), *vy = tu_download(ctx, cln_dataset_val_y(ds));
    assert_true(vx[0] == 7 && vx[1] == 8 && vy[0] == -4);
    free(vx); free(vy);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "not synthetic", cln_dataset_true_params(ds, NULL, NULL));
    cln_dataset_free(ds);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_train 5", cln_dataset_create(ctx, CLN_FLOAT32, X, y, 4, 2, 5, &ds));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_inputs (0)", cln_dataset_create(ctx, CLN_FLOAT32, X, y, 4, 0, 2, &ds));
}

static void bad_config(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config cfg;
    cln_synthetic_config_init(&cfg);
    cln_dataset *ds;
    cfg.noise = NAN;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "noise", cln_synthetic_create(ctx, &cfg, &ds));
    cln_synthetic_config_init(&cfg);
    cfg.num_train = 0;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_train (0)", cln_synthetic_create(ctx, &cfg, &ds));
    cln_synthetic_config_init(&cfg);
    double w[2] = {1, INFINITY};
    cfg.w = w;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "w[1]", cln_synthetic_create(ctx, &cfg, &ds));
}

/* The targets of a dataset on the device, all rows, as doubles. */
static double *all_targets(cln_context *ctx, const cln_dataset *ds)
{
    size_t nt = cln_dataset_num_train(ds), nv = cln_dataset_num_val(ds);
    double *y = malloc((nt + nv) * sizeof *y), *t = tu_download(ctx, cln_dataset_train_y(ds));
    memcpy(y, t, nt * sizeof *y);
    free(t);
    if (nv) {
        double *v = tu_download(ctx, cln_dataset_val_y(ds));
        memcpy(y + nt, v, nv * sizeof *y);
        free(v);
    }
    return y;
}

/* Labels come back from y exactly, in either precision, the largest float32 holds too. */
static void labeled(void **state)
{
    cln_context *ctx = *state;
    const double X[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const uint32_t labels[5] = {0, 16777215, 1, 16777214, 2};
    for (int k = 0; k < 2; k++) {
        cln_dtype dtype = k ? CLN_FLOAT64 : CLN_FLOAT32;
        if (dtype == CLN_FLOAT64 && !cln_context_device(ctx)->has_float64)
            continue;
        cln_dataset *ds;
        TU_OK(ctx, cln_dataset_create_labeled(ctx, dtype, X, labels, 5, 2, 1u << 24, 3,
                                              CLN_PLACE_DEVICE, &ds));
        assert_int_equal(cln_dataset_num_classes(ds), 1u << 24);
        assert_int_equal(cln_dataset_num_train(ds), 3);
        assert_int_equal(cln_dataset_num_val(ds), 2);
        assert_int_equal(cln_dataset_num_inputs(ds), 2);
        assert_false(cln_dataset_on_host(ds));
        double *y = all_targets(ctx, ds), *x = tu_download(ctx, cln_dataset_val_X(ds));
        for (size_t i = 0; i < 5; i++)
            if (y[i] != (double)labels[i])
                TU_FAIL("%s: y[%zu] = %.17g, label %u", k ? "float64" : "float32", i, y[i],
                        (unsigned)labels[i]);
        assert_true(x[0] == 7 && x[3] == 10);
        free(y);
        free(x);
        cln_dataset_free(ds);
    }
}

/* Host-resident rows (streamed by cln_fit()) hold the labels the same way. */
static void labeled_on_host(void **state)
{
    cln_context *ctx = *state;
    const double X[4] = {0.5, -1, 2, 3};
    const uint32_t labels[4] = {3, 0, 2, 1};
    cln_dataset *ds;
    TU_OK(ctx, cln_dataset_create_labeled(ctx, CLN_FLOAT32, X, labels, 4, 1, 4, 4,
                                          CLN_PLACE_HOST, &ds));
    assert_true(cln_dataset_on_host(ds));
    assert_int_equal(cln_dataset_num_classes(ds), 4);
    const float *y = cln_dataset_host_y(ds), *x = cln_dataset_host_X(ds);
    for (size_t i = 0; i < 4; i++)
        assert_true(y[i] == (float)labels[i] && x[i] == (float)X[i]);
    cln_dataset_free(ds);
}

static void bad_labels(void **state)
{
    cln_context *ctx = *state;
    const double X[5] = {1, 2, 3, 4, 5};
    uint32_t labels[5] = {0, 1, 2, 3, 1};
    cln_dataset *ds = (cln_dataset *)1;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "row 3 (training row 3) has label 3, not below num_classes 3",
             cln_dataset_create_labeled(ctx, CLN_FLOAT32, X, labels, 5, 1, 3, 4, CLN_PLACE_AUTO, &ds));
    assert_null(ds);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "row 3 (validation row 1) has label 3",
             cln_dataset_create_labeled(ctx, CLN_FLOAT32, X, labels, 5, 1, 3, 2, CLN_PLACE_HOST, &ds));
    labels[3] = 0xffffffffu;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "row 3 (training row 3) has label 4294967295",
             cln_dataset_create_labeled(ctx, CLN_FLOAT32, X, labels, 5, 1, 1u << 24, 4, CLN_PLACE_AUTO, &ds));
    labels[3] = 0;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_classes 0 is outside 1 to 2^24",
             cln_dataset_create_labeled(ctx, CLN_FLOAT32, X, labels, 5, 1, 0, 4, CLN_PLACE_AUTO, &ds));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_classes 16777217",
             cln_dataset_create_labeled(ctx, CLN_FLOAT32, X, labels, 5, 1, (1u << 24) + 1, 4,
                                        CLN_PLACE_AUTO, &ds));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "labels is NULL",
             cln_dataset_create_labeled(ctx, CLN_FLOAT32, X, NULL, 5, 1, 3, 4, CLN_PLACE_AUTO, &ds));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "X is NULL",
             cln_dataset_create_labeled(ctx, CLN_FLOAT32, NULL, labels, 5, 1, 3, 4, CLN_PLACE_AUTO, &ds));
    /* the checks of every dataset, under this function's name */
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_dataset_create_labeled: num_train 6 is more than the 5 rows",
             cln_dataset_create_labeled(ctx, CLN_FLOAT32, X, labels, 5, 1, 3, 6, CLN_PLACE_AUTO, &ds));
    const double inf_X[5] = {1, 2, INFINITY, 4, 5};
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 2 (training row 2) is the first with a NaN",
             cln_dataset_create_labeled(ctx, CLN_FLOAT32, inf_X, labels, 5, 1, 3, 4, CLN_PLACE_AUTO, &ds));
    assert_null(ds);
}

/* Every other constructor makes data of real targets: 0 classes. */
static void no_classes_elsewhere(void **state)
{
    cln_context *ctx = *state;
    const double X[4] = {1, 2, 3, 4}, y[2] = {0, 1};
    cln_dataset *a, *b, *c;
    TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, X, y, 2, 2, 1, &a));
    TU_OK(ctx, cln_dataset_create_placed(ctx, CLN_FLOAT32, X, y, 2, 2, 1, CLN_PLACE_HOST, &b));
    cln_synthetic_config cfg;
    cln_synthetic_config_init(&cfg);
    cfg.num_train = 10;
    cfg.num_val = 0;
    TU_OK(ctx, cln_synthetic_create(ctx, &cfg, &c));
    assert_int_equal(cln_dataset_num_classes(a), 0);
    assert_int_equal(cln_dataset_num_classes(b), 0);
    assert_int_equal(cln_dataset_num_classes(c), 0);
    assert_int_equal(cln_dataset_num_classes(NULL), 0);
    cln_dataset_free(a);
    cln_dataset_free(b);
    cln_dataset_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chapter_data),
        cmocka_unit_test(other_shapes),
        cmocka_unit_test(seeds_differ),
        cmocka_unit_test(from_host),
        cmocka_unit_test(bad_config),
        cmocka_unit_test(labeled),
        cmocka_unit_test(labeled_on_host),
        cmocka_unit_test(bad_labels),
        cmocka_unit_test(no_classes_elsewhere),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
