/* clnum-bench: the device's read bandwidth (in order, and as shuffled rows) and kernel
 * launch cost, clpeak-style. */
#include "device_limits.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_limits_cl.h"
#include "timing.h"

#define MIB (1024.0 * 1024.0)
#define MAX_READ_BYTES ((size_t)512 << 20) /* far beyond any cache, quick at any bandwidth */
#define LAUNCHES 1000u
#define ROW_FLOATS 256u /* W2's rows: 1 KiB */
#define W_ROWS_SEED 1   /* the rows test's shuffle */
#define PROBE_MIN_MS 20.0 /* a timer probe this long on the host: launch costs are noise in it */
#define PROBE_MAX_LAUNCHES 1024u

typedef struct bench_cl {
    cl_context context;
    cl_device_id device;
    cl_command_queue queue;          /* the library's (launches go where the trainer's go) */
    cl_command_queue profiling;      /* the bench's own, for the read and rows kernels */
    int events;                      /* time those by events (choose_timer), else host clock */
    cl_program program;
    cl_kernel read[2], rows[2], empty;
    cl_mem src, out;
    size_t bytes, local;             /* of the read test, which the rows test reuses */
} bench_cl;

static const char *const pattern_names[2] = {"interleaved", "contiguous"};
static const char *const read_kernel_names[2] = {"bench_read_interleaved",
                                                 "bench_read_contiguous"};
static const char *const rows_pattern_names[2] = {"per item", "per group"};
static const char *const rows_kernel_names[2] = {"bench_rows_per_item", "bench_rows_per_group"};

static void bench_cl_release(bench_cl *b)
{
    if (b->src)
        clReleaseMemObject(b->src);
    if (b->out)
        clReleaseMemObject(b->out);
    for (int i = 0; i < 2; i++) {
        if (b->read[i])
            clReleaseKernel(b->read[i]);
        if (b->rows[i])
            clReleaseKernel(b->rows[i]);
    }
    if (b->empty)
        clReleaseKernel(b->empty);
    if (b->program)
        clReleaseProgram(b->program);
    if (b->profiling)
        clReleaseCommandQueue(b->profiling);
}

/* Builds limits.cl for the device; the build log goes into the error. */
static cln_status build(bench_cl *b, bench_error *err)
{
    cl_int e;
    const char *text = bench_limits_cl;
    b->program = clCreateProgramWithSource(b->context, 1, &text, NULL, &e);
    if (e != CL_SUCCESS)
        return bench_fail(err, e, NULL, "clCreateProgramWithSource (bench kernels)");
    e = clBuildProgram(b->program, 1, &b->device, "", NULL, NULL);
    if (e != CL_SUCCESS) {
        char log[600] = "";
        clGetProgramBuildInfo(b->program, b->device, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log,
                              NULL);
        return bench_fail(err, e, log, "building bench/limits.cl");
    }
    for (int i = 0; i < 2 && e == CL_SUCCESS; i++) {
        b->read[i] = clCreateKernel(b->program, read_kernel_names[i], &e);
        if (e == CL_SUCCESS)
            b->rows[i] = clCreateKernel(b->program, rows_kernel_names[i], &e);
    }
    if (e == CL_SUCCESS)
        b->empty = clCreateKernel(b->program, "bench_empty", &e);
    return e == CL_SUCCESS ? CLN_SUCCESS : bench_fail(err, e, NULL, "clCreateKernel (bench)");
}

/* The largest power of two <= n, at least 1. */
static size_t pow2_floor(size_t n)
{
    size_t p = 1;
    while (p * 2 <= n)
        p *= 2;
    return p;
}

/* CL_PROFILING_COMMAND_START and _END of a finished command. */
static cl_int event_stamps(cl_event ev, cl_ulong *start, cl_ulong *end)
{
    cl_int e = clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof *start, start, NULL);
    if (e == CL_SUCCESS)
        e = clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof *end, end, NULL);
    return e;
}

/* Time in ms of one launch of kernel k (its arguments set): by its event where b->events,
 * else by the host clock around the launch and its clFinish, which adds one waited launch's
 * cost (launch_waited_us) to the time: little beside a read of the whole buffer. */
