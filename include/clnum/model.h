/**
 * @file model.h
 * @brief The model interface: what cln_fit() (trainer.h) needs of a model.
 *
 * A cln_model is a model the trainer can train: the library's own (linreg.h, softmax.h:
 * cln_linreg_model(), cln_softmax_model()) and the caller's, made with cln_model_create()
 * from a table of functions. The trainer owns the loop (minibatch order, read-back,
 * divergence, the board, on_epoch, streaming of host-resident data); the model enqueues
 * the work of one minibatch with its own kernels:
 *
 *   train_batch   forward, loss, backward and the SGD step on one training minibatch; its
 *                 loss goes to an element of the epoch's results tensor
 *   eval_batch    forward and loss (and the metric, if the model has one) on one
 *                 validation minibatch
 *   save_params   copies every parameter into the results tensor (the trainer reads them
 *                 back with the losses, in the same read)
 *   load_params   sets every parameter from host values (a divergence puts them back)
 *
 * Nothing of this waits: each function enqueues on the context's queue and returns. The
 * results tensor has the model's dtype; a loss is one element. A model that has a metric
 * (metric_name not NULL, for example "accuracy") writes each validation minibatch's mean
 * metric to one element too; the trainer reports the rows-weighted mean over the
 * validation split.
 *
 * The library's models also have fast paths (fused and whole-epoch kernels) that the
 * trainer plans for them; a model made here trains on the stepwise path
 * (CLN_PATH_STEPWISE, which AUTO then is). examples/polyreg.c trains one of its own. */
#ifndef CLNUM_MODEL_H
#define CLNUM_MODEL_H

#include "clnum/export.h"

#include "clnum/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A model the trainer can train. Opaque. */
typedef struct cln_model cln_model;

/** A minibatch: positions [first, first + count) of a loader's order over the rows of X and
 * y (a split's tensors). loader NULL reads rows first .. first + count - 1 in order; else
 * row `cln_loader_order(loader)[first + i]`, which on the device is element first + i of
 * cln_loader_index_buffer(loader). */
typedef struct cln_batch {
    const cln_tensor *X;        /**< features, rows x num_inputs */
    const cln_tensor *y;        /**< targets, one a row (class labels: data.h) */
    const cln_loader *loader;   /**< the order, or NULL for rows in order */
    size_t first;               /**< first position */
    size_t count;               /**< rows in the batch */
} cln_batch;

/** How one SGD step updates a parameter theta with gradient g:
 * theta -= lr * (g + weight_decay * theta) for weights (d2l chapter 3.7; PyTorch's
 * torch.optim.SGD(weight_decay=...)); biases get no decay. The trainer fills it from
 * cln_trainer_config and may add members at the end. */
typedef struct cln_step {
    double lr;            /**< learning rate, finite and > 0 */
    double weight_decay;  /**< L2 penalty's coefficient, finite and >= 0 */
} cln_step;

/** What a model does for the trainer. A table the caller keeps alive while the model
 * lives; every function gets the `self` given to cln_model_create(). Functions report
 * failures with a status and, for the message, cln_context_set_error() (runtime.h). */
