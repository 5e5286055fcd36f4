/* Linear regression's fast paths: the fused step (one kernel a minibatch), the whole-epoch
 * kernel of one work-group, and the persistent epoch across every work-group, with their
 * choice and launch geometry (cl/model/linreg_fused.cl, cl/model/linreg_persistent.cl). */
#include <stdlib.h>
#include <string.h>

#include "model/fast_paths.h"
#include "runtime/verdict.h"

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* The model the job trains. */
static cln_linreg *linreg_of(const clni_epoch_job *job) { return job->model->self; }

/* Bytes of local memory the fused kernels take: red[wg], acc[slots * d], w[d],
 * sums[2 * slots + 1]. */
static size_t local_bytes(const clni_geometry *g, size_t d, size_t real_size)
{
    size_t slots = g->wg / g->lanes;
    return (g->wg + slots * d + d + 2 * slots + 1) * real_size;
}

/* Work-items on one row, each loading four columns at a time. A GPU wants up to a warp's
 * worth of lanes on a row, so a warp's loads are contiguous; a CPU runs best with a row
 * per work-item, whose vector loads then walk along the row. */
static size_t lanes_for(const cln_context *ctx, size_t d)
{
    if (ctx->info.type == CLN_DEVICE_GPU)
        return min_size(32, clni_pow2_ceil((d + 3) / 4));
    return 1;
}


static int is_pow2(unsigned long v) { return v && !(v & (v - 1)); }

/* A geometry for batches of `batch` rows that fits the device's limits, or wg 0 if d is too
 * wide for local memory. `max_wg` caps the work-group size. */
static clni_geometry fit_geometry(const cln_context *ctx, cl_kernel kernel, size_t d, size_t batch,
                                  size_t max_wg, size_t real_size)
{
    size_t kernel_wg = ctx->info.max_work_group_size;
    cl_ulong kernel_local = 0;
    clGetKernelWorkGroupInfo(kernel, ctx->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof kernel_wg,
                             &kernel_wg, NULL);
    clGetKernelWorkGroupInfo(kernel, ctx->device, CL_KERNEL_LOCAL_MEM_SIZE, sizeof kernel_local,
                             &kernel_local, NULL);
    unsigned long tune[3];
    clni_tune_values(tune);
    int tuned = is_pow2(tune[0]) && is_pow2(tune[1]) && tune[1] <= tune[0];
    if (tuned) /* a tuning run may try a shape this device does not get by default */
        max_wg = kernel_wg;
    size_t wg_cap = 1;
    while (wg_cap * 2 <= min_size(max_wg, kernel_wg))
        wg_cap *= 2;
    clni_geometry g = {0};
    g.lanes = min_size(lanes_for(ctx, d), wg_cap);
    /* no more row slots than rows in a batch */
    g.wg = min_size(wg_cap, g.lanes * clni_pow2_ceil(batch));
    size_t budget = ctx->info.local_mem_bytes > kernel_local + 64
                        ? ctx->info.local_mem_bytes - kernel_local - 64
                        : 0;
    if (tuned && tune[0] <= wg_cap) {
        g.wg = tune[0];
        g.lanes = tune[1];
    }
    while (local_bytes(&g, d, real_size) > budget) {
        if (g.lanes < g.wg)
            g.lanes *= 2;          /* fewer slots, less acc */
        else if (g.wg > 1)
            g.wg /= 2, g.lanes = g.wg;
        else
            return (clni_geometry){0};
    }
    return g;
}

/* ---- loop bounds: a driver that ends a work-item's loops early (selfcheck.c) ---------- */

static uint64_t div_up(uint64_t n, uint64_t m) { return (n + m - 1) / m; }

/* An upper bound on the loop iterations one work-item runs to take `rows` rows into its
 * group's sums (cln_accumulate_rows, cl/model/linreg_fused.cl), and to sum and clear them. Each
 * loop counts one more than its iterations: a SIMD driver (llvmpipe) runs a loop's body
 * once more with every lane masked off before it leaves. */
