/* Predictions (model_file.h): rows from the host or from a dataset's split go through the
 * models' own forward kernels in chunks, so that a large X needs no buffer of its size on the
 * device or in staging; a softmax's probabilities are computed on the host, in double. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clnum/model_file.h"
#include "data/data_impl.h"
#include "runtime/enqueue.h"

/* Bytes of a chunk's rows (or outputs) in the model's dtype: enough that a launch and a copy
 * are small beside the work, small enough for any device's allocation. */
enum { CHUNK_BYTES = 1 << 20 };

/* What a prediction needs of a model: its shapes and its forward kernel, whose outputs are
 * `outs` values a row (1: y_hat; k: the logits). */
typedef struct predictor {
    cln_context *ctx;
    const char *fn;
    cln_dtype dtype;
    size_t d, outs;
    cln_status (*forward)(void *model, const cln_batch *batch, cln_tensor *out);
    void *model;
    /* Takes the outputs of rows [first, first + count) of the prediction (count x outs). */
    cln_status (*take)(void *user, size_t first, size_t count, const double *outs);
    void *user;
} predictor;

/* Rows a chunk holds: CHUNK_BYTES of inputs or of outputs, at least one, at most `rows`. */
static size_t chunk_rows(const predictor *p, size_t rows)
{
    size_t width = p->d > p->outs ? p->d : p->outs;
    size_t n = CHUNK_BYTES / (width * cln_dtype_size(p->dtype));
    if (n == 0)
        n = 1;
    return n < rows ? n : rows;
}

/* The chunk's tensors and host staging. */
typedef struct chunk {
    size_t rows;
    cln_tensor *X, *y, *out;   /* X and y NULL when the rows are a dataset's tensors */
    void *raw_in, *raw_out;
    double *outs;
} chunk;

static void chunk_free(chunk *c)
{
    cln_tensor_free(c->X);
    cln_tensor_free(c->y);
    cln_tensor_free(c->out);
    free(c->raw_in);
    free(c->raw_out);
    free(c->outs);
}

