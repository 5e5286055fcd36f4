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
#include "cli_csv.h"
#include "cli_devices.h"
#include "cli_kernels.h"
#include "clnum/clnum.h"
#include "progress.h"
#include "softmax_data.h"
#include "softmax_options.h"
#include "softmax_run.h"

#define PROGRAM SOFTMAX_PROGRAM

static void usage(FILE *out)
{
    fprintf(out,
            "usage: clnum-softmax [options]\n"
            "       clnum-softmax --load MODEL --predict ROWS.csv [--output FILE]\n"
            "Trains d2l's softmax regression (chapter 4.4) on an OpenCL device: on Fashion-MNIST's\n"
            "IDX files, on a CSV file with a column of class labels, or on synthetic classes (the\n"
            "default); saves the model, and predicts with a saved one.\n"
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
            "  --data FILE.csv     train on a CSV file with a header row ('-': standard input)\n"
            "  --target NAME       the column of class labels, integers or text, by name or 0-based\n"
            "                      index (default: the last)\n"
            "  --features A,B      the input columns (default: every other column)\n"
            "  --exclude A,B       columns left out of every other column (ids, text)\n"
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
            "saved models:\n"
            "  --save FILE         the trained model, with its features, standardisation, classes\n"
            "  --load FILE         start from a saved model: train it on (epochs numbered on), or\n"
            "                      with --predict apply it\n"
            "  --predict FILE      rows to predict on (CSV, columns by the model's feature names)\n"
            "  --output FILE       the predictions as CSV: TARGET_hat, probability, p_CLASS for each\n"
            "                      class (default: standard output)\n"
            "output ('-' for a file is standard output; the other lines then go to stderr):\n"
            "  --quiet             only the result lines; no data, epoch or progress line\n"
            "  --plot FILE.svg     train_loss, val_loss and val_acc as d2l's board draws them\n"
            "                      (the final val_acc in its title)\n"
            "  --log-y             the plot's y axis logarithmic\n"
            "  --title TEXT        the plot's title\n"
            "  --json FILE         a summary: device, status, classes, train_loss, val_loss and\n"
            "                      val_acc per epoch, time_ms\n"
            "device:\n"
            "  --device P:D        platform:device by index or name (default: $CLNUM_DEVICE, else\n"
            "                      the first GPU, else the first device)\n"
            "  --placement P       where the rows live: auto (default), device, or host (streamed)\n"
            "  --list-devices      list the OpenCL devices and exit (with --json [FILE]: as JSON)\n"
            "  --help              this text\n"
            "  --version           the program's version\n"
            "Each epoch prints 'epoch N: train_loss X val_loss Y val_acc Z'. Exit status: 0; 1 for a\n"
            "failure at run time (a missing or malformed file, no device, a run that diverged);\n"
            "2 for a bad option or value; 130 or 143 for a run that SIGINT or SIGTERM stopped.\n");
}

static int log_append(softmax_epoch_log *l, const cln_epoch_report *r)
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

/* The fit's epoch callback: the epoch's line (with the progress line), the test hook, a
 * stop once a signal came. */
typedef struct epoch_watch {
    softmax_run *s;
    progress *prog;
    const cln_epoch_report *r;  /* the epoch being reported */
} epoch_watch;

static void print_epoch_line(void *user)
{
    epoch_watch *w = user;
    const cln_epoch_report *r = w->r;
    if (w->s->o->quiet)
        return;
    char loss[64], val[64];
    cli_format_number(r->train_loss, 6, 1, loss, sizeof loss);
    if (w->s->data.num_val)
        cli_printf("epoch %zu: train_loss %s val_loss %s val_acc %.4f\n", r->epoch + 1, loss,
                   cli_format_number(r->val_loss, 6, 1, val, sizeof val), r->val_metric);
    else
        cli_printf("epoch %zu: train_loss %s\n", r->epoch + 1, loss);
}

static int on_epoch(const cln_epoch_report *r, void *user)
{
    epoch_watch *w = user;
    softmax_run *s = w->s;
    if (log_append(&s->log, r) != 0) {
        s->log.out_of_memory = 1;
        return 1;
    }
    w->r = r;
    progress_epoch(w->prog, r, print_epoch_line, w);
    const linreg_test_signal *t = &s->o->test_signal;
    if (t->epoch && s->log.count == t->epoch)
        for (size_t k = 0; k < t->count; k++)
            raise(t->signals[k]); /* handled before raise returns */
    return cli_stop_signal() != 0;
}

/* The model: a new one (W drawn from the seed), or the --load one, whose classes the data's
 * labels are renumbered to. Then its kernels, built and self-checked (runtime.h). */
