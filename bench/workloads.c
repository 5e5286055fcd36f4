/* clnum-bench: W1 and W2 through cln_fit, timed without the data generation and (after a
 * warm-up fit) without the program build. */
#include "workloads.h"

#include <math.h>
#include <stdlib.h>

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

static const char *path_name(cln_train_path p)
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
                       path_name(path));
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
