/* clnum-linreg: d2l chapter 3.4, "Linear Regression Implementation from Scratch", in C on
 * an OpenCL device. With no arguments it runs the chapter's exact settings; with --data it
 * trains on a CSV file and prints the parameters in the file's units. Built with CLNUM_MPI
 * and started by mpirun, each rank trains on its shard of the rows (linreg_mpi.c gives the
 * group, linreg_group.h; this file holds no MPI code). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_args.h"
#include "clnum/clnum.h"
#include "linreg_group.h"
#include "report.h"
#ifdef CLNUM_LINREG_MPI
#include "linreg_mpi.h"
#endif

/* Alone, or rank 0 of a group: the one process that prints (the others' stdout goes to
 * /dev/null, and their errors are rank 0's to print, agreed). */
static int is_root = 1;

/* ---- SIGINT and SIGTERM during the fit (README, "Interrupting a run") ------------------
 * The first one only sets stop_signal: the epoch callback sees it and stops the fit at the
 * end of that epoch, and the program writes its outputs for the epochs done, then ends by
 * that signal (the shell's status 130 or 143). A second one takes the default action at
 * once. A signal ignored when the program started (nohup, a background job of a shell
 * without job control) stays ignored: main notes which, before any library runs (an
 * OpenCL driver may install handlers of its own, as LLVM's does). */
static volatile sig_atomic_t stop_signal; /* the first SIGINT or SIGTERM caught, else 0 */
static int ignored_at_start[2];           /* SIGINT, SIGTERM: SIG_IGN when main began */

static void on_stop_signal(int sig)
{
    if (stop_signal) { /* the second: as if it had never been caught */
        signal(sig, SIG_DFL);
        raise(sig); /* delivered when this handler returns (sig is blocked until then) */
        return;
    }
    stop_signal = sig;
}

static const int stop_signals[2] = {SIGINT, SIGTERM};

static void note_ignored_signals(void)
{
    for (int i = 0; i < 2; i++) {
        struct sigaction sa;
        ignored_at_start[i] = sigaction(stop_signals[i], NULL, &sa) == 0 &&
                              sa.sa_handler == SIG_IGN;
    }
}

typedef struct saved_signals {
    struct sigaction old[2];
    int caught[2];
} saved_signals;

static void catch_stop_signals(saved_signals *sv)
{
    memset(sv, 0, sizeof *sv);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 2; i++)
        sigaddset(&sa.sa_mask, stop_signals[i]); /* one handler at a time */
    sa.sa_flags = SA_RESTART;
    for (int i = 0; i < 2; i++) {
        if (ignored_at_start[i] || sigaction(stop_signals[i], NULL, &sv->old[i]) != 0 ||
            sv->old[i].sa_handler == SIG_IGN)
            continue;
        sv->caught[i] = sigaction(stop_signals[i], &sa, NULL) == 0;
    }
}

static void release_stop_signals(saved_signals *sv)
{
    for (int i = 0; i < 2; i++)
        if (sv->caught[i])
            sigaction(stop_signals[i], &sv->old[i], NULL);
    memset(sv, 0, sizeof *sv);
}

static const char *signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

/* Returns the status of a call that fails. */
#define TRY(call)                             \
    do {                                      \
        cln_status try_st_ = (call);          \
        if (try_st_ != CLN_SUCCESS)           \
            return try_st_;                   \
    } while (0)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: clnum-linreg [options]\n"
            "Trains d2l's linear regression (chapters 3.4 and 3.5) on an OpenCL device, on\n"
            "synthetic data (the default) or on a CSV file.\n"
            "\n"
            "training:\n"
            "  --epochs N        epochs (default 3)\n"
            "  --lr X            learning rate (default 0.03)\n"
            "  --batch-size N    minibatch size (default 32)\n"
#ifdef CLNUM_LINREG_MPI
            "                    (under mpirun the global one: a multiple of the ranks, each\n"
            "                    rank taking N / ranks rows of its shard)\n"
#endif
            "  --loss L          half-mse: d2l's mean((y_hat - y)^2 / 2) (default);\n"
            "                    mse: PyTorch's nn.MSELoss, as chapter 3.5\n"
            "  --solver S        sgd: train on the device (default); exact: closed-form least\n"
            "                    squares on the host in double precision (pivoted QR, LAPACK)\n"
            "  --seed N          seed of the data, the split, the initial w and the shuffling\n"
            "                    (default 0)\n"
            "synthetic data (without --data):\n"
            "  --num-train N     training rows (default 1000)\n"
            "  --num-val N       validation rows (default 1000)\n"
            "  --num-inputs D    features (default 2; other than 2, the true w is drawn from the seed)\n"
            "  --noise X         noise standard deviation (default 0.01)\n"
            "real data:\n"
            "  --data FILE.csv   train on a CSV file with a header row\n"
            "  --target NAME     the column to predict, by name or 0-based index (default: the last)\n"
            "  --features A,B    the input columns (default: every other column)\n"
            "  --delimiter C     field separator (default ','; 'tab' for tabs)\n"
            "  --no-header       the first row is data; name columns by index\n"
            "  --standardize     z-score the features with the training rows' statistics\n"
            "                    (the parameters are still printed in the file's units)\n"
            "  --val-fraction F  fraction of rows held out for validation, 0 <= F < 1 (default 0.2)\n"
            "output:\n"
            "  --quiet           only the result lines; no epoch lines, no progress line\n"
            "  --plot FILE.svg   the loss curves as d2l's ProgressBoard draws them\n"
            "  --json FILE       a summary: device, status, w, b, train_loss, val_loss, epochs,\n"
            "                    time_ms\n"
            "  --csv FILE        the loss history (curve,x,loss)\n"
            "device:\n"
            "  --device P:D      platform:device by index or name (default: $CLNUM_DEVICE, else\n"
            "                    the first GPU, else the first device)\n"
            "  --placement P     where the rows live: auto (default: the device if they fit,\n"
            "                    else host memory, streamed), device, or host (streamed)\n"
            "  --list-devices    list the OpenCL devices and exit\n"
            "  --help            this text\n");
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

