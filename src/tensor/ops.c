/* General ops: matrix products through CLBlast, element-wise and reductions through
 * clnum's kernels. */
#include <clblast_c.h>

#include "runtime/enqueue.h"
#include "tensor/tensor_impl.h"

cln_status clni_blas_status(cln_context *ctx, int code, const char *what)
{
    if (code == CLBlastSuccess)
        return CLN_SUCCESS;
    if (code > -1024) /* CLBlast passes OpenCL's codes through as they are */
        return clni_fail(ctx, (cln_status)code, "%s: %s (%d)", what, cln_status_str(code), code);
    return clni_fail(ctx, CLN_ERR_BLAS, "%s: CLBlast status %d", what, code);
}

static cln_status check_2d(const cln_tensor *t, const char *fn, const char *name)
{
    if (t->rank != 2)
        return clni_fail(t->ctx, CLN_ERR_SHAPE_MISMATCH, "%s: %s has rank %zu, not 2", fn, name,
                         t->rank);
    return CLN_SUCCESS;
}

cln_status cln_matmul(const cln_tensor *a, const cln_tensor *b, cln_tensor *c)
{
    const char *fn = "cln_matmul";
    CLNI_CHECK(clni_check_ptr(NULL, a, fn, "a"));
    CLNI_CHECK(clni_check_ptr(a->ctx, b, fn, "b"));
    CLNI_CHECK(clni_check_ptr(a->ctx, c, fn, "c"));
    CLNI_CHECK(clni_check_same(a, b, fn));
    CLNI_CHECK(clni_check_same(a, c, fn));
    CLNI_CHECK(check_2d(a, fn, "a"));
    CLNI_CHECK(check_2d(b, fn, "b"));
    CLNI_CHECK(check_2d(c, fn, "c"));
    size_t m = a->shape[0], k = a->shape[1], n = b->shape[1];
    if (b->shape[0] != k || c->shape[0] != m || c->shape[1] != n)
        return clni_fail(a->ctx, CLN_ERR_SHAPE_MISMATCH,
                         "%s: (%zu x %zu) times (%zu x %zu) does not give (%zu x %zu)", fn, m, k,
                         b->shape[0], n, c->shape[0], c->shape[1]);
    cl_command_queue q = a->ctx->queue;
    int code = a->dtype == CLN_FLOAT64
                   ? CLBlastDgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo,
                                  m, n, k, 1.0, a->buffer, a->offset, k, b->buffer, b->offset, n,
                                  0.0, c->buffer, c->offset, n, &q, NULL)
                   : CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo,
                                  m, n, k, 1.0f, a->buffer, a->offset, k, b->buffer, b->offset, n,
                                  0.0f, c->buffer, c->offset, n, &q, NULL);
    clni_count_enqueue(a->ctx);
    return clni_blas_status(a->ctx, code, fn);
}

cln_status cln_gemv(int transpose_a, double alpha, const cln_tensor *a, const cln_tensor *x,
                    double beta, cln_tensor *y)
{
    const char *fn = "cln_gemv";
    CLNI_CHECK(clni_check_ptr(NULL, a, fn, "a"));
    CLNI_CHECK(clni_check_ptr(a->ctx, x, fn, "x"));
    CLNI_CHECK(clni_check_ptr(a->ctx, y, fn, "y"));
    CLNI_CHECK(clni_check_same(a, x, fn));
    CLNI_CHECK(clni_check_same(a, y, fn));
    CLNI_CHECK(check_2d(a, fn, "a"));
    size_t m = a->shape[0], n = a->shape[1];
    size_t in = transpose_a ? m : n, out = transpose_a ? n : m;
    if (x->numel != in || y->numel != out)
        return clni_fail(a->ctx, CLN_ERR_SHAPE_MISMATCH,
                         "%s: %s(%zu x %zu) needs x of %zu and y of %zu, not %zu and %zu", fn,
                         transpose_a ? "transposed " : "", m, n, in, out, x->numel, y->numel);
    cl_command_queue q = a->ctx->queue;
    CLBlastTranspose tr = transpose_a ? CLBlastTransposeYes : CLBlastTransposeNo;
    int code = a->dtype == CLN_FLOAT64
                   ? CLBlastDgemv(CLBlastLayoutRowMajor, tr, m, n, alpha, a->buffer, a->offset, n,
                                  x->buffer, x->offset, 1, beta, y->buffer, y->offset, 1, &q, NULL)
                   : CLBlastSgemv(CLBlastLayoutRowMajor, tr, m, n, (float)alpha, a->buffer,
                                  a->offset, n, x->buffer, x->offset, 1, (float)beta, y->buffer,
                                  y->offset, 1, &q, NULL);
    clni_count_enqueue(a->ctx);
    return clni_blas_status(a->ctx, code, fn);
}

