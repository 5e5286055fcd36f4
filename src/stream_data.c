/* Host-resident datasets (rows that cln_fit streams to the device in chunks, src/stream.c)
 * and synthetic data drawn a range of rows at a time (a rank's shard, or rows kept on the
 * host). The dataset object itself is dataset.c's. */
#define _DEFAULT_SOURCE /* _SC_PHYS_PAGES */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Philox streams of a synthetic dataset's seed (dataset.c). */
enum { STREAM_X = 0, STREAM_NOISE = 1 };

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
static cln_status check_host_room(cln_context *ctx, cln_dtype dtype, size_t rows, size_t d,
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

static cln_status check_shape(cln_context *ctx, cln_dtype dtype, size_t num_rows,
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
    CLNI_CHECK(check_shape(ctx, dtype, num_rows, num_inputs, num_train, fn));
    CLNI_CHECK(check_host_room(ctx, dtype, num_rows, num_inputs, fn));
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
    if (dtype == CLN_FLOAT64) {
        memcpy(hx, X, n * es);
        memcpy(hy, y, num_rows * es);
    } else {
        float *fx = hx, *fy = hy;
        for (size_t i = 0; i < n; i++)
            fx[i] = (float)X[i];
        for (size_t i = 0; i < num_rows; i++)
            fy[i] = (float)y[i];
    }
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
    CLNI_CHECK(check_shape(ctx, dtype, num_rows, num_inputs, num_train, fn));
    CLNI_CHECK(check_finite_host(ctx, dtype, X, y, num_rows, num_inputs, num_train, 0, fn));
    cln_dataset *ds;
    CLNI_CHECK(clni_dataset_new(ctx, dtype, num_inputs, num_train, num_rows - num_train, 1, fn,
                                &ds));
    clni_dataset_set_host(ds, (void *)X, (void *)y, 0);
    *out = ds;
    return CLN_SUCCESS;
}

/* ---- synthetic rows by range --------------------------------------------------------- */

/* Enqueues rows [first_row, first_row + rows) of the synthetic data into X and y at element
 * offsets x_off and y_off: X's normal numbers, then the targets. */
static cln_status draw_rows(cln_context *ctx, const cln_synthetic_config *cfg, cl_mem X,
                            size_t x_off, cl_mem y, size_t y_off, size_t first_row, size_t rows,
                            cl_mem w)
{
    size_t d = cfg->num_inputs;
    cl_ulong xo = x_off, yo = y_off, fr = first_row, seed = cfg->seed;
    cl_ulong first = (cl_ulong)first_row * d, n = (cl_ulong)rows * d;
    cl_uint xs = STREAM_X, ns = STREAM_NOISE, count = (cl_uint)rows, dd = (cl_uint)d;
    size_t blocks = (size_t)((first + n + 3) / 4 - first / 4);
    CLNI_CHECK(clni_launch(ctx, cfg->dtype, CLNI_K_RANDN_RANGE, blocks, ctx->wg,
                           CLNI_ARGS(CLNI_ARG(X), CLNI_ARG(xo), CLNI_ARG(first), CLNI_ARG(n),
                                     CLNI_ARG(seed), CLNI_ARG(xs))));
    clni_real b = clni_real_make(cfg->dtype, cfg->b);
    clni_real noise = clni_real_make(cfg->dtype, cfg->noise);
    return clni_launch(ctx, cfg->dtype, CLNI_K_SYNTH_ROWS_Y, rows, ctx->wg,
                       CLNI_ARGS(CLNI_ARG(X), CLNI_ARG(xo), CLNI_ARG(y), CLNI_ARG(yo),
                                 CLNI_ARG(fr), CLNI_ARG(count), CLNI_ARG(dd), CLNI_ARG(w),
                                 CLNI_REAL(b), CLNI_REAL(noise), CLNI_ARG(seed), CLNI_ARG(ns)));
}

/* Draws global rows [first_row, first_row + rows) on the device a block at a time and
 * reads them into host X and y from row `at`. */
static cln_status draw_to_host(cln_context *ctx, const cln_synthetic_config *cfg, cln_tensor *tx,
                               cln_tensor *ty, size_t block, char *hx, char *hy, size_t at,
                               size_t first_row, size_t rows, cl_mem w)
{
    size_t d = cfg->num_inputs, es = cln_dtype_size(cfg->dtype);
    for (size_t done = 0; done < rows; done += block) {
        size_t n = rows - done < block ? rows - done : block;
        CLNI_CHECK(draw_rows(ctx, cfg, tx->buffer, 0, ty->buffer, 0, first_row + done, n, w));
        cl_int err = clEnqueueReadBuffer(ctx->queue, tx->buffer, CL_FALSE, 0, n * d * es,
                                         hx + (at + done) * d * es, 0, NULL, NULL);
        if (err == CL_SUCCESS)
            err = clEnqueueReadBuffer(ctx->queue, ty->buffer, CL_TRUE, 0, n * es,
                                      hy + (at + done) * es, 0, NULL, NULL);
        ctx->enqueues += 2;
        if (err != CL_SUCCESS)
            return clni_cl_fail(ctx, err, "cln_synthetic_create: reading rows to the host");
    }
    return CLN_SUCCESS;
}

cln_status clni_synthetic_by_rows(cln_context *ctx, const cln_synthetic_config *cfg,
                                  cln_dataset **out)
{
    const char *fn = "cln_synthetic_create";
    size_t shards = cfg->num_shards > 1 ? cfg->num_shards : 1, d = cfg->num_inputs;
    size_t ft, nt, fv, nv;
    cln_shard_range(cfg->num_train, shards, cfg->shard, &ft, &nt);
    cln_shard_range(cfg->num_val, shards, cfg->shard, &fv, &nv);
    if (d == 0 || nt == 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: num_inputs (%zu) and the training rows of shard %zu of %zu (%zu of "
                         "%zu) must be at least 1", fn, d, cfg->shard, shards, nt,
                         cfg->num_train);
    if (cfg->num_train > UINT32_MAX || cfg->num_val > UINT32_MAX - cfg->num_train)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: %zu + %zu rows is more than 2^32 - 1",
                         fn, cfg->num_train, cfg->num_val);
    int host = cfg->placement == CLN_PLACE_HOST ||
               (cfg->placement == CLN_PLACE_AUTO &&
                !clni_rows_fit_device(ctx, cfg->dtype, nt + nv, d, nt));
    if (host) {
        CLNI_CHECK(check_shape(ctx, cfg->dtype, nt + nv, d, nt, fn));
        CLNI_CHECK(check_host_room(ctx, cfg->dtype, nt + nv, d, fn));
    }
    cln_dataset *ds;
    CLNI_CHECK(clni_dataset_new(ctx, cfg->dtype, d, nt, nv, host, fn, &ds));
    double *true_w = malloc(d * sizeof *true_w);
    cln_tensor *w = NULL, *tx = NULL, *ty = NULL;
    cln_status st = true_w ? CLN_SUCCESS
                           : clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    if (st == CLN_SUCCESS) {
        clni_synthetic_true_w(cfg, true_w);
        st = clni_dataset_set_true(ds, true_w, cfg->b);
    }
    if (st == CLN_SUCCESS)
        st = clni_tensor_new(ctx, cfg->dtype, 1, &d, 0, &w);
    if (st == CLN_SUCCESS) {
        /* the w tensor in the dtype, as dataset.c uploads it */
        size_t es = cln_dtype_size(cfg->dtype);
        float *f = malloc(d * sizeof *f);
        if (!f) {
            st = clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
        } else {
            for (size_t j = 0; j < d; j++)
                f[j] = (float)true_w[j];
            st = cln_tensor_upload(w, es == sizeof(double) ? (const void *)true_w : (const void *)f,
                                   d * es);
            free(f);
        }
    }
    if (st == CLN_SUCCESS && !host) {
        cl_mem X = clni_dataset_X(ds)->buffer, y = clni_dataset_y(ds)->buffer;
        st = draw_rows(ctx, cfg, X, 0, y, 0, ft, nt, w->buffer);
        if (st == CLN_SUCCESS && nv > 0)
            st = draw_rows(ctx, cfg, X, nt * d, y, nt, cfg->num_train + fv, nv, w->buffer);
    } else if (st == CLN_SUCCESS) {
        size_t es = cln_dtype_size(cfg->dtype), rows = nt + nv;
        size_t block = ((size_t)16 << 20) / ((d + 1) * es); /* 16 MiB of rows at a time */
        block = block < 1 ? 1 : block > rows ? rows : block;
        char *hx = malloc(rows * d * es), *hy = malloc(rows * es);
        clni_dataset_set_host(ds, hx, hy, 1);
        if (!hx || !hy)
            st = clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY,
                           "%s: out of host memory for %zu rows kept on the host", fn, rows);
        size_t shape[2] = {block, d};
        if (st == CLN_SUCCESS)
            st = clni_tensor_new(ctx, cfg->dtype, 2, shape, 0, &tx);
        if (st == CLN_SUCCESS)
            st = clni_tensor_new(ctx, cfg->dtype, 1, &block, 0, &ty);
        if (st == CLN_SUCCESS)
            st = draw_to_host(ctx, cfg, tx, ty, block, hx, hy, 0, ft, nt, w->buffer);
        if (st == CLN_SUCCESS && nv > 0)
            st = draw_to_host(ctx, cfg, tx, ty, block, hx, hy, nt, cfg->num_train + fv, nv,
                              w->buffer);
    }
    /* OpenCL keeps the buffers alive until the kernels are done */
    clni_tensor_destroy(w);
    clni_tensor_destroy(tx);
    clni_tensor_destroy(ty);
    free(true_w);
    if (st != CLN_SUCCESS) {
        cln_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CLN_SUCCESS;
}
