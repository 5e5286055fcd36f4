/* Softmax regression's fast paths: the fused step (one kernel a minibatch, the last
 * work-group to finish summing the groups' partial gradients and stepping) and the whole
 * epoch in one work-group (cl/model/softmax.cl), with their choice and launch shape. */
#include <stdlib.h>

#include "model/fast_paths.h"
#include "runtime/verdict.h"

/* A launch shape: wg work-items a group, tiles of tile_rows rows, and the kernels' shape of
 * register block: a vector of classes a work-item (a CPU's), else one class a work-item
 * (a GPU's). What a plan keeps beyond job->geo (in job->fast_state). */
typedef struct sm_shape {
    size_t wg, tile_rows;
    int vector_classes;
} sm_shape;

/* The problem as the kernels see it. */
typedef struct sm_problem {
    size_t d, k, real_size;
    cln_dtype dtype;
} sm_problem;

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }
static uint64_t div_up(uint64_t n, uint64_t m) { return (n + m - 1) / m; }
static int is_pow2(unsigned long v) { return v && !(v & (v - 1)); }

static cln_softmax *softmax_of(const clni_epoch_job *job) { return job->model->self; }

static sm_problem problem_of(const clni_epoch_job *job)
{
    cln_softmax *m = softmax_of(job);
    sm_problem p = {cln_softmax_num_inputs(m), cln_softmax_num_classes(m), 0,
                    cln_softmax_dtype(m)};
    p.real_size = cln_dtype_size(p.dtype);
    return p;
}

/* ---- limits: local memory and the driver's loop limit --------------------------------- */

/* The kernels' register blocks (cl/model/softmax.cl): classes a vector holds (CLN_SM_CB),
 * rows of logits (CLN_SM_RB) and inputs of gradient sums (CLN_SM_JB) a work-item computes at
 * once. */
enum { CLASS_BLOCK = 16, ROW_BLOCK = 8, INPUT_BLOCK = 8 };

/* A tile row's values: k rounded up to whole class blocks. */
static size_t padded_k(const sm_problem *p) { return div_up(p->k, CLASS_BLOCK) * CLASS_BLOCK; }

/* Bytes of local memory a launch takes: the tile's logits (padded rows), its rows and
 * labels, and the group's reduction (of two sums at once). */
static size_t local_bytes(const sm_problem *p, const sm_shape *s)
{
    return s->tile_rows * padded_k(p) * p->real_size + 2 * s->tile_rows * sizeof(cl_uint) +
           2 * s->wg * p->real_size;
}

/* The device's limits for one kernel: its largest work-group (a power of two) and the
 * local memory left for the arguments. */
typedef struct kernel_limits {
    size_t max_wg, local_budget;
} kernel_limits;

static cln_status limits_of(cln_context *ctx, cln_dtype dtype, clni_kernel_id id,
                            kernel_limits *out)
{
    cl_kernel kernel;
    CLNI_CHECK(clni_kernel(ctx, dtype, id, &kernel));
    size_t kernel_wg = ctx->info.max_work_group_size;
    cl_ulong kernel_local = 0;
    clGetKernelWorkGroupInfo(kernel, ctx->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof kernel_wg,
                             &kernel_wg, NULL);
    clGetKernelWorkGroupInfo(kernel, ctx->device, CL_KERNEL_LOCAL_MEM_SIZE, sizeof kernel_local,
                             &kernel_local, NULL);
    out->max_wg = 1;
    while (out->max_wg * 2 <= kernel_wg)
        out->max_wg *= 2;
    out->local_budget = ctx->info.local_mem_bytes > kernel_local + 64
                            ? ctx->info.local_mem_bytes - kernel_local - 64
                            : 0;
    return CLN_SUCCESS;
}

/* Rows a tile takes at most: the gradient sums are read and written once a tile, so a tile
 * as large as a group's rows halves that traffic at each doubling, while its logits (about
 * 16 KiB at 256 rows of 16 floats) still sit in a CPU core's nearest caches. */
enum { TILE_ROWS = 256 };

/* Tiles of up to max(TILE_ROWS, wg) rows, no more than `rows`, as many as local memory
 * holds; 0 when not even one row's logits fit. */
static size_t tile_rows_for(const sm_problem *p, const kernel_limits *lim, size_t wg,
                            size_t rows)
{
    sm_shape s = {wg, min_size(rows, wg > TILE_ROWS ? wg : TILE_ROWS), 0};
    while (s.tile_rows > 0 && local_bytes(p, &s) > lim->local_budget)
        s.tile_rows /= 2;
    return s.tile_rows;
}

