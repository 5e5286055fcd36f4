/* Data-parallel training over a group (parallel.h): each member reduces its share of a
 * global minibatch to sums on its device (cl/parallel/linreg_dist.cl), the group adds them with one
 * allreduce, and every member applies the same step. Every collective call carries a
 * "failed" count, so a member that fails stops the others at the same call. What follows an
 * epoch (divergence, the board, the history, on_epoch) is cln_fit()'s loop (train/fit_loop.h):
 * this file is the group's epoch and the group's agreements. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/enqueue.h"
#include "clnum/parallel.h"
#include "train/fit_loop.h"
#include "train/stream.h"

static int single_allreduce(double *values, size_t n, cln_reduce_op op, void *user)
{
    (void)values, (void)n, (void)op, (void)user;
    return 0;
}

static int single_broadcast(void *data, size_t bytes, size_t root, void *user)
{
    (void)data, (void)bytes, (void)root, (void)user;
    return 0;
}

void cln_group_single(cln_group *group)
{
    if (!group)
        return;
    memset(group, 0, sizeof *group);
    group->size = 1;
    group->allreduce = single_allreduce;
    group->broadcast = single_broadcast;
}

static cln_status check_group(cln_context *ctx, const cln_group *g, const char *fn)
{
    CLNI_CHECK(clni_check_ptr(ctx, g, fn, "group"));
    if (g->size == 0 || g->rank >= g->size || !g->allreduce || !g->broadcast)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: a group needs size >= 1, rank < size (rank %zu of %zu) and both "
                         "callbacks", fn, g->rank, g->size);
    return CLN_SUCCESS;
}

/* What goes from the lowest failing member to the others. */
typedef struct failure_message {
    int32_t status;
    char text[1024];
} failure_message;

cln_status cln_group_agree(const cln_group *g, cln_context *ctx, cln_status local)
{
    CLNI_CHECK(check_group(ctx, g, "cln_group_agree"));
    /* The lowest failing rank, as the largest of the negated ranks (size: none failed). */
    double v = -(double)(local != CLN_SUCCESS ? g->rank : g->size);
    if (g->allreduce(&v, 1, CLN_REDUCE_MAX, g->user) != 0)
        return clni_fail(ctx, CLN_ERR_IO, "cln_group_agree: the group's allreduce failed");
    size_t first = (size_t)-v;
    if (first >= g->size)
        return CLN_SUCCESS;
    failure_message msg;
    memset(&msg, 0, sizeof msg);
    if (g->rank == first) {
        msg.status = (int32_t)local;
        snprintf(msg.text, sizeof msg.text, "%s", cln_last_error(ctx));
    }
    if (g->broadcast(&msg, sizeof msg, first, g->user) != 0)
        return clni_fail(ctx, CLN_ERR_IO, "cln_group_agree: the group's broadcast failed");
    if (local != CLN_SUCCESS)
        return local; /* this member's own failure, with its own message */
    msg.text[sizeof msg.text - 1] = '\0';
    return clni_fail(ctx, (cln_status)msg.status, "rank %zu of %zu failed: %s (%s)", first,
                     g->size, msg.text, cln_status_str(msg.status));
}

/* ---- the fit ---------------------------------------------------------------------------- */

/* step() and the other collectives: CLN_SUCCESS, STOPPED (some member failed: agree on the
 * message next) or CLN_ERR_IO (the transport failed). */
#define STOPPED ((cln_status)1)

typedef struct dist {
    const cln_group *g;
    const cln_trainer_config *cfg;
    cln_group_stats stats;
    clni_epoch_job job;
    cln_linreg *m;                /* the model (its geometry is the fused step's) */
    cln_context *ctx;
    cln_dtype dtype;
    size_t d, es;
    size_t nb_train, nb_val;      /* the group's minibatches an epoch (the largest member's) */
    size_t n_train;               /* the group's training rows */
    cln_status st;                /* this member's first failure */
    int broken;                   /* the transport failed: no more collectives */
    size_t k;                     /* the next training step of the epoch */
    cl_mem sums, gsums, val_sums; /* d + 2, d + 1, 2 per local validation batch */
    void *raw;                    /* what comes back from the device */
    void *gs_host;                /* the group's sums on their way to the device */
    double *v;                    /* a step's allreduce: d + 4 */
    double *losses;               /* the epoch's: nb_train, then nb_val */
    double *val_v;                /* 2 nb_val + 1 */
    double *val_local;            /* this member's validation sums: 2 per local batch */
    double *params[2];            /* w and b as epoch e (absolute) ends them: params[e % 2];
                                     the initial ones in the other one of the first epoch's */
} dist;