static cln_status time_kernel(bench_cl *b, cl_kernel k, const char *name, size_t global,
                              size_t local, double *ms, bench_error *err)
{
    cl_event ev = NULL;
    double t0 = bench_now_ms();
    cl_int e = clEnqueueNDRangeKernel(b->profiling, k, 1, NULL, &global, &local, 0, NULL,
                                      b->events ? &ev : NULL);
    if (e != CL_SUCCESS)
        return bench_fail(err, e, NULL, "launching %s", name);
    e = clFinish(b->profiling);
    double host_ms = bench_now_ms() - t0;
    cl_ulong start = 0, end = 0;
    if (e == CL_SUCCESS && ev)
        e = event_stamps(ev, &start, &end);
    if (ev)
        clReleaseEvent(ev);
    if (e != CL_SUCCESS)
        return bench_fail(err, e, NULL, "timing %s", name);
    *ms = b->events ? (double)(end - start) * 1e-6 : host_ms;
    return CLN_SUCCESS;
}

/* Decides what times the read and rows kernels (b->events, out->timer and timer_reason):
 * events only where bench_events_trusted finds them in order and in agreement with the
 * host clock over launches of k back to back, doubled in number until they take
 * PROBE_MIN_MS. Some drivers' stamps are made up (rusticl on llvmpipe), and a bandwidth
 * divided by them is nonsense. Run it after a warm-up launch of k: PoCL compiles a kernel
 * at its first launch, which the host clock would see and the events would not. */
static cln_status choose_timer(bench_cl *b, cl_kernel k, const char *name, size_t global,
                               size_t local, device_limits *out, bench_error *err)
{
    bench_event_probe p = {0};
    cl_int e = CL_SUCCESS, info = CL_SUCCESS;
    for (unsigned n = 1;; n *= 2) {
        cl_event first = NULL, last = NULL;
        double t0 = bench_now_ms();
        for (unsigned i = 0; i < n && e == CL_SUCCESS; i++)
            e = clEnqueueNDRangeKernel(b->profiling, k, 1, NULL, &global, &local, 0, NULL,
                                       i == 0 ? &first : i == n - 1 ? &last : NULL);
        if (e == CL_SUCCESS)
            e = clFinish(b->profiling);
        p.host_ms = bench_now_ms() - t0;
        p.launches = n;
        if (e == CL_SUCCESS)
            info = event_stamps(first, &p.first_start, &p.first_end);
        if (e == CL_SUCCESS && info == CL_SUCCESS)
            info = event_stamps(last ? last : first, &p.last_start, &p.last_end);
        if (first)
            clReleaseEvent(first);
        if (last)
            clReleaseEvent(last);
        if (e != CL_SUCCESS)
            return bench_fail(err, e, NULL, "launching %s (timer probe)", name);
        if (info != CL_SUCCESS || p.host_ms >= PROBE_MIN_MS || n >= PROBE_MAX_LAUNCHES)
            break;
    }
    if (info != CL_SUCCESS) {
        b->events = 0;
        snprintf(out->timer_reason, sizeof out->timer_reason,
                 "no event times: clGetEventProfilingInfo: %s (%d)", cln_status_str(info),
                 (int)info);
    } else {
        b->events = bench_events_trusted(&p, out->timer_reason, sizeof out->timer_reason);
    }
    out->timer = b->events ? "events" : "host";
    return CLN_SUCCESS;
}

/* Sets a read kernel's arguments: the buffer, `loads` float4 loads per work-item. */
static cln_status set_read_args(bench_cl *b, int pattern, cl_uint loads, bench_error *err)
{
    cl_kernel k = b->read[pattern];
    cl_int e = clSetKernelArg(k, 0, sizeof b->src, &b->src);
    e |= clSetKernelArg(k, 1, sizeof loads, &loads);
    e |= clSetKernelArg(k, 2, sizeof b->out, &b->out);
    if (e != CL_SUCCESS)
        return bench_fail(err, CL_INVALID_KERNEL_ARGS, NULL, "clSetKernelArg (%s)",
                          read_kernel_names[pattern]);
    return CLN_SUCCESS;
}