static uint64_t log2_ceil(uint64_t n)
{
    uint64_t l = 0;
    while (((uint64_t)1 << l) < n)
        l++;
    return l;
}

/* Upper bounds on the loop iterations one work-item runs in cl/model/softmax.cl's tile
 * functions. Each loop counts one more than its iterations: a SIMD driver (llvmpipe) runs a
 * loop's body once more with every lane masked off before it leaves. The loops over a
 * register block count too, in case a driver does not unroll them. */

/* A logits block (cln_sm_logits_vector or _scalar): the row pointers and the clearing, W's
 * rows, and the stores; the vector's tail (at most CB + 2 rows of W, read lane by lane)
 * and bias. */
static uint64_t logits_block_bound(const sm_problem *p, int vector_classes)
{
    uint64_t d = p->d, tail = d < CLASS_BLOCK + 2 ? d : CLASS_BLOCK + 2;
    uint64_t common = 3 * (ROW_BLOCK + 1) + (d + 2) + d * (ROW_BLOCK + 1);
    return common + (vector_classes ? (tail + 1) * (CLASS_BLOCK + 1) : 0);
}

/* A gradient block over t rows: the clearing, the rows, and the adds into the sums. */
static uint64_t grads_block_bound(uint64_t t, int vector_classes)
{
    return (INPUT_BLOCK + 1) + (t + 1) * (INPUT_BLOCK + 2) +
           (INPUT_BLOCK + 1) * (vector_classes ? CLASS_BLOCK + 2 : 1);
}

/* One tile of t rows: rows and labels, logits, losses and deltas, gradient sums. */
static uint64_t tile_bound(const sm_problem *p, const sm_shape *s, int with_grad)
{
    uint64_t wg = s->wg, t = s->tile_rows, k = p->k, kp = padded_k(p);
    uint64_t columns = s->vector_classes ? kp / CLASS_BLOCK : k; /* blocks across a row */
    uint64_t per_row = 4 * (k + 1) + 1 + (kp - k + 1); /* max, sum of exp, delta, padding */
    uint64_t logits = div_up(div_up(t, ROW_BLOCK) * columns, wg) *
                      logits_block_bound(p, s->vector_classes);
    uint64_t grads = div_up(div_up(p->d + 1, INPUT_BLOCK) * columns, wg) *
                     grads_block_bound(t, s->vector_classes);
    return div_up(t, wg) + 1 + logits + 1 + div_up(t, wg) * per_row + 1 +
           (with_grad ? grads + 1 : 0);
}

/* cln_sm_group_rows over `rows` rows: the tiles and the trees. */
static uint64_t group_rows_bound(const sm_problem *p, const sm_shape *s, size_t rows,
                                 int with_grad)
{
    uint64_t trees = 2 * (log2_ceil(s->wg) + 1);
    return div_up(rows, s->tile_rows) * tile_bound(p, s, with_grad) + 1 + trees;
}

/* The same for cln_sm_apply over `groups` slices, and the saving of the parameters. */
static uint64_t apply_bound(const sm_problem *p, const sm_shape *s, size_t groups)
{
    uint64_t per_item = div_up((p->d + 1) * p->k, s->wg);
    return per_item * (groups + 1) + 1 + (groups + 1) + 2 * (per_item + 1);
}

/* The fused step's work-items, in their group's rows and (the last group) the sums. */
static uint64_t fused_bound(const sm_problem *p, const sm_shape *s, size_t rows,
                            size_t groups)
{
    return group_rows_bound(p, s, rows, 1) + apply_bound(p, s, groups);
}

/* The whole epoch's one work-group: every batch of both splits. */
static uint64_t epoch_bound(const sm_problem *p, const sm_shape *s, size_t batch,
                            size_t n_train, size_t n_val)
{
    uint64_t full = group_rows_bound(p, s, batch, 1) + apply_bound(p, s, 1);
    uint64_t bound = (n_train / batch) * full + 2;
    if (n_train % batch)
        bound += group_rows_bound(p, s, n_train % batch, 1) + apply_bound(p, s, 1);
    uint64_t full_val = group_rows_bound(p, s, batch, 0) + apply_bound(p, s, 1);
    bound += (n_val / batch) * full_val + 2;
    if (n_val % batch)
        bound += group_rows_bound(p, s, n_val % batch, 0) + apply_bound(p, s, 1);
    return bound;
}