static void print_bytes(double bytes)
{
    if (bytes >= (1u << 30))
        printf("%.1f GiB", bytes / (1u << 30));
    else if (bytes >= (1u << 20))
        printf("%.0f MiB", bytes / (1u << 20));
    else
        printf("%.0f KiB", bytes / (1u << 10));
}

/* The device self-check's verdict (runtime.h), as the cache has it. */
static void print_selfcheck(const cln_device_info *d)
{
    static const char *const names[] = {"auto", "stepwise", "fused", "epoch", "persistent"};
    if (!d->paths_checked) {
        printf("       training paths: not checked yet (checked at the first training)\n");
        return;
    }
    if (!d->paths_disabled) {
        printf("       training paths: all checked against the host replica\n");
        return;
    }
    printf("       training paths off:");
    for (int p = CLN_PATH_FUSED; p <= CLN_PATH_PERSISTENT; p++)
        if (d->paths_disabled & (1u << p))
            printf(" %s", names[p]);
    printf(" (%s)\n", d->paths_note);
}

static int list_devices(const char *selector)
{
    cln_device_info *list;
    size_t count, chosen = (size_t)-1;
    if (cln_devices_list(&list, &count) != CLN_SUCCESS) {
        fprintf(stderr, "clnum-linreg: %s\n", cln_last_error(NULL));
        return 1;
    }
    cln_device_selector sel;
    const char *source = selector ? "--device" : "default";
    if (!selector && getenv("CLNUM_DEVICE")) {
        selector = getenv("CLNUM_DEVICE");
        source = "CLNUM_DEVICE";
    }
    int bad_selector = cln_device_selector_parse(selector, &sel) != CLN_SUCCESS ||
                       cln_devices_choose(list, count, &sel, &chosen) != CLN_SUCCESS;
    for (size_t i = 0; i < count; i++) {
        const cln_device_info *d = &list[i];
        if (i == 0 || d->platform_index != list[i - 1].platform_index)
            printf("platform %zu: %s\n", d->platform_index, d->platform_name);
        printf("%c %zu:%zu  %s\n", i == chosen ? '*' : ' ', d->platform_index, d->device_index,
               d->device_name);
        printf("       %s, %u compute units, ", type_name(d->type), d->compute_units);
        print_bytes((double)d->global_mem_bytes);
        printf(" memory (");
        print_bytes((double)d->max_alloc_bytes);
        printf(" per buffer), ");
        print_bytes((double)d->local_mem_bytes);
        printf(" local\n       %s, %s, %s, driver %s\n", d->opencl_c_version,
               d->has_float64 ? "float64" : "no float64",
               d->has_device_acq_rel ? "device acquire/release" : "no device acquire/release",
               d->driver_version);
        print_selfcheck(d);
    }
    if (bad_selector)
        printf("no device matches '%s' (%s)\n", selector ? selector : "", source);
    else
        printf("* the device clnum-linreg uses (%s%s%s)\n", source, selector ? " " : "",
               selector ? selector : "");
    cln_devices_free(list);
    return 0;
}

static void write_csv(FILE *f, const cln_history *h)
{
    fprintf(f, "curve,x,loss\n");
    for (size_t i = 0; i < h->train_loss.count; i++)
        fprintf(f, "train_loss,%.17g,%.9g\n", h->train_loss.x[i], h->train_loss.y[i]);
    for (size_t i = 0; i < h->val_loss.count; i++)
        fprintf(f, "val_loss,%.17g,%.9g\n", h->val_loss.x[i], h->val_loss.y[i]);
}

static void print_history(const cln_history *h)
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

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Everything one run holds; freed by run_free. */
typedef struct run_state {
    const linreg_options *o;
    const linreg_group *g;        /* NULL: alone */
    char msg[640];                /* a failure of the program's own (not the library's), or, in
                                     a group, the agreed message of a failed step */
    cln_group_stats stats;        /* a group's fit */
    cln_context *ctx;
    cln_dataset *data;
    cln_lazy_linear *net;
    cln_history hist;
    cln_csv *csv;
    cln_split split;
    char **features;
    size_t num_features;
    size_t d;
    double *w, *w_exact, *w_true; /* original units */
    double b, b_exact, b_true;
    int have_sgd, have_exact, have_true;
    double train_mse, val_mse, train_mse_exact, val_mse_exact;
    double condition;
    size_t rank;                  /* the exact solution's: s->d unless the features are dependent */
    double ms;
    int diverged;                 /* the fit ended with CLN_ERR_DIVERGED (its message in
                                     fit_msg): the history and w, b are the epochs done */
    int stopped_by;               /* the signal that stopped the fit (in a group, the ranks'
                                     agreed one), else 0 */
    char fit_msg[640];
    saved_signals signals;        /* caught from the fit until the outputs are written */
} run_state;

static void run_free(run_state *s)
{
    release_stop_signals(&s->signals);
    cln_history_free(&s->hist);
    cln_csv_free(s->csv);
    cln_split_free(&s->split);
    cli_free_list(s->features, s->num_features);
    free(s->w);
    free(s->w_exact);
    free(s->w_true);
    cln_context_free(s->ctx); /* frees data and net too */
}

/* What to print for a failure: the program's own message, else the library's. */
static const char *message_of(const run_state *s, cln_status st)
{
    if (s->msg[0])
        return s->msg;
    const char *msg = cln_last_error(NULL);
    return st == CLN_ERR_OUT_OF_HOST_MEMORY && !*msg ? "out of memory" : msg;
}

/* Prints the failure as one line (alone, or on rank 0 of a group); returns the exit status. */
static int fail_run(const run_state *s, cln_status st)
{
    if (is_root)
        fprintf(stderr, "clnum-linreg: %s\n", message_of(s, st));
    return 1;
}

