/* libFuzzer harness: loading saved models (model_file.h). The bytes are a file handed to
 * cln_linreg_load() and cln_softmax_load() on one OpenCL context for the process
 * (LLVMFuzzerInitialize: the driver starts once). Traps when a contract breaks:
 *   success: a model whose shapes are those the file declares, and a description of as many
 *            features (a softmax's with as many classes); saving it again and loading that
 *            gives back the same parameters, bit for bit;
 *   failure: a status the header documents and a message that names the file;
 *   always:  no crash, no sanitizer report, no hang (.ci/fuzz.sh's -timeout), nothing left
 *            in the context after the model is freed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clnum/clnum.h"

static cln_context *ctx;
static char path[64], again[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (cln_context_create(NULL, &ctx) != CLN_SUCCESS) {
        fprintf(stderr, "fuzz_model_file: no OpenCL context: %s\n", cln_last_error(NULL));
        exit(1);
    }
    snprintf(path, sizeof path, "/tmp/clnum-fuzz-model-%d.json", (int)getpid());
    snprintf(again, sizeof again, "/tmp/clnum-fuzz-model-%d-again.json", (int)getpid());
    return 0;
}

static void check_failure(cln_status st)
{
    if (st != CLN_ERR_PARSE && st != CLN_ERR_IO && st != CLN_ERR_NO_FLOAT64 &&
        st != CLN_ERR_OUT_OF_HOST_MEMORY && st != CLN_ERR_OUT_OF_DEVICE_MEMORY &&
        st != CLN_ERR_BAD_ARGUMENT)
        __builtin_trap();
    if (!strstr(cln_last_error(ctx), path))
        __builtin_trap();
}

/* The parameters of a model read back, as doubles, in a malloc'd array of n values. */
static double *linreg_params(cln_linreg *m, size_t *n)
{
    size_t d = cln_linreg_num_inputs(m);
    double *p = malloc((d + 1) * sizeof *p);
    if (!p || cln_linreg_get(m, p, p + d) != CLN_SUCCESS)
        __builtin_trap();
    *n = d + 1;
    return p;
}

static double *softmax_params(cln_softmax *m, size_t *n)
{
    size_t d = cln_softmax_num_inputs(m), k = cln_softmax_num_classes(m);
    double *p = malloc((d + 1) * k * sizeof *p);
    if (!p || cln_softmax_get(m, p, p + d * k) != CLN_SUCCESS)
        __builtin_trap();
    *n = (d + 1) * k;
    return p;
}

static void same_bits(const double *a, const double *b, size_t n)
{
    if (memcmp(a, b, n * sizeof *a) != 0)
        __builtin_trap();
}

static void try_linreg(void)
{
    cln_linreg *m = NULL;
    cln_model_meta *meta = NULL;
    cln_status st = cln_linreg_load(ctx, path, &m, &meta);
    if (st != CLN_SUCCESS) {
        check_failure(st);
        return;
    }
    if (!meta || cln_model_meta_num_features(meta) != cln_linreg_num_inputs(m) ||
        cln_model_meta_num_classes(meta) != 0)
        __builtin_trap();
    size_t n, n2;
    double *p = linreg_params(m, &n);
    cln_linreg *m2 = NULL;
    if (cln_linreg_save(m, meta, again) != CLN_SUCCESS ||
        cln_linreg_load(ctx, again, &m2, NULL) != CLN_SUCCESS)
        __builtin_trap();
    double *p2 = linreg_params(m2, &n2);
    if (n2 != n || cln_linreg_dtype(m2) != cln_linreg_dtype(m) ||
        cln_model_epochs_trained(cln_linreg_model(m2)) !=
            cln_model_epochs_trained(cln_linreg_model(m)))
        __builtin_trap();
    same_bits(p, p2, n);
    free(p);
    free(p2);
    cln_linreg_free(m2);
    cln_linreg_free(m);
    cln_model_meta_free(meta);
}

static void try_softmax(void)
{
    cln_softmax *m = NULL;
    cln_model_meta *meta = NULL;
    cln_status st = cln_softmax_load(ctx, path, &m, &meta);
    if (st != CLN_SUCCESS) {
        check_failure(st);
        return;
    }
    if (!meta || cln_model_meta_num_features(meta) != cln_softmax_num_inputs(m) ||
        cln_model_meta_num_classes(meta) != cln_softmax_num_classes(m))
        __builtin_trap();
    size_t n, n2;
    double *p = softmax_params(m, &n);
    cln_softmax *m2 = NULL;
    if (cln_softmax_save(m, meta, again) != CLN_SUCCESS ||
        cln_softmax_load(ctx, again, &m2, NULL) != CLN_SUCCESS)
        __builtin_trap();
    double *p2 = softmax_params(m2, &n2);
    if (n2 != n || cln_softmax_dtype(m2) != cln_softmax_dtype(m))
        __builtin_trap();
    same_bits(p, p2, n);
    free(p);
    free(p2);
    cln_softmax_free(m2);
    cln_softmax_free(m);
    cln_model_meta_free(meta);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t live = cln_context_live_objects(ctx);
    FILE *f = fopen(path, "wb");
    if (!f)
        __builtin_trap();
    if (size && fwrite(data, 1, size, f) != size)
        __builtin_trap();
    fclose(f);
    try_linreg();
    try_softmax();
    if (cln_context_live_objects(ctx) != live)
        __builtin_trap();
    return 0;
}
