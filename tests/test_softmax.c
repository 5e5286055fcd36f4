/* Softmax regression (softmax.h): every kernel against a double-precision host replica on
 * random inputs of ragged sizes, in float32 and (where the device has it) float64, with
 * tolerances derived from rounding bounds; the gradient against central finite differences;
 * stable losses at logits of 1e4; accuracy ties; bad arguments; launches per minibatch; and
 * cln_fit on the stepwise, fused and epoch paths (device and streamed host data) against a
 * host replica of the same epochs, with a bound on how far float rounding can take a fit:
 * also at the edges of the fused kernels' register blocks, in both shapes of block, and in
 * float64.
 *
 * The bounds use test_util.h's model of rounding (u per operation, FMA or not) and OpenCL
 * C's accuracy of the functions the kernels call: exp and log within 3 ulp, float division
 * within 2.5 ulp (double's correctly rounded), an ulp being at most 2u |x|. The host's own
 * double arithmetic is bounded by the same formulas at u = 2^-53. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define GUARD -777.0

/* ---- rounding bounds --------------------------------------------------------------------- */

static double u_of(cln_dtype dt) { return tu_unit_roundoff(dt); }
/* exp, log: 3 ulp */
static double fn_err(cln_dtype dt) { return 6 * u_of(dt); }
/* x / y: 2.5 ulp in float, correctly rounded in double */
static double div_err(cln_dtype dt) { return dt == CLN_FLOAT64 ? u_of(dt) : 5 * u_of(dt); }
/* gamma_n = n u / (1 - n u) (Higham 3.1) */
static double gam(cln_dtype dt, size_t n)
{
    double nu = (double)n * u_of(dt);
    return nu / (1 - nu);
}
/* The smallest subnormal: an exp that underflows is off by at most 3 of them. */
static double tiny(cln_dtype dt) { return ldexp(1.0, dt == CLN_FLOAT64 ? -1074 : -149); }
static double round_to(cln_dtype dt, double v) { return dt == CLN_FLOAT64 ? v : (double)(float)v; }

/* What the device computes from one row of logits, bounded. The device reads logits within
 * eps of o (its forward's rounding), and o itself is within shift of the exact logits at the
 * device's parameters (a fit's error so far: it only enlarges the magnitudes here). */
typedef struct row_bound {
    double loss;      /* -log softmax(o)[label], exactly */
    double loss_err;  /* |device loss - exact loss at the device's parameters| */
} row_bound;

/* delta[c] = softmax(o)[c] - (c == label); delta_err[c] bounds the device's error against
 * the exact delta at its parameters; delta_mag[c] bounds |the device's delta|. */
static row_bound row_bounds(cln_dtype dt, const double *o, size_t k, uint32_t label, double eps,
                            double shift, double *delta, double *delta_err, double *delta_mag)
{
    double u = u_of(dt), m = o[0], S = 0, infl = eps + shift, rel_max = 0;
    for (size_t c = 1; c < k; c++)
        m = fmax(m, o[c]);
    for (size_t c = 0; c < k; c++) {
        S += exp(o[c] - m);
        /* o - m rounds (relative u of up to |o - m| + 2 infl at the device's logits), exp's
         * 3 ulp */
        double rel = (1 + fn_err(dt)) * exp(u * (fabs(o[c] - m) + 2 * infl)) - 1;
        rel_max = fmax(rel_max, rel);
    }
    /* the sum of k positive terms: relative error rho, and the underflowing terms */
    double rho = (1 + rel_max) * (1 + gam(dt, k - 1)) - 1 + 3 * (double)k * tiny(dt);
    double log_S = log(S) + 2 * infl, log_err = -log1p(-rho);
    double l_err = log_err + fn_err(dt) * (log_S + log_err);
    double z_label = fabs(o[label] - m) + 2 * infl;
    row_bound r = {log(S) - (o[label] - m), 0};
    r.loss_err = l_err + u * z_label + u * ((log_S + log_err) * (1 + fn_err(dt)) + z_label * (1 + u)) +
                 2 * eps; /* log-sum-exp and o[label] each move at most eps with the logits */
    for (size_t c = 0; delta && c < k; c++) {
        double p = exp(o[c] - m) / S, ph = p * exp(2 * infl);
        double rel = (1 + fn_err(dt)) * exp(u * (fabs(o[c] - m) + 2 * infl)) - 1;
        double eta = (1 + rel) * (1 + div_err(dt)) / (1 - rho) - 1;
        int one = c == label;
        delta[c] = p - one;
        delta_err[c] = p * exp(2 * shift) * expm1(2 * eps) + eta * ph + 3 * tiny(dt) +
                       (one ? u * (1 + ph * (1 + eta)) : 0);
        delta_mag[c] = one + ph * (1 + eta) + 3 * tiny(dt);
    }
    return r;
}

/* The mean of n row losses, each off by at most err[i]: summed in any order, then divided. */
static double mean_loss_bound(cln_dtype dt, const row_bound *rows, size_t n, double extra)
{
    double sum_abs = 0, sum_err = 0, mean = 0;
    for (size_t i = 0; i < n; i++) {
        sum_abs += fabs(rows[i].loss);
        sum_err += rows[i].loss_err + extra;
        mean += rows[i].loss;
    }
    double total = sum_err + gam(dt, n - 1) * (sum_abs + sum_err);
    return total / n + div_err(dt) * (fabs(mean / n) + total / n);
}

/* g = sum_i x_i delta_i / n, with |delta_i's error| <= err[i] and |delta_i| <= mag[i]. */
static double grad_bound(cln_dtype dt, const double *x, size_t stride, const double *err,
                         const double *mag, size_t mstride, size_t n)
{
    double a = 0, M = 0;
    for (size_t i = 0; i < n; i++) {
        double xi = x ? fabs(x[i * stride]) : 1.0;
        a += xi * err[i * mstride];
        M += xi * mag[i * mstride];
    }
    double e = (a + tu_sum_bound(dt, n, M, n)) / n;
    return e + div_err(dt) * (M / n + e);
}

/* w - lr (g + decay w) (decayed) or w - lr g, from g within g_err; magnitudes |w|, |g|. */
static double step_bound(cln_dtype dt, double w, double g, double g_err, double lr, double wd,
                         int decayed)
{
    double u = u_of(dt), a = decayed ? wd * w : 0, ea = u * a;
    double t = g + a, et = decayed ? ea + u * (t + ea) : 0;
    double q = lr * (t + et), eq = lr * et + u * q;
    return eq + u * (w + q + eq) + lr * g_err * (1 + u) * (1 + u) * (1 + u);
}

/* ---- host data ----------------------------------------------------------------------------- */

/* n rows of d features (scale times normals) and labels in [0, k), exact in dt. */
typedef struct host_rows {
    size_t n, d, k;
    double *X, *y;
    uint32_t *labels;
} host_rows;

static host_rows rows_make(cln_dtype dt, size_t n, size_t d, size_t k, double scale,
                           uint64_t seed)
{
    host_rows r = {n, d, k, tu_normals(n * d, seed), malloc(n * sizeof(double)),
                   malloc(n * sizeof(uint32_t))};
    assert_non_null(r.y);
    assert_non_null(r.labels);
    for (size_t i = 0; i < n * d; i++)
        r.X[i] = round_to(dt, scale * r.X[i]);
    for (size_t i = 0; i < n; i++) {
        r.labels[i] = cln_philox_u32(seed, 98, i) % (uint32_t)k;
        r.y[i] = r.labels[i];
    }
    return r;
}

static void rows_free(host_rows *r)
{
    free(r->X);
    free(r->y);
    free(r->labels);
}

/* logits of row x at (W, b), in double, and the magnitudes |b_c| + sum_j |x_j W_jc|. */
static void host_logits(const double *x, size_t d, size_t k, const double *W, const double *b,
                        double *o, double *mag)
{
    for (size_t c = 0; c < k; c++) {
        double acc = 0, ma = fabs(b[c]);
        for (size_t j = 0; j < d; j++) {
            acc += x[j] * W[j * k + c];
            ma += fabs(x[j] * W[j * k + c]);
        }
        o[c] = acc + b[c];
        if (mag)
            mag[c] = ma;
    }
}

/* A tensor of n elements, all GUARD. */
static cln_tensor *guarded(cln_context *ctx, cln_dtype dt, size_t n)
{
    cln_tensor *t;
    TU_OK(ctx, cln_tensor_create_1d(ctx, dt, n, &t));
    TU_OK(ctx, cln_tensor_fill(t, GUARD));
    return t;
}

static void upload(cln_context *ctx, cln_tensor *t, const double *v, size_t n)
{
    if (cln_tensor_dtype(t) == CLN_FLOAT64) {
        TU_OK(ctx, cln_tensor_upload(t, v, n * sizeof(double)));
        return;
    }
    float *f = malloc(n * sizeof *f);
    for (size_t i = 0; i < n; i++)
        f[i] = (float)v[i];
    TU_OK(ctx, cln_tensor_upload(t, f, n * sizeof *f));
    free(f);
}

static void assert_guards(const double *v, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (v[i] != GUARD)
            TU_FAIL("element %zu outside the output was written: %g", i, v[i]);
}

/* ---- the kernels one by one ---------------------------------------------------------------- */

typedef struct problem {
    cln_context *ctx;
    cln_dtype dt;
    host_rows r;
    double *W, *b;            /* the model's parameters, exact in dt */
    cln_tensor *tX, *ty;
    cln_softmax *m;
    cln_loader *loader;       /* a shuffled order over the rows */
} problem;

