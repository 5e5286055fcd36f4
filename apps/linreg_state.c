#include "linreg_state.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void run_state_init(run_state *s, const linreg_options *o, const linreg_group *g, int root)
{
    memset(s, 0, sizeof *s);
    s->o = o;
    s->g = g;
    s->root = root;
    s->train_mse = s->val_mse = s->train_mse_exact = s->val_mse_exact = NAN;
}

void run_state_free(run_state *s)
{
    cli_signals_release(&s->signals);
    cln_history_free(&s->hist);
    cln_csv_free(s->csv);
    cln_split_free(&s->split);
    cli_free_list(s->features, s->num_features);
    cln_model_meta_free(s->meta);
    free(s->w);
    free(s->w_exact);
    free(s->w_true);
    cln_context_free(s->ctx); /* frees data and net too */
}

const char *linreg_failure_message(cln_status st)
{
    const char *msg = cln_last_error(NULL);
    return st == CLN_ERR_OUT_OF_HOST_MEMORY && !*msg ? "out of memory" : msg;
}

int linreg_fail(const run_state *s, cln_status st)
{
    if (s->root)
        fprintf(stderr, LINREG_PROGRAM ": %s\n", linreg_failure_message(st));
    return 1;
}
