/* Bad input across the public API, each case asserting the status AND the message: NULL
 * handles and out pointers, zero sizes, shapes that do not fit, tensors from two contexts,
 * learning rates and batch sizes, devices that do not exist, device limits (simulated: a
 * device without float64, a device with little memory), NaN and infinity in host data
 * (found on the device, with the first bad row), and a library that prints nothing.
 *
 * The other test files hold the cases of their own concern (test_tensor: ranks, dtypes, max
 * allocation; test_trainer: epochs 0, batch 0, learning rates, divergence; test_program:
 * build failures; test_device: selector forms); this file fills the gaps between them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

/* ---- NULL handles and pointers --------------------------------------------------------- */

/* Every fallible call with a NULL handle: CLN_ERR_BAD_ARGUMENT, "<function>: <name> is NULL"
 * in the thread's message (there is no context to put it in). */
static void null_handles(void **state)
{
    (void)state;
    cln_tensor *t = NULL;
    double v[4] = {0};
    size_t row;
    cln_batch batch = {0};
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_context_finish: ctx is NULL", cln_context_finish(NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_context_build: ctx is NULL", cln_context_build(NULL, CLN_FLOAT32));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_context_cl: ctx is NULL", cln_context_cl(NULL, NULL, NULL, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_tensor_view_rows: t is NULL", cln_tensor_view_rows(NULL, 0, 1, &t));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_tensor_upload: tensor is NULL", cln_tensor_upload(NULL, v, 4));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_tensor_download: tensor is NULL", cln_tensor_download(NULL, v, 4));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_tensor_download_f64: tensor is NULL", cln_tensor_download_f64(NULL, v, 1));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_tensor_fill: t is NULL", cln_tensor_fill(NULL, 1.0));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_tensor_randn: t is NULL", cln_tensor_randn(NULL, 0, 1, 0, 0));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_tensor_check_finite: t is NULL", cln_tensor_check_finite(NULL, &row));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_matmul: a is NULL", cln_matmul(NULL, NULL, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_gemv: a is NULL", cln_gemv(0, 1.0, NULL, NULL, 0.0, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_axpy: x is NULL", cln_axpy(1.0, NULL, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_scale: x is NULL", cln_scale(1.0, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_sum: x is NULL", cln_sum(NULL, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_mean: x is NULL", cln_mean(NULL, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_synthetic_create: ctx is NULL", cln_synthetic_create(NULL, NULL, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_dataset_create: ctx is NULL",
             cln_dataset_create(NULL, CLN_FLOAT32, v, v, 2, 1, 1, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_dataset_true_params: ds is NULL", cln_dataset_true_params(NULL, v, v));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_loader_create: ctx is NULL", cln_loader_create(NULL, 4, 2, 1, 0, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_loader_start_epoch: loader is NULL", cln_loader_start_epoch(NULL, 0));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_linreg_create: ctx is NULL", cln_linreg_create(NULL, CLN_FLOAT32, 2, 0.01, 0, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_linreg_set_loss_scale: m is NULL", cln_linreg_set_loss_scale(NULL, 1.0));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_linreg_get: m is NULL", cln_linreg_get(NULL, v, v));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_linreg_set: m is NULL", cln_linreg_set(NULL, v, 0.0));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_linreg_forward: m is NULL", cln_linreg_forward(NULL, &batch, t));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_linreg_loss: m is NULL", cln_linreg_loss(NULL, &batch, t, t, 0));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_linreg_backward: m is NULL", cln_linreg_backward(NULL, &batch, t));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_linreg_sgd_step: m is NULL", cln_linreg_sgd_step(NULL, 0.1));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_devices_list: out is NULL", cln_devices_list(NULL, &row));
    cln_device_info *list;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_devices_list: count is NULL", cln_devices_list(&list, NULL));
    cln_device_selector sel;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_devices_choose: chosen is NULL", cln_devices_choose(NULL, 0, &sel, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_devices_choose: list is NULL", cln_devices_choose(NULL, 2, &sel, &row));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_device_selector_parse: out is NULL", cln_device_selector_parse("0:0", NULL));

    /* What cannot fail takes NULL quietly. */
    cln_tensor_free(NULL);
    cln_dataset_free(NULL);
    cln_loader_free(NULL);
    cln_linreg_free(NULL);
    cln_context_free(NULL);
    cln_devices_free(NULL);
    cln_history_free(NULL);
    cln_trainer_config_init(NULL);
    cln_synthetic_config_init(NULL);
    assert_null(cln_context_device(NULL));
    assert_int_equal(cln_context_live_objects(NULL), 0);
    assert_int_equal(cln_tensor_numel(NULL), 0);
    assert_int_equal(cln_tensor_dim(NULL, 0), 0);
    assert_null(cln_tensor_buffer(NULL));
    assert_null(cln_dataset_train_X(NULL));
    assert_int_equal(cln_loader_num_batches(NULL), 0);
    size_t first = 9, count = 9;
    cln_loader_batch(NULL, 0, &first, &count);
    assert_int_equal(count, 0);
    assert_null(cln_linreg_w(NULL));
}

