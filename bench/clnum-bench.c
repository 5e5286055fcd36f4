/* clnum-bench: how close clnum runs to the device's own limit, and against what a user
 * would write with CLBlast alone. In one process, on one device: the device's read
 * bandwidth and launch cost, the program build with the cache cold and warm, d2l chapter
 * 3.4's fit (W1) and a 2^20 x 256 problem (W2) through every training path and through
 * CLBlast, and chapter 4.4's softmax regression (W3) through every path. A readable table
 * on stdout, every figure as flat JSON with --json; progress and errors on stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clblast_path.h"
#include "clnum/clnum.h"
#include "device_limits.h"
#include "options.h"
#include "report.h"
#include "startup.h"
#include "stream_bench.h"
#include "table.h"
#include "workloads.h"

#define X_BYTES(w) ((double)(w)->num_train * (double)(w)->num_inputs * sizeof(float))

static const struct {
    cln_train_path path;
    const char *infix;   /* "" for auto: the headline keys */
    const char *name;
} paths[] = {
    {CLN_PATH_AUTO, "", "auto"},
    {CLN_PATH_STEPWISE, "_stepwise", "stepwise"},
    {CLN_PATH_FUSED, "_fused", "fused"},
    {CLN_PATH_EPOCH, "_epoch", "epoch"},
    {CLN_PATH_PERSISTENT, "_persistent", "persistent"},
};

/* PoCL reads its environment at the first OpenCL call, so this runs first. Its own kernel
 * cache would make a second build fast whatever clnum does: it is turned off so that
 * build_warm_ms shows clnum's program cache alone, unless the caller set it. */
static void pocl_env_setup(bench_report *r)
{
    const char *v = getenv("POCL_KERNEL_CACHE");
    if (!v) {
        setenv("POCL_KERNEL_CACHE", "0", 1);
        report_str(r, "off (set by clnum-bench)", "pocl_kernel_cache");
    } else {
        report_str(r, strcmp(v, "0") == 0 ? "off (POCL_KERNEL_CACHE=0)" : "on (POCL_KERNEL_CACHE set)",
                   "pocl_kernel_cache");
    }
}

static const char *type_name(cln_device_type t)
{
    switch (t) {
    case CLN_DEVICE_CPU: return "CPU";
    case CLN_DEVICE_GPU: return "GPU";
    case CLN_DEVICE_ACCELERATOR: return "accelerator";
    default: return "other";
    }
}

static void record_device(bench_report *r, const cln_device_info *d)
{
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    report_str(r, CLNUM_VERSION_STRING, "clnum_version");
    report_str(r, date, "date_utc");
    report_str(r, d->device_name, "device");
    report_str(r, d->platform_name, "platform");
    report_str(r, d->driver_version, "driver");
    report_str(r, type_name(d->type), "device_type");
    /* How the kernels order hand-offs between work-groups (cl/runtime/handoff.cl) in this context. */
    report_str(r, d->has_device_acq_rel ? "acq_rel" : "cl1.2_fences", "handoff");
    /* The device self-check's verdict (runtime.h): paths switched off here, and why. */
    char off[64] = "";
    static const char *const names[] = {"auto", "stepwise", "fused", "epoch", "persistent"};
    for (int p = CLN_PATH_FUSED; p <= CLN_PATH_PERSISTENT; p++)
        if (d->paths_disabled & (1u << p))
            snprintf(off + strlen(off), sizeof off - strlen(off), "%s%s", *off ? "," : "",
                     names[p]);
    report_str(r, off, "paths_off");
    report_str(r, d->paths_note, "paths_note");
    report_num(r, d->loop_limit, "loop_limit");
    report_num(r, d->compute_units, "compute_units");
    report_num(r, (double)d->global_mem_bytes / (1 << 30), "global_mem_gib");
    report_num(r, (double)d->max_alloc_bytes / (1 << 30), "max_alloc_gib");
}

static void record_limits(bench_report *r, const device_limits *l)
{
    report_str(r, l->timer, "timer");
    report_str(r, l->timer_reason, "timer_reason");
    report_num(r, l->read_gbps, "read_gbps");
    report_num(r, l->read_median_gbps, "read_median_gbps");
    report_num(r, l->read_mib, "read_buffer_mib");
    report_str(r, l->read_pattern, "read_pattern");
    report_num(r, l->read_loads, "read_loads_per_item");
    report_num(r, l->rows_gbps, "rows_read_gbps");
    report_num(r, l->rows_median_gbps, "rows_read_median_gbps");
    report_num(r, l->rows_bytes, "rows_read_row_bytes");
    report_str(r, l->rows_pattern, "rows_read_pattern");
    report_num(r, l->rows_per_item, "rows_read_rows_per_item");
    report_num(r, l->launch_us, "launch_us");
    report_num(r, l->launch_waited_us, "launch_waited_us");
    report_num(r, l->launches, "launches_per_repeat");
}

