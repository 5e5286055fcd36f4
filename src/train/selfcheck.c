/* The device self-check. The fast training paths hand work between work-groups and run
 * long loops in one work-item, which OpenCL 1.2 does not order or some drivers do not run
 * to the end (.ci/README.md, the rusticl findings). So before cln_fit() lets a fast path
 * run on a device, the path is shown there: each is run on small problems and compared
 * with a double-precision replica of the same fit on the host, and a path that differs is
 * switched off on that device, with the reason. The verdict is cached beside the program cache, so later runs only read it. */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data_impl.h"
#include "runtime/enqueue.h"
#include "runtime/verdict.h"
#include "train/selfcheck.h"

/* Loop iterations the probe asks for: more than any limit a driver is known to impose. */
#define PROBE_ITERATIONS (1u << 17)


/* The problems each fast path must get right: ragged sizes and a ragged last minibatch,
 * many minibatches, rows of 8-aligned width (the vector loads' fast case), and batches
 * large enough for several work-groups on a GPU's default shape as well as a CPU's. */
typedef struct check_problem {
    size_t d, num_train, num_val, batch; /* one epoch each; d at most 16 */
} check_problem;
static const check_problem problems[] = {
    {3, 50, 15, 9},    /* 6 minibatches, the last of 5 */
    {16, 256, 100, 64},
    {5, 1800, 700, 600},
};
#define NUM_PROBLEMS (sizeof problems / sizeof problems[0])

static uint32_t lcg(uint32_t x) { return x * 1664525u + 1013904223u; }

/* Runs the probe; *limit is how many iterations its loop ran if fewer than asked, else 0. */
static cln_status probe_loop_limit(cln_context *ctx, cln_dtype dtype, uint32_t *limit)
{
    const uint32_t start = 12345u;
    cl_uint state = start, n = PROBE_ITERATIONS;
    cl_int err;
    cl_mem buf = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof state,
                                &state, &err);
    if (err != CL_SUCCESS)
        return clni_cl_fail(ctx, err, "device self-check: probe buffer");
    cln_status st = clni_launch(ctx, dtype, CLNI_K_LOOP_PROBE, 1, 1,
                                CLNI_ARGS(CLNI_ARG(buf), CLNI_ARG(n)));
    if (st == CLN_SUCCESS) {
        st = clni_enqueue_read(ctx, buf, CL_TRUE, 0, sizeof state, &state, NULL,
                               "device self-check: reading the probe");
    }
    clReleaseMemObject(buf);
    CLNI_CHECK(st);
    *limit = 0;
    uint32_t x = start;
    for (uint32_t i = 0; i < n; i++, x = lcg(x))
        if (x == state) { /* ran i of the n iterations (the sequence does not repeat this soon) */
            *limit = i > 0 ? i : 1;
            return CLN_SUCCESS;
        }
    if (x != state) /* neither all nor a prefix of the steps: some other fault */
        *limit = 1;
    return CLN_SUCCESS;
}

/* The results of one fit, to compare with the host's. */
typedef struct fit_result {
    cln_status status;
    double wb[17];          /* w then b */
    double losses[2];       /* the epoch's mean training and validation loss (on_epoch's) */
    size_t num_losses;
} fit_result;

static int record_losses(const cln_epoch_report *rep, void *user)
{
    fit_result *r = user;
    r->losses[0] = rep->train_loss;
    r->losses[1] = rep->val_loss;
    r->num_losses = 2;
    return 0;
}

#define CHECK_SEED 7
#define CHECK_MODEL_SEED 1

static cln_status fit_once(cln_context *ctx, cln_dtype dtype, const cln_dataset *data,
                           const check_problem *p, cln_train_path path, fit_result *r)
{
    cln_linreg *m;
    CLNI_CHECK(cln_linreg_create(ctx, dtype, p->d, 0.01, CHECK_MODEL_SEED, &m));
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.max_epochs = 1;
    tc.batch_size = p->batch;
    tc.path = path;
    tc.seed = CHECK_SEED;
    tc.on_epoch = record_losses;
    tc.user = r;
    r->num_losses = 0;
    r->status = cln_fit(cln_linreg_model(m), data, &tc, NULL);
    if (r->status == CLN_SUCCESS)
        r->status = cln_linreg_get(m, r->wb, &r->wb[p->d]);
    cln_linreg_free(m);
    return CLN_SUCCESS;
}

/* The same epoch in double precision on the host, by the trainer's rules (trainer.h, model.h):
 * rows in cln_shuffle_order(seed, 0) order, minibatches of `batch` (the last one shorter),
 * loss s * mean(r^2) before each step, g_w = 2 s / B * sum r x and g_b = 2 s / B * sum r,
 * then the validation minibatches in order. w0 is the model's start (drawn on the device). */
