/* clnum-linreg: d2l chapter 3.4, "Linear Regression Implementation from Scratch", in C on
 * an OpenCL device. With no arguments it runs the chapter's exact settings. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli_args.h"
#include "clnum/clnum.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: clnum-linreg [options]\n"
            "Trains d2l's linear regression (chapter 3.4) on synthetic data on an OpenCL device.\n"
            "\n"
            "  --epochs N        epochs (default 3)\n"
            "  --lr X            learning rate (default 0.03)\n"
            "  --batch-size N    minibatch size (default 32)\n"
            "  --num-train N     training rows (default 1000)\n"
            "  --num-val N       validation rows (default 1000)\n"
            "  --num-inputs D    features (default 2; other than 2, the true w is drawn from the seed)\n"
            "  --noise X         noise standard deviation (default 0.01)\n"
            "  --seed N          seed of the data, the initial w and the shuffling (default 0)\n"
            "  --device P:D      platform:device by index or name (default: $CLNUM_DEVICE, else\n"
            "                    the first GPU, else the first device)\n"
            "  --list-devices    list the OpenCL devices and exit\n"
            "  --csv FILE        write the loss history (curve,x,loss) to FILE\n"
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

static int list_devices(const char *selector)
{
    cln_device_info *list;
    size_t count, chosen = (size_t)-1;
    if (cln_devices_list(&list, &count) != CLN_SUCCESS) {
        fprintf(stderr, "clnum-linreg: %s\n", cln_last_error(NULL));
        return 1;
    }
    cln_device_selector sel;
    if (!selector)
        selector = getenv("CLNUM_DEVICE");
    if (cln_device_selector_parse(selector, &sel) == CLN_SUCCESS)
        cln_devices_choose(list, count, &sel, &chosen);
    for (size_t i = 0; i < count; i++) {
        const cln_device_info *d = &list[i];
        printf("%c %zu:%zu  %s / %s  (%s, %u compute units, %.1f GiB, %s%s)\n",
               i == chosen ? '*' : ' ', d->platform_index, d->device_index, d->platform_name,
               d->device_name, type_name(d->type), d->compute_units,
               (double)d->global_mem_bytes / (1u << 30), d->opencl_c_version,
               d->has_float64 ? ", fp64" : "");
    }
    cln_devices_free(list);
    return 0;
}

static int write_csv(const char *path, const cln_history *h)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "curve,x,loss\n");
    for (size_t i = 0; i < h->train_loss.count; i++)
        fprintf(f, "train_loss,%.17g,%.9g\n", h->train_loss.x[i], h->train_loss.y[i]);
    for (size_t i = 0; i < h->val_loss.count; i++)
        fprintf(f, "val_loss,%.17g,%.9g\n", h->val_loss.x[i], h->val_loss.y[i]);
    return fclose(f) == 0 ? 0 : -1;
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

/* Runs the chapter; returns the process exit status. */
static int run(const linreg_options *o)
{
    cln_context *ctx = NULL;
    cln_status st = cln_context_create(o->device, &ctx);
    if (st != CLN_SUCCESS) {
        fprintf(stderr, "clnum-linreg: %s\n", cln_last_error(NULL));
        return 1;
    }
    const cln_device_info *dev = cln_context_device(ctx);
    printf("device: %s (%s, %s)\n", dev->device_name, dev->platform_name, type_name(dev->type));

    size_t d = o->num_inputs;
    double *w_true = malloc(d * sizeof *w_true), *w = malloc(d * sizeof *w);
    double b_true = 0, b = 0, ms = 0;
    cln_dataset *data = NULL;
    cln_linreg *model = NULL;
    cln_history hist = {0};
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_inputs = d;
    dc.num_train = o->num_train;
    dc.num_val = o->num_val;
    dc.noise = o->noise;
    dc.seed = o->seed;
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.max_epochs = o->epochs;
    tc.lr = o->lr;
    tc.batch_size = o->batch_size;
    tc.seed = o->seed;

    if (!w_true || !w) {
        fprintf(stderr, "clnum-linreg: out of memory\n");
        st = CLN_ERR_OUT_OF_HOST_MEMORY;
    }
    if (st == CLN_SUCCESS)
        st = cln_synthetic_create(ctx, &dc, &data);
    if (st == CLN_SUCCESS)
        st = cln_linreg_create(ctx, CLN_FLOAT32, d, 0.01, o->seed, &model);
    if (st == CLN_SUCCESS)
        st = cln_context_finish(ctx); /* the clock starts with data and kernels ready */
    if (st == CLN_SUCCESS) {
        printf("data: %zu training and %zu validation rows, %zu inputs, noise %g, seed %llu\n",
               o->num_train, o->num_val, d, o->noise, (unsigned long long)o->seed);
        double t0 = now_ms();
        st = cln_fit(model, data, &tc, &hist);
        ms = now_ms() - t0;
    }
    if (hist.epochs > 0)
        print_history(&hist);
    if (st == CLN_SUCCESS)
        st = cln_linreg_get(model, w, &b);
    if (st == CLN_SUCCESS)
        st = cln_dataset_true_params(data, w_true, &b_true);
    if (st == CLN_SUCCESS) {
        for (size_t j = 0; j < d; j++)
            w[j] = w_true[j] - w[j];
        b = b_true - b;
        print_vector("error in estimating w", w, d);
        print_vector("error in estimating b", &b, 1);
        printf("training time: %.2f ms (%zu epochs, %zu updates)\n", ms, hist.epochs,
               hist.updates);
    }
    if (st == CLN_SUCCESS && o->csv_path && write_csv(o->csv_path, &hist) != 0) {
        fprintf(stderr, "clnum-linreg: cannot write %s\n", o->csv_path);
        st = CLN_ERR_IO;
    } else if (st != CLN_SUCCESS && st != CLN_ERR_OUT_OF_HOST_MEMORY) {
        fprintf(stderr, "clnum-linreg: %s\n", cln_last_error(ctx));
    }
    cln_history_free(&hist);
    free(w_true);
    free(w);
    cln_context_free(ctx);
    return st == CLN_SUCCESS ? 0 : 1;
}

int main(int argc, char **argv)
{
    linreg_options opts;
    char err[256];
    if (linreg_options_parse(argc, argv, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "clnum-linreg: %s\n", err);
        usage(stderr);
        return 2;
    }
    if (opts.help) {
        usage(stdout);
        return 0;
    }
    if (opts.list_devices)
        return list_devices(opts.device);
    return run(&opts);
}
