/* clnum-bench: the clock and the summary of repeated timings. */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

#include <stddef.h>

/* Milliseconds on the monotonic clock. */
double bench_now_ms(void);

/* Best (smallest) and median of n timings; both NaN when n is 0. */
typedef struct bench_stats {
    double best, median;
} bench_stats;

/* Sorts v in place. */
bench_stats bench_stats_of(double *v, size_t n);

#endif
