/* clnum-bench: linear regression through CLBlast alone (see clblast_path.h for the calls
 * and the shuffling). */
#include "clblast_path.h"

#include <clblast_c.h>
#include <math.h>
#include <stdlib.h>

#include "timing.h"
#include "workloads.h"

typedef struct blas_fit {
    cl_context cl;
    cl_command_queue queue;
    const workload *w;
    size_t d, nb_train, nb_val;
    cl_mem X, y, Xv, yv;           /* the dataset's buffers ... */
    size_t x_off, y_off, xv_off, yv_off; /* ... and element offsets of the splits */
    cl_mem params;                 /* w (d values) then b */
    cl_mem grads;                  /* g_w then g_b */
    cl_mem r;                      /* the residual of a minibatch */
    cl_mem ones;                   /* B ones: the bias as a B x 1 matrix */
    cl_mem losses;                 /* r . r of every minibatch of an epoch */
    float *host;                   /* losses, or parameters, on the host */
    uint32_t *order;               /* the epoch's order of training minibatches */
    uint64_t calls;                /* CLBlast calls and reads */
} blas_fit;

static cln_status blas_fail(bench_error *err, CLBlastStatusCode code, const char *routine)
{
    if (code > -1024) /* CLBlast passes OpenCL's codes through */
        return bench_fail(err, (cln_status)code, NULL, "%s", routine);
    return bench_fail(err, CLN_ERR_BLAS, NULL, "%s: CLBlast status %d", routine, (int)code);
}