/* build_<mode>_ms and first_fit_<mode>_ms, with their medians. */
static void record_startup(bench_report *r, const char *mode, const startup_figure *f)
{
    report_num(r, f->build_ms, "build_%s_ms", mode);
    report_num(r, f->build_median_ms, "build_%s_median_ms", mode);
    report_num(r, f->first_fit_ms, "first_fit_%s_ms", mode);
    report_num(r, f->first_fit_median_ms, "first_fit_%s_median_ms", mode);
}

/* The figures of one fit under base ("w1", "w2_b1024_fused", "clblast_w1", ...); all null
 * when the path is not supported. */
static void record_fit(bench_report *r, const char *base, const workload *w, const fit_figures *f,
                       double read_gbps, double rows_gbps)
{
    int w1 = strcmp(w->key, "w1") == 0;
    const char *unit = w1 ? "fit" : "epoch";
    double per = w1 ? 1.0 : (double)w->epochs; /* W2 reports time per epoch */
    double best = f->supported ? f->best_ms / per : NAN;
    report_num(r, best, "%s_%s_ms", base, unit);
    report_num(r, f->supported ? f->median_ms / per : NAN, "%s_%s_median_ms", base, unit);
    if (w1) {
        report_num(r, f->supported ? f->best_ms * 1e3 / (double)f->updates : NAN,
                   "%s_us_per_update", base);
    } else {
        double x_gbps = X_BYTES(w) / (best * 1e-3) / 1e9;
        report_num(r, (double)w->num_train / (best * 1e-3), "%s_examples_per_s", base);
        report_num(r, x_gbps, "%s_x_read_gbps", base);
        report_num(r, 100.0 * x_gbps / read_gbps, "%s_read_pct", base);
        report_num(r, 100.0 * x_gbps / rows_gbps, "%s_rows_read_pct", base);
    }
    report_num(r, f->supported ? f->enqueues_per_batch : NAN, "%s_enqueues_per_batch", base);
    report_num(r, f->supported ? f->rel_err : NAN, "%s_rel_err", base);
}

/* One progress line on stderr; failed: the error line was printed already; why: the
 * library's reason for an unsupported path. */
static void progress(const char *base, const fit_figures *f, int failed, const char *why)
{
    if (f->supported)
        fprintf(stderr, "clnum-bench: %-20s %10.3f ms (median %.3f), %.2f enqueues/batch\n", base,
                f->best_ms, f->median_ms, f->enqueues_per_batch);
    else if (!failed)
        fprintf(stderr, "clnum-bench: %-20s n/a (%s)\n", base, why);
}

/* Every path of the library and the CLBlast path on one workload; 0 if all went well
 * (an unsupported path is not a failure). */
static int run_workload(cln_context *ctx, const cln_dataset *data, cln_linreg *m,
                        const workload *w, bench_report *r)
{
    int failed = 0;
    char base[64];
    fit_figures f;
    bench_error err;
    double read_gbps = report_get(r, "read_gbps"), rows_gbps = report_get(r, "rows_read_gbps");
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        snprintf(base, sizeof base, "%s%s", w->key, paths[i].infix);
        int bad = workload_fit(m, data, w, paths[i].path, &f, &err) != CLN_SUCCESS;
        if (bad) {
            fprintf(stderr, "clnum-bench: %s\n", err.message);
            f.supported = 0;
        }
        record_fit(r, base, w, &f, read_gbps, rows_gbps);
        progress(base, &f, bad, cln_last_error(ctx));
        failed |= bad;
    }
    size_t d = w->num_inputs;
    double *w0 = malloc(d * sizeof *w0), b0 = 0;
    snprintf(base, sizeof base, "clblast_%s", w->key);
    cln_status st = w0 ? cln_linreg_get(m, w0, &b0) : CLN_ERR_OUT_OF_HOST_MEMORY;
    if (st != CLN_SUCCESS)
        bench_fail(&err, st, cln_last_error(ctx), "%s: initial parameters", base);
    else
        st = clblast_fit(ctx, data, w, w0, b0, &f, &err);
    if (st != CLN_SUCCESS) {
        fprintf(stderr, "clnum-bench: %s\n", err.message);
        failed = 1;
        f.supported = 0;
    }
    record_fit(r, base, w, &f, read_gbps, rows_gbps);
    progress(base, &f, st != CLN_SUCCESS, cln_last_error(ctx));
    free(w0);
    return failed;
}

