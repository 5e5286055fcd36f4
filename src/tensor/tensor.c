/* Tensors: a cl_mem, a dtype, a row-major shape and an element offset. */
#include <stdlib.h>
#include <string.h>

#include "runtime/enqueue.h"
#include "tensor/tensor_impl.h"

static void destroy_registered(clni_object *obj)
{
    clni_tensor_destroy((cln_tensor *)obj);
}

void clni_tensor_destroy(cln_tensor *t)
{
    if (!t)
        return;
    if (t->registered)
        clni_unregister(t->ctx, &t->obj);
    if (t->buffer)
        clReleaseMemObject(t->buffer);
    free(t);
}

void cln_tensor_free(cln_tensor *t) { clni_tensor_destroy(t); }

/* Checks a shape and returns its element count in *numel. */
static cln_status check_shape(cln_context *ctx, cln_dtype dtype, size_t rank, const size_t *shape,
                              size_t *numel)
{
    if (dtype != CLN_FLOAT32 && dtype != CLN_FLOAT64)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "cln_tensor_create: unknown dtype %d",
                         (int)dtype);
    if (dtype == CLN_FLOAT64 && !ctx->info.has_float64)
        return clni_fail(ctx, CLN_ERR_NO_FLOAT64,
                         "cln_tensor_create: float64 asked of %s, which has no cl_khr_fp64",
                         ctx->info.device_name);
    if (rank < 1 || rank > CLN_MAX_RANK)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "cln_tensor_create: rank %zu is outside 1..%d", rank, CLN_MAX_RANK);
    CLNI_CHECK(clni_check_ptr(ctx, shape, "cln_tensor_create", "shape"));
    size_t n = 1;
    for (size_t i = 0; i < rank; i++) {
        if (shape[i] == 0)
            return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                             "cln_tensor_create: dimension %zu is 0", i);
        if (n > SIZE_MAX / shape[i] / cln_dtype_size(dtype))
            return clni_fail(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY,
                             "cln_tensor_create: the shape's size overflows size_t");
        n *= shape[i];
    }
    uint64_t bytes = (uint64_t)n * cln_dtype_size(dtype);
    if (bytes > ctx->info.max_alloc_bytes || bytes > ctx->info.global_mem_bytes)
        return clni_fail(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY,
                         "cln_tensor_create: %llu bytes is more than %s allows in one buffer "
                         "(max allocation %llu bytes, global memory %llu bytes)",
                         (unsigned long long)bytes, ctx->info.device_name,
                         (unsigned long long)ctx->info.max_alloc_bytes,
                         (unsigned long long)ctx->info.global_mem_bytes);
    *numel = n;
    return CLN_SUCCESS;
}

cln_status clni_tensor_new(cln_context *ctx, cln_dtype dtype, size_t rank, const size_t *shape,
                           int registered, cln_tensor **out)
{
    size_t numel = 0;
    CLNI_CHECK(check_shape(ctx, dtype, rank, shape, &numel));
    cln_tensor *t = calloc(1, sizeof *t);
    if (!t)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_tensor_create: out of memory");
    cl_int err;
    t->buffer = clni_create_buffer(ctx, numel * cln_dtype_size(dtype), &err);
    if (err != CL_SUCCESS) {
        free(t);
        if (err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES ||
            err == CL_INVALID_BUFFER_SIZE)
            return clni_fail(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY,
                             "cln_tensor_create: %s could not allocate %zu bytes: %s (%d)",
                             ctx->info.device_name, numel * cln_dtype_size(dtype),
                             cln_status_str(err), (int)err);
        return clni_cl_fail(ctx, err, "clCreateBuffer");
    }
    t->ctx = ctx;
    t->dtype = dtype;
    t->rank = rank;
    memcpy(t->shape, shape, rank * sizeof *shape);
    t->numel = numel;
    t->registered = registered;
    if (registered)
        clni_register(ctx, &t->obj, destroy_registered);
    *out = t;
    return CLN_SUCCESS;
}

