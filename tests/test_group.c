/* Data-parallel training over a group (src/parallel/dist.c, src/data/shard.c) without MPI: a group of one
 * member, and groups of threads, each with its own context, whose allreduce is a barrier
 * and a sum in rank order. The same code runs over MPI (tests/test_mpi.c).
 *
 * A group of one must train exactly as cln_fit() does (bit for bit: the same fused
 * reduction, the same step); a group of K must equal cln_fit() with batch K * B over
 * cln_sharded_draw()'s order within float32 rounding, every member holding the same
 * parameters bit for bit; a failing member must stop every member with its message. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clnum/parallel.h"
#include "test_util.h"

/* ---- the global order ------------------------------------------------------------------ */

static void shard_ranges(void **state)
{
    (void)state;
    size_t first, count, total = 0;
    for (size_t r = 0; r < 3; r++) {
        cln_shard_range(10, 3, r, &first, &count);
        assert_int_equal(first, total);
        assert_int_equal(count, r == 0 ? 4 : 3);
        total += count;
    }
    cln_shard_range(10, 3, 3, &first, &count);
    assert_int_equal(count, 0);
    assert_true(cln_shard_seed(5, 0) == 5);
    assert_true(cln_shard_seed(5, 1) != cln_shard_seed(5, 2));
}

static void sharded_order(void **state)
{
    (void)state;
    /* One shard: the loader's own shuffle. */
    uint32_t a[1001], b[1001];
    assert_int_equal(cln_sharded_order(7, 2, 1001, 1, 32, 1, a), CLN_SUCCESS);
    cln_shuffle_order(7, 2, b, 1001);
    assert_memory_equal(a, b, sizeof a);
    /* Three shards of 334, 334, 333 rows, batches of 100: global batch k holds each shard's
     * batch k, shard 0 first, each a shuffle of that shard's rows. */
    assert_int_equal(cln_sharded_order(7, 2, 1001, 3, 100, 1, a), CLN_SUCCESS);
    int seen[1001] = {0};
    size_t at = 0;
    for (size_t k = 0; k < 4; k++)
        for (size_t r = 0; r < 3; r++) {
            size_t first, count;
            cln_shard_range(1001, 3, r, &first, &count);
            uint32_t local[334];
            cln_shuffle_order(cln_shard_seed(7, r), 2, local, count);
            size_t n = k < 3 ? 100 : count - 300;
            for (size_t i = 0; i < n; i++, at++) {
                assert_int_equal(a[at], first + local[k * 100 + i]);
                seen[a[at]]++;
            }
        }
    assert_int_equal(at, 1001);
    for (size_t i = 0; i < 1001; i++)
        assert_int_equal(seen[i], 1);
    /* Without shuffle: the validation order. */
    assert_int_equal(cln_sharded_order(0, 0, 5, 2, 2, 0, a), CLN_SUCCESS);
    uint32_t want[5] = {0, 1, 3, 4, 2};
    assert_memory_equal(a, want, sizeof want);
    assert_int_equal(cln_sharded_order(0, 0, 5, 0, 2, 0, a), CLN_ERR_BAD_ARGUMENT);
}

static cln_status bad_order(size_t epoch, uint32_t *order, size_t n, void *user)
{
    (void)epoch, (void)user;
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)(i + 1);
    return CLN_SUCCESS;
}

static cln_status failing_order(size_t epoch, uint32_t *order, size_t n, void *user)
{
    (void)epoch, (void)order, (void)n, (void)user;
    return CLN_ERR_OUT_OF_HOST_MEMORY;
}

/* cln_trainer_config.draw_order: one shard's global order is the default; a bad order or a
 * failing one stops the fit. */
static void draw_order_hook(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    cln_dataset *data;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    double w[2][2], b[2];
    for (int t = 0; t < 2; t++) {
        cln_linreg *m;
        TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m));
        cln_trainer_config cfg;
        cln_trainer_config_init(&cfg);
        cfg.seed = 3;
        cln_sharding sh = {3, 1, 32};
        if (t == 1) {
            cfg.draw_order = cln_sharded_draw;
            cfg.order_user = &sh;
        }
        TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &cfg, NULL));
        TU_OK(ctx, cln_linreg_get(m, w[t], &b[t]));
        if (t == 1) {
            cfg.draw_order = bad_order;
            TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "holds row 1000 of 1000",
                     cln_fit(cln_linreg_model(m), data, &cfg, NULL));
            cfg.draw_order = failing_order;
            TU_FAILS(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "draw_order returned",
                     cln_fit(cln_linreg_model(m), data, &cfg, NULL));
        }
        cln_linreg_free(m);
    }
    assert_memory_equal(w[0], w[1], sizeof w[0]);
    assert_true(b[0] == b[1]);
    cln_dataset_free(data);
}

