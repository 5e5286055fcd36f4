/* --predict of both programs: the rows of a CSV file read as a saved model's features (by
 * name, standardised as its training rows were: model_file.h), and the predictions written
 * as a CSV file. */
#ifndef CLNUM_APPS_CLI_PREDICT_H
#define CLNUM_APPS_CLI_PREDICT_H

#include <stddef.h>
#include <stdio.h>

#include "clnum/clnum.h"

/* One CSV field: as it is, or quoted (RFC 4180: doubled quotes) when it holds the
 * delimiter ','), a quote, a line break or leading or trailing white space. */
void cli_csv_field(FILE *f, const char *text);

/* The rows of path ("-": standard input) for meta's features, in the model's units
 * (cln_model_meta_read_rows with the delimiter, the header or none, the lines to skip). */
cln_status cli_predict_rows(const cln_model_meta *meta, const char *path, char delimiter,
                            int has_header, size_t skip_lines, double **X, size_t *rows);

/* What a model predicted for `rows` rows: a regression's y_hat (classes NULL), or a
 * classifier's classes with their probabilities (num_classes a row; y_hat NULL). */
typedef struct cli_predictions {
    size_t rows;
    const double *y_hat;
    const size_t *classes;
    const double *probs;
} cli_predictions;

/* Writes p as a CSV file to path ("-": standard output), whole or not at all
 * (cli_output_open): for a regression one column, TARGET_hat; for a classifier TARGET_hat
 * (the class's name), probability (its), then p_CLASS for each class, in meta's class
 * order. Values with 17 significant digits. Returns 0; -1 with the reason in why. */
int cli_write_predictions(const cln_model_meta *meta, const cli_predictions *p,
                          const char *path, char *why, size_t why_cap);

#endif