static cln_status make_model(softmax_run *s)
{
    const softmax_options *o = s->o;
    softmax_data *d = &s->data;
    if (s->meta)
        CLI_TRY(softmax_data_use_classes(d, s->meta));
    CLI_TRY(softmax_data_upload(d, s->ctx, s->dtype, (cln_placement)o->placement, &s->ds));
    if (!s->model)
        CLI_TRY(cln_softmax_create(s->ctx, s->dtype, d->d, d->k, o->sigma, o->seed, &s->model));
    return CLN_SUCCESS;
}

/* After a divergence on raw CSV features of very different scales, the hint. */
static void hint_standardize(softmax_run *s)
{
    const softmax_data *d = &s->data;
    int standardized = s->o->standardize || (s->meta && cln_model_meta_standardized(s->meta));
    if (s->diverged && d->csv && !standardized)
        cli_standardize_hint(s->fit_msg, sizeof s->fit_msg,
                             cli_scale_ratio(d->X, d->num_train, d->d));
}

/* The model, the fit, and the parameters it ends with. A fit that diverges, or that a signal
 * stops, keeps its epochs: s->diverged and s->stopped_by say so. */
static cln_status train(softmax_run *s)
{
    const softmax_options *o = s->o;
    const softmax_data *d = &s->data;
    cln_status st = make_model(s);
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
    progress prog;
    progress_init(&prog, o->quiet, &o->progress);
    epoch_watch watch = {s, &prog, NULL};
    tc.on_epoch = on_epoch;
    tc.user = &watch;
    cli_signals_catch(&s->signals);
    progress_start(&prog, o->epochs, s->first_epoch,
                   (d->num_train + o->batch_size - 1) / o->batch_size);
    double t0 = cli_now_ms();
    st = cln_fit(cln_softmax_model(s->model), s->ds, &tc, &s->hist);
    s->ms = cli_now_ms() - t0;
    progress_done(&prog);
    fflush(cli_text());
    if (s->log.out_of_memory)
        return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY,
                                     "out of host memory for the epochs' results");
    st = cli_fit_end(st, s->ctx, s->fit_msg, sizeof s->fit_msg, &s->diverged, &s->stopped_by);
    if (st != CLN_SUCCESS)
        return st;
    hint_standardize(s);
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

/* The output files against the inputs and each other, before anything is read: 0, or the
 * exit status (2: an output that is an input or another output, or two standard streams;
 * 1: one that cannot be written, or an IDX folder without its files), the reason on
 * stderr. */
static int check_files(softmax_run *s)
{
    const softmax_options *o = s->o;
    cli_file in[7], out[4];
    size_t ni = 0, no = 0;
    if (o->json_path)
        out[no++] = (cli_file){"--json", o->json_path, NULL};
    if (o->plot_path)
        out[no++] = (cli_file){"--plot", o->plot_path, NULL};
    if (o->save_path)
        out[no++] = (cli_file){"--save", o->save_path, NULL};
    if (o->predict_path)
        out[no++] = (cli_file){"--output", o->output_path ? o->output_path : "-", NULL};
    if (o->data_path)
        in[ni++] = (cli_file){"--data", o->data_path, "training data"};
    if (o->load_path)
        in[ni++] = (cli_file){"--load", o->load_path, "saved model"};
    if (o->predict_path)
        in[ni++] = (cli_file){"--predict", o->predict_path, "rows to predict"};
    if (no == 0 && ni < 2)
        return 0;
    if (o->idx_dir || o->train_images) {
        if (softmax_data_idx_paths(o, &s->data) != CLN_SUCCESS)
            return softmax_fail(CLN_ERR_IO);
        static const char *const opt[4] = {"--train-images", "--train-labels", "--val-images",
                                           "--val-labels"};
        for (int f = 0; f < 4; f++)
            if (s->data.idx_path[f])
                in[ni++] = (cli_file){o->idx_dir ? "--idx" : opt[f], s->data.idx_path[f],
                                      f < 2 ? "training data" : "validation data"};
    }
    char err[1200];
    int rc = cli_stdio_check(in, ni, out, no, err, sizeof err);
    if (!rc)
        rc = cli_files_check(in, ni, out, no, err, sizeof err);
    if (rc)
        fprintf(stderr, PROGRAM ": %s\n", err);
    return rc;
}