static uint64_t rows_loop_bound(const clni_geometry *g, size_t d, size_t rows)
{
    size_t slots = g->wg / g->lanes;
    uint64_t per_pass, passes;
    if (g->lanes == 1) { /* four rows a pass, each row's columns in chunks of 8 and a tail */
        passes = div_up(rows, 4 * slots);
        per_pass = 2 * (d / 8 + 1) + 2 * (d % 8 + 1) + 1;
    } else {             /* a row a pass per slot, its columns shared by the lanes */
        passes = div_up(rows, slots);
        per_pass = 2 * (div_up(d, 4 * g->lanes) + 6) + 16;
    }
    return passes * per_pass + 1 + div_up(d + 2, g->wg) * (slots + 2) + slots + 2;
}

/* Plans the fused step: groups of rows_per_group rows, enough groups to fill the device. */
static cln_status plan_fused(clni_epoch_job *job, size_t d, size_t real_size)
{
    cln_context *ctx = job->ctx;
    cl_kernel k;
    CLNI_CHECK(clni_kernel(ctx, job->model->dtype, CLNI_K_LINREG_FUSED_STEP, &k));
    size_t batch = job->batch_size;
    clni_geometry g = fit_geometry(ctx, k, d, batch, clni_max_wg_for(ctx), real_size);
    if (g.wg == 0)
        return clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                         "cln_fit: %zu inputs do not fit the fused kernel's local memory on %s",
                         d, ctx->info.device_name);
    size_t slots = g.wg / g.lanes;
    size_t want_groups = (ctx->info.type == CLN_DEVICE_GPU ? 4 : 2) * ctx->info.compute_units;
    unsigned long tune[3];
    clni_tune_values(tune);
    if (tune[2] > 0)
        want_groups = tune[2];
    size_t rows = (batch + want_groups - 1) / want_groups;
    rows = (rows + slots - 1) / slots * slots; /* whole rounds of the group's row slots */
    cln_dtype dtype = job->model->dtype;
    while (rows > slots && /* more, shorter groups where the driver ends long loops */
           !clni_within_loop_limit(ctx, dtype, rows_loop_bound(&g, d, rows) +
                                                  div_up(batch, rows) * div_up(d + 2, g.wg)))
        rows = (rows / 2 + slots - 1) / slots * slots;
    if (!clni_within_loop_limit(ctx, dtype, rows_loop_bound(&g, d, rows) +
                                           div_up(batch, rows) * div_up(d + 2, g.wg)))
        return clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                         "cln_fit: a fused step of %zu rows of %zu inputs would loop longer than "
                         "%s runs a loop (%u iterations)",
                         batch, d, ctx->info.device_name, ctx->verdict[dtype].loop_limit);
    g.rows_per_group = rows;
    g.max_groups = (batch + rows - 1) / rows;
    job->geo = g;
    cl_int err;
    job->partial = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, g.max_groups * (d + 2) * real_size,
                                  NULL, &err);
    if (err != CL_SUCCESS)
        return clni_cl_fail(ctx, err, "cln_fit: partial sums buffer");
    cl_uint zero = 0; /* the kernel's last group sets it back to 0 */
    job->counter = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                                  sizeof zero, &zero, &err);
    return err == CL_SUCCESS ? CLN_SUCCESS : clni_cl_fail(ctx, err, "cln_fit: counter buffer");
}

/* The persistent epoch: minibatches cut into chunks of whole rounds of a group's row slots,
 * 2 chunks a core on a CPU (whichever thread is free takes the next) and about one a group
 * on a GPU, but at least 4 rounds; as many groups as run at once, and no more than there
 * are chunks. */
