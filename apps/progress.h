/* The progress line of both programs: on stderr, only when it is a terminal, while a fit
 * runs. It is redrawn at each epoch's end from the trainer's report, and in between by a
 * ticker thread, whose batch counter is an estimate ("~") from the time the epochs done took
 * (the trainer reports once an epoch, never within one):
 *
 *   epoch   3/1500  batch ~312/625  elapsed 00:00:12  left 00:01:48  1.26e+07 examples/s  loss 5.000e-05
 *
 * Every number keeps its width from one update to the next. The line shows only once the fit
 * has run timing.delay_s seconds, then at most once every timing.interval_s seconds and
 * always at the last epoch (by default after 1 s, at most 10 times a second: cli_args.h);
 * with both 0 it shows at every epoch, from the first. Each epoch's own line (stdout) is
 * printed as the epoch ends, whether the progress line shows or not, with the progress line
 * cleared first and drawn again after it. */
#ifndef CLNUM_APPS_PROGRESS_H
#define CLNUM_APPS_PROGRESS_H

#include <pthread.h>
#include <stddef.h>

#include "cli_args.h"
#include "clnum/clnum.h"

typedef struct progress {
    int enabled;           /* stderr is a terminal and --quiet was not given */
    linreg_progress_timing timing;
    pthread_mutex_t lock;  /* the line and the state below: the fit's thread and the ticker */
    pthread_cond_t wake;
    pthread_t ticker;
    int ticking;           /* the ticker runs */
    int stop;              /* asks the ticker to end */
    int shown;             /* something is on the line now */
    double t0_ms;          /* cli_now_ms() when the fit started */
    double last_s;         /* seconds of the last update; < 0 before the first */
    size_t max_epochs;     /* of this fit */
    size_t batches;        /* training minibatches an epoch; 0 until known */
    size_t done;           /* epochs of this fit done */
    size_t first_epoch;    /* the 0-based number of this fit's first epoch (a loaded model's
                              epochs before it) */
    double epoch_end_s;    /* seconds at the end of the last epoch done (0 before) */
    double rate;           /* examples a second over the epochs done; 0 before */
    double loss;           /* the last epoch's training loss; NaN before */
} progress;

void progress_init(progress *p, int quiet, const linreg_progress_timing *timing);
/* The fit starts now: max_epochs epochs, numbered from first_epoch + 1, of `batches`
 * training minibatches each (0: not known before the first epoch ends). Starts the ticker
 * when the line is enabled. */
void progress_start(progress *p, size_t max_epochs, size_t first_epoch, size_t batches);
/* An epoch ended (the fit's on_epoch): the line cleared, print_line(user) prints the
 * epoch's own line (may be NULL), then the line drawn again when due. */
void progress_epoch(progress *p, const cln_epoch_report *r, void (*print_line)(void *user),
                    void *user);
/* The fit ended: stops the ticker and clears the line. Safe after progress_init alone. */
void progress_done(progress *p);

/* The line for a state, as drawn (without the "\r" before it and the erase after it): for
 * the tests of its format. now_s: seconds since the fit started; estimate: whether the batch
 * counter is the ticker's estimate. Returns out. */
const char *progress_format(const progress *p, double now_s, int estimate, char *out,
                            size_t cap);

#endif