/* NULL out pointers and data pointers with a valid handle: the message goes to its context. */
static void null_pointers_in_a_context(void **state)
{
    cln_context *ctx = *state;
    double v[4] = {1, 2, 3, 4};
    cln_tensor *t, *a;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 4, &t));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_tensor_create: out is NULL", cln_tensor_create_1d(ctx, CLN_FLOAT32, 4, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_tensor_view_rows: out is NULL", cln_tensor_view_rows(t, 0, 1, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_tensor_upload: host is NULL", cln_tensor_upload(t, NULL, 16));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_tensor_download: host is NULL", cln_tensor_download(t, NULL, 16));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_tensor_download_f64: host is NULL", cln_tensor_download_f64(t, NULL, 4));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_gemv: x is NULL", cln_gemv(0, 1.0, t, NULL, 0.0, t));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_axpy: y is NULL", cln_axpy(1.0, t, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_sum: out is NULL", cln_sum(t, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_matmul: c is NULL", cln_matmul(t, t, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_synthetic_create: cfg is NULL", cln_synthetic_create(ctx, NULL, NULL));
    cln_synthetic_config cfg;
    cln_synthetic_config_init(&cfg);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_synthetic_create: out is NULL", cln_synthetic_create(ctx, &cfg, NULL));
    cln_dataset *ds;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_dataset_create: X is NULL", cln_dataset_create(ctx, CLN_FLOAT32, NULL, v, 2, 1, 1, &ds));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_dataset_create: y is NULL", cln_dataset_create(ctx, CLN_FLOAT32, v, NULL, 2, 1, 1, &ds));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_dataset_create: out is NULL", cln_dataset_create(ctx, CLN_FLOAT32, v, v, 2, 1, 1, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_loader_create: out is NULL", cln_loader_create(ctx, 4, 2, 1, 0, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_linreg_create: out is NULL", cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, NULL));
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m));
    double b;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_linreg_get: w is NULL", cln_linreg_get(m, NULL, &b));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_linreg_get: b is NULL", cln_linreg_get(m, v, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_linreg_set: w is NULL", cln_linreg_set(m, NULL, 0.0));
    size_t shape[2] = {4, 2};
    TU_OK(ctx, cln_tensor_create(ctx, CLN_FLOAT32, 2, shape, &a));
    cln_batch no_y = {a, NULL, NULL, 0, 4}, no_x = {NULL, t, NULL, 0, 4};
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_linreg_forward: batch->y is NULL", cln_linreg_forward(m, &no_y, t));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_linreg_backward: batch->X is NULL", cln_linreg_backward(m, &no_x, t));
    cln_batch ok = {a, t, NULL, 0, 4};
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_linreg_forward: y_hat is NULL", cln_linreg_forward(m, &ok, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_linreg_loss: losses is NULL", cln_linreg_loss(m, &ok, t, NULL, 0));
    cln_linreg_free(m);
    cln_tensor_free(a);
    cln_tensor_free(t);
}

/* ---- sizes and shapes ------------------------------------------------------------------- */

static void zero_sizes(void **state)
{
    cln_context *ctx = *state;
    cln_tensor *t;
    const double v[4] = {1, 2, 3, 4};
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "dimension 0 is 0", cln_tensor_create_1d(ctx, CLN_FLOAT32, 0, &t));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "dimension 1 is 0", cln_tensor_create_2d(ctx, CLN_FLOAT32, 3, 0, &t));
    TU_OK(ctx, cln_tensor_create_2d(ctx, CLN_FLOAT32, 3, 2, &t));
    cln_tensor *view = NULL;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "rows [1, 1) are not inside the 3 rows", cln_tensor_view_rows(t, 1, 0, &view));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "rows [4, 5) are not inside the 3 rows", cln_tensor_view_rows(t, 4, 1, &view));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "not inside the 3 rows", cln_tensor_view_rows(t, 1, SIZE_MAX, &view));
    assert_null(view);
    cln_tensor_free(t);

    cln_synthetic_config cfg;
    cln_synthetic_config_init(&cfg);
    cfg.num_inputs = 0;
    cln_dataset *ds = NULL;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_inputs (0)", cln_synthetic_create(ctx, &cfg, &ds));
    cln_synthetic_config_init(&cfg);
    cfg.num_train = 3000000000u;
    cfg.num_val = 2000000000u;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "more than 2^32 - 1", cln_synthetic_create(ctx, &cfg, &ds));
    cln_synthetic_config_init(&cfg);
    cfg.noise = -0.5;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "noise (-0.5) must be finite and >= 0", cln_synthetic_create(ctx, &cfg, &ds));
    cln_synthetic_config_init(&cfg);
    cfg.b = INFINITY;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "b (inf) finite", cln_synthetic_create(ctx, &cfg, &ds));
    cln_synthetic_config_init(&cfg);
    cfg.dtype = (cln_dtype)5;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "unknown dtype 5", cln_synthetic_create(ctx, &cfg, &ds));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_train (0)", cln_dataset_create(ctx, CLN_FLOAT32, v, v, 0, 1, 0, &ds));
    assert_null(ds);

    cln_loader *l = NULL;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_rows 4294967296 is outside 1 .. 2^32 - 1",
             cln_loader_create(ctx, (size_t)1 << 32, 8, 0, 0, &l));
    assert_null(l);

    cln_linreg *m = NULL;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_inputs 0 is outside", cln_linreg_create(ctx, CLN_FLOAT32, 0, 0.01, 0, &m));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "sigma nan must be finite", cln_linreg_create(ctx, CLN_FLOAT32, 2, NAN, 0, &m));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "sigma -1 must be finite and >= 0", cln_linreg_create(ctx, CLN_FLOAT32, 2, -1.0, 0, &m));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "unknown dtype 3", cln_linreg_create(ctx, (cln_dtype)3, 2, 0.01, 0, &m));
    assert_null(m);
    assert_int_equal(cln_context_live_objects(ctx), 0); /* nothing half-made was left behind */
}

