/* clnum-bench: the clock, the summary of repeated timings, and whether event times hold. */
#include "timing.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

bench_stats bench_stats_of(double *v, size_t n)
{
    bench_stats s = {NAN, NAN};
    if (n == 0)
        return s;
    qsort(v, n, sizeof *v, compare_doubles);
    s.best = v[0];
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return s;
}

int bench_events_trusted(const bench_event_probe *p, char *why, size_t cap)
{
    char dummy[1];
    if (!why) {
        why = dummy;
        cap = sizeof dummy;
    }
    /* Unsigned stamps: an END before its START would wrap into a huge span, so order first. */
    if (p->first_end <= p->first_start || p->last_end <= p->last_start ||
        p->last_start < p->first_start || p->last_end < p->first_end) {
        snprintf(why, cap,
                 "event stamps out of order or empty (START %" PRIu64 ", END %" PRIu64
                 " .. START %" PRIu64 ", END %" PRIu64 " ns)",
                 p->first_start, p->first_end, p->last_start, p->last_end);
        return 0;
    }
    double event_ms = (double)(p->last_end - p->first_start) * 1e-6;
    int agree = p->host_ms > 0 && event_ms * BENCH_EVENTS_MAX_RATIO >= p->host_ms &&
                event_ms <= p->host_ms * BENCH_EVENTS_MAX_RATIO;
    int n = snprintf(why, cap, "probe of %u launch%s: events %.3g ms, host %.3g ms",
                     p->launches, p->launches == 1 ? "" : "es", event_ms, p->host_ms);
    if (!agree && n >= 0 && (size_t)n < cap)
        snprintf(why + n, cap - (size_t)n, ": more than %gx apart", BENCH_EVENTS_MAX_RATIO);
    return agree;
}