/* Every key of a workload null, when its data could not be made: the JSON keeps its shape. */
static void record_unmeasured(bench_report *r, const workload *w)
{
    char base[64];
    fit_figures none = {0};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        snprintf(base, sizeof base, "%s%s", w->key, paths[i].infix);
        record_fit(r, base, w, &none, NAN, NAN);
    }
    snprintf(base, sizeof base, "clblast_%s", w->key);
    record_fit(r, base, w, &none, NAN, NAN);
}

/* Data and model of one problem size, then each workload on it; frees them afterwards so
 * that W2's 1 GiB is gone before anything else. */
static int run_problem(cln_context *ctx, const workload *ws, size_t count, bench_report *r)
{
    bench_error err;
    cln_dataset *data = NULL;
    cln_linreg *m = NULL;
    fprintf(stderr, "clnum-bench: generating the data of %s (%zu x %zu)\n", ws[0].key,
            ws[0].num_train + ws[0].num_val, ws[0].num_inputs);
    cln_status st = workload_data_create(ctx, &ws[0], &data, &err);
    if (st == CLN_SUCCESS && (st = cln_linreg_create(ctx, CLN_FLOAT32, ws[0].num_inputs, 0.01,
                                                     W_SEED, &m)) != CLN_SUCCESS)
        bench_fail(&err, st, cln_last_error(ctx), "cln_linreg_create");
    int no_data = st != CLN_SUCCESS, failed = no_data;
    if (no_data)
        fprintf(stderr, "clnum-bench: %s\n", err.message);
    for (size_t i = 0; i < count; i++) {
        if (no_data)
            record_unmeasured(r, &ws[i]);
        else /* a failed path does not stop the others */
            failed |= run_workload(ctx, data, m, &ws[i], r);
    }
    cln_linreg_free(m);
    cln_dataset_free(data);
    return failed;
}

/* W3's figures of one path under base ("w3", "w3_fused", ...); all null when the path is not
 * supported. auto (base "w3") also gets w3_path, the path it took. */
static void record_w3(bench_report *r, const char *base, const workload *w, const w3_figures *f,
                      int is_auto, double read_gbps, double rows_gbps)
{
    int ok = f->fit.supported;
    double best = ok ? f->fit.best_ms / (double)w->epochs : NAN;
    double x_bytes = (double)(w->num_train + w->num_val) * (double)w->num_inputs * sizeof(float);
    double x_gbps = x_bytes / (best * 1e-3) / 1e9;
    if (is_auto) {
        if (ok)
            report_str(r, workload_path_name(f->ran), "%s_path", base);
        else
            report_num(r, NAN, "%s_path", base);
    }
    report_num(r, best, "%s_epoch_ms", base);
    report_num(r, ok ? f->fit.median_ms / (double)w->epochs : NAN, "%s_epoch_median_ms", base);
    report_num(r, (double)w->num_train / (best * 1e-3), "%s_examples_per_s", base);
    report_num(r, x_gbps, "%s_x_read_gbps", base);
    report_num(r, 100.0 * x_gbps / read_gbps, "%s_read_pct", base);
    report_num(r, 100.0 * x_gbps / rows_gbps, "%s_rows_read_pct", base);
    report_num(r, ok ? f->fit.enqueues_per_batch : NAN, "%s_enqueues_per_batch", base);
    report_num(r, ok ? f->train_loss : NAN, "%s_train_loss", base);
    report_num(r, ok ? f->val_loss : NAN, "%s_val_loss", base);
    report_num(r, ok ? f->val_acc : NAN, "%s_val_acc", base);
    report_num(r, ok ? f->host_val_acc : NAN, "%s_host_val_acc", base);
}

/* W3: the labelled data and the softmax model, then every path of the library; frees them
 * afterwards. 0 if all went well (an unsupported path is not a failure). */