static void shapes_that_do_not_fit(void **state)
{
    cln_context *ctx = *state;
    cln_tensor *v4, *v3, *m23, *y_hat, *losses;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 4, &v4));
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 3, &v3));
    TU_OK(ctx, cln_tensor_create_2d(ctx, CLN_FLOAT32, 2, 3, &m23));
    double host[8];
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "cln_tensor_download: 12 bytes given for a tensor of 16 bytes",
             cln_tensor_download(v4, host, 12));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "5 values asked of a tensor of 4", cln_tensor_download_f64(v4, host, 5));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "x has 4 elements, y 3", cln_axpy(1.0, v4, v3));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "cln_gemv: a has rank 1, not 2", cln_gemv(0, 1.0, v4, v3, 0.0, v3));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "needs x of 3 and y of 2, not 4 and 3", cln_gemv(0, 1.0, m23, v4, 0.0, v3));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "cln_matmul: b has rank 1, not 2", cln_matmul(m23, v3, m23));

    /* The model against X's columns, y's rows, the loader's rows, the output sizes. */
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 3, 0.01, 0, &m));
    cln_tensor *X, *y;
    TU_OK(ctx, cln_tensor_create_2d(ctx, CLN_FLOAT32, 10, 3, &X));
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 10, &y));
    TU_OK(ctx, cln_tensor_fill(X, 1.0));
    TU_OK(ctx, cln_tensor_fill(y, 1.0));
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 10, &y_hat));
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 3, &losses));
    cln_batch rank1 = {v4, y, NULL, 0, 2};
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "X must be (rows x 3) for this model, not rank 1",
             cln_linreg_backward(m, &rank1, y_hat));
    cln_batch short_y = {X, v4, NULL, 0, 4};
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "y has 4 values for 10 rows of X", cln_linreg_loss(m, &short_y, y_hat, losses, 0));
    cln_loader *l;
    TU_OK(ctx, cln_loader_create(ctx, 7, 7, 1, 0, &l));
    TU_OK(ctx, cln_loader_start_epoch(l, 0));
    cln_batch wrong_loader = {X, y, l, 0, 7};
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "the loader orders 7 rows, X has 10", cln_linreg_forward(m, &wrong_loader, y_hat));
    cln_batch ok = {X, y, NULL, 0, 10};
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "losses has 3 elements, needs 4", cln_linreg_loss(m, &ok, y_hat, losses, 3));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "y_hat has 4 elements, needs 10", cln_linreg_backward(m, &ok, v4));
    cln_batch empty = {X, y, NULL, 3, 0};
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "batch positions [3, 3) are not inside the 10 rows",
             cln_linreg_forward(m, &empty, y_hat));
    cln_batch past = {X, y, NULL, 11, 1};
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "batch positions [11, 12) are not inside", cln_linreg_forward(m, &past, y_hat));
    /* every check happens before anything is enqueued */
    uint64_t before = cln_context_enqueue_count(ctx);
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "y_hat has 4", cln_linreg_forward(m, &ok, v4));
    assert_true(cln_context_enqueue_count(ctx) == before);

    cln_loader_free(l);
    cln_tensor_free(X); cln_tensor_free(y); cln_tensor_free(y_hat); cln_tensor_free(losses);
    cln_tensor_free(v4); cln_tensor_free(v3); cln_tensor_free(m23);
    cln_linreg_free(m);
}

