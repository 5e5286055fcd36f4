/* The device self-check's part for softmax regression: its fused and whole-epoch kernels
 * against a double-precision replica of the same epoch on the host (selfcheck.c does the
 * same for linear regression). A path either model gets wrong is switched off. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/data_impl.h"
#include "train/selfcheck.h"

/* Ragged sizes and a ragged last minibatch; many minibatches; batches large enough for
 * several work-groups on a GPU's shape as well as a CPU's. */
typedef struct sm_problem {
    size_t d, k, num_train, num_val, batch;
} sm_problem;
static const sm_problem problems[] = {
    {5, 3, 50, 15, 9},
    {16, 10, 256, 100, 64},
    {7, 4, 1800, 700, 600},
};
#define NUM_PROBLEMS (sizeof problems / sizeof problems[0])
#define MAX_PARAMS ((16 + 1) * 10)
#define DATA_SEED 11u
#define MODEL_SEED 1
#define ORDER_SEED 7

/* The parameters after one epoch and the epoch's mean training and validation loss. */
typedef struct sm_result {
    cln_status status;
    double params[MAX_PARAMS]; /* W (d x k) then b (k) */
    double losses[2];
} sm_result;

static uint32_t lcg(uint32_t x) { return x * 1664525u + 1013904223u; }

/* Rows in [-1, 1) from an LCG, labelled by the largest of a fixed linear map of them, so that
 * there is something to learn. */
static cln_status make_data(cln_context *ctx, cln_dtype dtype, const sm_problem *p,
                            cln_dataset **out)
{
    size_t rows = p->num_train + p->num_val, d = p->d, k = p->k;
    double *X = malloc(rows * d * sizeof *X);
    uint32_t *labels = malloc(rows * sizeof *labels);
    cln_status st = X && labels ? CLN_SUCCESS
                                : clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY,
                                            "device self-check: memory");
    uint32_t s = DATA_SEED;
    for (size_t i = 0; st == CLN_SUCCESS && i < rows; i++) {
        size_t best = 0;
        double best_v = -INFINITY;
        for (size_t j = 0; j < d; j++)
            X[i * d + j] = (double)((s = lcg(s)) >> 8) / (double)(1u << 23) - 1.0;
        for (size_t c = 0; c < k; c++) {
            double v = 0;
            for (size_t j = 0; j < d; j++)
                v += X[i * d + j] * (double)((j * 7 + c * 3) % 5 - 2);
            if (v > best_v)
                best = c, best_v = v;
        }
        labels[i] = (uint32_t)best;
    }
    if (st == CLN_SUCCESS)
        st = cln_dataset_create_labeled(ctx, dtype, X, labels, rows, d, k, p->num_train,
                                        CLN_PLACE_DEVICE, out);
    free(X);
    free(labels);
    return st;
}

static int record_losses(const cln_epoch_report *rep, void *user)
{
    sm_result *r = user;
    r->losses[0] = rep->train_loss;
    r->losses[1] = rep->val_loss;
    return 0;
}

static cln_status fit_once(cln_context *ctx, cln_dtype dtype, const cln_dataset *data,
                           const sm_problem *p, cln_train_path path, sm_result *r)
{
    cln_softmax *m;
    CLNI_CHECK(cln_softmax_create(ctx, dtype, p->d, p->k, 0.01, MODEL_SEED, &m));
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.max_epochs = 1;
    tc.batch_size = p->batch;
    tc.path = path;
    tc.seed = ORDER_SEED;
    tc.on_epoch = record_losses;
    tc.user = r;
    r->status = cln_fit(cln_softmax_model(m), data, &tc, NULL);
    if (r->status == CLN_SUCCESS)
        r->status = cln_softmax_get(m, r->params, r->params + p->d * p->k);
    cln_softmax_free(m);
    return CLN_SUCCESS;
}

/* -log softmax(o)[c] of one row of k logits, and softmax(o) - onehot(c) into g. */
static double row_loss(const double *o, size_t k, size_t c, double *g)
{
    double top = o[0], sum = 0;
    for (size_t j = 1; j < k; j++)
        top = fmax(top, o[j]);
    for (size_t j = 0; j < k; j++)
        sum += exp(o[j] - top);
    for (size_t j = 0; j < k; j++)
        g[j] = exp(o[j] - top) / sum - (j == c ? 1.0 : 0.0);
    return log(sum) + top - o[c];
}

/* Rows [first, first + count) of X (through order, or in order): the mean loss, and with
 * step the gradient step on W and b (softmax.h's rules). */
static double minibatch(const double *X, const double *y, const uint32_t *order, size_t first,
                        size_t count, const sm_problem *p, double *params, double lr, int step)
{
    size_t d = p->d, k = p->k;
    double *W = params, *b = params + d * k, gW[MAX_PARAMS] = {0}, o[10], g[10], loss = 0;
    for (size_t i = first; i < first + count; i++) {
        size_t row = order ? order[i] : i;
        const double *x = X + row * d;
        for (size_t c = 0; c < k; c++) {
            o[c] = b[c];
            for (size_t j = 0; j < d; j++)
                o[c] += x[j] * W[j * k + c];
        }
        loss += row_loss(o, k, (size_t)y[row], g);
        for (size_t c = 0; c < k; c++) {
            for (size_t j = 0; j < d; j++)
                gW[j * k + c] += x[j] * g[c];
            gW[d * k + c] += g[c];
        }
    }
    for (size_t i = 0; step && i < (d + 1) * k; i++)
        params[i] -= lr * gW[i] / (double)count;
    return loss / (double)count;
}

