#include "linreg_predict.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli_predict.h"
#include "linreg_data.h"
#include "linreg_state.h"

/* The rows, their predictions and the file. */
static cln_status predict(run_state *s, size_t *rows)
{
    const linreg_options *o = s->o;
    double *X = NULL, *y_hat = NULL;
    cln_status st = cli_predict_rows(s->meta, o->predict_path, o->delimiter, !o->no_header, 0, &X,
                                     rows);
    if (st == CLN_SUCCESS && !(y_hat = malloc((*rows ? *rows : 1) * sizeof *y_hat)))
        st = cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of memory for %zu "
                                   "predictions", *rows);
    if (st == CLN_SUCCESS)
        st = cln_linreg_predict(s->model, X, *rows, y_hat);
    char why[1100];
    cli_predictions p = {*rows, y_hat, NULL, NULL};
    if (st == CLN_SUCCESS && cli_write_predictions(s->meta, &p, o->output_path ? o->output_path
                                                                              : "-",
                                                   why, sizeof why) != 0)
        st = cln_context_set_error(NULL, CLN_ERR_IO, "--output: %s", why);
    free(X);
    free(y_hat);
    return st;
}

int linreg_predict(const linreg_options *o)
{
    run_state s;
    run_state_init(&s, o, NULL, 1);
    size_t rows = 0;
    cln_status st = linreg_open(&s);
    if (st == CLN_SUCCESS) {
        linreg_print_devices(&s);
        st = predict(&s, &rows);
    }
    int rc = 0;
    if (st != CLN_SUCCESS) {
        rc = linreg_fail(&s, st);
    } else if (!o->quiet) {
        char from[512], target[256], to[512];
        const char *out = o->output_path && !cli_is_stdio(o->output_path) ? o->output_path
                                                                           : "standard output";
        cli_printf("predictions: %zu row%s of %s, %s_hat, to %s\n", rows, rows == 1 ? "" : "s",
                   cli_is_stdio(o->predict_path) ? "standard input"
                   : cli_printable(o->predict_path, from, sizeof from),
                   cli_printable(cln_model_meta_target_name(s.meta), target, sizeof target),
                   cli_printable(out, to, sizeof to));
    }
    run_state_free(&s);
    return rc;
}