/* ---- planning ------------------------------------------------------------------------- */

/* The first work-group size to try: CLNUM_TUNE's (then the only one, *tuned set), else the
 * device's default (1 on a CPU). The planners then try doubling it up to the kernel's
 * limit, where the driver ends long loops: more work-items share the work. */
static size_t first_wg(const cln_context *ctx, const kernel_limits *lim, int *tuned)
{
    unsigned long tune[3];
    clni_tune_values(tune);
    *tuned = is_pow2(tune[0]) && tune[0] <= lim->max_wg;
    return *tuned ? tune[0] : min_size(clni_max_wg_for(ctx), lim->max_wg);
}

/* The kernels' shape of register block. A CPU's compiler turns a vector of classes into
 * its vector registers; a GPU runs each work-item's vector lane by lane, so it wants the
 * classes spread over its work-items instead. CLNUM_TUNE's lanes, when given, choose as
 * for linear regression: 1, a row's classes on one work-item (the vector); more, on
 * several (one class each). */
static int vector_classes_for(const cln_context *ctx)
{
    unsigned long tune[3];
    clni_tune_values(tune);
    if (tune[1] > 0)
        return tune[1] == 1;
    return ctx->info.type != CLN_DEVICE_GPU;
}

static cln_status make_buffers(clni_epoch_job *job, size_t slices, size_t stride_bytes,
                               const sm_shape *shape)
{
    cln_context *ctx = job->ctx;
    sm_shape *plan = malloc(sizeof *plan);
    if (!plan)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_fit: out of memory");
    *plan = *shape;
    job->fast_state = plan;
    cl_int err;
    job->partial = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, slices * stride_bytes, NULL, &err);
    if (err != CL_SUCCESS)
        return clni_cl_fail(ctx, err, "cln_fit: partial sums buffer");
    cl_uint zero = 0; /* the fused kernel's last group sets it back to 0 */
    job->counter = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof zero,
                                  &zero, &err);
    return err == CL_SUCCESS ? CLN_SUCCESS : clni_cl_fail(ctx, err, "cln_fit: counter buffer");
}

static void release(clni_epoch_job *job)
{
    free(job->fast_state);
    job->fast_state = NULL;
    if (job->partial)
        clReleaseMemObject(job->partial);
    if (job->counter)
        clReleaseMemObject(job->counter);
    job->partial = job->counter = NULL;
}

/* Bytes of one group's slice of partial sums: (d + 1) k gradient sums, the loss, the hits. */
static size_t stride_bytes(const sm_problem *p) { return ((p->d + 1) * p->k + 2) * p->real_size; }

/* The fused step's rows per group for work-groups of wg: about enough groups to fill the
 * device (CLNUM_TUNE's third number, if given), fewer rows a group where the driver ends
 * long loops. 0 if no split runs within the loop limit and the largest buffer. */
static size_t fused_rows_for(const clni_epoch_job *job, const sm_problem *p,
                             const kernel_limits *lim, sm_shape *s)
{
    cln_context *ctx = job->ctx;
    size_t batch = job->batch_size;
    unsigned long tune[3];
    clni_tune_values(tune);
    size_t want_groups = tune[2] > 0 ? tune[2]
                                     : (ctx->info.type == CLN_DEVICE_GPU ? 4 : 2) *
                                           ctx->info.compute_units;
    size_t rows = div_up(batch, want_groups ? want_groups : 1);
    for (;;) {
        s->tile_rows = tile_rows_for(p, lim, s->wg, rows);
        if (s->tile_rows == 0)
            return 0;
        size_t groups = div_up(batch, rows);
        if (clni_within_loop_limit(ctx, p->dtype, fused_bound(p, s, rows, groups)) &&
            groups * stride_bytes(p) <= ctx->info.max_alloc_bytes)
            return rows;
        if (rows == 1)
            return 0;
        rows = div_up(rows, 2);
    }
}

