#include "linreg_output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

void linreg_print_history(const cln_history *h)
{
    size_t t = 0, v = 0;
    for (size_t epoch = 0; epoch < h->epochs; epoch++) {
        printf("epoch %zu:", epoch + 1);
        for (; t < h->train_loss.count && h->train_loss.x[t] < (double)(epoch + 1); t++)
            printf(" train_loss %.6f (x=%.3f)", h->train_loss.y[t], h->train_loss.x[t]);
        for (; v < h->val_loss.count && h->val_loss.x[v] <= (double)(epoch + 1); v++)
            printf(" val_loss %.6f", h->val_loss.y[v]);
        printf("\n");
    }
}

void linreg_print_fit_end(const run_state *s)
{
    if (s->diverged)
        fprintf(stderr, LINREG_PROGRAM ": %s\n", s->fit_msg);
    else if (s->stopped_by)
        fprintf(stderr, LINREG_PROGRAM ": %s: stopped after epoch %zu of %zu; writing the "
                "outputs of the epochs done\n", cli_signal_name(s->stopped_by), s->hist.epochs,
                s->o->epochs);
}

/* How the run ended: "completed", "interrupted" (a SIGINT or SIGTERM stopped it: the
 * epochs done) or "diverged" (the epochs before the one that diverged). */
static const char *run_status(const run_state *s)
{
    return s->diverged ? "diverged" : s->stopped_by ? "interrupted" : "completed";
}

static const char *feature_name(const run_state *s, size_t j, char *buf, size_t cap)
{
    if (s->csv)
        return cln_csv_feature_name(s->csv, j);
    snprintf(buf, cap, "w[%zu]", j);
    return buf;
}

/* Feature j as the table shows it: one line, no escape sequence (cli_printable), at most 40
 * bytes, cut between whole characters and escapes. */
static const char *shown_name(const run_state *s, size_t j, char *buf, size_t cap)
{
    char raw[32];
    return cli_printable(feature_name(s, j, raw, sizeof raw), buf, cap);
}

/* The parameters of a CSV run, a column per solver. */
static void print_table(const run_state *s)
{
    char buf[41];
    int width = 9;
    for (size_t j = 0; j < s->d; j++) {
        int len = (int)strlen(shown_name(s, j, buf, sizeof buf));
        width = len > width ? (len < 40 ? len : 40) : width;
    }
    printf("%-*s", width, "parameter");
    if (s->have_sgd)
        printf("  %16s", "sgd");
    if (s->have_exact)
        printf("  %16s", "exact");
    printf("   (original units%s)\n", s->o->standardize ? "; trained standardized" : "");
    for (size_t j = 0; j <= s->d + 2; j++) {
        const char *label = j < s->d ? shown_name(s, j, buf, sizeof buf)
                          : j == s->d ? "b" : j == s->d + 1 ? "train MSE" : "val MSE";
        if (j == s->d + 2 && s->split.num_val == 0)
            break;
        printf("%-*s", width, label);
        double a = j < s->d ? (s->w ? s->w[j] : 0) : j == s->d ? s->b
                 : j == s->d + 1 ? s->train_mse : s->val_mse;
        double e = j < s->d ? (s->w_exact ? s->w_exact[j] : 0) : j == s->d ? s->b_exact
                 : j == s->d + 1 ? s->train_mse_exact : s->val_mse_exact;
        if (s->have_sgd)
            printf("  %16.8g", a);
        if (s->have_exact)
            printf("  %16.8g", e);
        printf("\n");
    }
}

static void print_vector(const char *label, const double *v, size_t n)
{
    printf("%s: [", label);
    for (size_t i = 0; i < n; i++) {
        if (i == 8 && n > 10) {
            printf(", ... (%zu more)", n - i);
            break;
        }
        printf("%s%.4f", i ? ", " : "", v[i]);
    }
    printf("]\n");
}

/* The synthetic run's errors against the true parameters. Returns -1 when out of memory. */
static int print_errors(const run_state *s)
{
    const double *w = s->have_sgd ? s->w : s->w_exact;
    double b = s->have_sgd ? s->b : s->b_exact;
    double *err = malloc(s->d * sizeof *err);
    if (!err)
        return -1;
    for (size_t j = 0; j < s->d; j++)
        err[j] = s->w_true[j] - w[j];
    double berr = s->b_true - b;
    print_vector("error in estimating w", err, s->d);
    print_vector("error in estimating b", &berr, 1);
    free(err);
    return 0;
}