static void problem_make(problem *p, cln_context *ctx, cln_dtype dt, size_t n, size_t d, size_t k,
                         uint64_t seed)
{
    memset(p, 0, sizeof *p);
    p->ctx = ctx;
    p->dt = dt;
    p->r = rows_make(dt, n, d, k, 1.0, seed);
    p->W = tu_normals(d * k, seed + 1);
    p->b = tu_normals(k, seed + 2);
    for (size_t i = 0; i < d * k; i++)
        p->W[i] = round_to(dt, 0.5 * p->W[i]);
    for (size_t c = 0; c < k; c++)
        p->b[c] = round_to(dt, p->b[c]);
    size_t shape[2] = {n, d};
    p->tX = tu_tensor_from(ctx, dt, 2, shape, p->r.X);
    p->ty = tu_tensor_from(ctx, dt, 1, &n, p->r.y);
    TU_OK(ctx, cln_softmax_create(ctx, dt, d, k, 0.01, seed, &p->m));
    TU_OK(ctx, cln_softmax_set(p->m, p->W, p->b));
    TU_OK(ctx, cln_loader_create(ctx, n, n, 1, seed, &p->loader));
    TU_OK(ctx, cln_loader_start_epoch(p->loader, 0));
}

static void problem_free(problem *p)
{
    rows_free(&p->r);
    free(p->W);
    free(p->b);
    cln_tensor_free(p->tX);
    cln_tensor_free(p->ty);
    cln_softmax_free(p->m);
    cln_loader_free(p->loader);
}

/* Row i of a batch, as the kernels read it; host rows start at `base`. */
static size_t batch_row(const cln_batch *batch, size_t i)
{
    return batch->loader ? cln_loader_order(batch->loader)[batch->first + i] : batch->first + i;
}

static void check_forward(problem *p, const cln_batch *batch, size_t base)
{
    size_t B = batch->count, k = p->r.k, d = p->r.d;
    cln_tensor *all = guarded(p->ctx, p->dt, B * k + 5), *out;
    TU_OK(p->ctx, cln_tensor_view_rows(all, 2, B * k, &out));
    TU_OK(p->ctx, cln_softmax_forward(p->m, batch, out));
    double *got = tu_download(p->ctx, all), *o = malloc(k * sizeof *o), *mag = malloc(k * sizeof *mag);
    for (size_t i = 0; i < B; i++) {
        host_logits(p->r.X + (base + batch_row(batch, i)) * d, d, k, p->W, p->b, o, mag);
        for (size_t c = 0; c < k; c++) {
            double bound = tu_sum_bound(p->dt, d + 1, mag[c], d) +
                           tu_sum_bound(CLN_FLOAT64, d + 1, mag[c], d);
            if (!(fabs(got[2 + i * k + c] - o[c]) <= bound))
                TU_FAIL("forward row %zu class %zu: %.17g, host %.17g (bound %.3g)", i, c,
                        got[2 + i * k + c], o[c], bound);
        }
    }
    assert_guards(got, 0, 2);
    assert_guards(got, 2 + B * k, B * k + 5);
    free(got); free(o); free(mag);
    cln_tensor_free(out);
    cln_tensor_free(all);
}

/* Logits from the host (3 N(0, 1), exact in dt) into a view at an offset of a guarded tensor. */
static cln_tensor *upload_logits(problem *p, const double *o, size_t n, cln_tensor **all)
{
    cln_tensor *view;
    *all = guarded(p->ctx, p->dt, n + 4);
    TU_OK(p->ctx, cln_tensor_view_rows(*all, 3, n, &view));
    upload(p->ctx, view, o, n);
    return view;
}

/* The loss, accuracy and gradient of host logits; then the step from the device's gradient. */
static void check_loss_backward_step(problem *p, const cln_batch *batch, size_t base,
                                     uint64_t seed)
{
    cln_context *ctx = p->ctx;
    size_t B = batch->count, k = p->r.k, d = p->r.d, P = d * k;
    double *o = tu_normals(B * k, seed);
    for (size_t i = 0; i < B * k; i++)
        o[i] = round_to(p->dt, 3 * o[i]);
    cln_tensor *lo_all, *lo = upload_logits(p, o, B * k, &lo_all);
    cln_tensor *res_all = guarded(ctx, p->dt, 6), *res;
    TU_OK(ctx, cln_tensor_view_rows(res_all, 1, 4, &res));
    TU_OK(ctx, cln_softmax_loss(p->m, batch, lo, res, 1));
    TU_OK(ctx, cln_softmax_accuracy(p->m, batch, lo, res, 2));
    TU_OK(ctx, cln_softmax_backward(p->m, batch, lo));

    row_bound *rows = malloc(B * sizeof *rows), *rows64 = malloc(B * sizeof *rows64);
    double *delta = malloc(B * k * sizeof *delta), *err = malloc(B * k * sizeof *err);
    double *mag = malloc(B * k * sizeof *mag), *err64 = malloc(B * k * sizeof *err64);
    double *mag64 = malloc(B * k * sizeof *mag64), *xs = malloc(B * sizeof *xs);
    size_t hits = 0;
    for (size_t i = 0; i < B; i++) {
        uint32_t label = p->r.labels[base + batch_row(batch, i)];
        rows[i] = row_bounds(p->dt, o + i * k, k, label, 0, 0, delta + i * k, err + i * k, mag + i * k);
        rows64[i] = row_bounds(CLN_FLOAT64, o + i * k, k, label, 0, 0, delta + i * k, err64 + i * k,
                               mag64 + i * k);
        size_t best = 0;
        for (size_t c = 1; c < k; c++)
            if (o[i * k + c] > o[i * k + best])
                best = c;
        hits += best == label;
    }
    double *got = tu_download(ctx, res_all), loss = 0;
    for (size_t i = 0; i < B; i++)
        loss += rows[i].loss;
    loss /= B;
    double bound = mean_loss_bound(p->dt, rows, B, 0) + mean_loss_bound(CLN_FLOAT64, rows64, B, 0);
    if (!(fabs(got[2] - loss) <= bound))
        TU_FAIL("loss %.17g, host %.17g (bound %.3g)", got[2], loss, bound);
    double acc = (double)hits / B;
    if (!(fabs(got[3] - acc) <= div_err(p->dt) * acc))
        TU_FAIL("accuracy %.17g, host %zu of %zu", got[3], hits, B);
    assert_guards(got, 0, 2);
    assert_guards(got, 4, 6);
    free(got);

    /* the gradient: grad_W[j, c] = sum_i x_ij delta_ic / B, grad_b[c] = sum_i delta_ic / B */
    double *gW = tu_download(ctx, cln_softmax_grad_W(p->m)), *gb = tu_download(ctx, cln_softmax_grad_b(p->m));
    for (size_t j = 0; j <= d; j++) {
        for (size_t i = 0; i < B; i++)
            xs[i] = j < d ? p->r.X[(base + batch_row(batch, i)) * d + j] : 1.0;
        for (size_t c = 0; c < k; c++) {
            double want = 0;
            for (size_t i = 0; i < B; i++)
                want += xs[i] * delta[i * k + c];
            want /= B;
            double gb_ = grad_bound(p->dt, xs, 1, err + c, mag + c, k, B) +
                         grad_bound(CLN_FLOAT64, xs, 1, err64 + c, mag64 + c, k, B);
            double g = j < d ? gW[j * k + c] : gb[c];
            if (!(fabs(g - want) <= gb_))
                TU_FAIL("gradient [%zu, %zu] (d %zu, k %zu, B %zu): %.17g, host %.17g (bound %.3g)",
                        j, c, d, k, B, g, want, gb_);
        }
    }

    /* the step, from the device's own gradient */
    cln_step step = {0.1, 0.03};
    double lr = round_to(p->dt, step.lr), wd = round_to(p->dt, step.weight_decay);
    TU_OK(ctx, cln_softmax_step(p->m, &step));
    double *W1 = malloc(P * sizeof *W1), *b1 = malloc(k * sizeof *b1);
    TU_OK(ctx, cln_softmax_get(p->m, W1, b1));
    for (size_t q = 0; q < P + k; q++) {
        int is_W = q < P;
        double w = is_W ? p->W[q] : p->b[q - P], g = is_W ? gW[q] : gb[q - P];
        double want = is_W ? w - lr * (g + wd * w) : w - lr * g;
        double sb = step_bound(p->dt, fabs(w), fabs(g), 0, lr, wd, is_W) +
                    step_bound(CLN_FLOAT64, fabs(w), fabs(g), 0, lr, wd, is_W);
        double now = is_W ? W1[q] : b1[q - P];
        if (!(fabs(now - want) <= sb))
            TU_FAIL("step of parameter %zu: %.17g, host %.17g (bound %.3g)", q, now, want, sb);
    }
    TU_OK(ctx, cln_softmax_set(p->m, p->W, p->b)); /* back for the next check */

    free(o); free(rows); free(rows64); free(delta); free(err); free(mag); free(err64);
    free(mag64); free(xs); free(gW); free(gb); free(W1); free(b1);
    cln_tensor_free(lo); cln_tensor_free(lo_all); cln_tensor_free(res); cln_tensor_free(res_all);
}

