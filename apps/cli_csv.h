/* The CSV reading of both programs beyond the library's: --exclude (columns left out of
 * "every other column"), and the hint that a diverged run's features want --standardize. */
#ifndef CLNUM_APPS_CLI_CSV_H
#define CLNUM_APPS_CLI_CSV_H

#include <stddef.h>

#include "clnum/clnum.h"

/* cln_csv_read(path, co) ("-": standard input), except that with exclude (a comma-separated
 * list, not NULL) and co->features NULL the features are every column but the target and
 * those listed: the header is read first, so an excluded column may hold anything (text,
 * empty fields). A name that is not a feature column of the header is an error
 * (CLN_ERR_PARSE naming it), as is the target. The message is in cln_last_error(NULL). */
cln_status cli_csv_read(const char *path, const cln_csv_options *co, const char *exclude,
                        cln_csv **out);

/* The ratio of the largest to the smallest standard deviation of the d columns of X's rows
 * (rows x d, row-major), among the columns that are not constant; 1 with fewer than two. */
double cli_scale_ratio(const double *X, size_t rows, size_t d);

/* Above it, a run on raw features that diverges suggests --standardize. */
#define CLI_SCALE_RATIO_HINT 100.0

/* msg (cap bytes) with "; the features' scales differ by a factor of R: --standardize may
 * help" appended when ratio is above CLI_SCALE_RATIO_HINT. */
void cli_standardize_hint(char *msg, size_t cap, double ratio);

#endif
