/* Linear regression from scratch: parameters, and the forward, loss, backward and SGD
 * kernels of cl/model/linreg.cl enqueued one per call. */
#include <math.h>
#include <stdlib.h>

#include "model/fast_paths.h"
#include "runtime/enqueue.h"

enum { STREAM_INIT_W = 3 };

struct cln_linreg {
    clni_object obj;
    cln_context *ctx;
    cln_dtype dtype;
    size_t d;
    double loss_scale;
    cln_tensor *w, *b, *grad_w, *grad_b;
    cln_tensor *y_hat;     /* the trainer's stepwise predictions, grown as batches need */
    cln_model model;       /* what the trainer sees (model.h) */
};

static const cln_model_ops linreg_ops;

static void destroy(clni_object *obj) { cln_linreg_free((cln_linreg *)obj); }

void cln_linreg_free(cln_linreg *m)
{
    if (!m)
        return;
    clni_unregister(m->ctx, &m->obj);
    clni_tensor_destroy(m->w);
    clni_tensor_destroy(m->b);
    clni_tensor_destroy(m->grad_w);
    clni_tensor_destroy(m->grad_b);
    clni_tensor_destroy(m->y_hat);
    free(m);
}

cln_status cln_linreg_create(cln_context *ctx, cln_dtype dtype, size_t num_inputs, double sigma,
                             uint64_t seed, cln_linreg **out)
{
    const char *fn = "cln_linreg_create";
    CLNI_CHECK(clni_check_ptr(NULL, ctx, fn, "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    if (num_inputs == 0 || num_inputs > UINT32_MAX)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: num_inputs %zu is outside 1 .. 2^32 - 1",
                         fn, num_inputs);
    if (!isfinite(sigma) || sigma < 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: sigma %g must be finite and >= 0", fn,
                         sigma);
    cln_linreg *m = calloc(1, sizeof *m);
    if (!m)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    m->ctx = ctx;
    m->dtype = dtype;
    m->d = num_inputs;
    m->loss_scale = 0.5;
    clni_model_embed(&m->model, ctx, dtype, num_inputs, num_inputs + 1, &linreg_ops, m,
                     &clni_linreg_paths);
    clni_register(ctx, &m->obj, destroy);
    size_t one = 1;
    cln_status st = clni_tensor_new(ctx, dtype, 1, &num_inputs, 0, &m->w);
    if (st == CLN_SUCCESS)
        st = clni_tensor_new(ctx, dtype, 1, &one, 0, &m->b);
    if (st == CLN_SUCCESS)
        st = clni_tensor_new(ctx, dtype, 1, &num_inputs, 0, &m->grad_w);
    if (st == CLN_SUCCESS)
        st = clni_tensor_new(ctx, dtype, 1, &one, 0, &m->grad_b);
    if (st == CLN_SUCCESS)
        st = cln_tensor_randn(m->w, 0.0, sigma, seed, STREAM_INIT_W);
    if (st == CLN_SUCCESS)
        st = cln_tensor_fill(m->b, 0.0);
    if (st == CLN_SUCCESS)
        st = cln_tensor_fill(m->grad_w, 0.0);
    if (st == CLN_SUCCESS)
        st = cln_tensor_fill(m->grad_b, 0.0);
    if (st != CLN_SUCCESS) {
        cln_linreg_free(m);
        return st;
    }
    *out = m;
    return CLN_SUCCESS;
}

cln_model *cln_linreg_model(cln_linreg *m) { return m ? &m->model : NULL; }
size_t cln_linreg_num_inputs(const cln_linreg *m) { return m ? m->d : 0; }
cln_dtype cln_linreg_dtype(const cln_linreg *m) { return m ? m->dtype : CLN_FLOAT32; }
cln_context *cln_linreg_context(const cln_linreg *m) { return m ? m->ctx : NULL; }
cln_tensor *cln_linreg_w(cln_linreg *m) { return m ? m->w : NULL; }
cln_tensor *cln_linreg_b(cln_linreg *m) { return m ? m->b : NULL; }
cln_tensor *cln_linreg_grad_w(cln_linreg *m) { return m ? m->grad_w : NULL; }
cln_tensor *cln_linreg_grad_b(cln_linreg *m) { return m ? m->grad_b : NULL; }

cln_status cln_linreg_set_loss_scale(cln_linreg *m, double loss_scale)
{
    CLNI_CHECK(clni_check_ptr(NULL, m, "cln_linreg_set_loss_scale", "m"));
    if (!isfinite(loss_scale) || loss_scale <= 0)
        return clni_fail(m->ctx, CLN_ERR_BAD_ARGUMENT,
                         "cln_linreg_set_loss_scale: %g must be finite and > 0", loss_scale);
    m->loss_scale = loss_scale;
    return CLN_SUCCESS;
}

double cln_linreg_loss_scale(const cln_linreg *m) { return m ? m->loss_scale : 0.0; }

cln_status cln_linreg_get(const cln_linreg *m, double *w, double *b)
{
    CLNI_CHECK(clni_check_ptr(NULL, m, "cln_linreg_get", "m"));
    CLNI_CHECK(clni_check_ptr(m->ctx, w, "cln_linreg_get", "w"));
    CLNI_CHECK(clni_check_ptr(m->ctx, b, "cln_linreg_get", "b"));
    CLNI_CHECK(cln_tensor_download_f64(m->w, w, m->d));
    return cln_tensor_download_f64(m->b, b, 1);
}

cln_status cln_linreg_set(cln_linreg *m, const double *w, double b)
{
    CLNI_CHECK(clni_check_ptr(NULL, m, "cln_linreg_set", "m"));
    CLNI_CHECK(clni_check_ptr(m->ctx, w, "cln_linreg_set", "w"));
    for (size_t j = 0; j < m->d; j++)
        if (!isfinite(w[j]))
            return clni_fail(m->ctx, CLN_ERR_NOT_FINITE, "cln_linreg_set: w[%zu] is not finite", j);
    if (!isfinite(b))
        return clni_fail(m->ctx, CLN_ERR_NOT_FINITE, "cln_linreg_set: b is not finite");
    CLNI_CHECK(clni_tensor_upload_doubles(m->w, w, m->d));
    return clni_tensor_upload_doubles(m->b, &b, 1);
}

/* Checks a batch against the model; fills the kernel arguments it implies. */
typedef struct batch_args {
    cl_mem X, y, index;
    cl_ulong x_offset, y_offset, first;
    cl_uint d, count;
} batch_args;

static cln_status check_batch(const cln_linreg *m, const cln_batch *batch, const char *fn,
                              batch_args *a)
{
    CLNI_CHECK(clni_check_ptr(m->ctx, batch, fn, "batch"));
    CLNI_CHECK(clni_check_ptr(m->ctx, batch->X, fn, "batch->X"));
    CLNI_CHECK(clni_check_ptr(m->ctx, batch->y, fn, "batch->y"));
    const cln_tensor *X = batch->X, *y = batch->y;
    CLNI_CHECK(clni_check_same(m->w, X, fn));
    CLNI_CHECK(clni_check_same(m->w, y, fn));
    if (X->rank != 2 || X->shape[1] != m->d)
        return clni_fail(m->ctx, CLN_ERR_SHAPE_MISMATCH,
                         "%s: X must be (rows x %zu) for this model, not rank %zu with %zu columns",
                         fn, m->d, X->rank, X->rank == 2 ? X->shape[1] : X->numel);
    size_t rows = X->shape[0];
    if (y->numel != rows)
        return clni_fail(m->ctx, CLN_ERR_SHAPE_MISMATCH, "%s: y has %zu values for %zu rows of X",
                         fn, y->numel, rows);
    if (batch->loader && batch->loader->num_rows != rows)
        return clni_fail(m->ctx, CLN_ERR_SHAPE_MISMATCH,
                         "%s: the loader orders %zu rows, X has %zu", fn,
                         batch->loader->num_rows, rows);
    if (batch->count == 0 || batch->first > rows || batch->count > rows - batch->first)
        return clni_fail(m->ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: batch positions [%zu, %zu) are not inside the %zu rows", fn,
                         batch->first, batch->first + batch->count, rows);
    a->X = X->buffer;
    a->y = y->buffer;
    a->index = clni_loader_index(batch->loader);
    a->x_offset = X->offset;
    a->y_offset = y->offset;
    a->first = batch->first;
    a->d = (cl_uint)m->d;
    a->count = (cl_uint)batch->count;
    return CLN_SUCCESS;
}

static cln_status check_vector(const cln_linreg *m, const cln_tensor *t, size_t at_least,
                               const char *fn, const char *name)
{
    CLNI_CHECK(clni_check_ptr(m->ctx, t, fn, name));
    CLNI_CHECK(clni_check_same(m->w, t, fn));
    if (t->numel < at_least)
        return clni_fail(m->ctx, CLN_ERR_SHAPE_MISMATCH, "%s: %s has %zu elements, needs %zu",
                         fn, name, t->numel, at_least);
    return CLN_SUCCESS;
}

cln_status cln_linreg_forward(cln_linreg *m, const cln_batch *batch, cln_tensor *y_hat)
{
    const char *fn = "cln_linreg_forward";
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "m"));
    batch_args a;
    CLNI_CHECK(check_batch(m, batch, fn, &a));
    CLNI_CHECK(check_vector(m, y_hat, batch->count, fn, "y_hat"));
    cl_ulong yh_offset = y_hat->offset;
    return clni_launch(m->ctx, m->dtype, CLNI_K_LINREG_FORWARD, a.count, m->ctx->wg,
                       CLNI_ARGS(CLNI_ARG(a.X), CLNI_ARG(a.x_offset), CLNI_ARG(a.d),
                                 CLNI_ARG(a.index), CLNI_ARG(a.first), CLNI_ARG(a.count),
                                 CLNI_ARG(m->w->buffer), CLNI_ARG(m->b->buffer),
                                 CLNI_ARG(y_hat->buffer), CLNI_ARG(yh_offset)));
}