/* own_rows: the chunk uploads rows of its own (X and a y of zeros the kernels do not read). */
static cln_status chunk_make(const predictor *p, size_t total, int own_rows, chunk *c)
{
    memset(c, 0, sizeof *c);
    c->rows = chunk_rows(p, total);
    size_t es = cln_dtype_size(p->dtype);
    if (own_rows) {
        CLNI_CHECK(cln_tensor_create_2d(p->ctx, p->dtype, c->rows, p->d, &c->X));
        CLNI_CHECK(cln_tensor_create_1d(p->ctx, p->dtype, c->rows, &c->y));
        CLNI_CHECK(cln_tensor_fill(c->y, 0.0));
        if (!(c->raw_in = malloc(c->rows * p->d * es)))
            return clni_fail(p->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", p->fn);
    }
    CLNI_CHECK(cln_tensor_create_1d(p->ctx, p->dtype, c->rows * p->outs, &c->out));
    c->raw_out = malloc(c->rows * p->outs * es);
    c->outs = malloc(c->rows * p->outs * sizeof *c->outs);
    if (!c->raw_out || !c->outs)
        return clni_fail(p->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", p->fn);
    return CLN_SUCCESS;
}

/* Uploads `count` rows of the dtype's values from host memory into the chunk. */
static cln_status chunk_upload(const predictor *p, chunk *c, const void *rows, size_t count)
{
    size_t es = cln_dtype_size(p->dtype);
    return clni_enqueue_write(p->ctx, p->ctx->queue, c->X->buffer, CL_TRUE, c->X->offset * es,
                              count * p->d * es, rows, 0, NULL, NULL, "uploading rows to predict");
}

/* The forward kernel on positions [first, first + count) of X, y; the outputs to p->take as
 * rows [at, at + count) of the prediction. A prediction that overflowed the dtype is refused. */
static cln_status chunk_run(const predictor *p, chunk *c, const cln_tensor *X,
                            const cln_tensor *y, size_t first, size_t count, size_t at)
{
    cln_batch batch = {X, y, NULL, first, count};
    CLNI_CHECK(p->forward(p->model, &batch, c->out));
    size_t n = count * p->outs, es = cln_dtype_size(p->dtype);
    CLNI_CHECK(clni_enqueue_read(p->ctx, c->out->buffer, CL_TRUE, c->out->offset * es, n * es,
                                 c->raw_out, NULL, "reading predictions back"));
    clni_dtype_to_doubles(c->outs, p->dtype, c->raw_out, n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(c->outs[i]))
            return clni_fail(p->ctx, CLN_ERR_NOT_FINITE, "%s: the %s of row %zu is %g: it "
                             "overflows %s", p->fn, p->outs > 1 ? "logits" : "prediction",
                             at + i / p->outs, c->outs[i],
                             p->dtype == CLN_FLOAT64 ? "float64" : "float32");
    return p->take(p->user, at, count, c->outs);
}

/* Rows held on the host as doubles: checked finite (in the dtype too), then in chunks. */
static cln_status predict_rows(const predictor *p, const double *X, size_t rows)
{
    if (rows == 0)
        return CLN_SUCCESS;
    CLNI_CHECK(clni_check_ptr(p->ctx, X, p->fn, "X"));
    if (rows > SIZE_MAX / sizeof(double) / p->d)
        return clni_fail(p->ctx, CLN_ERR_BAD_ARGUMENT, "%s: %zu rows of %zu values are more than "
                         "memory holds", p->fn, rows, p->d);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < p->d; j++) {
            double v = X[i * p->d + j];
            if (!isfinite(v))
                return clni_fail(p->ctx, CLN_ERR_NOT_FINITE, "%s: X row %zu, column %zu is %g",
                                 p->fn, i, j, v);
            if (p->dtype == CLN_FLOAT32 && !isfinite((float)v))
                return clni_fail(p->ctx, CLN_ERR_NOT_FINITE, "%s: X row %zu, column %zu is %g, "
                                 "beyond float32's range (the model's dtype)", p->fn, i, j, v);
        }
    chunk c;
    cln_status st = chunk_make(p, rows, 1, &c);
    for (size_t first = 0; st == CLN_SUCCESS && first < rows; first += c.rows) {
        size_t count = rows - first < c.rows ? rows - first : c.rows;
        clni_doubles_to_dtype(c.raw_in, p->dtype, X + first * p->d, count * p->d);
        st = chunk_upload(p, &c, c.raw_in, count);
        if (st == CLN_SUCCESS)
            st = chunk_run(p, &c, c.X, c.y, 0, count, first);
    }
    chunk_free(&c);
    return st;
}

/* A split of a dataset: its tensors on the device, or its host rows uploaded in chunks. */
static cln_status predict_split(const predictor *p, const cln_dataset *data, cln_rows which)
{
    CLNI_CHECK(clni_check_ptr(p->ctx, data, p->fn, "data"));
    if (cln_dataset_context(data) != p->ctx)
        return clni_fail(p->ctx, CLN_ERR_BAD_ARGUMENT, "%s: model and data are in two contexts",
                         p->fn);
    if (cln_dataset_dtype(data) != p->dtype)
        return clni_fail(p->ctx, CLN_ERR_BAD_ARGUMENT, "%s: model and data have two dtypes",
                         p->fn);
    if (cln_dataset_num_inputs(data) != p->d)
        return clni_fail(p->ctx, CLN_ERR_SHAPE_MISMATCH, "%s: the data has %zu features, the "
                         "model %zu inputs", p->fn, cln_dataset_num_inputs(data), p->d);
    if (which != CLN_ROWS_TRAIN && which != CLN_ROWS_VAL)
        return clni_fail(p->ctx, CLN_ERR_BAD_ARGUMENT, "%s: unknown split %d", p->fn, (int)which);
    int val = which == CLN_ROWS_VAL;
    size_t rows = val ? cln_dataset_num_val(data) : cln_dataset_num_train(data);
    if (rows == 0)
        return CLN_SUCCESS;
    int on_host = cln_dataset_on_host(data);
    chunk c;
    cln_status st = chunk_make(p, rows, on_host, &c);
    size_t es = cln_dtype_size(p->dtype);
    const char *host = on_host ? cln_dataset_host_X(data) : NULL;
    size_t host_first = val ? cln_dataset_num_train(data) : 0; /* the split's first row */
    const cln_tensor *X = val ? cln_dataset_val_X(data) : cln_dataset_train_X(data);
    const cln_tensor *y = val ? cln_dataset_val_y(data) : cln_dataset_train_y(data);
    for (size_t first = 0; st == CLN_SUCCESS && first < rows; first += c.rows) {
        size_t count = rows - first < c.rows ? rows - first : c.rows;
        if (on_host) {
            st = chunk_upload(p, &c, host + (host_first + first) * p->d * es, count);
            if (st == CLN_SUCCESS)
                st = chunk_run(p, &c, c.X, c.y, 0, count, first);
        } else {
            st = chunk_run(p, &c, X, y, first, count, first);
        }
    }
    chunk_free(&c);
    return st;
}

/* ---- linear regression ---------------------------------------------------------------- */

static cln_status linreg_forward(void *model, const cln_batch *batch, cln_tensor *out)
{
    return cln_linreg_forward(model, batch, out);
}

static cln_status take_y_hat(void *user, size_t first, size_t count, const double *outs)
{
    memcpy((double *)user + first, outs, count * sizeof *outs);
    return CLN_SUCCESS;
}

static cln_status linreg_predictor(cln_linreg *m, double *y_hat, const char *fn, predictor *p)
{
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "m"));
    *p = (predictor){cln_linreg_context(m), fn, cln_linreg_dtype(m), cln_linreg_num_inputs(m),
                     1, linreg_forward, m, take_y_hat, y_hat};
    return CLN_SUCCESS;
}

