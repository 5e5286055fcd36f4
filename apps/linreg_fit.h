/* clnum-linreg's two solvers: minibatch SGD on the device (alone, or the group's
 * data-parallel fit, every rank on its shard) and exact least squares on the host. */
#ifndef CLNUM_APPS_LINREG_FIT_H
#define CLNUM_APPS_LINREG_FIT_H

#include "linreg_state.h"

/* Trains with the concise API (nn.h); in a group, the layer's model with the group's fit
 * (collective). A fit that diverges, or that a signal stops, keeps its epochs: s->diverged
 * and s->stopped_by say so, and w and b are those after the last epoch done. The epoch
 * lines are printed as the fit ends (unless --quiet). */
cln_status linreg_train_sgd(run_state *s);

/* Solves on the host in double precision: the split's training rows, or the synthetic
 * data's. */
cln_status linreg_solve_exact(run_state *s);

#endif