static void check_shape(cln_context *ctx, cln_dtype dt, size_t d, size_t k, size_t B)
{
    problem p;
    size_t n = 2 * B + 3;
    problem_make(&p, ctx, dt, n, d, k, 1000 * d + 10 * k + B);
    /* B rows of the shuffled order, then a ragged batch in its middle */
    cln_batch head = {p.tX, p.ty, p.loader, 0, B};
    check_forward(&p, &head, 0);
    check_loss_backward_step(&p, &head, 0, 5);
    cln_batch mid = {p.tX, p.ty, p.loader, n / 3, n - n / 3 - 1};
    check_forward(&p, &mid, 0);
    check_loss_backward_step(&p, &mid, 0, 6);
    /* in order through row views (a validation split at an offset) */
    cln_tensor *vX, *vy;
    TU_OK(ctx, cln_tensor_view_rows(p.tX, 1, n - 1, &vX));
    TU_OK(ctx, cln_tensor_view_rows(p.ty, 1, n - 1, &vy));
    cln_batch val = {vX, vy, NULL, (n - 1) / 2, n - 1 - (n - 1) / 2};
    check_forward(&p, &val, 1);
    check_loss_backward_step(&p, &val, 1, 7);
    cln_tensor_free(vX);
    cln_tensor_free(vy);
    problem_free(&p);
}

static void check_kernels(cln_context *ctx, cln_dtype dt)
{
    const size_t shapes[][3] = {{13, 7, 37}, {1, 2, 5}, {100, 10, 257}, {3, 5, 1}, {2, 300, 9}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        check_shape(ctx, dt, shapes[s][0], shapes[s][1], shapes[s][2]);
}

static void kernels_match_host_f32(void **state) { check_kernels(*state, CLN_FLOAT32); }

static void kernels_match_host_f64(void **state)
{
    if (!cln_context_device(*state)->has_float64)
        skip();
    check_kernels(*state, CLN_FLOAT64);
}

/* ---- initialisation and accessors --------------------------------------------------------- */

static void check_init(cln_context *ctx, cln_dtype dt)
{
    const size_t d = 13, k = 7;
    const double sigma = 0.01;
    cln_softmax *m;
    TU_OK(ctx, cln_softmax_create(ctx, dt, d, k, sigma, 42, &m));
    assert_int_equal(cln_softmax_num_inputs(m), d);
    assert_int_equal(cln_softmax_num_classes(m), k);
    assert_int_equal(cln_softmax_dtype(m), dt);
    assert_ptr_equal(cln_softmax_context(m), ctx);
    cln_model *model = cln_softmax_model(m);
    assert_non_null(model);
    assert_string_equal(cln_model_kind(model), "softmax");
    assert_string_equal(cln_model_metric_name(model), "accuracy");
    assert_int_equal(cln_model_num_params(model), (d + 1) * k);
    assert_int_equal(cln_model_num_inputs(model), d);
    assert_int_equal(cln_model_dtype(model), dt);
    assert_ptr_equal(cln_model_context(model), ctx);
    assert_int_equal(cln_tensor_dim(cln_softmax_W(m), 0), d);
    assert_int_equal(cln_tensor_dim(cln_softmax_W(m), 1), k);
    assert_int_equal(cln_tensor_numel(cln_softmax_b(m)), k);
    assert_int_equal(cln_tensor_numel(cln_softmax_grad_W(m)), d * k);
    assert_int_equal(cln_tensor_numel(cln_softmax_grad_b(m)), k);

    /* W is cln_tensor_randn's stream 3 of the seed, value for value, and b is 0 */
    double W[13 * 7], b[7], want[13 * 7];
    TU_OK(ctx, cln_softmax_get(m, W, b));
    cln_tensor *t;
    TU_OK(ctx, cln_tensor_create_2d(ctx, dt, d, k, &t));
    TU_OK(ctx, cln_tensor_randn(t, 0.0, sigma, 42, 3));
    TU_OK(ctx, cln_tensor_download_f64(t, want, d * k));
    assert_memory_equal(W, want, sizeof W);
    for (size_t c = 0; c < k; c++)
        assert_true(b[c] == 0);
    for (size_t i = 0; i < d * k; i++) /* and the host's Philox normals (test_random.c's check) */
        assert_true(fabs(W[i] - sigma * cln_philox_normal(42, 3, i)) <= sigma * 2e-6);

    /* set and get round-trip values exact in dt */
    double W2[13 * 7], b2[7], W3[13 * 7], b3[7];
    for (size_t i = 0; i < d * k; i++)
        W2[i] = round_to(dt, 0.1 * (double)i - 3);
    for (size_t c = 0; c < k; c++)
        b2[c] = round_to(dt, 1.0 / (c + 3));
    TU_OK(ctx, cln_softmax_set(m, W2, b2));
    TU_OK(ctx, cln_softmax_get(m, W3, b3));
    assert_memory_equal(W2, W3, sizeof W2);
    assert_memory_equal(b2, b3, sizeof b2);
    cln_tensor_free(t);
    cln_softmax_free(m);
}

static void init_and_accessors(void **state)
{
    check_init(*state, CLN_FLOAT32);
    if (cln_context_device(*state)->has_float64)
        check_init(*state, CLN_FLOAT64);
    /* NULL everywhere */
    cln_softmax_free(NULL);
    assert_null(cln_softmax_model(NULL));
    assert_int_equal(cln_softmax_num_inputs(NULL), 0);
    assert_int_equal(cln_softmax_num_classes(NULL), 0);
    assert_null(cln_softmax_context(NULL));
    assert_null(cln_softmax_W(NULL));
    assert_null(cln_softmax_b(NULL));
    assert_null(cln_softmax_grad_W(NULL));
    assert_null(cln_softmax_grad_b(NULL));
}

/* ---- the gradient against finite differences ----------------------------------------------- */

/* The mean loss over rows of (X, labels) at (W, b), in double on the host; its rounding bound
 * in *err. */
static double host_loss(const host_rows *r, size_t n, const double *W, const double *b,
                        double *err)
{
    size_t k = r->k;
    double *o = malloc(k * sizeof *o), *mag = malloc(k * sizeof *mag);
    row_bound *rows = malloc(n * sizeof *rows);
    double loss = 0;
    for (size_t i = 0; i < n; i++) {
        host_logits(r->X + i * r->d, r->d, k, W, b, o, mag);
        double eps = 0;
        for (size_t c = 0; c < k; c++)
            eps = fmax(eps, tu_sum_bound(CLN_FLOAT64, r->d + 1, mag[c], r->d));
        rows[i] = row_bounds(CLN_FLOAT64, o, k, r->labels[i], eps, 0, NULL, NULL, NULL);
        loss += rows[i].loss;
    }
    if (err)
        *err = mean_loss_bound(CLN_FLOAT64, rows, n, 0);
    free(o); free(mag); free(rows);
    return loss / n;
}

/* The device's mean loss at (W, b). */
static double device_loss(cln_context *ctx, cln_softmax *m, const cln_batch *all,
                          cln_tensor *logits, cln_tensor *loss, const double *W, const double *b)
{
    double v;
    TU_OK(ctx, cln_softmax_set(m, W, b));
    TU_OK(ctx, cln_softmax_forward(m, all, logits));
    TU_OK(ctx, cln_softmax_loss(m, all, logits, loss, 0));
    TU_OK(ctx, cln_tensor_download_f64(loss, &v, 1));
    return v;
}

/* Central differences (f(t + h1) - f(t - h2)) / (h1 + h2) differ from f'(t) by at most
 * M2 |h1 - h2| / 2 + M3 (h1^3 + h2^3) / (6 (h1 + h2)), with M2 = mean x^2 / 4 and M3 = mean
 * |x|^3 / (6 sqrt 3) bounding the loss's second and third derivatives along the parameter
 * (the variance p (1 - p) and third cumulant p (1 - p)(1 - 2p) of a class's indicator). */
static double fd_truncation(const double *x, size_t stride, size_t n, double h1, double h2)
{
    double m2 = 0, m3 = 0;
    for (size_t i = 0; i < n; i++) {
        double a = x ? fabs(x[i * stride]) : 1.0;
        m2 += a * a;
        m3 += a * a * a;
    }
    m2 /= 4 * n;
    m3 /= 6 * sqrt(3.0) * n;
    return m2 * fabs(h1 - h2) / 2 + m3 * (h1 * h1 * h1 + h2 * h2 * h2) / (6 * (h1 + h2));
}

/* The device's gradient (dt) against central differences of the loss in float64: the
 * device's own where it has float64 (fd_on_device), else the host's. */
static void check_finite_differences(cln_context *ctx, cln_dtype dt, int fd_on_device)
{
    const size_t n = 57, d = 3, k = 4;
    host_rows r = rows_make(dt, n, d, k, 1.0, 77);
    cln_dtype fd_dt = fd_on_device ? CLN_FLOAT64 : dt;
    size_t shape[2] = {n, d};
    cln_tensor *tX = tu_tensor_from(ctx, dt, 2, shape, r.X), *ty = tu_tensor_from(ctx, dt, 1, &n, r.y);
    cln_tensor *logits, *loss;
    TU_OK(ctx, cln_tensor_create_1d(ctx, dt, n * k, &logits));
    TU_OK(ctx, cln_tensor_create_1d(ctx, dt, 1, &loss));
    cln_softmax *m;
    TU_OK(ctx, cln_softmax_create(ctx, dt, d, k, 0.7, 3, &m));
    double W[12], b[4];
    TU_OK(ctx, cln_softmax_get(m, W, b));
    for (size_t c = 0; c < k; c++)
        b[c] = round_to(dt, 0.25 * (double)c - 0.3);
    cln_batch all = {tX, ty, NULL, 0, n};
    (void)device_loss(ctx, m, &all, logits, loss, W, b);
    TU_OK(ctx, cln_softmax_backward(m, &all, logits));
    double g[16];
    TU_OK(ctx, cln_tensor_download_f64(cln_softmax_grad_W(m), g, d * k));
    TU_OK(ctx, cln_tensor_download_f64(cln_softmax_grad_b(m), g + d * k, k));

    /* the device's gradient's own bound, at (W, b) */
    double *o = malloc(n * k * sizeof *o), *mag = malloc(k * sizeof *mag);
    double *err = malloc(n * k * sizeof *err), *dmag = malloc(n * k * sizeof *dmag);
    double *delta = malloc(n * k * sizeof *delta), *xs = malloc(n * sizeof *xs);
    for (size_t i = 0; i < n; i++) {
        host_logits(r.X + i * d, d, k, W, b, o + i * k, mag);
        double eps = 0;
        for (size_t c = 0; c < k; c++)
            eps = fmax(eps, tu_sum_bound(dt, d + 1, mag[c], d));
        row_bounds(dt, o + i * k, k, r.labels[i], eps, 0, delta + i * k, err + i * k, dmag + i * k);
    }

    /* a model in float64 for the device's finite differences */
    cln_softmax *m64 = NULL;
    cln_tensor *tX64 = NULL, *ty64 = NULL, *lo64 = NULL, *loss64 = NULL;
    if (fd_on_device) {
        TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT64, d, k, 0.1, 3, &m64));
        tX64 = tu_tensor_from(ctx, CLN_FLOAT64, 2, shape, r.X);
        ty64 = tu_tensor_from(ctx, CLN_FLOAT64, 1, &n, r.y);
        TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT64, n * k, &lo64));
        TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT64, 1, &loss64));
    }
    cln_batch all64 = {tX64, ty64, NULL, 0, n};
    const double h = ldexp(1.0, -12);
    for (size_t q = 0; q < (d + 1) * k; q++) {
        double Wp[12], bp[4], lv[2], lerr[2], steps[2];
        for (int side = 0; side < 2; side++) {
            memcpy(Wp, W, sizeof W);
            memcpy(bp, b, sizeof b);
            double *theta = q < d * k ? &Wp[q] : &bp[q - d * k];
            double before = *theta;
            *theta = round_to(fd_dt, before + (side ? -h : h)); /* the step the model takes */
            steps[side] = fabs(*theta - before);
            lv[side] = fd_on_device ? device_loss(ctx, m64, &all64, lo64, loss64, Wp, bp)
                                    : host_loss(&r, n, Wp, bp, NULL);
            /* the loss's rounding: as host_loss bounds it (the device's in float64 the same) */
            host_loss(&r, n, Wp, bp, &lerr[side]);
        }
        double fd = (lv[0] - lv[1]) / (steps[0] + steps[1]);
        size_t j = q / k, c = q % k;
        for (size_t i = 0; i < n; i++)
            xs[i] = j < d ? r.X[i * d + j] : 1.0;
        double tol = fd_truncation(xs, 1, n, steps[0], steps[1]) +
                     (lerr[0] + lerr[1]) / (steps[0] + steps[1]) +
                     grad_bound(dt, xs, 1, err + c, dmag + c, k, n) +
                     fabs(fd) * 4 * u_of(CLN_FLOAT64); /* the difference and its division */
        if (!(fabs(fd - g[q]) <= tol))
            TU_FAIL("parameter %zu: finite difference %.17g, gradient %.17g (bound %.3g)", q, fd,
                    g[q], tol);
    }
    free(o); free(mag); free(err); free(dmag); free(delta); free(xs);
    rows_free(&r);
    cln_tensor_free(tX); cln_tensor_free(ty); cln_tensor_free(logits); cln_tensor_free(loss);
    cln_tensor_free(tX64); cln_tensor_free(ty64); cln_tensor_free(lo64); cln_tensor_free(loss64);
    cln_softmax_free(m);
    cln_softmax_free(m64);
}

