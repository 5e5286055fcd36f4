#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "softmax_run.h"

void softmax_run_free(softmax_run *s)
{
    cli_signals_release(&s->signals);
    cln_history_free(&s->hist);
    softmax_data_free(&s->data);
    free(s->log.train_loss);
    free(s->log.val_loss);
    free(s->log.val_acc);
    free(s->W);
    free(s->b);
    free(s->val_correct);
    cln_model_meta_free(s->meta);
    cln_context_free(s->ctx); /* the dataset and the model too */
}

int softmax_fail(cln_status st)
{
    const char *msg = cln_last_error(NULL);
    fprintf(stderr, SOFTMAX_PROGRAM ": %s\n", *msg ? msg : cln_status_str(st));
    return 1;
}

const char *softmax_run_status(const softmax_run *s)
{
    return s->diverged ? "diverged" : s->stopped_by ? "interrupted" : "completed";
}

double softmax_final_val_acc(const softmax_run *s)
{
    return s->log.count ? s->log.val_acc[s->log.count - 1] : NAN;
}

const char *softmax_path_name(cln_train_path p)
{
    static const char *const names[] = {"auto", "stepwise", "fused", "epoch", "persistent"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "unknown";
}

void softmax_print_data_line(const softmax_run *s)
{
    const softmax_options *o = s->o;
    const softmax_data *d = &s->data;
    char a[512], b[256];
    int loaded_std = s->meta && cln_model_meta_standardized(s->meta);
    switch (d->source) {
    case SOFTMAX_SOURCE_SYNTHETIC:
        cli_printf("data: synthetic: %zu training and %zu validation rows, %zu inputs, %zu "
                   "classes, noise %g, seed %llu\n", d->num_train, d->num_val, d->d, d->k,
                   o->noise, (unsigned long long)o->seed);
        break;
    case SOFTMAX_SOURCE_CSV:
        cli_printf("data: %s: %zu rows, %zu training and %zu validation (seed %llu), %zu "
                   "feature%s, target '%s' with %zu classes%s\n",
                   cli_printable(o->data_path, a, sizeof a), cln_csv_num_rows(d->csv),
                   d->num_train, d->num_val, (unsigned long long)o->seed, d->d,
                   d->d == 1 ? "" : "s", cli_printable(cln_csv_target_name(d->csv), b, sizeof b),
                   d->k, o->standardize ? ", standardized"
                   : loaded_std ? ", standardized as the --load model's training rows" : "");
        break;
    case SOFTMAX_SOURCE_IDX:
        if (o->idx_dir)
            cli_printf("data: %s (IDX): %zu training and %zu validation images of %zu pixels, "
                       "%zu classes\n", cli_printable(o->idx_dir, a, sizeof a), d->num_train,
                       d->num_val, d->d, d->k);
        else
            cli_printf("data: %s (IDX): %zu training images of %zu pixels, %zu validation, %zu "
                       "classes\n", cli_printable(d->idx_path[0], a, sizeof a), d->num_train,
                       d->d, d->num_val, d->k);
        break;
    }
}

void softmax_print_results(const softmax_run *s)
{
    const softmax_data *d = &s->data;
    double acc = softmax_final_val_acc(s);
    if (d->num_val == 0)
        cli_printf("validation accuracy: none (no validation rows)\n");
    else if (isnan(acc))
        cli_printf("validation accuracy: none (no epoch completed)\n");
    else
        cli_printf("validation accuracy: %.4f (%.0f of %zu rows)\n", acc,
                   round(acc * (double)d->num_val), d->num_val);
    if (s->have_params)
        cli_printf("training accuracy: %.4f (%.0f of %zu rows, the final W and b on the host)\n",
                   s->train_acc, round(s->train_acc * (double)d->num_train), d->num_train);
    /* the classes: at most 40 bytes of each name, printable */
    char name[41];
    int width = 5;
    for (size_t c = 0; c < d->k; c++) {
        int len = (int)strlen(cli_printable(d->class_names[c], name, sizeof name));
        width = len > width ? len : width;
    }
    cli_printf("%-*s  %8s  %8s", width, "class", "train", "val");
    if (d->num_val && s->have_params)
        cli_printf("  %8s", "val_acc");
    cli_printf("\n");
    size_t shown = d->k > 100 ? 100 : d->k;
    for (size_t c = 0; c < shown; c++) {
        cli_printf("%-*s  %8zu  %8zu", width, cli_printable(d->class_names[c], name, sizeof name),
                   d->train_counts[c], d->val_counts[c]);
        if (d->num_val && s->have_params) {
            if (d->val_counts[c])
                cli_printf("  %8.4f", (double)s->val_correct[c] / (double)d->val_counts[c]);
            else
                cli_printf("  %8s", "-");
        }
        cli_printf("\n");
    }
    if (shown < d->k)
        cli_printf("... (%zu more classes)\n", d->k - shown);
    cli_printf("training time: %.2f ms (%zu epochs, %zu updates, %s path)\n", s->ms,
               s->hist.epochs, s->hist.updates, softmax_path_name(s->hist.path));
}

/* ---- the JSON summary ------------------------------------------------------------------- */

static int json_data(json_t *j, const softmax_run *s)
{
    const softmax_options *o = s->o;
    const softmax_data *d = &s->data;
    int bad = 0;
    bad |= cli_json_set(j, "data", cli_json_text(
        d->source == SOFTMAX_SOURCE_CSV ? o->data_path
        : d->source == SOFTMAX_SOURCE_IDX ? (o->idx_dir ? o->idx_dir : d->idx_path[0])
                                          : "synthetic"));
    bad |= cli_json_set(j, "source", json_string(d->source == SOFTMAX_SOURCE_CSV ? "csv"
                                                 : d->source == SOFTMAX_SOURCE_IDX ? "idx"
                                                                                   : "synthetic"));
    if (d->csv) {
        bad |= cli_json_set(j, "target", cli_json_text(cln_csv_target_name(d->csv)));
        int standardized = o->standardize || (s->meta && cln_model_meta_standardized(s->meta));
        bad |= cli_json_set(j, "standardized", json_boolean(standardized));
    }
    bad |= cli_json_set(j, "num_inputs", json_integer((json_int_t)d->d));
    bad |= cli_json_set(j, "num_classes", json_integer((json_int_t)d->k));
    json_t *classes = json_array();
    for (size_t c = 0; classes && c < d->k; c++)
        bad |= json_array_append_new(classes, cli_json_text(d->class_names[c])) != 0;
    bad |= cli_json_set(j, "classes", classes);
    bad |= cli_json_set(j, "train_counts", cli_json_counts(d->train_counts, d->k));
    bad |= cli_json_set(j, "val_counts", cli_json_counts(d->val_counts, d->k));
    bad |= cli_json_set(j, "num_train", json_integer((json_int_t)d->num_train));
    bad |= cli_json_set(j, "num_val", json_integer((json_int_t)d->num_val));
    return bad;
}

static int json_training(json_t *j, const softmax_run *s)
{
    const softmax_options *o = s->o;
    int bad = 0;
    bad |= cli_json_set(j, "dtype", json_string(s->dtype == CLN_FLOAT64 ? "float64"
                                                                        : "float32"));
    bad |= cli_json_set(j, "lr", cli_json_number(o->lr));
    bad |= cli_json_set(j, "batch_size", json_integer((json_int_t)o->batch_size));
    bad |= cli_json_set(j, "sigma", cli_json_number(o->sigma));
    bad |= cli_json_set(j, "weight_decay", cli_json_number(o->weight_decay));
    bad |= cli_json_set(j, "seed", cli_json_u64(o->seed));
    bad |= cli_json_set(j, "epochs", json_integer((json_int_t)s->hist.epochs));
    bad |= cli_json_set(j, "max_epochs", json_integer((json_int_t)o->epochs));
    /* the model's own count: a --load model's epochs before, and this run's */
    bad |= cli_json_set(j, "epochs_trained",
                        json_integer((json_int_t)(s->first_epoch + s->hist.epochs)));
    bad |= cli_json_set(j, "updates", json_integer((json_int_t)s->hist.updates));
    bad |= cli_json_set(j, "path", json_string(softmax_path_name(s->hist.path)));
    /* one value an epoch of this run, epochs first_epoch + 1 .. first_epoch + epochs */
    bad |= cli_json_set(j, "train_loss", cli_json_numbers(s->log.train_loss, s->log.count));
    bad |= cli_json_set(j, "val_loss", cli_json_numbers(s->log.val_loss, s->log.count));
    bad |= cli_json_set(j, "val_acc", cli_json_numbers(s->log.val_acc, s->log.count));
    bad |= cli_json_set(j, "final_val_acc", cli_json_number(softmax_final_val_acc(s)));
    bad |= cli_json_set(j, "train_acc", cli_json_number(s->have_params ? s->train_acc : NAN));
    bad |= cli_json_set(j, "time_ms", cli_json_number(s->ms));
    return bad;
}

static int write_json(const softmax_run *s)
{
    const cln_device_info *dev = cln_context_device(s->ctx);
    json_t *j = cli_json_document();
    int bad = !j;
    if (j) {
        bad |= cli_json_set(j, "device", cli_json_text(dev->device_name));
        bad |= cli_json_set(j, "platform", cli_json_text(dev->platform_name));
        bad |= cli_json_set(j, "model", json_string("softmax"));
        bad |= cli_json_set(j, "status", json_string(softmax_run_status(s)));
        bad |= json_data(j, s) || json_training(j, s);
    }
    char why[1100];
    int failed = 0;
    if (bad) {
        fprintf(stderr, SOFTMAX_PROGRAM ": --json: out of memory\n");
        failed = 1;
    } else if (cli_json_write(j, s->o->json_path, why, sizeof why) != 0) {
        fprintf(stderr, SOFTMAX_PROGRAM ": --json: %s\n", why);
        failed = 1;
    }
    json_decref(j);
    return failed;
}

/* train_loss, val_loss and val_acc as d2l's board draws them: --title or the final val_acc
 * in the title; after a divergence or a stop the axis to the epochs done, and why. */
static int write_plot(const softmax_run *s)
{
    const softmax_options *o = s->o;
    cln_plot_options po;
    cln_plot_options_init(&po);
    char title[640];
    double acc = softmax_final_val_acc(s);
    size_t done = s->first_epoch + s->hist.epochs, asked = s->first_epoch + o->epochs;
    if (s->diverged || s->stopped_by) { /* the axis to the epochs done, and why */
        snprintf(title, sizeof title, "%s%s%s after %zu of %zu epochs%s", o->title ? o->title : "",
                 o->title ? " (" : "", softmax_run_status(s), done, asked, o->title ? ")" : "");
    } else {
        po.x_max = (double)asked;
        if (o->title)
            snprintf(title, sizeof title, "%s", o->title);
        else if (isnan(acc))
            snprintf(title, sizeof title, "softmax regression (no validation rows)");
        else
            snprintf(title, sizeof title, "softmax regression: final val_acc %.4f", acc);
    }
    po.title = title;
    po.log_y = o->log_y;
    po.metric_label = "val_acc"; /* the model's metric is its accuracy, d2l's name */
    fflush(stdout);
    const char *path = cli_is_stdio(o->plot_path) ? "/dev/stdout" : o->plot_path;
    if (cln_history_write_svg(&s->hist, &po, path) == CLN_SUCCESS)
        return 0;
    fprintf(stderr, SOFTMAX_PROGRAM ": --plot: %s\n", cln_last_error(NULL));
    return 1;
}

/* The trained model with its data's description: a loaded model's, a CSV split's (its
 * features, standardisation and classes), or x1 .. xN and the classes "0" .. "k-1". */
static int write_model(const softmax_run *s)
{
    const softmax_data *d = &s->data;
    cln_model_meta *made = NULL;
    cln_status st = CLN_SUCCESS;
    if (!s->meta && d->csv)
        st = cln_model_meta_from_split(d->csv, &d->split, &made);
    if (st == CLN_SUCCESS) {
        fflush(stdout);
        st = cln_softmax_save(s->model, s->meta ? s->meta : made, s->o->save_path);
    }
    cln_model_meta_free(made);
    if (st == CLN_SUCCESS)
        return 0;
    fprintf(stderr, SOFTMAX_PROGRAM ": --save: %s\n", cln_last_error(NULL));
    return 1;
}

int softmax_write_outputs(const softmax_run *s)
{
    const softmax_options *o = s->o;
    int failed = 0;
    if (o->plot_path)
        failed |= write_plot(s);
    if (o->json_path)
        failed |= write_json(s);
    if (o->save_path && s->model)
        failed |= write_model(s);
    return failed;
}
