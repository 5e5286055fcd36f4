/* clnum-linreg's main in the -DCLNUM_MPI=ON build: under mpirun, MPI_COMM_WORLD as the
 * program's group (linreg_group.h), each rank with its device (cln_mpi_context_create)
 * training on its shard (cln_mpi_fit); started without a launcher, the program alone, as
 * the build without MPI runs it (linreg_main.c). The rest of the program holds no MPI code. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "cli_args.h"
#include "clnum/mpi.h"
#include "linreg_group.h"
#include "linreg_run.h"

/* 1 when an MPI launcher started this process (mpirun, mpiexec, srun: its environment names
 * a rank); 0 otherwise, and then MPI is not initialised at all. */
static int mpi_launched(void)
{
    /* Open MPI's mpirun, PMIx launchers (Open MPI, Slurm --mpi=pmix), PMI/PMI2 (MPICH's
     * Hydra, Intel MPI, Slurm) */
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
                                       "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return 1;
    }
    return 0;
}

static cln_status context_create(const char *selector, cln_context **out)
{
    return cln_mpi_context_create(MPI_COMM_WORLD, selector, out);
}

static cln_status fit(cln_linreg *m, const cln_dataset *shard, const cln_trainer_config *cfg,
                      cln_history *history, cln_group_stats *stats)
{
    return cln_mpi_fit(m, shard, cfg, MPI_COMM_WORLD, history, stats);
}

/* MPI_Init, the program on MPI_COMM_WORLD (alone when it has one rank), MPI_Finalize.
 * Returns the exit status, the same on every rank. */
static int run_under_mpi(int argc, char **argv)
{
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "clnum-linreg: MPI_Init failed\n");
        return 1;
    }
    int size = 1, rc;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size == 1) {
        rc = linreg_run(argc, argv, NULL); /* mpirun -np 1: the program alone */
    } else {
        linreg_group g;
        memset(&g, 0, sizeof g);
        g.context_create = context_create;
        g.fit = fit;
        if (cln_mpi_group(MPI_COMM_WORLD, &g.group) != CLN_SUCCESS) {
            fprintf(stderr, "clnum-linreg: %s\n", cln_last_error(NULL));
            rc = 1; /* the same on every rank: nothing here differs between them */
        } else {
            rc = linreg_run(argc, argv, &g);
        }
    }
    MPI_Finalize();
    return rc;
}

int main(int argc, char **argv)
{
    /* as linreg_main.c: write errors reported rather than SIGXFSZ, and the signals that
     * were ignored at the start noted before any library runs */
    signal(SIGXFSZ, SIG_IGN);
    cli_signals_note_ignored();
    if (mpi_launched())
        return run_under_mpi(argc, argv); /* under mpirun: each rank on its shard */
    return cli_end_by_signal(linreg_run(argc, argv, NULL));
}
