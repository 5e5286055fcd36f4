/* clnum-softmax: d2l chapter 4.4, "Softmax Regression Implementation from Scratch", in C on
 * an OpenCL device: the library's softmax model (softmax.h) trained by cln_fit (trainer.h)
 * on Fashion-MNIST's IDX files, on a CSV file with a column of class labels, or on synthetic
 * classes (softmax_data.h has the recipe). One line an epoch as it ends, then the result
 * lines; --json and --plot as clnum-linreg writes them. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "clnum/clnum.h"
#include "report.h"
#include "softmax_data.h"
#include "softmax_options.h"

#define PROGRAM "clnum-softmax"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: clnum-softmax [options]\n"
            "Trains d2l's softmax regression (chapter 4.4) on an OpenCL device: on Fashion-MNIST's\n"
            "IDX files, on a CSV file with a column of class labels, or on synthetic classes (the\n"
            "default).\n"
            "\n"
            "training (d2l's defaults):\n"
            "  --epochs N          epochs (default 10)\n"
            "  --lr X              learning rate (default 0.1)\n"
            "  --batch-size N      minibatch size (default 256)\n"
            "  --sigma X           W ~ N(0, X^2) at the start, b = 0 (default 0.01)\n"
            "  --weight-decay X    L2 penalty on W, below 1 / lr (default 0)\n"
            "  --seed N            seed of the data, the split, W and the shuffling (default 0)\n"
            "  --dtype T           float32 (default) or float64 (a device with cl_khr_fp64)\n"
            "IDX files (Fashion-MNIST's format, gzipped or raw):\n"
            "  --idx DIR           DIR/train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]\n"
            "                      to train, t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]\n"
            "                      to validate (pixels scaled to [0, 1])\n"
            "  --train-images F, --train-labels F, --val-images F, --val-labels F\n"
            "                      the files one by one (the validation pair may be left out)\n"
            "a CSV file:\n"
            "  --data FILE.csv     train on a CSV file with a header row\n"
            "  --target NAME       the column of class labels, integers or text, by name or 0-based\n"
            "                      index (default: the last)\n"
            "  --features A,B      the input columns (default: every other column)\n"
            "  --delimiter C       field separator (default ','; 'tab' for tabs)\n"
            "  --no-header         the first row is data; name columns by index\n"
            "  --skip-lines N      lines skipped before the header (iris.csv's count line: 1)\n"
            "  --standardize       z-score the features with the training rows' statistics\n"
            "  --val-fraction F    fraction of rows held out for validation, 0 <= F < 1 (default 0.2)\n"
            "synthetic classes (without --data or IDX files):\n"
            "  --num-classes K     classes (default 3)\n"
            "  --num-inputs D      features (default 2)\n"
            "  --num-train N       training rows (default 1000)\n"
            "  --num-val N         validation rows (default 1000)\n"
            "  --noise X           standard deviation around each class's centre (default 1)\n"
            "output:\n"
            "  --quiet             only the result lines; no data or epoch lines\n"
            "  --plot FILE.svg     train_loss, val_loss and val_acc as d2l's board draws them\n"
            "                      (the final val_acc in its title)\n"
            "  --json FILE         a summary: device, status, classes, train_loss, val_loss and\n"
            "                      val_acc per epoch, time_ms\n"
            "device:\n"
            "  --device P:D        platform:device by index or name (default: $CLNUM_DEVICE, else\n"
            "                      the first GPU, else the first device)\n"
            "  --placement P       where the rows live: auto (default), device, or host (streamed)\n"
            "  --list-devices      list the OpenCL devices and exit\n"
            "  --help              this text\n"
            "Each epoch prints 'epoch N: train_loss X val_loss Y val_acc Z'. Exit status: 0; 1 for a\n"
            "failure at run time (a missing or malformed file, no device, a run that diverged);\n"
            "2 for a bad option or value.\n");
}

static const char *path_name(cln_train_path p)
{
    static const char *const names[] = {"auto", "stepwise", "fused", "epoch", "persistent"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "unknown";
}

/* What each epoch reported: its mean training loss, validation loss and accuracy. */
typedef struct epoch_log {
    size_t count, cap;
    double *train_loss, *val_loss, *val_acc;
    int out_of_memory;
} epoch_log;