static void print_time(const run_state *s)
{
    if (s->have_sgd && s->g)
        printf("training time: %.2f ms (%zu epochs, %zu updates; %zu ranks, rank 0 %.2f ms in "
               "their allreduce)\n", s->ms, s->hist.epochs, s->hist.updates, s->g->group.size,
               s->stats.allreduce_seconds * 1e3);
    else if (s->have_sgd)
        printf("training time: %.2f ms (%zu epochs, %zu updates)\n", s->ms, s->hist.epochs,
               s->hist.updates);
    else
        printf("solve time: %.3f ms\n", s->ms);
}

int linreg_print_results(const run_state *s)
{
    if (s->o->data_path) {
        print_table(s);
        if (s->have_exact)
            printf("exact least squares: column-pivoted QR (LAPACK dgelsy) of the centred, "
                   "scaled training rows: rank %zu of %zu feature%s, condition number about "
                   "%.3g\n", s->rank, s->d, s->d == 1 ? "" : "s", s->condition);
    } else if (print_errors(s) != 0) {
        fprintf(stderr, LINREG_PROGRAM ": out of memory\n");
        return 1;
    }
    if (s->have_exact && s->rank < s->d)
        printf("exact least squares: not unique: the features are linearly dependent on the "
               "training rows (rank %zu of %zu); this is the minimum-norm solution (centred, "
               "scaled units), one of infinitely many with the same training MSE\n", s->rank,
               s->d);
    print_time(s);
    return 0;
}

/* ---- the JSON summary: one "name": value line a field ---------------------------------- */

static void field(FILE *f, const char *name)
{
    fprintf(f, ",\n  \"%s\": ", name);
}

static void number_field(FILE *f, const char *name, double v)
{
    field(f, name);
    json_number(f, v);
}

static void numbers_field(FILE *f, const char *name, const double *v, size_t n)
{
    field(f, name);
    json_numbers(f, v, n);
}

/* What ran on what: the device, the solver, how it ended, the data. */
static void json_run(FILE *f, const run_state *s)
{
    const linreg_options *o = s->o;
    const cln_device_info *dev = s->ctx ? cln_context_device(s->ctx) : NULL;
    char buf[32];
    fputs("{\n  \"device\": ", f);
    json_string(f, dev ? dev->device_name : "host");
    field(f, "platform");
    json_string(f, dev ? dev->platform_name : "");
    field(f, "solver");
    json_string(f, o->solver == LINREG_SOLVER_SGD ? "sgd" : "exact");
    field(f, "status");
    json_string(f, run_status(s));
    field(f, "data");
    json_string(f, o->data_path ? o->data_path : "synthetic");
    fputs(",\n  \"features\": [", f);
    for (size_t j = 0; j < s->d; j++) {
        fputs(j ? ", " : "", f);
        json_string(f, feature_name(s, j, buf, sizeof buf));
    }
    fputs("]", f);
    if (!s->csv)
        return;
    field(f, "target");
    json_string(f, cln_csv_target_name(s->csv));
    fprintf(f, ",\n  \"num_train\": %zu,\n  \"num_val\": %zu,\n  \"standardized\": %s",
            s->split.num_train, s->split.num_val, o->standardize ? "true" : "false");
    numbers_field(f, "feature_mean", s->split.mean, s->d);
    numbers_field(f, "feature_scale", s->split.scale, s->d);
}

/* The parameters: the solver's, the true ones, the exact solution's beside SGD's. */
static void json_params(FILE *f, const run_state *s)
{
    int sgd = s->o->solver == LINREG_SOLVER_SGD;
    numbers_field(f, "w", sgd ? s->w : s->w_exact, s->d);
    number_field(f, "b", sgd ? s->b : s->b_exact);
    if (s->have_true) {
        numbers_field(f, "w_true", s->w_true, s->d);
        number_field(f, "b_true", s->b_true);
    }
    if (sgd && s->have_exact) {
        numbers_field(f, "w_exact", s->w_exact, s->d);
        number_field(f, "b_exact", s->b_exact);
        if (s->csv) {
            number_field(f, "train_mse_exact", s->train_mse_exact);
            number_field(f, "val_mse_exact", s->val_mse_exact);
        }
    }
    if (s->have_exact) {
        number_field(f, "condition", s->condition);
        fprintf(f, ",\n  \"rank\": %zu,\n  \"unique\": %s", s->rank,
                s->rank == s->d ? "true" : "false");
    }
    if (s->csv) {
        number_field(f, "train_mse", sgd ? s->train_mse : s->train_mse_exact);
        number_field(f, "val_mse", sgd ? s->val_mse : s->val_mse_exact);
    }
}

