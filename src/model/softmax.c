/* Softmax regression from scratch: parameters, the forward, loss, accuracy, backward and
 * step kernels of cl/model/softmax.cl enqueued one per call, and the model the trainer drives
 * (model.h). Its fast paths are in softmax_paths.c. */
#include <math.h>
#include <stdlib.h>

#include "model/fast_paths.h"
#include "runtime/enqueue.h"

enum { STREAM_INIT_W = 3 };

/* Labels are whole numbers of the dtype: float32 holds them exactly up to 2^24. */
#define MAX_CLASSES ((size_t)1 << 24)

struct cln_softmax {
    clni_object obj;
    cln_context *ctx;
    cln_dtype dtype;
    size_t d, k;
    cln_tensor *W, *b, *grad_W, *grad_b;
    cln_tensor *logits;    /* the trainer's stepwise logits, grown as batches need */
    cln_tensor *delta;     /* backward's softmax - onehot, grown as batches need */
    cln_model model;       /* what the trainer sees (model.h) */
};

static const cln_model_ops softmax_ops;

static void destroy(clni_object *obj) { cln_softmax_free((cln_softmax *)obj); }

void cln_softmax_free(cln_softmax *m)
{
    if (!m)
        return;
    clni_unregister(m->ctx, &m->obj);
    clni_tensor_destroy(m->W);
    clni_tensor_destroy(m->b);
    clni_tensor_destroy(m->grad_W);
    clni_tensor_destroy(m->grad_b);
    clni_tensor_destroy(m->logits);
    clni_tensor_destroy(m->delta);
    free(m);
}

static cln_status check_create_args(cln_context *ctx, cln_dtype dtype, size_t d, size_t k,
                                    double sigma, const char *fn)
{
    if ((unsigned)dtype > CLN_FLOAT64)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: unknown dtype %d", fn, (int)dtype);
    if (dtype == CLN_FLOAT64 && !ctx->info.has_float64)
        return clni_fail(ctx, CLN_ERR_NO_FLOAT64,
                         "%s: float64 asked of %s, which has no cl_khr_fp64", fn,
                         ctx->info.device_name);
    if (d == 0 || d > UINT32_MAX)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: num_inputs %zu is outside 1 .. 2^32 - 1",
                         fn, d);
    if (k < 2 || k > MAX_CLASSES)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: num_classes %zu is outside 2 .. 2^24",
                         fn, k);
    if (!isfinite(sigma) || sigma < 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: sigma %g must be finite and >= 0", fn,
                         sigma);
    return CLN_SUCCESS;
}

/* W ~ N(0, sigma^2) from Philox stream 3 of seed (as linreg's w), b = 0, gradients 0. */
static cln_status make_params(cln_softmax *m, double sigma, uint64_t seed)
{
    size_t shape_W[2] = {m->d, m->k};
    cln_status st = clni_tensor_new(m->ctx, m->dtype, 2, shape_W, 0, &m->W);
    if (st == CLN_SUCCESS)
        st = clni_tensor_new(m->ctx, m->dtype, 1, &m->k, 0, &m->b);
    if (st == CLN_SUCCESS)
        st = clni_tensor_new(m->ctx, m->dtype, 2, shape_W, 0, &m->grad_W);
    if (st == CLN_SUCCESS)
        st = clni_tensor_new(m->ctx, m->dtype, 1, &m->k, 0, &m->grad_b);
    if (st == CLN_SUCCESS)
        st = cln_tensor_randn(m->W, 0.0, sigma, seed, STREAM_INIT_W);
    if (st == CLN_SUCCESS)
        st = cln_tensor_fill(m->b, 0.0);
    if (st == CLN_SUCCESS)
        st = cln_tensor_fill(m->grad_W, 0.0);
    if (st == CLN_SUCCESS)
        st = cln_tensor_fill(m->grad_b, 0.0);
    return st;
}