/* ---- a group of one ------------------------------------------------------------------- */

static void group_of_one_is_cln_fit(void **state)
{
    cln_context *ctx = *state;
    struct { size_t d, nt, nv, batch; cln_placement place; } cases[] = {
        {2, 1000, 1000, 32, CLN_PLACE_DEVICE}, {3, 103, 17, 10, CLN_PLACE_DEVICE},
        {5, 5000, 100, 1000, CLN_PLACE_DEVICE}, {2, 1000, 1000, 32, CLN_PLACE_HOST},
        {300, 500, 0, 64, CLN_PLACE_HOST}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t d = cases[c].d;
        print_message("d %zu, %zu + %zu rows, batch %zu, %s\n", d, cases[c].nt, cases[c].nv,
                      cases[c].batch, cases[c].place == CLN_PLACE_HOST ? "host" : "device");
        cln_synthetic_config dc;
        cln_synthetic_config_init(&dc);
        dc.num_inputs = d;
        dc.num_train = cases[c].nt;
        dc.num_val = cases[c].nv;
        dc.placement = cases[c].place;
        dc.seed = 4;
        cln_dataset *data;
        TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
        cln_trainer_config cfg;
        cln_trainer_config_init(&cfg);
        cfg.batch_size = cases[c].batch;
        cfg.seed = 8;
        cfg.path = CLN_PATH_FUSED;
        cfg.stream_chunk_bytes = 1;
        double *w[2], b[2];
        cln_history h[2];
        cln_group g;
        cln_group_single(&g);
        for (int t = 0; t < 2; t++) {
            cln_linreg *m;
            TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, d, 0.01, 6, &m));
            w[t] = malloc(d * sizeof(double));
            cln_group_stats stats;
            if (t == 0)
                TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &cfg, &h[t]));
            else
                TU_OK(ctx, cln_fit_group(m, data, &cfg, &g, &h[t], &stats));
            TU_OK(ctx, cln_linreg_get(m, w[t], &b[t]));
            if (t == 1) {
                assert_int_equal(stats.steps, 3 * ((cases[c].nt + cfg.batch_size - 1) /
                                                   cfg.batch_size));
                assert_int_equal(stats.allreduce_bytes % sizeof(double), 0);
            }
            cln_linreg_free(m);
        }
        assert_memory_equal(w[0], w[1], d * sizeof(double));
        assert_true(b[0] == b[1]);
        assert_int_equal(h[0].epochs, h[1].epochs);
        assert_int_equal(h[0].updates, h[1].updates);
        assert_int_equal(h[1].path, CLN_PATH_FUSED); /* the path that ran, as cln_fit's */
        assert_int_equal(h[0].path, h[1].path);
        assert_int_equal(h[0].train_loss.count, h[1].train_loss.count);
        assert_int_equal(h[0].val_loss.count, h[1].val_loss.count);
        TU_ASSERT_CLOSE(h[1].train_loss.y, h[0].train_loss.y, h[0].train_loss.count, 1e-6, 1e-9);
        TU_ASSERT_CLOSE(h[1].val_loss.y, h[0].val_loss.y, h[0].val_loss.count, 1e-6, 1e-9);
        assert_memory_equal(h[1].train_loss.x, h[0].train_loss.x,
                            h[0].train_loss.count * sizeof(double));
        for (int t = 0; t < 2; t++) {
            free(w[t]);
            cln_history_free(&h[t]);
        }
        cln_dataset_free(data);
    }
    /* float64 too */
    if (cln_context_device(ctx)->has_float64) {
        cln_synthetic_config dc;
        cln_synthetic_config_init(&dc);
        dc.dtype = CLN_FLOAT64;
        cln_dataset *data;
        TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
        double w[2][2], b[2];
        cln_group g;
        cln_group_single(&g);
        cln_trainer_config cfg;
        cln_trainer_config_init(&cfg);
        cfg.path = CLN_PATH_FUSED;
        for (int t = 0; t < 2; t++) {
            cln_linreg *m;
            TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT64, 2, 0.01, 6, &m));
            TU_OK(ctx, t ? cln_fit_group(m, data, &cfg, &g, NULL, NULL) : cln_fit(cln_linreg_model(m), data, &cfg, NULL));
            TU_OK(ctx, cln_linreg_get(m, w[t], &b[t]));
            cln_linreg_free(m);
        }
        assert_memory_equal(w[0], w[1], sizeof w[0]);
        assert_true(b[0] == b[1]);
        cln_dataset_free(data);
    }
    cln_group g;
    cln_group_single(&g);
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.path = CLN_PATH_EPOCH;
    cln_dataset *data;
    cln_linreg *m;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 6, &m));
    TU_FAILS(ctx, CLN_ERR_UNSUPPORTED, "fused path", cln_fit_group(m, data, &cfg, &g, NULL, NULL));
    g.rank = 1;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "rank < size", cln_fit_group(m, data, &cfg, &g, NULL, NULL));
    cln_linreg_free(m);
    cln_dataset_free(data);
}