static cln_status reduce(dist *D, double *v, size_t n, cln_reduce_op op)
{
    double t = clni_now();
    int rc = D->g->allreduce(v, n, op, D->g->user);
    D->stats.allreduce_seconds += clni_now() - t;
    D->stats.allreduces++;
    D->stats.allreduce_bytes += n * sizeof(double);
    if (rc != 0) {
        D->broken = 1;
        return clni_fail(D->ctx, CLN_ERR_IO, "cln_fit_group: the group's allreduce failed (%d)",
                         rc);
    }
    return CLN_SUCCESS;
}

/* Records this member's first failure; later work is skipped until the group hears of it. */
static void note(dist *D, cln_status st)
{
    if (D->st == CLN_SUCCESS)
        D->st = st;
}

static cln_status read_reals(dist *D, cl_mem buf, size_t n, double *out)
{
    CLNI_CHECK(clni_enqueue_read(D->ctx, buf, CL_TRUE, 0, n * D->es, D->raw, NULL,
                                 "cln_fit_group: reading a minibatch's sums"));
    clni_dtype_to_doubles(out, D->dtype, D->raw, n);
    return CLN_SUCCESS;
}

/* Enqueues the sums of positions [first, first + count) of X and y: with_grad into
 * D->sums (sum x r, then sum r and sum r^2), else sum r and sum r^2 into out_r at r_offset. */
static cln_status enqueue_sums(dist *D, const cln_tensor *X, const cln_tensor *y, cl_mem index,
                               size_t first, size_t count, int with_grad, cl_mem out_r,
                               size_t r_offset)
{
    const clni_geometry *geo = &D->job.geo;
    cln_linreg *m = D->m;
    size_t slots = geo->wg / geo->lanes;
    cl_ulong x_offset = X->offset, y_offset = y->offset, first_pos = first, r_off = r_offset;
    cl_uint dd = (cl_uint)D->d, n = (cl_uint)count, lanes = (cl_uint)geo->lanes;
    cl_uint rows = (cl_uint)geo->rows_per_group;
    cl_int grad = with_grad;
    size_t groups = (count + rows - 1) / rows;
    return clni_launch(D->ctx, D->dtype, CLNI_K_LINREG_BATCH_SUMS, groups * geo->wg, geo->wg,
                       CLNI_ARGS(CLNI_ARG(X->buffer), CLNI_ARG(x_offset), CLNI_ARG(dd),
                                 CLNI_ARG(index), CLNI_ARG(first_pos), CLNI_ARG(n),
                                 CLNI_ARG(y->buffer), CLNI_ARG(y_offset),
                                 CLNI_ARG(cln_linreg_w(m)->buffer),
                                 CLNI_ARG(cln_linreg_b(m)->buffer), CLNI_ARG(grad),
                                 CLNI_ARG(lanes), CLNI_ARG(rows), CLNI_ARG(D->sums),
                                 CLNI_ARG(out_r), CLNI_ARG(r_off), CLNI_ARG(D->job.partial),
                                 CLNI_ARG(D->job.counter), CLNI_LOCAL(geo->wg * D->es),
                                 CLNI_LOCAL(slots * D->d * D->es), CLNI_LOCAL(D->d * D->es),
                                 CLNI_LOCAL(2 * slots * D->es)));
}

/* This member's sums of a training minibatch into v[0 .. d + 2). */
static cln_status local_sums(dist *D, const cln_tensor *X, const cln_tensor *y, cl_mem index,
                             size_t first, size_t count)
{
    /* sum r and sum r^2 land right after the d gradient sums */
    CLNI_CHECK(enqueue_sums(D, X, y, index, first, count, 1, D->sums, D->d));
    return read_reals(D, D->sums, D->d + 2, D->v);
}

