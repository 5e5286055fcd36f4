/* One fit's epoch: what the trainer enqueues an epoch with (the job), the stepwise path
 * that every model has, and what the library's models' fast paths share (launch geometry,
 * CLNUM_TUNE, the driver's loop limit). Internal to the trainer and the models. */
#ifndef CLNUM_TRAIN_PATHS_H
#define CLNUM_TRAIN_PATHS_H

#include "model_impl.h"

/* Launch shape of the fused kernels: wg work-items, `lanes` of them per row, so wg / lanes
 * rows at a time; each group of the fused step takes rows_per_group rows of a batch. */
typedef struct clni_geometry {
    size_t wg, lanes, rows_per_group, max_groups;
} clni_geometry;

/* Everything one fit enqueues with. */
typedef struct clni_epoch_job {
    cln_context *ctx;
    cln_model *model;
    const cln_dataset *data;
    cln_loader *train, *val;
    size_t nb_train, nb_val, batch_size;
    cln_step step;
    cln_train_path path;         /* never AUTO once planned */
    /* The epoch's one read, in the model's dtype: the losses of the nb_train training and
     * nb_val validation batches; with a metric, the nb_val batches' metrics (at metrics_at,
     * else SIZE_MAX); the parameters as the epoch ends them (at params_at) and as it
     * started (at params_at + num_params). */
    cln_tensor *results;
    size_t metrics_at, params_at;
    int params_written;          /* this epoch's kernels put the ending parameters there */
    clni_geometry geo;           /* a fast path's launch shape */
    cl_mem partial, counter;     /* a fast path's per-group sums and tickets */
    void *fast_state;            /* anything else a fast path keeps (its release frees it) */
    size_t stream_chunk_bytes;   /* host-resident data: cln_trainer_config.stream_chunk_bytes */
    struct clni_stream *stream;  /* host-resident data: the chunk pipeline (stream.h) */
} clni_epoch_job;

/* The minibatch size a fit runs with: the one asked for, or all the rows when that is
 * more than the training or validation split holds (one full batch), so that every size
 * reaching a kernel is within the rows. */
size_t clni_effective_batch(size_t batch_size, size_t n_train, size_t n_val);

/* Chooses the path (resolving AUTO) and makes the buffers it needs. An explicit path that
 * cannot run here fails with CLN_ERR_UNSUPPORTED and says why. */
cln_status clni_epoch_job_plan(clni_epoch_job *job, cln_train_path requested);
void clni_epoch_job_release(clni_epoch_job *job);

/* Enqueues one epoch's training and validation minibatches and the copies of the
 * parameters into the results; does not wait. The training order must already be
 * uploaded. */
cln_status clni_epoch_job_enqueue(clni_epoch_job *job);

/* The stepwise path's minibatch k of a split (training: k < nb_train; validation: k is
 * nb_train + its index) over rows X, y: the model's train_batch or eval_batch. */
cln_status clni_stepwise_batch(clni_epoch_job *job, const cln_batch *batch, size_t k);

/* The epoch of a job over host-resident data, streamed (stream.c). */
cln_status clni_stream_enqueue_job(clni_epoch_job *job);

/* ---- shared by every fit (fit_args.c) ------------------------------------------------- */

/* The checks of cln_fit()'s arguments, as function fn names them (data_name: "data" or
 * "shard"), including the model's own check_data. */
cln_status clni_fit_check(cln_model *m, const cln_dataset *data, const cln_trainer_config *cfg,
                          const char *fn, const char *data_name);
/* Seconds on the monotonic clock. */
double clni_now(void);
/* The mean of n values; NaN for none. */
double clni_mean(const double *v, size_t n);

/* ---- shared by the fast paths --------------------------------------------------------- */

/* The least power of two >= n (n far below the top bit). */
size_t clni_pow2_ceil(size_t n);
/* CLNUM_TUNE="WG:LANES[:GROUPS]": v[0] work-group size, v[1] lanes, v[2] groups (0: not
 * given). Returns 0 (and all 0) for a malformed value; unset, 1 and all 0. */
int clni_tune_values(unsigned long v[3]);
/* CLN_ERR_PARSE, with the message, for a malformed CLNUM_TUNE. */
cln_status clni_check_tune(cln_context *ctx);
/* Whether a kernel whose work-items loop `bound` times runs to the end on this device (the
 * self-check's loop limit), with a margin for what the compiler adds. */
int clni_within_loop_limit(const cln_context *ctx, cln_dtype dtype, uint64_t bound);
/* Largest work-group a fused kernel uses on this device (256 on a GPU, 1 on a CPU). */
size_t clni_max_wg_for(const cln_context *ctx);
/* The fast paths of the library's models (linreg_paths.c, softmax_paths.c). */
extern const clni_fast_paths clni_linreg_paths;
extern const clni_fast_paths clni_softmax_paths;

#endif
