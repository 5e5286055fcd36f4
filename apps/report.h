/* What both programs write for scripts: JSON documents built with Jansson (libjansson), and
 * the small sums of their result lines. */
#ifndef CLNUM_APPS_REPORT_H
#define CLNUM_APPS_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "clnum/clnum.h"

/* A JSON string of s, in valid UTF-8 whatever the bytes: each byte that is not valid UTF-8
 * becomes U+FFFD (Jansson escapes quotes, backslashes and control characters). NULL when out
 * of memory. */
json_t *cli_json_text(const char *s);
/* A JSON number, or null for a value that is not finite. */
json_t *cli_json_number(double v);
json_t *cli_json_numbers(const double *v, size_t n);
json_t *cli_json_counts(const size_t *v, size_t n);
/* An integer; above INT64_MAX, which Jansson's integers do not reach, the nearest real. */
json_t *cli_json_u64(uint64_t v);
json_t *cli_json_curve(const cln_curve *c);  /* {"x": [...], "y": [...]} */

/* obj[key] = value (the reference stolen, as json_object_set_new). Returns 0; -1 when value
 * is NULL or the set fails (out of memory), value then released. */
int cli_json_set(json_t *obj, const char *key, json_t *value);

/* A new object whose first key is "clnum_version" (cln_version()); NULL out of memory. */
json_t *cli_json_document(void);

/* Writes doc (indented by 2, reals with 17 significant digits) to path ("-": standard output)
 * whole or not at all (cli_output_open). Returns 0; -1 with "cannot write PATH: REASON" in
 * why. */
int cli_json_write(const json_t *doc, const char *path, char *why, size_t why_cap);

/* Mean over rows of (x_i w + b - y_i)^2; NaN for no rows. */
double mse_of(const double *X, const double *y, size_t rows, size_t d, const double *w, double b);

#endif