/* The same epoch on the host, by the trainer's rules: training rows in cln_shuffle_order's
 * order, then the validation rows in order, each loss the mean of its minibatches'. */
static cln_status host_fit(cln_context *ctx, cln_dtype dtype, const cln_dataset *data,
                           const sm_problem *p, sm_result *ref)
{
    size_t d = p->d, nt = p->num_train, nv = p->num_val, B = p->batch;
    cln_softmax *m;
    CLNI_CHECK(cln_softmax_create(ctx, dtype, d, p->k, 0.01, MODEL_SEED, &m));
    cln_status st = cln_softmax_get(m, ref->params, ref->params + d * p->k);
    cln_softmax_free(m);
    CLNI_CHECK(st);
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    double lr = dtype == CLN_FLOAT32 ? (double)(float)tc.lr : tc.lr; /* as the kernels take it */
    double *X = malloc((nt + nv) * d * sizeof *X), *y = malloc((nt + nv) * sizeof *y);
    uint32_t *order = malloc(nt * sizeof *order);
    st = X && y && order ? CLN_SUCCESS
                         : clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "device self-check: memory");
    if (st == CLN_SUCCESS)
        st = cln_tensor_download_f64(cln_dataset_train_X(data), X, nt * d);
    if (st == CLN_SUCCESS)
        st = cln_tensor_download_f64(cln_dataset_train_y(data), y, nt);
    if (st == CLN_SUCCESS)
        st = cln_tensor_download_f64(cln_dataset_val_X(data), X + nt * d, nv * d);
    if (st == CLN_SUCCESS)
        st = cln_tensor_download_f64(cln_dataset_val_y(data), y + nt, nv);
    if (st == CLN_SUCCESS)
        st = cln_shuffle_order(ORDER_SEED, 0, order, nt);
    if (st == CLN_SUCCESS) {
        double train = 0, val = 0;
        size_t nb = 0, nvb = 0;
        for (size_t first = 0; first < nt; first += B, nb++)
            train += minibatch(X, y, order, first, nt - first < B ? nt - first : B, p,
                               ref->params, lr, 1);
        for (size_t first = 0; first < nv; first += B, nvb++)
            val += minibatch(X + nt * d, y + nt, NULL, first, nv - first < B ? nv - first : B, p,
                             ref->params, lr, 0);
        ref->losses[0] = train / (double)nb;
        ref->losses[1] = val / (double)nvb;
        ref->status = CLN_SUCCESS;
    }
    free(X), free(y), free(order);
    return st;
}

static double mismatch(const sm_result *a, const sm_result *ref, const sm_problem *p,
                       cln_dtype dtype)
{
    double worst = 0;
    for (size_t i = 0; i < (p->d + 1) * p->k; i++)
        worst = fmax(worst, clni_selfcheck_off_by(a->params[i], ref->params[i], dtype));
    for (size_t i = 0; i < 2; i++)
        worst = fmax(worst, clni_selfcheck_off_by(a->losses[i], ref->losses[i], dtype));
    return worst;
}

cln_status clni_selfcheck_softmax(cln_context *ctx, cln_dtype dtype, clni_verdict *v)
{
    static const cln_train_path paths[] = {CLN_PATH_FUSED, CLN_PATH_EPOCH};
    unsigned caught = 0; /* paths this check has found wrong: one finding each */
    for (size_t i = 0; i < NUM_PROBLEMS; i++) {
        const sm_problem *p = &problems[i];
        cln_dataset *data;
        CLNI_CHECK(make_data(ctx, dtype, p, &data));
        sm_result ref, got;
        cln_status st = host_fit(ctx, dtype, data, p, &ref);
        /* every path, even one linear regression's check switched off: the note says what
         * each model's kernels do here */
        for (size_t q = 0; st == CLN_SUCCESS && q < sizeof paths / sizeof paths[0]; q++) {
            if (caught & (1u << paths[q]))
                continue;
            st = fit_once(ctx, dtype, data, p, paths[q], &got);
            if (st != CLN_SUCCESS || got.status == CLN_ERR_UNSUPPORTED) /* not for this shape */
                continue;
            double e = got.status == CLN_SUCCESS ? mismatch(&got, &ref, p, dtype) : INFINITY;
            if (e <= 1)
                continue;
            v->disabled |= 1u << paths[q];
            caught |= 1u << paths[q];
            if (got.status != CLN_SUCCESS)
                clni_verdict_note(v, "softmax %s: failed (%s) on check %zu",
                                  clni_path_name(paths[q]), cln_status_str(got.status), i + 1);
            else
                clni_verdict_note(v, "softmax %s: differs from the host replica by %.3g x "
                                  "(check %zu)", clni_path_name(paths[q]), e, i + 1);
        }
        cln_dataset_free(data);
        CLNI_CHECK(st);
    }
    return CLN_SUCCESS;
}