/* ---- the kernels against double-precision host sums ------------------------------------ */

/* A group of one whose allreduce keeps what it is given: every step's d + 4 sums (this
 * member's, unreduced) and the epoch's validation sums. */
typedef struct capture {
    size_t d, nv, steps;
    double *step_sums;   /* steps x (d + 4) */
    double *val_sums;    /* 2 nv + 1 */
} capture;

static int capture_allreduce(double *v, size_t n, cln_reduce_op op, void *user)
{
    capture *c = user;
    if (op == CLN_REDUCE_SUM && n == c->d + 4) {
        memcpy(c->step_sums + c->steps * (c->d + 4), v, n * sizeof *v);
        c->steps++;
    } else if (op == CLN_REDUCE_SUM && n == 2 * c->nv + 1 && c->nv > 0) {
        memcpy(c->val_sums, v, n * sizeof *v);
    }
    return 0;
}

static int no_broadcast(void *data, size_t bytes, size_t root, void *user)
{
    (void)data, (void)bytes, (void)root, (void)user;
    return 0;
}

/* cl/parallel/linreg_dist.cl's cln_linreg_batch_sums on ragged sizes, through the order (training)
 * and in order (validation), on the device and streamed: each step's sum x r, sum r, sum r^2
 * and rows against the same sums in double on the host. The learning rate is so small that
 * w and b stay what they were, so every step's sums are known exactly. */
