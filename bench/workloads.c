/* clnum-bench: W1 and W2 (linear regression) and W3 (softmax regression) through cln_fit,
 * timed without the data generation and (after a warm-up fit) without the program build. */
#include "workloads.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timing.h"

cln_status workload_data_create(cln_context *ctx, const workload *w, cln_dataset **out,
                                bench_error *err)
{
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_inputs = w->num_inputs;   /* d = 2 is the chapter's w = [2, -3.4]; else drawn */
    dc.num_train = w->num_train;
    dc.num_val = w->num_val;
    dc.seed = W_SEED;
    cln_status st = cln_synthetic_create(ctx, &dc, out);
    if (st == CLN_SUCCESS)
        st = cln_context_finish(ctx);
    if (st != CLN_SUCCESS)
        return bench_fail(err, st, cln_last_error(ctx), "%s: generating %zu x %zu rows", w->key,
                          w->num_train + w->num_val, w->num_inputs);
    return CLN_SUCCESS;
}

cln_status workload_rel_err(const cln_dataset *data, const double *w, double b, double *out,
                            bench_error *err)
{
    size_t d = cln_dataset_num_inputs(data);
    double *w_true = malloc(d * sizeof *w_true), b_true = 0;
    if (!w_true)
        return bench_fail(err, CLN_ERR_OUT_OF_HOST_MEMORY, NULL, "relative error");
    cln_status st = cln_dataset_true_params(data, w_true, &b_true);
    if (st == CLN_SUCCESS) {
        double num = (b_true - b) * (b_true - b), den = b_true * b_true;
        for (size_t j = 0; j < d; j++) {
            num += (w_true[j] - w[j]) * (w_true[j] - w[j]);
            den += w_true[j] * w_true[j];
        }
        *out = sqrt(num / den);
    } else {
        bench_fail(err, st, NULL, "cln_dataset_true_params");
    }
    free(w_true);
    return st;
}

const char *workload_path_name(cln_train_path p)
{
    static const char *const names[] = {"auto", "stepwise", "fused", "epoch", "persistent"};
    return (unsigned)p < sizeof names / sizeof *names ? names[p] : "?";
}

/* One fit from (w0, b0): its time in ms and the commands it enqueued. */
static cln_status timed_fit(cln_linreg *m, const cln_dataset *data, const cln_trainer_config *tc,
                            const double *w0, double b0, double *ms, uint64_t *enqueues,
                            size_t *updates)
{
    cln_context *ctx = cln_linreg_context(m);
    BENCH_TRY(cln_linreg_set(m, w0, b0));
    /* A fresh fit every repeat: epoch 0's shuffle, not the next epochs' (a fit continues). */
    BENCH_TRY(cln_model_set_epochs_trained(cln_linreg_model(m), 0));
    BENCH_TRY(cln_context_finish(ctx)); /* nothing of the reset inside the timing */
    cln_history h;
    uint64_t before = cln_context_enqueue_count(ctx);
    double t0 = bench_now_ms();
    cln_status st = cln_fit(cln_linreg_model(m), data, tc, &h);
    if (st == CLN_SUCCESS)
        st = cln_context_finish(ctx);
    *ms = bench_now_ms() - t0;
    *enqueues = cln_context_enqueue_count(ctx) - before;
    *updates = h.updates;
    cln_history_free(&h);
    return st;
}

/* The warm-up fit, then the timed ones; leaves out->supported 0 on an unsupported path. */
static cln_status time_fits(cln_linreg *m, const cln_dataset *data, const workload *w,
                            const cln_trainer_config *tc, const double *w0, double b0, double *ms,
                            fit_figures *out)
{
    uint64_t enqueues = 0;
    double warm;
    cln_status st = timed_fit(m, data, tc, w0, b0, &warm, &enqueues, &out->updates);
    if (st == CLN_ERR_UNSUPPORTED)
        return CLN_SUCCESS;
    for (int r = 0; r < w->repeats && st == CLN_SUCCESS; r++)
        st = timed_fit(m, data, tc, w0, b0, &ms[r], &enqueues, &out->updates);
    if (st != CLN_SUCCESS)
        return st;
    bench_stats s = bench_stats_of(ms, (size_t)w->repeats);
    out->supported = 1;
    out->best_ms = s.best;
    out->median_ms = s.median;
    out->train_batches = (w->num_train + w->batch - 1) / w->batch * w->epochs;
    out->enqueues_per_batch = (double)enqueues / (double)out->train_batches;
    return CLN_SUCCESS;
}