cln_status cln_softmax_create(cln_context *ctx, cln_dtype dtype, size_t num_inputs,
                              size_t num_classes, double sigma, uint64_t seed,
                              cln_softmax **out)
{
    const char *fn = "cln_softmax_create";
    CLNI_CHECK(clni_check_ptr(NULL, ctx, fn, "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    CLNI_CHECK(check_create_args(ctx, dtype, num_inputs, num_classes, sigma, fn));
    cln_softmax *m = calloc(1, sizeof *m);
    if (!m)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    m->ctx = ctx;
    m->dtype = dtype;
    m->d = num_inputs;
    m->k = num_classes;
    clni_model_embed(&m->model, ctx, dtype, num_inputs, (num_inputs + 1) * num_classes,
                     &softmax_ops, m, &clni_softmax_paths);
    clni_register(ctx, &m->obj, destroy);
    cln_status st = make_params(m, sigma, seed);
    if (st != CLN_SUCCESS) {
        cln_softmax_free(m);
        return st;
    }
    *out = m;
    return CLN_SUCCESS;
}

cln_model *cln_softmax_model(cln_softmax *m) { return m ? &m->model : NULL; }
size_t cln_softmax_num_inputs(const cln_softmax *m) { return m ? m->d : 0; }
size_t cln_softmax_num_classes(const cln_softmax *m) { return m ? m->k : 0; }
cln_dtype cln_softmax_dtype(const cln_softmax *m) { return m ? m->dtype : CLN_FLOAT32; }
cln_context *cln_softmax_context(const cln_softmax *m) { return m ? m->ctx : NULL; }
cln_tensor *cln_softmax_W(cln_softmax *m) { return m ? m->W : NULL; }
cln_tensor *cln_softmax_b(cln_softmax *m) { return m ? m->b : NULL; }
cln_tensor *cln_softmax_grad_W(cln_softmax *m) { return m ? m->grad_W : NULL; }
cln_tensor *cln_softmax_grad_b(cln_softmax *m) { return m ? m->grad_b : NULL; }

cln_status cln_softmax_get(const cln_softmax *m, double *W, double *b)
{
    const char *fn = "cln_softmax_get";
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "m"));
    CLNI_CHECK(clni_check_ptr(m->ctx, W, fn, "W"));
    CLNI_CHECK(clni_check_ptr(m->ctx, b, fn, "b"));
    CLNI_CHECK(cln_tensor_download_f64(m->W, W, m->d * m->k));
    return cln_tensor_download_f64(m->b, b, m->k);
}

/* CLN_ERR_NOT_FINITE naming the first of n values that is not finite. */
static cln_status check_finite(const cln_softmax *m, const double *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return clni_fail(m->ctx, CLN_ERR_NOT_FINITE, "cln_softmax_set: %s[%zu] is not finite",
                             name, i);
    return CLN_SUCCESS;
}

cln_status cln_softmax_set(cln_softmax *m, const double *W, const double *b)
{
    const char *fn = "cln_softmax_set";
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "m"));
    CLNI_CHECK(clni_check_ptr(m->ctx, W, fn, "W"));
    CLNI_CHECK(clni_check_ptr(m->ctx, b, fn, "b"));
    size_t dk = m->d * m->k;
    CLNI_CHECK(check_finite(m, W, dk, "W"));
    CLNI_CHECK(check_finite(m, b, m->k, "b"));
    CLNI_CHECK(clni_tensor_upload_doubles(m->W, W, dk));
    return clni_tensor_upload_doubles(m->b, b, m->k);
}

/* ---- the kernels' arguments ------------------------------------------------------------ */

/* Checks a batch against the model; fills the kernel arguments it implies. */
typedef struct batch_args {
    cl_mem X, y, index;
    cl_ulong x_offset, y_offset, first;
    cl_uint d, k, count;
} batch_args;

static cln_status check_batch_tensors(const cln_softmax *m, const cln_batch *batch,
                                      const char *fn)
{
    CLNI_CHECK(clni_check_ptr(m->ctx, batch, fn, "batch"));
    CLNI_CHECK(clni_check_ptr(m->ctx, batch->X, fn, "batch->X"));
    CLNI_CHECK(clni_check_ptr(m->ctx, batch->y, fn, "batch->y"));
    const cln_tensor *X = batch->X, *y = batch->y;
    CLNI_CHECK(clni_check_same(m->W, X, fn));
    CLNI_CHECK(clni_check_same(m->W, y, fn));
    if (X->rank != 2 || X->shape[1] != m->d)
        return clni_fail(m->ctx, CLN_ERR_SHAPE_MISMATCH,
                         "%s: X must be (rows x %zu) for this model, not rank %zu with %zu columns",
                         fn, m->d, X->rank, X->rank == 2 ? X->shape[1] : X->numel);
    if (y->numel != X->shape[0])
        return clni_fail(m->ctx, CLN_ERR_SHAPE_MISMATCH, "%s: y has %zu labels for %zu rows of X",
                         fn, y->numel, X->shape[0]);
    if (batch->loader && batch->loader->num_rows != X->shape[0])
        return clni_fail(m->ctx, CLN_ERR_SHAPE_MISMATCH,
                         "%s: the loader orders %zu rows, X has %zu", fn,
                         batch->loader->num_rows, X->shape[0]);
    return CLN_SUCCESS;
}