static int run_w3(cln_context *ctx, const workload *w, bench_report *r)
{
    bench_error err;
    w3_data data;
    cln_softmax *m = NULL;
    char base[64];
    double read_gbps = report_get(r, "read_gbps"), rows_gbps = report_get(r, "rows_read_gbps");
    fprintf(stderr, "clnum-bench: generating the data of w3 (%zu x %zu, %d classes)\n",
            w->num_train + w->num_val, w->num_inputs, W3_CLASSES);
    cln_status st = w3_data_create(ctx, w, &data, &err);
    if (st == CLN_SUCCESS &&
        (st = cln_softmax_create(ctx, CLN_FLOAT32, w->num_inputs, W3_CLASSES, 0.01, W_SEED, &m)) !=
            CLN_SUCCESS)
        bench_fail(&err, st, cln_last_error(ctx), "cln_softmax_create");
    int failed = st != CLN_SUCCESS;
    if (failed)
        fprintf(stderr, "clnum-bench: %s\n", err.message);
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        w3_figures f = {0};
        snprintf(base, sizeof base, "%s%s", w->key, paths[i].infix);
        int bad = !m;
        if (!bad && (bad = w3_fit(m, &data, w, paths[i].path, &f, &err) != CLN_SUCCESS)) {
            fprintf(stderr, "clnum-bench: %s\n", err.message);
            f.fit.supported = 0;
        } else if (!bad && f.mismatch) {
            fprintf(stderr, "clnum-bench: %s\n", err.message);
            bad = 1;
        }
        record_w3(r, base, w, &f, i == 0, read_gbps, rows_gbps);
        if (f.fit.supported)
            fprintf(stderr, "clnum-bench: %-20s %10.3f ms (median %.3f), %.2f enqueues/batch, "
                            "%s path, train loss %.4f, val accuracy %.4f\n",
                    base, f.fit.best_ms, f.fit.median_ms, f.fit.enqueues_per_batch,
                    workload_path_name(f.ran), f.train_loss, f.val_acc);
        else if (!bad)
            fprintf(stderr, "clnum-bench: %-20s n/a (%s)\n", base, cln_last_error(ctx));
        failed |= bad;
    }
    cln_softmax_free(m);
    w3_data_free(&data);
    return failed;
}

/* Issue 6: training with the rows streamed from host memory next to the same rows on the
 * device, and the host-to-device bandwidth that streaming lives on (stream_bench.c). */
static int run_streaming(cln_context *ctx, const stream_bench_options *so, bench_report *r,
                         stream_bench_figures *f)
{
    fprintf(stderr, "clnum-bench: streaming (d %zu, %zu rows, batch %zu: device vs host memory)\n",
            so->num_inputs, so->num_train, so->batch);
    cln_status st = stream_bench_run(ctx, so, f);
    if (st != CLN_SUCCESS)
        fprintf(stderr, "clnum-bench: streaming: %s (%d): %s\n", cln_status_str(st), (int)st,
                cln_last_error(ctx));
    report_num(r, f->h2d_pageable_gbs, "stream_h2d_pageable_gbps");
    report_num(r, f->h2d_pinned_gbs, "stream_h2d_pinned_gbps");
    report_num(r, f->gather_gbs, "stream_host_gather_gbps");
    report_num(r, f->epoch_device_ms, "stream_epoch_device_ms");
    report_num(r, f->epoch_device_gbs, "stream_epoch_device_gbps");
    report_num(r, f->epoch_streamed_ms, "stream_epoch_streamed_ms");
    report_num(r, f->epoch_streamed_gbs, "stream_epoch_streamed_gbps");
    return st != CLN_SUCCESS;
}

static void print_streaming(FILE *out, const stream_bench_options *so,
                            const stream_bench_figures *f)
{
    fprintf(out, "\nStreaming: d=%zu, %zu train rows (%.0f MiB of rows), batch %zu; an epoch = "
                 "best gap between epochs of a 5-epoch fit\n",
            so->num_inputs, so->num_train, f->data_mib, so->batch);
    fprintf(out, "  host-to-device copy, pageable memory        %8.2f GB/s\n", f->h2d_pageable_gbs);
    fprintf(out, "  host-to-device copy, pinned memory          %8.2f GB/s\n", f->h2d_pinned_gbs);
    fprintf(out, "  host gather of shuffled rows (one thread)   %8.2f GB/s\n", f->gather_gbs);
    fprintf(out, "  epoch, rows on the device        %8.1f ms  %8.2f GB/s of rows\n",
            f->epoch_device_ms, f->epoch_device_gbs);
    fprintf(out, "  epoch, rows streamed from host   %8.1f ms  %8.2f GB/s of rows (%.0f%% of on-device)\n",
            f->epoch_streamed_ms, f->epoch_streamed_gbs,
            100.0 * f->epoch_streamed_gbs / f->epoch_device_gbs);
}

