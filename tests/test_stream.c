/* Data larger than the device: host-resident datasets streamed by cln_fit in chunks with
 * double buffering (src/train/stream.c, src/data/dataset_host.c).
 *
 * A streamed fit must equal the in-memory fit on the same seed bit for bit (the same
 * minibatches, the same kernels, the same row partition among work-groups: only where the
 * rows come from differs), on the fused and the stepwise path, with chunks of one minibatch
 * up to the whole split; both must match a double-precision host replica. Synthetic data
 * drawn a range of rows at a time (host rows, shards) must equal the rows drawn at once.
 *
 * CLNUM_DEVICE_MEMORY makes a device look smaller to the library: its figures in
 * cln_device_info come down (never up), and a malformed value is refused by name.
 *
 * With CLNUM_STREAM_OVER_MEMORY=1 (its own CTest entry, run under CLNUM_DEVICE_MEMORY=1G: a
 * 1 GiB device with 256 MiB allocations, whatever the device) the program instead checks
 * CLN_PLACE_AUTO's rule on both sides of the largest allocation, then trains one epoch on
 * rows about twice the device's global memory, kept in the caller's memory, against the
 * host replica. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_util.h"

/* ---- a double-precision replica of cln_fit over host rows ---------------------------- */

typedef struct replica {
    double *w, b;
    double *train_losses, *val_losses; /* every batch of every epoch */
} replica;

/* Rows as doubles, or as floats (a large host-resident dataset's own arrays). */
typedef struct rows {
    const double *X, *y;
    const float *fX, *fy;
} rows;
#define XV(R, i) ((R)->X ? (R)->X[i] : (double)(R)->fX[i])
#define YV(R, i) ((R)->y ? (R)->y[i] : (double)(R)->fy[i])

/* Rows [0, nt) training, [nt, nt + nv) validation. */
static void host_fit(const rows *R, size_t nt, size_t nv, size_t d,
                     const cln_trainer_config *cfg, double loss_scale, const double *w0,
                     double b0, replica *r)
{
    size_t bs = cfg->batch_size, bt = bs < nt ? bs : nt, bv = nv && bs > nv ? nv : bs;
    size_t nbt = (nt + bt - 1) / bt, nbv = nv ? (nv + bv - 1) / bv : 0;
    r->w = malloc(d * sizeof *r->w);
    memcpy(r->w, w0, d * sizeof *r->w);
    r->b = b0;
    r->train_losses = malloc((cfg->max_epochs * nbt + 1) * sizeof(double));
    r->val_losses = malloc((cfg->max_epochs * nbv + 1) * sizeof(double));
    uint32_t *order = malloc(nt * sizeof *order);
    double *g = malloc(d * sizeof *g);
    for (size_t e = 0; e < cfg->max_epochs; e++) {
        if (cfg->draw_order)
            assert_int_equal(cfg->draw_order(e, order, nt, cfg->order_user), CLN_SUCCESS);
        else
            cln_shuffle_order(cfg->seed, e, order, nt);
        for (size_t k = 0; k < nbt; k++) {
            size_t first = k * bt, count = nt - first < bt ? nt - first : bt;
            double loss = 0, gb = 0;
            memset(g, 0, d * sizeof *g);
            for (size_t i = first; i < first + count; i++) {
                size_t x = (size_t)order[i] * d;
                double res = r->b - YV(R, order[i]);
                for (size_t j = 0; j < d; j++)
                    res += XV(R, x + j) * r->w[j];
                loss += loss_scale * res * res;
                gb += res;
                for (size_t j = 0; j < d; j++)
                    g[j] += XV(R, x + j) * res;
            }
            r->train_losses[e * nbt + k] = loss / count;
            for (size_t j = 0; j < d; j++)
                r->w[j] -= cfg->lr * 2 * loss_scale * g[j] / count;
            r->b -= cfg->lr * 2 * loss_scale * gb / count;
        }
        for (size_t k = 0; k < nbv; k++) {
            size_t first = nt + k * bv, count = nt + nv - first < bv ? nt + nv - first : bv;
            double loss = 0;
            for (size_t i = first; i < first + count; i++) {
                double res = r->b - YV(R, i);
                for (size_t j = 0; j < d; j++)
                    res += XV(R, i * d + j) * r->w[j];
                loss += loss_scale * res * res;
            }
            r->val_losses[e * nbv + k] = loss / count;
        }
    }
    free(order);
    free(g);
}

static void replica_free(replica *r)
{
    free(r->w);
    free(r->train_losses);
    free(r->val_losses);
}

/* Records every epoch's mean losses (the callback's report). */
typedef struct epoch_log {
    double train[64], val[64];
    size_t count;
} epoch_log;

