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

typedef struct cln_trainer_config {
    size_t max_epochs;              /* default 3 */
    double lr;                      /* default 0.03 */
    size_t batch_size;              /* default 32 */
    uint64_t seed;                  /* seeds the training order; default 0 */
    size_t train_points_per_epoch;  /* d2l's plot_train_per_epoch, default 2 */
    size_t val_points_per_epoch;    /* d2l's plot_valid_per_epoch, default 1 */
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