static cln_status check_batch(const cln_softmax *m, const cln_batch *batch, const char *fn,
                              batch_args *a)
{
    CLNI_CHECK(check_batch_tensors(m, batch, fn));
    size_t rows = batch->X->shape[0];
    if (batch->count == 0 || batch->first > rows || batch->count > rows - batch->first)
        return clni_fail(m->ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: batch positions [%zu, %zu) are not inside the %zu rows", fn,
                         batch->first, batch->first + batch->count, rows);
    if (batch->first + batch->count > (size_t)UINT32_MAX) /* rows are 32-bit in the kernels */
        return clni_fail(m->ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: batch positions [%zu, %zu) go beyond the kernels' 2^32 - 1 rows",
                         fn, batch->first, batch->first + batch->count);
    a->X = batch->X->buffer;
    a->y = batch->y->buffer;
    a->index = clni_loader_index(batch->loader);
    a->x_offset = batch->X->offset;
    a->y_offset = batch->y->offset;
    a->first = batch->first;
    a->d = (cl_uint)m->d;
    a->k = (cl_uint)m->k;
    a->count = (cl_uint)batch->count;
    return CLN_SUCCESS;
}

/* A tensor of the model's context and dtype with at least `at_least` elements. */
static cln_status check_tensor(const cln_softmax *m, const cln_tensor *t, size_t at_least,
                               const char *fn, const char *name)
{
    CLNI_CHECK(clni_check_ptr(m->ctx, t, fn, name));
    CLNI_CHECK(clni_check_same(m->W, t, fn));
    if (t->numel < at_least)
        return clni_fail(m->ctx, CLN_ERR_SHAPE_MISMATCH, "%s: %s has %zu elements, needs %zu",
                         fn, name, t->numel, at_least);
    return CLN_SUCCESS;
}

/* The checks of loss, accuracy and backward: the model, the batch and its logits. */
static cln_status check_logits_call(const cln_softmax *m, const cln_batch *batch,
                                    const cln_tensor *logits, const char *fn, batch_args *a)
{
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "m"));
    CLNI_CHECK(check_batch(m, batch, fn, a));
    return check_tensor(m, logits, batch->count * m->k, fn, "logits");
}

/* ---- the stages -------------------------------------------------------------------------- */

cln_status cln_softmax_forward(cln_softmax *m, const cln_batch *batch, cln_tensor *logits)
{
    const char *fn = "cln_softmax_forward";
    batch_args a;
    CLNI_CHECK(check_logits_call(m, batch, logits, fn, &a));
    cl_ulong lo_offset = logits->offset;
    return clni_launch(m->ctx, m->dtype, CLNI_K_SOFTMAX_FORWARD, batch->count * m->k, m->ctx->wg,
                       CLNI_ARGS(CLNI_ARG(a.X), CLNI_ARG(a.x_offset), CLNI_ARG(a.d), CLNI_ARG(a.k),
                                 CLNI_ARG(a.index), CLNI_ARG(a.first), CLNI_ARG(a.count),
                                 CLNI_ARG(m->W->buffer), CLNI_ARG(m->b->buffer),
                                 CLNI_ARG(logits->buffer), CLNI_ARG(lo_offset)));
}

