/* An epoch of any model: the results' layout, the stepwise path through the model's
 * functions (model.h), and what the fast paths of the library's models share. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "train/selfcheck.h"
#include "train/stream.h"
#include "train/train_paths.h"

size_t clni_effective_batch(size_t batch_size, size_t n_train, size_t n_val)
{
    size_t rows = n_train > n_val ? n_train : n_val;
    return batch_size < rows ? batch_size : rows > 0 ? rows : 1;
}


void clni_epoch_job_release(clni_epoch_job *job)
{
    if (job->model && job->model->fast && job->model->fast->release)
        job->model->fast->release(job);
    cln_tensor_free(job->results);
    if (job->partial)
        clReleaseMemObject(job->partial);
    if (job->counter)
        clReleaseMemObject(job->counter);
    job->results = NULL;
    job->partial = job->counter = NULL;
    clni_stream_free(job->stream);
    job->stream = NULL;
    cln_loader_free(job->train);
    cln_loader_free(job->val);
    job->train = job->val = NULL;
}

/* The results tensor's layout (train_paths.h), and the path: stepwise, or what the model's
 * fast paths choose. */
static cln_status plan_path(clni_epoch_job *job, cln_train_path requested)
{
    cln_context *ctx = job->ctx;
    const cln_model *model = job->model;
    size_t losses = job->nb_train + job->nb_val;
    int has_metric = model->ops.metric_name != NULL;
    job->metrics_at = has_metric ? losses : SIZE_MAX;
    job->params_at = losses + (has_metric ? job->nb_val : 0);
    CLNI_CHECK(cln_tensor_create_1d(ctx, model->dtype, job->params_at + 2 * model->num_params,
                                    &job->results));
    CLNI_CHECK(clni_check_tune(ctx));
    job->path = CLN_PATH_STEPWISE;
    if (requested == CLN_PATH_STEPWISE)
        return CLN_SUCCESS;
    if (model->fast) {
        CLNI_CHECK(clni_selfcheck(ctx, model->dtype)); /* a fast path runs only where shown right */
        return model->fast->plan(job, requested);
    }
    if (requested == CLN_PATH_AUTO)
        return CLN_SUCCESS;
    return clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                     "cln_fit: a %s model trains on the stepwise path only (the fused and "
                     "whole-epoch kernels are the library's models' own)",
                     model->ops.kind);
}

/* Host-resident data streams through the fused or stepwise path (stream.c). */
static cln_status plan(clni_epoch_job *job, cln_train_path requested)
{
    if (!cln_dataset_on_host(job->data))
        return plan_path(job, requested);
    if (requested == CLN_PATH_EPOCH || requested == CLN_PATH_PERSISTENT)
        return clni_fail(job->ctx, CLN_ERR_UNSUPPORTED,
                         "cln_fit: the %s kernel needs the data on the device; host-resident "
                         "data streams through the fused or the stepwise path",
                         requested == CLN_PATH_EPOCH ? "epoch" : "persistent");
    CLNI_CHECK(plan_path(job, requested));
    return clni_stream_create(job->ctx, job->data, job->train, job->val, job->stream_chunk_bytes,
                              &job->stream);
}

cln_status clni_epoch_job_init(clni_epoch_job *job, cln_model *m, const cln_dataset *data,
                               const cln_trainer_config *cfg)
{
    cln_context *ctx = m->ctx;
    job->ctx = ctx;
    job->model = m;
    job->data = data;
    job->step.lr = cfg->lr;
    job->step.weight_decay = cfg->weight_decay;
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
    return plan(job, cfg->path);
}

cln_status clni_stepwise_batch(clni_epoch_job *job, const cln_batch *batch, size_t k)
{
    const cln_model *model = job->model;
    if (k < job->nb_train)
        return model->ops.train_batch(model->self, batch, &job->step, job->results, k);
    size_t metric_at = job->metrics_at == SIZE_MAX ? SIZE_MAX : job->metrics_at + k - job->nb_train;
    return model->ops.eval_batch(model->self, batch, job->results, k, metric_at);
}

static cln_status enqueue_stepwise(clni_epoch_job *job)
{
    cln_batch tb = {cln_dataset_train_X(job->data), cln_dataset_train_y(job->data), job->train, 0, 0};
    for (size_t k = 0; k < job->nb_train; k++) {
        cln_loader_batch(job->train, k, &tb.first, &tb.count);
        CLNI_CHECK(clni_stepwise_batch(job, &tb, k));
    }
    cln_batch vb = {cln_dataset_val_X(job->data), cln_dataset_val_y(job->data), NULL, 0, 0};
    for (size_t k = 0; k < job->nb_val; k++) {
        cln_loader_batch(job->val, k, &vb.first, &vb.count);
        CLNI_CHECK(clni_stepwise_batch(job, &vb, job->nb_train + k));
    }
    return CLN_SUCCESS;
}

/* The parameters into the results: as the epoch ends them (at_start 0) or as it starts. */
static cln_status save_params(clni_epoch_job *job, int at_start)
{
    const cln_model *model = job->model;
    size_t at = job->params_at + (at_start ? model->num_params : 0);
    return model->ops.save_params(model->self, job->results, at);
}

cln_status clni_epoch_job_enqueue(clni_epoch_job *job)
{
    job->params_written = 0;
    if (job->path == CLN_PATH_STEPWISE) /* the kernels of the other paths write them */
        CLNI_CHECK(save_params(job, 1));
    if (job->stream)
        CLNI_CHECK(clni_stream_enqueue_job(job));
    else if (job->path == CLN_PATH_STEPWISE)
        CLNI_CHECK(enqueue_stepwise(job));
    else
        CLNI_CHECK(job->model->fast->enqueue_epoch(job));
    return job->params_written ? CLN_SUCCESS : save_params(job, 0);
}

/* ---- host-resident data: the epoch streamed in chunks (stream.h) ------------------------ */

static cln_status fused_chunk_batch(void *user, int training, size_t k, const cln_tensor *X,
                                    const cln_tensor *y, size_t first, size_t count)
{
    clni_epoch_job *job = user;
    return job->model->fast->fused_batch(job, X, y, NULL, first, count, training,
                                         training ? k : job->nb_train + k);
}

static cln_status stepwise_chunk_batch(void *user, int training, size_t k, const cln_tensor *X,
                                       const cln_tensor *y, size_t first, size_t count)
{
    clni_epoch_job *job = user;
    cln_batch b = {X, y, NULL, first, count};
    return clni_stepwise_batch(job, &b, training ? k : job->nb_train + k);
}

cln_status clni_stream_enqueue_job(clni_epoch_job *job)
{
    return clni_stream_epoch(job->stream,
                             job->path == CLN_PATH_FUSED ? fused_chunk_batch : stepwise_chunk_batch,
                             job);
}