static cln_status plan_persistent(clni_epoch_job *job, size_t d, size_t real_size, int quiet)
{
    cln_context *ctx = job->ctx;
    cl_kernel k;
    CLNI_CHECK(clni_kernel(ctx, job->model->dtype, CLNI_K_LINREG_EPOCH_GROUPS, &k));
    size_t batch = job->batch_size;
    clni_geometry g = fit_geometry(ctx, k, d, batch, clni_max_wg_for(ctx), real_size);
    if (g.wg == 0)
        return quiet ? CLN_ERR_UNSUPPORTED
                     : clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                                 "cln_fit: %zu inputs do not fit the persistent kernel's local "
                                 "memory on %s", d, ctx->info.device_name);
    int gpu = ctx->info.type == CLN_DEVICE_GPU;
    size_t groups = (gpu ? 4 : 1) * ctx->info.compute_units;
    size_t want_chunks = (gpu ? 1 : 2) * groups, slots = g.wg / g.lanes;
    unsigned long tune[3];
    clni_tune_values(tune);
    if (tune[2] > 0)
        want_chunks = tune[2];
    size_t rows = (batch + want_chunks - 1) / want_chunks;
    if (gpu && tune[2] == 0 && rows < 4 * slots)
        rows = 4 * slots; /* a small batch in a few chunks: less for the last one to sum */
    rows = (rows + slots - 1) / slots * slots;
    size_t chunks = (batch + rows - 1) / rows;
    g.rows_per_group = rows;
    g.max_groups = min_size(groups, chunks);
    job->geo = g;
    cl_int err;
    job->partial = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, chunks * (d + 2) * real_size, NULL,
                                  &err);
    if (err != CL_SUCCESS)
        return clni_cl_fail(ctx, err, "cln_fit: partial sums buffer");
    cl_uint zero[4] = {0}; /* ticket, finished, arrived, left: the kernel sets them back to 0 */
    job->counter = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof zero,
                                  zero, &err);
    return err == CL_SUCCESS ? CLN_SUCCESS : clni_cl_fail(ctx, err, "cln_fit: counter buffer");
}

/* CLNUM_PERSISTENT=off keeps AUTO from the persistent path (a device whose running
 * work-groups do not all make progress would hang in it). */
static int persistent_allowed(void)
{
    const char *v = getenv("CLNUM_PERSISTENT");
    return !v || strcmp(v, "off") != 0;
}

static cln_status plan_epoch(clni_epoch_job *job, size_t d, size_t real_size, int quiet)
{
    cln_context *ctx = job->ctx;
    cl_kernel k;
    CLNI_CHECK(clni_kernel(ctx, job->model->dtype, CLNI_K_LINREG_EPOCH, &k));
    clni_geometry g = fit_geometry(ctx, k, d, job->batch_size, clni_max_wg_for(ctx), real_size);
    if (g.wg == 0)
        return quiet ? CLN_ERR_UNSUPPORTED
                     : clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                                 "cln_fit: %zu inputs do not fit the epoch kernel's local memory "
                                 "on %s", d, ctx->info.device_name);
    /* One work-item loops over every minibatch of the epoch. */
    size_t n_train = cln_dataset_num_train(job->data), n_val = cln_dataset_num_val(job->data);
    size_t batch = job->batch_size;
    uint64_t bound = 4 * div_up(d + 2, g.wg) * (g.wg / g.lanes + 1);
    bound += (n_train / batch) * rows_loop_bound(&g, d, batch) +
             rows_loop_bound(&g, d, n_train % batch);
    bound += (n_val / batch) * rows_loop_bound(&g, d, batch) + rows_loop_bound(&g, d, n_val % batch);
    cln_dtype dtype = job->model->dtype;
    if (!clni_within_loop_limit(ctx, dtype, bound))
        return quiet ? CLN_ERR_UNSUPPORTED
                     : clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                                 "cln_fit: the epoch kernel would loop about %llu times in one "
                                 "work-item, and %s ends a loop after %u iterations",
                                 (unsigned long long)bound, ctx->info.device_name,
                                 ctx->verdict[dtype].loop_limit);
    job->geo = g;
    return CLN_SUCCESS;
}

/* A minibatch this small costs less than a launch: run the whole epoch in one work-group. */
static int small_enough_for_one_group(const clni_epoch_job *job, size_t d)
{
    return job->batch_size * d <= 4096;
}


/* AUTO: the whole-epoch kernel for small problems, else the persistent one, else the fused
 * step, else stepwise; each only where the device self-check has shown it right. */