static int log_append(epoch_log *l, const cln_epoch_report *r)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        double *t = realloc(l->train_loss, cap * sizeof *t);
        if (t)
            l->train_loss = t;
        double *v = realloc(l->val_loss, cap * sizeof *v);
        if (v)
            l->val_loss = v;
        double *a = realloc(l->val_acc, cap * sizeof *a);
        if (a)
            l->val_acc = a;
        if (!t || !v || !a)
            return -1;
        l->cap = cap;
    }
    l->train_loss[l->count] = r->train_loss;
    l->val_loss[l->count] = r->val_loss;
    l->val_acc[l->count] = r->val_metric;
    l->count++;
    return 0;
}

/* Everything one run holds; freed by run_free. */
typedef struct run_state {
    const softmax_options *o;
    softmax_data data;
    cln_context *ctx;
    cln_dataset *ds;
    cln_softmax *model;
    cln_history hist;
    epoch_log log;
    double *W, *b;
    size_t *val_correct;       /* k: validation rows of each class classified right */
    double train_acc;          /* on the host, with the final W and b */
    double ms;
    int have_params;
    int diverged;              /* cln_fit ended with CLN_ERR_DIVERGED (fit_msg) */
    int stopped_by;            /* the signal that stopped the fit, else 0 */
    char fit_msg[640];
    cli_saved_signals signals;
} run_state;

static void run_free(run_state *s)
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
    cln_context_free(s->ctx); /* the dataset and the model too */
}

static int fail_run(cln_status st)
{
    const char *msg = cln_last_error(NULL);
    fprintf(stderr, PROGRAM ": %s\n", *msg ? msg : cln_status_str(st));
    return 1;
}

/* The fit's epoch callback: the epoch's line, the test hook, a stop once a signal came. */
static int on_epoch(const cln_epoch_report *r, void *user)
{
    run_state *s = user;
    if (log_append(&s->log, r) != 0) {
        s->log.out_of_memory = 1;
        return 1;
    }
    if (!s->o->quiet) {
        if (s->data.num_val)
            printf("epoch %zu: train_loss %.6f val_loss %.6f val_acc %.4f\n", r->epoch + 1,
                   r->train_loss, r->val_loss, r->val_metric);
        else
            printf("epoch %zu: train_loss %.6f\n", r->epoch + 1, r->train_loss);
        fflush(stdout);
    }
    const linreg_test_signal *t = &s->o->test_signal;
    if (t->epoch && r->epoch + 1 == t->epoch)
        for (size_t k = 0; k < t->count; k++)
            raise(t->signals[k]); /* handled before raise returns */
    return cli_stop_signal() != 0;
}

static const char *run_status(const run_state *s)
{
    return s->diverged ? "diverged" : s->stopped_by ? "interrupted" : "completed";
}

static double final_val_acc(const run_state *s)
{
    return s->log.count ? s->log.val_acc[s->log.count - 1] : NAN;
}

static void print_data_line(const run_state *s)
{
    const softmax_options *o = s->o;
    const softmax_data *d = &s->data;
    char a[512], b[256];
    switch (d->source) {
    case SOFTMAX_SOURCE_SYNTHETIC:
        printf("data: synthetic: %zu training and %zu validation rows, %zu inputs, %zu classes, "
               "noise %g, seed %llu\n", d->num_train, d->num_val, d->d, d->k, o->noise,
               (unsigned long long)o->seed);
        break;
    case SOFTMAX_SOURCE_CSV:
        printf("data: %s: %zu rows, %zu training and %zu validation (seed %llu), %zu feature%s, "
               "target '%s' with %zu classes%s\n", cli_printable(o->data_path, a, sizeof a),
               cln_csv_num_rows(d->csv), d->num_train, d->num_val, (unsigned long long)o->seed,
               d->d, d->d == 1 ? "" : "s",
               cli_printable(cln_csv_target_name(d->csv), b, sizeof b), d->k,
               o->standardize ? ", standardized" : "");
        break;
    case SOFTMAX_SOURCE_IDX:
        if (o->idx_dir)
            printf("data: %s (IDX): %zu training and %zu validation images of %zu pixels, %zu "
                   "classes\n", cli_printable(o->idx_dir, a, sizeof a), d->num_train, d->num_val,
                   d->d, d->k);
        else
            printf("data: %s (IDX): %zu training images of %zu pixels, %zu validation, %zu "
                   "classes\n", cli_printable(d->idx_path[0], a, sizeof a), d->num_train, d->d,
                   d->num_val, d->k);
        break;
    }
}

/* The model, the fit, and the parameters it ends with. A fit that diverges, or that a signal
 * stops, keeps its epochs: s->diverged and s->stopped_by say so. */