/* Tensors, models and data from two contexts, or of two dtypes, never meet. */
static void two_contexts_and_two_dtypes(void **state)
{
    cln_context *ctx = *state, *other;
    TU_OK(NULL, cln_context_create(NULL, &other));
    cln_tensor *a, *b, *out;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 8, &a));
    TU_OK(other, cln_tensor_create_1d(other, CLN_FLOAT32, 8, &b));
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 1, &out));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_axpy: tensors from two contexts", cln_axpy(1.0, a, b));
    TU_FAILS(other, CLN_ERR_BAD_ARGUMENT, "cln_sum: tensors from two contexts", cln_sum(b, out));

    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = 50;
    dc.num_val = 10;
    cln_dataset *data;
    cln_linreg *m_other, *m64 = NULL;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    TU_OK(other, cln_linreg_create(other, CLN_FLOAT32, 2, 0.01, 0, &m_other));
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    TU_FAILS(other, CLN_ERR_BAD_ARGUMENT, "cln_fit: model and data are in two contexts",
             cln_fit(cln_linreg_model(m_other), data, &tc, NULL));
    cln_batch foreign = {cln_dataset_train_X(data), cln_dataset_train_y(data), NULL, 0, 4};
    cln_tensor *y_hat;
    TU_OK(other, cln_tensor_create_1d(other, CLN_FLOAT32, 4, &y_hat));
    TU_FAILS(other, CLN_ERR_BAD_ARGUMENT, "cln_linreg_forward: tensors from two contexts",
             cln_linreg_forward(m_other, &foreign, y_hat));
    if (cln_context_device(ctx)->has_float64) {
        TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT64, 2, 0.01, 0, &m64));
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_fit: model and data have two dtypes", cln_fit(cln_linreg_model(m64), data, &tc, NULL));
        cln_tensor *d;
        TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT64, 8, &d));
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_axpy: tensors of two dtypes", cln_axpy(1.0, a, d));
        cln_tensor_free(d);
    }
    cln_linreg_free(m64);
    cln_dataset_free(data);
    cln_tensor_free(a);
    cln_tensor_free(out);
    cln_context_free(other); /* frees b, m_other and y_hat */
}

/* ---- training configuration --------------------------------------------------------------- */

static void training_configuration(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = 40;
    dc.num_val = 9;
    cln_dataset *data;
    cln_linreg *m;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m));
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.path = (cln_train_path)9;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_fit: unknown path 9", cln_fit(cln_linreg_model(m), data, &tc, NULL));
    cln_trainer_config_init(&tc);
    tc.train_points_per_epoch = 0;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "points per epoch must be at least 1", cln_fit(cln_linreg_model(m), data, &tc, NULL));
    cln_trainer_config_init(&tc);
    tc.val_points_per_epoch = 0;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "points per epoch must be at least 1", cln_fit(cln_linreg_model(m), data, &tc, NULL));
    /* a rejected configuration leaves the parameters as they were */
    double w0[2], b0, w1[2], b1;
    TU_OK(ctx, cln_linreg_get(m, w0, &b0));
    cln_trainer_config_init(&tc);
    tc.lr = -INFINITY;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "learning rate -inf must be finite and > 0", cln_fit(cln_linreg_model(m), data, &tc, NULL));
    TU_OK(ctx, cln_linreg_get(m, w1, &b1));
    assert_memory_equal(w0, w1, sizeof w0);
    assert_true(b0 == b1);

    /* A batch larger than the data is one batch of all rows: an update an epoch. */
    cln_trainer_config_init(&tc);
    tc.batch_size = 1000;
    tc.max_epochs = 4;
    cln_history h;
    TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &tc, &h));
    assert_int_equal(h.epochs, 4);
    assert_int_equal(h.updates, 4);
    cln_history_free(&h);
    assert_null(h.train_loss.x); /* freed and cleared; a second free is harmless */
    cln_history_free(&h);

    /* The step on its own: zero, negative, NaN and infinite rates. */
    const double bad[] = {0.0, -1e-3, NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_linreg_sgd_step: learning rate", cln_linreg_sgd_step(m, bad[i]));
    const double bad_scale[] = {0.0, -1.0, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad_scale / sizeof bad_scale[0]; i++)
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "must be finite and > 0", cln_linreg_set_loss_scale(m, bad_scale[i]));
    const double w_nan[2] = {1.0, NAN};
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "cln_linreg_set: w[1] is not finite", cln_linreg_set(m, w_nan, 0.0));
    const double w_ok[2] = {1.0, 2.0};
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "cln_linreg_set: b is not finite", cln_linreg_set(m, w_ok, -INFINITY));
    cln_linreg_free(m);
    cln_dataset_free(data);
}

/* Batch sizes far beyond the rows, up to SIZE_MAX: each is one full batch of the rows (the
 * same fit as batch = rows), never a wrapped size, a hang or a fit that trains nothing. */
