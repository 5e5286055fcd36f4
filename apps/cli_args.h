/* Command-line options of clnum-linreg, parsed without side effects so that tests and the
 * fuzzer can drive the parser directly. */
#ifndef CLNUM_CLI_ARGS_H
#define CLNUM_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>

typedef struct linreg_options {
    size_t epochs;
    double lr;
    size_t batch_size;
    size_t num_train;
    size_t num_val;
    size_t num_inputs;
    double noise;
    uint64_t seed;
    const char *device;      /* NULL: CLNUM_DEVICE or the default */
    const char *csv_path;    /* loss history as CSV, or NULL */
    int list_devices;
    int help;
} linreg_options;

/* Strict number parsers: the whole text must be the number, within [min, max]. Return 0 on
 * success, -1 otherwise. */
int cli_parse_size(const char *text, size_t min, size_t max, size_t *out);
int cli_parse_u64(const char *text, uint64_t *out);
int cli_parse_double(const char *text, double *out); /* finite values only */

/* Fills opts from argv (the chapter's defaults for what is not given). Returns 0 on
 * success; -1 with a one-line reason in err on a bad option or value. */
int linreg_options_parse(int argc, char **argv, linreg_options *opts, char *err, size_t err_cap);

#endif