static void gradient_matches_finite_differences(void **state)
{
    int fp64 = cln_context_device(*state)->has_float64;
    check_finite_differences(*state, CLN_FLOAT32, fp64);
    if (fp64)
        check_finite_differences(*state, CLN_FLOAT64, 1);
    else
        print_message("no float64 on the device: finite differences of the host's float64 loss\n");
}

/* ---- large logits and ties ------------------------------------------------------------------ */

/* Logits near +-1e4 (whose exp overflows) give finite losses and deltas, as the host's. */
static void check_large_logits(cln_context *ctx, cln_dtype dt)
{
    const size_t n = 4, d = 1, k = 3;
    problem p;
    problem_make(&p, ctx, dt, n, d, k, 9);
    double o[12] = {1e4, 1e4 - 1, 1e4 + 2,     -1e4, 1e4, 0,
                    -1e4, -1e4 + 0.5, -1e4 - 3, 2e4, -2e4, 2e4};
    cln_batch all = {p.tX, p.ty, NULL, 0, n};
    cln_tensor *lo_all, *lo = upload_logits(&p, o, n * k, &lo_all), *res;
    TU_OK(ctx, cln_tensor_create_1d(ctx, dt, 1, &res));
    TU_OK(ctx, cln_softmax_loss(p.m, &all, lo, res, 0));
    TU_OK(ctx, cln_softmax_backward(p.m, &all, lo));
    double got, delta[12], err[12], mag[12], err64[12], mag64[12], loss = 0;
    TU_OK(ctx, cln_tensor_download_f64(res, &got, 1));
    row_bound rows[4], rows64[4];
    for (size_t i = 0; i < n; i++) {
        rows[i] = row_bounds(dt, o + i * k, k, p.r.labels[i], 0, 0, delta + i * k, err + i * k, mag + i * k);
        rows64[i] = row_bounds(CLN_FLOAT64, o + i * k, k, p.r.labels[i], 0, 0, delta + i * k,
                               err64 + i * k, mag64 + i * k);
        loss += rows[i].loss / n;
    }
    assert_true(isfinite(got));
    double bound = mean_loss_bound(dt, rows, n, 0) + mean_loss_bound(CLN_FLOAT64, rows64, n, 0);
    if (!(fabs(got - loss) <= bound))
        TU_FAIL("loss at logits of 1e4: %.17g, host %.17g (bound %.3g)", got, loss, bound);
    double gb[3], x[4];
    TU_OK(ctx, cln_tensor_download_f64(cln_softmax_grad_b(p.m), gb, k));
    for (size_t i = 0; i < n; i++)
        x[i] = 1.0;
    for (size_t c = 0; c < k; c++) {
        double want = 0;
        for (size_t i = 0; i < n; i++)
            want += delta[i * k + c] / n;
        double b_ = grad_bound(dt, x, 1, err + c, mag + c, k, n) +
                    grad_bound(CLN_FLOAT64, x, 1, err64 + c, mag64 + c, k, n);
        assert_true(isfinite(gb[c]));
        if (!(fabs(gb[c] - want) <= b_))
            TU_FAIL("grad_b[%zu] at logits of 1e4: %.17g, host %.17g", c, gb[c], want);
    }
    /* and logits that large from the forward pass itself */
    double W[3] = {5e3, -5e3, 2.5e3}, b[3] = {0, 1, 2};
    cln_tensor *big;
    double X2[4] = {2, -2, 4, 1};
    size_t shape[2] = {n, d};
    cln_tensor *tX2 = tu_tensor_from(ctx, dt, 2, shape, X2);
    cln_batch all2 = {tX2, p.ty, NULL, 0, n};
    TU_OK(ctx, cln_tensor_create_1d(ctx, dt, n * k, &big));
    TU_OK(ctx, cln_softmax_set(p.m, W, b));
    TU_OK(ctx, cln_softmax_forward(p.m, &all2, big));
    TU_OK(ctx, cln_softmax_loss(p.m, &all2, big, res, 0));
    TU_OK(ctx, cln_tensor_download_f64(res, &got, 1));
    assert_true(isfinite(got) && got > 1e3);
    cln_tensor_free(tX2); cln_tensor_free(big);
    cln_tensor_free(lo); cln_tensor_free(lo_all); cln_tensor_free(res);
    problem_free(&p);
}

static void stable_loss_at_large_logits(void **state)
{
    check_large_logits(*state, CLN_FLOAT32);
    if (cln_context_device(*state)->has_float64)
        check_large_logits(*state, CLN_FLOAT64);
}

/* The first largest logit is the prediction; a label outside [0, k) never matches. */
static void accuracy_ties(void **state)
{
    cln_context *ctx = *state;
    const size_t n = 6, k = 4;
    double X[6] = {0}, y[6] = {0, 1, 2, 3, 1, 4}; /* row 5's label is not a class */
    double o[24] = {1, 1, 1, 1,    /* all tied: class 0 */
                    1, 1, 1, 1,    /* all tied, label 1: a miss */
                    0, 3, 3, 1,    /* tie of 1 and 2: class 1, label 2 a miss */
                    -2, -1, 0, 0,  /* tie of 2 and 3: class 2, label 3 a miss */
                    5, 7, 7, 7,    /* class 1: a hit */
                    0, 0, 0, 9};   /* no class: a miss, and a NaN loss */
    size_t shape[2] = {n, 1};
    cln_tensor *tX = tu_tensor_from(ctx, CLN_FLOAT32, 2, shape, X);
    cln_tensor *ty = tu_tensor_from(ctx, CLN_FLOAT32, 1, &n, y);
    size_t nk = n * k;
    cln_tensor *lo = tu_tensor_from(ctx, CLN_FLOAT32, 1, &nk, o), *res;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 2, &res));
    cln_softmax *m;
    TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT32, 1, k, 0.01, 1, &m));
    cln_batch all = {tX, ty, NULL, 0, n}, first5 = {tX, ty, NULL, 0, 5};
    TU_OK(ctx, cln_softmax_accuracy(m, &all, lo, res, 0));
    TU_OK(ctx, cln_softmax_loss(m, &all, lo, res, 1));
    double got[2];
    TU_OK(ctx, cln_tensor_download_f64(res, got, 2));
    assert_true(got[0] == (double)(2.0f / 6.0f));
    assert_true(isnan(got[1]));
    TU_OK(ctx, cln_softmax_accuracy(m, &first5, lo, res, 0));
    TU_OK(ctx, cln_softmax_loss(m, &first5, lo, res, 1));
    TU_OK(ctx, cln_tensor_download_f64(res, got, 2));
    assert_true(got[0] == (double)(2.0f / 5.0f));
    assert_true(isfinite(got[1]));
    cln_tensor_free(tX); cln_tensor_free(ty); cln_tensor_free(lo); cln_tensor_free(res);
    cln_softmax_free(m);
}