/* The group's sums on the device, then the step. */
static cln_status apply(dist *D, double rows)
{
    size_t d = D->d;
    clni_doubles_to_dtype(D->gs_host, D->dtype, D->v, d + 1);
    /* gs_host is reused next step, after a blocking read that follows this write */
    CLNI_CHECK(clni_enqueue_write(D->ctx, D->ctx->queue, D->gsums, CL_FALSE, 0, (d + 1) * D->es,
                                  D->gs_host, 0, NULL, NULL,
                                  "cln_fit_group: writing the group's sums"));
    cln_linreg *m = D->m;
    cl_uint dd = (cl_uint)d, n = (cl_uint)rows;
    clni_real lr = clni_real_make(D->dtype, D->cfg->lr);
    clni_real decay = clni_real_make(D->dtype, 1.0 - D->cfg->lr * D->cfg->weight_decay);
    clni_real scale = clni_real_make(D->dtype, cln_linreg_loss_scale(m));
    size_t wg = D->ctx->wg, global = clni_round_up(d + 1, wg);
    if (global > 64 * wg)
        global = 64 * wg;
    return clni_launch(D->ctx, D->dtype, CLNI_K_LINREG_APPLY_SUMS, global, wg,
                       CLNI_ARGS(CLNI_ARG(cln_linreg_w(m)->buffer),
                                 CLNI_ARG(cln_linreg_b(m)->buffer),
                                 CLNI_ARG(cln_linreg_grad_w(m)->buffer),
                                 CLNI_ARG(cln_linreg_grad_b(m)->buffer), CLNI_ARG(D->gsums),
                                 CLNI_ARG(dd), CLNI_ARG(n), CLNI_REAL(lr), CLNI_REAL(decay),
                                 CLNI_REAL(scale)));
}

/* Training step D->k of the epoch over this member's positions [first, first + count)
 * (count 0: past its last minibatch). One allreduce of d + 4 doubles. */
static cln_status step(dist *D, const cln_tensor *X, const cln_tensor *y, cl_mem index,
                       size_t first, size_t count)
{
    size_t d = D->d;
    memset(D->v, 0, (d + 4) * sizeof *D->v);
    if (D->st == CLN_SUCCESS && count > 0)
        note(D, local_sums(D, X, y, index, first, count));
    if (D->st != CLN_SUCCESS)
        memset(D->v, 0, (d + 4) * sizeof *D->v);
    D->v[d + 2] = D->st == CLN_SUCCESS ? (double)count : 0;
    D->v[d + 3] = D->st != CLN_SUCCESS;
    CLNI_CHECK(reduce(D, D->v, d + 4, CLN_REDUCE_SUM));
    if (D->v[d + 3] > 0)
        return STOPPED;
    double rows = D->v[d + 2];
    D->losses[D->k] = cln_linreg_loss_scale(D->m) * D->v[d + 1] / rows;
    note(D, apply(D, rows));
    D->k++;
    D->stats.steps++;
    return CLN_SUCCESS;
}

/* The steps of the epoch this member has no rows for. */
static cln_status empty_steps(dist *D)
{
    while (D->k < D->nb_train) {
        cln_status st = step(D, NULL, NULL, NULL, 0, 0);
        if (st != CLN_SUCCESS)
            return st;
    }
    return CLN_SUCCESS;
}

/* The stream's minibatches (stream.h): training steps, then validation sums. */
static cln_status streamed_batch(void *user, int training, size_t k, const cln_tensor *X,
                                 const cln_tensor *y, size_t first, size_t count)
{
    dist *D = user;
    if (training) {
        (void)k; /* == D->k */
        return step(D, X, y, NULL, first, count);
    }
    CLNI_CHECK(empty_steps(D));
    if (D->st == CLN_SUCCESS)
        note(D, enqueue_sums(D, X, y, NULL, first, count, 0, D->val_sums, 2 * k));
    return CLN_SUCCESS;
}