static int log_epoch(const cln_epoch_report *rep, void *user)
{
    epoch_log *l = user;
    if (l->count < 64) {
        l->train[l->count] = rep->train_loss;
        l->val[l->count] = rep->val_loss;
        l->count++;
    }
    return 0;
}

/* ---- streamed == in memory ------------------------------------------------------------ */

static const char *path_name(cln_train_path p)
{
    static const char *names[] = {"auto", "stepwise", "fused", "epoch", "persistent"};
    return names[p];
}

/* One fit of a fresh model (seed 5) on data; returns w (d) and b, and the history. */
static void fit_once(cln_context *ctx, cln_dataset *data, const cln_trainer_config *cfg,
                     double loss_scale, double *w, double *b, cln_history *h, epoch_log *log)
{
    size_t d = cln_dataset_num_inputs(data);
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, cln_dataset_dtype(data), d, 0.01, 5, &m));
    TU_OK(ctx, cln_linreg_set_loss_scale(m, loss_scale));
    cln_trainer_config c = *cfg;
    memset(log, 0, sizeof *log);
    c.on_epoch = log_epoch;
    c.user = log;
    TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &c, h));
    TU_OK(ctx, cln_linreg_get(m, w, b));
    cln_linreg_free(m);
}

static void assert_same_history(const cln_history *a, const cln_history *b)
{
    assert_int_equal(a->epochs, b->epochs);
    assert_int_equal(a->updates, b->updates);
    assert_int_equal(a->train_loss.count, b->train_loss.count);
    assert_int_equal(a->val_loss.count, b->val_loss.count);
    assert_memory_equal(a->train_loss.y, b->train_loss.y, a->train_loss.count * sizeof(double));
    assert_memory_equal(a->val_loss.y, b->val_loss.y, a->val_loss.count * sizeof(double));
}

/* Trains on data in device memory and on the same rows kept on the host (a converted copy
 * and the caller's float arrays), streamed in chunks of about `chunk_bytes`: the same
 * parameters and losses bit for bit, and the host replica's within float32 rounding. */
static void check_streamed(cln_context *ctx, size_t d, size_t nt, size_t nv, size_t batch,
                           size_t epochs, cln_train_path path, size_t chunk_bytes,
                           double loss_scale)
{
    print_message("%s path: d %zu, %zu + %zu rows, batch %zu, %zu epochs, chunks of %zu bytes\n",
                  path_name(path), d, nt, nv, batch, epochs, chunk_bytes);
    size_t n = nt + nv;
    double *X = tu_normals(n * d, 3 + d), *noise = tu_normals(n, 4 + d);
    double *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        y[i] = 4.2 + 0.01 * noise[i];
        for (size_t j = 0; j < d; j++)
            y[i] += X[i * d + j] * (j % 2 ? -3.4 : 2.0) / (double)(1 + j / 2);
    }
    tu_round_to_float(X, n * d);
    tu_round_to_float(y, n);
    float *fx = malloc(n * d * sizeof *fx), *fy = malloc(n * sizeof *fy);
    for (size_t i = 0; i < n * d; i++)
        fx[i] = (float)X[i];
    for (size_t i = 0; i < n; i++)
        fy[i] = (float)y[i];

    cln_dataset *dev, *host, *wrapped;
    TU_OK(ctx, cln_dataset_create_placed(ctx, CLN_FLOAT32, X, y, n, d, nt, CLN_PLACE_DEVICE, &dev));
    TU_OK(ctx, cln_dataset_create_placed(ctx, CLN_FLOAT32, X, y, n, d, nt, CLN_PLACE_HOST, &host));
    TU_OK(ctx, cln_dataset_wrap_host(ctx, CLN_FLOAT32, fx, fy, n, d, nt, &wrapped));
    assert_false(cln_dataset_on_host(dev));
    assert_true(cln_dataset_on_host(host));
    assert_true(cln_dataset_on_host(wrapped));
    assert_null(cln_dataset_train_X(host));
    assert_ptr_equal(cln_dataset_host_X(wrapped), fx);

    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.batch_size = batch;
    cfg.max_epochs = epochs;
    cfg.seed = 21;
    cfg.path = path;
    cfg.stream_chunk_bytes = chunk_bytes;
    double *w_dev = malloc(d * sizeof(double)), *w_host = malloc(d * sizeof(double));
    double *w_wrap = malloc(d * sizeof(double)), b_dev, b_host, b_wrap;
    cln_history h_dev, h_host, h_wrap;
    epoch_log l_dev, l_host, l_wrap;
    /* In memory, the AUTO path may be the epoch kernel; streamed it is the fused one. */
    cln_trainer_config cfg_dev = cfg;
    if (path == CLN_PATH_AUTO)
        cfg_dev.path = CLN_PATH_FUSED;
    fit_once(ctx, dev, &cfg_dev, loss_scale, w_dev, &b_dev, &h_dev, &l_dev);
    fit_once(ctx, host, &cfg, loss_scale, w_host, &b_host, &h_host, &l_host);
    fit_once(ctx, wrapped, &cfg, loss_scale, w_wrap, &b_wrap, &h_wrap, &l_wrap);

    assert_memory_equal(w_dev, w_host, d * sizeof(double));
    assert_memory_equal(w_dev, w_wrap, d * sizeof(double));
    assert_true(b_dev == b_host && b_dev == b_wrap);
    assert_same_history(&h_dev, &h_host);
    assert_same_history(&h_dev, &h_wrap);
    assert_memory_equal(l_dev.train, l_host.train, sizeof l_dev.train);
    assert_memory_equal(l_dev.val, l_host.val, sizeof l_dev.val);

    /* ... and both are the host replica's. */
    cln_linreg *m0;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, d, 0.01, 5, &m0));
    double *w0 = malloc(d * sizeof *w0), b0;
    TU_OK(ctx, cln_linreg_get(m0, w0, &b0));
    cln_linreg_free(m0);
    replica r;
    rows R = {X, y, NULL, NULL};
    host_fit(&R, nt, nv, d, &cfg, loss_scale, w0, b0, &r);
    TU_ASSERT_CLOSE(w_host, r.w, d, 1e-4, 1e-5);
    assert_true(fabs(b_host - r.b) <= 1e-4 * fabs(r.b) + 1e-5);
    size_t bt = batch < nt ? batch : nt, nbt = (nt + bt - 1) / bt;
    for (size_t e = 0; e < epochs; e++) {
        double mean = 0;
        for (size_t k = 0; k < nbt; k++)
            mean += r.train_losses[e * nbt + k];
        mean /= nbt;
        if (!(fabs(l_host.train[e] - mean) <= 1e-4 * mean + 1e-7))
            TU_FAIL("epoch %zu: mean training loss %.9g, host replica %.9g", e, l_host.train[e],
                    mean);
    }

    replica_free(&r);
    cln_history_free(&h_dev);
    cln_history_free(&h_host);
    cln_history_free(&h_wrap);
    cln_dataset_free(dev);
    cln_dataset_free(host);
    cln_dataset_free(wrapped);
    free(X); free(noise); free(y); free(fx); free(fy);
    free(w_dev); free(w_host); free(w_wrap); free(w0);
}

