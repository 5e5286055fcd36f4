/* Issue 6's streaming figures (stream_bench.h): a section of clnum-bench, and on its own,
 * with options of its own, as clnum-stream-bench (with STREAM_BENCH_MAIN):
 *
 *   clnum-stream-bench [--device P:D] [--inputs D] [--rows N] [--batch B] [--chunk-mib M]
 *                      [--repeats R] [--json FILE]
 *
 * Host-to-device bandwidth: the best of R copies of copy_bytes with clEnqueueWriteBuffer,
 * blocking, from pageable (malloc) and from pinned memory (a CL_MEM_ALLOC_HOST_PTR buffer,
 * mapped). Gather: the host copying rows in a shuffled order into a buffer, the streamed
 * trainer's own host work. Epochs: one synthetic problem (d inputs, N training rows, no
 * validation), trained 5 epochs with its rows on the device and again with them kept on
 * the host (CLN_PLACE_HOST: streamed in chunks, a copy queue filling the next while the
 * current one trains); an epoch's time is the best gap between two epochs' reports, the
 * first and the last left out (on_epoch says why), and GB/s is N (d + 1) 4 bytes over it,
 * the bytes of rows an epoch reads. */
#include "stream_bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void stream_bench_defaults(stream_bench_options *o)
{
    memset(o, 0, sizeof *o);
    o->num_inputs = 64;
    o->num_train = (size_t)1 << 20;
    o->batch = 1024;
    o->copy_bytes = (size_t)64 << 20;
    o->repeats = 3;
}

/* The best GB/s of `repeats` blocking writes of `bytes` from src. */
static cln_status h2d(cln_context *ctx, cl_mem dst, const void *src, size_t bytes, int repeats,
                      double *gbs)
{
    cl_command_queue q;
    cln_status st = cln_context_cl(ctx, NULL, NULL, &q);
    if (st != CLN_SUCCESS)
        return st;
    double best = INFINITY;
    for (int r = 0; r <= repeats; r++) { /* the first is a warm-up */
        double t = now();
        cl_int err = clEnqueueWriteBuffer(q, dst, CL_TRUE, 0, bytes, src, 0, NULL, NULL);
        if (err != CL_SUCCESS)
            return (cln_status)err;
        t = now() - t;
        if (r > 0 && t < best)
            best = t;
    }
    *gbs = (double)bytes / best * 1e-9;
    return CLN_SUCCESS;
}

static cln_status bandwidth(cln_context *ctx, const stream_bench_options *o,
                            stream_bench_figures *f)
{
    cl_context cl;
    cl_command_queue q;
    cln_status st = cln_context_cl(ctx, &cl, NULL, &q);
    if (st != CLN_SUCCESS)
        return st;
    cl_int err;
    cl_mem dst = clCreateBuffer(cl, CL_MEM_READ_WRITE, o->copy_bytes, NULL, &err);
    if (err != CL_SUCCESS)
        return (cln_status)err;
    char *pageable = malloc(o->copy_bytes);
    if (!pageable) {
        clReleaseMemObject(dst);
        return CLN_ERR_OUT_OF_HOST_MEMORY;
    }
    memset(pageable, 1, o->copy_bytes);
    st = h2d(ctx, dst, pageable, o->copy_bytes, o->repeats, &f->h2d_pageable_gbs);
    free(pageable);
    cl_mem pinned = clCreateBuffer(cl, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, o->copy_bytes,
                                   NULL, &err);
    if (st == CLN_SUCCESS && err == CL_SUCCESS) {
        void *p = clEnqueueMapBuffer(q, pinned, CL_TRUE, CL_MAP_WRITE, 0, o->copy_bytes, 0, NULL,
                                     NULL, &err);
        if (err == CL_SUCCESS) {
            memset(p, 1, o->copy_bytes);
            st = h2d(ctx, dst, p, o->copy_bytes, o->repeats, &f->h2d_pinned_gbs);
            clEnqueueUnmapMemObject(q, pinned, p, 0, NULL, NULL);
            clFinish(q);
        }
    }
    if (pinned)
        clReleaseMemObject(pinned);
    clReleaseMemObject(dst);
    return st;
}