static cln_status train(run_state *s)
{
    const softmax_options *o = s->o;
    const softmax_data *d = &s->data;
    cln_dtype dtype = o->dtype == SOFTMAX_DTYPE_FLOAT64 ? CLN_FLOAT64 : CLN_FLOAT32;
    cln_status st = softmax_data_upload(d, s->ctx, dtype, (cln_placement)o->placement, &s->ds);
    if (st == CLN_SUCCESS)
        st = cln_softmax_create(s->ctx, dtype, d->d, d->k, o->sigma, o->seed, &s->model);
    if (st == CLN_SUCCESS) /* the kernels built and the device self-check done (runtime.h) */
        st = cln_context_selfcheck(s->ctx, dtype);
    if (st == CLN_SUCCESS)
        st = cln_context_finish(s->ctx); /* the clock starts with data and model ready */
    if (st != CLN_SUCCESS)
        return st;
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.max_epochs = o->epochs;
    tc.lr = o->lr;
    tc.batch_size = o->batch_size;
    tc.seed = o->seed;
    tc.weight_decay = o->weight_decay;
    tc.on_epoch = on_epoch;
    tc.user = s;
    cli_signals_catch(&s->signals);
    double t0 = cli_now_ms();
    st = cln_fit(cln_softmax_model(s->model), s->ds, &tc, &s->hist);
    s->ms = cli_now_ms() - t0;
    if (s->log.out_of_memory)
        return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY,
                                     "out of host memory for the epochs' results");
    st = cli_fit_end(st, s->ctx, s->fit_msg, sizeof s->fit_msg, &s->diverged, &s->stopped_by);
    if (st != CLN_SUCCESS)
        return st;
    s->W = malloc(d->d * d->k * sizeof *s->W);
    s->b = malloc(d->k * sizeof *s->b);
    s->val_correct = calloc(d->k, sizeof *s->val_correct);
    if (!s->W || !s->b || !s->val_correct)
        return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    st = cln_softmax_get(s->model, s->W, s->b);
    if (st != CLN_SUCCESS)
        return st;
    s->have_params = 1;
    s->train_acc = softmax_data_accuracy(d, s->W, s->b, 0, d->num_train, NULL);
    softmax_data_accuracy(d, s->W, s->b, d->num_train, d->num_val, s->val_correct);
    return CLN_SUCCESS;
}

/* The result lines: the accuracies, the classes with their counts, the time. */
static void print_results(const run_state *s)
{
    const softmax_data *d = &s->data;
    double acc = final_val_acc(s);
    if (d->num_val == 0)
        printf("validation accuracy: none (no validation rows)\n");
    else if (isnan(acc))
        printf("validation accuracy: none (no epoch completed)\n");
    else
        printf("validation accuracy: %.4f (%.0f of %zu rows)\n", acc,
               round(acc * (double)d->num_val), d->num_val);
    if (s->have_params)
        printf("training accuracy: %.4f (%.0f of %zu rows, the final W and b on the host)\n",
               s->train_acc, round(s->train_acc * (double)d->num_train), d->num_train);
    /* the classes: at most 40 bytes of each name, printable */
    char name[41];
    int width = 5;
    for (size_t c = 0; c < d->k; c++) {
        int len = (int)strlen(cli_printable(d->class_names[c], name, sizeof name));
        width = len > width ? len : width;
    }
    printf("%-*s  %8s  %8s", width, "class", "train", "val");
    if (d->num_val && s->have_params)
        printf("  %8s", "val_acc");
    printf("\n");
    size_t shown = d->k > 100 ? 100 : d->k;
    for (size_t c = 0; c < shown; c++) {
        printf("%-*s  %8zu  %8zu", width, cli_printable(d->class_names[c], name, sizeof name),
               d->train_counts[c], d->val_counts[c]);
        if (d->num_val && s->have_params) {
            if (d->val_counts[c])
                printf("  %8.4f", (double)s->val_correct[c] / (double)d->val_counts[c]);
            else
                printf("  %8s", "-");
        }
        printf("\n");
    }
    if (shown < d->k)
        printf("... (%zu more classes)\n", d->k - shown);
    printf("training time: %.2f ms (%zu epochs, %zu updates, %s path)\n", s->ms, s->hist.epochs,
           s->hist.updates, path_name(s->hist.path));
}

