/* Tensors: shapes, upload and download, fill, row views, float64, and bad requests. */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static void roundtrip_and_shape(void **state)
{
    cln_context *ctx = *state;
    size_t shape[3] = {7, 3, 5};
    cln_tensor *t;
    TU_OK(ctx, cln_tensor_create(ctx, CLN_FLOAT32, 3, shape, &t));
    assert_int_equal(cln_tensor_rank(t), 3);
    assert_int_equal(cln_tensor_dim(t, 1), 3);
    assert_int_equal(cln_tensor_dim(t, 3), 0);
    assert_int_equal(cln_tensor_numel(t), 105);
    assert_int_equal(cln_tensor_nbytes(t), 420);
    float in[105], out[105];
    for (int i = 0; i < 105; i++)
        in[i] = (float)i * 0.5f - 3.0f;
    TU_OK(ctx, cln_tensor_upload(t, in, sizeof in));
    memset(out, 0, sizeof out);
    TU_OK(ctx, cln_tensor_download(t, out, sizeof out));
    assert_memory_equal(in, out, sizeof in);
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "104 bytes", cln_tensor_upload(t, in, 104));
    cln_tensor_free(t);
}

static void fill_and_views(void **state)
{
    cln_context *ctx = *state;
    cln_tensor *m, *rows, *sub;
    TU_OK(ctx, cln_tensor_create_2d(ctx, CLN_FLOAT32, 10, 3, &m));
    TU_OK(ctx, cln_tensor_fill(m, 1.0));
    TU_OK(ctx, cln_tensor_view_rows(m, 4, 5, &rows));  /* rows 4..8 */
    assert_int_equal(cln_tensor_dim(rows, 0), 5);
    assert_int_equal(cln_tensor_offset(rows), 12);
    TU_OK(ctx, cln_tensor_view_rows(rows, 1, 2, &sub)); /* rows 5..6 of m */
    assert_int_equal(cln_tensor_offset(sub), 15);
    TU_OK(ctx, cln_tensor_fill(sub, 7.0));
    cln_tensor_free(rows);   /* a view outlives its parent */
    cln_tensor_free(m);
    double *v = tu_download(ctx, sub);
    for (int i = 0; i < 6; i++)
        assert_true(v[i] == 7.0);
    free(v);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "not inside", cln_tensor_view_rows(sub, 1, 2, &rows));
    cln_tensor_free(sub);
}

static void view_writes_only_its_rows(void **state)
{
    cln_context *ctx = *state;
    cln_tensor *m, *rows;
    TU_OK(ctx, cln_tensor_create_2d(ctx, CLN_FLOAT32, 6, 2, &m));
    TU_OK(ctx, cln_tensor_fill(m, 0.0));
    TU_OK(ctx, cln_tensor_view_rows(m, 2, 3, &rows));
    float in[6] = {1, 2, 3, 4, 5, 6};
    TU_OK(ctx, cln_tensor_upload(rows, in, sizeof in));
    double *v = tu_download(ctx, m);
    const double want[12] = {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0};
    TU_ASSERT_CLOSE(v, want, 12, 0, 0);
    free(v);
    cln_context_free(NULL);
    cln_tensor_free(NULL);
    cln_tensor_free(rows);
    cln_tensor_free(m);
}

static void float64(void **state)
{
    cln_context *ctx = *state;
    cln_tensor *t;
    if (!cln_context_device(ctx)->has_float64) {
        TU_FAILS(ctx, CLN_ERR_NO_FLOAT64, "cl_khr_fp64", cln_tensor_create_1d(ctx, CLN_FLOAT64, 4, &t));
        return;
    }
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT64, 3, &t));
    const double in[3] = {1.0 / 3.0, -2e-300, 1e300};
    double out[3];
    TU_OK(ctx, cln_tensor_upload(t, in, sizeof in));
    TU_OK(ctx, cln_tensor_download(t, out, sizeof out));
    assert_memory_equal(in, out, sizeof in);
    TU_OK(ctx, cln_tensor_fill(t, 1.0 / 7.0));
    TU_OK(ctx, cln_tensor_download(t, out, sizeof out));
    assert_true(out[2] == 1.0 / 7.0); /* exactly: the fill ran in double */
    cln_tensor_free(t);
}

static void bad_requests(void **state)
{
    cln_context *ctx = *state;
    cln_tensor *t = NULL;
    size_t shape[5] = {1, 1, 1, 1, 1};
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "rank 5", cln_tensor_create(ctx, CLN_FLOAT32, 5, shape, &t));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "rank 0", cln_tensor_create(ctx, CLN_FLOAT32, 0, shape, &t));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "dtype", cln_tensor_create(ctx, (cln_dtype)7, 1, shape, &t));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "shape is NULL", cln_tensor_create(ctx, CLN_FLOAT32, 1, NULL, &t));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "ctx is NULL", cln_tensor_create(NULL, CLN_FLOAT32, 1, shape, &t));
    assert_null(t);
    /* Larger than the device allows: refused with the sizes, before any allocation. */
    const cln_device_info *dev = cln_context_device(ctx);
    size_t too_many = (size_t)(dev->max_alloc_bytes / 4) + 1;
    TU_FAILS(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY, "max allocation",
             cln_tensor_create_1d(ctx, CLN_FLOAT32, too_many, &t));
    size_t huge[2] = {SIZE_MAX / 2, 4};
    TU_FAILS(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY, "overflows",
             cln_tensor_create(ctx, CLN_FLOAT32, 2, huge, &t));
    assert_null(t);
}

/* Tensors left alive are freed with their context. */
static void context_frees_its_tensors(void **state)
{
    (void)state;
    cln_context *ctx;
    assert_int_equal(cln_context_create(NULL, &ctx), CLN_SUCCESS);
    cln_tensor *a, *b, *v;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 100, &a));
    TU_OK(ctx, cln_tensor_create_2d(ctx, CLN_FLOAT32, 10, 10, &b));
    TU_OK(ctx, cln_tensor_view_rows(b, 2, 3, &v));
    TU_OK(ctx, cln_tensor_fill(a, 2.0));
    cln_tensor_free(b);
    cln_context_free(ctx); /* frees a and v; a leak checker would see otherwise */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roundtrip_and_shape),
        cmocka_unit_test(fill_and_views),
        cmocka_unit_test(view_writes_only_its_rows),
        cmocka_unit_test(float64),
        cmocka_unit_test(bad_requests),
        cmocka_unit_test(context_frees_its_tensors),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