/* Time in ms of one launch of a read kernel over the whole buffer. */
static cln_status time_read(bench_cl *b, int pattern, cl_uint loads, size_t global, size_t local,
                            double *ms, bench_error *err)
{
    BENCH_TRY(set_read_args(b, pattern, loads, err));
    return time_kernel(b, b->read[pattern], read_kernel_names[pattern], global, local, ms, err);
}

/* Read bandwidth: each pattern at a few loads per work-item (a sweep, since the best shape
 * differs between a GPU and a CPU), one warm-up launch each, then the best of the repeats. */
static cln_status measure_read(bench_cl *b, const cln_device_info *dev, int repeats,
                               device_limits *out, bench_error *err)
{
    static const cl_uint loads_sweep[] = {32, 256, 2048};
    size_t local = 256;
    for (int p = 0; p < 2; p++) {
        size_t wg = 0;
        clGetKernelWorkGroupInfo(b->read[p], b->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof wg, &wg,
                                 NULL);
        if (wg && wg < local)
            local = pow2_floor(wg);
    }
    size_t block = local * 2048 * sizeof(cl_float4); /* a multiple of every launch's bytes */
    size_t bytes = MAX_READ_BYTES;
    if (dev->max_alloc_bytes && bytes > dev->max_alloc_bytes / 2)
        bytes = (size_t)(dev->max_alloc_bytes / 2);
    if (dev->global_mem_bytes && bytes > dev->global_mem_bytes / 8)
        bytes = (size_t)(dev->global_mem_bytes / 8);
    bytes = bytes / block * block;
    if (bytes == 0)
        return bench_fail(err, CLN_ERR_OUT_OF_DEVICE_MEMORY, NULL,
                          "the device is too small for the read test");
    size_t items_max = bytes / sizeof(cl_float4) / loads_sweep[0];
    b->bytes = bytes;
    b->local = local;

    cl_int e;
    b->src = clCreateBuffer(b->context, CL_MEM_READ_ONLY, bytes, NULL, &e);
    if (e == CL_SUCCESS)
        b->out = clCreateBuffer(b->context, CL_MEM_WRITE_ONLY, items_max * sizeof(float), NULL, &e);
    if (e != CL_SUCCESS)
        return bench_fail(err, e, NULL, "allocating %.0f MiB for the read test", bytes / MIB);
    cl_float one = 1.0f;
    e = clEnqueueFillBuffer(b->profiling, b->src, &one, sizeof one, 0, bytes, 0, NULL, NULL);
    if (e == CL_SUCCESS)
        e = clFinish(b->profiling);
    if (e != CL_SUCCESS)
        return bench_fail(err, e, NULL, "filling the read buffer");

    /* The timer is chosen on the first shape, after its warm-up launch, before any is timed. */
    size_t global0 = bytes / sizeof(cl_float4) / loads_sweep[0];
    double warm0;
    BENCH_TRY(time_read(b, 0, loads_sweep[0], global0, local, &warm0, err));
    BENCH_TRY(choose_timer(b, b->read[0], read_kernel_names[0], global0, local, out, err));

    double *ms = malloc((size_t)repeats * sizeof *ms);
    if (!ms)
        return bench_fail(err, CLN_ERR_OUT_OF_HOST_MEMORY, NULL, "read test");
    cln_status st = CLN_SUCCESS;
    out->read_gbps = 0;
    out->read_mib = bytes / MIB;
    size_t sweep = sizeof loads_sweep / sizeof *loads_sweep;
    for (int p = 0; p < 2 && st == CLN_SUCCESS; p++) {
        for (size_t l = 0; l < sweep && st == CLN_SUCCESS; l++) {
            cl_uint loads = loads_sweep[l];
            size_t global = bytes / sizeof(cl_float4) / loads;
            double warm;
            st = time_read(b, p, loads, global, local, &warm, err);
            for (int r = 0; r < repeats && st == CLN_SUCCESS; r++)
                st = time_read(b, p, loads, global, local, &ms[r], err);
            if (st != CLN_SUCCESS)
                break;
            bench_stats s = bench_stats_of(ms, (size_t)repeats);
            double gbps = (double)bytes / (s.best * 1e-3) / 1e9;
            if (gbps > out->read_gbps) {
                out->read_gbps = gbps;
                out->read_median_gbps = (double)bytes / (s.median * 1e-3) / 1e9;
                out->read_pattern = pattern_names[p];
                out->read_loads = loads;
            }
        }
    }
    free(ms);
    return st;
}

