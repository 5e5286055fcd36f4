/* clnum-bench: the readable table. It reads back the report's figures by their JSON keys,
 * so what it shows is what the JSON holds. */
#include "table.h"

#include <math.h>
#include <string.h>

#include "workloads.h"

/* The training paths in table order: the JSON infix ("" for auto, the headline), a label. */
typedef struct path_row {
    const char *infix;
    const char *label;
} path_row;

static const path_row rows[] = {
    {"", "auto"}, {"_stepwise", "stepwise"}, {"_fused", "fused"}, {"_epoch", "epoch"},
    {"_persistent", "persistent"},
};

/* "%*.*f" of v, or "n/a" when it was not measured. */
static const char *num(char *buf, size_t cap, double v, int width, int decimals)
{
    if (isnan(v))
        snprintf(buf, cap, "%*s", width, "n/a");
    else
        snprintf(buf, cap, "%*.*f", width, decimals, v);
    return buf;
}

/* Decimals that keep about 4 significant digits. */
static int decimals_for(double v)
{
    double a = fabs(v);
    return a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 3;
}

static void print_header(FILE *out, const bench_report *r)
{
    fprintf(out, "clnum-bench %s on %s (%s, %s, %s, %.0f compute units)\n",
            report_get_str(r, "clnum_version"), report_get_str(r, "device"),
            report_get_str(r, "platform"), report_get_str(r, "driver"),
            report_get_str(r, "device_type"), report_get(r, "compute_units"));
    fprintf(out, "hand-offs between work-groups: %s\n",
            strcmp(report_get_str(r, "handoff"), "acq_rel") == 0
                ? "device-scope acquire/release"
                : "OpenCL 1.2 fences (CLNUM_OPENCL_C=1.2, or no acquire/release on the device)");
    const char *off = report_get_str(r, "paths_off");
    if (*off)
        fprintf(out, "device self-check: %s off (%s)\n", off, report_get_str(r, "paths_note"));
    else
        fprintf(out, "device self-check: every path agrees with the host replica\n");
    fprintf(out, "PoCL kernel cache: %s; times are the best of the repeats, with the median\n",
            report_get_str(r, "pocl_kernel_cache"));
}

/* "  <label>  <best>  <median>  <unit>" with the label padded to one width. */
static void print_pair(FILE *out, const char *label, double best, double median, int decimals,
                       const char *unit)
{
    char a[32], b[32];
    fprintf(out, "  %-48s %s %s  %s\n", label, num(a, sizeof a, best, 10, decimals),
            isnan(median) ? "          " : num(b, sizeof b, median, 10, decimals), unit);
}

static void print_limits(FILE *out, const bench_report *r)
{
    char label[96];
    double gbps = report_get(r, "read_gbps");
    fprintf(out, "\n%-50s %10s %10s\n", "Device limits", "best", "median");
    /* Which clock timed the reads, and why: a driver's event stamps can be made up. */
    const char *timer = report_get_str(r, "timer");
    if (*timer)
        fprintf(out, "  reads timed by %s (%s)\n",
                strcmp(timer, "events") == 0 ? "OpenCL events"
                                             : "the host clock around clFinish, events untrusted",
                report_get_str(r, "timer_reason"));
    snprintf(label, sizeof label, "float4 read, %.0f MiB (%s, %.0f loads/item)",
             report_get(r, "read_buffer_mib"), report_get_str(r, "read_pattern"),
             report_get(r, "read_loads_per_item"));
    print_pair(out, label, gbps, report_get(r, "read_median_gbps"), decimals_for(gbps), "GB/s");
    double rows = report_get(r, "rows_read_gbps");
    snprintf(label, sizeof label, "%.0f B rows in shuffled order (%s, %.0f rows)",
             report_get(r, "rows_read_row_bytes"), report_get_str(r, "rows_read_pattern"),
             report_get(r, "rows_read_rows_per_item"));
    print_pair(out, label, rows, report_get(r, "rows_read_median_gbps"), decimals_for(rows),
               "GB/s");
    print_pair(out, "empty kernel, queued back to back", report_get(r, "launch_us"), NAN, 2,
               "us/launch");
    print_pair(out, "empty kernel, each waited for", report_get(r, "launch_waited_us"), NAN, 2,
               "us/launch");
}

static void print_startup(FILE *out, const bench_report *r)
{
    static const struct {
        const char *mode, *label;
    } modes[] = {
        {"cold", "cache cold (fresh CLNUM_CACHE_DIR)"},
        {"warm", "cache warm (a second context)"},
        {"nocache", "cache off (CLNUM_CACHE_DIR=off)"},
    };
    char label[96], unit[64];
    double cold = report_get(r, "build_cold_ms");
    fprintf(out, "\n%-50s %10s %10s\n", "Start-up: cln_context_build(FLOAT32)", "best",
            "median");
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        double build = report_get(r, "build_%s_ms", modes[i].mode);
        snprintf(label, sizeof label, "build, %s", modes[i].label);
        if (i == 1)
            snprintf(unit, sizeof unit, "ms (%.1fx faster than cold)", cold / build);
        print_pair(out, label, build, report_get(r, "build_%s_median_ms", modes[i].mode), 1,
                   i == 1 ? unit : "ms");
    }
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        snprintf(label, sizeof label, "build + W1 data + first W1 fit, cache %s",
                 i == 2 ? "off" : modes[i].mode);
        print_pair(out, label, report_get(r, "first_fit_%s_ms", modes[i].mode),
                   report_get(r, "first_fit_%s_median_ms", modes[i].mode), 1, "ms");
    }
}