static void streamed_equals_in_memory(void **state)
{
    cln_context *ctx = *state;
    size_t row = 3 * sizeof(float);
    /* the chapter: chunks of 1 minibatch, of 3, of 3.5 (rounded down), and one chunk */
    check_streamed(ctx, 2, 1000, 1000, 32, 3, CLN_PATH_FUSED, 1, 0.5);
    check_streamed(ctx, 2, 1000, 1000, 32, 3, CLN_PATH_FUSED, 3 * 32 * row, 0.5);
    check_streamed(ctx, 2, 1000, 1000, 32, 3, CLN_PATH_AUTO, 112 * row, 0.5);
    check_streamed(ctx, 2, 1000, 1000, 32, 2, CLN_PATH_FUSED, 0, 1.0);
    check_streamed(ctx, 2, 1000, 1000, 32, 2, CLN_PATH_STEPWISE, 5 * 32 * row, 0.5);
}

static void other_shapes_stream(void **state)
{
    cln_context *ctx = *state;
    /* Rows gathered by 3 threads (a GPU's default is half the host's cores, up to 8). */
    setenv("CLNUM_STREAM_THREADS", "3", 1);
    check_streamed(ctx, 64, 20000, 3001, 500, 2, CLN_PATH_FUSED, (size_t)1 << 20, 0.5);
    unsetenv("CLNUM_STREAM_THREADS");
    cln_train_path paths[2] = {CLN_PATH_FUSED, CLN_PATH_STEPWISE};
    for (int p = 0; p < 2; p++) {
        check_streamed(ctx, 3, 103, 17, 10, 4, paths[p], 2 * 10 * 4 * sizeof(float), 0.5);
        check_streamed(ctx, 300, 500, 0, 64, 2, paths[p], 150 * 301 * sizeof(float), 0.5);
        check_streamed(ctx, 1, 7, 3, 100, 3, paths[p], 1, 0.5);          /* batch > data */
        check_streamed(ctx, 5, 5000, 100, 1000, 2, paths[p], 1, 0.5);    /* many groups */
    }
}

