/* clnum-linreg as one rank of a data-parallel group. The program (linreg_run.h) sees the
 * group only through this struct, so it holds no MPI code: apps/linreg_mpi.c, built with
 * CLNUM_MPI, fills it in under mpirun (clnum/mpi.h); without a group the program runs alone. */
#ifndef CLNUM_APPS_LINREG_GROUP_H
#define CLNUM_APPS_LINREG_GROUP_H

#include "clnum/clnum.h"
#include "clnum/parallel.h"

typedef struct linreg_group {
    /* rank, size and the collectives (clnum/parallel.h): each step's status goes through
     * cln_group_agree() on it; the program's own agreements (the command line, the device
     * names, the signal that stopped the fit, the exit status) use its collectives too */
    cln_group group;
    /* This rank's context for a --device selector (NULL: CLNUM_DEVICE, else by local rank).
     * Collective: every rank gets one, or every rank fails with the failing rank's message
     * in cln_last_error(NULL). */
    cln_status (*context_create)(const char *selector, cln_context **out);
    /* cln_fit_group() over the group (collective; cfg->batch_size is a rank's share). */
    cln_status (*fit)(cln_linreg *m, const cln_dataset *shard, const cln_trainer_config *cfg,
                      cln_history *history, cln_group_stats *stats);
} linreg_group;

#endif
