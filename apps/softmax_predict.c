#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_devices.h"
#include "cli_kernels.h"
#include "cli_predict.h"
#include "softmax_run.h"

/* The rows, each one's class and probabilities, and the file. */
static cln_status predict(softmax_run *s, size_t *rows)
{
    const softmax_options *o = s->o;
    size_t k = cln_softmax_num_classes(s->model);
    double *X = NULL, *probs = NULL;
    size_t *classes = NULL;
    cln_status st = cli_predict_rows(s->meta, o->predict_path, o->delimiter, !o->no_header,
                                     o->skip_lines, &X, rows);
    size_t n = *rows ? *rows : 1;
    if (st == CLN_SUCCESS && (n > SIZE_MAX / sizeof(double) / k ||
                              !(probs = malloc(n * k * sizeof *probs)) ||
                              !(classes = malloc(n * sizeof *classes))))
        st = cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of memory for %zu "
                                   "predictions", *rows);
    if (st == CLN_SUCCESS)
        st = cln_softmax_predict(s->model, X, *rows, classes, probs);
    char why[1100];
    cli_predictions p = {*rows, NULL, classes, probs};
    if (st == CLN_SUCCESS && cli_write_predictions(s->meta, &p, o->output_path ? o->output_path
                                                                              : "-",
                                                   why, sizeof why) != 0)
        st = cln_context_set_error(NULL, CLN_ERR_IO, "--output: %s", why);
    free(X);
    free(probs);
    free(classes);
    return st;
}

int softmax_predict(const softmax_options *o)
{
    softmax_run s;
    memset(&s, 0, sizeof s);
    s.o = o;
    size_t rows = 0;
    cln_status st = cln_context_create(o->device, &s.ctx);
    if (st == CLN_SUCCESS)
        st = cln_softmax_load(s.ctx, o->load_path, &s.model, &s.meta);
    if (st == CLN_SUCCESS)
        st = cli_build_kernels(SOFTMAX_PROGRAM, s.ctx, cln_softmax_dtype(s.model), 0, o->quiet);
    if (st == CLN_SUCCESS) {
        const cln_device_info *dev = cln_context_device(s.ctx);
        cli_printf("device: %s (%s, %s)\n", dev->device_name, dev->platform_name,
                   cli_device_type_name(dev->type));
        st = predict(&s, &rows);
    }
    int rc = st == CLN_SUCCESS ? 0 : softmax_fail(st);
    if (rc == 0 && !o->quiet) {
        char from[512], target[256], to[512];
        const char *out = o->output_path && !cli_is_stdio(o->output_path) ? o->output_path
                                                                           : "standard output";
        cli_printf("predictions: %zu row%s of %s, %s_hat and its probability, to %s\n", rows,
                   rows == 1 ? "" : "s", cli_is_stdio(o->predict_path) ? "standard input"
                   : cli_printable(o->predict_path, from, sizeof from),
                   cli_printable(cln_model_meta_target_name(s.meta), target, sizeof target),
                   cli_printable(out, to, sizeof to));
    }
    softmax_run_free(&s);
    return rc;
}