/* One shape of the shuffled-rows test. */
typedef struct rows_shape {
    int pattern;                     /* 0 per item, 1 per group */
    cl_uint rows_per_item;
    size_t local;
} rows_shape;

/* The best of the repeats of one shape, in ms, after a warm-up launch. */
static cln_status time_rows(bench_cl *b, const rows_shape *s, cl_mem src, cl_mem order,
                            cl_mem out, size_t rows, int repeats, double *ms, bench_error *err)
{
    cl_kernel k = b->rows[s->pattern];
    cl_uint row_f8 = ROW_FLOATS / 8;
    cl_int e = clSetKernelArg(k, 0, sizeof src, &src);
    e |= clSetKernelArg(k, 1, sizeof order, &order);
    e |= clSetKernelArg(k, 2, sizeof row_f8, &row_f8);
    e |= clSetKernelArg(k, 3, sizeof s->rows_per_item, &s->rows_per_item);
    e |= clSetKernelArg(k, 4, sizeof out, &out);
    if (e != CL_SUCCESS)
        return bench_fail(err, CL_INVALID_KERNEL_ARGS, NULL, "clSetKernelArg (%s)",
                          rows_kernel_names[s->pattern]);
    size_t global = rows / s->rows_per_item * (s->pattern ? s->local : 1);
    const char *name = rows_kernel_names[s->pattern];
    double warm;
    BENCH_TRY(time_kernel(b, k, name, global, s->local, &warm, err));
    for (int r = 0; r < repeats; r++)
        BENCH_TRY(time_kernel(b, k, name, global, s->local, &ms[r], err));
    return CLN_SUCCESS;
}

/* Whole rows in a shuffled order: the buffer is a library tensor (so on a CPU device it has
 * the huge pages a dataset gets) and the order the trainer's shuffle; each shape one
 * warm-up launch, then the best of the repeats. Runs after measure_read (its size). */
static cln_status measure_rows(bench_cl *b, cln_context *ctx, int repeats, device_limits *out,
                               bench_error *err)
{
    size_t rows = b->bytes / (ROW_FLOATS * sizeof(float)); /* a multiple of 32 * local */
    size_t group_local = b->local < 64 ? b->local : 64;
    const rows_shape shapes[] = {{0, 4, 1}, {0, 32, 1}, {0, 4, b->local}, {0, 32, b->local},
                                 {1, 8, group_local}, {1, 64, group_local}};
    size_t out_items = rows / 8 * group_local; /* the largest global size above */
    cln_tensor *src = NULL;
    uint32_t *order = malloc(rows * sizeof *order);
    double *ms = malloc((size_t)repeats * sizeof *ms);
    cl_mem order_buf = NULL, out_buf = NULL;
    cln_status st = order && ms ? CLN_SUCCESS
                                : bench_fail(err, CLN_ERR_OUT_OF_HOST_MEMORY, NULL, "rows test");
    if (st == CLN_SUCCESS && (st = cln_tensor_create_1d(ctx, CLN_FLOAT32, rows * ROW_FLOATS,
                                                        &src)) != CLN_SUCCESS)
        bench_fail(err, st, cln_last_error(ctx), "allocating the rows test's buffer");
    cl_int e = CL_SUCCESS;
    if (st == CLN_SUCCESS) {
        cl_float one = 1.0f;
        cln_shuffle_order(W_ROWS_SEED, 0, order, rows);
        e = clEnqueueFillBuffer(b->profiling, cln_tensor_buffer(src), &one, sizeof one, 0,
                                rows * ROW_FLOATS * sizeof(float), 0, NULL, NULL);
        if (e == CL_SUCCESS)
            order_buf = clCreateBuffer(b->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                                       rows * sizeof *order, order, &e);
        if (e == CL_SUCCESS)
            out_buf = clCreateBuffer(b->context, CL_MEM_WRITE_ONLY, out_items * sizeof(float),
                                     NULL, &e);
        if (e == CL_SUCCESS)
            e = clFinish(b->profiling);
        if (e != CL_SUCCESS)
            st = bench_fail(err, e, NULL, "setting up the rows test");
    }
    out->rows_gbps = 0;
    out->rows_bytes = ROW_FLOATS * sizeof(float);
    double bytes = (double)(rows * ROW_FLOATS * sizeof(float));
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes && st == CLN_SUCCESS; i++) {
        st = time_rows(b, &shapes[i], cln_tensor_buffer(src), order_buf, out_buf, rows, repeats,
                       ms, err);
        if (st != CLN_SUCCESS)
            break;
        bench_stats s = bench_stats_of(ms, (size_t)repeats);
        double gbps = bytes / (s.best * 1e-3) / 1e9;
        if (gbps > out->rows_gbps) {
            out->rows_gbps = gbps;
            out->rows_median_gbps = bytes / (s.median * 1e-3) / 1e9;
            out->rows_pattern = rows_pattern_names[shapes[i].pattern];
            out->rows_per_item = shapes[i].rows_per_item;
        }
    }
    if (order_buf)
        clReleaseMemObject(order_buf);
    if (out_buf)
        clReleaseMemObject(out_buf);
    cln_tensor_free(src);
    free(order);
    free(ms);
    return st;
}

