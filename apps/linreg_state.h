/* What one run of clnum-linreg holds, shared by its steps (linreg_data.c, linreg_fit.c,
 * linreg_output.c): the options, the group, the data, the model and the results. */
#ifndef CLNUM_APPS_LINREG_STATE_H
#define CLNUM_APPS_LINREG_STATE_H

#include "cli_args.h"
#include "clnum/clnum.h"
#include "linreg_group.h"

#define LINREG_PROGRAM "clnum-linreg" /* the prefix of its messages */

typedef struct run_state {
    const linreg_options *o;
    const linreg_group *g;        /* NULL: alone */
    int root;                     /* alone, or rank 0 of the group: the one that prints */
    cln_group_stats stats;        /* a group's fit */
    cln_context *ctx;
    cln_dtype dtype;              /* --dtype's, or a loaded model's */
    cln_dataset *data;
    cln_lazy_linear *net;         /* a new model's layer (chapter 3.5's LazyLinear) */
    cln_linreg *model;            /* the model trained: the layer's, or the --load one */
    cln_model_meta *meta;         /* the --load model's description, else NULL */
    size_t first_epoch;           /* epochs the --load model was trained for before */
    cln_history hist;
    cln_csv *csv;
    cln_split split;
    char **features;
    size_t num_features;
    size_t d;
    double *w, *w_exact, *w_true; /* original units */
    double b, b_exact, b_true;
    int have_sgd, have_exact, have_true;
    double train_mse, val_mse, train_mse_exact, val_mse_exact;
    double condition;
    size_t rank;                  /* the exact solution's: d unless the features are dependent */
    double ms;
    int diverged;                 /* the fit ended with CLN_ERR_DIVERGED (its message in
                                     fit_msg): the history and w, b are the epochs done */
    int stopped_by;               /* the signal that stopped the fit (in a group, the ranks'
                                     agreed one), else 0 */
    size_t lines_train, lines_val; /* the history's points printed in epoch lines so far */
    char fit_msg[640];
    cli_saved_signals signals;    /* caught from the fit until the outputs are written */
} run_state;

/* A run of o, alone (g NULL) or as a rank of g; root says whether this process prints. */
void run_state_init(run_state *s, const linreg_options *o, const linreg_group *g, int root);
void run_state_free(run_state *s);

/* What to print for a failure with status st: the library's message (the program's own
 * failures are set there too, cln_context_set_error), or "out of memory" for a malloc that
 * failed without one. */
const char *linreg_failure_message(cln_status st);

/* Prints the failure as one line (alone, or on rank 0 of a group); returns the exit
 * status, 1. */
int linreg_fail(const run_state *s, cln_status st);

#endif
