/* clnum-mpi-bench: data-parallel training over MPI, timed (issue 6). Built with CLNUM_MPI.
 *
 *   mpirun -np K clnum-mpi-bench [--inputs D] [--rows N] [--batch B] [--epochs E]
 *                                [--repeats R] [--json FILE]
 *
 * Every rank draws its shard of one synthetic problem (D inputs, N training rows, no
 * validation) on its device and the group trains E epochs with a global minibatch of B
 * rows (B / K a rank: B must be a multiple of K), so K = 1, 2, ... train the same model and
 * their times compare directly. Rank 0 prints, for the best of R fits: the time of an
 * epoch (the best gap between two epochs' reports), the time a rank spends inside
 * MPI_Allreduce an epoch (the largest over ranks; it includes waiting for the slowest rank),
 * the allreduces an epoch and the bytes of each: the step's d + 4 doubles. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clnum/clnum.h>
#include <clnum/mpi.h>

typedef struct timing {
    double last, best;
} timing;

static int on_epoch(const cln_epoch_report *r, void *user)
{
    timing *t = user;
    if (r->epoch > 0 && r->seconds - t->last < t->best)
        t->best = r->seconds - t->last;
    t->last = r->seconds;
    return 0;
}

static int rank, size;

static int fail(const char *what, cln_status st, const cln_context *ctx)
{
    fprintf(stderr, "clnum-mpi-bench: rank %d: %s: %s: %s\n", rank, what, cln_status_str(st),
            cln_last_error(ctx));
    MPI_Finalize();
    return 1;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    size_t d = 2, rows = 1000, batch = 32, epochs = 4;
    int repeats = 3;
    const char *json = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        unsigned long long n = v ? strtoull(v, &end, 10) : 0;
        int ok = v && end && *end == '\0' && n > 0;
        if (strcmp(a, "--json") == 0 && v)
            json = v;
        else if (strcmp(a, "--inputs") == 0 && ok)
            d = n;
        else if (strcmp(a, "--rows") == 0 && ok)
            rows = n;
        else if (strcmp(a, "--batch") == 0 && ok)
            batch = n;
        else if (strcmp(a, "--epochs") == 0 && ok && n >= 2)
            epochs = n;
        else if (strcmp(a, "--repeats") == 0 && ok)
            repeats = (int)n;
        else {
            if (rank == 0)
                fprintf(stderr, "usage: mpirun -np K clnum-mpi-bench [--inputs D] [--rows N] "
                                "[--batch B] [--epochs E >= 2] [--repeats R] [--json FILE]\n");
            MPI_Finalize();
            return 2;
        }
        i++;
    }
    if (batch % (size_t)size != 0) {
        if (rank == 0)
            fprintf(stderr, "clnum-mpi-bench: the global batch %zu is not a multiple of %d ranks\n",
                    batch, size);
        MPI_Finalize();
        return 2;
    }
    cln_context *ctx;
    cln_status st = cln_mpi_context_create(MPI_COMM_WORLD, NULL, &ctx);
    if (st != CLN_SUCCESS)
        return fail("cln_mpi_context_create", st, NULL);
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_inputs = d;
    dc.num_train = rows;
    dc.num_val = 0;
    dc.num_shards = (size_t)size;
    dc.shard = (size_t)rank;
    cln_dataset *shard = NULL;
    cln_linreg *m = NULL;
    st = cln_synthetic_create(ctx, &dc, &shard);
    if (st == CLN_SUCCESS)
        st = cln_linreg_create(ctx, CLN_FLOAT32, d, 0.01, 0, &m);
    st = cln_mpi_agree(MPI_COMM_WORLD, ctx, st);
    if (st != CLN_SUCCESS)
        return fail("the shard", st, ctx);
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.batch_size = batch / (size_t)size;
    cfg.max_epochs = epochs;
    cfg.lr = 0.01;
    timing t = {0, INFINITY};
    cfg.on_epoch = on_epoch;
    cfg.user = &t;
    double best_allreduce = INFINITY, best_fit = INFINITY;
    cln_group_stats stats = {0};
    for (int r = 0; r < repeats; r++) {
        double *w = calloc(d, sizeof *w);
        st = cln_linreg_set(m, w, 0); /* every fit from the same start */
        free(w);
        if (st == CLN_SUCCESS) /* ... and the same orders: a fit would continue the last */
            st = cln_model_set_epochs_trained(cln_linreg_model(m), 0);
        t.last = 0;
        if (st == CLN_SUCCESS)
            st = cln_mpi_fit(m, shard, &cfg, MPI_COMM_WORLD, NULL, &stats);
        if (st != CLN_SUCCESS)
            return fail("cln_mpi_fit", st, ctx);
        double per_epoch = stats.allreduce_seconds / (double)epochs;
        if (per_epoch < best_allreduce)
            best_allreduce = per_epoch;
        if (stats.seconds < best_fit)
            best_fit = stats.seconds;
    }
    /* the slowest rank's */
    double mine[3] = {t.best, best_allreduce, best_fit}, worst[3];
    MPI_Reduce(mine, worst, 3, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    size_t steps = (size_t)stats.steps / epochs, per_step = (d + 4) * sizeof(double);
    size_t allreduces = (size_t)stats.allreduces / epochs;
    if (rank == 0) {
        const cln_device_info *info = cln_context_device(ctx);
        printf("K %d (%s), d %zu, %zu rows, global batch %zu (%zu a rank), %zu epochs\n", size,
               info->device_name, d, rows, batch, cfg.batch_size, epochs);
        printf("  epoch %.3f ms; in MPI_Allreduce %.3f ms an epoch (%.0f%%); %zu steps and %zu "
               "allreduces an epoch, %zu bytes a step; %.1f us an allreduce\n",
               worst[0] * 1e3, worst[1] * 1e3, 100 * worst[1] / worst[0], steps, allreduces,
               per_step, worst[1] / (double)allreduces * 1e6);
        if (json) {
            FILE *out = fopen(json, "w");
            if (out) {
                fprintf(out,
                        "{\"ranks\": %d, \"inputs\": %zu, \"rows\": %zu, \"batch\": %zu, "
                        "\"epoch_ms\": %.6g, \"allreduce_ms_per_epoch\": %.6g, "
                        "\"steps_per_epoch\": %zu, \"allreduces_per_epoch\": %zu, "
                        "\"bytes_per_step\": %zu, \"fit_s\": %.6g}\n",
                        size, d, rows, batch, worst[0] * 1e3, worst[1] * 1e3, steps, allreduces,
                        per_step, worst[2]);
                fclose(out);
            }
        }
    }
    cln_context_free(ctx);
    MPI_Finalize();
    return 0;
}