/* An epoch's training steps and validation sums. */
static cln_status train_epoch(dist *D, size_t epoch)
{
    clni_epoch_job *job = &D->job;
    D->k = 0;
    if (D->st == CLN_SUCCESS)
        note(D, clni_loader_start_epoch_async(job->train, epoch));
    if (job->stream) {
        if (D->st == CLN_SUCCESS) {
            cln_status st = clni_stream_epoch(job->stream, streamed_batch, D);
            if (D->broken || st == STOPPED)
                return D->broken ? CLN_ERR_IO : STOPPED;
            note(D, st);
        }
        return empty_steps(D); /* with a failure noted, the first one tells the group */
    }
    const cln_tensor *Xt = cln_dataset_train_X(job->data), *yt = cln_dataset_train_y(job->data);
    cl_mem index = clni_loader_index(job->train);
    for (size_t k = 0; k < D->nb_train; k++) {
        size_t first = 0, count = 0;
        if (k < job->nb_train)
            cln_loader_batch(job->train, k, &first, &count);
        CLNI_CHECK(step(D, Xt, yt, index, first, count));
    }
    const cln_tensor *Xv = cln_dataset_val_X(job->data), *yv = cln_dataset_val_y(job->data);
    for (size_t k = 0; k < job->nb_val && D->st == CLN_SUCCESS; k++) {
        size_t first, count;
        cln_loader_batch(job->val, k, &first, &count);
        note(D, enqueue_sums(D, Xv, yv, NULL, first, count, 0, D->val_sums, 2 * k));
    }
    return CLN_SUCCESS;
}

/* The group's validation losses: one allreduce of sum r^2 and the rows of every batch. */
static cln_status val_losses(dist *D)
{
    size_t nv = D->nb_val, local = D->job.nb_val;
    double *v = D->val_v;
    memset(v, 0, (2 * nv + 1) * sizeof *v);
    double *sums = D->val_local;
    if (D->st == CLN_SUCCESS && local > 0)
        note(D, read_reals(D, D->val_sums, 2 * local, sums));
    if (D->st == CLN_SUCCESS)
        for (size_t k = 0; k < local; k++) {
            size_t count;
            cln_loader_batch(D->job.val, k, NULL, &count);
            v[k] = sums[2 * k + 1];
            v[nv + k] = (double)count;
        }
    v[2 * nv] = D->st != CLN_SUCCESS;
    CLNI_CHECK(reduce(D, v, 2 * nv + 1, CLN_REDUCE_SUM));
    if (v[2 * nv] > 0)
        return STOPPED;
    for (size_t k = 0; k < nv; k++)
        D->losses[D->nb_train + k] = cln_linreg_loss_scale(D->m) * v[k] / v[nv + k];
    return CLN_SUCCESS;
}

/* cln_fit()'s checks, and the one path a group trains on. */
static cln_status check_args(cln_linreg *m, const cln_dataset *shard,
                             const cln_trainer_config *cfg)
{
    const char *fn = "cln_fit_group";
    CLNI_CHECK(clni_fit_check(cln_linreg_model(m), shard, cfg, fn, "shard"));
    if (cfg->path != CLN_PATH_AUTO && cfg->path != CLN_PATH_FUSED)
        return clni_fail(cln_linreg_context(m), CLN_ERR_UNSUPPORTED,
                         "%s: data-parallel training runs the fused path (AUTO or FUSED), not "
                         "path %d", fn, (int)cfg->path);
    return CLN_SUCCESS;
}

/* Every member must train the same model the same way: each value below must be equal on
 * every member (compared as the largest of v and of -v). Also agrees on the group's batch
 * counts and rows. */
