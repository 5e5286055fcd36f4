/* NaN and infinity, found on the device (cl/tensor/check.cl): the first row of a tensor that holds
 * one. cln_dataset_create() runs it on host data; cln_tensor_check_finite() is the public
 * form. */
#include "runtime/enqueue.h"
#include "tensor/tensor_impl.h"

/* Rows per launch: a row index relative to the launch fits a uint below UINT_MAX ("none"). */
#define ROWS_PER_LAUNCH ((size_t)UINT32_MAX - 1)

cln_status clni_first_nonfinite_row(const cln_tensor *t, size_t *row)
{
    cln_context *ctx = t->ctx;
    size_t rows = t->shape[0], cols = t->numel / rows;
    *row = SIZE_MAX;
    cl_mem result;
    CLNI_CHECK(clni_scratch(ctx, sizeof(cl_uint), &result));
    for (size_t first = 0; first < rows; first += ROWS_PER_LAUNCH) {
        size_t count = rows - first < ROWS_PER_LAUNCH ? rows - first : ROWS_PER_LAUNCH;
        cl_uint found = UINT32_MAX;
        CLNI_CHECK(clni_enqueue_write(ctx, ctx->queue, result, CL_TRUE, 0, sizeof found, &found,
                                      0, NULL, NULL,
                                      "checking for NaN and infinity: clEnqueueWriteBuffer"));
        cl_ulong offset = t->offset + first * cols, n = count * cols, c = cols;
        CLNI_CHECK(clni_launch(ctx, t->dtype, CLNI_K_CHECK_FINITE, n, ctx->wg,
                               CLNI_ARGS(CLNI_ARG(t->buffer), CLNI_ARG(offset), CLNI_ARG(n),
                                         CLNI_ARG(c), CLNI_ARG(result))));
        CLNI_CHECK(clni_enqueue_read(ctx, result, CL_TRUE, 0, sizeof found, &found, NULL,
                                     "checking for NaN and infinity: clEnqueueReadBuffer"));
        if (found != UINT32_MAX) {
            *row = first + found;
            return CLN_SUCCESS;
        }
    }
    return CLN_SUCCESS;
}

cln_status cln_tensor_check_finite(const cln_tensor *t, size_t *first_bad_row)
{
    CLNI_CHECK(clni_check_ptr(NULL, t, "cln_tensor_check_finite", "t"));
    size_t row;
    if (first_bad_row)
        *first_bad_row = SIZE_MAX;
    CLNI_CHECK(clni_first_nonfinite_row(t, &row));
    if (first_bad_row)
        *first_bad_row = row;
    if (row == SIZE_MAX)
        return CLN_SUCCESS;
    return clni_fail(t->ctx, CLN_ERR_NOT_FINITE,
                     "cln_tensor_check_finite: row %zu of %zu is the first with a NaN or an "
                     "infinity", row, t->shape[0]);
}