/* float64: the caller's double arrays, streamed, against the same rows on the device. */
static void float64_streams(void **state)
{
    cln_context *ctx = *state;
    if (!cln_context_device(ctx)->has_float64)
        skip();
    size_t d = 3, nt = 500, nv = 70, n = nt + nv;
    double *X = tu_normals(n * d, 31), *y = tu_normals(n, 32);
    cln_dataset *dev, *host;
    TU_OK(ctx, cln_dataset_create_placed(ctx, CLN_FLOAT64, X, y, n, d, nt, CLN_PLACE_DEVICE, &dev));
    TU_OK(ctx, cln_dataset_wrap_host(ctx, CLN_FLOAT64, X, y, n, d, nt, &host));
    double w[2][3], b[2];
    for (int t = 0; t < 2; t++) {
        cln_linreg *m;
        TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT64, d, 0.01, 2, &m));
        cln_trainer_config cfg;
        cln_trainer_config_init(&cfg);
        cfg.batch_size = 16;
        cfg.path = CLN_PATH_FUSED;
        cfg.stream_chunk_bytes = 3 * 16 * (d + 1) * sizeof(double);
        TU_OK(ctx, cln_fit(cln_linreg_model(m), t ? host : dev, &cfg, NULL));
        TU_OK(ctx, cln_linreg_get(m, w[t], &b[t]));
        cln_linreg_free(m);
    }
    assert_memory_equal(w[0], w[1], sizeof w[0]);
    assert_true(b[0] == b[1]);
    cln_dataset_free(dev);
    cln_dataset_free(host);
    free(X);
    free(y);
}

/* The epoch and persistent kernels read every row in one launch: they cannot stream, and
 * say so. */
static void epoch_path_refuses_host_data(void **state)
{
    cln_context *ctx = *state;
    double X[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[4] = {1, 2, 3, 4};
    cln_dataset *data;
    cln_linreg *m;
    TU_OK(ctx, cln_dataset_create_placed(ctx, CLN_FLOAT32, X, y, 4, 2, 4, CLN_PLACE_HOST, &data));
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m));
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.path = CLN_PATH_EPOCH;
    TU_FAILS(ctx, CLN_ERR_UNSUPPORTED, "host-resident", cln_fit(cln_linreg_model(m), data, &cfg, NULL));
    cfg.path = CLN_PATH_PERSISTENT;
    TU_FAILS(ctx, CLN_ERR_UNSUPPORTED, "host-resident", cln_fit(cln_linreg_model(m), data, &cfg, NULL));
    cfg.path = CLN_PATH_AUTO;
    TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &cfg, NULL));
    cln_linreg_free(m);
    cln_dataset_free(data);
}

/* Bad host data is refused where it is made, naming the row. */
static void host_data_checks(void **state)
{
    cln_context *ctx = *state;
    float X[6] = {1, 2, 3, 4, 5, 6}, y[3] = {1, 2, 3};
    cln_dataset *data;
    X[3] = NAN;
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 1 (training row 1)",
             cln_dataset_wrap_host(ctx, CLN_FLOAT32, X, y, 3, 2, 3, &data));
    X[3] = 4;
    y[2] = INFINITY;
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "row 2 (validation row 0) is the first with a NaN or an "
             "infinity, in y", cln_dataset_wrap_host(ctx, CLN_FLOAT32, X, y, 3, 2, 2, &data));
    double dX[2] = {1, 1e300}, dy[2] = {1, 2};
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "as float32",
             cln_dataset_create_placed(ctx, CLN_FLOAT32, dX, dy, 2, 1, 2, CLN_PLACE_HOST, &data));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "X is NULL",
             cln_dataset_wrap_host(ctx, CLN_FLOAT32, NULL, y, 3, 2, 3, &data));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_train 4",
             cln_dataset_wrap_host(ctx, CLN_FLOAT32, X, (float[3]){1, 2, 3}, 3, 2, 4, &data));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "placement",
             cln_dataset_create_placed(ctx, CLN_FLOAT32, dX, dy, 2, 1, 2, (cln_placement)7,
                                       &data));
    /* What fits stays on the device unless asked. */
    TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, (double[2]){1, 2}, dy, 2, 1, 2, &data));
    assert_false(cln_dataset_on_host(data));
    assert_null(cln_dataset_host_X(data));
    assert_ptr_equal(cln_dataset_context(data), ctx);
    cln_dataset_free(data);
}

/* ---- synthetic rows by range ------------------------------------------------------------- */

