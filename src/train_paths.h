/* How the trainer enqueues an epoch: the path (stepwise, fused, whole-epoch kernels), its
 * launch geometry, and the enqueues themselves. Internal to the trainer. */
#ifndef CLNUM_TRAIN_PATHS_H
#define CLNUM_TRAIN_PATHS_H

#include "internal.h"

/* Launch shape of the fused kernels: wg work-items, `lanes` of them per row, so wg / lanes
 * rows at a time; each group of the fused step takes rows_per_group rows of a batch. */
typedef struct clni_geometry {
    size_t wg, lanes, rows_per_group, max_groups;
} clni_geometry;

/* Everything one fit enqueues with. */
typedef struct clni_epoch_job {
    cln_context *ctx;
    cln_linreg *m;
    const cln_dataset *data;
    cln_loader *train, *val;
    size_t nb_train, nb_val, batch_size;
    double lr;
    cln_train_path path;         /* never AUTO once planned */
    clni_geometry geo;
    cln_tensor *y_hat;           /* stepwise: one batch of predictions */
    cln_tensor *losses;          /* nb_train + nb_val batch losses of the epoch, then w, b as it
                                    ends them, then w, b as it started */
    int params_written;          /* this epoch's last launch put w and b after the losses */
    cl_mem partial, counter;     /* fused: per-group sums and the last-group ticket;
                                    persistent: per-chunk sums and the four counters */
    size_t stream_chunk_bytes;   /* host-resident data: cln_trainer_config.stream_chunk_bytes */
    struct clni_stream *stream;  /* host-resident data: the chunk pipeline (stream.h) */
} clni_epoch_job;

/* Chooses the path (resolving AUTO) and its geometry, and makes the buffers it needs.
 * An explicit path that cannot run here fails with CLN_ERR_UNSUPPORTED and says why. */
/* The minibatch size a fit runs with: the one asked for, or all the rows when that is
 * more than the training or validation split holds (one full batch), so that every size
 * reaching a kernel is within the rows. */
size_t clni_effective_batch(size_t batch_size, size_t n_train, size_t n_val);

cln_status clni_epoch_job_plan(clni_epoch_job *job, cln_train_path requested);
void clni_epoch_job_release(clni_epoch_job *job);

/* Enqueues one epoch's training and validation minibatches; does not wait. The training
 * order must already be uploaded. */
cln_status clni_epoch_job_enqueue(clni_epoch_job *job);

/* One minibatch of the fused path: positions [first, first + count) of X and y, through
 * index (NULL: in order); update 0 for validation; its loss goes to losses[slot]. The
 * epoch's first slot also writes the starting w and b, and its last the final ones, after
 * the losses. */
cln_status clni_enqueue_fused_batch(clni_epoch_job *job, const cln_tensor *X, const cln_tensor *y,
                                    cl_mem index, size_t first, size_t count, int update,
                                    size_t slot);
/* The epoch of a job over host-resident data, streamed (stream.c). */
cln_status clni_stream_enqueue_job(clni_epoch_job *job);

#endif