/* The context, a --load model on it, the data, and the kernels. */
static cln_status open_run(softmax_run *s)
{
    const softmax_options *o = s->o;
    s->dtype = o->dtype == SOFTMAX_DTYPE_FLOAT64 ? CLN_FLOAT64 : CLN_FLOAT32;
    softmax_options shaped = *o; /* synthetic classes in a loaded model's shape */
    cln_status st = CLN_SUCCESS;
    if (o->load_path) { /* the model first: its features decide the columns read */
        st = cln_context_create(o->device, &s->ctx);
        if (st == CLN_SUCCESS)
            st = cln_softmax_load(s->ctx, o->load_path, &s->model, &s->meta);
        if (st == CLN_SUCCESS) {
            s->dtype = cln_softmax_dtype(s->model);
            s->first_epoch = cln_model_epochs_trained(cln_softmax_model(s->model));
            shaped.num_inputs = cln_softmax_num_inputs(s->model);
            shaped.num_classes = cln_softmax_num_classes(s->model);
        }
    }
    if (st == CLN_SUCCESS)
        st = softmax_data_load(&shaped, s->meta, &s->data);
    if (st == CLN_SUCCESS && !s->ctx)
        st = cln_context_create(o->device, &s->ctx);
    if (st == CLN_SUCCESS)
        st = cli_build_kernels(PROGRAM, s->ctx, s->dtype, 1, o->quiet);
    return st;
}

static int run(const softmax_options *o)
{
    softmax_run s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.train_acc = NAN;
    int rc = check_files(&s);
    if (rc) {
        softmax_run_free(&s);
        return rc;
    }
    cln_status st = open_run(&s);
    if (st != CLN_SUCCESS) {
        rc = softmax_fail(st);
        softmax_run_free(&s);
        return rc;
    }
    const cln_device_info *dev = cln_context_device(s.ctx);
    cli_printf("device: %s (%s, %s)\n", dev->device_name, dev->platform_name,
               cli_device_type_name(dev->type));
    if (!o->quiet)
        softmax_print_data_line(&s);
    st = train(&s);
    fflush(cli_text()); /* what it printed before its messages */
    if (st != CLN_SUCCESS) {
        /* a context's failures are copied to the thread's message (runtime.h) */
        rc = softmax_fail(st);
        softmax_run_free(&s);
        return rc;
    }
    if (s.diverged)
        fprintf(stderr, PROGRAM ": %s\n", s.fit_msg);
    else if (s.stopped_by)
        fprintf(stderr, PROGRAM ": %s: stopped after epoch %zu of %zu; writing the outputs of "
                "the epochs done\n", cli_signal_name(s.stopped_by), s.first_epoch + s.hist.epochs,
                s.first_epoch + o->epochs);
    softmax_print_results(&s);
    fflush(cli_text());
    int failed = softmax_write_outputs(&s);
    /* a signal's status first (the run was asked to stop), then a divergence or an output
     * that could not be written */
    int sig = s.stopped_by ? s.stopped_by : cli_stop_signal();
    rc = sig ? 128 + sig : s.diverged || failed ? 1 : 0;
    softmax_run_free(&s);
    return rc;
}

/* Whether an output is standard output ("-"). */
static int writes_stdout(const softmax_options *o)
{
    return cli_is_stdio(o->json_path) || cli_is_stdio(o->plot_path) ||
           cli_is_stdio(o->save_path) ||
           (o->predict_path && (!o->output_path || cli_is_stdio(o->output_path)));
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
        fprintf(stderr, PROGRAM ": %s (see --help)\n", err);
        return 2;
    }
    if (o.help) {
        usage(stdout);
        return 0;
    }
    if (o.version) {
        printf(PROGRAM " %s\n", cln_version());
        return 0;
    }
    if (o.list_devices)
        return cli_list_devices(PROGRAM, o.device, o.json_path);
    o.progress.delay_s = LINREG_PROGRESS_DELAY_S;
    o.progress.interval_s = LINREG_PROGRESS_INTERVAL_S;
    if (linreg_progress_timing_parse(getenv("CLNUM_PROGRESS_DELAY"),
                                     getenv("CLNUM_PROGRESS_INTERVAL"), &o.progress, err,
                                     sizeof err) != 0 ||
        linreg_test_signal_parse(getenv("CLNUM_TEST_SIGNAL_AT_EPOCH"), &o.test_signal, err,
                                 sizeof err) != 0) {
        fprintf(stderr, PROGRAM ": %s\n", err);
        return 2;
    }
    if (writes_stdout(&o))
        cli_text_to_stderr(); /* the file alone on standard output */
    if (o.predict_path) {
        softmax_run s;
        memset(&s, 0, sizeof s);
        s.o = &o;
        int rc = check_files(&s);
        softmax_run_free(&s);
        return rc ? rc : softmax_predict(&o);
    }
    return cli_end_by_signal(run(&o)); /* an interrupted run ends by its signal */
}