static void synthetic_host_rows_equal_device_rows(void **state)
{
    cln_context *ctx = *state;
    size_t dims[3] = {2, 3, 17};
    for (int t = 0; t < 3; t++) {
        size_t d = dims[t], nt = 1001, nv = 333;
        cln_synthetic_config dc;
        cln_synthetic_config_init(&dc);
        dc.num_inputs = d;
        dc.num_train = nt;
        dc.num_val = nv;
        dc.seed = 9 + t;
        cln_dataset *whole, *host;
        dc.placement = CLN_PLACE_DEVICE;
        TU_OK(ctx, cln_synthetic_create(ctx, &dc, &whole));
        dc.placement = CLN_PLACE_HOST;
        TU_OK(ctx, cln_synthetic_create(ctx, &dc, &host));
        assert_true(cln_dataset_on_host(host));
        float *X = malloc((nt + nv) * d * sizeof *X), *y = malloc((nt + nv) * sizeof *y);
        TU_OK(ctx, cln_tensor_download(cln_dataset_train_X(whole), X, nt * d * sizeof *X));
        TU_OK(ctx, cln_tensor_download(cln_dataset_val_X(whole), X + nt * d, nv * d * sizeof *X));
        TU_OK(ctx, cln_tensor_download(cln_dataset_train_y(whole), y, nt * sizeof *y));
        TU_OK(ctx, cln_tensor_download(cln_dataset_val_y(whole), y + nt, nv * sizeof *y));
        assert_memory_equal(X, cln_dataset_host_X(host), (nt + nv) * d * sizeof *X);
        assert_memory_equal(y, cln_dataset_host_y(host), (nt + nv) * sizeof *y);
        double *tw = malloc(d * sizeof *tw), *hw = malloc(d * sizeof *hw), tb, hb;
        TU_OK(ctx, cln_dataset_true_params(whole, tw, &tb));
        TU_OK(ctx, cln_dataset_true_params(host, hw, &hb));
        assert_memory_equal(tw, hw, d * sizeof *tw);

        /* Shards: shard r holds rows cln_shard_range() of each split, on the device or not. */
        size_t K = 3;
        for (size_t r = 0; r < K; r++) {
            size_t ft, ct, fv, cv;
            cln_shard_range(nt, K, r, &ft, &ct);
            cln_shard_range(nv, K, r, &fv, &cv);
            dc.num_shards = K;
            dc.shard = r;
            dc.placement = r == 1 ? CLN_PLACE_HOST : CLN_PLACE_AUTO;
            cln_dataset *s;
            TU_OK(ctx, cln_synthetic_create(ctx, &dc, &s));
            assert_int_equal(cln_dataset_num_train(s), ct);
            assert_int_equal(cln_dataset_num_val(s), cv);
            float *sx = malloc((ct + cv) * d * sizeof *sx), *sy = malloc((ct + cv) * sizeof *sy);
            if (cln_dataset_on_host(s)) {
                memcpy(sx, cln_dataset_host_X(s), (ct + cv) * d * sizeof *sx);
                memcpy(sy, cln_dataset_host_y(s), (ct + cv) * sizeof *sy);
            } else {
                TU_OK(ctx, cln_tensor_download(cln_dataset_train_X(s), sx, ct * d * sizeof *sx));
                TU_OK(ctx, cln_tensor_download(cln_dataset_val_X(s), sx + ct * d,
                                               cv * d * sizeof *sx));
                TU_OK(ctx, cln_tensor_download(cln_dataset_train_y(s), sy, ct * sizeof *sy));
                TU_OK(ctx, cln_tensor_download(cln_dataset_val_y(s), sy + ct, cv * sizeof *sy));
            }
            assert_memory_equal(sx, X + ft * d, ct * d * sizeof *sx);
            assert_memory_equal(sx + ct * d, X + (nt + fv) * d, cv * d * sizeof *sx);
            assert_memory_equal(sy, y + ft, ct * sizeof *sy);
            assert_memory_equal(sy + ct, y + nt + fv, cv * sizeof *sy);
            cln_dataset_free(s);
            free(sx);
            free(sy);
        }
        dc.num_shards = 2;
        dc.shard = 2;
        cln_dataset *bad;
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "no such shard", cln_synthetic_create(ctx, &dc, &bad));
        free(X); free(y); free(tw); free(hw);
        cln_dataset_free(whole);
        cln_dataset_free(host);
    }
}

/* ---- CLNUM_DEVICE_MEMORY ------------------------------------------------------------------ */

/* The caller's CLNUM_DEVICE_MEMORY, put back after the test whether it passes or not. */
static char *saved_device_memory;
static int saved_device_memory_set;

static int save_device_memory(void **state)
{
    (void)state;
    const char *v = getenv("CLNUM_DEVICE_MEMORY");
    saved_device_memory_set = v != NULL;
    saved_device_memory = v ? strdup(v) : NULL;
    return 0;
}