static void write_json(FILE *f, const run_state *s)
{
    const softmax_options *o = s->o;
    const softmax_data *d = &s->data;
    const cln_device_info *dev = cln_context_device(s->ctx);
    fputs("{\n  \"device\": ", f);
    json_string(f, dev->device_name);
    fputs(",\n  \"platform\": ", f);
    json_string(f, dev->platform_name);
    fputs(",\n  \"model\": \"softmax\",\n  \"status\": ", f);
    json_string(f, run_status(s));
    fputs(",\n  \"data\": ", f);
    json_string(f, d->source == SOFTMAX_SOURCE_CSV ? o->data_path
                   : d->source == SOFTMAX_SOURCE_IDX ? (o->idx_dir ? o->idx_dir : d->idx_path[0])
                                                     : "synthetic");
    fputs(",\n  \"source\": ", f);
    json_string(f, d->source == SOFTMAX_SOURCE_CSV ? "csv"
                   : d->source == SOFTMAX_SOURCE_IDX ? "idx" : "synthetic");
    if (d->csv) {
        fputs(",\n  \"target\": ", f);
        json_string(f, cln_csv_target_name(d->csv));
        fprintf(f, ",\n  \"standardized\": %s", o->standardize ? "true" : "false");
    }
    fprintf(f, ",\n  \"num_inputs\": %zu,\n  \"num_classes\": %zu,\n  \"classes\": [", d->d,
            d->k);
    for (size_t c = 0; c < d->k; c++) {
        fputs(c ? ", " : "", f);
        json_string(f, d->class_names[c]);
    }
    fputs("],\n  \"train_counts\": [", f);
    for (size_t c = 0; c < d->k; c++)
        fprintf(f, "%s%zu", c ? ", " : "", d->train_counts[c]);
    fputs("],\n  \"val_counts\": [", f);
    for (size_t c = 0; c < d->k; c++)
        fprintf(f, "%s%zu", c ? ", " : "", d->val_counts[c]);
    fprintf(f, "],\n  \"num_train\": %zu,\n  \"num_val\": %zu,\n  \"dtype\": \"%s\",\n  \"lr\": ",
            d->num_train, d->num_val, o->dtype == SOFTMAX_DTYPE_FLOAT64 ? "float64" : "float32");
    json_number(f, o->lr);
    fprintf(f, ",\n  \"batch_size\": %zu,\n  \"sigma\": ", o->batch_size);
    json_number(f, o->sigma);
    fputs(",\n  \"weight_decay\": ", f);
    json_number(f, o->weight_decay);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"epochs\": %zu,\n  \"max_epochs\": %zu,\n  "
               "\"updates\": %zu,\n  \"path\": \"%s\"",
            (unsigned long long)o->seed, s->hist.epochs, o->epochs, s->hist.updates,
            path_name(s->hist.path));
    fputs(",\n  \"train_loss\": ", f);
    json_numbers(f, s->log.train_loss, s->log.count);
    fputs(",\n  \"val_loss\": ", f);
    json_numbers(f, s->log.val_loss, s->log.count);
    fputs(",\n  \"val_acc\": ", f);
    json_numbers(f, s->log.val_acc, s->log.count);
    fputs(",\n  \"final_val_acc\": ", f);
    json_number(f, final_val_acc(s));
    fputs(",\n  \"train_acc\": ", f);
    json_number(f, s->have_params ? s->train_acc : NAN);
    fputs(",\n  \"time_ms\": ", f);
    json_number(f, s->ms);
    fputs("\n}\n", f);
}

/* --plot and --json, each whole or not at all; returns 1 when one could not be written. */
static int write_outputs(const run_state *s)
{
    const softmax_options *o = s->o;
    int failed = 0;
    char why[1100];
    if (o->plot_path) {
        cln_plot_options po;
        cln_plot_options_init(&po);
        char title[128];
        double acc = final_val_acc(s);
        if (s->diverged || s->stopped_by) { /* the axis to the epochs done, and why */
            snprintf(title, sizeof title, "%s after %zu of %zu epochs", run_status(s),
                     s->hist.epochs, o->epochs);
        } else {
            po.x_max = (double)o->epochs;
            if (isnan(acc))
                snprintf(title, sizeof title, "softmax regression (no validation rows)");
            else
                snprintf(title, sizeof title, "softmax regression: final val_acc %.4f", acc);
        }
        po.title = title;
        po.metric_label = "val_acc"; /* the model's metric is its accuracy, d2l's name */
        if (cln_history_write_svg(&s->hist, &po, o->plot_path) != CLN_SUCCESS) {
            fprintf(stderr, PROGRAM ": --plot: %s\n", cln_last_error(NULL));
            failed = 1;
        }
    }
    if (o->json_path) {
        cli_output out;
        if (cli_output_open(&out, o->json_path, why, sizeof why) == 0) {
            write_json(out.f, s);
            cli_output_commit(&out, why, sizeof why);
        }
        if (why[0]) {
            fprintf(stderr, PROGRAM ": --json: %s\n", why);
            failed = 1;
        }
    }
    return failed;
}

