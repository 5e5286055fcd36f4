/* clnum-bench: the clock, the summary of repeated timings, and whether event times hold. */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds on the monotonic clock. */
double bench_now_ms(void);

/* Best (smallest) and median of n timings; both NaN when n is 0. */
typedef struct bench_stats {
    double best, median;
} bench_stats;

/* Sorts v in place. */
bench_stats bench_stats_of(double *v, size_t n);

/* Event profiling of a probe: `launches` launches of a long kernel back to back on an
 * in-order queue, the CL_PROFILING_COMMAND_START and _END (ns) of the first and the last,
 * and the host clock from before the first enqueue to after clFinish. With one launch the
 * first and the last are the same. */
typedef struct bench_event_probe {
    uint64_t first_start, first_end, last_start, last_end;
    unsigned launches;
    double host_ms;
} bench_event_probe;

#define BENCH_EVENTS_MAX_RATIO 2.0 /* events and host clock further apart: events not trusted */

/* Whether the probe's event times can be trusted: each launch ends after it starts, the
 * last neither starts nor ends before the first, and the event span (first START to last
 * END) is within BENCH_EVENTS_MAX_RATIO of the host time. Some drivers return made-up
 * stamps (rusticl on llvmpipe: 0, 1, 2, 3 ns for QUEUED..END), which would turn any
 * bandwidth into nonsense. 1 when trusted; why (if not NULL) gets the figures either way. */
int bench_events_trusted(const bench_event_probe *p, char *why, size_t cap);

#endif