static void batch_sums_against_host(void **state)
{
    cln_context *ctx = *state;
    struct { size_t d, nt, nv, batch; cln_placement place; } cases[] = {
        {1, 7, 3, 3, CLN_PLACE_DEVICE}, {3, 1000, 100, 64, CLN_PLACE_HOST},
        {300, 257, 31, 100, CLN_PLACE_DEVICE}, {2, 100003, 1000, 4096, CLN_PLACE_HOST}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t d = cases[c].d, nt = cases[c].nt, nv = cases[c].nv, B = cases[c].batch;
        size_t n = nt + nv, nb = (nt + B - 1) / B, nbv = (nv + B - 1) / B;
        print_message("d %zu, %zu + %zu rows, batch %zu\n", d, nt, nv, B);
        double *X = tu_normals(n * d, 40 + c), *y = tu_normals(n, 50 + c);
        tu_round_to_float(X, n * d);
        tu_round_to_float(y, n);
        cln_dataset *data;
        TU_OK(ctx, cln_dataset_create_placed(ctx, CLN_FLOAT32, X, y, n, d, nt, cases[c].place,
                                             &data));
        cln_linreg *m;
        TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, d, 0.5, 3, &m));
        double *w = malloc(d * sizeof *w), b = 0.25, b0;
        TU_OK(ctx, cln_linreg_get(m, w, &b0));
        TU_OK(ctx, cln_linreg_set(m, w, b));
        tu_round_to_float(w, d);
        capture cap = {d, nbv, 0, calloc(nb * (d + 4), sizeof(double)),
                       calloc(2 * nbv + 1, sizeof(double))};
        cln_group g = {0, 1, capture_allreduce, no_broadcast, &cap};
        cln_trainer_config cfg;
        cln_trainer_config_init(&cfg);
        cfg.max_epochs = 1;
        cfg.batch_size = B;
        cfg.lr = 1e-30;
        cfg.seed = 77;
        cfg.stream_chunk_bytes = 1;
        TU_OK(ctx, cln_fit_group(m, data, &cfg, &g, NULL, NULL));
        assert_int_equal(cap.steps, nb);
        uint32_t *order = malloc(nt * sizeof *order);
        cln_shuffle_order(cln_shard_seed(77, 0), 0, order, nt);
        double *want = malloc((d + 3) * sizeof *want), *mag = malloc((d + 3) * sizeof *mag);
        for (size_t k = 0; k < nb; k++) {
            size_t first = k * B, count = nt - first < B ? nt - first : B;
            memset(want, 0, (d + 3) * sizeof *want);
            memset(mag, 0, (d + 3) * sizeof *mag);
            for (size_t i = first; i < first + count; i++) {
                const double *x = X + (size_t)order[i] * d;
                double r = b - y[order[i]], ra = fabs(b) + fabs(y[order[i]]);
                for (size_t j = 0; j < d; j++) {
                    r += x[j] * w[j];
                    ra += fabs(x[j] * w[j]);
                }
                for (size_t j = 0; j < d; j++) {
                    want[j] += x[j] * r;
                    mag[j] += fabs(x[j]) * ra;
                }
                want[d] += r;
                mag[d] += ra;
                want[d + 1] += r * r;
                mag[d + 1] += ra * ra;
            }
            const double *got = cap.step_sums + k * (d + 4);
            for (size_t j = 0; j < d + 2; j++)
                if (!(fabs(got[j] - want[j]) <= 1e-5 * mag[j] + 1e-6))
                    TU_FAIL("step %zu, sum %zu: %.9g, host %.9g (magnitude %.3g)", k, j, got[j],
                            want[j], mag[j]);
            assert_true(got[d + 2] == (double)count);
            assert_true(got[d + 3] == 0);
        }
        for (size_t k = 0; k < nbv; k++) {
            size_t first = nt + k * B, count = n - first < B ? n - first : B;
            double sq = 0, mag2 = 0;
            for (size_t i = first; i < first + count; i++) {
                double r = b - y[i], ra = fabs(b) + fabs(y[i]);
                for (size_t j = 0; j < d; j++) {
                    r += X[i * d + j] * w[j];
                    ra += fabs(X[i * d + j] * w[j]);
                }
                sq += r * r;
                mag2 += ra * ra;
            }
            if (!(fabs(cap.val_sums[k] - sq) <= 1e-5 * mag2 + 1e-6))
                TU_FAIL("validation batch %zu: sum r^2 %.9g, host %.9g", k, cap.val_sums[k], sq);
            assert_true(cap.val_sums[nbv + k] == (double)count);
        }
        free(X); free(y); free(w); free(order); free(want); free(mag);
        free(cap.step_sums); free(cap.val_sums);
        cln_linreg_free(m);
        cln_dataset_free(data);
    }
}

/* ---- groups of threads ------------------------------------------------------------------ */

enum { MAX_MEMBERS = 4 };

typedef struct thread_group {
    size_t size;
    pthread_barrier_t barrier;
    void *slots[MAX_MEMBERS];
} thread_group;

typedef struct member {
    thread_group *tg;
    size_t rank;
    /* what the member does */
    size_t d, nt, nv, batch, epochs;
    double lr;                   /* 0: the default */
    cln_placement place;
    int bad_shard, other_batch, stop_after_first;
    /* what it got */
    cln_status st;
    char message[1024];
    double w[8], b;
    cln_history h;
} member;

static int thread_allreduce(double *v, size_t n, cln_reduce_op op, void *user)
{
    member *me = user;
    thread_group *g = me->tg;
    g->slots[me->rank] = v;
    pthread_barrier_wait(&g->barrier);
    double *out = malloc(n * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        double acc = ((double *)g->slots[0])[i];
        for (size_t r = 1; r < g->size; r++) {
            double x = ((double *)g->slots[r])[i];
            acc = op == CLN_REDUCE_SUM ? acc + x : fmax(acc, x);
        }
        out[i] = acc;
    }
    pthread_barrier_wait(&g->barrier); /* every member has read every slot */
    memcpy(v, out, n * sizeof *out);
    free(out);
    return 0;
}