/* A failure's status and message, as it goes from a rank to the others. */
typedef struct agreement {
    int32_t status;
    char text[500];
} agreement;

/* In a group: every rank passes *a (status 0: it did not fail); returns the lowest failing
 * rank, or the group's size when none failed, and then every rank holds that rank's *a. */
static size_t group_agree(const cln_group *g, agreement *a)
{
    double v = -(double)(a->status != CLN_SUCCESS ? g->rank : g->size);
    if (g->allreduce(&v, 1, CLN_REDUCE_MAX, g->user) != 0) {
        a->status = CLN_ERR_IO;
        snprintf(a->text, sizeof a->text, "the ranks' allreduce failed");
        return g->rank;
    }
    size_t first = (size_t)-v;
    if (first < g->size && g->broadcast(a, sizeof *a, first, g->user) != 0) {
        a->status = CLN_ERR_IO;
        snprintf(a->text, sizeof a->text, "the ranks' broadcast failed");
        return g->rank;
    }
    a->text[sizeof a->text - 1] = '\0';
    return first;
}

/* Alone: st. In a group, every rank passes the status of a step (its message in s->msg or the
 * library's); every rank returns CLN_SUCCESS, or the lowest failing rank's status with its
 * message in s->msg (rank 0's own, or "rank R of K failed: ..."), which rank 0 prints. */
static cln_status step_agree(run_state *s, cln_status st)
{
    if (!s->g)
        return st;
    const cln_group *g = &s->g->group;
    agreement a;
    memset(&a, 0, sizeof a);
    a.status = (int32_t)st;
    if (st != CLN_SUCCESS)
        snprintf(a.text, sizeof a.text, "%.*s", (int)sizeof a.text - 1, message_of(s, st));
    size_t first = group_agree(g, &a);
    if (first >= g->size)
        return CLN_SUCCESS;
    if (first == 0)
        snprintf(s->msg, sizeof s->msg, "%s", a.text);
    else
        snprintf(s->msg, sizeof s->msg, "rank %zu of %zu failed: %s (%s)", first, g->size,
                 a.text, cln_status_str((cln_status)a.status));
    return (cln_status)a.status;
}

/* Reads and splits the CSV file (host only). */
static cln_status load_csv(run_state *s)
{
    const linreg_options *o = s->o;
    cln_csv_options co;
    cln_csv_options_init(&co);
    co.delimiter = o->delimiter;
    co.has_header = !o->no_header;
    co.target = o->target;
    if (o->features) {
        if (cli_split_list(o->features, &s->features, &s->num_features) != 0)
            return CLN_ERR_BAD_ARGUMENT; /* checked in main */
        co.features = (const char *const *)s->features;
        co.num_features = s->num_features;
    }
    TRY(cln_csv_read(o->data_path, &co, &s->csv));
    cln_split_config sc;
    cln_split_config_init(&sc);
    sc.val_fraction = o->val_fraction;
    sc.seed = o->seed;
    sc.standardize = o->standardize;
    TRY(cln_csv_split(s->csv, &sc, &s->split));
    s->d = s->split.num_inputs;
    return CLN_SUCCESS;
}

/* Solves on the host: the split's training rows, or the synthetic data's. */
static cln_status solve_exact(run_state *s)
{
    s->w_exact = malloc(s->d * sizeof *s->w_exact);
    if (!s->w_exact)
        return CLN_ERR_OUT_OF_HOST_MEMORY;
    cln_lstsq_info info;
    double t0 = now_ms();
    if (s->csv) {
        TRY(cln_lstsq(s->split.X, s->split.y, s->split.num_train, s->d, 1, CLN_LSTSQ_QR,
                          s->w_exact, &s->b_exact, &info));
        size_t nt = s->split.num_train, d = s->d;
        s->train_mse_exact = mse_of(s->split.X, s->split.y, nt, d, s->w_exact, s->b_exact);
        s->val_mse_exact = mse_of(s->split.X + nt * d, s->split.y + nt, s->split.num_val, d,
                                  s->w_exact, s->b_exact);
        TRY(cln_split_unstandardize(&s->split, s->w_exact, s->b_exact, s->w_exact,
                                        &s->b_exact));
    } else {
        size_t nt = cln_dataset_num_train(s->data), d = s->d;
        double *X = malloc(nt * d * sizeof *X), *y = malloc(nt * sizeof *y);
        cln_status st = X && y ? CLN_SUCCESS : CLN_ERR_OUT_OF_HOST_MEMORY;
        if (st == CLN_SUCCESS && cln_dataset_on_host(s->data)) {
            /* rows too large for the device stay in host memory, training rows first */
            int f64 = cln_dataset_dtype(s->data) == CLN_FLOAT64;
            const void *hx = cln_dataset_host_X(s->data), *hy = cln_dataset_host_y(s->data);
            for (size_t i = 0; i < nt * d; i++)
                X[i] = f64 ? ((const double *)hx)[i] : (double)((const float *)hx)[i];
            for (size_t i = 0; i < nt; i++)
                y[i] = f64 ? ((const double *)hy)[i] : (double)((const float *)hy)[i];
        } else if (st == CLN_SUCCESS) {
            st = cln_tensor_download_f64(cln_dataset_train_X(s->data), X, nt * d);
            if (st == CLN_SUCCESS)
                st = cln_tensor_download_f64(cln_dataset_train_y(s->data), y, nt);
        }
        if (st == CLN_SUCCESS)
            st = cln_lstsq(X, y, nt, d, 1, CLN_LSTSQ_QR, s->w_exact, &s->b_exact, &info);
        free(X);
        free(y);
        if (st != CLN_SUCCESS)
            return st;
        s->train_mse_exact = info.mse;
        s->val_mse_exact = NAN;
    }
    s->condition = info.condition;
    s->rank = info.rank;
    if (s->o->solver == LINREG_SOLVER_EXACT)
        s->ms = now_ms() - t0;
    s->have_exact = 1;
    return CLN_SUCCESS;
}