static cln_status plan_fused(clni_epoch_job *job, int quiet)
{
    cln_context *ctx = job->ctx;
    sm_problem p = problem_of(job);
    kernel_limits lim;
    CLNI_CHECK(limits_of(ctx, p.dtype, CLNI_K_SOFTMAX_FUSED_STEP, &lim));
    int tuned;
    sm_shape s = {first_wg(ctx, &lim, &tuned), 0, vector_classes_for(ctx)};
    for (; s.wg <= lim.max_wg; s.wg *= 2) {
        size_t rows = fused_rows_for(job, &p, &lim, &s);
        if (rows > 0) {
            job->geo = (clni_geometry){s.wg, 1, rows, div_up(job->batch_size, rows)};
            return make_buffers(job, job->geo.max_groups, stride_bytes(&p), &s);
        }
        if (tuned)
            break;
    }
    if (quiet)
        return CLN_ERR_UNSUPPORTED;
    if (tile_rows_for(&p, &lim, 1, 1) == 0)
        return clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                         "cln_fit: a row of %zu logits does not fit the fused kernel's local "
                         "memory on %s (%llu bytes)", p.k, ctx->info.device_name,
                         (unsigned long long)ctx->info.local_mem_bytes);
    return clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                     "cln_fit: a fused step of %zu rows of %zu inputs and %zu classes would loop "
                     "longer than %s runs a loop (%u iterations) in every split of its rows "
                     "whose partial sums fit one buffer",
                     job->batch_size, p.d, p.k, ctx->info.device_name,
                     ctx->verdict[p.dtype].loop_limit);
}

static cln_status plan_epoch(clni_epoch_job *job, int quiet)
{
    cln_context *ctx = job->ctx;
    sm_problem p = problem_of(job);
    kernel_limits lim;
    CLNI_CHECK(limits_of(ctx, p.dtype, CLNI_K_SOFTMAX_EPOCH, &lim));
    size_t n_train = cln_dataset_num_train(job->data), n_val = cln_dataset_num_val(job->data);
    int tuned;
    sm_shape s = {first_wg(ctx, &lim, &tuned), 0, vector_classes_for(ctx)};
    uint64_t bound = 0;
    for (; s.wg <= lim.max_wg; s.wg *= 2) {
        s.tile_rows = tile_rows_for(&p, &lim, s.wg, job->batch_size);
        if (s.tile_rows == 0)
            break;
        bound = epoch_bound(&p, &s, job->batch_size, n_train, n_val);
        if (clni_within_loop_limit(ctx, p.dtype, bound)) {
            job->geo = (clni_geometry){s.wg, 1, job->batch_size, 1};
            return make_buffers(job, 1, stride_bytes(&p), &s);
        }
        if (tuned)
            break;
    }
    if (quiet)
        return CLN_ERR_UNSUPPORTED;
    if (s.tile_rows == 0)
        return clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                         "cln_fit: a row of %zu logits does not fit the epoch kernel's local "
                         "memory on %s (%llu bytes)", p.k, ctx->info.device_name,
                         (unsigned long long)ctx->info.local_mem_bytes);
    return clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                     "cln_fit: the epoch kernel would loop about %llu times in one work-item, "
                     "and %s ends a loop after %u iterations",
                     (unsigned long long)bound, ctx->info.device_name,
                     ctx->verdict[p.dtype].loop_limit);
}

/* A minibatch this small costs less than a launch: run the whole epoch in one work-group. */
static int small_enough_for_one_group(const clni_epoch_job *job)
{
    sm_problem p = problem_of(job);
    return (uint64_t)job->batch_size * p.d * p.k <= 4096;
}

/* AUTO: the whole-epoch kernel for small problems on the device, else the fused step,
 * else stepwise; each only where the device self-check has shown it right. */
static cln_status plan_auto(clni_epoch_job *job)
{
    cln_context *ctx = job->ctx;
    cln_dtype dtype = cln_softmax_dtype(softmax_of(job));
    if (!cln_dataset_on_host(job->data) && !clni_path_is_off(ctx, dtype, CLN_PATH_EPOCH) &&
        small_enough_for_one_group(job)) {
        cln_status st = plan_epoch(job, 1);
        if (st == CLN_SUCCESS) {
            job->path = CLN_PATH_EPOCH;
            return CLN_SUCCESS;
        }
        if (st != CLN_ERR_UNSUPPORTED)
            return st;
        release(job);
    }
    if (!clni_path_is_off(ctx, dtype, CLN_PATH_FUSED)) {
        cln_status st = plan_fused(job, 1);
        if (st == CLN_SUCCESS) {
            job->path = CLN_PATH_FUSED;
            return CLN_SUCCESS;
        }
        if (st != CLN_ERR_UNSUPPORTED)
            return st;
        release(job);
    }
    job->path = CLN_PATH_STEPWISE; /* the general path: no local memory or loop limits */
    return CLN_SUCCESS;
}