/* The training: the loss curves, the settings, the time. */
static void json_training(FILE *f, const run_state *s)
{
    const linreg_options *o = s->o;
    field(f, "train_loss");
    json_curve(f, &s->hist.train_loss);
    field(f, "val_loss");
    json_curve(f, &s->hist.val_loss);
    fprintf(f, ",\n  \"loss\": \"%s\"", o->loss == LINREG_LOSS_MSE ? "mse" : "half-mse");
    number_field(f, "lr", o->lr);
    fprintf(f, ",\n  \"batch_size\": %zu,\n  \"seed\": %llu,\n  \"epochs\": %zu,\n  "
               "\"updates\": %zu,\n  ",
            o->batch_size, (unsigned long long)o->seed, s->hist.epochs, s->hist.updates);
    if (o->solver == LINREG_SOLVER_SGD) /* epochs is what was done; max_epochs what was asked */
        fprintf(f, "\"max_epochs\": %zu,\n  ", o->epochs);
    fputs("\"time_ms\": ", f);
    json_number(f, s->ms);
    if (s->g) { /* data-parallel: batch_size above is the global minibatch */
        fprintf(f, ",\n  \"ranks\": %zu", s->g->group.size);
        number_field(f, "allreduce_ms", s->stats.allreduce_seconds * 1e3);
    } else if (o->shards > 1) {
        fprintf(f, ",\n  \"shards\": %zu", o->shards);
    }
}

static void write_json(FILE *f, const run_state *s)
{
    json_run(f, s);
    json_params(f, s);
    json_training(f, s);
    fputs("\n}\n", f);
}

/* The loss history, a row a point. */
static void write_csv(FILE *f, const run_state *s)
{
    const cln_history *h = &s->hist;
    fprintf(f, "curve,x,loss\n");
    for (size_t i = 0; i < h->train_loss.count; i++)
        fprintf(f, "train_loss,%.17g,%.9g\n", h->train_loss.x[i], h->train_loss.y[i]);
    for (size_t i = 0; i < h->val_loss.count; i++)
        fprintf(f, "val_loss,%.17g,%.9g\n", h->val_loss.x[i], h->val_loss.y[i]);
}

/* One output through cli_output_open and cli_output_commit. Returns 1 when it could not be
 * written, the reason on stderr. */
static int write_file(const char *option, const char *path,
                      void (*write)(FILE *f, const run_state *s), const run_state *s)
{
    char why[1100];
    cli_output out;
    if (cli_output_open(&out, path, why, sizeof why) == 0) {
        write(out.f, s);
        cli_output_commit(&out, why, sizeof why);
    }
    if (!why[0])
        return 0;
    fprintf(stderr, LINREG_PROGRAM ": %s: %s\n", option, why);
    return 1;
}

/* The loss curves as d2l's ProgressBoard draws them; after a divergence or a stop, the axis
 * to the epochs done, and why in the title. */
static int write_plot(const run_state *s)
{
    const linreg_options *o = s->o;
    cln_plot_options po;
    cln_plot_options_init(&po);
    char title[128];
    if (s->diverged || s->stopped_by) {
        snprintf(title, sizeof title, "%s after %zu of %zu epochs", run_status(s),
                 s->hist.epochs, o->epochs);
        po.title = title;
    } else {
        po.x_max = (double)o->epochs;
    }
    if (cln_history_write_svg(&s->hist, &po, o->plot_path) == CLN_SUCCESS)
        return 0;
    fprintf(stderr, LINREG_PROGRAM ": --plot: %s\n", cln_last_error(NULL));
    return 1;
}

int linreg_write_outputs(const run_state *s)
{
    const linreg_options *o = s->o;
    int failed = 0;
    if (o->csv_path)
        failed |= write_file("--csv", o->csv_path, write_csv, s);
    if (o->plot_path)
        failed |= write_plot(s);
    if (o->json_path)
        failed |= write_file("--json", o->json_path, write_json, s);
    return failed;
}
