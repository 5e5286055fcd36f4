/* What the trainer hands a model's fast paths (the epoch job), and what the fast paths of
 * the library's models share: launch geometry, CLNUM_TUNE, the driver's loop limit. */
#ifndef CLNUM_FAST_PATHS_H
#define CLNUM_FAST_PATHS_H

#include "model/model_impl.h"

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