/* ---- bad arguments ------------------------------------------------------------------------ */

static void bad_create_and_set(cln_context *ctx)
{
    cln_softmax *m = (cln_softmax *)&m;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "ctx is NULL", cln_softmax_create(NULL, CLN_FLOAT32, 2, 3, 0.01, 0, &m));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "out is NULL", cln_softmax_create(ctx, CLN_FLOAT32, 2, 3, 0.01, 0, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_inputs 0", cln_softmax_create(ctx, CLN_FLOAT32, 0, 3, 0.01, 0, &m));
    assert_null(m);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_classes 1", cln_softmax_create(ctx, CLN_FLOAT32, 2, 1, 0.01, 0, &m));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_classes 16777217",
             cln_softmax_create(ctx, CLN_FLOAT32, 2, ((size_t)1 << 24) + 1, 0.01, 0, &m));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "sigma", cln_softmax_create(ctx, CLN_FLOAT32, 2, 3, NAN, 0, &m));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "sigma", cln_softmax_create(ctx, CLN_FLOAT32, 2, 3, -1, 0, &m));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "unknown dtype", cln_softmax_create(ctx, (cln_dtype)7, 2, 3, 0.01, 0, &m));
    if (!cln_context_device(ctx)->has_float64)
        TU_FAILS(ctx, CLN_ERR_NO_FLOAT64, "float64", cln_softmax_create(ctx, CLN_FLOAT64, 2, 3, 0.01, 0, &m));

    TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT32, 2, 3, 0.01, 0, &m));
    double W[6] = {0}, b[3] = {0};
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "m is NULL", cln_softmax_get(NULL, W, b));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "W is NULL", cln_softmax_get(m, NULL, b));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "b is NULL", cln_softmax_get(m, W, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "m is NULL", cln_softmax_set(NULL, W, b));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "W is NULL", cln_softmax_set(m, NULL, b));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "b is NULL", cln_softmax_set(m, W, NULL));
    W[4] = INFINITY;
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "W[4]", cln_softmax_set(m, W, b));
    W[4] = 0;
    b[2] = NAN;
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "b[2]", cln_softmax_set(m, W, b));
    cln_step bad = {0.0, 0.0};
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "learning rate", cln_softmax_step(m, &bad));
    bad.lr = NAN;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "learning rate", cln_softmax_step(m, &bad));
    bad.lr = 0.1;
    bad.weight_decay = -1;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "weight decay", cln_softmax_step(m, &bad));
    bad.weight_decay = INFINITY;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "weight decay", cln_softmax_step(m, &bad));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "step is NULL", cln_softmax_step(m, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "m is NULL", cln_softmax_step(NULL, &bad));
    cln_softmax_free(m);
}

static void bad_batches(cln_context *ctx)
{
    problem p;
    problem_make(&p, ctx, CLN_FLOAT32, 10, 3, 4, 1);
    cln_tensor *lo, *small, *X2, *res, *y4;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 40, &lo));
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 39, &small));
    TU_OK(ctx, cln_tensor_create_2d(ctx, CLN_FLOAT32, 10, 4, &X2));
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 3, &res));
    TU_OK(ctx, cln_tensor_view_rows(p.ty, 0, 4, &y4));
    cln_batch ok = {p.tX, p.ty, NULL, 0, 10}, b = ok;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "m is NULL", cln_softmax_forward(NULL, &ok, lo));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "batch is NULL", cln_softmax_forward(p.m, NULL, lo));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "logits is NULL", cln_softmax_forward(p.m, &ok, NULL));
    b.X = NULL;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "batch->X is NULL", cln_softmax_forward(p.m, &b, lo));
    b = ok;
    b.y = NULL;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "batch->y is NULL", cln_softmax_loss(p.m, &b, lo, res, 0));
    b = ok;
    b.first = 5;
    b.count = 6;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "[5, 11)", cln_softmax_forward(p.m, &b, lo));
    b.first = 0;
    b.count = 0;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "not inside", cln_softmax_backward(p.m, &b, lo));
    b = ok;
    b.X = X2;
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "4 columns", cln_softmax_forward(p.m, &b, lo));
    b = ok;
    b.y = y4;
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "4 labels for 10 rows", cln_softmax_accuracy(p.m, &b, lo, res, 0));
    b = ok;
    b.loader = p.loader; /* orders 10 rows: fine */
    TU_OK(ctx, cln_softmax_forward(p.m, &b, lo));
    cln_loader *l3;
    TU_OK(ctx, cln_loader_create(ctx, 3, 3, 1, 0, &l3));
    b.loader = l3;
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "orders 3 rows", cln_softmax_forward(p.m, &b, lo));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "logits has 39 elements, needs 40",
             cln_softmax_forward(p.m, &ok, small));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "logits has 39", cln_softmax_loss(p.m, &ok, small, res, 0));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "losses has 3 elements, needs 4",
             cln_softmax_loss(p.m, &ok, lo, res, 3));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "out has 3 elements, needs 5",
             cln_softmax_accuracy(p.m, &ok, lo, res, 4));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "losses is NULL", cln_softmax_loss(p.m, &ok, lo, NULL, 0));
    if (cln_context_device(ctx)->has_float64) {
        cln_tensor *lo64;
        TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT64, 40, &lo64));
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "two dtypes", cln_softmax_forward(p.m, &ok, lo64));
        cln_tensor_free(lo64);
    }
    cln_context *other;
    TU_OK(ctx, cln_context_create(NULL, &other));
    cln_tensor *lo_other;
    TU_OK(other, cln_tensor_create_1d(other, CLN_FLOAT32, 40, &lo_other));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "two contexts", cln_softmax_forward(p.m, &ok, lo_other));
    cln_context_free(other);
    cln_loader_free(l3);
    cln_tensor_free(lo); cln_tensor_free(small); cln_tensor_free(X2); cln_tensor_free(res);
    cln_tensor_free(y4);
    problem_free(&p);
}

/* A dataset of n rows of d features: labelled with k classes, or real targets (k 0). */
static cln_dataset *dataset_of(cln_context *ctx, const host_rows *r, size_t num_train, size_t k,
                               cln_placement where)
{
    cln_dataset *ds;
    if (k == 0)
        TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, r->X, r->y, r->n, r->d, num_train, &ds));
    else
        TU_OK(ctx, cln_dataset_create_labeled(ctx, CLN_FLOAT32, r->X, r->labels, r->n, r->d, k,
                                              num_train, where, &ds));
    return ds;
}

static void bad_fits(cln_context *ctx)
{
    host_rows r = rows_make(CLN_FLOAT32, 40, 3, 4, 1.0, 2);
    cln_softmax *m;
    TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT32, 3, 4, 0.01, 0, &m));
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.max_epochs = 1;
    cln_dataset *real = dataset_of(ctx, &r, 30, 0, CLN_PLACE_DEVICE);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "class labels", cln_fit(cln_softmax_model(m), real, &cfg, NULL));
    cln_dataset *five = dataset_of(ctx, &r, 30, 5, CLN_PLACE_DEVICE);
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "5 classes", cln_fit(cln_softmax_model(m), five, &cfg, NULL));
    cln_dataset *four = dataset_of(ctx, &r, 30, 4, CLN_PLACE_DEVICE);
    cfg.path = CLN_PATH_PERSISTENT;
    TU_FAILS(ctx, CLN_ERR_UNSUPPORTED, "no persistent kernel", cln_fit(cln_softmax_model(m), four, &cfg, NULL));
    cln_dataset *host = dataset_of(ctx, &r, 30, 4, CLN_PLACE_HOST);
    cfg.path = CLN_PATH_EPOCH;
    TU_FAILS(ctx, CLN_ERR_UNSUPPORTED, "on the device", cln_fit(cln_softmax_model(m), host, &cfg, NULL));
    cln_dataset_free(real);
    cln_dataset_free(five);
    cln_dataset_free(four);
    cln_dataset_free(host);
    cln_softmax_free(m);
    rows_free(&r);
}

static void bad_arguments(void **state)
{
    bad_create_and_set(*state);
    bad_batches(*state);
    bad_fits(*state);
}

/* ---- cln_fit against a host replica -------------------------------------------------------- */

typedef struct fit_case {
    size_t d, k, n_train, n_val, batch, epochs;
    double lr, weight_decay;
} fit_case;

/* What the replica expects of each epoch, and how far the device may be from it. */
typedef struct epoch_ref {
    double train_loss, train_err;   /* mean of the training batch losses */
    double val_loss, val_err;
    double val_acc, val_acc_err;    /* rows-weighted accuracy */
    double param_err;               /* the parameters as it ends: 2-norm of the error */
} epoch_ref;

