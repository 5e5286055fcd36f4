/* d2l's synthetic regression data (SyntheticRegressionData): X ~ N(0, 1), y = X w + b +
 * noise * eps, drawn on the device by one generator that takes a range of rows at a time.
 * So the rows of a shard, or of a block of rows bound for the host, are the very numbers the
 * whole dataset holds at those places. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/data_impl.h"
#include "runtime/enqueue.h"

/* Philox streams of the seed (random.h): X, the noise, and the true w when it is drawn. */
enum { STREAM_X = 0, STREAM_NOISE = 1, STREAM_TRUE_W = 2 };

void cln_synthetic_config_init(cln_synthetic_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->num_inputs = 2;
    cfg->num_train = 1000;
    cfg->num_val = 1000;
    cfg->noise = 0.01;
    cfg->b = 4.2;
    cfg->w = NULL;
    cfg->seed = 0;
    cfg->dtype = CLN_FLOAT32;
}

static void true_w_of(const cln_synthetic_config *cfg, double *w)
{
    static const double chapter_w[2] = {2.0, -3.4};
    size_t d = cfg->num_inputs;
    for (size_t j = 0; j < d; j++)
        w[j] = cfg->w ? cfg->w[j]
               : d == 2 ? chapter_w[j]
                        : cln_philox_normal(cfg->seed, STREAM_TRUE_W, j);
}

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
        const char *what = "cln_synthetic_create: reading rows to the host";
        CLNI_CHECK(clni_enqueue_read(ctx, tx->buffer, CL_FALSE, 0, n * d * es,
                                     hx + (at + done) * d * es, NULL, what));
        CLNI_CHECK(clni_enqueue_read(ctx, ty->buffer, CL_TRUE, 0, n * es, hy + (at + done) * es,
                                     NULL, what));
    }
    return CLN_SUCCESS;
}

/* The rows of cfg's shard, on the device or (where they would not fit, or asked) kept on the
 * host, drawn a range of rows at a time. */
static cln_status draw_dataset(cln_context *ctx, const cln_synthetic_config *cfg, const char *fn,
                               cln_dataset **out)
{
    size_t shards = cfg->num_shards > 1 ? cfg->num_shards : 1, d = cfg->num_inputs;
    size_t ft, nt, fv, nv;
    cln_shard_range(cfg->num_train, shards, cfg->shard, &ft, &nt);
    cln_shard_range(cfg->num_val, shards, cfg->shard, &fv, &nv);
    if (shards > 1 && (d == 0 || nt == 0))
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
        CLNI_CHECK(clni_check_host_shape(ctx, cfg->dtype, nt + nv, d, nt, fn));
        CLNI_CHECK(clni_check_host_room(ctx, cfg->dtype, nt + nv, d, fn));
    }
    cln_dataset *ds;
    CLNI_CHECK(clni_dataset_new(ctx, cfg->dtype, d, nt, nv, host, fn, &ds));
    double *true_w = malloc(d * sizeof *true_w);
    cln_tensor *w = NULL, *tx = NULL, *ty = NULL;
    cln_status st = true_w ? CLN_SUCCESS
                           : clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    if (st == CLN_SUCCESS) {
        true_w_of(cfg, true_w);
        st = clni_dataset_set_true(ds, true_w, cfg->b);
    }
    if (st == CLN_SUCCESS)
        st = clni_tensor_new(ctx, cfg->dtype, 1, &d, 0, &w);
    if (st == CLN_SUCCESS)
        st = clni_tensor_upload_doubles(w, true_w, d);
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

cln_status cln_synthetic_create(cln_context *ctx, const cln_synthetic_config *cfg,
                                cln_dataset **out)
{
    const char *fn = "cln_synthetic_create";
    CLNI_CHECK(clni_check_ptr(NULL, ctx, fn, "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, cfg, fn, "cfg"));
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    if (!isfinite(cfg->noise) || cfg->noise < 0 || !isfinite(cfg->b))
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: noise (%g) must be finite and >= 0 and b (%g) finite", fn,
                         cfg->noise, cfg->b);
    for (size_t j = 0; cfg->w && j < cfg->num_inputs; j++)
        if (!isfinite(cfg->w[j]))
            return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: w[%zu] is not finite", fn, j);
    if ((unsigned)cfg->placement > CLN_PLACE_HOST ||
        cfg->shard >= (cfg->num_shards > 1 ? cfg->num_shards : 1))
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: placement %d, shard %zu of %zu: unknown placement or no such shard",
                         fn, (int)cfg->placement, cfg->shard, cfg->num_shards);
    return draw_dataset(ctx, cfg, fn, out);
}