static void huge_batch_sizes_are_one_full_batch(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = 40;
    dc.num_val = 9;
    cln_dataset *data;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    const size_t huge[] = {(size_t)1 << 32, ((size_t)1 << 32) + 32, 0x7fffffffffffffffull,
                           SIZE_MAX, (size_t)UINT32_MAX};
    double w_ref[2], b_ref;
    for (size_t i = 0; i <= sizeof huge / sizeof huge[0]; i++) {
        cln_linreg *m;
        TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 1, &m));
        cln_trainer_config tc;
        cln_trainer_config_init(&tc);
        tc.batch_size = i == 0 ? 40 : huge[i - 1]; /* first the reference: batch = rows */
        tc.max_epochs = 3;
        cln_history h;
        TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &tc, &h));
        assert_int_equal(h.epochs, 3);
        assert_int_equal(h.updates, 3);
        double w[2], b;
        TU_OK(ctx, cln_linreg_get(m, w, &b));
        if (i == 0) {
            memcpy(w_ref, w, sizeof w);
            b_ref = b;
            assert_true(fabs(w[0]) > 0.1); /* it trained */
        } else {
            assert_memory_equal(w, w_ref, sizeof w);
            assert_true(b == b_ref);
        }
        cln_history_free(&h);
        cln_linreg_free(m);
    }
    cln_dataset_free(data);
}

/* A learning rate that is 0 or infinite once rounded to float32 would train nothing or
 * everything to inf: refused with the reason. */
static void learning_rates_lost_in_float32(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = 40;
    cln_dataset *data;
    cln_linreg *m;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m));
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.lr = 1e-46;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "learning rate 1e-46 is 0 in float32", cln_fit(cln_linreg_model(m), data, &tc, NULL));
    tc.lr = 1e39;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "is infinite in float32", cln_fit(cln_linreg_model(m), data, &tc, NULL));
    tc.lr = 1e-45; /* the least subnormal float, which a device may flush to 0 (PoCL does) */
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "learning rate 1e-45 is subnormal in float32", cln_fit(cln_linreg_model(m), data, &tc, NULL));
    tc.lr = 2e-38; /* the least normal floats are a step */
    TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &tc, NULL));
    cln_linreg_free(m);
    cln_dataset_free(data);
}

/* A malformed CLNUM_TUNE (a negative count read as 2^64 - 1, text, an empty part) is
 * refused, naming the variable, instead of a fit that trains nothing. */
static void malformed_tuning_is_refused(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    cln_dataset *data;
    cln_linreg *m;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m));
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.path = CLN_PATH_FUSED;
    const char *saved = getenv("CLNUM_TUNE");
    char *keep = saved ? strdup(saved) : NULL;
    const char *bad[] = {"1:1:-1", "-1:1", "16", "16:4:3:2", "a:b", "16::3", "0:1", "16:4:0",
                         "99999999999999999999:1", "16:4:3 "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("CLNUM_TUNE", bad[i], 1);
        TU_FAILS(ctx, CLN_ERR_PARSE, "CLNUM_TUNE (from the environment)", cln_fit(cln_linreg_model(m), data, &tc, NULL));
    }
    setenv("CLNUM_TUNE", "1:1:1", 1); /* well formed (one group: no hand-off to race on) */
    TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &tc, NULL));
    if (keep)
        setenv("CLNUM_TUNE", keep, 1);
    else
        unsetenv("CLNUM_TUNE");
    free(keep);
    cln_linreg_free(m);
    cln_dataset_free(data);
}

/* The last step overflows while every loss before it is finite, and no validation split
 * follows to show it: the fit fails as diverged, the parameters put back, never a success
 * with an infinite or NaN parameter. */
static void parameters_that_overflow_on_the_last_step(void **state)
{
    cln_context *ctx = *state;
    const double X[5] = {1e21, -1e21, 2e21, -2e21, 5e20}, y[5] = {1, -1, 2, -2, 0.5};
    cln_dataset *data;
    TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, X, y, 5, 1, 5, &data));
    for (int path = CLN_PATH_AUTO; path <= CLN_PATH_PERSISTENT; path++) {
        if (path != CLN_PATH_AUTO && path != CLN_PATH_STEPWISE && tu_path_off(ctx, (cln_train_path)path))
            continue;
        cln_linreg *m;
        TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 1, 0.01, 0, &m));
        double w0, b0;
        TU_OK(ctx, cln_linreg_get(m, &w0, &b0));
        cln_trainer_config tc;
        cln_trainer_config_init(&tc);
        tc.batch_size = 5;
        tc.max_epochs = 1;
        tc.path = (cln_train_path)path;
        cln_history h;
        TU_FAILS(ctx, CLN_ERR_DIVERGED, "restored", cln_fit(cln_linreg_model(m), data, &tc, &h));
        assert_int_equal(h.epochs, 0);
        double w, b;
        TU_OK(ctx, cln_linreg_get(m, &w, &b));
        assert_true(w == w0 && b == b0);
        cln_history_free(&h);
        cln_linreg_free(m);
    }
    cln_dataset_free(data);
}

/* ---- devices ------------------------------------------------------------------------------ */