/* The rows of one minibatch: positions [first, first + count) of `order` (NULL: in order). */
typedef struct batch_rows {
    const host_rows *r;
    const uint32_t *order;
    size_t first, count;
} batch_rows;

static size_t row_at(const batch_rows *br, size_t i)
{
    return br->order ? br->order[br->first + i] : br->first + i;
}

/* One minibatch on the host at (W, b), whose distance from the device's parameters is at
 * most E: its exact loss and the bound on the device's loss against it. With grad (not
 * NULL) the gradient, and in *step_err the 2-norm of the device's step's rounding (from its
 * own parameters) plus the replica's own. *uncertain counts rows whose prediction the
 * rounding or E could change (validation). */
static double host_batch(cln_dtype dt, const batch_rows *br, const double *W, const double *b,
                         double E, double *loss_err, double *grad, double lr, double wd,
                         double *step_err, size_t *uncertain, size_t *hits)
{
    const host_rows *r = br->r;
    size_t d = r->d, k = r->k, n = br->count;
    double *o = malloc(k * sizeof *o), *mag = malloc(k * sizeof *mag);
    double *delta = malloc(n * k * sizeof *delta), *err = malloc(n * k * sizeof *err);
    double *dmag = malloc(n * k * sizeof *dmag), *err64 = malloc(n * k * sizeof *err64);
    double *dmag64 = malloc(n * k * sizeof *dmag64), *xs = malloc(n * sizeof *xs);
    row_bound *rows = malloc(n * sizeof *rows), *rows64 = malloc(n * sizeof *rows64);
    double loss = 0, shift_max = 0;
    for (size_t i = 0; i < n; i++) {
        const double *x = r->X + row_at(br, i) * d;
        uint32_t label = r->labels[row_at(br, i)];
        double nx = 1;
        for (size_t j = 0; j < d; j++)
            nx += x[j] * x[j];
        double shift = sqrt(nx) * E; /* |logits at the device's parameters - these| */
        host_logits(x, d, k, W, b, o, mag);
        double eps = 0, eps64 = 0;
        for (size_t c = 0; c < k; c++) {
            eps = fmax(eps, tu_sum_bound(dt, d + 1, mag[c] + shift, d));
            eps64 = fmax(eps64, tu_sum_bound(CLN_FLOAT64, d + 1, mag[c], d));
        }
        rows[i] = row_bounds(dt, o, k, label, eps, shift, delta + i * k, err + i * k, dmag + i * k);
        rows64[i] = row_bounds(CLN_FLOAT64, o, k, label, eps64, 0, delta + i * k, err64 + i * k,
                               dmag64 + i * k);
        rows[i].loss_err += 2 * shift; /* the loss moves at most 2 shift with the logits */
        shift_max = fmax(shift_max, shift);
        loss += rows[i].loss;
        size_t best = 0;
        double gap = INFINITY;
        for (size_t c = 1; c < k; c++)
            if (o[c] > o[best])
                best = c;
        for (size_t c = 0; c < k; c++)
            if (c != best)
                gap = fmin(gap, o[best] - o[c]);
        if (uncertain && !(gap > 2 * (eps + shift + eps64)))
            ++*uncertain;
        if (hits)
            *hits += best == label;
    }
    *loss_err = mean_loss_bound(dt, rows, n, 0) + mean_loss_bound(CLN_FLOAT64, rows64, n, 0);
    if (grad) {
        double sq = 0, sq64 = 0;
        for (size_t j = 0; j <= d; j++) {
            for (size_t i = 0; i < n; i++)
                xs[i] = j < d ? r->X[row_at(br, i) * d + j] : 1.0;
            for (size_t c = 0; c < k; c++) {
                double g = 0, gmag = 0;
                for (size_t i = 0; i < n; i++) {
                    g += xs[i] * delta[i * k + c];
                    gmag += fabs(xs[i]) * dmag[i * k + c];
                }
                size_t q = j * k + c;
                grad[q] = g / n;
                gmag /= n;
                int is_W = j < d;
                double w = fabs(is_W ? W[q] : b[c]);
                double ge = grad_bound(dt, xs, 1, err + c, dmag + c, k, n);
                double ge64 = grad_bound(CLN_FLOAT64, xs, 1, err64 + c, dmag64 + c, k, n);
                double e = step_bound(dt, w + E, gmag * (1 + div_err(dt)) + ge, ge, lr, wd, is_W);
                double e64 = step_bound(CLN_FLOAT64, w, fabs(grad[q]) + ge64, ge64, lr, wd, is_W);
                sq += e * e;
                sq64 += e64 * e64;
            }
        }
        *step_err = sqrt(sq) + sqrt(sq64);
    }
    free(o); free(mag); free(delta); free(err); free(dmag); free(err64); free(dmag64);
    free(xs); free(rows); free(rows64);
    return loss / n;
}

/* The fit on the host in double, from (W, b) (updated), with cfg's order and batches; for
 * each epoch what the device should report. The bound on the parameters' distance grows by
 * each step's rounding: the step map theta -> theta - lr (grad L + wd theta) of the convex
 * loss (Hessian <= lambda = max |(x, 1)|^2 / 2, the class covariance being <= 1/2) has
 * Lipschitz constant max(1, lr (lambda + wd) - 1), so earlier errors do not grow when that
 * is 1. */
static void host_fit(cln_dtype dt, const host_rows *train, const host_rows *val,
                     const fit_case *fc, uint64_t seed, double *W, double *b, epoch_ref *out)
{
    size_t d = fc->d, k = fc->k, P = (d + 1) * k;
    double lr = round_to(dt, fc->lr), wd = round_to(dt, fc->weight_decay);
    double lambda = 0;
    for (size_t i = 0; i < train->n; i++) {
        double nx = 1;
        for (size_t j = 0; j < d; j++)
            nx += train->X[i * d + j] * train->X[i * d + j];
        lambda = fmax(lambda, nx / 2);
    }
    double lip = fmax(1.0, lr * (lambda + wd) - 1), E = 0;
    uint32_t *order = malloc(train->n * sizeof *order);
    double *grad = malloc(P * sizeof *grad);
    size_t nbt = (train->n + fc->batch - 1) / fc->batch, nbv = (val->n + fc->batch - 1) / fc->batch;
    for (size_t epoch = 0; epoch < fc->epochs; epoch++) {
        epoch_ref *er = &out[epoch];
        memset(er, 0, sizeof *er);
        TU_OK(NULL, cln_shuffle_order(seed, epoch, order, train->n));
        for (size_t s = 0; s < nbt; s++) {
            size_t first = s * fc->batch, count = train->n - first < fc->batch ? train->n - first : fc->batch;
            batch_rows br = {train, order, first, count};
            double le, step_err;
            double loss = host_batch(dt, &br, W, b, E, &le, grad, lr, wd, &step_err, NULL, NULL);
            er->train_loss += loss / nbt;
            er->train_err += le / nbt;
            for (size_t q = 0; q < P; q++) {
                if (q < d * k)
                    W[q] -= lr * (grad[q] + wd * W[q]);
                else
                    b[q - d * k] -= lr * grad[q];
            }
            E = lip * E + step_err;
        }
        size_t uncertain = 0, hits = 0;
        for (size_t v = 0; v < nbv; v++) {
            size_t first = v * fc->batch, count = val->n - first < fc->batch ? val->n - first : fc->batch;
            batch_rows br = {val, NULL, first, count};
            double le;
            er->val_loss += host_batch(dt, &br, W, b, E, &le, NULL, lr, wd, NULL, &uncertain, &hits) / nbv;
            er->val_err += le / nbv;
        }
        er->val_acc = val->n ? (double)hits / val->n : NAN;
        /* each batch's accuracy rounds once; the trainer's weighted mean in double */
        er->val_acc_err = val->n ? (double)uncertain / val->n + div_err(dt) + 1e-15 : 0;
        er->param_err = E;
        /* the trainer's means of the batch losses, in double */
        er->train_err += gam(CLN_FLOAT64, nbt) * 2 * fabs(er->train_loss);
        er->val_err += gam(CLN_FLOAT64, nbv + 1) * 2 * fabs(er->val_loss);
    }
    free(order);
    free(grad);
}

typedef struct reports {
    cln_epoch_report r[8];
    size_t count;
} reports;

static int record(const cln_epoch_report *rep, void *user)
{
    reports *s = user;
    s->r[s->count++] = *rep;
    return 0;
}

static const char *path_name(cln_train_path p)
{
    static const char *names[] = {"auto", "stepwise", "fused", "epoch", "persistent"};
    return names[p];
}

/* The test's data: training rows, then validation rows (from the same seed). */
typedef struct fit_data {
    host_rows all, train, val;
} fit_data;

static fit_data fit_data_make(const fit_case *fc, uint64_t seed)
{
    fit_data f;
    f.all = rows_make(CLN_FLOAT32, fc->n_train + fc->n_val, fc->d, fc->k, 0.5, seed);
    f.train = f.all;
    f.train.n = fc->n_train;
    f.val = f.all;
    f.val.n = fc->n_val;
    f.val.X = f.all.X + fc->n_train * fc->d;
    f.val.y = f.all.y + fc->n_train;
    f.val.labels = f.all.labels + fc->n_train;
    return f;
}

/* Trains (W0, b0) on one path; checks each epoch's report and the final parameters against
 * the replica; returns the parameters in W, b (0 if the path does not run here). */
