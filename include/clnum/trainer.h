/**
 * @file trainer.h
 * @brief The Trainer (d2l's Trainer.fit with its ProgressBoard) and the loss history.
 *
 * Per epoch: every training minibatch (forward, loss, backward, step), then every
 * validation minibatch (forward, loss). Within an epoch nothing waits on the host: batch
 * losses stay on the device and are read back once, at the end of the epoch.
 *
 * Epochs are numbered over the model's life: a fit on a model already trained for E epochs
 * (cln_model_epochs_trained(), model.h; a loaded model's come from its file) runs epochs E,
 * E + 1, ..., with those epochs' training orders, so fitting 2 epochs and then 1 more gives
 * the bits of fitting 3 at once. cln_epoch_report.epoch, draw_order's epoch and the history's
 * x values are these absolute numbers, counted from 0; messages count epochs from 1 ("at
 * epoch 7" is epoch 6 here). */
#ifndef CLNUM_TRAINER_H
#define CLNUM_TRAINER_H

#include "clnum/export.h"

#include "clnum/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How an epoch is enqueued. Every path computes the same thing (within float rounding). A
 * path other than the stepwise one runs on a device only once the device self-check has
 * shown it right there (cln_device_info's paths_checked, runtime.h): AUTO avoids a path the
 * check switched off, and cln_fit() refuses it with CLN_ERR_UNSUPPORTED and the reason. */
typedef enum cln_train_path {
    CLN_PATH_AUTO = 0,     /**< the fastest path that fits the problem and that the device
                              self-check has shown right on the device */
    CLN_PATH_STEPWISE = 1, /**< forward, loss, backward, step: four kernels a minibatch (model.h) */
    CLN_PATH_FUSED = 2,    /**< one kernel a minibatch: X read once, the reduction and the update
                              finished by the last work-group */
    CLN_PATH_EPOCH = 3,    /**< one kernel an epoch: one work-group loops over every minibatch,
                              training then validation (for small problems) */
    CLN_PATH_PERSISTENT = 4 /**< one kernel an epoch across every work-group: the groups take
                              each minibatch's rows in chunks, and the last chunk to finish
                              applies the step while the others wait on the device
                              (cl/model/linreg_persistent.cl says why that cannot deadlock); needs the
                              data on the device. CLNUM_PERSISTENT=off keeps AUTO from it */
} cln_train_path;

/** What the trainer reports after each epoch (to cln_trainer_config.on_epoch). */
typedef struct cln_epoch_report {
    size_t epoch;              /**< 0-based and absolute: the model had been trained for this
                                  many epochs before it (first_epoch + this call's index) */
    size_t max_epochs;         /**< the configuration's: epochs this call runs */
    size_t batches;            /**< training minibatches of the epoch */
    size_t examples;           /**< training rows of the epoch */
    double train_loss;         /**< mean of the epoch's training batch losses */
    double val_loss;           /**< mean of its validation batch losses (NaN without validation) */
    double seconds;            /**< since cln_fit started */
    /** The model's metric on the validation split (model.h: each batch's mean weighted by
     * its rows), NaN for a model without one or without validation rows. */
    double val_metric;
    const char *metric_name;   /**< the model's metric ("accuracy"), or NULL */
    /** The first epoch of this call: the model's epochs trained when it began. This call's
     * epochs are first_epoch .. first_epoch + max_epochs - 1. */
    size_t first_epoch;
} cln_epoch_report;

/** How cln_fit() trains. Start from cln_trainer_config_init(). */
typedef struct cln_trainer_config {
    size_t max_epochs;              /**< epochs this call runs (after those the model was
                                       trained for before); default 3 */
    double lr;                      /**< default 0.03 */
    size_t batch_size;              /**< default 32 */
    uint64_t seed;                  /**< seeds the training order; default 0 */
    size_t train_points_per_epoch;  /**< d2l's plot_train_per_epoch, default 2 */
    size_t val_points_per_epoch;    /**< d2l's plot_valid_per_epoch, default 1 */
    cln_train_path path;            /**< default CLN_PATH_AUTO */
    /** Called after each epoch, once its losses are on the host; may be NULL. Returning
     * non-zero stops the fit after that epoch (cln_fit then returns CLN_SUCCESS). */
    int (*on_epoch)(const cln_epoch_report *report, void *user);
    void *user;                     /**< passed to on_epoch */
    /** Draws epoch `epoch`'s training order (num_rows row indices; epoch absolute, as
     * cln_epoch_report's) in place of cln_shuffle_order(seed, epoch, ...); NULL (default):
     * that. cln_sharded_draw() (data.h) draws a data-parallel group's global order. A status
     * other than CLN_SUCCESS stops the fit with it; a row index out of range is
     * CLN_ERR_BAD_ARGUMENT. */
    cln_status (*draw_order)(size_t epoch, uint32_t *order, size_t num_rows, void *order_user);
    void *order_user;               /**< passed to draw_order */
    /** A host-resident dataset (data.h) is streamed in chunks of about this many bytes of X
     * and y, each a whole number of minibatches, two on the device at a time; 0 (default):
     * 1/16 of the device's global memory, within 1 to 64 MiB. */
    size_t stream_chunk_bytes;
    /** L2 weight decay of every SGD step (model.h's cln_step): the weights are scaled by
     * 1 - lr * weight_decay before each step, d2l chapter 3.7's penalty lambda / 2 ||w||^2
     * and torch.optim.SGD's weight_decay; biases are not decayed and the reported losses
     * leave the penalty out. Finite, >= 0 and below 1 / lr; default 0. */
    double weight_decay;
} cln_trainer_config;

/**
 * @brief Sets the chapter's defaults (3 epochs, lr 0.03, batch 32, 2 and 1 points an epoch).
 * @param cfg the configuration to fill; NULL is a no-op.
 */
CLN_API void cln_trainer_config_init(cln_trainer_config *cfg);

/** Points of one curve, as d2l's ProgressBoard plots them: each the mean of `every_n`
 * consecutive batch losses at the mean of their x (x in epochs). */
typedef struct cln_curve {
    size_t count;   /**< points */
    double *x;      /**< count x values, in epochs */
    double *y;      /**< count losses */
} cln_curve;

/** What a fit leaves behind. Free its arrays with cln_history_free(). Its points are those of
 * this call's epochs, at x in absolute epochs: a fit continued from E epochs starts its curves
 * after x = E. */
typedef struct cln_history {
    cln_curve train_loss;   /**< x = (epoch * batches per epoch + batch index) / batches per
                               epoch, averaged */
    cln_curve val_loss;     /**< x = epoch + 1 */
    size_t epochs;          /**< epochs this call completed */
    size_t updates;         /**< SGD steps taken */
    cln_train_path path;    /**< the path that ran (what CLN_PATH_AUTO chose) */
    cln_curve val_metric;   /**< the model's metric on the validation split, x = epoch + 1
                               (no points for a model without a metric) */
} cln_history;

/**
 * @brief Trains m on data: per epoch every training minibatch, then every validation one.
 * @param m the model (model.h): cln_linreg_model(), cln_softmax_model(), or one of the
 *          caller's from cln_model_create(). A model trained before continues: this call runs
 *          cfg->max_epochs more epochs, numbered on from cln_model_epochs_trained(m), which
 *          grows by one with each epoch completed.
 * @param data a dataset of the model's context, dtype and number of inputs.
 * @param cfg how.
 * @param history may be NULL; otherwise it is filled (free it with cln_history_free()) and
 *                keeps the points of the epochs completed even on failure.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for a bad configuration (max_epochs more than
 * the model's count can still add) or a model and data that do not belong together;
 * CLN_ERR_SHAPE_MISMATCH; CLN_ERR_UNSUPPORTED for a path the
 * problem or device cannot take; CLN_ERR_DIVERGED when a loss becomes NaN or infinite (the
 * parameters are restored to those at the start of that epoch); an OpenCL code.
 */
CLN_API cln_status cln_fit(cln_model *m, const cln_dataset *data, const cln_trainer_config *cfg,
                   cln_history *history);
/**
 * @brief Frees a history's arrays and zeroes it.
 *
 * Safe on every history that cln_fit() was given, whatever it returned: cln_fit() zeroes the
 * history first thing, before it looks at its other arguments, so a failed call leaves it
 * empty or holding the points of the epochs it completed (cln_nn_fit() and cln_fit_group()
 * do the same). Safe on a zero-initialised history (`cln_history hist = {0};`) and, as it
 * zeroes the history, a second time. Not on one that was never initialised and that no such
 * call was given: initialise a history that an error path may free before any fit runs.
 * @param history the history; NULL is a no-op.
 */
CLN_API void cln_history_free(cln_history *history);

#ifdef __cplusplus
}
#endif
#endif