typedef struct cln_model_ops {
    /** sizeof(cln_model_ops) as the caller was compiled: lets the table grow */
    size_t struct_size;
    /** A short name of the model kind ("linreg", "softmax", "polyreg"); not NULL */
    const char *kind;
    /** The metric eval_batch writes ("accuracy"), or NULL for none */
    const char *metric_name;
    /** May be NULL. Checked before training: whether the dataset suits the model beyond
     * its context, dtype and number of inputs, which the trainer checks (a classifier wants
     * labels, cln_dataset_num_classes()). */
    cln_status (*check_data)(void *self, const cln_dataset *data);
    /** Enqueues one training minibatch: forward, loss into results[loss_at], backward,
     * and the step. */
    cln_status (*train_batch)(void *self, const cln_batch *batch, const cln_step *step,
                              cln_tensor *results, size_t loss_at);
    /** Enqueues one validation minibatch: its loss into results[loss_at] and, with a metric,
     * the batch's mean metric into results[metric_at] (SIZE_MAX without one). */
    cln_status (*eval_batch)(void *self, const cln_batch *batch, cln_tensor *results,
                             size_t loss_at, size_t metric_at);
    /** Enqueues copies of the num_params parameters into results[at .. at + num_params). */
    cln_status (*save_params)(void *self, cln_tensor *results, size_t at);
    /** Sets the num_params parameters from host values, in save_params's order. It may
     * wait, and must have read `params` before it returns (the trainer frees them). */
    cln_status (*load_params)(void *self, const double *params);
    /** May be NULL. Called by cln_model_free() (or the context's free) to free self; not
     * when cln_model_create() fails. cln_context_free() frees the caller's models before the
     * library's other objects, so it may free clnum objects that self owns. */
    void (*destroy)(void *self);
} cln_model_ops;

/**
 * @brief Makes a model of the caller's from a table of functions.
 * @param ctx the context whose queue the functions enqueue on.
 * @param dtype the precision of its parameters and of the results tensor.
 * @param num_inputs features a row of its data has (the trainer checks the dataset's).
 * @param num_params parameter values save_params writes and load_params reads, >= 1.
 * @param ops the functions: kind, train_batch, eval_batch, save_params and load_params are
 *        required; kept by pointer, so it must outlive the model.
 * @param self passed to every function.
 * @param[out] out the model; free it with cln_model_free() or with the context.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT (a NULL or missing function, sizes 0, a table
 * from a newer library); CLN_ERR_NO_FLOAT64; CLN_ERR_OUT_OF_HOST_MEMORY.
 */
CLN_API cln_status cln_model_create(cln_context *ctx, cln_dtype dtype, size_t num_inputs,
                            size_t num_params, const cln_model_ops *ops, void *self,
                            cln_model **out);
/** @brief Frees a model made by cln_model_create() (calling its destroy). The library's
 * models are freed with their own objects (cln_linreg_free()). @param m NULL is a no-op. */
CLN_API void cln_model_free(cln_model *m);

/** @brief The owner. @param m the model. @return its context (NULL for NULL). */
CLN_API cln_context *cln_model_context(const cln_model *m);
/** @brief Precision. @param m the model. @return its dtype. */
CLN_API cln_dtype cln_model_dtype(const cln_model *m);
/** @brief Features. @param m the model. @return inputs a row has (0 for NULL). */
CLN_API size_t cln_model_num_inputs(const cln_model *m);
/** @brief Size. @param m the model. @return its parameter values (0 for NULL). */
CLN_API size_t cln_model_num_params(const cln_model *m);
/** @brief Kind. @param m the model. @return its ops' kind ("" for NULL). */
CLN_API const char *cln_model_kind(const cln_model *m);
/** @brief Metric. @param m the model. @return its ops' metric_name, or NULL. */
CLN_API const char *cln_model_metric_name(const cln_model *m);
/**
 * @brief The epochs the model has been trained for: 0 when made, one more for each epoch a
 * cln_fit() (or cln_nn_fit(), cln_fit_group()) completed on it, an epoch that diverged not
 * counted; a loaded model's are those of the file (model_file.h). The next fit numbers its
 * epochs on from it (trainer.h), so its training orders continue those of the fits before.
 * @param m the model. @return the count (0 for NULL).
 */
CLN_API size_t cln_model_epochs_trained(const cln_model *m);
/**
 * @brief Sets the epochs the model counts as trained for: 0 makes the next fit start its
 * epoch numbering, and so its training orders, afresh, as on a new model.
 * @param m the model. @param epochs the count.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for NULL.
 */
CLN_API cln_status cln_model_set_epochs_trained(cln_model *m, size_t epochs);

#ifdef __cplusplus
}
#endif
#endif