/* Runs every part: 0 when all went well, 1 when a part failed (the others still ran), -1
 * when nothing could run. */
static int run(const bench_options *o, bench_report *r)
{
    int repeats = o->repeats ? o->repeats : 5;
    int repeats_w2 = o->repeats ? o->repeats : 3;
    int repeats_w3 = o->repeats ? o->repeats : 3;
    int repeats_startup = o->repeats ? o->repeats : 2; /* a cold build can take seconds */
    const workload w1[] = {{"w1", 2, 1000, 1000, 32, 3, repeats}};
    const workload w2[] = {{"w2_b1024", 256, (size_t)1 << 20, 0, 1024, 1, repeats_w2},
                           {"w2_b65536", 256, (size_t)1 << 20, 0, 65536, 1, repeats_w2}};
    const workload w3 = {"w3", 784, 60000, 10000, 256, 1, repeats_w3};
    cln_context *ctx = NULL;
    if (cln_context_create(o->device, &ctx) != CLN_SUCCESS) {
        fprintf(stderr, "clnum-bench: %s\n", cln_last_error(NULL));
        return -1;
    }
    /* The self-check first, so its verdict is in the header and no timed fit runs it. */
    if (cln_context_selfcheck(ctx, CLN_FLOAT32) != CLN_SUCCESS) {
        fprintf(stderr, "clnum-bench: %s\n", cln_last_error(ctx));
        cln_context_free(ctx);
        return -1;
    }
    record_device(r, cln_context_device(ctx));
    report_num(r, repeats, "repeats_w1");
    report_num(r, o->skip_w2 ? NAN : repeats_w2, "repeats_w2");
    report_num(r, o->skip_w3 ? NAN : repeats_w3, "repeats_w3");
    int failed = 0;
    bench_error err;

    fprintf(stderr, "clnum-bench: device limits on %s\n", cln_context_device(ctx)->device_name);
    device_limits lim = {0};
    if (device_limits_measure(ctx, repeats, &lim, &err) == CLN_SUCCESS) {
        record_limits(r, &lim);
    } else {
        fprintf(stderr, "clnum-bench: %s\n", err.message);
        failed = 1;
    }

    /* Before anything builds clnum's program in this process: the first build is cold. */
    fprintf(stderr, "clnum-bench: start-up (program build, cache cold and warm)\n");
    startup_times su;
    if (startup_measure(o->device, repeats_startup, &su, &err) == CLN_SUCCESS) {
        record_startup(r, "cold", &su.cold);
        record_startup(r, "warm", &su.warm);
        record_startup(r, "nocache", &su.nocache);
        report_num(r, repeats_startup, "repeats_startup");
    } else {
        fprintf(stderr, "clnum-bench: %s\n", err.message);
        failed = 1;
    }

    failed |= run_problem(ctx, w1, 1, r);
    if (!o->skip_w3)
        failed |= run_w3(ctx, &w3, r);
    stream_bench_figures sf;
    stream_bench_options so;
    stream_bench_defaults(&so);
    if (!o->skip_w2) {
        failed |= run_problem(ctx, w2, 2, r);
        failed |= run_streaming(ctx, &so, r, &sf);
    }
    cln_context_free(ctx);

    workload ran[3] = {w1[0], w2[0], w2[1]};
    fflush(stderr);
    table_print(stdout, r, ran, o->skip_w2 ? 1 : 3, o->skip_w3 ? NULL : &w3);
    if (!o->skip_w2)
        print_streaming(stdout, &so, &sf);
    return failed;
}

int main(int argc, char **argv)
{
    bench_options o;
    char why[256];
    if (bench_options_parse(argc, argv, &o, why, sizeof why) != 0) {
        fprintf(stderr, "clnum-bench: %s\n", why);
        bench_usage(stderr);
        return 2;
    }
    if (o.help) {
        bench_usage(stdout);
        return 0;
    }
    bench_report *r = report_create();
    if (!r) {
        fprintf(stderr, "clnum-bench: out of memory\n");
        return 1;
    }
    pocl_env_setup(r);
    int failed = run(&o, r);
    if (failed < 0) {
        report_free(r);
        return 1;
    }
    if (!report_ok(r)) {
        fprintf(stderr, "clnum-bench: out of memory while keeping the figures\n");
        failed = 1;
    } else if (o.json && report_write_json(r, o.json) != 0) {
        fprintf(stderr, "clnum-bench: cannot write %s\n", o.json);
        failed = 1;
    }
    report_free(r);
    return failed ? 1 : 0;
}