static cln_status plan(clni_epoch_job *job, cln_train_path requested)
{
    cln_context *ctx = job->ctx;
    cln_dtype dtype = cln_softmax_dtype(softmax_of(job));
    if (requested == CLN_PATH_PERSISTENT)
        return clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                         "cln_fit: softmax regression has no persistent kernel; it trains on "
                         "the stepwise, fused or epoch path");
    if (requested == CLN_PATH_EPOCH && cln_dataset_on_host(job->data))
        return clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                         "cln_fit: the epoch kernel needs the data on the device; host-resident "
                         "data streams through the fused or the stepwise path");
    if (requested == CLN_PATH_AUTO)
        return plan_auto(job);
    CLNI_CHECK(clni_path_allowed(ctx, dtype, requested));
    job->path = requested;
    return requested == CLN_PATH_EPOCH ? plan_epoch(job, 0) : plan_fused(job, 0);
}

/* ---- the enqueues ---------------------------------------------------------------------- */

#define NONE CL_ULONG_MAX /* cl/model/softmax.cl's CLN_SM_NONE: write nothing there */

static const sm_shape *shape_of(const clni_epoch_job *job) { return job->fast_state; }

/* Local memory arguments of both kernels: the tile, its rows and labels, the reduction. */
static void local_sizes(const clni_epoch_job *job, size_t out[3])
{
    sm_problem p = problem_of(job);
    size_t tile_rows = shape_of(job)->tile_rows;
    out[0] = tile_rows * padded_k(&p) * p.real_size;
    out[1] = 2 * tile_rows * sizeof(cl_uint);
    out[2] = 2 * job->geo.wg * p.real_size;
}

/* Where a fused launch writes in the results: its loss, its accuracy (validation), the
 * parameters as the epoch starts them (its first launch) and ends them (its last). */
typedef struct fused_slots {
    cl_ulong loss_at, metric_at, start_at, end_at;
} fused_slots;

static fused_slots slots_of(clni_epoch_job *job, size_t slot, int update)
{
    cl_ulong base = job->results->offset, params = base + job->params_at;
    int last = slot + 1 == job->nb_train + job->nb_val;
    fused_slots f = {base + slot, NONE, slot == 0 ? params + job->model->num_params : NONE,
                     last ? params : NONE};
    if (!update && job->metrics_at != SIZE_MAX)
        f.metric_at = base + job->metrics_at + (slot - job->nb_train);
    job->params_written |= last;
    return f;
}

static cln_status fused_batch(clni_epoch_job *job, const cln_tensor *X, const cln_tensor *y,
                              cl_mem index, size_t first, size_t count, int update, size_t slot)
{
    cln_softmax *m = softmax_of(job);
    sm_problem p = problem_of(job);
    size_t loc[3];
    local_sizes(job, loc);
    fused_slots at = slots_of(job, slot, update);
    clni_real lr = clni_real_make(p.dtype, job->step.lr);
    clni_real decay = clni_real_make(p.dtype, job->step.weight_decay);
    cl_ulong x_offset = X->offset, y_offset = y->offset, first_pos = first;
    cl_uint d = (cl_uint)p.d, k = (cl_uint)p.k, n = (cl_uint)count;
    cl_uint rows = (cl_uint)job->geo.rows_per_group;
    cl_uint tile = (cl_uint)shape_of(job)->tile_rows;
    cl_int upd = update, vector_classes = shape_of(job)->vector_classes;
    size_t groups = div_up(count, rows);
    return clni_launch(job->ctx, p.dtype, CLNI_K_SOFTMAX_FUSED_STEP, groups * job->geo.wg,
                       job->geo.wg,
                       CLNI_ARGS(CLNI_ARG(X->buffer), CLNI_ARG(x_offset), CLNI_ARG(d), CLNI_ARG(k),
                                 CLNI_ARG(index), CLNI_ARG(first_pos), CLNI_ARG(n),
                                 CLNI_ARG(y->buffer), CLNI_ARG(y_offset),
                                 CLNI_ARG(cln_softmax_W(m)->buffer),
                                 CLNI_ARG(cln_softmax_b(m)->buffer),
                                 CLNI_ARG(cln_softmax_grad_W(m)->buffer),
                                 CLNI_ARG(cln_softmax_grad_b(m)->buffer), CLNI_REAL(lr),
                                 CLNI_REAL(decay), CLNI_ARG(upd), CLNI_ARG(rows), CLNI_ARG(tile),
                                 CLNI_ARG(vector_classes), CLNI_ARG(job->results->buffer),
                                 CLNI_ARG(at.loss_at), CLNI_ARG(at.metric_at),
                                 CLNI_ARG(at.start_at), CLNI_ARG(at.end_at), CLNI_ARG(job->partial),
                                 CLNI_ARG(job->counter), CLNI_LOCAL(loc[0]), CLNI_LOCAL(loc[1]),
                                 CLNI_LOCAL(loc[2])));
}