/* Host time per launch of an empty kernel on the library's queue: `waited` makes each one
 * wait for its end (clFinish) before the next is queued. */
static cln_status time_launches(bench_cl *b, int waited, double *us_per_launch, bench_error *err)
{
    size_t one = 1;
    cl_int e = CL_SUCCESS;
    double t0 = bench_now_ms();
    for (unsigned i = 0; i < LAUNCHES && e == CL_SUCCESS; i++) {
        e = clEnqueueNDRangeKernel(b->queue, b->empty, 1, NULL, &one, &one, 0, NULL, NULL);
        if (waited && e == CL_SUCCESS)
            e = clFinish(b->queue);
    }
    if (e == CL_SUCCESS)
        e = clFinish(b->queue);
    if (e != CL_SUCCESS)
        return bench_fail(err, e, NULL, "launching the empty kernel");
    *us_per_launch = (bench_now_ms() - t0) * 1e3 / LAUNCHES;
    return CLN_SUCCESS;
}

static cln_status measure_launch(bench_cl *b, int repeats, device_limits *out, bench_error *err)
{
    cl_int e = clSetKernelArg(b->empty, 0, sizeof b->out, &b->out);
    if (e != CL_SUCCESS)
        return bench_fail(err, e, NULL, "clSetKernelArg (bench_empty)");
    out->launches = LAUNCHES;
    out->launch_us = out->launch_waited_us = INFINITY;
    for (int waited = 0; waited < 2; waited++) {
        double us;
        BENCH_TRY(time_launches(b, waited, &us, err)); /* warm-up: the first launches compile */
        for (int r = 0; r < repeats; r++) {
            BENCH_TRY(time_launches(b, waited, &us, err));
            double *best = waited ? &out->launch_waited_us : &out->launch_us;
            if (us < *best)
                *best = us;
        }
    }
    return CLN_SUCCESS;
}

cln_status device_limits_measure(cln_context *ctx, int repeats, device_limits *out,
                                 bench_error *err)
{
    bench_cl b = {0};
    cln_status st = cln_context_cl(ctx, &b.context, &b.device, &b.queue);
    if (st != CLN_SUCCESS)
        return bench_fail(err, st, cln_last_error(ctx), "cln_context_cl");
    cl_int e;
    b.profiling = clCreateCommandQueue(b.context, b.device, CL_QUEUE_PROFILING_ENABLE, &e);
    if (e != CL_SUCCESS)
        st = bench_fail(err, e, NULL, "creating a profiling queue");
    if (st == CLN_SUCCESS)
        st = build(&b, err);
    if (st == CLN_SUCCESS)
        st = measure_read(&b, cln_context_device(ctx), repeats, out, err);
    if (st == CLN_SUCCESS)
        st = measure_rows(&b, ctx, repeats, out, err);
    if (st == CLN_SUCCESS)
        st = measure_launch(&b, repeats, out, err);
    bench_cl_release(&b);
    return st;
}