static void devices_that_do_not_exist(void **state)
{
    (void)state;
    cln_context *ctx = NULL;
    TU_FAILS(NULL, CLN_ERR_NO_DEVICE, "no device matches '99:0'", cln_context_create("99:0", &ctx));
    TU_FAILS(NULL, CLN_ERR_NO_DEVICE, "no device matches ':no-such-card'", cln_context_create(":no-such-card", &ctx));
    TU_FAILS(NULL, CLN_ERR_NO_DEVICE, "(see --list-devices)", cln_context_create("0:12345", &ctx));
    TU_FAILS(NULL, CLN_ERR_PARSE, "expected PLATFORM:DEVICE with one ':'", cln_context_create("0:0:0", &ctx));
    TU_FAILS(NULL, CLN_ERR_PARSE, "device index '1234567890' is too large", cln_context_create("0:1234567890", &ctx));
    TU_FAILS(NULL, CLN_ERR_PARSE, "platform name has a non-printable character", cln_context_create("po\x01cl", &ctx));
    char long_name[200];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    TU_FAILS(NULL, CLN_ERR_PARSE, "platform name is longer than 127 characters", cln_context_create(long_name, &ctx));
    assert_null(ctx);

    /* A selector from the environment says so: the caller may not know it is set. */
    const char *saved = getenv("CLNUM_DEVICE");
    char *copy = saved ? strdup(saved) : NULL;
    setenv("CLNUM_DEVICE", "nowhere:0", 1);
    TU_FAILS(NULL, CLN_ERR_NO_DEVICE, "CLNUM_DEVICE (from the environment): no device matches 'nowhere:0'",
             cln_context_create(NULL, &ctx));
    setenv("CLNUM_DEVICE", "1:2:3", 1);
    TU_FAILS(NULL, CLN_ERR_PARSE, "CLNUM_DEVICE (from the environment): device selector '1:2:3'",
             cln_context_create(NULL, &ctx));
    /* an explicit selector does not blame the environment */
    TU_FAILS(NULL, CLN_ERR_NO_DEVICE, "no device matches 'elsewhere:0'", cln_context_create("elsewhere:0", &ctx));
    assert_null(strstr(cln_last_error(NULL), "CLNUM_DEVICE"));
    if (copy)
        setenv("CLNUM_DEVICE", copy, 1);
    else
        unsetenv("CLNUM_DEVICE");
    free(copy);
    assert_null(ctx);
}

/* The device's limits, simulated on this device by lowering what the context believes of it
 * (cln_context_device() returns the context's own copy, which the checks read): PoCL has
 * float64 and gigabytes, so the refusals could not be seen otherwise. */
static cln_device_info *device_of(cln_context *ctx)
{
    return (cln_device_info *)cln_context_device(ctx);
}

static void device_without_float64(void **state)
{
    (void)state;
    cln_context *ctx;
    TU_OK(NULL, cln_context_create(NULL, &ctx));
    device_of(ctx)->has_float64 = 0;
    const char *name = cln_context_device(ctx)->device_name;
    cln_tensor *t = NULL;
    TU_FAILS(ctx, CLN_ERR_NO_FLOAT64, "cl_khr_fp64", cln_tensor_create_1d(ctx, CLN_FLOAT64, 4, &t));
    assert_non_null(strstr(cln_last_error(ctx), name));
    TU_FAILS(ctx, CLN_ERR_NO_FLOAT64, "float64 asked of", cln_context_build(ctx, CLN_FLOAT64));
    cln_linreg *m = NULL;
    TU_FAILS(ctx, CLN_ERR_NO_FLOAT64, "cl_khr_fp64", cln_linreg_create(ctx, CLN_FLOAT64, 2, 0.01, 0, &m));
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.dtype = CLN_FLOAT64;
    cln_dataset *ds = NULL;
    TU_FAILS(ctx, CLN_ERR_NO_FLOAT64, "cl_khr_fp64", cln_synthetic_create(ctx, &dc, &ds));
    const double v[4] = {1, 2, 3, 4};
    TU_FAILS(ctx, CLN_ERR_NO_FLOAT64, "cl_khr_fp64", cln_dataset_create(ctx, CLN_FLOAT64, v, v, 4, 1, 3, &ds));
    assert_null(t);
    assert_null(m);
    assert_null(ds);
    assert_int_equal(cln_context_live_objects(ctx), 0);
    /* float32 is unaffected */
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m));
    cln_context_free(ctx);
}

