/**
 * @file parallel.h
 * @brief Data-parallel training: a group of members (MPI ranks, mpi.h, or any transport you
 * plug in), each with its own device and its own shard of the data, training one model.
 *
 * Member r of K holds shard r of the rows (cln_shard_range(), data.h; cln_synthetic_config
 * draws a shard without drawing the rest) and shuffles its training rows every epoch with
 * cln_shard_seed(seed, r). Global minibatch k is the concatenation, member 0 first, of
 * every member's minibatch k of batch_size rows. Each member reduces its rows of the
 * minibatch to sums on its device (sum x r, sum r and sum r^2 with r = x . w + b - y, the
 * fused kernel's reduction), the group adds them and the row counts with one allreduce of
 * d + 4 doubles, and every member applies the same SGD step, the gradient being the group's
 * sums over the group's rows: exactly a single-device run with a K times larger minibatch.
 * cln_sharded_draw() (data.h) draws that global order in one process, so cln_fit() with
 * batch K * batch_size takes the same minibatches and reaches the same parameters (within
 * float32 rounding: the sums are added in double, in another order). Validation minibatch k
 * is likewise the members' validation minibatches k, one allreduce an epoch.
 *
 * Failures: a member whose step fails (bad input, a device error) does not leave the
 * others waiting. Every allreduce carries a "failed" count; once it is non-zero, every
 * member stops at the same step and cln_group_agree() sends the message of the lowest
 * failing member to all: every member returns a status (the failing member's) and a
 * message that says which member failed and why. The transport's own failures (a member
 * that died) are the transport's to handle: MPI's default error handler ends the job.
 */
#ifndef CLNUM_PARALLEL_H
#define CLNUM_PARALLEL_H

#include "clnum/export.h"

#include "clnum/linreg.h"
#include "clnum/trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The element-wise reductions a group's allreduce must offer. */
typedef enum cln_reduce_op {
    CLN_REDUCE_SUM = 0,   /**< the sum over members */
    CLN_REDUCE_MAX = 1    /**< the largest value */
} cln_reduce_op;

/** A group of members that train one model together, as its transport's callbacks. Every
 * member makes the same collective calls, in the same order, with the same sizes. */
typedef struct cln_group {
    size_t rank;   /**< this member, 0 .. size - 1 */
    size_t size;   /**< members, at least 1 */
    /** Reduces values[0 .. n) element-wise over every member, in place; every member gets
     * the same result. Returns 0, or non-zero for a failure of the transport. */
    int (*allreduce)(double *values, size_t n, cln_reduce_op op, void *user);
    /** Copies bytes from member root's data to every member's, in place. Returns 0, or
     * non-zero for a failure of the transport. */
    int (*broadcast)(void *data, size_t bytes, size_t root, void *user);
    void *user;    /**< passed to both */
} cln_group;

/** What one member measured in cln_fit_group(). The allreduce figures are the epochs' (a
 * step's sums, an epoch's validation losses and its stop flag), not the start's agreements. */
typedef struct cln_group_stats {
    double seconds;            /**< the whole fit */
    double allreduce_seconds;  /**< inside the group's allreduce (waiting for the others too) */
    uint64_t allreduces;       /**< allreduce calls */
    uint64_t allreduce_bytes;  /**< bytes a member contributes to them, in all */
    uint64_t steps;            /**< SGD steps (training minibatches) */
} cln_group_stats;

/**
 * @brief Agrees on success: a collective call in which every member passes its own status.
 * @param group the group. @param ctx where the message goes (NULL: cln_last_error(NULL)).
 * @param local this member's status (its message in cln_last_error(ctx)).
 * @return CLN_SUCCESS on every member when every member passed CLN_SUCCESS. Otherwise a
 * failing member returns its own status and keeps its message, and every other member
 * returns the status of the lowest failing member with the message "rank R of K failed:
 * <its message>". CLN_ERR_IO when the transport fails.
 */
CLN_API cln_status cln_group_agree(const cln_group *group, cln_context *ctx, cln_status local);

/**
 * @brief Data-parallel cln_fit(): a collective call in which each member trains on its
 * shard, and every member ends with the same parameters and history.
 * @param m this member's model: the same initial parameters on every member.
 * @param shard this member's rows, on its device or host-resident (streamed); shards may
 * differ in size (a member past its last minibatch adds no rows), and balanced shards
 * (cln_shard_range()) make the run equal to cln_fit() with batch size * batch_size over
 * cln_sharded_draw()'s order.
 * @param cfg the same on every member: batch_size is a member's share of a global
 * minibatch; path AUTO or FUSED (the fused kernel's reduction); on_epoch may differ, and
 * one member asking to stop stops all after that epoch; draw_order is not used (the order
 * is the group's).
 * @param group the group.
 * @param history may be NULL; as cln_fit()'s (path CLN_PATH_FUSED), the same on every member.
 * @param stats may be NULL; this member's timings.
 * @return CLN_SUCCESS on every member, or on every member a failure (but a group that is
 * not one, size 0, rank >= size or a NULL callback, fails on that member alone, at once,
 * CLN_ERR_BAD_ARGUMENT, as no collective call can be made): CLN_ERR_BAD_ARGUMENT
 * when members disagree on the configuration or the model's shape (naming what); a
 * member's own failure (see cln_group_agree()); CLN_ERR_DIVERGED as cln_fit(), for a
 * non-finite loss or parameter (parameters restored on every member); CLN_ERR_UNSUPPORTED
 * for another path; CLN_ERR_IO when the transport fails.
 */
CLN_API cln_status cln_fit_group(cln_linreg *m, const cln_dataset *shard, const cln_trainer_config *cfg,
                         const cln_group *group, cln_history *history, cln_group_stats *stats);

/**
 * @brief A group of one member (no transport): cln_fit_group() on it trains as cln_fit()
 * does, through the group code path.
 * @param[out] group the group.
 */
CLN_API void cln_group_single(cln_group *group);

#ifdef __cplusplus
}
#endif
#endif