cln_status cln_linreg_loss(cln_linreg *m, const cln_batch *batch, const cln_tensor *y_hat,
                           cln_tensor *losses, size_t slot)
{
    const char *fn = "cln_linreg_loss";
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "m"));
    batch_args a;
    CLNI_CHECK(check_batch(m, batch, fn, &a));
    CLNI_CHECK(check_vector(m, y_hat, batch->count, fn, "y_hat"));
    CLNI_CHECK(check_vector(m, losses, slot + 1, fn, "losses"));
    cl_ulong yh_offset = y_hat->offset, at = losses->offset + slot;
    clni_real scale = clni_real_make(m->dtype, m->loss_scale);
    return clni_launch(m->ctx, m->dtype, CLNI_K_LINREG_LOSS, m->ctx->wg, m->ctx->wg,
                       CLNI_ARGS(CLNI_ARG(y_hat->buffer), CLNI_ARG(yh_offset), CLNI_ARG(a.y),
                                 CLNI_ARG(a.y_offset), CLNI_ARG(a.index), CLNI_ARG(a.first),
                                 CLNI_ARG(a.count), CLNI_REAL(scale), CLNI_ARG(losses->buffer),
                                 CLNI_ARG(at)));
}

cln_status cln_linreg_backward(cln_linreg *m, const cln_batch *batch, const cln_tensor *y_hat)
{
    const char *fn = "cln_linreg_backward";
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "m"));
    batch_args a;
    CLNI_CHECK(check_batch(m, batch, fn, &a));
    CLNI_CHECK(check_vector(m, y_hat, batch->count, fn, "y_hat"));
    cl_ulong yh_offset = y_hat->offset;
    clni_real scale = clni_real_make(m->dtype, m->loss_scale);
    return clni_launch(m->ctx, m->dtype, CLNI_K_LINREG_BACKWARD, (m->d + 1) * m->ctx->wg,
                       m->ctx->wg,
                       CLNI_ARGS(CLNI_ARG(a.X), CLNI_ARG(a.x_offset), CLNI_ARG(a.d),
                                 CLNI_ARG(a.index), CLNI_ARG(a.first), CLNI_ARG(a.count),
                                 CLNI_ARG(y_hat->buffer), CLNI_ARG(yh_offset), CLNI_ARG(a.y),
                                 CLNI_ARG(a.y_offset), CLNI_REAL(scale),
                                 CLNI_ARG(m->grad_w->buffer), CLNI_ARG(m->grad_b->buffer)));
}