/* The host gathering rows in a shuffled order, as the streamed trainer does. */
static void gather(const float *X, size_t n, size_t d, int repeats, stream_bench_figures *f)
{
    uint32_t *order = malloc(n * sizeof *order);
    size_t rows = (size_t)(16 << 20) / ((d + 1) * sizeof(float)); /* a 16 MiB staging buffer */
    if (rows > n)
        rows = n;
    float *dst = malloc(rows * d * sizeof *dst);
    if (!order || !dst) {
        free(order);
        free(dst);
        return;
    }
    cln_shuffle_order(1, 0, order, n);
    double best = INFINITY;
    for (int r = 0; r <= repeats; r++) {
        double t = now();
        for (size_t at = 0; at < n; at += rows) {
            size_t c = n - at < rows ? n - at : rows;
            for (size_t i = 0; i < c; i++)
                memcpy(dst + i * d, X + (size_t)order[at + i] * d, d * sizeof *X);
        }
        t = now() - t;
        if (r > 0 && t < best)
            best = t;
    }
    f->gather_gbs = (double)n * d * sizeof(float) / best * 1e-9;
    free(order);
    free(dst);
}

typedef struct epoch_times {
    double last, best;
} epoch_times;

/* An epoch's report comes once its results are read, while the next epoch runs (the
 * trainer looks one epoch ahead); streamed, the host is busy enqueuing that next epoch
 * until nearly its end. So the gap between two reports is an epoch, except the gap before
 * the last report, which has no next epoch to enqueue: it is left out. */
static int on_epoch(const cln_epoch_report *r, void *user)
{
    epoch_times *t = user;
    if (r->epoch > 0 && r->epoch + 1 < r->max_epochs && r->seconds - t->last < t->best)
        t->best = r->seconds - t->last;
    t->last = r->seconds;
    return 0;
}

/* The best epoch time of `repeats` 5-epoch fits. */
static cln_status epochs(cln_context *ctx, const cln_dataset *data, const stream_bench_options *o,
                         double *ms)
{
    cln_linreg *m;
    cln_status st = cln_linreg_create(ctx, CLN_FLOAT32, o->num_inputs, 0.01, 0, &m);
    if (st != CLN_SUCCESS)
        return st;
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.max_epochs = 5;
    cfg.batch_size = o->batch;
    cfg.lr = 0.01;
    cfg.path = CLN_PATH_FUSED;
    cfg.stream_chunk_bytes = o->chunk_bytes;
    epoch_times t = {0, INFINITY};
    cfg.on_epoch = on_epoch;
    cfg.user = &t;
    for (int r = 0; r < o->repeats && st == CLN_SUCCESS; r++) {
        t.last = 0;
        st = cln_fit(cln_linreg_model(m), data, &cfg, NULL);
    }
    cln_linreg_free(m);
    *ms = t.best * 1e3;
    return st;
}

cln_status stream_bench_run(cln_context *ctx, const stream_bench_options *o,
                            stream_bench_figures *f)
{
    f->h2d_pageable_gbs = f->h2d_pinned_gbs = f->gather_gbs = NAN;
    f->epoch_device_ms = f->epoch_device_gbs = f->epoch_streamed_ms = f->epoch_streamed_gbs = NAN;
    f->row_bytes = (o->num_inputs + 1) * sizeof(float);
    f->data_mib = (double)o->num_train * f->row_bytes / 1048576.0;
    cln_status st = bandwidth(ctx, o, f);
    if (st != CLN_SUCCESS)
        return st;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_inputs = o->num_inputs;
    dc.num_train = o->num_train;
    dc.num_val = 0;
    dc.placement = CLN_PLACE_HOST;
    cln_dataset *host, *dev;
    st = cln_synthetic_create(ctx, &dc, &host);
    if (st != CLN_SUCCESS)
        return st;
    gather(cln_dataset_host_X(host), o->num_train, o->num_inputs, o->repeats, f);
    /* the same rows on the device */
    dc.placement = CLN_PLACE_DEVICE;
    st = cln_synthetic_create(ctx, &dc, &dev);
    double bytes = (double)o->num_train * (double)f->row_bytes;
    if (st == CLN_SUCCESS)
        st = epochs(ctx, dev, o, &f->epoch_device_ms);
    if (st == CLN_SUCCESS)
        f->epoch_device_gbs = bytes / f->epoch_device_ms * 1e-6;
    cln_dataset_free(dev);
    if (st == CLN_SUCCESS)
        st = epochs(ctx, host, o, &f->epoch_streamed_ms);
    if (st == CLN_SUCCESS)
        f->epoch_streamed_gbs = bytes / f->epoch_streamed_ms * 1e-6;
    cln_dataset_free(host);
    return st;
}