cln_status workload_fit(cln_linreg *m, const cln_dataset *data, const workload *w,
                        cln_train_path path, fit_figures *out, bench_error *err)
{
    cln_context *ctx = cln_linreg_context(m);
    size_t d = cln_linreg_num_inputs(m);
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.max_epochs = w->epochs;
    tc.lr = W_LR;
    tc.batch_size = w->batch;
    tc.seed = W_SEED;
    tc.path = path;
    *out = (fit_figures){0};

    double *w0 = malloc(d * sizeof *w0), *w1 = malloc(d * sizeof *w1), b0 = 0, b1 = 0;
    double *ms = malloc((size_t)w->repeats * sizeof *ms);
    cln_status st = CLN_ERR_OUT_OF_HOST_MEMORY;
    if (w0 && w1 && ms && (st = cln_linreg_get(m, w0, &b0)) == CLN_SUCCESS) {
        st = time_fits(m, data, w, &tc, w0, b0, ms, out);
        if (st == CLN_SUCCESS && out->supported)
            st = cln_linreg_get(m, w1, &b1);
        if (st != CLN_SUCCESS)
            bench_fail(err, st, cln_last_error(ctx), "%s: cln_fit on the %s path", w->key,
                       workload_path_name(path));
        else if (out->supported)
            st = workload_rel_err(data, w1, b1, &out->rel_err, err);
        if (st == CLN_SUCCESS && (st = cln_linreg_set(m, w0, b0)) != CLN_SUCCESS)
            bench_fail(err, st, cln_last_error(ctx), "%s: restoring the parameters", w->key);
    } else {
        bench_fail(err, st, cln_last_error(ctx), "%s: reading the initial parameters", w->key);
    }
    free(w0);
    free(w1);
    free(ms);
    return st;
}

/* ---- W3 ---------------------------------------------------------------------------------- */

/* bench/peers/common.py's w3_bits: splitmix64's output function of golden * (z + 1),
 * z = seed << 48 | stream << 40 | index. */
static uint64_t w3_bits(uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t z = ((seed << 48) | (stream << 40) | index) + 1;
    z *= UINT64_C(0x9E3779B97F4A7C15);
    z ^= z >> 30;
    z *= UINT64_C(0xBF58476D1CE4E5B9);
    z ^= z >> 27;
    z *= UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* common.py's w3_data, in integers: pixel m * 2^-24 (0 for an even hash), the teacher
 * (t - 256) * 2^-8, the noise (n - 2^15) * 2^-15; label = the first largest of
 * (x - 1/4) . T_c + noise_c, summed exactly in units of 2^-32, which the float64 sums of
 * NumPy match bit for bit. */
static void w3_generate(size_t n, size_t d, size_t k, double *X, uint32_t *labels,
                        int64_t *T, int64_t *acc)
{
    for (size_t j = 0; j < d * k; j++)
        T[j] = (int64_t)(w3_bits(W3_SEED, 1, j) >> 55) - 256;
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < k; c++)
            acc[c] = ((int64_t)(w3_bits(W3_SEED, 2, i * k + c) >> 48) - 32768) * 131072;
        for (size_t j = 0; j < d; j++) {
            uint64_t h = w3_bits(W3_SEED, 0, i * d + j);
            int64_t m = (h & 1) ? (int64_t)(h >> 40) : 0;
            X[i * d + j] = ldexp((double)m, -24);
            int64_t xc = m - ((int64_t)1 << 22); /* x - 1/4, in units of 2^-24 */
            for (size_t c = 0; c < k; c++)
                acc[c] += xc * T[j * k + c];
        }
        uint32_t best = 0;
        for (size_t c = 1; c < k; c++)
            if (acc[c] > acc[best])
                best = (uint32_t)c;
        labels[i] = best;
    }
}