static int thread_broadcast(void *data, size_t bytes, size_t root, void *user)
{
    member *me = user;
    thread_group *g = me->tg;
    g->slots[me->rank] = data;
    pthread_barrier_wait(&g->barrier);
    if (me->rank != root)
        memcpy(data, g->slots[root], bytes);
    pthread_barrier_wait(&g->barrier);
    return 0;
}

static int stop_now(const cln_epoch_report *r, void *user)
{
    (void)r, (void)user;
    return 1;
}

static void *member_main(void *arg)
{
    member *me = arg;
    cln_group g = {me->rank, me->tg->size, thread_allreduce, thread_broadcast, me};
    cln_context *ctx = NULL;
    cln_dataset *shard = NULL;
    cln_linreg *m = NULL;
    cln_status st = cln_context_create(NULL, &ctx);
    if (st == CLN_SUCCESS) {
        cln_synthetic_config dc;
        cln_synthetic_config_init(&dc);
        dc.num_inputs = me->d;
        dc.num_train = me->nt;
        dc.num_val = me->nv;
        dc.num_shards = me->tg->size;
        dc.shard = me->rank;
        dc.placement = me->place;
        dc.seed = 2;
        st = cln_synthetic_create(ctx, &dc, &shard);
    }
    if (st == CLN_SUCCESS)
        st = cln_linreg_create(ctx, CLN_FLOAT32, me->d, 0.01, 1, &m);
    st = cln_group_agree(&g, ctx, st);
    if (st == CLN_SUCCESS) {
        cln_trainer_config cfg;
        cln_trainer_config_init(&cfg);
        cfg.batch_size = me->other_batch ? me->batch + 1 : me->batch;
        cfg.max_epochs = me->epochs;
        cfg.seed = 12;
        cfg.stream_chunk_bytes = 2 * me->batch * (me->d + 1) * sizeof(float);
        if (me->lr > 0)
            cfg.lr = me->lr;
        if (me->stop_after_first)
            cfg.on_epoch = stop_now;
        st = cln_fit_group(m, me->bad_shard ? NULL : shard, &cfg, &g, &me->h, NULL);
        cln_status got = cln_linreg_get(m, me->w, &me->b); /* after a failure too */
        if (st == CLN_SUCCESS)
            st = got;
    }
    me->st = st;
    snprintf(me->message, sizeof me->message, "%s", cln_last_error(ctx));
    cln_context_free(ctx);
    return NULL;
}

static void run_group(member *members, size_t size)
{
    thread_group tg;
    memset(&tg, 0, sizeof tg);
    tg.size = size;
    pthread_barrier_init(&tg.barrier, NULL, (unsigned)size);
    pthread_t threads[MAX_MEMBERS];
    for (size_t r = 0; r < size; r++) {
        members[r].tg = &tg;
        members[r].rank = r;
        assert_int_equal(pthread_create(&threads[r], NULL, member_main, &members[r]), 0);
    }
    for (size_t r = 0; r < size; r++)
        pthread_join(threads[r], NULL);
    pthread_barrier_destroy(&tg.barrier);
}