/* One line of a workload: a clnum path, or the CLBlast path (base "clblast_<key>"). */
static void print_fit_row(FILE *out, const bench_report *r, const char *label, const char *base,
                          int is_w1)
{
    char c[6][32];
    const char *unit = is_w1 ? "fit" : "epoch";
    double best = report_get(r, "%s_%s_ms", base, unit);
    int dec = decimals_for(best);
    fprintf(out, "  %-14s %s %s", label, num(c[0], 32, best, 10, dec),
            num(c[1], 32, report_get(r, "%s_%s_median_ms", base, unit), 10, dec));
    if (is_w1) {
        fprintf(out, " %s", num(c[2], 32, report_get(r, "%s_us_per_update", base), 10, 1));
    } else {
        double eps = report_get(r, "%s_examples_per_s", base);
        fprintf(out, " %s %s %s %s", num(c[2], 32, eps / 1e6, 10, 3),
                num(c[3], 32, report_get(r, "%s_x_read_gbps", base), 9, 2),
                num(c[4], 32, report_get(r, "%s_read_pct", base), 8, 1),
                num(c[5], 32, report_get(r, "%s_rows_read_pct", base), 8, 1));
    }
    fprintf(out, " %s %s\n", num(c[4], 32, report_get(r, "%s_enqueues_per_batch", base), 10, 2),
            num(c[5], 32, report_get(r, "%s_rel_err", base), 9, 4));
}

static void print_workload(FILE *out, const bench_report *r, const workload *w)
{
    int is_w1 = strcmp(w->key, "w1") == 0;
    size_t updates = (w->num_train + w->batch - 1) / w->batch * w->epochs;
    if (is_w1)
        fprintf(out, "\nW1 chapter: d=%zu, %zu train + %zu val rows, batch %zu, %zu epochs, %zu "
                     "updates (time: the whole fit)\n",
                w->num_inputs, w->num_train, w->num_val, w->batch, w->epochs, updates);
    else
        fprintf(out, "\nW2 batch %zu: %zu x %zu rows (X %.2f GiB), %zu epoch, %zu updates, no "
                     "validation\n",
                w->batch, w->num_train, w->num_inputs,
                (double)w->num_train * (double)w->num_inputs * 4 / (1 << 30), w->epochs, updates);
    fprintf(out, is_w1 ? "  path              fit ms     median  us/update  enq/batch   rel err\n"
                       : "  path            epoch ms     median  Mexample/s   X GB/s  %% of bw  "
                         "%% of rows  enq/batch   rel err\n");
    char base[64];
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        snprintf(base, sizeof base, "%s%s", w->key, rows[i].infix);
        print_fit_row(out, r, rows[i].label, base, is_w1);
    }
    snprintf(base, sizeof base, "clblast_%s", w->key);
    print_fit_row(out, r, "CLBlast only", base, is_w1);
}

/* W3, the softmax regression: one line a path, the path auto took in the heading. */
static void print_w3(FILE *out, const bench_report *r, const workload *w)
{
    size_t updates = (w->num_train + w->batch - 1) / w->batch * w->epochs;
    const char *took = report_get_str(r, "w3_path");
    fprintf(out, "\nW3 softmax regression: %zu train + %zu val rows x %zu, %d classes, batch %zu, "
                 "lr %g, %zu epoch,\n%zu updates (time: the epoch with its validation); auto took "
                 "%s\n",
            w->num_train, w->num_val, w->num_inputs, W3_CLASSES, w->batch, W3_LR, w->epochs,
            updates, *took ? took : "n/a");
    fprintf(out, "  path            epoch ms     median  Mexample/s   X GB/s  %% of bw  enq/batch  "
                 "train loss  val loss  val acc\n");
    char base[64], c[9][32];
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        snprintf(base, sizeof base, "%s%s", w->key, rows[i].infix);
        double best = report_get(r, "%s_epoch_ms", base);
        int dec = decimals_for(best);
        fprintf(out, "  %-14s %s %s %s %s %s %s %s %s %s\n", rows[i].label,
                num(c[0], 32, best, 10, dec),
                num(c[1], 32, report_get(r, "%s_epoch_median_ms", base), 10, dec),
                num(c[2], 32, report_get(r, "%s_examples_per_s", base) / 1e6, 11, 3),
                num(c[3], 32, report_get(r, "%s_x_read_gbps", base), 8, 2),
                num(c[4], 32, report_get(r, "%s_read_pct", base), 8, 1),
                num(c[5], 32, report_get(r, "%s_enqueues_per_batch", base), 10, 2),
                num(c[6], 32, report_get(r, "%s_train_loss", base), 11, 4),
                num(c[7], 32, report_get(r, "%s_val_loss", base), 9, 4),
                num(c[8], 32, report_get(r, "%s_val_acc", base), 8, 4));
    }
    fprintf(out, "  (X GB/s: both splits' X, %.0f MB, over the epoch; val loss: over every "
                 "validation row, on the host)\n",
            (double)(w->num_train + w->num_val) * (double)w->num_inputs * 4 / 1e6);
}

void table_print(FILE *out, const bench_report *r, const workload *workloads, size_t count,
                 const workload *w3)
{
    print_header(out, r);
    print_limits(out, r);
    print_startup(out, r);
    for (size_t i = 0; i < count; i++)
        print_workload(out, r, &workloads[i]);
    if (w3)
        print_w3(out, r, w3);
    fprintf(out, "\nauto is the headline (the path the library picks); enq/batch: every command "
                 "of the fit\n(CLBlast: every call) per training minibatch; %% of bw: X read "
                 "rate / float4 read bandwidth;\n%% of rows: X read rate / read rate of the "
                 "same rows in shuffled order.\n");
}