/* The loss and accuracy kernels take the same arguments: one work-group over the rows. */
static cln_status launch_row_reduction(cln_softmax *m, clni_kernel_id id, const batch_args *a,
                                       const cln_tensor *logits, cln_tensor *out, size_t slot)
{
    cl_ulong lo_offset = logits->offset, at = out->offset + slot;
    return clni_launch(m->ctx, m->dtype, id, m->ctx->wg, m->ctx->wg,
                       CLNI_ARGS(CLNI_ARG(logits->buffer), CLNI_ARG(lo_offset), CLNI_ARG(a->k),
                                 CLNI_ARG(a->y), CLNI_ARG(a->y_offset), CLNI_ARG(a->index),
                                 CLNI_ARG(a->first), CLNI_ARG(a->count), CLNI_ARG(out->buffer),
                                 CLNI_ARG(at)));
}

cln_status cln_softmax_loss(cln_softmax *m, const cln_batch *batch, const cln_tensor *logits,
                            cln_tensor *losses, size_t slot)
{
    const char *fn = "cln_softmax_loss";
    batch_args a;
    CLNI_CHECK(check_logits_call(m, batch, logits, fn, &a));
    CLNI_CHECK(check_tensor(m, losses, slot + 1, fn, "losses"));
    return launch_row_reduction(m, CLNI_K_SOFTMAX_LOSS, &a, logits, losses, slot);
}

cln_status cln_softmax_accuracy(cln_softmax *m, const cln_batch *batch,
                                const cln_tensor *logits, cln_tensor *out, size_t slot)
{
    const char *fn = "cln_softmax_accuracy";
    batch_args a;
    CLNI_CHECK(check_logits_call(m, batch, logits, fn, &a));
    CLNI_CHECK(check_tensor(m, out, slot + 1, fn, "out"));
    return launch_row_reduction(m, CLNI_K_SOFTMAX_ACCURACY, &a, logits, out, slot);
}

/* A model-owned 1-D tensor of at least n elements, replaced by a larger one when needed
 * (commands enqueued on the old one keep its buffer alive until they finish). */
static cln_status scratch(cln_softmax *m, cln_tensor **slot, size_t n)
{
    if (!*slot || (*slot)->numel < n) {
        clni_tensor_destroy(*slot);
        *slot = NULL;
        CLNI_CHECK(clni_tensor_new(m->ctx, m->dtype, 1, &n, 0, slot));
    }
    return CLN_SUCCESS;
}

cln_status cln_softmax_backward(cln_softmax *m, const cln_batch *batch, const cln_tensor *logits)
{
    const char *fn = "cln_softmax_backward";
    batch_args a;
    CLNI_CHECK(check_logits_call(m, batch, logits, fn, &a));
    CLNI_CHECK(scratch(m, &m->delta, batch->count * m->k));
    cl_ulong lo_offset = logits->offset;
    cl_mem delta = m->delta->buffer;
    CLNI_CHECK(clni_launch(m->ctx, m->dtype, CLNI_K_SOFTMAX_DELTA, batch->count, m->ctx->wg,
                           CLNI_ARGS(CLNI_ARG(logits->buffer), CLNI_ARG(lo_offset), CLNI_ARG(a.k),
                                     CLNI_ARG(a.y), CLNI_ARG(a.y_offset), CLNI_ARG(a.index),
                                     CLNI_ARG(a.first), CLNI_ARG(a.count), CLNI_ARG(delta))));
    /* one work-group per gradient value: (d + 1) k of them */
    size_t groups = (m->d + 1) * m->k;
    return clni_launch(m->ctx, m->dtype, CLNI_K_SOFTMAX_GRADS, groups * m->ctx->wg, m->ctx->wg,
                       CLNI_ARGS(CLNI_ARG(a.X), CLNI_ARG(a.x_offset), CLNI_ARG(a.d), CLNI_ARG(a.k),
                                 CLNI_ARG(a.index), CLNI_ARG(a.first), CLNI_ARG(a.count),
                                 CLNI_ARG(delta), CLNI_ARG(m->grad_W->buffer),
                                 CLNI_ARG(m->grad_b->buffer)));
}