static cln_status plan(clni_epoch_job *job, cln_train_path requested)
{
    cln_context *ctx = job->ctx;
    cln_dtype dtype = job->model->dtype;
    size_t d = cln_linreg_num_inputs(linreg_of(job)), real_size = cln_dtype_size(dtype);
    cln_train_path path = requested;
    int on_device = !cln_dataset_on_host(job->data);
    if (path != CLN_PATH_AUTO)
        CLNI_CHECK(clni_path_allowed(ctx, dtype, path));
#define ALLOWED(p) (!clni_path_is_off(ctx, dtype, (p)))
    if (path == CLN_PATH_AUTO) {
        path = ALLOWED(CLN_PATH_FUSED) ? CLN_PATH_FUSED : CLN_PATH_STEPWISE;
        if (on_device && ALLOWED(CLN_PATH_EPOCH) && small_enough_for_one_group(job, d) &&
            plan_epoch(job, d, real_size, 1) == CLN_SUCCESS)
            path = CLN_PATH_EPOCH;
        else if (on_device && persistent_allowed() && ALLOWED(CLN_PATH_PERSISTENT)) {
            cln_status st = plan_persistent(job, d, real_size, 1);
            if (st == CLN_SUCCESS) {
                job->path = CLN_PATH_PERSISTENT;
                return CLN_SUCCESS;
            }
            if (st != CLN_ERR_UNSUPPORTED)
                return st;
        }
    }
    job->path = path;
    if (path == CLN_PATH_EPOCH)
        return plan_epoch(job, d, real_size, 0);
    if (path == CLN_PATH_PERSISTENT)
        return plan_persistent(job, d, real_size, 0);
    if (path == CLN_PATH_FUSED) {
        cln_status st = plan_fused(job, d, real_size);
        if (st != CLN_ERR_UNSUPPORTED || requested == CLN_PATH_FUSED)
            return st;
        job->path = CLN_PATH_STEPWISE; /* AUTO falls back to the general path */
    }
#undef ALLOWED
    return CLN_SUCCESS;
}

/* ---- the enqueues ---------------------------------------------------------------------- */



/* Local memory arguments shared by both fused kernels. */
static void local_sizes(const clni_geometry *g, size_t d, size_t real_size, size_t out[4])
{
    size_t slots = g->wg / g->lanes;
    out[0] = g->wg * real_size;
    out[1] = slots * d * real_size;
    out[2] = d * real_size;
    out[3] = (2 * slots + 1) * real_size;
}

static cln_status fused_batch(clni_epoch_job *job, const cln_tensor *X, const cln_tensor *y,
                                    cl_mem index, size_t first, size_t count, int update,
                                    size_t slot)
{
    cln_linreg *m = linreg_of(job);
    cln_dtype dtype = cln_linreg_dtype(m);
    size_t d = cln_linreg_num_inputs(m), loc[4];
    local_sizes(&job->geo, d, cln_dtype_size(dtype), loc);
    clni_real lr = clni_real_make(dtype, job->step.lr);
    clni_real decay = clni_real_make(dtype, 1.0 - job->step.lr * job->step.weight_decay);
    clni_real scale = clni_real_make(dtype, cln_linreg_loss_scale(m));
    cl_ulong x_offset = X->offset, y_offset = y->offset, first_pos = first;
    cl_ulong loss_slot = job->results->offset + slot;
    cl_uint dd = (cl_uint)d, n = (cl_uint)count, lanes = (cl_uint)job->geo.lanes;
    cl_uint rows = (cl_uint)job->geo.rows_per_group;
    cl_int upd = update;
    /* the epoch's last launch also puts w and b after the losses, for the epoch's one read,
     * and its first the starting ones after those */
    int last = slot + 1 == job->nb_train + job->nb_val;
    cl_ulong tail = job->results->offset + job->params_at;
    cl_ulong params_slot = last ? tail : 0, start_slot = slot == 0 ? tail + d + 1 : 0;
    job->params_written |= last;
    size_t groups = (count + rows - 1) / rows;
    return clni_launch(job->ctx, dtype, CLNI_K_LINREG_FUSED_STEP, groups * job->geo.wg,
                       job->geo.wg,
                       CLNI_ARGS(CLNI_ARG(X->buffer), CLNI_ARG(x_offset), CLNI_ARG(dd),
                                 CLNI_ARG(index), CLNI_ARG(first_pos), CLNI_ARG(n),
                                 CLNI_ARG(y->buffer), CLNI_ARG(y_offset),
                                 CLNI_ARG(cln_linreg_w(m)->buffer), CLNI_ARG(cln_linreg_b(m)->buffer),
                                 CLNI_ARG(cln_linreg_grad_w(m)->buffer),
                                 CLNI_ARG(cln_linreg_grad_b(m)->buffer), CLNI_REAL(lr),
                                 CLNI_REAL(decay), CLNI_REAL(scale), CLNI_ARG(upd), CLNI_ARG(lanes), CLNI_ARG(rows),
                                 CLNI_ARG(job->results->buffer), CLNI_ARG(loss_slot),
                                 CLNI_ARG(params_slot), CLNI_ARG(start_slot),
                                 CLNI_ARG(job->partial), CLNI_ARG(job->counter),
                                 CLNI_LOCAL(loc[0]), CLNI_LOCAL(loc[1]), CLNI_LOCAL(loc[2]),
                                 CLNI_LOCAL(loc[3])));
}