static int restore_device_memory(void **state)
{
    (void)state;
    if (saved_device_memory_set)
        setenv("CLNUM_DEVICE_MEMORY", saved_device_memory, 1);
    else
        unsetenv("CLNUM_DEVICE_MEMORY");
    free(saved_device_memory);
    saved_device_memory = NULL;
    return 0;
}

/* The devices as the library lists them under CLNUM_DEVICE_MEMORY=value (NULL: unset). */
static cln_status devices_under(const char *value, cln_device_info **list, size_t *count)
{
    if (value)
        setenv("CLNUM_DEVICE_MEMORY", value, 1);
    else
        unsetenv("CLNUM_DEVICE_MEMORY");
    return cln_devices_list(list, count);
}

/* Under a limit, each device as `real` would look: global memory at most the limit and, where
 * that lowered it, the largest allocation at most a quarter of the limit; nothing else
 * changes, and nothing goes up. */
static void assert_lowered(const cln_device_info *real, size_t count, const char *value,
                           uint64_t limit)
{
    cln_device_info *got;
    size_t n;
    TU_OK(NULL, devices_under(value, &got, &n));
    assert_int_equal(n, count);
    for (size_t i = 0; i < n; i++) {
        const cln_device_info *r = &real[i], *g = &got[i];
        uint64_t global = r->global_mem_bytes, alloc = r->max_alloc_bytes;
        if (limit < global) {
            global = limit;
            if (alloc > limit / 4)
                alloc = limit / 4;
        }
        if (g->global_mem_bytes != global || g->max_alloc_bytes != alloc)
            TU_FAIL("CLNUM_DEVICE_MEMORY=%s: %s has global memory %llu, largest allocation "
                    "%llu; expected %llu and %llu (its own: %llu and %llu)", value,
                    g->device_name, (unsigned long long)g->global_mem_bytes,
                    (unsigned long long)g->max_alloc_bytes, (unsigned long long)global,
                    (unsigned long long)alloc, (unsigned long long)r->global_mem_bytes,
                    (unsigned long long)r->max_alloc_bytes);
        assert_true(g->global_mem_bytes <= r->global_mem_bytes);
        assert_true(g->max_alloc_bytes <= r->max_alloc_bytes);
        assert_string_equal(g->device_name, r->device_name);
        assert_int_equal(g->local_mem_bytes, r->local_mem_bytes);
        assert_int_equal(g->compute_units, r->compute_units);
    }
    cln_devices_free(got);
}

static void device_memory_variable(void **state)
{
    cln_context *ctx = *state;
    cln_device_info *real;
    size_t count;
    TU_OK(NULL, devices_under(NULL, &real, &count));
    const uint64_t mib48 = (uint64_t)48 << 20;
    for (size_t i = 0; i < count; i++)
        assert_true(real[i].global_mem_bytes > mib48); /* so 48 MiB lowers every device */

    /* 48 MiB, in bytes and with each suffix (either case); 1 GiB; "" is unset */
    assert_lowered(real, count, "50331648", mib48);
    assert_lowered(real, count, "49152K", mib48);
    assert_lowered(real, count, "48m", mib48);
    assert_lowered(real, count, "48M", mib48);
    assert_lowered(real, count, "1G", (uint64_t)1 << 30);
    assert_lowered(real, count, "", UINT64_MAX);
    /* At or above a device's own size, or far above: its figures stay as they are. */
    uint64_t largest = 0;
    for (size_t i = 0; i < count; i++)
        if (real[i].global_mem_bytes > largest)
            largest = real[i].global_mem_bytes;
    char text[32];
    snprintf(text, sizeof text, "%llu", (unsigned long long)largest);
    assert_lowered(real, count, text, largest);
    assert_lowered(real, count, "1048576G", (uint64_t)1 << 50);

    /* Malformed: refused, naming the variable and the value; so is a context made under it. */
    const char *bad[] = {"abc", "1.5G", "12X", "1GB", "1 G", " 1G", "1G ", "-1", "+1", "0",
                         "0K", "G", "0x100", "18446744073709551616", "17179869184G"};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        cln_device_info *list = NULL;
        size_t n = 0;
        TU_FAILS(NULL, CLN_ERR_PARSE, "CLNUM_DEVICE_MEMORY", devices_under(bad[b], &list, &n));
        assert_null(list);
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\"", bad[b]);
        assert_non_null(strstr(cln_last_error(NULL), quoted));
    }
    cln_context *small;
    setenv("CLNUM_DEVICE_MEMORY", "12X", 1);
    TU_FAILS(NULL, CLN_ERR_PARSE, "CLNUM_DEVICE_MEMORY (from the environment)",
             cln_context_create(NULL, &small));

    /* A context under 48 MiB holds to it: a 16 MiB tensor is too large for it (the device's
     * own largest allocation is not), and rows of 16 MiB stay on the host to be streamed. */
    setenv("CLNUM_DEVICE_MEMORY", "48M", 1);
    TU_OK(NULL, cln_context_create(NULL, &small));
    const cln_device_info *info = cln_context_device(small);
    assert_int_equal(info->global_mem_bytes, mib48);
    assert_true(info->max_alloc_bytes <= mib48 / 4);
    assert_true(cln_context_device(ctx)->max_alloc_bytes >= ((uint64_t)16 << 20));
    cln_tensor *t;
    TU_FAILS(small, CLN_ERR_OUT_OF_DEVICE_MEMORY, "more than",
             cln_tensor_create_1d(small, CLN_FLOAT32, (size_t)4 << 20, &t));
    TU_OK(small, cln_tensor_create_1d(small, CLN_FLOAT32, (size_t)1 << 20, &t));
    cln_tensor_free(t);
    size_t d = 16, rows = ((size_t)16 << 20) / (d * sizeof(float));
    double *X = malloc(rows * d * sizeof *X), *y = malloc(rows * sizeof *y);
    assert_non_null(X);
    assert_non_null(y);
    for (size_t i = 0; i < rows * d; i++)
        X[i] = (double)(i % 7) - 3;
    for (size_t i = 0; i < rows; i++)
        y[i] = (double)(i % 5);
    cln_dataset *on_small, *on_real;
    TU_OK(small, cln_dataset_create(small, CLN_FLOAT32, X, y, rows, d, rows, &on_small));
    TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, X, y, rows, d, rows, &on_real));
    assert_true(cln_dataset_on_host(on_small));
    assert_false(cln_dataset_on_host(on_real));
    cln_dataset_free(on_small);
    cln_dataset_free(on_real);
    cln_context_free(small);
    free(X);
    free(y);
    cln_devices_free(real);
}