cln_status cln_tensor_create(cln_context *ctx, cln_dtype dtype, size_t rank, const size_t *shape,
                             cln_tensor **out)
{
    CLNI_CHECK(clni_check_ptr(NULL, ctx, "cln_tensor_create", "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, out, "cln_tensor_create", "out"));
    *out = NULL;
    return clni_tensor_new(ctx, dtype, rank, shape, 1, out);
}

cln_status cln_tensor_create_1d(cln_context *ctx, cln_dtype dtype, size_t n, cln_tensor **out)
{
    return cln_tensor_create(ctx, dtype, 1, &n, out);
}

cln_status cln_tensor_create_2d(cln_context *ctx, cln_dtype dtype, size_t rows, size_t cols,
                                cln_tensor **out)
{
    size_t shape[2] = {rows, cols};
    return cln_tensor_create(ctx, dtype, 2, shape, out);
}

cln_status clni_tensor_view(cln_tensor *t, size_t first, size_t count, int registered,
                            cln_tensor **out)
{
    if (count == 0 || first > t->shape[0] || count > t->shape[0] - first)
        return clni_fail(t->ctx, CLN_ERR_BAD_ARGUMENT,
                         "cln_tensor_view_rows: rows [%zu, %zu) are not inside the %zu rows",
                         first, first + count, t->shape[0]);
    cln_tensor *v = calloc(1, sizeof *v);
    if (!v)
        return clni_fail(t->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_tensor_view_rows: out of memory");
    *v = *t;
    memset(&v->obj, 0, sizeof v->obj);
    size_t row_elems = t->numel / t->shape[0];
    v->shape[0] = count;
    v->numel = count * row_elems;
    v->offset = t->offset + first * row_elems;
    v->registered = registered;
    clRetainMemObject(v->buffer);
    if (registered)
        clni_register(t->ctx, &v->obj, destroy_registered);
    *out = v;
    return CLN_SUCCESS;
}

cln_status cln_tensor_view_rows(cln_tensor *t, size_t first, size_t count, cln_tensor **out)
{
    CLNI_CHECK(clni_check_ptr(NULL, t, "cln_tensor_view_rows", "t"));
    CLNI_CHECK(clni_check_ptr(t->ctx, out, "cln_tensor_view_rows", "out"));
    *out = NULL;
    return clni_tensor_view(t, first, count, 1, out);
}

static cln_status check_nbytes(const cln_tensor *t, const void *host, size_t nbytes,
                               const char *fn)
{
    CLNI_CHECK(clni_check_ptr(NULL, t, fn, "tensor"));
    CLNI_CHECK(clni_check_ptr(t->ctx, host, fn, "host"));
    if (nbytes != cln_tensor_nbytes(t))
        return clni_fail(t->ctx, CLN_ERR_SHAPE_MISMATCH,
                         "%s: %zu bytes given for a tensor of %zu bytes", fn, nbytes,
                         cln_tensor_nbytes(t));
    return CLN_SUCCESS;
}

cln_status cln_tensor_upload(cln_tensor *t, const void *host, size_t nbytes)
{
    CLNI_CHECK(check_nbytes(t, host, nbytes, "cln_tensor_upload"));
    return clni_enqueue_write(t->ctx, t->ctx->queue, t->buffer, CL_TRUE,
                              t->offset * cln_dtype_size(t->dtype), nbytes, host, 0, NULL, NULL,
                              "cln_tensor_upload");
}

cln_status cln_tensor_download(const cln_tensor *t, void *host, size_t nbytes)
{
    CLNI_CHECK(check_nbytes(t, host, nbytes, "cln_tensor_download"));
    return clni_enqueue_read(t->ctx, t->buffer, CL_TRUE, t->offset * cln_dtype_size(t->dtype),
                             nbytes, host, NULL, "cln_tensor_download");
}

cln_status cln_tensor_download_f64(const cln_tensor *t, double *host, size_t count)
{
    CLNI_CHECK(clni_check_ptr(NULL, t, "cln_tensor_download_f64", "tensor"));
    if (count != t->numel)
        return clni_fail(t->ctx, CLN_ERR_SHAPE_MISMATCH,
                         "cln_tensor_download_f64: %zu values asked of a tensor of %zu", count,
                         t->numel);
    if (t->dtype == CLN_FLOAT64)
        return cln_tensor_download(t, host, count * sizeof(double));
    CLNI_CHECK(clni_check_ptr(t->ctx, host, "cln_tensor_download_f64", "host"));
    float *tmp = malloc(count * sizeof *tmp);
    if (!tmp)
        return clni_fail(t->ctx, CLN_ERR_OUT_OF_HOST_MEMORY,
                         "cln_tensor_download_f64: out of memory");
    cln_status st = cln_tensor_download(t, tmp, count * sizeof *tmp);
    if (st == CLN_SUCCESS)
        clni_dtype_to_doubles(host, CLN_FLOAT32, tmp, count);
    free(tmp);
    return st;
}

cln_status clni_tensor_upload_doubles(cln_tensor *t, const double *src, size_t n)
{
    if (t->dtype == CLN_FLOAT64)
        return cln_tensor_upload(t, src, n * sizeof(double));
    float *tmp = malloc(n ? n * sizeof *tmp : 1);
    if (!tmp)
        return clni_fail(t->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "uploading data: out of memory");
    clni_doubles_to_dtype(tmp, CLN_FLOAT32, src, n);
    cln_status st = cln_tensor_upload(t, tmp, n * sizeof(float));
    free(tmp);
    return st;
}

cln_status cln_tensor_fill(cln_tensor *t, double value)
{
    CLNI_CHECK(clni_check_ptr(NULL, t, "cln_tensor_fill", "t"));
    cl_ulong offset = t->offset, n = t->numel;
    clni_real v = clni_real_make(t->dtype, value);
    return clni_launch(t->ctx, t->dtype, CLNI_K_FILL, n, t->ctx->wg,
                       CLNI_ARGS(CLNI_ARG(t->buffer), CLNI_ARG(offset), CLNI_ARG(n), CLNI_REAL(v)));
}

cln_status cln_tensor_randn(cln_tensor *t, double mean, double std, uint64_t seed,
                            uint32_t stream)
{
    CLNI_CHECK(clni_check_ptr(NULL, t, "cln_tensor_randn", "t"));
    cl_ulong offset = t->offset, n = t->numel, s = seed;
    cl_uint st = stream;
    clni_real m = clni_real_make(t->dtype, mean), sd = clni_real_make(t->dtype, std);
    return clni_launch(t->ctx, t->dtype, CLNI_K_RANDN, (t->numel + 3) / 4, t->ctx->wg,
                       CLNI_ARGS(CLNI_ARG(t->buffer), CLNI_ARG(offset), CLNI_ARG(n), CLNI_REAL(m),
                                 CLNI_REAL(sd), CLNI_ARG(s), CLNI_ARG(st)));
}

cln_context *cln_tensor_context(const cln_tensor *t) { return t ? t->ctx : NULL; }
cln_dtype cln_tensor_dtype(const cln_tensor *t) { return t ? t->dtype : CLN_FLOAT32; }
size_t cln_tensor_rank(const cln_tensor *t) { return t ? t->rank : 0; }
size_t cln_tensor_dim(const cln_tensor *t, size_t axis)
{
    return t && axis < t->rank ? t->shape[axis] : 0;
}
size_t cln_tensor_numel(const cln_tensor *t) { return t ? t->numel : 0; }
size_t cln_tensor_nbytes(const cln_tensor *t) { return t ? t->numel * cln_dtype_size(t->dtype) : 0; }
cl_mem cln_tensor_buffer(const cln_tensor *t) { return t ? t->buffer : NULL; }
size_t cln_tensor_offset(const cln_tensor *t) { return t ? t->offset : 0; }

cln_status clni_check_same(const cln_tensor *a, const cln_tensor *b, const char *fn)
{
    if (a->ctx != b->ctx)
        return clni_fail(a->ctx, CLN_ERR_BAD_ARGUMENT, "%s: tensors from two contexts", fn);
    if (a->dtype != b->dtype)
        return clni_fail(a->ctx, CLN_ERR_BAD_ARGUMENT, "%s: tensors of two dtypes", fn);
    return CLN_SUCCESS;
}