#ifdef STREAM_BENCH_MAIN
static void usage(FILE *to)
{
    fprintf(to, "usage: clnum-stream-bench [--device P:D] [--inputs D] [--rows N] [--batch B]\n"
                "                          [--chunk-mib M] [--repeats R] [--json FILE]\n");
}

int main(int argc, char **argv)
{
    stream_bench_options o;
    stream_bench_defaults(&o);
    const char *device = NULL, *json = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        unsigned long long n = v ? strtoull(v, &end, 10) : 0;
        int num_ok = v && end && *end == '\0' && n > 0;
        if (strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--device") == 0 && v) {
            device = v;
        } else if (strcmp(a, "--json") == 0 && v) {
            json = v;
        } else if (strcmp(a, "--inputs") == 0 && num_ok) {
            o.num_inputs = n;
        } else if (strcmp(a, "--rows") == 0 && num_ok) {
            o.num_train = n;
        } else if (strcmp(a, "--batch") == 0 && num_ok) {
            o.batch = n;
        } else if (strcmp(a, "--chunk-mib") == 0 && num_ok) {
            o.chunk_bytes = n << 20;
        } else if (strcmp(a, "--repeats") == 0 && num_ok) {
            o.repeats = (int)n;
        } else {
            usage(stderr);
            return 2;
        }
        i++;
    }
    cln_context *ctx;
    cln_status st = cln_context_create(device, &ctx);
    if (st != CLN_SUCCESS) {
        fprintf(stderr, "clnum-stream-bench: %s: %s\n", cln_status_str(st), cln_last_error(NULL));
        return 1;
    }
    const cln_device_info *info = cln_context_device(ctx);
    stream_bench_figures f;
    st = stream_bench_run(ctx, &o, &f);
    printf("device: %s (%s), global memory %.1f GiB\n", info->device_name, info->platform_name,
           info->global_mem_bytes / 1073741824.0);
    printf("problem: %zu rows x %zu inputs (%.0f MiB of rows), batch %zu, chunk %s\n",
           o.num_train, o.num_inputs, f.data_mib, o.batch, o.chunk_bytes ? "given" : "default");
    printf("host-to-device copy, pageable  %8.2f GB/s\n", f.h2d_pageable_gbs);
    printf("host-to-device copy, pinned    %8.2f GB/s\n", f.h2d_pinned_gbs);
    printf("host gather of shuffled rows   %8.2f GB/s\n", f.gather_gbs);
    printf("epoch, rows on the device      %8.2f GB/s  (%.2f ms)\n", f.epoch_device_gbs,
           f.epoch_device_ms);
    printf("epoch, rows streamed from host %8.2f GB/s  (%.2f ms)\n", f.epoch_streamed_gbs,
           f.epoch_streamed_ms);
    if (json) {
        FILE *out = fopen(json, "w");
        if (out) {
            fprintf(out,
                    "{\"device\": \"%s\", \"rows\": %zu, \"inputs\": %zu, \"batch\": %zu,\n"
                    " \"h2d_pageable_gbs\": %.4g, \"h2d_pinned_gbs\": %.4g, \"gather_gbs\": %.4g,\n"
                    " \"epoch_device_ms\": %.4g, \"epoch_device_gbs\": %.4g,\n"
                    " \"epoch_streamed_ms\": %.4g, \"epoch_streamed_gbs\": %.4g}\n",
                    info->device_name, o.num_train, o.num_inputs, o.batch, f.h2d_pageable_gbs,
                    f.h2d_pinned_gbs, f.gather_gbs, f.epoch_device_ms, f.epoch_device_gbs,
                    f.epoch_streamed_ms, f.epoch_streamed_gbs);
            fclose(out);
        }
    }
    if (st != CLN_SUCCESS)
        fprintf(stderr, "clnum-stream-bench: %s: %s\n", cln_status_str(st), cln_last_error(ctx));
    cln_context_free(ctx);
    return st == CLN_SUCCESS ? 0 : 1;
}
#endif
