/* Data-parallel training over MPI, run as `mpirun -np K test_mpi SCENARIO` by
 * tests/test_mpi.cmake. Scenarios:
 *   equal       every rank trains on its shard of d2l's synthetic data (rank 1's kept on the
 *               host and streamed); the parameters and loss curves must equal, within
 *               float32 rounding, one process training with batch K * B over
 *               cln_sharded_draw()'s global order, be bit-identical on every rank, and
 *               match a double-precision host replica of the group's steps. Exit 0.
 *   bad_input   rank 1's rows hold a NaN: every rank must stop at cln_mpi_agree() with
 *               rank 1's message. Exit 1 on every rank.
 *   mismatch    rank 1 asks for another batch size: cln_mpi_fit() fails on every rank,
 *               naming it. Exit 1.
 *   diverge     rank 1's host rows turn to NaN after the first epoch (its data changes under
 *               it): the group's losses are NaN, every rank stops with CLN_ERR_DIVERGED and
 *               the same parameters. Exit 1.
 *   crash       rank 1 dies in the middle of training (_exit): mpirun must end the job
 *               (a non-zero exit) rather than leave rank 0 waiting in MPI_Allreduce.
 * Every rank prints "rank R: ..." lines; the driver looks for them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <clnum/clnum.h>
#include <clnum/mpi.h>

static int rank, size;

#define SAY(...)                        \
    do {                                \
        printf("rank %d: ", rank);      \
        printf(__VA_ARGS__);            \
        printf("\n");                   \
        fflush(stdout);                 \
    } while (0)

/* A clnum failure: print it and leave with 1 (after the collective calls have agreed). */
static int failed(const char *what, cln_status st, const cln_context *ctx)
{
    SAY("error: %s: %s (%d): %s", what, cln_status_str(st), (int)st, cln_last_error(ctx));
    return 1;
}

