/**
 * @file mpi.h
 * @brief Data-parallel training over MPI: `mpirun -np K` processes, each with its own
 * device and its own shard of the data (parallel.h says what is computed). Built only with
 * `-DCLNUM_MPI=ON`, in its own library, libclnum_mpi (link it with libclnum and MPI).
 *
 * A program calls MPI_Init, then, on every rank of a communicator:
 *   1. cln_mpi_context_create(): this rank's device, by local rank (the ranks on one node
 *      share out its GPUs), unless a selector or CLNUM_DEVICE names one;
 *   2. its shard: cln_synthetic_config with num_shards = K and shard = rank draws exactly
 *      this rank's rows of the whole synthetic set; cln_shard_range() says which rows of a
 *      file are this rank's; then cln_mpi_agree() on the status of that setup, so that a
 *      rank whose input is bad stops every rank with its message instead of leaving them
 *      waiting;
 *   3. cln_mpi_fit() (every rank the same model and configuration);
 * then MPI_Finalize. Every function here but cln_mpi_group() is collective over the
 * communicator: every rank calls it, in the same order.
 *
 * Failures: each collective step carries a "failed" count (see parallel.h), so a rank that
 * fails makes every rank return an error with the failing rank's message, and the library
 * never calls MPI_Abort. A rank that dies or exits without MPI_Finalize is MPI's to handle:
 * mpirun then ends the job.
 */
#ifndef CLNUM_MPI_H
#define CLNUM_MPI_H

#include "clnum/export.h"

#include <mpi.h>

#include "clnum/parallel.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief A cln_group over an MPI communicator: rank and size are the communicator's, the
 * allreduce is MPI_Allreduce (MPI_DOUBLE, MPI_SUM or MPI_MAX, in place) and the broadcast
 * MPI_Bcast. Not collective. The communicator must outlive the group.
 * @param comm the communicator. @param[out] group the group.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for a NULL group, MPI_COMM_NULL or MPI not
 * initialised.
 */
CLN_API cln_status cln_mpi_group(MPI_Comm comm, cln_group *group);

/**
 * @brief This rank's context. With a selector, or else CLNUM_DEVICE, that device (every rank
 * the same selector); otherwise the (local rank mod G)-th of the node's G GPUs, local rank
 * being the rank among the communicator's ranks on this node (MPI_COMM_TYPE_SHARED), or the
 * default device when there is no GPU. Collective: if any rank cannot make its context,
 * every rank fails (cln_mpi_agree()) and makes none.
 * @param comm the communicator. @param selector a device selector (runtime.h) or NULL.
 * @param[out] out the context, NULL on failure.
 * @return CLN_SUCCESS; a failing rank's status, with the message in cln_last_error(NULL).
 */
CLN_API cln_status cln_mpi_context_create(MPI_Comm comm, const char *selector, cln_context **out);

/**
 * @brief cln_group_agree() over the communicator: every rank passes its own status, and
 * every rank gets CLN_SUCCESS or the lowest failing rank's status and message.
 * @param comm the communicator. @param ctx where the message goes (NULL: cln_last_error(NULL)).
 * @param local this rank's status.
 * @return as cln_group_agree().
 */
CLN_API cln_status cln_mpi_agree(MPI_Comm comm, cln_context *ctx, cln_status local);

/**
 * @brief cln_fit_group() over the communicator.
 * @param m this rank's model (the same initial parameters on every rank).
 * @param shard this rank's rows. @param cfg the same on every rank.
 * @param comm the communicator. @param history may be NULL. @param stats may be NULL.
 * @return as cln_fit_group().
 */
CLN_API cln_status cln_mpi_fit(cln_linreg *m, const cln_dataset *shard, const cln_trainer_config *cfg,
                       MPI_Comm comm, cln_history *history, cln_group_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
