/* libFuzzer harness: the CSV reader (src/data/csv.c). The first byte picks options (delimiter,
 * quote, comment, header, target by index), the rest is the text given to
 * cln_csv_parse_buffer(). Traps when a contract breaks:
 *   success: at least one row and one feature, every value finite, names NUL-terminated,
 *            and the table splits (cln_csv_split) into rows that add up;
 *   failure: NULL out, a known status and a message. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clnum/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    cln_csv_options opts;
    cln_csv_options_init(&opts);
    static const char delims[4] = {',', ';', '\t', ' '};
    opts.delimiter = delims[mode & 3];
    if (mode & 4)
        opts.quote = '\0';
    if (mode & 8)
        opts.comment = '\0';
    if (mode & 16)
        opts.has_header = 0;
    if (mode & 32)
        opts.target = "0";
    cln_csv *csv = (cln_csv *)1;
    cln_status st = cln_csv_parse_buffer(len ? text : NULL, len, "fuzz.csv", &opts, &csv);
    if (st != CLN_SUCCESS) {
        if (csv || !*cln_last_error(NULL) ||
            (st != CLN_ERR_PARSE && st != CLN_ERR_BAD_ARGUMENT && st != CLN_ERR_OUT_OF_HOST_MEMORY))
            __builtin_trap();
        return 0;
    }
    size_t rows = cln_csv_num_rows(csv), d = cln_csv_num_features(csv);
    if (rows < 1 || d < 1 || !cln_csv_target_name(csv))
        __builtin_trap();
    const double *X = cln_csv_X(csv), *y = cln_csv_y(csv);
    for (size_t i = 0; i < rows; i++) {
        if (!isfinite(y[i]))
            __builtin_trap();
        for (size_t j = 0; j < d; j++)
            if (!isfinite(X[i * d + j]))
                __builtin_trap();
    }
    for (size_t j = 0; j < d; j++)
        if (!cln_csv_feature_name(csv, j))
            __builtin_trap();
    cln_split_config sc;
    cln_split_config_init(&sc);
    sc.standardize = (mode & 64) != 0;
    sc.val_fraction = mode & 128 ? 0.5 : 0.2;
    cln_split split;
    if (cln_csv_split(csv, &sc, &split) == CLN_SUCCESS) {
        if (split.num_train < 1 || split.num_train + split.num_val != rows ||
            split.num_inputs != d)
            __builtin_trap();
        for (size_t k = 0; k < rows * d; k++)
            if (!isfinite(split.X[k]))
                __builtin_trap();
        cln_split_free(&split);
    }
    cln_csv_free(csv);
    return 0;
}