static cln_status enqueue_fused(clni_epoch_job *job)
{
    const cln_tensor *Xt = cln_dataset_train_X(job->data), *yt = cln_dataset_train_y(job->data);
    cl_mem index = clni_loader_index(job->train);
    for (size_t k = 0; k < job->nb_train; k++) {
        size_t first, count;
        cln_loader_batch(job->train, k, &first, &count);
        CLNI_CHECK(fused_batch(job, Xt, yt, index, first, count, 1, k));
    }
    const cln_tensor *Xv = cln_dataset_val_X(job->data), *yv = cln_dataset_val_y(job->data);
    for (size_t k = 0; k < job->nb_val; k++) {
        size_t first, count;
        cln_loader_batch(job->val, k, &first, &count);
        CLNI_CHECK(fused_batch(job, Xv, yv, NULL, first, count, 0, job->nb_train + k));
    }
    return CLN_SUCCESS;
}

/* What both whole-epoch kernels take about the data: the training rows (through the
 * order's index) and the validation rows. */
typedef struct epoch_data {
    cl_mem xt, yt, index, xv, yv;
    cl_ulong xt_off, yt_off, xv_off, yv_off;
    cl_uint n_train, n_val;
} epoch_data;

static epoch_data epoch_data_of(const clni_epoch_job *job)
{
    const cln_tensor *Xt = cln_dataset_train_X(job->data), *yt = cln_dataset_train_y(job->data);
    const cln_tensor *Xv = cln_dataset_val_X(job->data), *yv = cln_dataset_val_y(job->data);
    epoch_data e = {Xt->buffer, yt->buffer, clni_loader_index(job->train),
                    Xv ? Xv->buffer : NULL, yv ? yv->buffer : NULL,
                    Xt->offset, yt->offset, Xv ? Xv->offset : 0, yv ? yv->offset : 0,
                    (cl_uint)cln_dataset_num_train(job->data),
                    (cl_uint)cln_dataset_num_val(job->data)};
    return e;
}

