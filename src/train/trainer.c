/* The Trainer: epochs of minibatches, enqueued without host waits. Each epoch's batch
 * losses and parameters come back in one read that the host waits for while the next epoch
 * already runs (one epoch of lookahead), so the device never idles on the host. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/enqueue.h"
#include "train/board.h"
#include "data/data_impl.h"
#include "train/train_paths.h"

void cln_trainer_config_init(cln_trainer_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->max_epochs = 3;
    cfg->lr = 0.03;
    cfg->batch_size = 32;
    cfg->seed = 0;
    cfg->train_points_per_epoch = 2;
    cfg->val_points_per_epoch = 1;
    cfg->path = CLN_PATH_AUTO;
    cfg->weight_decay = 0.0;
}

void cln_history_free(cln_history *h)
{
    if (!h)
        return;
    free(h->train_loss.x);
    free(h->train_loss.y);
    free(h->val_loss.x);
    free(h->val_loss.y);
    free(h->val_metric.x);
    free(h->val_metric.y);
    memset(h, 0, sizeof *h);
}

/* What an epoch sends back (the job's results, train_paths.h): its batch losses, metrics,
 * the parameters as it ended them and as it started them. Two of these alternate, as one
 * epoch's read may be pending while the last one is looked at. */
typedef struct epoch_readback {
    double *values;            /* the results, converted from the dtype */
    void *raw;                 /* what the device writes into */
    cl_event done;
} epoch_readback;

typedef struct fit_state {
    clni_epoch_job job;
    const cln_trainer_config *cfg;
    size_t num_params, n_losses, n_values;
    epoch_readback back[2];
    clni_board train_board, val_board;
    double t0;                 /* clni_now() when the fit started */
} fit_state;

static void fit_state_free(fit_state *s)
{
    /* Pending reads write into host memory freed below: let them land first. */
    if (s->job.ctx)
        clni_queue_finish(s->job.ctx, s->job.ctx->queue);
    for (int i = 0; i < 2; i++) {
        if (s->back[i].done)
            clReleaseEvent(s->back[i].done);
        free(s->back[i].values);
        free(s->back[i].raw);
    }
    clni_epoch_job_release(&s->job);
    cln_loader_free(s->job.train);
    cln_loader_free(s->job.val);
}

static cln_status fit_state_init(fit_state *s, cln_model *m, const cln_dataset *data,
                                 const cln_trainer_config *cfg)
{
    clni_epoch_job *job = &s->job;
    cln_context *ctx = m->ctx;
    job->ctx = ctx;
    job->model = m;
    job->data = data;
    job->step.lr = cfg->lr;
    job->step.weight_decay = cfg->weight_decay;
    s->cfg = cfg;
    s->num_params = m->num_params;
    size_t n_train = cln_dataset_num_train(data), n_val = cln_dataset_num_val(data);
    size_t batch = clni_effective_batch(cfg->batch_size, n_train, n_val);
    /* Host-resident data is gathered on the host in this order: no index on the device. */
    CLNI_CHECK(clni_loader_new(ctx, n_train, batch, 1, cfg->seed, !cln_dataset_on_host(data),
                               &job->train));
    job->train->draw = cfg->draw_order;
    job->train->draw_user = cfg->order_user;
    job->stream_chunk_bytes = cfg->stream_chunk_bytes;
    if (n_val > 0)
        CLNI_CHECK(cln_loader_create(ctx, n_val, batch, 0, 0, &job->val));
    job->nb_train = cln_loader_num_batches(job->train);
    job->nb_val = cln_loader_num_batches(job->val);
    job->batch_size = batch;
    CLNI_CHECK(clni_epoch_job_plan(job, cfg->path));

    s->n_losses = job->nb_train + job->nb_val;
    s->n_values = job->params_at + 2 * s->num_params;
    size_t count = s->n_values, es = cln_dtype_size(m->dtype);
    for (int i = 0; i < 2; i++) {
        s->back[i].values = malloc(count * sizeof(double));
        s->back[i].raw = malloc(count * es);
        if (!s->back[i].values || !s->back[i].raw)
            return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_fit: out of memory");
    }
    return CLN_SUCCESS;
}