static int checks_failed;
#define CHECK(cond, ...)                                  \
    do {                                                  \
        if (!(cond)) {                                    \
            SAY("CHECK FAILED (%s:%d) %s", __FILE__, __LINE__, #cond); \
            SAY(__VA_ARGS__);                             \
            checks_failed++;                              \
        }                                                 \
    } while (0)

static int close_to(double got, double want, double rtol, double atol)
{
    return fabs(got - want) <= atol + rtol * fabs(want);
}

enum { D = 2, N_TRAIN = 1001, N_VAL = 333, B = 16, EPOCHS = 3 };

/* The whole synthetic set, with the validation rows laid out in the group's validation
 * order (cln_sharded_order without shuffle), so one process sees the same validation
 * minibatches. X and y as doubles for cln_dataset_create and the replica. */
static int whole_set(cln_context *ctx, double **Xo, double **yo)
{
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = N_TRAIN;
    dc.num_val = N_VAL;
    cln_dataset *all;
    cln_status st = cln_synthetic_create(ctx, &dc, &all);
    if (st != CLN_SUCCESS)
        return failed("whole synthetic set", st, ctx);
    size_t n = N_TRAIN + N_VAL;
    double *X = malloc(n * D * sizeof *X), *y = malloc(n * sizeof *y);
    double *vx = malloc(N_VAL * D * sizeof *vx), *vy = malloc(N_VAL * sizeof *vy);
    uint32_t *order = malloc(N_VAL * sizeof *order);
    st = cln_tensor_download_f64(cln_dataset_train_X(all), X, N_TRAIN * D);
    if (st == CLN_SUCCESS)
        st = cln_tensor_download_f64(cln_dataset_train_y(all), y, N_TRAIN);
    if (st == CLN_SUCCESS)
        st = cln_tensor_download_f64(cln_dataset_val_X(all), vx, N_VAL * D);
    if (st == CLN_SUCCESS)
        st = cln_tensor_download_f64(cln_dataset_val_y(all), vy, N_VAL);
    if (st == CLN_SUCCESS)
        st = cln_sharded_order(0, 0, N_VAL, (size_t)size, B, 0, order);
    if (st != CLN_SUCCESS)
        return failed("downloading the whole set", st, ctx);
    for (size_t i = 0; i < N_VAL; i++) {
        memcpy(X + (N_TRAIN + i) * D, vx + (size_t)order[i] * D, D * sizeof *X);
        y[N_TRAIN + i] = vy[order[i]];
    }
    free(vx); free(vy); free(order);
    cln_dataset_free(all);
    *Xo = X;
    *yo = y;
    return 0;
}

/* The group's steps in double on the host: batch K * B over the global order. */
static void replica(const double *X, const double *y, double *w, double *b)
{
    cln_sharding sh = {0, (size_t)size, B};
    size_t bs = (size_t)size * B, nb = (N_TRAIN + bs - 1) / bs;
    uint32_t order[N_TRAIN];
    for (size_t e = 0; e < EPOCHS; e++) {
        cln_sharded_draw(e, order, N_TRAIN, &sh);
        for (size_t k = 0; k < nb; k++) {
            size_t first = k * bs, count = N_TRAIN - first < bs ? N_TRAIN - first : bs;
            double g[D] = {0}, gb = 0;
            for (size_t i = first; i < first + count; i++) {
                const double *x = X + (size_t)order[i] * D;
                double r = *b - y[order[i]];
                for (size_t j = 0; j < D; j++)
                    r += x[j] * w[j];
                gb += r;
                for (size_t j = 0; j < D; j++)
                    g[j] += x[j] * r;
            }
            for (size_t j = 0; j < D; j++)
                w[j] -= 0.03 * g[j] / count;
            *b -= 0.03 * gb / count;
        }
    }
}

/* This rank's shard: rank 1's on the host (streamed in chunks of 3 minibatches). */
static cln_status make_shard(cln_context *ctx, cln_dataset **out)
{
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = N_TRAIN;
    dc.num_val = N_VAL;
    dc.num_shards = (size_t)size;
    dc.shard = (size_t)rank;
    dc.placement = rank == 1 ? CLN_PLACE_HOST : CLN_PLACE_DEVICE;
    return cln_synthetic_create(ctx, &dc, out);
}

static int scenario_equal(cln_context *ctx)
{
    cln_dataset *shard;
    cln_status st = cln_mpi_agree(MPI_COMM_WORLD, ctx, make_shard(ctx, &shard));
    if (st != CLN_SUCCESS)
        return failed("making the shards", st, ctx);
    cln_linreg *m;
    st = cln_linreg_create(ctx, CLN_FLOAT32, D, 0.01, 0, &m);
    double w0[D], b0;
    if (st == CLN_SUCCESS)
        st = cln_linreg_get(m, w0, &b0);
    st = cln_mpi_agree(MPI_COMM_WORLD, ctx, st);
    if (st != CLN_SUCCESS)
        return failed("the model", st, ctx);
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.batch_size = B;
    cfg.max_epochs = EPOCHS;
    cfg.stream_chunk_bytes = 3 * B * (D + 1) * sizeof(float);
    cln_history h;
    cln_group_stats stats;
    st = cln_mpi_fit(m, shard, &cfg, MPI_COMM_WORLD, &h, &stats);
    if (st != CLN_SUCCESS)
        return failed("cln_mpi_fit", st, ctx);
    double w[D], b;
    if ((st = cln_linreg_get(m, w, &b)) != CLN_SUCCESS)
        return failed("reading the parameters", st, ctx);
    SAY("trained on %zu + %zu rows (%s): w = [%.7f, %.7f], b = %.7f; %llu steps, %llu "
        "allreduces, %.3f s in them", cln_dataset_num_train(shard), cln_dataset_num_val(shard),
        cln_dataset_on_host(shard) ? "host, streamed" : "device", w[0], w[1], b,
        (unsigned long long)stats.steps, (unsigned long long)stats.allreduces,
        stats.allreduce_seconds);

    /* The same on every rank, bit for bit. */
    double mine[D + 1] = {w[0], w[1], b}, hi[D + 1], lo[D + 1];
    MPI_Allreduce(mine, hi, D + 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(mine, lo, D + 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
    CHECK(memcmp(hi, lo, sizeof hi) == 0, "the ranks' parameters differ");

    /* One process, batch K * B, the group's global order. */
    double *X = NULL, *y = NULL;
    if (whole_set(ctx, &X, &y))
        return 1;
    cln_dataset *all;
    cln_linreg *m1;
    st = cln_dataset_create(ctx, CLN_FLOAT32, X, y, N_TRAIN + N_VAL, D, N_TRAIN, &all);
    if (st == CLN_SUCCESS)
        st = cln_linreg_create(ctx, CLN_FLOAT32, D, 0.01, 0, &m1);
    cln_sharding sh = {cfg.seed, (size_t)size, B};
    cln_trainer_config one = cfg;
    one.batch_size = (size_t)size * B;
    one.draw_order = cln_sharded_draw;
    one.order_user = &sh;
    cln_history h1;
    if (st == CLN_SUCCESS)
        st = cln_fit(cln_linreg_model(m1), all, &one, &h1);
    double w1[D], b1;
    if (st == CLN_SUCCESS)
        st = cln_linreg_get(m1, w1, &b1);
    if (st != CLN_SUCCESS)
        return failed("the single-process run", st, ctx);
    SAY("one process, batch %zu:      w = [%.7f, %.7f], b = %.7f", one.batch_size, w1[0], w1[1],
        b1);
    for (int j = 0; j < D; j++)
        CHECK(close_to(w[j], w1[j], 1e-5, 1e-6), "w[%d]: group %.9g, one process %.9g", j, w[j],
              w1[j]);
    CHECK(close_to(b, b1, 1e-5, 1e-6), "b: group %.9g, one process %.9g", b, b1);
    CHECK(h.epochs == h1.epochs && h.updates == h1.updates, "history: %zu epochs %zu updates, "
          "one process %zu and %zu", h.epochs, h.updates, h1.epochs, h1.updates);
    CHECK(h.train_loss.count == h1.train_loss.count && h.val_loss.count == h1.val_loss.count,
          "curve lengths differ");
    for (size_t i = 0; i < h.train_loss.count && i < h1.train_loss.count; i++) {
        CHECK(h.train_loss.x[i] == h1.train_loss.x[i], "train point %zu: x", i);
        CHECK(close_to(h.train_loss.y[i], h1.train_loss.y[i], 1e-4, 1e-7),
              "train point %zu: %.9g, one process %.9g", i, h.train_loss.y[i], h1.train_loss.y[i]);
    }
    for (size_t i = 0; i < h.val_loss.count && i < h1.val_loss.count; i++)
        CHECK(close_to(h.val_loss.y[i], h1.val_loss.y[i], 1e-4, 1e-7),
              "val point %zu: %.9g, one process %.9g", i, h.val_loss.y[i], h1.val_loss.y[i]);

    /* Both are the double-precision replica's. */
    double wr[D] = {w0[0], w0[1]}, br = b0;
    replica(X, y, wr, &br);
    for (int j = 0; j < D; j++)
        CHECK(close_to(w[j], wr[j], 1e-4, 1e-5), "w[%d]: group %.9g, replica %.9g", j, w[j],
              wr[j]);
    CHECK(close_to(b, br, 1e-4, 1e-5), "b: group %.9g, replica %.9g", b, br);
    /* ... which moved well away from the start: the check is not vacuous. */
    CHECK(fabs(w[0] - w0[0]) > 1, "w barely moved: %g -> %g", w0[0], w[0]);
    SAY("host replica:                w = [%.7f, %.7f], b = %.7f", wr[0], wr[1], br);

    cln_history_free(&h);
    cln_history_free(&h1);
    free(X);
    free(y);
    int bad = checks_failed, any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (any)
        SAY("FAILED");
    else
        SAY("passed");
    return any ? 1 : 0;
}

static int scenario_bad_input(cln_context *ctx)
{
    /* Rank 1 reads rows with a NaN in them; the others are fine. */
    float X[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[4] = {1, 2, 3, 4};
    if (rank == 1)
        X[5] = NAN;
    cln_dataset *shard = NULL;
    cln_status st = cln_dataset_wrap_host(ctx, CLN_FLOAT32, X, y, 4, 2, 4, &shard);
    st = cln_mpi_agree(MPI_COMM_WORLD, ctx, st);
    if (st != CLN_SUCCESS)
        return failed("loading the shards", st, ctx);
    SAY("no failure was reported");
    return 0;
}

static int scenario_mismatch(cln_context *ctx)
{
    cln_dataset *shard;
    cln_linreg *m;
    cln_status st = make_shard(ctx, &shard);
    if (st == CLN_SUCCESS)
        st = cln_linreg_create(ctx, CLN_FLOAT32, D, 0.01, 0, &m);
    st = cln_mpi_agree(MPI_COMM_WORLD, ctx, st);
    if (st != CLN_SUCCESS)
        return failed("setup", st, ctx);
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.batch_size = rank == 1 ? B + 1 : B;
    st = cln_mpi_fit(m, shard, &cfg, MPI_COMM_WORLD, NULL, NULL);
    if (st != CLN_SUCCESS)
        return failed("cln_mpi_fit", st, ctx);
    SAY("no failure was reported");
    return 0;
}

/* diverge: rank 1 poisons its own rows at the end of epoch 0. crash: rank 1 dies there. */
static float *poison_rows;
static size_t poison_count;
static int crash;

static int on_epoch(const cln_epoch_report *r, void *user)
{
    (void)user;
    if (rank == 1 && r->epoch == 0) {
        if (crash) {
            SAY("dying in the middle of training");
            _exit(3);
        }
        for (size_t i = 0; i < poison_count; i++)
            poison_rows[i] = NAN;
        SAY("my rows are NaN from now on");
    }
    return 0;
}

static int scenario_diverge(cln_context *ctx, int die)
{
    crash = die;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_shards = (size_t)size;
    dc.shard = (size_t)rank;
    dc.placement = CLN_PLACE_HOST;
    cln_dataset *host, *shard = NULL;
    cln_linreg *m;
    cln_status st = cln_synthetic_create(ctx, &dc, &host);
    size_t n = 0;
    float *X = NULL, *y = NULL;
    if (st == CLN_SUCCESS) {
        /* its rows in this program's memory, which the dataset borrows */
        n = cln_dataset_num_train(host) + cln_dataset_num_val(host);
        X = malloc(n * D * sizeof *X);
        y = malloc(n * sizeof *y);
        memcpy(X, cln_dataset_host_X(host), n * D * sizeof *X);
        memcpy(y, cln_dataset_host_y(host), n * sizeof *y);
        st = cln_dataset_wrap_host(ctx, CLN_FLOAT32, X, y, n, D, cln_dataset_num_train(host),
                                   &shard);
    }
    if (st == CLN_SUCCESS)
        st = cln_linreg_create(ctx, CLN_FLOAT32, D, 0.01, 0, &m);
    st = cln_mpi_agree(MPI_COMM_WORLD, ctx, st);
    if (st != CLN_SUCCESS)
        return failed("setup", st, ctx);
    poison_rows = X;
    poison_count = n * D;
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.max_epochs = 3;
    cfg.on_epoch = on_epoch;
    st = cln_mpi_fit(m, shard, &cfg, MPI_COMM_WORLD, NULL, NULL);
    double w[D], b;
    cln_linreg_get(m, w, &b);
    SAY("parameters after the fit: w = [%.7f, %.7f], b = %.7f", w[0], w[1], b);
    if (st != CLN_SUCCESS)
        return failed("cln_mpi_fit", st, ctx);
    SAY("no failure was reported");
    return 0;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const char *scenario = argc > 1 ? argv[1] : "equal";
    cln_context *ctx;
    cln_status st = cln_mpi_context_create(MPI_COMM_WORLD, NULL, &ctx);
    int rc;
    if (st != CLN_SUCCESS) {
        rc = failed("cln_mpi_context_create", st, NULL);
    } else {
        SAY("%d of %d on %s", rank, size, cln_context_device(ctx)->device_name);
        if (strcmp(scenario, "equal") == 0)
            rc = scenario_equal(ctx);
        else if (strcmp(scenario, "bad_input") == 0)
            rc = scenario_bad_input(ctx);
        else if (strcmp(scenario, "mismatch") == 0)
            rc = scenario_mismatch(ctx);
        else if (strcmp(scenario, "diverge") == 0)
            rc = scenario_diverge(ctx, 0);
        else if (strcmp(scenario, "crash") == 0)
            rc = scenario_diverge(ctx, 1);
        else
            rc = failed(scenario, CLN_ERR_BAD_ARGUMENT, NULL);
        cln_context_free(ctx);
    }
    /* Every rank has printed before any leaves: mpirun ends the job at the first non-zero
     * exit. (No rank is stuck in a collective by now: the library's calls all returned.) */
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Finalize();
    return rc;
}