cln_status cln_axpy(double alpha, const cln_tensor *x, cln_tensor *y)
{
    const char *fn = "cln_axpy";
    CLNI_CHECK(clni_check_ptr(NULL, x, fn, "x"));
    CLNI_CHECK(clni_check_ptr(x->ctx, y, fn, "y"));
    CLNI_CHECK(clni_check_same(x, y, fn));
    if (x->numel != y->numel)
        return clni_fail(x->ctx, CLN_ERR_SHAPE_MISMATCH, "%s: x has %zu elements, y %zu", fn,
                         x->numel, y->numel);
    clni_real a = clni_real_make(x->dtype, alpha);
    cl_ulong xo = x->offset, yo = y->offset, n = x->numel;
    return clni_launch(x->ctx, x->dtype, CLNI_K_AXPY, x->numel, x->ctx->wg,
                       CLNI_ARGS(CLNI_REAL(a), CLNI_ARG(x->buffer), CLNI_ARG(xo),
                                 CLNI_ARG(y->buffer), CLNI_ARG(yo), CLNI_ARG(n)));
}

cln_status cln_scale(double alpha, cln_tensor *x)
{
    CLNI_CHECK(clni_check_ptr(NULL, x, "cln_scale", "x"));
    clni_real a = clni_real_make(x->dtype, alpha);
    cl_ulong xo = x->offset, n = x->numel;
    return clni_launch(x->ctx, x->dtype, CLNI_K_SCALE, x->numel, x->ctx->wg,
                       CLNI_ARGS(CLNI_REAL(a), CLNI_ARG(x->buffer), CLNI_ARG(xo), CLNI_ARG(n)));
}

/* out[0] = scale * sum(x): partial sums per group, then one group sums them in order. */
static cln_status reduce_sum(const cln_tensor *x, cln_tensor *out, double scale, const char *fn)
{
    CLNI_CHECK(clni_check_ptr(NULL, x, fn, "x"));
    CLNI_CHECK(clni_check_ptr(x->ctx, out, fn, "out"));
    CLNI_CHECK(clni_check_same(x, out, fn));
    cln_context *ctx = x->ctx;
    size_t wg = ctx->wg;
    size_t groups = (x->numel + wg - 1) / wg;
    if (groups > 4 * wg) /* enough groups to fill a GPU; few enough for one final group */
        groups = 4 * wg;
    cl_ulong chunk = (x->numel + groups - 1) / groups;
    groups = (x->numel + chunk - 1) / chunk;
    cl_mem partial;
    CLNI_CHECK(clni_scratch(ctx, groups * cln_dtype_size(x->dtype), &partial));
    cl_ulong xo = x->offset, n = x->numel, oo = out->offset;
    cl_uint count = (cl_uint)groups;
    clni_real s = clni_real_make(x->dtype, scale);
    CLNI_CHECK(clni_launch(ctx, x->dtype, CLNI_K_SUM_PARTIAL, groups * wg, wg,
                           CLNI_ARGS(CLNI_ARG(x->buffer), CLNI_ARG(xo), CLNI_ARG(n),
                                     CLNI_ARG(chunk), CLNI_ARG(partial))));
    return clni_launch(ctx, x->dtype, CLNI_K_SUM_FINAL, wg, wg,
                       CLNI_ARGS(CLNI_ARG(partial), CLNI_ARG(count), CLNI_REAL(s),
                                 CLNI_ARG(out->buffer), CLNI_ARG(oo)));
}

cln_status cln_sum(const cln_tensor *x, cln_tensor *out)
{
    return reduce_sum(x, out, 1.0, "cln_sum");
}

cln_status cln_mean(const cln_tensor *x, cln_tensor *out)
{
    return reduce_sum(x, out, x ? 1.0 / (double)x->numel : 1.0, "cln_mean");
}