/* Enqueues epoch `epoch`: its order, its minibatches, and the read of its results. */
static cln_status enqueue_epoch(fit_state *s, size_t epoch)
{
    clni_epoch_job *job = &s->job;
    cln_context *ctx = job->ctx;
    CLNI_CHECK(clni_loader_start_epoch_async(job->train, epoch));
    CLNI_CHECK(clni_epoch_job_enqueue(job));
    epoch_readback *r = &s->back[epoch % 2];
    size_t es = cln_dtype_size(job->model->dtype);
    if (r->done) {
        clReleaseEvent(r->done);
        r->done = NULL;
    }
    const cln_tensor *results = job->results;
    CLNI_CHECK(clni_enqueue_read(ctx, results->buffer, CL_FALSE, results->offset * es,
                                 cln_tensor_nbytes(results), r->raw, &r->done,
                                 "cln_fit: reading an epoch's results"));
    cl_int err = clFlush(ctx->queue);
    return err == CL_SUCCESS ? CLN_SUCCESS : clni_cl_fail(ctx, err, "cln_fit: clFlush");
}

/* count values of the model's dtype, as read from the device, to doubles. */
static void to_doubles(const fit_state *s, const void *raw, double *out, size_t count)
{
    if (s->job.model->dtype == CLN_FLOAT64)
        memcpy(out, raw, count * sizeof(double));
    else
        for (size_t i = 0; i < count; i++)
            out[i] = ((const float *)raw)[i];
}

/* Waits for epoch `epoch`'s results and converts them to double. */
static cln_status wait_epoch(fit_state *s, size_t epoch)
{
    epoch_readback *r = &s->back[epoch % 2];
    cl_int err = clWaitForEvents(1, &r->done);
    if (err != CL_SUCCESS)
        return clni_cl_fail(s->job.ctx, err, "cln_fit: waiting for an epoch");
    to_doubles(s, r->raw, r->values, s->n_values);
    return CLN_SUCCESS;
}

/* Puts epoch `epoch`'s parameters back, as it ended them (at_start 0) or as it started
 * (at_start 1), once everything enqueued is done. */
static cln_status restore(fit_state *s, size_t epoch, int at_start)
{
    clni_queue_finish(s->job.ctx, s->job.ctx->queue);
    const cln_model *m = s->job.model;
    const double *params = s->back[epoch % 2].values + s->job.params_at +
                           (at_start ? s->num_params : 0);
    return m->ops.load_params(m->self, params);
}

/* What the divergence message calls parameter j: linear regression's w then b. */
static const char *param_name(const cln_model *m, size_t j)
{
    if (strcmp(m->ops.kind, "linreg") == 0)
        return j < m->num_inputs ? "a weight" : "the bias";
    return "a parameter";
}

/* The validation split's metric: each batch's mean, weighted by its rows (NaN without a
 * metric or validation rows). */
static double val_metric(const fit_state *s, const double *v)
{
    const clni_epoch_job *job = &s->job;
    if (job->metrics_at == SIZE_MAX || job->nb_val == 0)
        return NAN;
    double sum = 0;
    for (size_t k = 0; k < job->nb_val; k++) {
        size_t first, count;
        cln_loader_batch(job->val, k, &first, &count);
        sum += v[job->metrics_at + k] * (double)count;
    }
    return sum / (double)cln_dataset_num_val(job->data);
}

/* One more point of a curve. */
static cln_status curve_append(cln_context *ctx, cln_curve *c, double x, double y)
{
    double *nx = realloc(c->x, (c->count + 1) * sizeof *nx);
    if (nx)
        c->x = nx;
    double *ny = nx ? realloc(c->y, (c->count + 1) * sizeof *ny) : NULL;
    if (!ny)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_fit: out of memory");
    c->y = ny;
    c->x[c->count] = x;
    c->y[c->count++] = y;
    return CLN_SUCCESS;
}

/* Looks at epoch `epoch`'s results: a non-finite loss is a divergence (the parameters go
 * back to the last finite epoch's); otherwise the board gets its points and the caller's
 * callback its report. *stop is set when the callback asks to stop. */