/* The output files against the inputs and each other, before anything is read: 0, or the
 * exit status (2: an output that is an input or another output; 1: one that cannot be
 * written, or an IDX folder without its files), the reason on stderr. */
static int check_files(run_state *s)
{
    const softmax_options *o = s->o;
    cli_file in[4], out[2];
    size_t ni = 0, no = 0;
    if (o->json_path)
        out[no++] = (cli_file){"--json", o->json_path, NULL};
    if (o->plot_path)
        out[no++] = (cli_file){"--plot", o->plot_path, NULL};
    if (no == 0)
        return 0;
    if (o->data_path)
        in[ni++] = (cli_file){"--data", o->data_path, "training data"};
    if (o->idx_dir || o->train_images) {
        if (softmax_data_idx_paths(o, &s->data) != CLN_SUCCESS)
            return fail_run(CLN_ERR_IO);
        static const char *const opt[4] = {"--train-images", "--train-labels", "--val-images",
                                           "--val-labels"};
        for (int f = 0; f < 4; f++)
            if (s->data.idx_path[f])
                in[ni++] = (cli_file){o->idx_dir ? "--idx" : opt[f], s->data.idx_path[f],
                                      f < 2 ? "training data" : "validation data"};
    }
    char err[1200];
    int rc = cli_files_check(in, ni, out, no, err, sizeof err);
    if (rc)
        fprintf(stderr, PROGRAM ": %s\n", err);
    return rc;
}

static int run(const softmax_options *o)
{
    run_state s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.train_acc = NAN;
    int rc = check_files(&s);
    if (rc) {
        run_free(&s);
        return rc;
    }
    cln_status st = softmax_data_load(o, &s.data);
    if (st == CLN_SUCCESS)
        st = cln_context_create(o->device, &s.ctx);
    if (st != CLN_SUCCESS) {
        rc = fail_run(st);
        run_free(&s);
        return rc;
    }
    const cln_device_info *dev = cln_context_device(s.ctx);
    printf("device: %s (%s, %s)\n", dev->device_name, dev->platform_name,
           cli_device_type_name(dev->type));
    if (!o->quiet)
        print_data_line(&s);
    st = train(&s);
    fflush(stdout); /* what it printed before its messages */
    if (st != CLN_SUCCESS) {
        /* a context's failures are copied to the thread's message (runtime.h) */
        rc = fail_run(st);
        run_free(&s);
        return rc;
    }
    if (s.diverged)
        fprintf(stderr, PROGRAM ": %s\n", s.fit_msg);
    else if (s.stopped_by)
        fprintf(stderr, PROGRAM ": %s: stopped after epoch %zu of %zu; writing the outputs of "
                "the epochs done\n", cli_signal_name(s.stopped_by), s.hist.epochs, o->epochs);
    print_results(&s);
    fflush(stdout);
    int failed = write_outputs(&s);
    /* a signal's status first (the run was asked to stop), then a divergence or an output
     * that could not be written */
    int sig = s.stopped_by ? s.stopped_by : cli_stop_signal();
    rc = sig ? 128 + sig : s.diverged || failed ? 1 : 0;
    run_free(&s);
    return rc;
}

int main(int argc, char **argv)
{
    /* A file-size limit (ulimit -f) makes a write fail with EFBIG, which the outputs report,
     * instead of killing the program mid-write. */
    signal(SIGXFSZ, SIG_IGN);
    cli_signals_note_ignored();
    softmax_options o;
    char err[1024];
    if (softmax_options_parse(argc, argv, &o, err, sizeof err) != 0) {
        fprintf(stderr, PROGRAM ": %s\n", err);
        return 2;
    }
    if (o.help) {
        usage(stdout);
        return 0;
    }
    if (o.list_devices)
        return cli_list_devices(PROGRAM, o.device);
    if (linreg_test_signal_parse(getenv("CLNUM_TEST_SIGNAL_AT_EPOCH"), &o.test_signal, err,
                                 sizeof err) != 0) {
        fprintf(stderr, PROGRAM ": %s\n", err);
        return 2;
    }
    return cli_end_by_signal(run(&o)); /* an interrupted run ends by its signal */
}
