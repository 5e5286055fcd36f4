/* clnum-linreg under mpirun (apps/linreg_mpi.c, built only with -DCLNUM_MPI=ON). No MPI type
 * here: clnum-linreg.c includes it without mpi.h. */
#ifndef CLNUM_APPS_LINREG_MPI_H
#define CLNUM_APPS_LINREG_MPI_H

/* 1 when an MPI launcher started this process (mpirun, mpiexec, srun: its environment
 * names a rank), 0 otherwise: then MPI is not initialised at all. */
int linreg_mpi_launched(void);

/* MPI_Init, linreg_main() on MPI_COMM_WORLD (alone when it has one rank), MPI_Finalize.
 * Returns the exit status, the same on every rank. */
int linreg_mpi_main(int argc, char **argv);

#endif