static cln_status process_epoch(fit_state *s, size_t epoch, cln_history *h, int *stop)
{
    const clni_epoch_job *job = &s->job;
    cln_context *ctx = job->ctx;
    const double *v = s->back[epoch % 2].values;
    for (size_t k = 0; k < s->n_losses; k++) {
        if (isfinite(v[k]))
            continue;
        CLNI_CHECK(restore(s, epoch, 1));
        int training = k < job->nb_train;
        return clni_fail(ctx, CLN_ERR_DIVERGED,
                         "cln_fit: the loss became %g at epoch %zu, %s batch %zu (learning rate "
                         "%g); the parameters are restored to those at the start of that epoch",
                         v[k], epoch, training ? "training" : "validation",
                         training ? k : k - job->nb_train, s->cfg->lr);
    }
    /* The last step can overflow with every loss before it finite (no validation after it
     * to see it): the parameters must be finite too. */
    for (size_t j = 0; j < s->num_params; j++) {
        double p = v[job->params_at + j];
        if (isfinite(p))
            continue;
        CLNI_CHECK(restore(s, epoch, 1));
        return clni_fail(ctx, CLN_ERR_DIVERGED,
                         "cln_fit: %s became %g in epoch %zu's training steps (learning rate %g); "
                         "the parameters are restored to those at the start of that epoch",
                         param_name(job->model, j), p, epoch, s->cfg->lr);
    }
    for (size_t k = 0; k < job->nb_train; k++)
        CLNI_CHECK(clni_board_draw(&s->train_board, ctx,
                                   (double)(epoch * job->nb_train + k) / (double)job->nb_train,
                                   v[k]));
    for (size_t k = 0; k < job->nb_val; k++)
        CLNI_CHECK(clni_board_draw(&s->val_board, ctx, (double)(epoch + 1), v[job->nb_train + k]));
    double metric = val_metric(s, v);
    if (job->metrics_at != SIZE_MAX && job->nb_val > 0)
        CLNI_CHECK(curve_append(ctx, &h->val_metric, (double)(epoch + 1), metric));
    h->epochs++;
    h->updates += job->nb_train;
    if (s->cfg->on_epoch) {
        cln_epoch_report r = {epoch, s->cfg->max_epochs, job->nb_train,
                              cln_dataset_num_train(job->data), clni_mean(v, job->nb_train),
                              clni_mean(v + job->nb_train, job->nb_val), clni_now() - s->t0,
                              metric, job->model->ops.metric_name};
        *stop = s->cfg->on_epoch(&r, s->cfg->user) != 0;
    }
    return CLN_SUCCESS;
}

cln_status cln_fit(cln_model *m, const cln_dataset *data, const cln_trainer_config *cfg,
                   cln_history *history)
{
    if (history)
        memset(history, 0, sizeof *history);
    CLNI_CHECK(clni_fit_check(m, data, cfg, "cln_fit", "data"));
    fit_state s;
    memset(&s, 0, sizeof s);
    s.t0 = clni_now();
    cln_history scratch = {0};
    cln_history *h = history ? history : &scratch;
    cln_status st = fit_state_init(&s, m, data, cfg);
    h->path = s.job.path;
    /* d2l: every_n = int(num_batches / points_per_epoch), at least 1. */
    clni_board_init(&s.train_board, &h->train_loss, s.job.nb_train / cfg->train_points_per_epoch);
    clni_board_init(&s.val_board, &h->val_loss, s.job.nb_val / cfg->val_points_per_epoch);

    if (st == CLN_SUCCESS)
        st = enqueue_epoch(&s, 0);
    for (size_t epoch = 0; st == CLN_SUCCESS && epoch < cfg->max_epochs; epoch++) {
        if (epoch + 1 < cfg->max_epochs)
            st = enqueue_epoch(&s, epoch + 1);
        if (st == CLN_SUCCESS)
            st = wait_epoch(&s, epoch);
        int stop = 0;
        if (st == CLN_SUCCESS)
            st = process_epoch(&s, epoch, h, &stop);
        if (st == CLN_SUCCESS && stop) {
            /* The next epoch may already have run: undo it. */
            st = restore(&s, epoch, 0);
            break;
        }
    }
    if (st != CLN_SUCCESS && s.job.ctx)
        clni_queue_finish(s.job.ctx, s.job.ctx->queue);
    fit_state_free(&s);
    cln_history_free(&scratch);
    return st;
}