static void device_with_little_memory(void **state)
{
    (void)state;
    cln_context *ctx;
    TU_OK(NULL, cln_context_create(NULL, &ctx));
    /* global memory below the max allocation: the global-memory bound is the one that bites */
    device_of(ctx)->global_mem_bytes = 1024;
    cln_tensor *t = NULL;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 256, &t)); /* exactly 1024 bytes */
    cln_tensor_free(t);
    t = NULL;
    uint64_t before = cln_context_enqueue_count(ctx);
    TU_FAILS(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY, "1028 bytes is more than", cln_tensor_create_1d(ctx, CLN_FLOAT32, 257, &t));
    assert_non_null(strstr(cln_last_error(ctx), "global memory 1024 bytes"));
    assert_null(t);
    /* the same refusal, with the sizes, for what a model or a dataset allocates */
    cln_linreg *m = NULL;
    TU_FAILS(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY, "4000 bytes", cln_linreg_create(ctx, CLN_FLOAT32, 1000, 0.01, 0, &m));
    assert_null(m);
    double *X = calloc(600, sizeof *X);
    cln_dataset *ds = NULL;
    TU_FAILS(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY, "2400 bytes",
             cln_dataset_create_placed(ctx, CLN_FLOAT32, X, X, 300, 2, 200, CLN_PLACE_DEVICE, &ds));
    assert_null(ds);
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.placement = CLN_PLACE_DEVICE;
    TU_FAILS(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY, "16000 bytes", cln_synthetic_create(ctx, &dc, &ds));
    assert_null(ds);
    assert_true(cln_context_enqueue_count(ctx) == before); /* refused before anything ran */
    /* and the max allocation, when it is the smaller bound */
    device_of(ctx)->global_mem_bytes = (uint64_t)1 << 40;
    device_of(ctx)->max_alloc_bytes = 4096;
    TU_FAILS(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY, "max allocation 4096 bytes", cln_tensor_create_2d(ctx, CLN_FLOAT32, 33, 32, &t));
    /* the loader's shuffled order on the device: 1025 rows of 4 bytes */
    cln_loader *l = NULL;
    TU_FAILS(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY, "1025 rows takes 4100 bytes",
             cln_loader_create(ctx, 1025, 32, 1, 0, &l));
    assert_null(l);
    TU_OK(ctx, cln_loader_create(ctx, 1024, 32, 1, 0, &l)); /* 4096 bytes fit */
    cln_loader_free(l);
    TU_OK(ctx, cln_loader_create(ctx, 1025, 32, 0, 0, &l)); /* in order: no index buffer */
    cln_loader_free(l);
    assert_int_equal(cln_context_live_objects(ctx), 0);
    free(X);
    cln_context_free(ctx);
}

/* ---- NaN and infinity in the data ------------------------------------------------------- */

/* X (rows x d) and y of ordinary values. */
static void finite_data(size_t rows, size_t d, double **X, double **y)
{
    *X = tu_normals(rows * d, 31);
    *y = tu_normals(rows, 32);
}

static void nan_and_infinity_in_host_data(void **state)
{
    cln_context *ctx = *state;
    const size_t rows = 1003, d = 3, train = 900; /* ragged: not a multiple of any group size */
    double *X, *y;
    finite_data(rows, d, &X, &y);
    cln_dataset *ds = NULL;
    TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, X, y, rows, d, train, &ds));
    cln_dataset_free(ds);
    ds = NULL;

    X[17 * d + 2] = NAN;
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 17 (training row 17) is the first with a NaN or an infinity, in X",
             cln_dataset_create(ctx, CLN_FLOAT32, X, y, rows, d, train, &ds));
    X[500 * d] = -INFINITY; /* a later bad row does not hide the first */
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 17 (training row 17)", cln_dataset_create(ctx, CLN_FLOAT32, X, y, rows, d, train, &ds));
    y[9] = INFINITY; /* now y's row 9 is the first */
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 9 (training row 9) is the first with a NaN or an infinity, in y",
             cln_dataset_create(ctx, CLN_FLOAT32, X, y, rows, d, train, &ds));
    y[9] = 0.5;
    y[17] = NAN; /* both in the same row */
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 17 (training row 17) is the first with a NaN or an infinity, in X and y",
             cln_dataset_create(ctx, CLN_FLOAT32, X, y, rows, d, train, &ds));
    free(X);
    free(y);

    /* In the validation rows, and the last value of the last row. */
    finite_data(rows, d, &X, &y);
    X[rows * d - 1] = NAN;
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 1002 (validation row 102)", cln_dataset_create(ctx, CLN_FLOAT32, X, y, rows, d, train, &ds));
    X[rows * d - 1] = 1.0;
    /* A double beyond float's range is infinite in a float32 dataset, and fine in float64. */
    X[950 * d + 1] = 1e300;
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 950 (validation row 50) is the first with a NaN or an infinity, in X (as float32",
             cln_dataset_create(ctx, CLN_FLOAT32, X, y, rows, d, train, &ds));
    if (cln_context_device(ctx)->has_float64) {
        TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT64, X, y, rows, d, train, &ds));
        cln_dataset_free(ds);
        ds = NULL;
        X[3] = NAN;
        TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 1 (training row 1) is the first with a NaN or an infinity, in X",
                 cln_dataset_create(ctx, CLN_FLOAT64, X, y, rows, d, train, &ds));
    }
    assert_null(ds);
    assert_int_equal(cln_context_live_objects(ctx), 0); /* the refused datasets were freed */
    free(X);
    free(y);
}

/* cln_tensor_check_finite: on views, both dtypes, the smallest of many bad rows, found on the
 * device (it enqueues), the same answer every time. */