/* ---- over the device's memory (CLNUM_STREAM_OVER_MEMORY=1, CLNUM_DEVICE_MEMORY=1G) ---- */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* Uniform-ish values of variance about 1, quickly (xorshift64*). */
static double quick_value(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    uint64_t r = *state * UINT64_C(2685821657736338717);
    return ((double)(r >> 11) * (1.0 / 9007199254740992.0) - 0.5) * 3.4641016151377544;
}

/* CLN_PLACE_AUTO's rule on this small device: rows within the largest allocation stay on
 * the device, rows beyond it go to the host. */
static void auto_placement_on_a_small_device(cln_context *ctx)
{
    const cln_device_info *info = cln_context_device(ctx);
    size_t d = 64;
    size_t fits = (size_t)(0.8 * (double)info->max_alloc_bytes / (double)(d * sizeof(float)));
    size_t beyond = (size_t)(1.2 * (double)info->max_alloc_bytes / (double)(d * sizeof(float)));
    double *X = malloc(beyond * d * sizeof *X), *y = malloc(beyond * sizeof *y);
    assert_non_null(X);
    uint64_t st = 1;
    for (size_t i = 0; i < beyond * d; i++)
        X[i] = quick_value(&st);
    for (size_t i = 0; i < beyond; i++)
        y[i] = quick_value(&st);
    cln_dataset *a, *b;
    TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, X, y, fits, d, fits, &a));
    assert_false(cln_dataset_on_host(a));
    cln_dataset_free(a);
    TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, X, y, beyond, d, beyond, &b));
    assert_true(cln_dataset_on_host(b));
    print_message("AUTO placement: %zu rows (%.0f MiB of X) on the device, %zu rows (%.0f MiB) "
                  "on the host\n", fits, fits * d * 4 / 1048576.0, beyond,
                  beyond * d * 4 / 1048576.0);
    cln_dataset_free(b);
    free(X);
    free(y);
}

