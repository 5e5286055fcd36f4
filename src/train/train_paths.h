/* One fit's epoch as the trainer drives it: planning the job (model/fast_paths.h), the
 * stepwise path that every model has, the streamed epoch, and the argument checks every fit
 * shares. Internal to the trainer and to data-parallel training. */
#ifndef CLNUM_TRAIN_PATHS_H
#define CLNUM_TRAIN_PATHS_H

#include "model/fast_paths.h"

/* The minibatch size a fit runs with: the one asked for, or all the rows when that is
 * more than the training or validation split holds (one full batch), so that every size
 * reaching a kernel is within the rows. */
size_t clni_effective_batch(size_t batch_size, size_t n_train, size_t n_val);

/* The job (zeroed) of a fit of m on data as cfg says (its batch size, seed, draw_order, path,
 * step and stream chunks): the loaders, then the path (AUTO resolved) and its buffers.
 * An explicit path that cannot run here fails with CLN_ERR_UNSUPPORTED and says why. On
 * failure too, job->ctx is set and clni_epoch_job_release() frees what was made. */
cln_status clni_epoch_job_init(clni_epoch_job *job, cln_model *m, const cln_dataset *data,
                               const cln_trainer_config *cfg);
/* Frees the job's buffers, stream and loaders. */
void clni_epoch_job_release(clni_epoch_job *job);

/* Enqueues one epoch's training and validation minibatches and the copies of the
 * parameters into the results; does not wait. The training order must already be
 * uploaded. */
cln_status clni_epoch_job_enqueue(clni_epoch_job *job);

/* The stepwise path's minibatch k of a split (training: k < nb_train; validation: k is
 * nb_train + its index) over rows X, y: the model's train_batch or eval_batch. */
cln_status clni_stepwise_batch(clni_epoch_job *job, const cln_batch *batch, size_t k);

/* The epoch of a job over host-resident data, streamed through the chunks of stream.h. */
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

#endif
