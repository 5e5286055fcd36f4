/* Host-resident datasets: rows that cln_fit streams to the device in chunks (train/stream.c),
 * a converted copy of the caller's or the caller's own, and the rule that places rows there
 * when they would not fit on the device. */
#define _DEFAULT_SOURCE /* _SC_PHYS_PAGES */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/data_impl.h"

int clni_rows_fit_device(const cln_context *ctx, cln_dtype dtype, size_t rows, size_t d,
                         size_t num_train)
{
    double es = (double)cln_dtype_size(dtype);
    double x = (double)rows * (double)d * es, y = (double)rows * es;
    double order = 4.0 * (double)num_train;
    return x <= (double)ctx->info.max_alloc_bytes && y <= (double)ctx->info.max_alloc_bytes &&
           x + y + order <= 0.75 * (double)ctx->info.global_mem_bytes;
}

/* The first row (of rows of `cols` values of dtype) holding a NaN or an infinity, or
 * SIZE_MAX. */
static size_t first_nonfinite(const void *v, cln_dtype dtype, size_t rows, size_t cols)
{
    size_t n = rows * cols;
    if (dtype == CLN_FLOAT64) {
        const double *p = v;
        for (size_t i = 0; i < n; i++)
            if (!isfinite(p[i]))
                return i / cols;
    } else {
        const float *p = v;
        for (size_t i = 0; i < n; i++)
            if (!isfinite(p[i]))
                return i / cols;
    }
    return SIZE_MAX;
}

/* cln_dataset_create's check (dataset.c), on the host; converted: the values were doubles
 * converted to dtype. */
static cln_status check_finite_host(cln_context *ctx, cln_dtype dtype, const void *X,
                                    const void *y, size_t rows, size_t d, size_t num_train,
                                    int converted, const char *fn)
{
    size_t bad_x = first_nonfinite(X, dtype, rows, d), bad_y = first_nonfinite(y, dtype, rows, 1);
    if (bad_x == SIZE_MAX && bad_y == SIZE_MAX)
        return CLN_SUCCESS;
    size_t row = bad_x < bad_y ? bad_x : bad_y;
    int val = row >= num_train;
    return clni_fail(ctx, CLN_ERR_NOT_FINITE,
                     "%s: row %zu (%s row %zu) is the first with a NaN or an infinity, in %s%s",
                     fn, row, val ? "validation" : "training", val ? row - num_train : row,
                     bad_x == bad_y ? "X and y" : bad_x < bad_y ? "X" : "y",
                     converted && dtype == CLN_FLOAT32
                         ? " (as float32: beyond +-3.4e38 is infinite)" : "");
}

/* Rows kept on the host must fit in its memory: refused with the sizes before malloc is tried
 * (beyond physical memory it would fail, or succeed and leave the process to be killed when
 * the rows are written). */
cln_status clni_check_host_room(cln_context *ctx, cln_dtype dtype, size_t rows, size_t d,
                                  const char *fn)
{
    double bytes = (double)rows * (double)(d + 1) * (double)cln_dtype_size(dtype);
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) /* not known here: malloc will say */
        return CLN_SUCCESS;
    double phys = (double)pages * (double)page;
    if (bytes <= phys)
        return CLN_SUCCESS;
    return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY,
                     "%s: %zu rows of %zu inputs take %.0f bytes on the host, more than its "
                     "%.0f bytes of memory", fn, rows, d, bytes, phys);
}

cln_status clni_check_host_shape(cln_context *ctx, cln_dtype dtype, size_t num_rows,
                              size_t num_inputs, size_t num_train, const char *fn)
{
    if (dtype != CLN_FLOAT32 && dtype != CLN_FLOAT64)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: unknown dtype %d", fn, (int)dtype);
    if (dtype == CLN_FLOAT64 && !ctx->info.has_float64)
        return clni_fail(ctx, CLN_ERR_NO_FLOAT64, "%s: float64 asked of %s, which has no "
                         "cl_khr_fp64", fn, ctx->info.device_name);
    if (num_train > num_rows)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: num_train %zu is more than the %zu rows",
                         fn, num_train, num_rows);
    if (num_inputs > 0 && num_rows > SIZE_MAX / 8 / num_inputs)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: %zu x %zu values overflow", fn, num_rows,
                         num_inputs);
    return CLN_SUCCESS;
}

cln_status clni_dataset_create_host(cln_context *ctx, cln_dtype dtype, const double *X,
                                    const double *y, size_t num_rows, size_t num_inputs,
                                    size_t num_train, const char *fn, cln_dataset **out)
{
    CLNI_CHECK(clni_check_host_shape(ctx, dtype, num_rows, num_inputs, num_train, fn));
    CLNI_CHECK(clni_check_host_room(ctx, dtype, num_rows, num_inputs, fn));
    cln_dataset *ds;
    CLNI_CHECK(clni_dataset_new(ctx, dtype, num_inputs, num_train, num_rows - num_train, 1, fn,
                                &ds));
    size_t es = cln_dtype_size(dtype), n = num_rows * num_inputs;
    void *hx = malloc(n > 0 ? n * es : 1), *hy = malloc(num_rows > 0 ? num_rows * es : 1);
    clni_dataset_set_host(ds, hx, hy, 1);
    if (!hx || !hy) {
        cln_dataset_free(ds);
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY,
                         "%s: out of host memory for %zu rows kept on the host", fn, num_rows);
    }
    clni_doubles_to_dtype(hx, dtype, X, n);
    clni_doubles_to_dtype(hy, dtype, y, num_rows);
    cln_status st = check_finite_host(ctx, dtype, hx, hy, num_rows, num_inputs, num_train, 1,
                                      fn);
    if (st != CLN_SUCCESS) {
        cln_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CLN_SUCCESS;
}

cln_status cln_dataset_wrap_host(cln_context *ctx, cln_dtype dtype, const void *X, const void *y,
                                 size_t num_rows, size_t num_inputs, size_t num_train,
                                 cln_dataset **out)
{
    const char *fn = "cln_dataset_wrap_host";
    CLNI_CHECK(clni_check_ptr(NULL, ctx, fn, "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, X, fn, "X"));
    CLNI_CHECK(clni_check_ptr(ctx, y, fn, "y"));
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    CLNI_CHECK(clni_check_host_shape(ctx, dtype, num_rows, num_inputs, num_train, fn));
    CLNI_CHECK(check_finite_host(ctx, dtype, X, y, num_rows, num_inputs, num_train, 0, fn));
    cln_dataset *ds;
    CLNI_CHECK(clni_dataset_new(ctx, dtype, num_inputs, num_train, num_rows - num_train, 1, fn,
                                &ds));
    clni_dataset_set_host(ds, (void *)X, (void *)y, 0);
    *out = ds;
    return CLN_SUCCESS;
}
