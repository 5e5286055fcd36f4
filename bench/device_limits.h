/* clnum-bench: the device's own limits, measured clpeak-style with the bench's kernels
 * (limits.cl) on the library's OpenCL context and device. */
#ifndef BENCH_DEVICE_LIMITS_H
#define BENCH_DEVICE_LIMITS_H

#include "clnum/clnum.h"
#include "error.h"

typedef struct device_limits {
    /* What timed the read and rows kernels: "events" (OpenCL event profiling) where a probe
     * found it agrees with the host clock, else "host" (the host clock around each launch
     * and its clFinish); timer_reason has the probe's figures or what failed. */
    const char *timer;
    char timer_reason[200];
    /* float4 global reads: bytes read / kernel time, best and median of the repeats of the
     * fastest access pattern and loads per work-item. */
    double read_gbps, read_median_gbps;
    double read_mib;              /* buffer size */
    const char *read_pattern;     /* "interleaved" or "contiguous" */
    unsigned read_loads;          /* float4 loads per work-item */
    /* The same float reads as whole rows of rows_bytes (W2's rows) in a shuffled order
     * (cln_shuffle_order), from a buffer made as the library makes a dataset's: the
     * minibatch gather's own limit, best pattern and rows per work-item. */
    double rows_gbps, rows_median_gbps;
    double rows_bytes;
    const char *rows_pattern;     /* "per item" or "per group" */
    unsigned rows_per_item;
    /* An empty kernel: host time per launch, queued back to back then one wait, and
     * waited for one by one; best of the repeats. */
    double launch_us, launch_waited_us;
    unsigned launches;            /* launches per repeat */
} device_limits;

cln_status device_limits_measure(cln_context *ctx, int repeats, device_limits *out,
                                 bench_error *err);

#endif
