/* What clnum-linreg shows besides its result lines: the progress line on a terminal and the
 * JSON summary. */
#ifndef CLNUM_APPS_REPORT_H
#define CLNUM_APPS_REPORT_H

#include <stdio.h>

#include "cli_args.h"
#include "clnum/clnum.h"

/* The progress line: on stderr, only when it is a terminal, only once the fit has run for
 * timing.delay_s seconds, then at most once every timing.interval_s seconds and always at
 * the last epoch (by default after 1 s, at most 10 times a second: cli_args.h); cleared
 * when the fit ends. With both 0 it shows at every epoch, from the first. */
typedef struct progress {
    int enabled;        /* stderr is a terminal and --quiet was not given */
    int shown;          /* something is on the line now */
    double last;        /* seconds of the last update; < 0 before the first */
    linreg_progress_timing timing;
} progress;

void progress_init(progress *p, int quiet, const linreg_progress_timing *timing);
/* cln_trainer_config.on_epoch; user is a progress. Never stops the fit. */
int progress_on_epoch(const cln_epoch_report *r, void *user);
/* Clears the line if anything was shown. */
void progress_done(progress *p);

/* JSON output: strings escaped, non-finite numbers as null. json_string writes valid JSON
 * in valid UTF-8 whatever the bytes: quotes, backslashes and every control character (C0,
 * DEL, C1) escaped, valid UTF-8 kept, each byte that is not valid UTF-8 written as \ufffd
 * (U+FFFD). */
void json_string(FILE *f, const char *s);
void json_number(FILE *f, double v);
void json_numbers(FILE *f, const double *v, size_t n);
void json_curve(FILE *f, const cln_curve *c);  /* {"x": [...], "y": [...]} */

/* Mean over rows of (x_i w + b - y_i)^2; NaN for no rows. */
double mse_of(const double *X, const double *y, size_t rows, size_t d, const double *w, double b);

#endif