static cln_status enqueue_whole_epoch(clni_epoch_job *job)
{
    cln_linreg *m = linreg_of(job);
    cln_dtype dtype = cln_linreg_dtype(m);
    size_t d = cln_linreg_num_inputs(m), loc[4];
    local_sizes(&job->geo, d, cln_dtype_size(dtype), loc);
    epoch_data e = epoch_data_of(job);
    cl_uint dd = (cl_uint)d, batch = (cl_uint)job->batch_size, lanes = (cl_uint)job->geo.lanes;
    clni_real lr = clni_real_make(dtype, job->step.lr);
    clni_real decay = clni_real_make(dtype, 1.0 - job->step.lr * job->step.weight_decay);
    clni_real scale = clni_real_make(dtype, cln_linreg_loss_scale(m));
    return clni_launch(job->ctx, dtype, CLNI_K_LINREG_EPOCH, job->geo.wg, job->geo.wg,
                       CLNI_ARGS(CLNI_ARG(e.xt), CLNI_ARG(e.xt_off), CLNI_ARG(e.yt),
                                 CLNI_ARG(e.yt_off), CLNI_ARG(e.n_train), CLNI_ARG(e.index),
                                 CLNI_ARG(e.xv), CLNI_ARG(e.xv_off), CLNI_ARG(e.yv),
                                 CLNI_ARG(e.yv_off), CLNI_ARG(e.n_val), CLNI_ARG(dd),
                                 CLNI_ARG(batch),
                                 CLNI_ARG(cln_linreg_w(m)->buffer), CLNI_ARG(cln_linreg_b(m)->buffer),
                                 CLNI_ARG(cln_linreg_grad_w(m)->buffer),
                                 CLNI_ARG(cln_linreg_grad_b(m)->buffer), CLNI_REAL(lr),
                                 CLNI_REAL(decay), CLNI_REAL(scale), CLNI_ARG(lanes), CLNI_ARG(job->results->buffer),
                                 CLNI_LOCAL(loc[0]), CLNI_LOCAL(loc[1]), CLNI_LOCAL(loc[2]),
                                 CLNI_LOCAL(loc[3])));
}

static cln_status enqueue_persistent(clni_epoch_job *job)
{
    cln_linreg *m = linreg_of(job);
    cln_dtype dtype = cln_linreg_dtype(m);
    size_t d = cln_linreg_num_inputs(m), loc[4];
    local_sizes(&job->geo, d, cln_dtype_size(dtype), loc);
    epoch_data e = epoch_data_of(job);
    cl_uint dd = (cl_uint)d, batch = (cl_uint)job->batch_size, lanes = (cl_uint)job->geo.lanes;
    cl_uint rows = (cl_uint)job->geo.rows_per_group;
    cl_uint chunks = (cl_uint)((job->batch_size + rows - 1) / rows);
    clni_real lr = clni_real_make(dtype, job->step.lr);
    clni_real decay = clni_real_make(dtype, 1.0 - job->step.lr * job->step.weight_decay);
    clni_real scale = clni_real_make(dtype, cln_linreg_loss_scale(m));
    size_t wg = job->geo.wg;
    return clni_launch(job->ctx, dtype, CLNI_K_LINREG_EPOCH_GROUPS, job->geo.max_groups * wg, wg,
                       CLNI_ARGS(CLNI_ARG(e.xt), CLNI_ARG(e.xt_off), CLNI_ARG(e.yt),
                                 CLNI_ARG(e.yt_off), CLNI_ARG(e.n_train), CLNI_ARG(e.index),
                                 CLNI_ARG(e.xv), CLNI_ARG(e.xv_off), CLNI_ARG(e.yv),
                                 CLNI_ARG(e.yv_off), CLNI_ARG(e.n_val), CLNI_ARG(dd),
                                 CLNI_ARG(batch), CLNI_ARG(rows), CLNI_ARG(chunks),
                                 CLNI_ARG(cln_linreg_w(m)->buffer), CLNI_ARG(cln_linreg_b(m)->buffer),
                                 CLNI_ARG(cln_linreg_grad_w(m)->buffer),
                                 CLNI_ARG(cln_linreg_grad_b(m)->buffer), CLNI_REAL(lr),
                                 CLNI_REAL(decay), CLNI_REAL(scale), CLNI_ARG(lanes), CLNI_ARG(job->results->buffer),
                                 CLNI_ARG(job->partial), CLNI_ARG(job->counter),
                                 CLNI_LOCAL(loc[0]), CLNI_LOCAL(loc[1]), CLNI_LOCAL(loc[2]),
                                 CLNI_LOCAL(loc[3])));
}

static cln_status enqueue_epoch(clni_epoch_job *job)
{
    if (job->path == CLN_PATH_FUSED)
        return enqueue_fused(job);
    job->params_written = 1; /* the whole-epoch kernels write w and b after the losses */
    return job->path == CLN_PATH_EPOCH ? enqueue_whole_epoch(job) : enqueue_persistent(job);
}

const clni_fast_paths clni_linreg_paths = {
    .plan = plan,
    .enqueue_epoch = enqueue_epoch,
    .fused_batch = fused_batch,
};