/* K members of batch B against one process with batch K * B over the group's order. */
static void check_group(cln_context *ctx, size_t K, size_t d, size_t nt, size_t nv, size_t B,
                        size_t epochs, cln_placement place)
{
    print_message("%zu members: d %zu, %zu + %zu rows, batch %zu each, %s\n", K, d, nt, nv, B,
                  place == CLN_PLACE_HOST ? "host rows, streamed" : "device rows");
    member ms[MAX_MEMBERS];
    memset(ms, 0, sizeof ms);
    for (size_t r = 0; r < K; r++) {
        ms[r].d = d, ms[r].nt = nt, ms[r].nv = nv, ms[r].batch = B, ms[r].epochs = epochs;
        ms[r].place = r == 1 ? place : CLN_PLACE_DEVICE;
    }
    run_group(ms, K);
    for (size_t r = 0; r < K; r++)
        if (ms[r].st != CLN_SUCCESS)
            TU_FAIL("member %zu: %s: %s", r, cln_status_str(ms[r].st), ms[r].message);
    for (size_t r = 1; r < K; r++) {
        assert_memory_equal(ms[r].w, ms[0].w, d * sizeof(double));
        assert_true(ms[r].b == ms[0].b);
        assert_memory_equal(ms[r].h.train_loss.y, ms[0].h.train_loss.y,
                            ms[0].h.train_loss.count * sizeof(double));
    }

    /* One process: the whole set, its validation rows in the group's validation order. */
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_inputs = d;
    dc.num_train = nt;
    dc.num_val = nv;
    dc.seed = 2;
    cln_dataset *whole, *laid_out;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &whole));
    size_t n = nt + nv;
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
    double *vx = tu_download(ctx, cln_dataset_val_X(whole)), *vy = tu_download(ctx, cln_dataset_val_y(whole));
    double *tx = tu_download(ctx, cln_dataset_train_X(whole)), *ty = tu_download(ctx, cln_dataset_train_y(whole));
    memcpy(X, tx, nt * d * sizeof *X);
    memcpy(y, ty, nt * sizeof *y);
    uint32_t *vorder = malloc(nv * sizeof *vorder);
    TU_OK(NULL, cln_sharded_order(0, 0, nv, K, B, 0, vorder));
    for (size_t i = 0; i < nv; i++) {
        memcpy(X + (nt + i) * d, vx + (size_t)vorder[i] * d, d * sizeof *X);
        y[nt + i] = vy[vorder[i]];
    }
    TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, X, y, n, d, nt, &laid_out));
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, d, 0.01, 1, &m));
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.batch_size = K * B;
    cfg.max_epochs = epochs;
    cfg.seed = 12;
    cln_sharding sh = {12, K, B};
    cfg.draw_order = cln_sharded_draw;
    cfg.order_user = &sh;
    cln_history h;
    TU_OK(ctx, cln_fit(cln_linreg_model(m), laid_out, &cfg, &h));
    double w[8], b;
    TU_OK(ctx, cln_linreg_get(m, w, &b));
    TU_ASSERT_CLOSE(ms[0].w, w, d, 1e-5, 1e-6);
    assert_true(fabs(ms[0].b - b) <= 1e-5 * fabs(b) + 1e-6);
    assert_int_equal(ms[0].h.train_loss.count, h.train_loss.count);
    assert_int_equal(ms[0].h.val_loss.count, h.val_loss.count);
    assert_int_equal(ms[0].h.updates, h.updates);
    TU_ASSERT_CLOSE(ms[0].h.train_loss.y, h.train_loss.y, h.train_loss.count, 1e-4, 1e-7);
    TU_ASSERT_CLOSE(ms[0].h.val_loss.y, h.val_loss.y, h.val_loss.count, 1e-4, 1e-7);
    assert_memory_equal(ms[0].h.train_loss.x, h.train_loss.x, h.train_loss.count * sizeof(double));

    cln_history_free(&h);
    for (size_t r = 0; r < K; r++)
        cln_history_free(&ms[r].h);
    cln_linreg_free(m);
    cln_dataset_free(whole);
    cln_dataset_free(laid_out);
    free(X); free(y); free(vx); free(vy); free(tx); free(ty); free(vorder);
}

static void groups_equal_one_process(void **state)
{
    cln_context *ctx = *state;
    check_group(ctx, 2, 2, 1000, 1000, 16, 3, CLN_PLACE_DEVICE);
    check_group(ctx, 2, 2, 1001, 333, 16, 3, CLN_PLACE_HOST);   /* shards of 501 and 500 */
    check_group(ctx, 3, 3, 100, 31, 32, 4, CLN_PLACE_HOST);     /* 34, 33, 33: one batch */
    check_group(ctx, 3, 5, 2000, 10, 100, 2, CLN_PLACE_DEVICE); /* 4 of 3 val rows each */
    check_group(ctx, 4, 2, 1001, 1000, 8, 2, CLN_PLACE_DEVICE); /* 251: a last batch of 3 */
}

