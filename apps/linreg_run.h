/* clnum-linreg's entry point, below both builds' main (linreg_main.c alone, linreg_mpi.c
 * under mpirun): nothing here calls back into them. */
#ifndef CLNUM_APPS_LINREG_RUN_H
#define CLNUM_APPS_LINREG_RUN_H

#include "linreg_group.h"

/* The whole program: reads argv and the environment and does what they ask, alone (group
 * NULL) or as one rank of a group of more than one. Returns the exit status; in a group the
 * same on every rank, and only rank 0 prints or writes files. */
int linreg_run(int argc, char **argv, const linreg_group *group);

#endif