cln_status w3_data_create(cln_context *ctx, const workload *w, w3_data *out, bench_error *err)
{
    size_t n = w->num_train + w->num_val, d = w->num_inputs, k = W3_CLASSES;
    memset(out, 0, sizeof *out);
    double *X = malloc(n * d * sizeof *X);
    uint32_t *labels = malloc(n * sizeof *labels);
    int64_t *T = malloc(d * k * sizeof *T), acc[W3_CLASSES];
    out->X_val = malloc(w->num_val * d * sizeof *out->X_val);
    out->y_val = malloc(w->num_val * sizeof *out->y_val);
    cln_status st = CLN_ERR_OUT_OF_HOST_MEMORY;
    if (!X || !labels || !T || !out->X_val || !out->y_val) {
        bench_fail(err, st, NULL, "%s: %zu x %zu rows on the host", w->key, n, d);
    } else {
        w3_generate(n, d, k, X, labels, T, acc);
        for (size_t i = 0; i < w->num_val * d; i++)
            out->X_val[i] = (float)X[w->num_train * d + i]; /* exact: 24-bit values */
        memcpy(out->y_val, labels + w->num_train, w->num_val * sizeof *labels);
        out->num_val = w->num_val;
        out->num_inputs = d;
        out->num_classes = k;
        st = cln_dataset_create_labeled(ctx, CLN_FLOAT32, X, labels, n, d, k, w->num_train,
                                        CLN_PLACE_DEVICE, &out->ds);
        if (st == CLN_SUCCESS)
            st = cln_context_finish(ctx);
        if (st != CLN_SUCCESS)
            bench_fail(err, st, cln_last_error(ctx), "%s: cln_dataset_create_labeled of %zu x %zu",
                       w->key, n, d);
    }
    free(X);
    free(labels);
    free(T);
    if (st != CLN_SUCCESS)
        w3_data_free(out);
    return st;
}

void w3_data_free(w3_data *d)
{
    cln_dataset_free(d->ds);
    free(d->X_val);
    free(d->y_val);
    memset(d, 0, sizeof *d);
}

/* The validation rows' mean cross-entropy and accuracy under (W, b), in double. */
static void w3_host_eval(const w3_data *d, const double *W, const double *b, double *loss,
                         double *acc)
{
    size_t k = d->num_classes, correct = 0;
    double o[W3_CLASSES], sum = 0;
    for (size_t i = 0; i < d->num_val; i++) {
        const float *x = d->X_val + i * d->num_inputs;
        memcpy(o, b, k * sizeof *o);
        for (size_t j = 0; j < d->num_inputs; j++)
            if (x[j] != 0)
                for (size_t c = 0; c < k; c++)
                    o[c] += x[j] * W[j * k + c];
        size_t best = 0;
        for (size_t c = 1; c < k; c++)
            if (o[c] > o[best])
                best = c;
        double e = 0;
        for (size_t c = 0; c < k; c++)
            e += exp(o[c] - o[best]);
        sum += log(e) - (o[d->y_val[i]] - o[best]);
        correct += best == d->y_val[i];
    }
    *loss = sum / (double)d->num_val;
    *acc = (double)correct / (double)d->num_val;
}

/* What the trainer reports after the (one) epoch. */
typedef struct w3_seen {
    double train_loss, val_metric;
} w3_seen;

static int w3_on_epoch(const cln_epoch_report *rep, void *user)
{
    w3_seen *seen = user;
    seen->train_loss = rep->train_loss;
    seen->val_metric = rep->val_metric;
    return 0;
}