/* The SGD step, its errors named as function fn. */
static cln_status sgd_step(cln_linreg *m, const cln_step *step, const char *fn)
{
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "m"));
    CLNI_CHECK(clni_check_ptr(m->ctx, step, fn, "step"));
    if (!isfinite(step->lr) || step->lr <= 0)
        return clni_fail(m->ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: learning rate %g must be finite and > 0", fn, step->lr);
    if (!isfinite(step->weight_decay) || step->weight_decay < 0)
        return clni_fail(m->ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: weight decay %g must be finite and >= 0", fn, step->weight_decay);
    clni_real r = clni_real_make(m->dtype, step->lr);
    clni_real decay = clni_real_make(m->dtype, 1.0 - step->lr * step->weight_decay);
    cl_uint d = (cl_uint)m->d;
    return clni_launch(m->ctx, m->dtype, CLNI_K_LINREG_SGD, m->d + 1, 0,
                       CLNI_ARGS(CLNI_ARG(m->w->buffer), CLNI_ARG(m->grad_w->buffer),
                                 CLNI_ARG(m->b->buffer), CLNI_ARG(m->grad_b->buffer), CLNI_REAL(r),
                                 CLNI_REAL(decay), CLNI_ARG(d)));
}

cln_status cln_linreg_step(cln_linreg *m, const cln_step *step)
{
    return sgd_step(m, step, "cln_linreg_step");
}

cln_status cln_linreg_sgd_step(cln_linreg *m, double lr)
{
    cln_step step = {lr, 0.0};
    return sgd_step(m, &step, "cln_linreg_sgd_step");
}

/* ---- the model interface (model.h) ------------------------------------------------------ */

/* The stepwise path's predictions: a tensor of at least `count` elements, kept by the model. */
static cln_status scratch_y_hat(cln_linreg *m, size_t count, cln_tensor **out)
{
    if (!m->y_hat || m->y_hat->numel < count) {
        clni_tensor_destroy(m->y_hat); /* commands enqueued on it keep its buffer alive */
        m->y_hat = NULL;
        CLNI_CHECK(clni_tensor_new(m->ctx, m->dtype, 1, &count, 0, &m->y_hat));
    }
    *out = m->y_hat;
    return CLN_SUCCESS;
}

static cln_status train_batch(void *self, const cln_batch *batch, const cln_step *step,
                              cln_tensor *results, size_t loss_at)
{
    cln_linreg *m = self;
    cln_tensor *y_hat;
    CLNI_CHECK(scratch_y_hat(m, batch->count, &y_hat));
    CLNI_CHECK(cln_linreg_forward(m, batch, y_hat));
    CLNI_CHECK(cln_linreg_loss(m, batch, y_hat, results, loss_at));
    CLNI_CHECK(cln_linreg_backward(m, batch, y_hat));
    return cln_linreg_step(m, step);
}

static cln_status eval_batch(void *self, const cln_batch *batch, cln_tensor *results,
                             size_t loss_at, size_t metric_at)
{
    (void)metric_at; /* no metric */
    cln_linreg *m = self;
    cln_tensor *y_hat;
    CLNI_CHECK(scratch_y_hat(m, batch->count, &y_hat));
    CLNI_CHECK(cln_linreg_forward(m, batch, y_hat));
    return cln_linreg_loss(m, batch, y_hat, results, loss_at);
}

/* w then b into results[at ..]. */
static cln_status save_params(void *self, cln_tensor *results, size_t at)
{
    cln_linreg *m = self;
    cln_context *ctx = m->ctx;
    size_t es = cln_dtype_size(m->dtype), dst = (results->offset + at) * es;
    const char *what = "cln_fit: copying parameters";
    CLNI_CHECK(clni_enqueue_copy(ctx, m->w->buffer, m->w->offset * es, results->buffer, dst,
                                 m->d * es, what));
    return clni_enqueue_copy(ctx, m->b->buffer, m->b->offset * es, results->buffer,
                             dst + m->d * es, es, what);
}

static cln_status load_params(void *self, const double *params)
{
    cln_linreg *m = self;
    return cln_linreg_set(m, params, params[m->d]);
}

static const cln_model_ops linreg_ops = {
    .struct_size = sizeof(cln_model_ops),
    .kind = "linreg",
    .train_batch = train_batch,
    .eval_batch = eval_batch,
    .save_params = save_params,
    .load_params = load_params,
};