static int fit_on_path(cln_context *ctx, const fit_case *fc, cln_dataset *ds, cln_softmax *m,
                       const double *W0, const double *b0, cln_train_path path, uint64_t seed,
                       const epoch_ref *ref, const double *W_ref, const double *b_ref, double *W,
                       double *b)
{
    size_t d = fc->d, k = fc->k;
    if (path != CLN_PATH_AUTO && path != CLN_PATH_STEPWISE && tu_path_off(ctx, path))
        return 0;
    TU_OK(ctx, cln_softmax_set(m, W0, b0));
    TU_OK(ctx, cln_model_set_epochs_trained(cln_softmax_model(m), 0)); /* from scratch */
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.max_epochs = fc->epochs;
    cfg.batch_size = fc->batch;
    cfg.lr = fc->lr;
    cfg.weight_decay = fc->weight_decay;
    cfg.seed = seed;
    cfg.path = path;
    cfg.stream_chunk_bytes = 4096; /* host data: several chunks an epoch */
    reports seen = {.count = 0};
    cfg.on_epoch = record;
    cfg.user = &seen;
    cln_history h;
    cln_status st = cln_fit(cln_softmax_model(m), ds, &cfg, &h);
    if (st == CLN_ERR_UNSUPPORTED && cln_context_device(ctx)->loop_limit) {
        print_message("%s path skipped: %s\n", path_name(path), cln_last_error(ctx));
        return 0;
    }
    TU_OK(ctx, st);
    print_message("%s path (ran %s): d %zu, k %zu, %zu + %zu rows, batch %zu, %s data\n",
                  path_name(path), path_name(h.path), d, k, fc->n_train, fc->n_val, fc->batch,
                  cln_dataset_on_host(ds) ? "host" : "device");
    if (path != CLN_PATH_AUTO)
        assert_int_equal(h.path, path);
    assert_int_equal(h.epochs, fc->epochs);
    assert_int_equal(h.updates, fc->epochs * ((fc->n_train + fc->batch - 1) / fc->batch));
    assert_int_equal(seen.count, fc->epochs);
    assert_int_equal(h.val_metric.count, fc->n_val ? fc->epochs : 0);
    for (size_t e = 0; e < fc->epochs; e++) {
        const cln_epoch_report *rep = &seen.r[e];
        const epoch_ref *er = &ref[e];
        assert_string_equal(rep->metric_name, "accuracy");
        if (!(fabs(rep->train_loss - er->train_loss) <= er->train_err))
            TU_FAIL("epoch %zu: training loss %.17g, host %.17g (bound %.3g)", e, rep->train_loss,
                    er->train_loss, er->train_err);
        if (fc->n_val == 0)
            continue;
        if (!(fabs(rep->val_loss - er->val_loss) <= er->val_err))
            TU_FAIL("epoch %zu: validation loss %.17g, host %.17g (bound %.3g)", e, rep->val_loss,
                    er->val_loss, er->val_err);
        if (!(fabs(rep->val_metric - er->val_acc) <= er->val_acc_err))
            TU_FAIL("epoch %zu: accuracy %.17g, host %.17g (bound %.3g)", e, rep->val_metric,
                    er->val_acc, er->val_acc_err);
        assert_true(h.val_metric.y[e] == rep->val_metric);
    }
    TU_OK(ctx, cln_softmax_get(m, W, b));
    double E = ref[fc->epochs - 1].param_err;
    for (size_t q = 0; q < (d + 1) * k; q++) {
        double got = q < d * k ? W[q] : b[q - d * k], want = q < d * k ? W_ref[q] : b_ref[q - d * k];
        if (!(fabs(got - want) <= E))
            TU_FAIL("%s path: parameter %zu = %.17g, host %.17g (bound %.3g)", path_name(path), q,
                    got, want, E);
    }
    cln_history_free(&h);
    return 1;
}

/* Every path from the same start against the replica, against each other (within twice the
 * bound) and, run again, against itself bit for bit; in dtype dt. */
static void check_fit_in(cln_context *ctx, const fit_case *fc, cln_placement where, cln_dtype dt)
{
    const uint64_t seed = 12;
    size_t d = fc->d, k = fc->k, P = (d + 1) * k;
    fit_data f = fit_data_make(fc, 31 + d);
    cln_dataset *ds;
    TU_OK(ctx, cln_dataset_create_labeled(ctx, dt, f.all.X, f.all.labels, f.all.n, d, k,
                                          fc->n_train, where, &ds));
    cln_softmax *m;
    TU_OK(ctx, cln_softmax_create(ctx, dt, d, k, 0.01, 5, &m));
    double *W0 = malloc(d * k * sizeof *W0), *b0 = malloc(k * sizeof *b0);
    double *W_ref = malloc(d * k * sizeof *W_ref), *b_ref = malloc(k * sizeof *b_ref);
    TU_OK(ctx, cln_softmax_get(m, W0, b0));
    memcpy(W_ref, W0, d * k * sizeof *W0);
    memcpy(b_ref, b0, k * sizeof *b0);
    epoch_ref ref[8];
    assert_true(fc->epochs <= 8);
    host_fit(dt, &f.train, &f.val, fc, seed, W_ref, b_ref, ref);

    const cln_train_path paths[] = {CLN_PATH_STEPWISE, CLN_PATH_FUSED, CLN_PATH_EPOCH, CLN_PATH_AUTO};
    double *got[4], *gb[4];
    int ran[4] = {0};
    for (size_t i = 0; i < 4; i++) {
        got[i] = malloc(d * k * sizeof(double));
        gb[i] = malloc(k * sizeof(double));
        if (paths[i] == CLN_PATH_EPOCH && where == CLN_PLACE_HOST)
            continue; /* refused: bad_fits */
        ran[i] = fit_on_path(ctx, fc, ds, m, W0, b0, paths[i], seed, ref, W_ref, b_ref, got[i], gb[i]);
    }
    double E = ref[fc->epochs - 1].param_err;
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < i; j++) {
            if (!ran[i] || !ran[j])
                continue;
            for (size_t q = 0; q < P; q++) {
                double a = q < d * k ? got[i][q] : gb[i][q - d * k];
                double c = q < d * k ? got[j][q] : gb[j][q - d * k];
                if (!(fabs(a - c) <= 2 * E))
                    TU_FAIL("parameter %zu: %s path %.17g, %s path %.17g (bound %.3g)", q,
                            path_name(paths[i]), a, path_name(paths[j]), c, 2 * E);
            }
        }
    /* no float atomics: the same bits again (the fused path's hand-off most of all) */
    if (ran[1]) {
        double *W2 = malloc(d * k * sizeof *W2), *b2 = malloc(k * sizeof *b2);
        fit_on_path(ctx, fc, ds, m, W0, b0, CLN_PATH_FUSED, seed, ref, W_ref, b_ref, W2, b2);
        assert_memory_equal(W2, got[1], d * k * sizeof *W2);
        assert_memory_equal(b2, gb[1], k * sizeof *b2);
        free(W2); free(b2);
    }
    for (size_t i = 0; i < 4; i++) {
        free(got[i]);
        free(gb[i]);
    }
    free(W0); free(b0); free(W_ref); free(b_ref);
    cln_softmax_free(m);
    cln_dataset_free(ds);
    rows_free(&f.all);
}

static void check_fit(cln_context *ctx, const fit_case *fc, cln_placement where)
{
    check_fit_in(ctx, fc, where, CLN_FLOAT32);
}

static void fit_paths_match_host_replica(void **state)
{
    /* ragged: 150 = 4 x 37 + 2 training rows, 47 validation rows */
    const fit_case small = {13, 7, 150, 47, 37, 2, 0.25, 0.01};
    check_fit(*state, &small, CLN_PLACE_DEVICE);
    const fit_case tiny_ = {1, 2, 23, 9, 5, 3, 0.5, 0.0};
    check_fit(*state, &tiny_, CLN_PLACE_DEVICE);
    const fit_case no_val = {4, 3, 64, 0, 16, 2, 0.25, 0.0};
    check_fit(*state, &no_val, CLN_PLACE_DEVICE);
}

static void fit_wide_matches_host_replica(void **state)
{
    if (tu_small()) skip();
    const fit_case wide = {100, 10, 600, 130, 257, 2, 0.125, 0.001};
    check_fit(*state, &wide, CLN_PLACE_DEVICE);
}

static void fit_streamed_host_data(void **state)
{
    const fit_case small = {13, 7, 150, 47, 37, 2, 0.25, 0.01};
    check_fit(*state, &small, CLN_PLACE_HOST);
}

/* The edges of the fused kernels' register blocks (cl/model/softmax.cl: vectors of CB = 16
 * classes, blocks of RB = 8 rows of logits and of JB = 8 inputs of gradient sums, tiles of
 * up to 256 rows): a second class block of one class, the fewest classes, fewer inputs
 * than a block and a whole number of blocks (the bias's input alone in the last),
 * minibatches smaller than a row block with a ragged last one, and one group's rows over
 * two tiles (the epoch path's 300-row minibatch; the fused path's in one group). */
static const fit_case block_edges[] = {
    {19, 17, 61, 29, 13, 2, 0.25, 0.01}, /* k = CB + 1; d = 2 JB + 3; batches of 13, last 9 */
    {16, 2, 40, 11, 6, 2, 0.5, 0.0},     /* k = 2; d = 2 JB; batches of 6 < RB, last 4 */
    {3, 33, 45, 20, 45, 1, 0.25, 0.0},   /* d < JB; k = 2 CB + 1; one minibatch */
    {5, 10, 600, 40, 300, 1, 0.125, 0.0} /* 300 rows a minibatch: two tiles */
};
#define NUM_BLOCK_EDGES (sizeof block_edges / sizeof block_edges[0])