static cln_status enqueue_fused(clni_epoch_job *job)
{
    const cln_tensor *Xt = cln_dataset_train_X(job->data), *yt = cln_dataset_train_y(job->data);
    cl_mem index = clni_loader_index(job->train);
    for (size_t s = 0; s < job->nb_train; s++) {
        size_t first, count;
        cln_loader_batch(job->train, s, &first, &count);
        CLNI_CHECK(fused_batch(job, Xt, yt, index, first, count, 1, s));
    }
    const cln_tensor *Xv = cln_dataset_val_X(job->data), *yv = cln_dataset_val_y(job->data);
    for (size_t v = 0; v < job->nb_val; v++) {
        size_t first, count;
        cln_loader_batch(job->val, v, &first, &count);
        CLNI_CHECK(fused_batch(job, Xv, yv, NULL, first, count, 0, job->nb_train + v));
    }
    return CLN_SUCCESS;
}

/* The data of the whole-epoch kernel: the training rows (through the order's index) and the
 * validation rows. */
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
    cln_softmax *m = softmax_of(job);
    sm_problem p = problem_of(job);
    size_t loc[3];
    local_sizes(job, loc);
    epoch_data e = epoch_data_of(job);
    cl_uint d = (cl_uint)p.d, k = (cl_uint)p.k, batch = (cl_uint)job->batch_size;
    cl_uint tile = (cl_uint)shape_of(job)->tile_rows;
    cl_int vector_classes = shape_of(job)->vector_classes;
    clni_real lr = clni_real_make(p.dtype, job->step.lr);
    clni_real decay = clni_real_make(p.dtype, job->step.weight_decay);
    cl_ulong base = job->results->offset, params_at = base + job->params_at;
    cl_ulong metrics_at = job->metrics_at == SIZE_MAX ? NONE : base + job->metrics_at;
    job->params_written = 1; /* the kernel writes both sets of parameters */
    return clni_launch(job->ctx, p.dtype, CLNI_K_SOFTMAX_EPOCH, job->geo.wg, job->geo.wg,
                       CLNI_ARGS(CLNI_ARG(e.xt), CLNI_ARG(e.xt_off), CLNI_ARG(e.yt),
                                 CLNI_ARG(e.yt_off), CLNI_ARG(e.n_train), CLNI_ARG(e.index),
                                 CLNI_ARG(e.xv), CLNI_ARG(e.xv_off), CLNI_ARG(e.yv),
                                 CLNI_ARG(e.yv_off), CLNI_ARG(e.n_val), CLNI_ARG(d), CLNI_ARG(k),
                                 CLNI_ARG(batch), CLNI_ARG(cln_softmax_W(m)->buffer),
                                 CLNI_ARG(cln_softmax_b(m)->buffer),
                                 CLNI_ARG(cln_softmax_grad_W(m)->buffer),
                                 CLNI_ARG(cln_softmax_grad_b(m)->buffer), CLNI_REAL(lr),
                                 CLNI_REAL(decay), CLNI_ARG(tile), CLNI_ARG(vector_classes),
                                 CLNI_ARG(job->results->buffer), CLNI_ARG(base),
                                 CLNI_ARG(metrics_at), CLNI_ARG(params_at),
                                 CLNI_ARG(job->partial), CLNI_LOCAL(loc[0]), CLNI_LOCAL(loc[1]),
                                 CLNI_LOCAL(loc[2])));
}

static cln_status enqueue_epoch(clni_epoch_job *job)
{
    return job->path == CLN_PATH_EPOCH ? enqueue_whole_epoch(job) : enqueue_fused(job);
}

const clni_fast_paths clni_softmax_paths = {
    .plan = plan,
    .enqueue_epoch = enqueue_epoch,
    .fused_batch = fused_batch,
    .release = release,
};