static void failing_member_stops_every_member(void **state)
{
    (void)state;
    member ms[3];
    /* A member without data (its own check fails before any step). */
    memset(ms, 0, sizeof ms);
    for (int r = 0; r < 3; r++)
        ms[r].d = 2, ms[r].nt = 300, ms[r].nv = 30, ms[r].batch = 16, ms[r].epochs = 2;
    ms[1].bad_shard = 1;
    run_group(ms, 3);
    for (int r = 0; r < 3; r++)
        assert_int_equal(ms[r].st, CLN_ERR_BAD_ARGUMENT);
    assert_non_null(strstr(ms[1].message, "shard is NULL"));
    assert_non_null(strstr(ms[0].message, "rank 1 of 3 failed: cln_fit_group: shard is NULL"));
    assert_non_null(strstr(ms[2].message, "rank 1 of 3 failed"));

    /* A member with another batch size. */
    memset(ms, 0, sizeof ms);
    for (int r = 0; r < 2; r++)
        ms[r].d = 2, ms[r].nt = 300, ms[r].nv = 30, ms[r].batch = 16, ms[r].epochs = 2;
    ms[1].other_batch = 1;
    run_group(ms, 2);
    for (int r = 0; r < 2; r++) {
        assert_int_equal(ms[r].st, CLN_ERR_BAD_ARGUMENT);
        assert_non_null(strstr(ms[r].message, "disagree on batch_size (from 16 to 17"));
    }

    /* One member asks to stop after the first epoch: every member stops there. */
    memset(ms, 0, sizeof ms);
    for (int r = 0; r < 2; r++)
        ms[r].d = 2, ms[r].nt = 300, ms[r].nv = 30, ms[r].batch = 16, ms[r].epochs = 3;
    ms[0].stop_after_first = 1;
    run_group(ms, 2);
    for (int r = 0; r < 2; r++) {
        assert_int_equal(ms[r].st, CLN_SUCCESS);
        assert_int_equal(ms[r].h.epochs, 1);
        cln_history_free(&ms[r].h);
    }
    assert_memory_equal(ms[0].w, ms[1].w, 2 * sizeof(double));
}

/* The epochs of a group are looked at as cln_fit() looks at its own: a last step that
 * overflows with every loss before it finite (no validation after it to see it) is a
 * divergence, and the parameters go back to those that epoch started from, on every member. */
static void overflowing_last_step_diverges(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = 40;
    dc.num_val = 0;
    cln_dataset *data;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.max_epochs = 1;
    cfg.batch_size = 40; /* one step, whose loss is that of the initial parameters */
    cfg.lr = 1e38;       /* finite in float32, but the step takes the parameters past FLT_MAX */
    cfg.path = CLN_PATH_FUSED;
    cln_group g;
    cln_group_single(&g);
    for (int t = 0; t < 2; t++) {
        cln_linreg *m;
        TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 6, &m));
        double w0[2], b0, w[2], b;
        TU_OK(ctx, cln_linreg_get(m, w0, &b0));
        cln_history h;
        TU_FAILS(ctx, CLN_ERR_DIVERGED, "in epoch 1's training steps",
                 t ? cln_fit_group(m, data, &cfg, &g, &h, NULL)
                   : cln_fit(cln_linreg_model(m), data, &cfg, &h));
        assert_non_null(strstr(cln_last_error(ctx), t ? "cln_fit_group: " : "cln_fit: "));
        assert_int_equal(h.epochs, 0);
        TU_OK(ctx, cln_linreg_get(m, w, &b));
        assert_memory_equal(w, w0, sizeof w);
        assert_true(b == b0);
        cln_history_free(&h);
        cln_linreg_free(m);
    }
    /* Two members: both diverge there, both back at the start (member_main's model). */
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 1, &m));
    double w0[2], b0;
    TU_OK(ctx, cln_linreg_get(m, w0, &b0));
    cln_linreg_free(m);
    member ms[2];
    memset(ms, 0, sizeof ms);
    for (int r = 0; r < 2; r++)
        ms[r].d = 2, ms[r].nt = 40, ms[r].nv = 0, ms[r].batch = 20, ms[r].epochs = 1,
        ms[r].lr = 1e38;
    run_group(ms, 2);
    for (int r = 0; r < 2; r++) {
        assert_int_equal(ms[r].st, CLN_ERR_DIVERGED);
        assert_non_null(strstr(ms[r].message, "in epoch 1's training steps"));
        assert_int_equal(ms[r].h.epochs, 0);
        assert_memory_equal(ms[r].w, w0, sizeof w0);
        assert_true(ms[r].b == b0);
        cln_history_free(&ms[r].h);
    }
    cln_dataset_free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shard_ranges),
        cmocka_unit_test(sharded_order),
        cmocka_unit_test(draw_order_hook),
        cmocka_unit_test(batch_sums_against_host),
        cmocka_unit_test(group_of_one_is_cln_fit),
        cmocka_unit_test(groups_equal_one_process),
        cmocka_unit_test(failing_member_stops_every_member),
        cmocka_unit_test(overflowing_last_step_diverges),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
