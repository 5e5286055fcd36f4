/* clnum: the Trainer (d2l's Trainer.fit with its ProgressBoard).
 *
 * Per epoch: every training minibatch (forward, loss, backward, step), then every
 * validation minibatch (forward, loss). Within an epoch nothing waits on the host: batch
 * losses stay on the device and are read back once, at the end of the epoch. */
#ifndef CLNUM_TRAINER_H
#define CLNUM_TRAINER_H

#include "clnum/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How an epoch is enqueued. Every path computes the same thing (within float rounding). */
typedef enum cln_train_path {
    CLN_PATH_AUTO = 0,     /* the fastest path that fits the problem and the device */
    CLN_PATH_STEPWISE = 1, /* forward, loss, backward, step: four kernels a minibatch (model.h) */
    CLN_PATH_FUSED = 2,    /* one kernel a minibatch: X read once, the reduction and the update
                              finished by the last work-group */
    CLN_PATH_EPOCH = 3     /* one kernel an epoch: one work-group loops over every minibatch,
                              training then validation (for small problems) */
} cln_train_path;

/* What the trainer reports after each epoch (to cln_trainer_config.on_epoch). */
typedef struct cln_epoch_report {
    size_t epoch;              /* 0-based */
    size_t max_epochs;
    size_t batches;            /* training minibatches of the epoch */
    size_t examples;           /* training rows of the epoch */
    double train_loss;         /* mean of the epoch's training batch losses */
    double val_loss;           /* mean of its validation batch losses (NaN without validation) */
    double seconds;            /* since cln_fit started */
} cln_epoch_report;

typedef struct cln_trainer_config {
    size_t max_epochs;              /* default 3 */
    double lr;                      /* default 0.03 */
    size_t batch_size;              /* default 32 */
    uint64_t seed;                  /* seeds the training order; default 0 */
    size_t train_points_per_epoch;  /* d2l's plot_train_per_epoch, default 2 */
    size_t val_points_per_epoch;    /* d2l's plot_valid_per_epoch, default 1 */
    cln_train_path path;            /* default CLN_PATH_AUTO */
    /* Called after each epoch, once its losses are on the host; may be NULL. Returning
     * non-zero stops the fit after that epoch (cln_fit then returns CLN_SUCCESS). */
    int (*on_epoch)(const cln_epoch_report *report, void *user);
    void *user;
} cln_trainer_config;

void cln_trainer_config_init(cln_trainer_config *cfg);

/* Points of one curve, as d2l's ProgressBoard plots them: each the mean of `every_n`
 * consecutive batch losses at the mean of their x (x in epochs). */
typedef struct cln_curve {
    size_t count;
    double *x;
    double *y;
} cln_curve;

typedef struct cln_history {
    cln_curve train_loss;   /* x = batch index / batches per epoch, averaged */
    cln_curve val_loss;     /* x = epoch + 1 */
    size_t epochs;          /* epochs completed */
    size_t updates;         /* SGD steps taken */
} cln_history;

/* Trains m on data. history may be NULL; otherwise it is filled (free it with
 * cln_history_free) and keeps the points of the epochs completed even on failure. */
cln_status cln_fit(cln_linreg *m, const cln_dataset *data, const cln_trainer_config *cfg,
                   cln_history *history);
void cln_history_free(cln_history *history);

#ifdef __cplusplus
}
#endif
#endif
