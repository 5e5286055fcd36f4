/* clnum-bench: start-up, the time cln_context_build() takes with clnum's program cache
 * cold, warm and off, and the time to the chapter's first result in each case. */
#ifndef BENCH_STARTUP_H
#define BENCH_STARTUP_H

#include "clnum/clnum.h"
#include "error.h"

/* One way of starting: the build alone, and build + the chapter's data + its first fit. */
typedef struct startup_figure {
    double build_ms, build_median_ms;
    double first_fit_ms, first_fit_median_ms;
} startup_figure;

typedef struct startup_times {
    startup_figure cold;     /* the first build with CLNUM_CACHE_DIR an empty folder */
    startup_figure warm;     /* a second context's build, same folder */
    startup_figure nocache;  /* CLNUM_CACHE_DIR=off: no cache read or written */
} startup_times;

/* Each repeat: a fresh empty folder as CLNUM_CACHE_DIR, a context built (cold), another
 * (warm), then one with the cache off; each freed before the next. The folders are removed
 * afterwards and CLNUM_CACHE_DIR is put back as it was. */
cln_status startup_measure(const char *selector, int repeats, startup_times *out,
                           bench_error *err);

#endif
