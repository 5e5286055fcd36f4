/* The Trainer: epochs of minibatches, enqueued without host waits. Each epoch's batch
 * losses and parameters come back in one read that the host waits for while the next epoch
 * already runs (one epoch of lookahead), so the device never idles on the host. This is
 * cln_fit()'s epoch driver; what follows each epoch is the loop every fit shares
 * (fit_loop.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/enqueue.h"
#include "train/fit_loop.h"

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
    size_t num_params, n_values;
    size_t first_epoch;        /* the model's epochs trained when the fit began */
    epoch_readback back[2];
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
}

static cln_status fit_state_init(fit_state *s, cln_model *m, const cln_dataset *data,
                                 const cln_trainer_config *cfg)
{
    s->cfg = cfg;
    s->num_params = m->num_params;
    s->first_epoch = m->epochs_trained;
    CLNI_CHECK(clni_epoch_job_init(&s->job, m, data, cfg));
    s->n_values = s->job.params_at + 2 * s->num_params;
    size_t count = s->n_values, es = cln_dtype_size(m->dtype);
    for (int i = 0; i < 2; i++) {
        s->back[i].values = malloc(count * sizeof(double));
        s->back[i].raw = malloc(count * es);
        if (!s->back[i].values || !s->back[i].raw)
            return clni_fail(m->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_fit: out of memory");
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

/* Waits for epoch `epoch`'s results and converts them to double. */
static cln_status wait_epoch(fit_state *s, size_t epoch)
{
    epoch_readback *r = &s->back[epoch % 2];
    cl_int err = clWaitForEvents(1, &r->done);
    if (err != CL_SUCCESS)
        return clni_cl_fail(s->job.ctx, err, "cln_fit: waiting for an epoch");
    clni_dtype_to_doubles(r->values, s->job.model->dtype, r->raw, s->n_values);
    return CLN_SUCCESS;
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

/* The driver's epoch (fit_loop.h; epoch absolute): the next epoch is enqueued before this
 * one is waited for, so the device runs it while the host looks at this one. */
static cln_status run_epoch(void *self, size_t epoch, clni_epoch_out *out)
{
    fit_state *s = self;
    if (epoch == s->first_epoch)
        CLNI_CHECK(enqueue_epoch(s, epoch));
    if (epoch + 1 - s->first_epoch < s->cfg->max_epochs)
        CLNI_CHECK(enqueue_epoch(s, epoch + 1));
    CLNI_CHECK(wait_epoch(s, epoch));
    const double *v = s->back[epoch % 2].values;
    out->losses = v;
    out->params = v + s->job.params_at;
    out->params_start = out->params + s->num_params;
    out->metric = val_metric(s, v);
    return CLN_SUCCESS;
}

cln_status cln_fit(cln_model *m, const cln_dataset *data, const cln_trainer_config *cfg,
                   cln_history *history)
{
    if (history)
        memset(history, 0, sizeof *history);
    CLNI_CHECK(clni_fit_check(m, data, cfg, "cln_fit", "data"));
    double t0 = clni_now();
    fit_state s;
    memset(&s, 0, sizeof s);
    cln_history scratch = {0};
    cln_history *h = history ? history : &scratch;
    cln_status st = fit_state_init(&s, m, data, cfg);
    h->path = s.job.path;
    if (st == CLN_SUCCESS) {
        clni_epoch_driver d = {.self = &s, .fn = "cln_fit", .model = m,
                               .nb_train = s.job.nb_train, .nb_val = s.job.nb_val,
                               .examples = cln_dataset_num_train(data),
                               .metric_name = m->ops.metric_name, .runs_ahead = 1,
                               .run_epoch = run_epoch};
        st = clni_fit_loop(&d, cfg, t0, h);
    }
    if (st != CLN_SUCCESS && s.job.ctx)
        clni_queue_finish(s.job.ctx, s.job.ctx->queue);
    fit_state_free(&s);
    cln_history_free(&scratch);
    return st;
}