/* The fit's epoch callback: the progress line, the test hook, and a stop once a SIGINT or
 * SIGTERM has come (in a group the fit stops every rank when one asks). */
typedef struct epoch_watch {
    progress *prog;
    linreg_test_signal test;
} epoch_watch;

static int watch_epoch(const cln_epoch_report *r, void *user)
{
    epoch_watch *w = user;
    progress_on_epoch(r, w->prog);
    if (w->test.epoch && r->epoch + 1 == w->test.epoch)
        for (size_t k = 0; k < w->test.count; k++)
            raise(w->test.signals[k]); /* handled before raise returns */
    return stop_signal != 0;
}

/* Trains on the device with the concise API (nn.h); in a group, the layer's model with the
 * group's fit, every rank on its shard. A fit that diverges, or that a signal stops, keeps
 * its epochs: s->diverged and s->stopped_by say so, and w and b are those after the last
 * epoch done. */
static cln_status train_sgd(run_state *s)
{
    const linreg_options *o = s->o;
    size_t ranks = s->g ? s->g->group.size : 1;
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.max_epochs = o->epochs;
    tc.batch_size = o->batch_size / ranks; /* a rank's share: a divisor (linreg_main) */
    tc.seed = o->seed;
    progress prog;
    progress_init(&prog, o->quiet || !is_root, &o->progress);
    epoch_watch watch = {&prog, o->test_signal};
    tc.on_epoch = watch_epoch;
    tc.user = &watch;
    /* --shards K: one process draws the global order of K ranks, so that it trains as
     * `mpirun -np K` does (cln_sharded_draw, data.h) */
    cln_sharding sharding = {o->seed, o->shards, o->shards ? o->batch_size / o->shards : 0};
    if (o->shards > 1) {
        tc.draw_order = cln_sharded_draw;
        tc.order_user = &sharding;
    }
    cln_loss loss = o->loss == LINREG_LOSS_MSE ? cln_loss_mse() : cln_loss_half_mse();
    cln_status st;
    if (s->g) {
        /* the setup may fail on one rank only: agree before the collective fit */
        s->w = malloc(s->d * sizeof *s->w);
        st = s->w ? CLN_SUCCESS : CLN_ERR_OUT_OF_HOST_MEMORY;
        if (st == CLN_SUCCESS)
            st = cln_lazy_linear_create(s->ctx, CLN_FLOAT32, 0.01, o->seed, &s->net);
        if (st == CLN_SUCCESS)
            st = cln_lazy_linear_build(s->net, s->data);
        if (st == CLN_SUCCESS)
            st = cln_lazy_linear_set_loss(s->net, loss);
        if (st == CLN_SUCCESS)
            st = cln_context_finish(s->ctx);
        TRY(step_agree(s, st));
        tc.lr = o->lr;
        catch_stop_signals(&s->signals);
        double t0 = now_ms();
        st = s->g->fit(cln_lazy_linear_model(s->net), s->data, &tc, &s->hist, &s->stats);
        s->ms = now_ms() - t0;
    } else {
        s->w = malloc(s->d * sizeof *s->w);
        if (!s->w)
            return CLN_ERR_OUT_OF_HOST_MEMORY;
        TRY(cln_lazy_linear_create(s->ctx, CLN_FLOAT32, 0.01, o->seed, &s->net));
        TRY(cln_lazy_linear_build(s->net, s->data));
        TRY(cln_context_finish(s->ctx)); /* the clock starts with data and kernels ready */
        catch_stop_signals(&s->signals);
        double t0 = now_ms();
        st = cln_nn_fit(s->net, loss, cln_sgd_make(o->lr), s->data, &tc, &s->hist);
        s->ms = now_ms() - t0;
    }
    progress_done(&prog);
    if (!o->quiet && s->hist.epochs > 0)
        print_history(&s->hist);
    if (st == CLN_ERR_DIVERGED) {
        /* the parameters are back to those at the start of the epoch that diverged */
        snprintf(s->fit_msg, sizeof s->fit_msg, "%s", cln_last_error(s->ctx));
        s->diverged = 1;
        st = CLN_SUCCESS;
    }
    if (st != CLN_SUCCESS)
        return st;
    s->stopped_by = stop_signal;
    TRY(cln_lazy_linear_get(s->net, s->w, &s->b));
    if (s->csv) {
        size_t nt = s->split.num_train, d = s->d;
        s->train_mse = mse_of(s->split.X, s->split.y, nt, d, s->w, s->b);
        s->val_mse = mse_of(s->split.X + nt * d, s->split.y + nt, s->split.num_val, d, s->w, s->b);
        TRY(cln_split_unstandardize(&s->split, s->w, s->b, s->w, &s->b));
    }
    s->have_sgd = 1;
    return CLN_SUCCESS;
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

/* How the run ended: "completed", "interrupted" (a SIGINT or SIGTERM stopped it: the
 * epochs done) or "diverged" (the epochs before the one that diverged). */
static const char *run_status(const run_state *s)
{
    return s->diverged ? "diverged" : s->stopped_by ? "interrupted" : "completed";
}

static void write_json(FILE *f, const run_state *s)
{
    const linreg_options *o = s->o;
    const cln_device_info *dev = s->ctx ? cln_context_device(s->ctx) : NULL;
    int sgd = o->solver == LINREG_SOLVER_SGD;
    char buf[32];
    fputs("{\n  \"device\": ", f);
    json_string(f, dev ? dev->device_name : "host");
    fputs(",\n  \"platform\": ", f);
    json_string(f, dev ? dev->platform_name : "");
    fputs(",\n  \"solver\": ", f);
    json_string(f, sgd ? "sgd" : "exact");
    fputs(",\n  \"status\": ", f);
    json_string(f, run_status(s));
    fputs(",\n  \"data\": ", f);
    json_string(f, o->data_path ? o->data_path : "synthetic");
    fputs(",\n  \"features\": [", f);
    for (size_t j = 0; j < s->d; j++) {
        fputs(j ? ", " : "", f);
        json_string(f, feature_name(s, j, buf, sizeof buf));
    }
    fputs("]", f);
    if (s->csv) {
        fputs(",\n  \"target\": ", f);
        json_string(f, cln_csv_target_name(s->csv));
        fprintf(f, ",\n  \"num_train\": %zu,\n  \"num_val\": %zu,\n  \"standardized\": %s",
                s->split.num_train, s->split.num_val, o->standardize ? "true" : "false");
        fputs(",\n  \"feature_mean\": ", f);
        json_numbers(f, s->split.mean, s->d);
        fputs(",\n  \"feature_scale\": ", f);
        json_numbers(f, s->split.scale, s->d);
    }
    fputs(",\n  \"w\": ", f);
    json_numbers(f, sgd ? s->w : s->w_exact, s->d);
    fputs(",\n  \"b\": ", f);
    json_number(f, sgd ? s->b : s->b_exact);
    if (s->have_true) {
        fputs(",\n  \"w_true\": ", f);
        json_numbers(f, s->w_true, s->d);
        fputs(",\n  \"b_true\": ", f);
        json_number(f, s->b_true);
    }
    if (sgd && s->have_exact) {
        fputs(",\n  \"w_exact\": ", f);
        json_numbers(f, s->w_exact, s->d);
        fputs(",\n  \"b_exact\": ", f);
        json_number(f, s->b_exact);
        if (s->csv) {
            fputs(",\n  \"train_mse_exact\": ", f);
            json_number(f, s->train_mse_exact);
            fputs(",\n  \"val_mse_exact\": ", f);
            json_number(f, s->val_mse_exact);
        }
    }
    if (s->have_exact) {
        fputs(",\n  \"condition\": ", f);
        json_number(f, s->condition);
        fprintf(f, ",\n  \"rank\": %zu,\n  \"unique\": %s", s->rank,
                s->rank == s->d ? "true" : "false");
    }
    if (s->csv) {
        fputs(",\n  \"train_mse\": ", f);
        json_number(f, sgd ? s->train_mse : s->train_mse_exact);
        fputs(",\n  \"val_mse\": ", f);
        json_number(f, sgd ? s->val_mse : s->val_mse_exact);
    }
    fputs(",\n  \"train_loss\": ", f);
    json_curve(f, &s->hist.train_loss);
    fputs(",\n  \"val_loss\": ", f);
    json_curve(f, &s->hist.val_loss);
    fprintf(f, ",\n  \"loss\": \"%s\",\n  \"lr\": ", o->loss == LINREG_LOSS_MSE ? "mse" : "half-mse");
    json_number(f, o->lr);
    fprintf(f, ",\n  \"batch_size\": %zu,\n  \"seed\": %llu,\n  \"epochs\": %zu,\n  "
               "\"updates\": %zu,\n  ",
            o->batch_size, (unsigned long long)o->seed, s->hist.epochs, s->hist.updates);
    if (sgd) /* epochs is what was done; max_epochs what was asked for */
        fprintf(f, "\"max_epochs\": %zu,\n  ", o->epochs);
    fputs("\"time_ms\": ", f);
    json_number(f, s->ms);
    if (s->g) { /* data-parallel: batch_size above is the global minibatch */
        fprintf(f, ",\n  \"ranks\": %zu,\n  \"allreduce_ms\": ", s->g->group.size);
        json_number(f, s->stats.allreduce_seconds * 1e3);
    } else if (o->shards > 1) {
        fprintf(f, ",\n  \"shards\": %zu", o->shards);
    }
    fputs("\n}\n", f);
}

/* The device lines: this process's, or in a group every rank's, rank 0's first (collective:
 * each rank's line goes to all in turn). */
static void print_devices(const run_state *s)
{
    size_t ranks = s->g ? s->g->group.size : 1;
    for (size_t r = 0; r < ranks; r++) {
        char line[384] = "";
        if (!s->g || s->g->group.rank == r) {
            const cln_device_info *dev = cln_context_device(s->ctx);
            snprintf(line, sizeof line, "%s (%s, %s)", dev->device_name, dev->platform_name,
                     type_name(dev->type));
        }
        if (!s->g) {
            printf("device: %s\n", line);
            continue;
        }
        if (s->g->group.broadcast(line, sizeof line, r, s->g->group.user) != 0)
            snprintf(line, sizeof line, "(not known: the broadcast failed)");
        line[sizeof line - 1] = '\0';
        printf("device: rank %zu: %s\n", r, line);
    }
}

/* How the training rows are shared: by the group's ranks, or, with --shards, in the order
 * that many ranks would draw. */
static void print_sharding(const run_state *s, size_t num_train)
{
    const linreg_options *o = s->o;
    size_t k = s->g ? s->g->group.size : o->shards;
    if (k < 2 || o->quiet || o->solver != LINREG_SOLVER_SGD)
        return;
    size_t lo, hi;
    cln_shard_range(num_train, k, k - 1, NULL, &lo);
    cln_shard_range(num_train, k, 0, NULL, &hi);
    char rows[64];
    if (lo == hi)
        snprintf(rows, sizeof rows, "%zu", lo);
    else
        snprintf(rows, sizeof rows, "%zu or %zu", lo, hi);
    if (s->g)
        printf("data-parallel: %zu ranks, each training on its shard (%s training rows); "
               "global minibatch %zu = %zu x %zu\n", k, rows, o->batch_size, k,
               o->batch_size / k);
    else
        printf("data-parallel order of %zu ranks in one process (--shards; %s training rows "
               "a shard); global minibatch %zu = %zu x %zu\n", k, rows, o->batch_size, k,
               o->batch_size / k);
}

/* The CSV split as a dataset: every row, or in a group this rank's shard of the training
 * rows and of the validation rows (cln_shard_range). */
static cln_status csv_dataset(run_state *s)
{
    const cln_split *sp = &s->split;
    cln_placement where = (cln_placement)s->o->placement;
    size_t d = sp->num_inputs;
    if (!s->g && where == CLN_PLACE_AUTO)
        return cln_split_dataset(s->ctx, CLN_FLOAT32, sp, &s->data);
    if (!s->g)
        return cln_dataset_create_placed(s->ctx, CLN_FLOAT32, sp->X, sp->y,
                                         sp->num_train + sp->num_val, d, sp->num_train, where,
                                         &s->data);
    size_t k = s->g->group.size, ft, nt, fv, nv;
    cln_shard_range(sp->num_train, k, s->g->group.rank, &ft, &nt);
    cln_shard_range(sp->num_val, k, s->g->group.rank, &fv, &nv);
    if (nt == 0) {
        snprintf(s->msg, sizeof s->msg, "%s: its %zu training rows cannot be shared among %zu "
                 "ranks (each needs one at least)", s->o->data_path, sp->num_train, k);
        return CLN_ERR_BAD_ARGUMENT;
    }
    double *X = malloc((nt + nv) * d * sizeof *X), *y = malloc((nt + nv) * sizeof *y);
    cln_status st = CLN_SUCCESS;
    if (!X || !y) {
        snprintf(s->msg, sizeof s->msg, "out of memory for a shard of %zu rows", nt + nv);
        st = CLN_ERR_OUT_OF_HOST_MEMORY;
    } else {
        memcpy(X, sp->X + ft * d, nt * d * sizeof *X);
        memcpy(X + nt * d, sp->X + (sp->num_train + fv) * d, nv * d * sizeof *X);
        memcpy(y, sp->y + ft, nt * sizeof *y);
        memcpy(y + nt, sp->y + sp->num_train + fv, nv * sizeof *y);
        st = cln_dataset_create_placed(s->ctx, CLN_FLOAT32, X, y, nt + nv, d, nt, where,
                                       &s->data);
    }
    free(X);
    free(y);
    return st;
}

/* Runs the chapter or the CSV, alone or as a rank of a group; returns the exit status. In a
 * group every rank makes the same collective calls: the steps below agree (step_agree)
 * whatever the data, and only rank 0 goes on after the fit. */
static int run(const linreg_options *o, const linreg_group *g)
{
    run_state s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.g = g;
    s.train_mse = s.val_mse = s.train_mse_exact = s.val_mse_exact = NAN;
    cln_status st = CLN_SUCCESS;
    int host_only = o->data_path && o->solver == LINREG_SOLVER_EXACT; /* never in a group */

    /* host-only failures leave their message on the thread */
    if (o->data_path)
        st = load_csv(&s);
    st = step_agree(&s, st);
    if (st == CLN_SUCCESS && !host_only)
        st = step_agree(&s, g ? g->context_create(o->device, &s.ctx)
                              : cln_context_create(o->device, &s.ctx));
    if (st != CLN_SUCCESS) {
        int rc = fail_run(&s, st);
        run_free(&s);
        return rc;
    }
    if (s.ctx)
        print_devices(&s);
    else
        printf("device: none (the exact solver runs on the host)\n");

    if (o->data_path) {
        char path[512], target[256]; /* as a terminal shows them: cli_printable */
        if (!o->quiet)
            printf("data: %s: %zu rows, %zu training and %zu validation (seed %llu), %zu "
                   "feature%s, target '%s'%s\n",
                   cli_printable(o->data_path, path, sizeof path), cln_csv_num_rows(s.csv),
                   s.split.num_train, s.split.num_val, (unsigned long long)o->seed, s.d,
                   s.d == 1 ? "" : "s", cli_printable(cln_csv_target_name(s.csv), target,
                   sizeof target), o->standardize ? ", standardized" : "");
        print_sharding(&s, s.split.num_train);
        if (s.ctx)
            st = csv_dataset(&s);
    } else {
        s.d = o->num_inputs;
        cln_synthetic_config dc;
        cln_synthetic_config_init(&dc);
        dc.num_inputs = o->num_inputs;
        dc.num_train = o->num_train;
        dc.num_val = o->num_val;
        dc.noise = o->noise;
        dc.seed = o->seed;
        dc.placement = (cln_placement)o->placement;
        if (g) { /* exactly this rank's rows of the whole set */
            dc.num_shards = g->group.size;
            dc.shard = g->group.rank;
        }
        st = cln_synthetic_create(s.ctx, &dc, &s.data);
        s.w_true = malloc(s.d * sizeof *s.w_true);
        if (st == CLN_SUCCESS && !s.w_true)
            st = CLN_ERR_OUT_OF_HOST_MEMORY;
        if (st == CLN_SUCCESS)
            st = cln_dataset_true_params(s.data, s.w_true, &s.b_true);
        s.have_true = st == CLN_SUCCESS;
        if (st == CLN_SUCCESS && !o->quiet)
            printf("data: %zu training and %zu validation rows, %zu inputs, noise %g, seed %llu\n",
                   o->num_train, o->num_val, s.d, o->noise, (unsigned long long)o->seed);
        if (st == CLN_SUCCESS)
            print_sharding(&s, o->num_train);
    }
    st = step_agree(&s, st);

    if (st == CLN_SUCCESS && o->solver == LINREG_SOLVER_SGD)
        st = train_sgd(&s);
    st = step_agree(&s, st); /* the fit, and what each rank did after it */
    if (g && st == CLN_SUCCESS && o->solver == LINREG_SOLVER_SGD) {
        /* the fit stopped every rank at the same epoch, for a signal that may have come to
         * one rank only: the ranks agree on it (the largest) */
        double sig = s.stopped_by;
        if (g->group.allreduce(&sig, 1, CLN_REDUCE_MAX, g->group.user) == 0)
            s.stopped_by = (int)sig;
    }
    if (!is_root) { /* the rest is rank 0's: the exact solution and the output */
        run_free(&s);
        return st != CLN_SUCCESS ? 1 : s.stopped_by ? 128 + s.stopped_by : s.diverged;
    }
    if (st == CLN_SUCCESS && s.diverged)
        fprintf(stderr, "clnum-linreg: %s\n", s.fit_msg);
    else if (st == CLN_SUCCESS && s.stopped_by)
        fprintf(stderr, "clnum-linreg: %s: stopped after epoch %zu of %zu; writing the "
                "outputs of the epochs done\n", signal_name(s.stopped_by), s.hist.epochs,
                o->epochs);
    /* With real data the exact solution is printed beside SGD's for comparison (not once a
     * signal asked to stop: that can take as long as the fit). */
    if (st == CLN_SUCCESS && (o->solver == LINREG_SOLVER_EXACT || o->data_path) &&
        !s.stopped_by)
        st = solve_exact(&s);
    if (st != CLN_SUCCESS && s.have_sgd) { /* SGD's result is printed and saved all the same */
        fprintf(stderr, "clnum-linreg: no exact solution beside SGD's: %s\n", message_of(&s, st));
        st = CLN_SUCCESS;
    }
    if (st != CLN_SUCCESS) {
        int rc = fail_run(&s, st);
        run_free(&s);
        return rc;
    }

    if (o->data_path) {
        print_table(&s);
        if (s.have_exact)
            printf("exact least squares: column-pivoted QR (LAPACK dgelsy) of the centred, "
                   "scaled training rows: rank %zu of %zu feature%s, condition number about "
                   "%.3g\n", s.rank, s.d, s.d == 1 ? "" : "s", s.condition);
    } else {
        const double *w = s.have_sgd ? s.w : s.w_exact;
        double b = s.have_sgd ? s.b : s.b_exact;
        double *err = malloc(s.d * sizeof *err);
        if (!err) {
            fprintf(stderr, "clnum-linreg: out of memory\n");
            run_free(&s);
            return 1;
        }
        for (size_t j = 0; j < s.d; j++)
            err[j] = s.w_true[j] - w[j];
        double berr = s.b_true - b;
        print_vector("error in estimating w", err, s.d);
        print_vector("error in estimating b", &berr, 1);
        free(err);
    }
    if (s.have_exact && s.rank < s.d)
        printf("exact least squares: not unique: the features are linearly dependent on the "
               "training rows (rank %zu of %zu); this is the minimum-norm solution (centred, "
               "scaled units), one of infinitely many with the same training MSE\n", s.rank,
               s.d);
    if (s.have_sgd && g)
        printf("training time: %.2f ms (%zu epochs, %zu updates; %zu ranks, rank 0 %.2f ms in "
               "their allreduce)\n", s.ms, s.hist.epochs, s.hist.updates, g->group.size,
               s.stats.allreduce_seconds * 1e3);
    else if (s.have_sgd)
        printf("training time: %.2f ms (%zu epochs, %zu updates)\n", s.ms, s.hist.epochs,
               s.hist.updates);
    else
        printf("solve time: %.3f ms\n", s.ms);

    /* Every output asked for, each whole or not at all (cli_args.h): one that fails does
     * not keep the others from being written. A signal that came after the fit stopped
     * nothing, but the run was interrupted all the same. */
    if (!g && !s.stopped_by)
        s.stopped_by = stop_signal;
    int failed = 0;
    char why[1100];
    if (o->csv_path) {
        cli_output out;
        if (cli_output_open(&out, o->csv_path, why, sizeof why) == 0) {
            write_csv(out.f, &s.hist);
            cli_output_commit(&out, why, sizeof why);
        }
        if (why[0]) {
            fprintf(stderr, "clnum-linreg: --csv: %s\n", why);
            failed = 1;
        }
    }
    if (o->plot_path) {
        cln_plot_options po;
        cln_plot_options_init(&po);
        char title[128];
        if (s.diverged || s.stopped_by) { /* the axis to the epochs done, and why */
            snprintf(title, sizeof title, "%s after %zu of %zu epochs", run_status(&s),
                     s.hist.epochs, o->epochs);
            po.title = title;
        } else {
            po.x_max = (double)o->epochs;
        }
        if (cln_history_write_svg(&s.hist, &po, o->plot_path) != CLN_SUCCESS) {
            fprintf(stderr, "clnum-linreg: --plot: %s\n", cln_last_error(NULL));
            failed = 1;
        }
    }
    if (o->json_path) {
        cli_output out;
        if (cli_output_open(&out, o->json_path, why, sizeof why) == 0) {
            write_json(out.f, &s);
            cli_output_commit(&out, why, sizeof why);
        }
        if (why[0]) {
            fprintf(stderr, "clnum-linreg: --json: %s\n", why);
            failed = 1;
        }
    }
    /* A signal's status first: the run was asked to stop (the outputs' failures are on
     * stderr); then a divergence or an output that could not be written. */
    int sig = s.stopped_by ? s.stopped_by : stop_signal; /* one while writing them, too */
    int rc = sig ? 128 + sig : s.diverged || failed ? 1 : 0;
    run_free(&s);
    return rc;
}

/* --features names no empty column. */
static int features_ok(const char *features)
{
    char **items;
    size_t n;
    if (cli_split_list(features, &items, &n) != 0)
        return 0;
    cli_free_list(items, n);
    return 1;
}

/* What the command line asks for. In a group every rank must ask the same (the sequence of
 * collective calls depends on it), so the ranks agree on it first. */
enum { ACT_SGD, ACT_EXACT, ACT_HELP, ACT_LIST, ACT_BAD, ACT_FAIL }; /* ACT_FAIL: exit 1 */

/* A group's own rules for the command line. */
static int group_check(const linreg_options *o, const linreg_group *g, char *err, size_t cap)
{
    size_t k = g->group.size;
    if (o->shards) {
        snprintf(err, cap, "--shards is for one process: under mpirun the %zu ranks are the "
                 "shards", k);
        return ACT_BAD;
    }
    if (o->solver == LINREG_SOLVER_SGD && o->batch_size % k != 0) {
        snprintf(err, cap, "--batch-size %zu is the global minibatch: it must be a multiple of "
                 "the %zu ranks (each rank takes batch-size / %zu rows of its shard)",
                 o->batch_size, k, k);
        return ACT_BAD;
    }
    return o->solver == LINREG_SOLVER_EXACT ? ACT_EXACT : ACT_SGD;
}

/* The group's action: a rank's bad command line (the lowest such rank's reason in err, on
 * every rank), or ranks that ask for different things, make every rank's ACT_BAD. */
static int agree_command(const linreg_group *g, int act, char *err, size_t cap)
{
    const cln_group *gr = &g->group;
    agreement a;
    memset(&a, 0, sizeof a);
    int failing = act == ACT_BAD || act == ACT_FAIL;
    a.status = act == ACT_BAD ? CLN_ERR_BAD_ARGUMENT : act == ACT_FAIL ? CLN_ERR_IO : CLN_SUCCESS;
    snprintf(a.text, sizeof a.text, "%.*s", (int)sizeof a.text - 1, failing ? err : "");
    size_t first = group_agree(gr, &a);
    if (first < gr->size) {
        if (first == gr->rank)
            return act; /* its own reason is in err already */
        snprintf(err, cap, "rank %zu of %zu: %s", first, gr->size, a.text);
        return a.status == CLN_ERR_IO ? ACT_FAIL : ACT_BAD;
    }
    double v[2] = {act, -act};
    if (gr->allreduce(v, 2, CLN_REDUCE_MAX, gr->user) != 0 || v[0] != -v[1]) {
        snprintf(err, cap, "the ranks were given different command lines (one solver, "
                 "--help or --list-devices for all)");
        return ACT_BAD;
    }
    return act;
}

int linreg_main(int argc, char **argv, const linreg_group *g)
{
    linreg_options opts;
    char err[1024];
    int act;
    int bad_env = 0; /* a bad value in the environment: no usage, it is not an option */
    if (linreg_options_parse(argc, argv, &opts, err, sizeof err) != 0) {
        act = ACT_BAD;
    } else if (opts.help) {
        act = ACT_HELP;
    } else if (opts.features && !features_ok(opts.features)) {
        snprintf(err, sizeof err, "--features: '%s' has an empty name", opts.features);
        act = ACT_BAD;
    } else {
        act = opts.list_devices ? ACT_LIST
            : opts.solver == LINREG_SOLVER_EXACT ? ACT_EXACT : ACT_SGD;
    }
    /* the progress line's timing, for a run (README, "What you see"), and the test hook */
    if ((act == ACT_SGD || act == ACT_EXACT) &&
        (linreg_progress_timing_parse(getenv("CLNUM_PROGRESS_DELAY"),
                                      getenv("CLNUM_PROGRESS_INTERVAL"), &opts.progress, err,
                                      sizeof err) != 0 ||
         linreg_test_signal_parse(getenv("CLNUM_TEST_SIGNAL_AT_EPOCH"), &opts.test_signal, err,
                                  sizeof err) != 0)) {
        act = ACT_BAD;
        bad_env = 1;
    }
    /* The output files, before anything runs (only rank 0 writes them): one that is the
     * --data file or another output is a bad command line (exit 2, no usage: the reason is
     * the file, not the option's syntax); one that cannot be written fails now, not after
     * the fit (exit 1). */
    if ((act == ACT_SGD || act == ACT_EXACT) && (!g || g->group.rank == 0)) {
        int fc = linreg_files_check(&opts, err, sizeof err);
        if (fc == 2) {
            act = ACT_BAD;
            bad_env = 1;
        } else if (fc != 0) {
            act = ACT_FAIL;
        }
    }
    if (g) {
        is_root = g->group.rank == 0;
        if (!is_root && !freopen("/dev/null", "w", stdout)) {
            /* stdout is closed then: what they print goes nowhere either way */
        }
        if (act == ACT_SGD || act == ACT_EXACT)
            act = group_check(&opts, g, err, sizeof err);
        act = agree_command(g, act, err, sizeof err);
    }
    int rc;
    switch (act) {
    case ACT_BAD:
        if (is_root) {
            fprintf(stderr, "clnum-linreg: %s\n", err);
            if (!bad_env)
                usage(stderr);
        }
        rc = 2;
        break;
    case ACT_FAIL:
        if (is_root)
            fprintf(stderr, "clnum-linreg: %s\n", err);
        rc = 1;
        break;
    case ACT_HELP:
        usage(stdout);
        rc = 0;
        break;
    case ACT_LIST:
        rc = is_root ? list_devices(opts.device) : 0;
        break;
    default:
        /* in a group the exact solver runs once, on rank 0, as it would alone */
        if (g && act == ACT_EXACT)
            rc = is_root ? run(&opts, NULL) : 0;
        else
            rc = run(&opts, g);
    }
    if (g) { /* every rank exits with the worst status */
        double v = rc;
        if (g->group.allreduce(&v, 1, CLN_REDUCE_MAX, g->group.user) == 0)
            rc = (int)v;
        else if (rc == 0)
            rc = 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    /* A file-size limit (ulimit -f) makes a write fail with EFBIG, which the outputs report,
     * instead of killing the program mid-write. */
    signal(SIGXFSZ, SIG_IGN);
    note_ignored_signals();
#ifdef CLNUM_LINREG_MPI
    if (linreg_mpi_launched())
        return linreg_mpi_main(argc, argv); /* under mpirun: each rank on its shard */
#endif
    int rc = linreg_main(argc, argv, NULL);
    int sig = stop_signal;
    if (sig && rc == 128 + sig) {
        /* Interrupted, the outputs written: end by the signal itself, as an interrupted
         * program does, so that the shell reports 128 + its number and a script's loop
         * stops (a shell takes a plain exit(130) for a signal the program handled). */
        fflush(stdout);
        fflush(stderr);
        signal(sig, SIG_DFL);
        raise(sig);
    }
    return rc;
}
