/* The epoch loop every fit shares: cln_fit() over an epoch job, cln_fit_group() over a group.
 * A driver runs an epoch its own way and hands back what the epoch left on the host; the
 * loop does the rest the same way for both: divergence and the restore of the parameters,
 * the board's curves, the history, the caller's on_epoch and its stop. */
#ifndef CLNUM_FIT_LOOP_H
#define CLNUM_FIT_LOOP_H

#include "train/train_paths.h"

/* What one epoch left on the host, valid until the next epoch runs. */
typedef struct clni_epoch_out {
    const double *losses;       /* the nb_train training batches', then the nb_val validation ones' */
    const double *params;       /* the model's num_params, as the epoch ended them */
    const double *params_start; /* and as it started them */
    double metric;              /* the validation split's metric; NaN without one */
} clni_epoch_out;

typedef struct clni_epoch_driver {
    void *self;                 /* passed to the callbacks */
    const char *fn;             /* what the messages name: "cln_fit" */
    cln_model *model;           /* the parameters a restore loads; the divergence message's names */
    size_t nb_train, nb_val;    /* minibatches an epoch */
    size_t examples;            /* training rows an epoch (a group's: every member's) */
    const char *metric_name;    /* NULL: no metric, no val_metric curve */
    /* The next epoch may run before this one's results are looked at (the trainer's
     * lookahead): a stop must put back the parameters this epoch ended with. */
    int runs_ahead;
    /* Runs epoch `epoch` (absolute: the model's epochs trained when the fit began, then one
     * more each call) and fills *out. A failure ends the fit with that status as it is (a
     * group's driver returns only what every member returns). */
    cln_status (*run_epoch)(void *self, size_t epoch, clni_epoch_out *out);
    /* NULL, or a group's end of an epoch: given this member's status after the loop looked at
     * the epoch and whether its on_epoch asked to stop, returns the status every member
     * returns and sets *stop to whether the group stops. */
    cln_status (*agree)(void *self, cln_status local, int *stop);
} clni_epoch_driver;

/* Trains cfg->max_epochs epochs through d, numbered on from d->model's epochs trained, which
 * grows with each epoch completed, or until a failure, a divergence (its parameters restored
 * to those at the start of that epoch) or a stop. h gets the board's points, the epochs and
 * updates; report.seconds counts from t0 (clni_now()). */
cln_status clni_fit_loop(const clni_epoch_driver *d, const cln_trainer_config *cfg, double t0,
                         cln_history *h);

#endif