static cln_status agree_config(dist *D)
{
    const cln_trainer_config *c = D->cfg;
    /* the epochs trained too: they number the epochs, and so choose the orders */
    static const char *names[] = {"num_inputs", "dtype", "batch_size", "max_epochs", "lr",
                                  "seed (high word)", "seed (low word)", "loss scale",
                                  "train_points_per_epoch", "val_points_per_epoch",
                                  "weight_decay", "epochs trained"};
    enum { F = sizeof names / sizeof names[0] };
    double f[F] = {(double)D->d, (double)D->dtype, (double)c->batch_size, (double)c->max_epochs,
                   c->lr, (double)(c->seed >> 32), (double)(c->seed & 0xffffffffu),
                   cln_linreg_loss_scale(D->m), (double)c->train_points_per_epoch,
                   (double)c->val_points_per_epoch, c->weight_decay,
                   (double)cln_model_epochs_trained(cln_linreg_model(D->m))};
    double v[2 * F + 2];
    for (size_t i = 0; i < F; i++) {
        v[i] = f[i];
        v[F + i] = -f[i];
    }
    v[2 * F] = (double)D->job.nb_train;
    v[2 * F + 1] = (double)D->job.nb_val;
    CLNI_CHECK(reduce(D, v, 2 * F + 2, CLN_REDUCE_MAX));
    for (size_t i = 0; i < F; i++)
        if (v[i] != -v[F + i])
            return clni_fail(D->ctx, CLN_ERR_BAD_ARGUMENT,
                             "cln_fit_group: the members disagree on %s (from %.17g to %.17g; "
                             "rank %zu has %.17g)", names[i], -v[F + i], v[i], D->g->rank, f[i]);
    D->nb_train = (size_t)v[2 * F];
    D->nb_val = (size_t)v[2 * F + 1];
    double rows = (double)cln_dataset_num_train(D->job.data);
    CLNI_CHECK(reduce(D, &rows, 1, CLN_REDUCE_SUM));
    D->n_train = (size_t)rows;
    return CLN_SUCCESS;
}

/* The job as cln_fit() plans it, but with this member's own seed, the one path a group
 * trains on and no draw_order (the order is the group's); then the sums' buffers. */
static cln_status plan(dist *D, const cln_dataset *shard)
{
    cln_trainer_config local = *D->cfg;
    local.seed = cln_shard_seed(D->cfg->seed, D->g->rank);
    local.path = CLN_PATH_FUSED;
    local.draw_order = NULL;
    local.order_user = NULL;
    CLNI_CHECK(clni_epoch_job_init(&D->job, cln_linreg_model(D->m), shard, &local));
    cln_context *ctx = D->ctx;
    cl_int err;
    size_t d = D->d, es = D->es;
    size_t nv = D->job.nb_val > 0 ? D->job.nb_val : 1;
    D->sums = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, (d + 2) * es, NULL, &err);
    if (err == CL_SUCCESS)
        D->gsums = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, (d + 1) * es, NULL, &err);
    if (err == CL_SUCCESS)
        D->val_sums = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, 2 * nv * es, NULL, &err);
    if (err != CL_SUCCESS)
        return clni_cl_fail(ctx, err, "cln_fit_group: sums buffers");
    size_t raw = (d + 2 > 2 * nv ? d + 2 : 2 * nv) * es;
    D->raw = malloc(raw);
    D->gs_host = malloc((d + 1) * es);
    D->v = malloc((d + 4) * sizeof *D->v);
    D->params[0] = malloc((d + 1) * sizeof *D->params[0]);
    D->params[1] = malloc((d + 1) * sizeof *D->params[1]);
    if (!D->raw || !D->gs_host || !D->v || !D->params[0] || !D->params[1])
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_fit_group: out of memory");
    double *start = D->params[(cln_model_epochs_trained(cln_linreg_model(D->m)) + 1) % 2];
    return cln_linreg_get(D->m, start, &start[d]);
}

static void dist_free(dist *D)
{
    if (D->ctx)
        clni_queue_finish(D->ctx, D->ctx->queue);
    if (D->sums)
        clReleaseMemObject(D->sums);
    if (D->gsums)
        clReleaseMemObject(D->gsums);
    if (D->val_sums)
        clReleaseMemObject(D->val_sums);
    free(D->raw);
    free(D->gs_host);
    free(D->v);
    free(D->losses);
    free(D->val_v);
    free(D->val_local);
    free(D->params[0]);
    free(D->params[1]);
    clni_epoch_job_release(&D->job);
}

/* After a STOPPED collective: every member learns who failed and why. */
static cln_status stopped(dist *D)
{
    cln_status st = cln_group_agree(D->g, D->ctx, D->st);
    return st != CLN_SUCCESS ? st
                             : clni_fail(D->ctx, CLN_ERR_IO, "cln_fit_group: the group stopped "
                                                              "with no failing member");
}

/* The driver's epoch (fit_loop.h): the steps, the parameters they end with (read before the
 * validation allreduce, so that a failed read stops the group there) and the group's
 * validation losses. */