static cln_status host_fit(cln_context *ctx, const cln_dataset *data, const check_problem *p,
                           const double *w0, double lr, double s, fit_result *r)
{
    size_t d = p->d, nt = p->num_train, nv = p->num_val, B = p->batch;
    double *xt = malloc(nt * d * sizeof *xt), *yt = malloc(nt * sizeof *yt);
    double *xv = malloc(nv * d * sizeof *xv), *yv = malloc(nv * sizeof *yv);
    uint32_t *order = malloc(nt * sizeof *order);
    cln_status st = xt && yt && xv && yv && order
                        ? CLN_SUCCESS
                        : clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "device self-check: memory");
    if (st == CLN_SUCCESS)
        st = cln_tensor_download_f64(cln_dataset_train_X(data), xt, nt * d);
    if (st == CLN_SUCCESS)
        st = cln_tensor_download_f64(cln_dataset_train_y(data), yt, nt);
    if (st == CLN_SUCCESS)
        st = cln_tensor_download_f64(cln_dataset_val_X(data), xv, nv * d);
    if (st == CLN_SUCCESS)
        st = cln_tensor_download_f64(cln_dataset_val_y(data), yv, nv);
    if (st == CLN_SUCCESS)
        st = cln_shuffle_order(CHECK_SEED, 0, order, nt);
    if (st == CLN_SUCCESS) {
        double *w = r->wb, b = 0, g[16], train = 0, val = 0;
        memcpy(w, w0, d * sizeof *w);
        size_t nb = 0;
        for (size_t first = 0; first < nt; first += B, nb++) {
            size_t count = nt - first < B ? nt - first : B;
            double gb = 0, sq = 0;
            memset(g, 0, sizeof g);
            for (size_t i = first; i < first + count; i++) {
                const double *x = xt + (size_t)order[i] * d;
                double res = b - yt[order[i]];
                for (size_t j = 0; j < d; j++)
                    res += w[j] * x[j];
                for (size_t j = 0; j < d; j++)
                    g[j] += res * x[j];
                gb += res;
                sq += res * res;
            }
            train += s * sq / (double)count;
            double scale = 2 * s / (double)count;
            for (size_t j = 0; j < d; j++)
                w[j] -= lr * scale * g[j];
            b -= lr * scale * gb;
        }
        size_t nvb = 0;
        for (size_t first = 0; first < nv; first += B, nvb++) {
            size_t count = nv - first < B ? nv - first : B;
            double sq = 0;
            for (size_t i = first; i < first + count; i++) {
                double res = b - yv[i];
                for (size_t j = 0; j < d; j++)
                    res += w[j] * xv[i * d + j];
                sq += res * res;
            }
            val += s * sq / (double)count;
        }
        w[d] = b;
        r->losses[0] = train / (double)nb;
        r->losses[1] = val / (double)nvb;
        r->num_losses = 2;
        r->status = CLN_SUCCESS;
    }
    free(xt), free(yt), free(xv), free(yv), free(order);
    return st;
}

/* The host reference of problem p: the model's start read from a model made as fit_once
 * makes its own. */
static cln_status reference_fit(cln_context *ctx, cln_dtype dtype, const cln_dataset *data,
                                const check_problem *p, fit_result *ref)
{
    cln_linreg *m;
    CLNI_CHECK(cln_linreg_create(ctx, dtype, p->d, 0.01, CHECK_MODEL_SEED, &m));
    double w0[16], b0;
    cln_status st = cln_linreg_get(m, w0, &b0);
    double scale = cln_linreg_loss_scale(m);
    cln_linreg_free(m);
    CLNI_CHECK(st);
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    /* the rate the kernels take, rounded to the dtype */
    double lr = dtype == CLN_FLOAT32 ? (double)(float)tc.lr : tc.lr;
    return host_fit(ctx, data, p, w0, lr, scale, ref);
}

double clni_selfcheck_off_by(double x, double ref, cln_dtype dtype)
{
    double rtol = dtype == CLN_FLOAT64 ? 1e-10 : 1e-4, atol = dtype == CLN_FLOAT64 ? 1e-12 : 1e-5;
    double e = fabs(x - ref) / (rtol * fabs(ref) + atol);
    return isnan(e) ? INFINITY : e;
}

/* The largest difference between two fits' parameters and loss points: above 1 is a
 * mismatch. */
static double mismatch(const fit_result *a, const fit_result *ref, size_t d, cln_dtype dtype)
{
    double worst = a->num_losses == ref->num_losses ? 0 : INFINITY;
    for (size_t i = 0; i <= d; i++)
        worst = fmax(worst, clni_selfcheck_off_by(a->wb[i], ref->wb[i], dtype));
    for (size_t i = 0; i < a->num_losses && i < ref->num_losses; i++)
        worst = fmax(worst, clni_selfcheck_off_by(a->losses[i], ref->losses[i], dtype));
    return worst;
}