static void fit_block_edges_match_host_replica(void **state)
{
    for (size_t i = 0; i < NUM_BLOCK_EDGES; i++)
        check_fit(*state, &block_edges[i], CLN_PLACE_DEVICE);
}

/* Both shapes of register block on this device, through CLNUM_TUNE=WG:LANES:GROUPS (lanes
 * 1: a vector of classes on one work-item, a CPU's shape; more: one class a work-item, a
 * GPU's): one work-item in one group (the fused step's 300 rows over two tiles), vectors
 * shared out over 32 work-items in 2 groups, and a GPU's shape in 3. */
static void fit_block_shapes_match_host_replica(void **state)
{
    const char *shapes[] = {"1:1:1", "32:1:2", "16:2:3"};
    const char *saved = getenv("CLNUM_TUNE");
    char *keep = saved ? strdup(saved) : NULL;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        setenv("CLNUM_TUNE", shapes[s], 1);
        print_message("CLNUM_TUNE=%s\n", shapes[s]);
        for (size_t i = 0; i < NUM_BLOCK_EDGES; i++)
            check_fit(*state, &block_edges[i], CLN_PLACE_DEVICE);
    }
    if (keep)
        setenv("CLNUM_TUNE", keep, 1);
    else
        unsetenv("CLNUM_TUNE");
    free(keep);
}

/* The kernels in float64 (vectors of 16 doubles on a CPU): ragged classes and inputs. */
static void fit_f64_matches_host_replica(void **state)
{
    if (!cln_context_device(*state)->has_float64)
        skip();
    check_fit_in(*state, &block_edges[0], CLN_PLACE_DEVICE, CLN_FLOAT64);
    const fit_case small = {13, 7, 150, 47, 37, 2, 0.25, 0.01};
    check_fit_in(*state, &small, CLN_PLACE_DEVICE, CLN_FLOAT64);
}

/* A learning rate that overflows the logits: every path stops as diverged, and puts back the
 * parameters as the epoch started them (which its kernels saved: the fused path's first
 * launch, the epoch kernel). */
static void divergence_restores_the_start(void **state)
{
    cln_context *ctx = *state;
    const fit_case fc = {13, 7, 150, 47, 37, 1, 3e38, 0.0};
    fit_data f = fit_data_make(&fc, 8);
    cln_dataset *ds;
    TU_OK(ctx, cln_dataset_create_labeled(ctx, CLN_FLOAT32, f.all.X, f.all.labels, f.all.n, 13, 7,
                                          fc.n_train, CLN_PLACE_DEVICE, &ds));
    cln_softmax *m;
    TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT32, 13, 7, 0.01, 5, &m));
    double W0[13 * 7], b0[7], W[13 * 7], b[7];
    TU_OK(ctx, cln_softmax_get(m, W0, b0));
    const cln_train_path paths[] = {CLN_PATH_STEPWISE, CLN_PATH_FUSED, CLN_PATH_EPOCH};
    for (size_t i = 0; i < 3; i++) {
        if (paths[i] != CLN_PATH_STEPWISE && tu_path_off(ctx, paths[i]))
            continue;
        TU_OK(ctx, cln_softmax_set(m, W0, b0));
        cln_trainer_config cfg;
        cln_trainer_config_init(&cfg);
        cfg.max_epochs = 2;
        cfg.batch_size = fc.batch;
        cfg.lr = fc.lr;
        cfg.path = paths[i];
        TU_FAILS(ctx, CLN_ERR_DIVERGED, "epoch 1", cln_fit(cln_softmax_model(m), ds, &cfg, NULL));
        TU_OK(ctx, cln_softmax_get(m, W, b));
        assert_memory_equal(W, W0, sizeof W);
        assert_memory_equal(b, b0, sizeof b);
    }
    cln_softmax_free(m);
    cln_dataset_free(ds);
    rows_free(&f.all);
}

/* More classes than a row of logits in local memory: the fused and epoch paths say so, and
 * AUTO trains on the stepwise path. Only where local memory is small (a GPU's, llvmpipe's):
 * PoCL's 2 MiB would take half a million classes. */
static void too_many_classes_for_local_memory(void **state)
{
    cln_context *ctx = *state;
    uint64_t local = cln_context_device(ctx)->local_mem_bytes;
    if (local > 65536)
        skip();
    size_t k = (size_t)(local / sizeof(float)) + 1;
    host_rows r = rows_make(CLN_FLOAT32, 4, 1, k, 1.0, 4);
    cln_dataset *ds;
    TU_OK(ctx, cln_dataset_create_labeled(ctx, CLN_FLOAT32, r.X, r.labels, 4, 1, k, 3,
                                          CLN_PLACE_DEVICE, &ds));
    cln_softmax *m;
    TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT32, 1, k, 0.01, 5, &m));
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.max_epochs = 1;
    cfg.path = CLN_PATH_FUSED;
    if (!tu_path_off(ctx, CLN_PATH_FUSED))
        TU_FAILS(ctx, CLN_ERR_UNSUPPORTED, "local memory", cln_fit(cln_softmax_model(m), ds, &cfg, NULL));
    cfg.path = CLN_PATH_EPOCH;
    if (!tu_path_off(ctx, CLN_PATH_EPOCH))
        TU_FAILS(ctx, CLN_ERR_UNSUPPORTED, "local memory", cln_fit(cln_softmax_model(m), ds, &cfg, NULL));
    cfg.path = CLN_PATH_AUTO;
    cln_history h;
    TU_OK(ctx, cln_fit(cln_softmax_model(m), ds, &cfg, &h));
    assert_int_equal(h.path, CLN_PATH_STEPWISE);
    assert_int_equal(h.updates, 1);
    cln_history_free(&h);
    cln_softmax_free(m);
    cln_dataset_free(ds);
    rows_free(&r);
}

/* ---- launches a minibatch ------------------------------------------------------------------ */

/* Enqueues of a 1-epoch fit on n_train + n_val rows, batches of 8. */
static uint64_t fit_enqueues(cln_context *ctx, size_t n_train, size_t n_val, cln_train_path path)
{
    fit_case fc = {5, 3, n_train, n_val, 8, 1, 0.1, 0.0};
    fit_data f = fit_data_make(&fc, 3);
    cln_dataset *ds;
    TU_OK(ctx, cln_dataset_create_labeled(ctx, CLN_FLOAT32, f.all.X, f.all.labels, f.all.n, 5, 3,
                                          n_train, CLN_PLACE_DEVICE, &ds));
    cln_softmax *m;
    TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT32, 5, 3, 0.01, 5, &m));
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.max_epochs = 1;
    cfg.batch_size = 8;
    cfg.path = path;
    TU_OK(ctx, cln_fit(cln_softmax_model(m), ds, &cfg, NULL)); /* the self-check, the builds */
    uint64_t before = cln_context_enqueue_count(ctx);
    TU_OK(ctx, cln_fit(cln_softmax_model(m), ds, &cfg, NULL));
    uint64_t n = cln_context_enqueue_count(ctx) - before;
    cln_softmax_free(m);
    cln_dataset_free(ds);
    rows_free(&f.all);
    return n;
}

/* Stepwise: forward, loss, delta, gradients, step a training minibatch and forward, loss,
 * accuracy a validation one; fused: one launch each; epoch: none beyond the epoch's one. */
static void launches_per_minibatch(void **state)
{
    cln_context *ctx = *state;
    const cln_train_path paths[] = {CLN_PATH_STEPWISE, CLN_PATH_FUSED, CLN_PATH_EPOCH};
    const uint64_t train_want[] = {5, 1, 0}, val_want[] = {3, 1, 0};
    for (size_t i = 0; i < 3; i++) {
        if (paths[i] != CLN_PATH_STEPWISE && tu_path_off(ctx, paths[i]))
            continue;
        uint64_t base = fit_enqueues(ctx, 32, 16, paths[i]);
        uint64_t more_train = fit_enqueues(ctx, 64, 16, paths[i]); /* 4 more batches */
        uint64_t more_val = fit_enqueues(ctx, 32, 48, paths[i]);   /* 4 more batches */
        print_message("%s path: %llu enqueues an epoch of 4 + 2 batches\n", path_name(paths[i]),
                      (unsigned long long)base);
        assert_int_equal((more_train - base) / 4, train_want[i]);
        assert_int_equal((more_train - base) % 4, 0);
        assert_int_equal((more_val - base) / 4, val_want[i]);
        assert_int_equal((more_val - base) % 4, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_and_accessors),
        cmocka_unit_test(kernels_match_host_f32),
        cmocka_unit_test(kernels_match_host_f64),
        cmocka_unit_test(gradient_matches_finite_differences),
        cmocka_unit_test(stable_loss_at_large_logits),
        cmocka_unit_test(accuracy_ties),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(fit_paths_match_host_replica),
        cmocka_unit_test(fit_wide_matches_host_replica),
        cmocka_unit_test(fit_streamed_host_data),
        cmocka_unit_test(fit_block_edges_match_host_replica),
        cmocka_unit_test(fit_block_shapes_match_host_replica),
        cmocka_unit_test(fit_f64_matches_host_replica),
        cmocka_unit_test(divergence_restores_the_start),
        cmocka_unit_test(too_many_classes_for_local_memory),
        cmocka_unit_test(launches_per_minibatch),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
