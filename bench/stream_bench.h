/* Issue 6's streaming figures, for clnum-bench to take in (bench/stream_bench.c): the
 * host-to-device bandwidth, and one epoch of the same problem trained from device memory
 * and streamed from host memory, in GB/s of rows. */
#ifndef BENCH_STREAM_BENCH_H
#define BENCH_STREAM_BENCH_H

#include <stddef.h>

#include <clnum/clnum.h>

typedef struct stream_bench_options {
    size_t num_inputs;      /* d; default 64 */
    size_t num_train;       /* default 1 << 20 rows (260 MiB at d 64) */
    size_t batch;           /* default 1024 */
    size_t chunk_bytes;     /* streaming chunk; 0: the library's default */
    size_t copy_bytes;      /* one host-to-device copy; default 64 MiB */
    int repeats;            /* default 3 (each epoch figure: the best epoch of a 5-epoch fit) */
} stream_bench_options;

typedef struct stream_bench_figures {
    double h2d_pageable_gbs;  /* clEnqueueWriteBuffer from malloc'd memory */
    double h2d_pinned_gbs;    /* ... from a mapped CL_MEM_ALLOC_HOST_PTR buffer */
    double gather_gbs;        /* the host gathering rows in a shuffled order (one thread) */
    double epoch_device_ms, epoch_device_gbs;     /* rows on the device */
    double epoch_streamed_ms, epoch_streamed_gbs; /* the same rows streamed from the host */
    size_t row_bytes;         /* (d + 1) x 4 */
    double data_mib;          /* the training rows */
} stream_bench_figures;

void stream_bench_defaults(stream_bench_options *o);
/* Runs every figure on ctx's device; returns CLN_SUCCESS or the first failure (the figures
 * measured so far are set, the others NaN). */
cln_status stream_bench_run(cln_context *ctx, const stream_bench_options *o,
                            stream_bench_figures *f);

#endif