cln_status cln_linreg_predict(cln_linreg *m, const double *X, size_t rows, double *y_hat)
{
    predictor p;
    CLNI_CHECK(linreg_predictor(m, y_hat, "cln_linreg_predict", &p));
    if (rows > 0)
        CLNI_CHECK(clni_check_ptr(p.ctx, y_hat, p.fn, "y_hat"));
    return predict_rows(&p, X, rows);
}

cln_status cln_linreg_predict_dataset(cln_linreg *m, const cln_dataset *data, cln_rows which,
                                      double *y_hat)
{
    predictor p;
    CLNI_CHECK(linreg_predictor(m, y_hat, "cln_linreg_predict_dataset", &p));
    CLNI_CHECK(clni_check_ptr(p.ctx, y_hat, p.fn, "y_hat"));
    return predict_split(&p, data, which);
}

/* ---- softmax regression ---------------------------------------------------------------- */

typedef struct softmax_out {
    size_t k;
    size_t *classes;   /* or NULL */
    double *probs;     /* or NULL */
} softmax_out;

static cln_status softmax_forward(void *model, const cln_batch *batch, cln_tensor *out)
{
    return cln_softmax_forward(model, batch, out);
}

/* Each row's class (its first largest logit, as cln_softmax_accuracy() counts) and its
 * softmax, exp(o - max) / sum exp(o - max): the largest term is 1, so nothing overflows. */
static cln_status take_classes(void *user, size_t first, size_t count, const double *logits)
{
    const softmax_out *o = user;
    size_t k = o->k;
    for (size_t i = 0; i < count; i++) {
        const double *row = logits + i * k;
        size_t best = 0;
        for (size_t c = 1; c < k; c++)
            if (row[c] > row[best])
                best = c;
        if (o->classes)
            o->classes[first + i] = best;
        if (!o->probs)
            continue;
        double *p = o->probs + (first + i) * k, sum = 0;
        for (size_t c = 0; c < k; c++)
            sum += p[c] = exp(row[c] - row[best]);
        for (size_t c = 0; c < k; c++)
            p[c] /= sum;
    }
    return CLN_SUCCESS;
}

static cln_status softmax_predictor(cln_softmax *m, softmax_out *o, const char *fn,
                                    predictor *p)
{
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "m"));
    o->k = cln_softmax_num_classes(m);
    *p = (predictor){cln_softmax_context(m), fn, cln_softmax_dtype(m),
                     cln_softmax_num_inputs(m), o->k, softmax_forward, m, take_classes, o};
    return CLN_SUCCESS;
}

cln_status cln_softmax_predict(cln_softmax *m, const double *X, size_t rows, size_t *classes,
                               double *probs)
{
    softmax_out o = {0, classes, probs};
    predictor p;
    CLNI_CHECK(softmax_predictor(m, &o, "cln_softmax_predict", &p));
    return predict_rows(&p, X, rows);
}

cln_status cln_softmax_predict_dataset(cln_softmax *m, const cln_dataset *data, cln_rows which,
                                       size_t *classes, double *probs)
{
    softmax_out o = {0, classes, probs};
    predictor p;
    CLNI_CHECK(softmax_predictor(m, &o, "cln_softmax_predict_dataset", &p));
    return predict_split(&p, data, which);
}