/* One fit from (W0, b0): its time in ms, the commands it enqueued, what it reported. */
static cln_status w3_timed_fit(cln_softmax *m, const cln_dataset *ds, cln_trainer_config *tc,
                               const double *W0, const double *b0, double *ms,
                               uint64_t *enqueues, w3_figures *out)
{
    cln_context *ctx = cln_softmax_context(m);
    BENCH_TRY(cln_softmax_set(m, W0, b0));
    BENCH_TRY(cln_model_set_epochs_trained(cln_softmax_model(m), 0)); /* a fresh fit */
    BENCH_TRY(cln_context_finish(ctx)); /* nothing of the reset inside the timing */
    w3_seen seen = {NAN, NAN};
    tc->on_epoch = w3_on_epoch;
    tc->user = &seen;
    cln_history h = {0};
    uint64_t before = cln_context_enqueue_count(ctx);
    double t0 = bench_now_ms();
    cln_status st = cln_fit(cln_softmax_model(m), ds, tc, &h);
    if (st == CLN_SUCCESS)
        st = cln_context_finish(ctx);
    *ms = bench_now_ms() - t0;
    *enqueues = cln_context_enqueue_count(ctx) - before;
    out->fit.updates = h.updates;
    out->ran = h.path;
    out->train_loss = seen.train_loss;
    out->val_acc = seen.val_metric;
    cln_history_free(&h);
    return st;
}

cln_status w3_fit(cln_softmax *m, const w3_data *data, const workload *w, cln_train_path path,
                  w3_figures *out, bench_error *err)
{
    cln_context *ctx = cln_softmax_context(m);
    size_t d = cln_softmax_num_inputs(m), k = cln_softmax_num_classes(m);
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.max_epochs = w->epochs;
    tc.lr = W3_LR;
    tc.batch_size = w->batch;
    tc.seed = W_SEED;
    tc.path = path;
    memset(out, 0, sizeof *out);
    out->train_loss = out->val_acc = out->val_loss = out->host_val_acc = NAN;

    double *W0 = malloc(d * k * sizeof *W0), *W1 = malloc(d * k * sizeof *W1);
    double *b0 = malloc(k * sizeof *b0), *b1 = malloc(k * sizeof *b1);
    double *ms = malloc((size_t)w->repeats * sizeof *ms);
    const char *name = workload_path_name(path);
    cln_status st = CLN_ERR_OUT_OF_HOST_MEMORY;
    if (!W0 || !W1 || !b0 || !b1 || !ms || (st = cln_softmax_get(m, W0, b0)) != CLN_SUCCESS) {
        bench_fail(err, st, cln_last_error(ctx), "%s: reading the initial parameters", w->key);
        goto done;
    }
    uint64_t enqueues = 0;
    double warm;
    st = w3_timed_fit(m, data->ds, &tc, W0, b0, &warm, &enqueues, out);
    if (st == CLN_ERR_UNSUPPORTED) { /* out->fit.supported stays 0 */
        st = CLN_SUCCESS;
        goto done;
    }
    for (int r = 0; r < w->repeats && st == CLN_SUCCESS; r++)
        st = w3_timed_fit(m, data->ds, &tc, W0, b0, &ms[r], &enqueues, out);
    if (st == CLN_SUCCESS)
        st = cln_softmax_get(m, W1, b1);
    if (st != CLN_SUCCESS) {
        bench_fail(err, st, cln_last_error(ctx), "%s: cln_fit on the %s path", w->key, name);
        goto restore;
    }
    bench_stats s = bench_stats_of(ms, (size_t)w->repeats);
    out->fit.supported = 1;
    out->fit.best_ms = s.best;
    out->fit.median_ms = s.median;
    out->fit.train_batches = (w->num_train + w->batch - 1) / w->batch * w->epochs;
    out->fit.enqueues_per_batch = (double)enqueues / (double)out->fit.train_batches;
    w3_host_eval(data, W1, b1, &out->val_loss, &out->host_val_acc);
    if (!(fabs(out->val_acc - out->host_val_acc) <= W3_MAX_ACC_GAP)) {
        out->mismatch = 1;
        snprintf(err->message, sizeof err->message,
                 "%s: the %s path's validation accuracy %.4f is not the host's %.4f (from the "
                 "learned W and b)", w->key, name, out->val_acc, out->host_val_acc);
    }
restore:
    {
        cln_status st2 = cln_softmax_set(m, W0, b0);
        if (st2 != CLN_SUCCESS && st == CLN_SUCCESS)
            st = bench_fail(err, st2, cln_last_error(ctx), "%s: restoring the parameters",
                            w->key);
    }
done:
    free(W0);
    free(W1);
    free(b0);
    free(b1);
    free(ms);
    return st;
}