static void data_twice_the_device_memory(void **state)
{
    cln_context *ctx = *state;
    const cln_device_info *info = cln_context_device(ctx);
    print_message("device: %s, global memory %.2f GiB, largest allocation %.2f GiB\n",
                  info->device_name, info->global_mem_bytes / 1073741824.0,
                  info->max_alloc_bytes / 1073741824.0);
    /* Honest only on a small device: CTest sets CLNUM_DEVICE_MEMORY=1G (1 GiB). */
    if (info->global_mem_bytes > ((uint64_t)3 << 30))
        TU_FAIL("the device has %.1f GiB: run this test with CLNUM_DEVICE_MEMORY=1G",
                info->global_mem_bytes / 1073741824.0);
    auto_placement_on_a_small_device(ctx);

    /* About twice the device's memory of rows, in the caller's memory: y = X w + b + noise. */
    size_t d = 256, row = (d + 1) * sizeof(float);
    size_t nv = 8192;
    size_t nt = (size_t)(2.0 * (double)info->global_mem_bytes / (double)row) - nv, n = nt + nv;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    float *fx = malloc(n * d * sizeof *fx), *fy = malloc(n * sizeof *fy);
    assert_non_null(fx);
    assert_non_null(fy);
    double true_w[256], true_b = 4.2;
    uint64_t st = 7;
    for (size_t j = 0; j < d; j++)
        true_w[j] = quick_value(&st);
    for (size_t i = 0; i < n; i++) {
        double acc = true_b + 0.01 * quick_value(&st);
        for (size_t j = 0; j < d; j++) {
            float v = (float)quick_value(&st);
            fx[i * d + j] = v;
            acc += v * true_w[j];
        }
        fy[i] = (float)acc;
    }
    cln_dataset *data;
    TU_OK(ctx, cln_dataset_wrap_host(ctx, CLN_FLOAT32, fx, fy, n, d, nt, &data));
    double gib = (double)n * row / 1073741824.0;
    print_message("%zu + %zu rows of %zu features: %.2f GiB on the host, %.1fx the device's "
                  "memory (made in %.1f s)\n", nt, nv, d, gib,
                  gib * 1073741824.0 / (double)info->global_mem_bytes, seconds_since(&t0));
    /* The rows are more than the device's memory (as clnum sees it), X alone more than any
     * one buffer can be. */
    assert_true((double)n * row > 1.5 * (double)info->global_mem_bytes);
    cln_tensor *whole;
    TU_FAILS(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY, NULL,
             cln_tensor_create_2d(ctx, CLN_FLOAT32, n, d, &whole));

    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, d, 0.01, 3, &m));
    double *w0 = malloc(d * sizeof *w0), b0, *w = malloc(d * sizeof *w), b;
    TU_OK(ctx, cln_linreg_get(m, w0, &b0));
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    /* A minibatch must fit the device twice (two chunks): a clear error otherwise. */
    cfg.batch_size = nt;
    TU_FAILS(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY, "use a smaller batch", cln_fit(cln_linreg_model(m), data, &cfg, NULL));
    cfg.max_epochs = 1;
    cfg.batch_size = 4096;
    cfg.lr = 0.05;
    cfg.seed = 1;
    cln_history h;
    epoch_log log;
    memset(&log, 0, sizeof log);
    cfg.on_epoch = log_epoch;
    cfg.user = &log;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &cfg, &h));
    double fit_s = seconds_since(&t0);
    TU_OK(ctx, cln_linreg_get(m, w, &b));
    print_message("one streamed epoch: %.2f s, %.2f GB/s of rows\n", fit_s,
                  (double)n * row / fit_s * 1e-9);

    /* The host replica over the same float rows. */
    rows R = {NULL, NULL, fx, fy};
    cfg.on_epoch = NULL;
    replica r;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    host_fit(&R, nt, nv, d, &cfg, 0.5, w0, b0, &r);
    print_message("the host replica: %.2f s\n", seconds_since(&t0));
    TU_ASSERT_CLOSE(w, r.w, d, 1e-4, 1e-5);
    assert_true(fabs(b - r.b) <= 1e-4 * fabs(r.b) + 1e-5);
    if (!(fabs(log.val[0] - r.val_losses[0]) <= 1e-3 * r.val_losses[0] + 1e-6))
        TU_FAIL("validation loss %.6g, host replica %.6g", log.val[0], r.val_losses[0]);
    double err = 0;
    for (size_t j = 0; j < d; j++)
        err = fmax(err, fabs(true_w[j] - w[j]));
    print_message("largest |true w - learned w| %.2g, b error %.2g; validation loss %.3g\n", err,
                  fabs(true_b - b), log.val[0]);
    assert_true(err < 1e-2);
    replica_free(&r);
    cln_history_free(&h);
    cln_linreg_free(m);
    cln_dataset_free(data);
    free(fx);
    free(fy);
    free(w0);
    free(w);
}

int main(void)
{
    const char *big = getenv("CLNUM_STREAM_OVER_MEMORY");
    if (big && strcmp(big, "1") == 0) {
        const struct CMUnitTest tests[] = {cmocka_unit_test(data_twice_the_device_memory)};
        return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(streamed_equals_in_memory),
        cmocka_unit_test(other_shapes_stream),
        cmocka_unit_test(float64_streams),
        cmocka_unit_test(epoch_path_refuses_host_data),
        cmocka_unit_test(host_data_checks),
        cmocka_unit_test(synthetic_host_rows_equal_device_rows),
        cmocka_unit_test_setup_teardown(device_memory_variable, save_device_memory,
                                        restore_device_memory),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
