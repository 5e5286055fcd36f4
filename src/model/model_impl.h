/* What the trainer knows of a model beyond model.h: the object behind cln_model, and the
 * fast paths (fused and whole-epoch kernels) of the library's own models. */
#ifndef CLNUM_MODEL_IMPL_H
#define CLNUM_MODEL_IMPL_H

#include "data/data_impl.h"

struct clni_epoch_job;

/* A model's fast paths. The trainer plans and enqueues the stepwise path itself, through
 * cln_model_ops; these take every other path. */
typedef struct clni_fast_paths {
    /* Plans `requested` (CLN_PATH_AUTO or a path other than stepwise) for job: sets
     * job->path, its geometry and the buffers it needs (freed by release). AUTO may choose
     * CLN_PATH_STEPWISE; an explicit path that cannot run fails with CLN_ERR_UNSUPPORTED and
     * says why. The trainer has run the device self-check first. */
    cln_status (*plan)(struct clni_epoch_job *job, cln_train_path requested);
    /* Enqueues one epoch on job->path (data on the device). Sets job->params_written when
     * its kernels put the parameters at job->params_at themselves. */
    cln_status (*enqueue_epoch)(struct clni_epoch_job *job);
    /* One minibatch on the fused path of rows X, y (a streamed chunk): positions
     * [first, first + count) through index (NULL: in order); update 0 for validation; its
     * loss (and metric) go to slot k's elements, k as in cln_model_ops. */
    cln_status (*fused_batch)(struct clni_epoch_job *job, const cln_tensor *X, const cln_tensor *y,
                              cl_mem index, size_t first, size_t count, int update, size_t k);
    /* Frees what plan made; NULL members of the job are left alone. */
    void (*release)(struct clni_epoch_job *job);
} clni_fast_paths;

struct cln_model {
    clni_object obj;
    cln_context *ctx;
    int registered;                 /* made by cln_model_create(): the context may free it */
    cln_dtype dtype;
    size_t num_inputs, num_params;
    cln_model_ops ops;              /* a copy, members past the caller's struct_size zeroed */
    void *self;
    const clni_fast_paths *fast;    /* the library's models; NULL: stepwise only */
    size_t epochs_trained;          /* epochs completed by fits so far: the next one's first */
};

/* Fills a model embedded in one of the library's objects (not registered: its owner is). */
void clni_model_embed(cln_model *m, cln_context *ctx, cln_dtype dtype, size_t num_inputs,
                      size_t num_params, const cln_model_ops *ops, void *self,
                      const clni_fast_paths *fast);

/* The scale of an MSE loss (loss.c): scale x mean((y_hat - y)^2). */
double clni_loss_mse_scale(const cln_loss *loss);

#endif