#define BLAS(s, err, routine, ...)                                        \
    do {                                                                  \
        CLBlastStatusCode code_ = routine(__VA_ARGS__, &(s)->queue, NULL); \
        (s)->calls++;                                                     \
        if (code_ != CLBlastSuccess)                                      \
            return blas_fail(err, code_, #routine);                       \
    } while (0)

static void blas_fit_free(blas_fit *s)
{
    cl_mem *mems[] = {&s->params, &s->grads, &s->r, &s->ones, &s->losses};
    for (size_t i = 0; i < sizeof mems / sizeof *mems; i++)
        if (*mems[i])
            clReleaseMemObject(*mems[i]);
    free(s->host);
    free(s->order);
}

static cl_mem make_buffer(blas_fit *s, size_t floats, cl_int *e)
{
    return *e == CL_SUCCESS ? clCreateBuffer(s->cl, CL_MEM_READ_WRITE, floats * sizeof(float),
                                             NULL, e)
                            : NULL;
}

/* The dataset's buffers and the bench's own: made once, outside the timing. */
static cln_status blas_fit_init(blas_fit *s, cln_context *ctx, const cln_dataset *data,
                                const workload *w, bench_error *err)
{
    s->w = w;
    s->d = w->num_inputs;
    s->nb_train = (w->num_train + w->batch - 1) / w->batch;
    s->nb_val = (w->num_val + w->batch - 1) / w->batch;
    cln_status st = cln_context_cl(ctx, &s->cl, NULL, &s->queue);
    if (st != CLN_SUCCESS)
        return bench_fail(err, st, cln_last_error(ctx), "cln_context_cl");
    s->X = cln_tensor_buffer(cln_dataset_train_X(data));
    s->x_off = cln_tensor_offset(cln_dataset_train_X(data));
    s->y = cln_tensor_buffer(cln_dataset_train_y(data));
    s->y_off = cln_tensor_offset(cln_dataset_train_y(data));
    if (w->num_val) {
        s->Xv = cln_tensor_buffer(cln_dataset_val_X(data));
        s->xv_off = cln_tensor_offset(cln_dataset_val_X(data));
        s->yv = cln_tensor_buffer(cln_dataset_val_y(data));
        s->yv_off = cln_tensor_offset(cln_dataset_val_y(data));
    }
    size_t nb = s->nb_train + s->nb_val, host = nb > s->d + 1 ? nb : s->d + 1;
    cl_int e = CL_SUCCESS;
    s->params = make_buffer(s, s->d + 1, &e);
    s->grads = make_buffer(s, s->d + 1, &e);
    s->r = make_buffer(s, w->batch, &e);
    s->ones = make_buffer(s, w->batch, &e);
    s->losses = make_buffer(s, nb, &e);
    if (e != CL_SUCCESS)
        return bench_fail(err, e, NULL, "CLBlast path: allocating its buffers");
    cl_float one = 1.0f, zero = 0.0f;
    e = clEnqueueFillBuffer(s->queue, s->ones, &one, sizeof one, 0, w->batch * sizeof one, 0,
                            NULL, NULL);
    if (e == CL_SUCCESS) /* beta = 0 must not meet a NaN left in new memory: 0 * NaN is NaN */
        e = clEnqueueFillBuffer(s->queue, s->grads, &zero, sizeof zero, 0,
                                (s->d + 1) * sizeof zero, 0, NULL, NULL);
    if (e != CL_SUCCESS)
        return bench_fail(err, e, NULL, "CLBlast path: filling the ones");
    s->host = malloc(host * sizeof *s->host);
    s->order = malloc(s->nb_train * sizeof *s->order);
    if (!s->host || !s->order)
        return bench_fail(err, CLN_ERR_OUT_OF_HOST_MEMORY, NULL, "CLBlast path");
    return CLN_SUCCESS;
}

/* Forward and loss of one minibatch: r = X_B w + b - y_B, losses[slot] = r . r. */
static cln_status forward_loss(blas_fit *s, cl_mem X, size_t x_off, cl_mem y, size_t y_off,
                               size_t first, size_t count, size_t slot, bench_error *err)
{
    size_t d = s->d;
    BLAS(s, err, CLBlastScopy, count, y, y_off + first, 1, s->r, 0, 1);
    BLAS(s, err, CLBlastSgemv, CLBlastLayoutRowMajor, CLBlastTransposeNo, count, d, 1.0f, X,
         x_off + first * d, d, s->params, 0, 1, -1.0f, s->r, 0, 1);
    BLAS(s, err, CLBlastSgemv, CLBlastLayoutRowMajor, CLBlastTransposeNo, count, 1, 1.0f, s->ones,
         0, 1, s->params, d, 1, 1.0f, s->r, 0, 1);
    BLAS(s, err, CLBlastSdot, count, s->losses, slot, s->r, 0, 1, s->r, 0, 1);
    return CLN_SUCCESS;
}

/* Gradients and the SGD step of one training minibatch, after forward_loss. */
static cln_status backward_step(blas_fit *s, size_t first, size_t count, bench_error *err)
{
    size_t d = s->d;
    float inv_b = 1.0f / (float)count;
    BLAS(s, err, CLBlastSgemv, CLBlastLayoutRowMajor, CLBlastTransposeYes, count, d, inv_b, s->X,
         s->x_off + first * d, d, s->r, 0, 1, 0.0f, s->grads, 0, 1);
    BLAS(s, err, CLBlastSgemv, CLBlastLayoutRowMajor, CLBlastTransposeYes, count, 1, inv_b,
         s->ones, 0, 1, s->r, 0, 1, 0.0f, s->grads, d, 1);
    BLAS(s, err, CLBlastSaxpy, d + 1, (float)-W_LR, s->grads, 0, 1, s->params, 0, 1);
    return CLN_SUCCESS;
}

/* The count of minibatch k of n rows. */
static size_t batch_count(size_t n, size_t batch, size_t k)
{
    size_t first = k * batch;
    return n - first < batch ? n - first : batch;
}

/* One epoch: training minibatches in a shuffled order, validation in order, then the one
 * read of the epoch's losses. */
static cln_status run_epoch(blas_fit *s, size_t epoch, bench_error *err)
{
    const workload *w = s->w;
    cln_shuffle_order(W_SEED, epoch, s->order, s->nb_train);
    for (size_t k = 0; k < s->nb_train; k++) {
        size_t first = (size_t)s->order[k] * w->batch;
        size_t count = batch_count(w->num_train, w->batch, s->order[k]);
        BENCH_TRY(forward_loss(s, s->X, s->x_off, s->y, s->y_off, first, count, k, err));
        BENCH_TRY(backward_step(s, first, count, err));
    }
    for (size_t k = 0; k < s->nb_val; k++)
        BENCH_TRY(forward_loss(s, s->Xv, s->xv_off, s->yv, s->yv_off, k * w->batch,
                               batch_count(w->num_val, w->batch, k), s->nb_train + k, err));
    size_t nb = s->nb_train + s->nb_val;
    cl_int e = clEnqueueReadBuffer(s->queue, s->losses, CL_TRUE, 0, nb * sizeof(float), s->host,
                                   0, NULL, NULL);
    s->calls++;
    if (e != CL_SUCCESS)
        return bench_fail(err, e, NULL, "CLBlast path: reading the losses");
    for (size_t k = 0; k < nb; k++) /* loss = r . r / (2 B): only the check needs it here */
        if (!isfinite(s->host[k]))
            return bench_fail(err, CLN_ERR_DIVERGED, NULL, "CLBlast path: epoch %zu, batch %zu",
                              epoch, k);
    return CLN_SUCCESS;
}

static cln_status set_params(blas_fit *s, const double *w0, double b0, bench_error *err)
{
    for (size_t j = 0; j < s->d; j++)
        s->host[j] = (float)w0[j];
    s->host[s->d] = (float)b0;
    cl_int e = clEnqueueWriteBuffer(s->queue, s->params, CL_TRUE, 0, (s->d + 1) * sizeof(float),
                                    s->host, 0, NULL, NULL);
    return e == CL_SUCCESS ? CLN_SUCCESS : bench_fail(err, e, NULL, "CLBlast path: parameters");
}

/* One fit from (w0, b0), in ms; parameter upload not timed. */
static cln_status timed_fit(blas_fit *s, const double *w0, double b0, double *ms,
                            bench_error *err)
{
    BENCH_TRY(set_params(s, w0, b0, err));
    s->calls = 0;
    double t0 = bench_now_ms();
    for (size_t epoch = 0; epoch < s->w->epochs; epoch++)
        BENCH_TRY(run_epoch(s, epoch, err));
    *ms = bench_now_ms() - t0;
    return CLN_SUCCESS;
}

/* The relative error of the learned parameters (read back, not timed). */
static cln_status learned_rel_err(blas_fit *s, const cln_dataset *data, double *out,
                                  bench_error *err)
{
    cl_int e = clEnqueueReadBuffer(s->queue, s->params, CL_TRUE, 0, (s->d + 1) * sizeof(float),
                                   s->host, 0, NULL, NULL);
    if (e != CL_SUCCESS)
        return bench_fail(err, e, NULL, "CLBlast path: reading the parameters");
    double *w = malloc(s->d * sizeof *w);
    if (!w)
        return bench_fail(err, CLN_ERR_OUT_OF_HOST_MEMORY, NULL, "CLBlast path");
    for (size_t j = 0; j < s->d; j++)
        w[j] = s->host[j];
    cln_status st = workload_rel_err(data, w, s->host[s->d], out, err);
    free(w);
    return st;
}

cln_status clblast_fit(cln_context *ctx, const cln_dataset *data, const workload *w,
                       const double *w0, double b0, fit_figures *out, bench_error *err)
{
    blas_fit s = {0};
    *out = (fit_figures){0};
    double *ms = malloc((size_t)w->repeats * sizeof *ms), warm;
    cln_status st = ms ? blas_fit_init(&s, ctx, data, w, err)
                       : bench_fail(err, CLN_ERR_OUT_OF_HOST_MEMORY, NULL, "CLBlast path");
    if (st == CLN_SUCCESS)
        st = timed_fit(&s, w0, b0, &warm, err);
    for (int r = 0; r < w->repeats && st == CLN_SUCCESS; r++)
        st = timed_fit(&s, w0, b0, &ms[r], err);
    if (st == CLN_SUCCESS) {
        bench_stats t = bench_stats_of(ms, (size_t)w->repeats);
        out->supported = 1;
        out->best_ms = t.best;
        out->median_ms = t.median;
        out->train_batches = s.nb_train * w->epochs;
        out->updates = out->train_batches;
        out->enqueues_per_batch = (double)s.calls / (double)out->train_batches;
        st = learned_rel_err(&s, data, &out->rel_err, err);
    }
    blas_fit_free(&s);
    free(ms);
    return st;
}
