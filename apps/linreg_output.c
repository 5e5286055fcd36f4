#include "linreg_output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

void linreg_print_epoch(run_state *s, size_t epoch)
{
    const cln_history *h = &s->hist;
    char num[64];
    cli_printf("epoch %zu:", epoch);
    /* the fit records an epoch's points before it reports the epoch (trainer.h) */
    for (; s->lines_train < h->train_loss.count; s->lines_train++)
        cli_printf(" train_loss %s (x=%.3f)",
                   cli_format_number(h->train_loss.y[s->lines_train], 6, 1, num, sizeof num),
                   h->train_loss.x[s->lines_train]);
    for (; s->lines_val < h->val_loss.count; s->lines_val++)
        cli_printf(" val_loss %s", cli_format_number(h->val_loss.y[s->lines_val], 6, 1, num,
                                                      sizeof num));
    cli_printf("\n");
}

void linreg_print_fit_end(const run_state *s)
{
    if (s->diverged)
        fprintf(stderr, LINREG_PROGRAM ": %s\n", s->fit_msg);
    else if (s->stopped_by)
        fprintf(stderr, LINREG_PROGRAM ": %s: stopped after epoch %zu of %zu; writing the "
                "outputs of the epochs done\n", cli_signal_name(s->stopped_by),
                s->first_epoch + s->hist.epochs, s->first_epoch + s->o->epochs);
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

/* The bias's row in the table: a name no CSV column is taken for (a feature may be "b"). */
#define BIAS_LABEL "(bias)"

/* The parameters of a CSV run, a column per solver. */
static void print_table(const run_state *s)
{
    char buf[41];
    int width = 9;
    for (size_t j = 0; j < s->d; j++) {
        int len = (int)strlen(shown_name(s, j, buf, sizeof buf));
        width = len > width ? (len < 40 ? len : 40) : width;
    }
    cli_printf("%-*s", width, "parameter");
    if (s->have_sgd)
        cli_printf("  %16s", "sgd");
    if (s->have_exact)
        cli_printf("  %16s", "exact");
    int loaded_std = s->meta && cln_model_meta_standardized(s->meta);
    cli_printf("   (original units%s)\n",
               s->o->standardize || loaded_std ? "; trained standardized" : "");
    for (size_t j = 0; j <= s->d + 2; j++) {
        const char *label = j < s->d ? shown_name(s, j, buf, sizeof buf)
                          : j == s->d ? BIAS_LABEL : j == s->d + 1 ? "train MSE" : "val MSE";
        if (j == s->d + 2 && s->split.num_val == 0)
            break;
        cli_printf("%-*s", width, label);
        double a = j < s->d ? (s->w ? s->w[j] : 0) : j == s->d ? s->b
                 : j == s->d + 1 ? s->train_mse : s->val_mse;
        double e = j < s->d ? (s->w_exact ? s->w_exact[j] : 0) : j == s->d ? s->b_exact
                 : j == s->d + 1 ? s->train_mse_exact : s->val_mse_exact;
        if (s->have_sgd)
            cli_printf("  %16.8g", a);
        if (s->have_exact)
            cli_printf("  %16.8g", e);
        cli_printf("\n");
    }
}

static void print_vector(const char *label, const double *v, size_t n)
{
    char num[64];
    cli_printf("%s: [", label);
    for (size_t i = 0; i < n; i++) {
        if (i == 8 && n > 10) {
            cli_printf(", ... (%zu more)", n - i);
            break;
        }
        cli_printf("%s%s", i ? ", " : "", cli_format_number(v[i], 4, 0, num, sizeof num));
    }
    cli_printf("]\n");
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
        cli_printf("training time: %.2f ms (%zu epochs, %zu updates; %zu ranks, rank 0 %.2f ms "
                   "in their allreduce)\n", s->ms, s->hist.epochs, s->hist.updates,
                   s->g->group.size, s->stats.allreduce_seconds * 1e3);
    else if (s->have_sgd)
        cli_printf("training time: %.2f ms (%zu epochs, %zu updates)\n", s->ms, s->hist.epochs,
                   s->hist.updates);
    else
        cli_printf("solve time: %.3f ms\n", s->ms);
}

int linreg_print_results(const run_state *s)
{
    if (s->o->data_path) {
        print_table(s);
        if (s->have_exact)
            cli_printf("exact least squares: column-pivoted QR (LAPACK dgelsy) of the centred, "
                       "scaled training rows: rank %zu of %zu feature%s, condition number "
                       "about %.3g\n", s->rank, s->d, s->d == 1 ? "" : "s", s->condition);
    } else if (print_errors(s) != 0) {
        fprintf(stderr, LINREG_PROGRAM ": out of memory\n");
        return 1;
    }
    if (s->have_exact && s->rank < s->d)
        cli_printf("exact least squares: not unique: the features are linearly dependent on "
                   "the training rows (rank %zu of %zu); this is the minimum-norm solution "
                   "(centred, scaled units), one of infinitely many with the same training "
                   "MSE\n", s->rank, s->d);
    print_time(s);
    return 0;
}

/* ---- the JSON summary ------------------------------------------------------------------- */

/* What ran on what: the device, the solver, how it ended, the data. */
static int json_run(json_t *j, const run_state *s)
{
    const linreg_options *o = s->o;
    const cln_device_info *dev = s->ctx ? cln_context_device(s->ctx) : NULL;
    char buf[32];
    int bad = 0;
    bad |= cli_json_set(j, "device", cli_json_text(dev ? dev->device_name : "host"));
    bad |= cli_json_set(j, "platform", cli_json_text(dev ? dev->platform_name : ""));
    bad |= cli_json_set(j, "solver", json_string(o->solver == LINREG_SOLVER_SGD ? "sgd"
                                                                                : "exact"));
    bad |= cli_json_set(j, "status", json_string(run_status(s)));
    bad |= cli_json_set(j, "data", cli_json_text(o->data_path ? o->data_path : "synthetic"));
    json_t *names = json_array();
    for (size_t k = 0; names && k < s->d; k++)
        bad |= json_array_append_new(names, cli_json_text(feature_name(s, k, buf, sizeof buf)));
    bad |= cli_json_set(j, "features", names);
    if (!s->csv)
        return bad;
    bad |= cli_json_set(j, "target", cli_json_text(cln_csv_target_name(s->csv)));
    bad |= cli_json_set(j, "num_train", json_integer((json_int_t)s->split.num_train));
    bad |= cli_json_set(j, "num_val", json_integer((json_int_t)s->split.num_val));
    int standardized = o->standardize || (s->meta && cln_model_meta_standardized(s->meta));
    bad |= cli_json_set(j, "standardized", json_boolean(standardized));
    bad |= cli_json_set(j, "feature_mean", cli_json_numbers(s->split.mean, s->d));
    bad |= cli_json_set(j, "feature_scale", cli_json_numbers(s->split.scale, s->d));
    return bad;
}

/* The parameters: the solver's, the true ones, the exact solution's beside SGD's. */
static int json_params(json_t *j, const run_state *s)
{
    int sgd = s->o->solver == LINREG_SOLVER_SGD, bad = 0;
    bad |= cli_json_set(j, "w", cli_json_numbers(sgd ? s->w : s->w_exact, s->d));
    bad |= cli_json_set(j, "b", cli_json_number(sgd ? s->b : s->b_exact));
    if (s->have_true) {
        bad |= cli_json_set(j, "w_true", cli_json_numbers(s->w_true, s->d));
        bad |= cli_json_set(j, "b_true", cli_json_number(s->b_true));
    }
    if (sgd && s->have_exact) {
        bad |= cli_json_set(j, "w_exact", cli_json_numbers(s->w_exact, s->d));
        bad |= cli_json_set(j, "b_exact", cli_json_number(s->b_exact));
        if (s->csv) {
            bad |= cli_json_set(j, "train_mse_exact", cli_json_number(s->train_mse_exact));
            bad |= cli_json_set(j, "val_mse_exact", cli_json_number(s->val_mse_exact));
        }
    }
    if (s->have_exact) {
        bad |= cli_json_set(j, "condition", cli_json_number(s->condition));
        bad |= cli_json_set(j, "rank", json_integer((json_int_t)s->rank));
        bad |= cli_json_set(j, "unique", json_boolean(s->rank == s->d));
    }
    if (s->csv) {
        bad |= cli_json_set(j, "train_mse", cli_json_number(sgd ? s->train_mse
                                                                 : s->train_mse_exact));
        bad |= cli_json_set(j, "val_mse", cli_json_number(sgd ? s->val_mse : s->val_mse_exact));
    }
    return bad;
}

/* The loss a model trains: --loss, or a loaded model's own. */
static const char *loss_name(const run_state *s)
{
    if (s->model)
        return cln_linreg_loss_scale(s->model) == 1.0 ? "mse" : "half-mse";
    return s->o->loss == LINREG_LOSS_MSE ? "mse" : "half-mse";
}

/* The training: the loss curves, the settings, the time. */
static int json_training(json_t *j, const run_state *s)
{
    const linreg_options *o = s->o;
    int bad = 0;
    bad |= cli_json_set(j, "train_loss", cli_json_curve(&s->hist.train_loss));
    bad |= cli_json_set(j, "val_loss", cli_json_curve(&s->hist.val_loss));
    bad |= cli_json_set(j, "loss", json_string(loss_name(s)));
    bad |= cli_json_set(j, "lr", cli_json_number(o->lr));
    bad |= cli_json_set(j, "batch_size", json_integer((json_int_t)o->batch_size));
    bad |= cli_json_set(j, "seed", cli_json_u64(o->seed));
    bad |= cli_json_set(j, "epochs", json_integer((json_int_t)s->hist.epochs));
    bad |= cli_json_set(j, "updates", json_integer((json_int_t)s->hist.updates));
    if (o->solver == LINREG_SOLVER_SGD) { /* epochs is what was done; max_epochs what was asked */
        bad |= cli_json_set(j, "max_epochs", json_integer((json_int_t)o->epochs));
        /* the model's own count: a --load model's epochs before, and this run's */
        bad |= cli_json_set(j, "epochs_trained",
                            json_integer((json_int_t)(s->first_epoch + s->hist.epochs)));
        bad |= cli_json_set(j, "dtype", json_string(s->dtype == CLN_FLOAT64 ? "float64"
                                                                            : "float32"));
    }
    bad |= cli_json_set(j, "time_ms", cli_json_number(s->ms));
    if (s->g) { /* data-parallel: batch_size above is the global minibatch */
        bad |= cli_json_set(j, "ranks", json_integer((json_int_t)s->g->group.size));
        bad |= cli_json_set(j, "allreduce_ms", cli_json_number(s->stats.allreduce_seconds * 1e3));
    } else if (o->shards > 1) {
        bad |= cli_json_set(j, "shards", json_integer((json_int_t)o->shards));
    }
    return bad;
}

static int write_json(const run_state *s)
{
    json_t *j = cli_json_document();
    int bad = !j || json_run(j, s) || json_params(j, s) || json_training(j, s);
    char why[1100];
    int failed = 0;
    if (bad) {
        fprintf(stderr, LINREG_PROGRAM ": --json: out of memory\n");
        failed = 1;
    } else if (cli_json_write(j, s->o->json_path, why, sizeof why) != 0) {
        fprintf(stderr, LINREG_PROGRAM ": --json: %s\n", why);
        failed = 1;
    }
    json_decref(j);
    return failed;
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

/* The loss curves as d2l's ProgressBoard draws them, with --title and --log-y; after a
 * divergence or a stop, the axis to the epochs done, and why in the title. "-" is standard
 * output (the library writes a name in place when it is not a regular file). */
static int write_plot(const run_state *s)
{
    const linreg_options *o = s->o;
    cln_plot_options po;
    cln_plot_options_init(&po);
    char title[640];
    po.title = o->title;
    po.log_y = o->log_y;
    if (s->diverged || s->stopped_by) {
        snprintf(title, sizeof title, "%s%s%s after %zu of %zu epochs%s", o->title ? o->title : "",
                 o->title ? " (" : "", run_status(s), s->first_epoch + s->hist.epochs,
                 s->first_epoch + o->epochs, o->title ? ")" : "");
        po.title = title;
    } else {
        po.x_max = (double)(s->first_epoch + o->epochs);
    }
    fflush(stdout);
    const char *path = cli_is_stdio(o->plot_path) ? "/dev/stdout" : o->plot_path;
    if (cln_history_write_svg(&s->hist, &po, path) == CLN_SUCCESS)
        return 0;
    fprintf(stderr, LINREG_PROGRAM ": --plot: %s\n", cln_last_error(NULL));
    return 1;
}

/* The trained model with its data's description: a loaded model's, the CSV split's, or
 * (synthetic data) x1 .. xN and y. */
static int write_model(const run_state *s)
{
    cln_model_meta *from_split = NULL;
    cln_status st = CLN_SUCCESS;
    if (!s->meta && s->csv)
        st = cln_model_meta_from_split(s->csv, &s->split, &from_split);
    if (st == CLN_SUCCESS) {
        fflush(stdout);
        st = cln_linreg_save(s->model, s->meta ? s->meta : from_split, s->o->save_path);
    }
    cln_model_meta_free(from_split);
    if (st == CLN_SUCCESS)
        return 0;
    fprintf(stderr, LINREG_PROGRAM ": --save: %s\n", cln_last_error(NULL));
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
        failed |= write_json(s);
    if (o->save_path && s->model)
        failed |= write_model(s);
    return failed;
}