static void check_finite_on_tensors(void **state)
{
    cln_context *ctx = *state;
    const size_t rows = tu_small() ? 1500 : 150001, cols = 7;
    size_t row = 0;
    double *v = tu_normals(rows * cols, 5);
    size_t shape[2] = {rows, cols};
    cln_tensor *t = tu_tensor_from(ctx, CLN_FLOAT32, 2, shape, v);
    TU_OK(ctx, cln_tensor_check_finite(t, &row));
    assert_true(row == SIZE_MAX);
    TU_OK(ctx, cln_tensor_check_finite(t, NULL));
    cln_tensor_free(t);
    /* bad values in every 3rd row from row 1200 on, in all columns: many items race for it */
    for (size_t r = 1200; r < rows; r += 3)
        for (size_t c = 0; c < cols; c++)
            v[r * cols + c] = (r + c) % 2 ? NAN : -INFINITY;
    t = tu_tensor_from(ctx, CLN_FLOAT32, 2, shape, v);
    for (int again = 0; again < 5; again++) {
        uint64_t before = cln_context_enqueue_count(ctx);
        row = 0;
        TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 1200 of", cln_tensor_check_finite(t, &row));
        assert_int_equal(row, 1200);
        assert_true(cln_context_enqueue_count(ctx) >= before + 3); /* write, kernel, read */
    }
    /* a view counts its own rows: rows 1000 .. 1299 of t, bad from its row 200 */
    cln_tensor *view;
    TU_OK(ctx, cln_tensor_view_rows(t, 1000, 300, &view));
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 200 of 300", cln_tensor_check_finite(view, &row));
    assert_int_equal(row, 200);
    cln_tensor_free(view);
    TU_OK(ctx, cln_tensor_view_rows(t, 0, 1200, &view));
    TU_OK(ctx, cln_tensor_check_finite(view, &row));
    assert_true(row == SIZE_MAX);
    cln_tensor_free(view);
    cln_tensor_free(t);
    if (cln_context_device(ctx)->has_float64) {
        double one[5] = {1, 2, 3, 1e300, 4};
        size_t n = 5;
        t = tu_tensor_from(ctx, CLN_FLOAT64, 1, &n, one);
        TU_OK(ctx, cln_tensor_check_finite(t, &row)); /* 1e300 is finite in double */
        one[4] = NAN;
        TU_OK(ctx, cln_tensor_upload(t, one, sizeof one));
        TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 4 of 5", cln_tensor_check_finite(t, &row));
        assert_int_equal(row, 4);
        cln_tensor_free(t);
    }
    free(v);
}

/* ---- the library prints nothing ------------------------------------------------------------ */

static void failures_print_nothing(void **state)
{
    cln_context *ctx = *state;
    fflush(stdout);
    fflush(stderr);
    char path[] = "/tmp/clnum-quiet-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved_out = dup(1), saved_err = dup(2);
    dup2(fd, 1);
    dup2(fd, 2);
    /* a sample of failures of every kind, on and off the device */
    cln_context *none;
    cln_tensor *t;
    cln_status st[6];
    st[0] = cln_context_create("nowhere:0", &none);
    st[1] = cln_tensor_create_1d(ctx, CLN_FLOAT32, 0, &t);
    st[2] = cln_linreg_sgd_step(NULL, 0.1);
    double X[4] = {1, NAN, 3, 4};
    cln_dataset *ds;
    st[3] = cln_dataset_create(ctx, CLN_FLOAT32, X, X, 4, 1, 2, &ds);
    cln_device_selector sel;
    st[4] = cln_device_selector_parse("a:b:c", &sel);
    st[5] = cln_context_build(ctx, 77);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    off_t size = lseek(fd, 0, SEEK_END);
    close(fd);
    unlink(path);
    for (int i = 0; i < 6; i++)
        assert_int_not_equal(st[i], CLN_SUCCESS);
    assert_int_equal(st[3], CLN_ERR_NOT_FINITE);
    assert_int_equal(size, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(null_handles),
        cmocka_unit_test(null_pointers_in_a_context),
        cmocka_unit_test(zero_sizes),
        cmocka_unit_test(shapes_that_do_not_fit),
        cmocka_unit_test(two_contexts_and_two_dtypes),
        cmocka_unit_test(training_configuration),
        cmocka_unit_test(huge_batch_sizes_are_one_full_batch),
        cmocka_unit_test(learning_rates_lost_in_float32),
        cmocka_unit_test(malformed_tuning_is_refused),
        cmocka_unit_test(parameters_that_overflow_on_the_last_step),
        cmocka_unit_test(devices_that_do_not_exist),
        cmocka_unit_test(device_without_float64),
        cmocka_unit_test(device_with_little_memory),
        cmocka_unit_test(nan_and_infinity_in_host_data),
        cmocka_unit_test(check_finite_on_tensors),
        cmocka_unit_test(failures_print_nothing),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