static cln_status run_epoch(void *self, size_t epoch, clni_epoch_out *out)
{
    dist *D = self;
    double *end = D->params[epoch % 2];
    cln_status st = train_epoch(D, epoch);
    if (st == CLN_SUCCESS && D->st == CLN_SUCCESS)
        note(D, cln_linreg_get(D->m, end, &end[D->d]));
    if (st == CLN_SUCCESS)
        st = val_losses(D);
    if (st == STOPPED)
        return stopped(D);
    if (st != CLN_SUCCESS)
        return st; /* the transport */
    out->losses = D->losses;
    out->params = end;
    out->params_start = D->params[(epoch + 1) % 2];
    out->metric = NAN;
    return CLN_SUCCESS;
}

/* The driver's end of an epoch: a divergence is every member's at once (the losses and the
 * parameters are the group's); anything else, one allreduce of whether a member failed and
 * whether one asked to stop. */
static cln_status agree_epoch(void *self, cln_status local, int *stop)
{
    dist *D = self;
    note(D, local);
    if (D->st == CLN_ERR_DIVERGED)
        return D->st;
    double flags[2] = {*stop, D->st != CLN_SUCCESS};
    CLNI_CHECK(reduce(D, flags, 2, CLN_REDUCE_MAX));
    if (flags[1] > 0)
        return stopped(D);
    *stop = flags[0] > 0;
    return CLN_SUCCESS;
}

static cln_status fit(dist *D, const cln_dataset *shard, cln_history *h, double t0)
{
    note(D, plan(D, shard));
    /* Planning may fail on one member only (memory, a kernel build): agree before going on,
     * then on the configuration. */
    CLNI_CHECK(cln_group_agree(D->g, D->ctx, D->st));
    CLNI_CHECK(agree_config(D));
    size_t nt = D->nb_train, nv = D->nb_val;
    D->losses = malloc((nt + nv + 1) * sizeof *D->losses);
    D->val_v = malloc((2 * nv + 1) * sizeof *D->val_v);
    D->val_local = malloc((2 * nv + 1) * sizeof *D->val_local);
    if (!D->losses || !D->val_v || !D->val_local)
        note(D, clni_fail(D->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_fit_group: out of memory"));
    CLNI_CHECK(cln_group_agree(D->g, D->ctx, D->st));

    /* The statistics are the epochs': the agreements above waited for every member's start. */
    D->stats.allreduce_seconds = 0;
    D->stats.allreduces = D->stats.allreduce_bytes = 0;
    h->path = D->job.path;
    /* The group's rows are every member's; it has no metric and does not run ahead. */
    clni_epoch_driver driver = {.self = D, .fn = "cln_fit_group", .model = D->job.model,
                                .nb_train = nt, .nb_val = nv, .examples = D->n_train,
                                .run_epoch = run_epoch, .agree = agree_epoch};
    return clni_fit_loop(&driver, D->cfg, t0, h);
}

cln_status cln_fit_group(cln_linreg *m, const cln_dataset *shard, const cln_trainer_config *cfg,
                         const cln_group *group, cln_history *history, cln_group_stats *stats)
{
    double t0 = clni_now();
    if (history)
        memset(history, 0, sizeof *history);
    if (stats)
        memset(stats, 0, sizeof *stats);
    cln_context *ctx = m ? cln_linreg_context(m) : NULL;
    CLNI_CHECK(check_group(ctx, group, "cln_fit_group"));
    /* A member with bad arguments still joins the first agreement, so no one waits. */
    cln_status st = check_args(m, shard, cfg);
    if (st != CLN_SUCCESS)
        return cln_group_agree(group, ctx, st);
    dist D;
    memset(&D, 0, sizeof D);
    D.g = group;
    D.cfg = cfg;
    D.ctx = ctx;
    D.dtype = cln_linreg_dtype(m);
    D.d = cln_linreg_num_inputs(m);
    D.es = cln_dtype_size(D.dtype);
    D.m = m;
    cln_history scratch = {0};
    cln_history *h = history ? history : &scratch;
    st = fit(&D, shard, h, t0);
    dist_free(&D);
    cln_history_free(&scratch);
    D.stats.seconds = clni_now() - t0;
    if (stats)
        *stats = D.stats;
    return st;
}