cln_status cln_softmax_step(cln_softmax *m, const cln_step *step)
{
    const char *fn = "cln_softmax_step";
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "m"));
    CLNI_CHECK(clni_check_ptr(m->ctx, step, fn, "step"));
    if (!isfinite(step->lr) || step->lr <= 0)
        return clni_fail(m->ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: learning rate %g must be finite and > 0", fn, step->lr);
    if (!isfinite(step->weight_decay) || step->weight_decay < 0)
        return clni_fail(m->ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: weight decay %g must be finite and >= 0", fn, step->weight_decay);
    clni_real lr = clni_real_make(m->dtype, step->lr);
    clni_real decay = clni_real_make(m->dtype, step->weight_decay);
    cl_ulong dk = m->d * m->k;
    cl_uint k = (cl_uint)m->k;
    return clni_launch(m->ctx, m->dtype, CLNI_K_SOFTMAX_STEP, m->d * m->k + m->k, m->ctx->wg,
                       CLNI_ARGS(CLNI_ARG(m->W->buffer), CLNI_ARG(m->grad_W->buffer),
                                 CLNI_ARG(m->b->buffer), CLNI_ARG(m->grad_b->buffer),
                                 CLNI_REAL(lr), CLNI_REAL(decay), CLNI_ARG(dk), CLNI_ARG(k)));
}

/* ---- the model interface (model.h) ------------------------------------------------------ */

static cln_status check_data(void *self, const cln_dataset *data)
{
    cln_softmax *m = self;
    size_t classes = cln_dataset_num_classes(data);
    if (classes == 0)
        return clni_fail(m->ctx, CLN_ERR_BAD_ARGUMENT,
                         "cln_fit: a softmax model needs class labels "
                         "(cln_dataset_create_labeled()), and this dataset has real targets");
    if (classes != m->k)
        return clni_fail(m->ctx, CLN_ERR_SHAPE_MISMATCH,
                         "cln_fit: the dataset has %zu classes, the softmax model %zu", classes,
                         m->k);
    return CLN_SUCCESS;
}

static cln_status train_batch(void *self, const cln_batch *batch, const cln_step *step,
                              cln_tensor *results, size_t loss_at)
{
    cln_softmax *m = self;
    CLNI_CHECK(clni_check_ptr(m->ctx, batch, "cln_fit", "batch"));
    CLNI_CHECK(scratch(m, &m->logits, batch->count * m->k));
    CLNI_CHECK(cln_softmax_forward(m, batch, m->logits));
    CLNI_CHECK(cln_softmax_loss(m, batch, m->logits, results, loss_at));
    CLNI_CHECK(cln_softmax_backward(m, batch, m->logits));
    return cln_softmax_step(m, step);
}

static cln_status eval_batch(void *self, const cln_batch *batch, cln_tensor *results,
                             size_t loss_at, size_t metric_at)
{
    cln_softmax *m = self;
    CLNI_CHECK(clni_check_ptr(m->ctx, batch, "cln_fit", "batch"));
    CLNI_CHECK(scratch(m, &m->logits, batch->count * m->k));
    CLNI_CHECK(cln_softmax_forward(m, batch, m->logits));
    CLNI_CHECK(cln_softmax_loss(m, batch, m->logits, results, loss_at));
    if (metric_at == SIZE_MAX)
        return CLN_SUCCESS;
    return cln_softmax_accuracy(m, batch, m->logits, results, metric_at);
}

/* W then b into results[at ..]: (d + 1) k values. */
static cln_status save_params(void *self, cln_tensor *results, size_t at)
{
    cln_softmax *m = self;
    cln_context *ctx = m->ctx;
    size_t dk = m->d * m->k;
    CLNI_CHECK(check_tensor(m, results, at + dk + m->k, "cln_fit: saving parameters", "results"));
    size_t es = cln_dtype_size(m->dtype), dst = (results->offset + at) * es;
    const char *what = "cln_fit: copying parameters";
    CLNI_CHECK(clni_enqueue_copy(ctx, m->W->buffer, m->W->offset * es, results->buffer, dst,
                                 dk * es, what));
    return clni_enqueue_copy(ctx, m->b->buffer, m->b->offset * es, results->buffer,
                             dst + dk * es, m->k * es, what);
}

static cln_status load_params(void *self, const double *params)
{
    cln_softmax *m = self;
    CLNI_CHECK(clni_check_ptr(m->ctx, params, "cln_fit: loading parameters", "params"));
    return cln_softmax_set(m, params, params + m->d * m->k);
}

static const cln_model_ops softmax_ops = {
    .struct_size = sizeof(cln_model_ops),
    .kind = "softmax",
    .metric_name = "accuracy",
    .check_data = check_data,
    .train_batch = train_batch,
    .eval_batch = eval_batch,
    .save_params = save_params,
    .load_params = load_params,
};