/* Checks every fast path on every problem; fills v. A status other than success means the
 * check itself could not run (no verdict). */
static cln_status run_checks(cln_context *ctx, cln_dtype dtype, clni_verdict *v)
{
    memset(v, 0, sizeof *v);
    CLNI_CHECK(probe_loop_limit(ctx, dtype, &v->loop_limit));
    ctx->verdict[dtype].loop_limit = v->loop_limit; /* the fits below plan with it */
    if (v->loop_limit) {
        v->disabled |= 1u << CLN_PATH_PERSISTENT;
        clni_verdict_note(v, "persistent: loops end after %u iterations here, so its waits "
                          "cannot be bounded", v->loop_limit);
    }
    for (size_t i = 0; i < NUM_PROBLEMS; i++) {
        const check_problem *p = &problems[i];
        cln_synthetic_config dc;
        cln_synthetic_config_init(&dc);
        dc.num_inputs = p->d;
        dc.num_train = p->num_train;
        dc.num_val = p->num_val;
        dc.seed = 3 + i;
        dc.dtype = dtype;
        cln_dataset *data;
        CLNI_CHECK(cln_synthetic_create(ctx, &dc, &data));
        fit_result ref, got;
        cln_status st = reference_fit(ctx, dtype, data, p, &ref);
        for (int path = CLN_PATH_FUSED; st == CLN_SUCCESS && path <= CLN_PATH_PERSISTENT; path++) {
            if (v->disabled & (1u << path))
                continue;
            st = fit_once(ctx, dtype, data, p, (cln_train_path)path, &got);
            if (st != CLN_SUCCESS || got.status == CLN_ERR_UNSUPPORTED) /* not for this shape */
                continue;
            double e = got.status == CLN_SUCCESS ? mismatch(&got, &ref, p->d, dtype) : INFINITY;
            if (e > 1) {
                v->disabled |= 1u << path;
                if (got.status != CLN_SUCCESS)
                    clni_verdict_note(v, "%s: failed (%s) on check %zu", clni_path_name(path),
                                      cln_status_str(got.status), i + 1);
                else
                    /* the check's number names its problem: the note must hold every
                     * finding in cln_device_info's 256 bytes */
                    clni_verdict_note(v, "%s: differs from the double-precision host replica "
                                      "by %.3g x float rounding (check %zu)",
                                      clni_path_name(path), e, i + 1);
            }
        }
        cln_dataset_free(data);
        CLNI_CHECK(st);
    }
    return clni_selfcheck_softmax(ctx, dtype, v);
}

cln_status clni_selfcheck(cln_context *ctx, cln_dtype dtype)
{
    clni_verdict *v = &ctx->verdict[dtype];
    if (v->state != CLNI_VERDICT_NONE)
        return CLN_SUCCESS;
    CLNI_CHECK(cln_context_build(ctx, dtype)); /* the key names the kernels' sources */
    if (!clni_verdict_find(&ctx->info, dtype, ctx->sources_hash, v)) {
        /* The check runs fits of its own: they are not the caller's enqueues or errors. */
        uint64_t enqueues = ctx->enqueues;
        char error[sizeof ctx->error];
        memcpy(error, ctx->error, sizeof error);
        v->state = CLNI_VERDICT_RUNNING;
        clni_verdict found;
        cln_status st = run_checks(ctx, dtype, &found);
        ctx->enqueues = enqueues;
        if (st != CLN_SUCCESS) {
            /* Unchecked is not trusted: only the stepwise path, and not cached. */
            memset(&found, 0, sizeof found);
            found.disabled = (1u << CLN_PATH_FUSED) | (1u << CLN_PATH_EPOCH) |
                             (1u << CLN_PATH_PERSISTENT);
            snprintf(found.note, sizeof found.note, "the self-check could not run: %.200s",
                     ctx->error);
        } else {
            clni_verdict_save(&ctx->info, dtype, ctx->sources_hash, &found);
        }
        memcpy(ctx->error, error, sizeof error);
        *v = found;
    }
    v->state = CLNI_VERDICT_DONE;
    if (dtype == CLN_FLOAT32)
        clni_verdict_publish(&ctx->info, v);
    return CLN_SUCCESS;
}

cln_status cln_context_selfcheck(cln_context *ctx, cln_dtype dtype)
{
    CLNI_CHECK(clni_check_ptr(NULL, ctx, "cln_context_selfcheck", "ctx"));
    if (dtype != CLN_FLOAT32 && dtype != CLN_FLOAT64)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "cln_context_selfcheck: unknown dtype %d",
                         (int)dtype);
    CLNI_CHECK(cln_context_build(ctx, dtype));
    return clni_selfcheck(ctx, dtype);
}
