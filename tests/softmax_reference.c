/* Test helper (not installed): softmax regression on a real CSV dataset with clnum, written
 * out as JSON for tests/softmax_numpy.py, which replays the same training in float64 NumPy
 * and compares (tests/softmax_numpy.cmake runs both; the acceptance test of softmax
 * regression: validation accuracy within one point of NumPy's).
 *
 *   softmax_reference CSV SKIP_LINES STANDARDIZE OUT.json [DTYPE [EPOCHS [BATCH [SEED]]]]
 *
 * CSV is read with has_header 0, SKIP_LINES lines skipped (1 for scikit-learn's count line
 * "150,4,setosa,versicolor,virginica"), the last column as the class label. The rows are split
 * with cln_csv_split (20% validation, seeded with SEED, standardised when STANDARDIZE is 1),
 * uploaded with cln_split_dataset_labeled, and a model made with cln_softmax_create (sigma
 * 0.01, seeded with SEED) is trained with cln_fit (lr 0.1, batch BATCH, EPOCHS epochs, order
 * seeded with SEED, path AUTO). DTYPE is float32 (default) or float64.
 *
 * Defaults, and why: lr 0.1 is d2l's for softmax regression and is stable on standardised
 * features (lr * lambda_max of every minibatch's Hessian is well below 2: softmax_numpy.py
 * checks it); batch 16 gives 8 (iris: 120 training rows, the last batch of 8) or 9 (wine: 142,
 * the last of 14) minibatches an epoch, so the shuffled order and the partial last batch both
 * matter; 100 epochs (800 and 900 SGD steps): the validation accuracy has settled by then
 * (measured, seed 1: iris 0.9333 from epoch 29 on, wine 0.9722 from epoch 3 on) and the
 * training loss has fallen from 0.88 to 0.14 (iris) and from 0.70 to 0.024 (wine). It keeps
 * falling slowly after that, as a softmax loss does on classes a hyperplane nearly separates
 * (the weights grow), while the rounding bound softmax_numpy.py checks grows with the number
 * of steps (at 400 epochs: iris 0.9667 from epoch 199, bound 4x larger): 100 epochs is
 * converged for the accuracy and keeps the comparison sharp (softmax_numpy.py prints both).
 *
 * The JSON holds what the device saw: the training and validation rows after the split and
 * the standardisation, rounded to DTYPE as the dataset's upload rounds them, their labels,
 * the initial W (d x k) and b read back with cln_softmax_get, every epoch's training order as
 * the trainer draws it, the settings, and clnum's per-epoch validation accuracy and final
 * W and b. Only numbers and a few fixed words: written with fprintf, doubles as %.17g (which
 * reads back exactly).
 *
 * Exit status: 0 written; 77 the device has no float64 (DTYPE float64 only); 1 any other
 * failure, with the library's message on stderr. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clnum/clnum.h"

enum { EXIT_NO_FLOAT64 = 77 };

static const double LR = 0.1, SIGMA = 0.01, VAL_FRACTION = 0.2;

static int fail(const char *what, cln_status st, const cln_context *ctx)
{
    fprintf(stderr, "softmax_reference: %s: %s (%d): %s\n", what, cln_status_str(st), (int)st,
            cln_last_error(ctx));
    return st == CLN_ERR_NO_FLOAT64 ? EXIT_NO_FLOAT64 : 1;
}

static int parse_size(const char *text, const char *name, size_t lo, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v < lo) {
        fprintf(stderr, "softmax_reference: %s '%s' is not a whole number >= %zu\n", name, text,
                lo);
        return 0;
    }
    *out = (size_t)v;
    return 1;
}

static double as_device(cln_dtype dt, double v) { return dt == CLN_FLOAT32 ? (double)(float)v : v; }

static void put_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f); /* not JSON's; softmax_numpy.py fails on it with the key's name */
}

/* "key": [v0, v1, ...] of n doubles (rounded to dt when round is set). */
static void put_vec(FILE *f, const char *key, const double *v, size_t n, cln_dtype dt, int round)
{
    fprintf(f, "  \"%s\": [", key);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        put_num(f, round ? as_device(dt, v[i]) : v[i]);
    }
    fputs("],\n", f);
}

/* "key": [[row 0], [row 1], ...], rows x cols doubles, row-major. */
static void put_mat(FILE *f, const char *key, const double *v, size_t rows, size_t cols,
                    cln_dtype dt, int round)
{
    fprintf(f, "  \"%s\": [", key);
    for (size_t i = 0; i < rows; i++) {
        fputs(i ? ",\n    [" : "\n    [", f);
        for (size_t j = 0; j < cols; j++) {
            if (j)
                fputs(", ", f);
            double x = v[i * cols + j];
            put_num(f, round ? as_device(dt, x) : x);
        }
        fputc(']', f);
    }
    fputs("],\n", f);
}

static void put_labels(FILE *f, const char *key, const uint32_t *v, size_t n)
{
    fprintf(f, "  \"%s\": [", key);
    for (size_t i = 0; i < n; i++)
        fprintf(f, i ? ", %u" : "%u", (unsigned)v[i]);
    fputs("],\n", f);
}

static const char *path_name(cln_train_path p)
{
    switch (p) {
    case CLN_PATH_STEPWISE: return "stepwise";
    case CLN_PATH_FUSED: return "fused";
    case CLN_PATH_EPOCH: return "epoch";
    case CLN_PATH_PERSISTENT: return "persistent";
    default: return "auto";
    }
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 9) {
        fprintf(stderr, "usage: %s CSV SKIP_LINES STANDARDIZE(0|1) OUT.json "
                        "[float32|float64 [EPOCHS [BATCH [SEED]]]]\n", argv[0]);
        return 1;
    }
    const char *csv_path = argv[1], *out_path = argv[4];
    size_t skip_lines, standardize, epochs = 100, batch = 16, seed_z = 1;
    cln_dtype dt = CLN_FLOAT32;
    if (!parse_size(argv[2], "SKIP_LINES", 0, &skip_lines) ||
        !parse_size(argv[3], "STANDARDIZE", 0, &standardize) ||
        (argc > 6 && !parse_size(argv[6], "EPOCHS", 1, &epochs)) ||
        (argc > 7 && !parse_size(argv[7], "BATCH", 1, &batch)) ||
        (argc > 8 && !parse_size(argv[8], "SEED", 0, &seed_z)))
        return 1;
    if (argc > 5) {
        if (strcmp(argv[5], "float64") == 0)
            dt = CLN_FLOAT64;
        else if (strcmp(argv[5], "float32") != 0) {
            fprintf(stderr, "softmax_reference: DTYPE '%s' is neither float32 nor float64\n",
                    argv[5]);
            return 1;
        }
    }
    const uint64_t seed = (uint64_t)seed_z;

    cln_csv_options o;
    cln_csv_options_init(&o);
    o.has_header = 0;
    o.skip_lines = skip_lines;
    o.labels = 1;
    cln_csv *csv = NULL;
    cln_status st = cln_csv_read(csv_path, &o, &csv);
    if (st != CLN_SUCCESS)
        return fail("cln_csv_read", st, NULL);
    size_t d = cln_csv_num_features(csv), k = cln_csv_num_classes(csv);

    cln_split_config sc;
    cln_split_config_init(&sc);
    sc.val_fraction = VAL_FRACTION;
    sc.seed = seed;
    sc.standardize = standardize != 0;
    cln_split split;
    st = cln_csv_split(csv, &sc, &split);
    if (st != CLN_SUCCESS) {
        cln_csv_free(csv);
        return fail("cln_csv_split", st, NULL);
    }
    size_t nt = split.num_train, nv = split.num_val, n = nt + nv;

    int rc = 1;
    cln_context *ctx = NULL;
    cln_dataset *ds = NULL;
    cln_softmax *m = NULL;
    cln_history hist = {0};
    /* The trainer's minibatch: cfg.batch_size unless a split is smaller (src/train/train_paths.c,
     * clni_effective_batch; the loaders cap it at their rows). Here both are larger. */
    const size_t eff_batch = batch < nt ? batch : nt;
    uint32_t *labels = malloc(n * sizeof *labels), *order = malloc(nt * sizeof *order);
    double *W0 = malloc(d * k * sizeof *W0), *b0 = malloc(k * sizeof *b0);
    double *W = malloc(d * k * sizeof *W), *b = malloc(k * sizeof *b);
    FILE *f = NULL;
    if (!labels || !order || !W0 || !b0 || !W || !b) {
        fprintf(stderr, "softmax_reference: out of memory\n");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        labels[i] = (uint32_t)split.y[i]; /* class indices, whole numbers (csv.h) */

    st = cln_context_create(NULL, &ctx);
    if (st != CLN_SUCCESS) {
        rc = fail("cln_context_create", st, NULL);
        goto done;
    }
    st = cln_split_dataset_labeled(ctx, dt, &split, k, &ds);
    if (st != CLN_SUCCESS) {
        rc = fail("cln_split_dataset_labeled", st, ctx);
        goto done;
    }
    st = cln_softmax_create(ctx, dt, d, k, SIGMA, seed, &m);
    if (st != CLN_SUCCESS) {
        rc = fail("cln_softmax_create", st, ctx);
        goto done;
    }
    st = cln_softmax_get(m, W0, b0);
    if (st != CLN_SUCCESS) {
        rc = fail("cln_softmax_get (initial)", st, ctx);
        goto done;
    }

    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.max_epochs = epochs;
    cfg.lr = LR;
    cfg.batch_size = batch;
    cfg.seed = seed;
    st = cln_fit(cln_softmax_model(m), ds, &cfg, &hist);
    if (st != CLN_SUCCESS) {
        rc = fail("cln_fit", st, ctx);
        goto done;
    }
    if (hist.epochs != epochs || hist.val_metric.count != epochs) {
        fprintf(stderr, "softmax_reference: cln_fit ran %zu epochs with %zu accuracies, asked %zu\n",
                hist.epochs, hist.val_metric.count, epochs);
        goto done;
    }
    st = cln_softmax_get(m, W, b);
    if (st != CLN_SUCCESS) {
        rc = fail("cln_softmax_get (final)", st, ctx);
        goto done;
    }

    f = fopen(out_path, "w");
    if (!f) {
        fprintf(stderr, "softmax_reference: %s: %s\n", out_path, strerror(errno));
        goto done;
    }
    fprintf(f, "{\n  \"dtype\": \"%s\",\n", dt == CLN_FLOAT64 ? "float64" : "float32");
    fprintf(f, "  \"unit_roundoff\": %.17g,\n", ldexp(1.0, dt == CLN_FLOAT64 ? -53 : -24));
    fprintf(f, "  \"path\": \"%s\",\n", path_name(hist.path));
    fprintf(f, "  \"num_inputs\": %zu,\n  \"num_classes\": %zu,\n", d, k);
    fprintf(f, "  \"num_train\": %zu,\n  \"num_val\": %zu,\n", nt, nv);
    fprintf(f, "  \"epochs\": %zu,\n  \"batch_size\": %zu,\n", epochs, eff_batch);
    fprintf(f, "  \"lr\": %.17g,\n  \"lr_device\": %.17g,\n", LR, as_device(dt, LR));
    fprintf(f, "  \"sigma\": %.17g,\n  \"seed\": %llu,\n", SIGMA, (unsigned long long)seed);
    fprintf(f, "  \"val_fraction\": %.17g,\n  \"standardize\": %d,\n", VAL_FRACTION,
            standardize != 0);
    fprintf(f, "  \"updates\": %zu,\n", hist.updates);
    put_mat(f, "X_train", split.X, nt, d, dt, 1);
    put_labels(f, "y_train", labels, nt);
    put_mat(f, "X_val", split.X + nt * d, nv, d, dt, 1);
    put_labels(f, "y_val", labels + nt, nv);
    put_mat(f, "W0", W0, d, k, dt, 0);
    put_vec(f, "b0", b0, k, dt, 0);
    /* each epoch's order exactly as the trainer draws it: its training loader has seed
     * cfg.seed over the nt training rows and calls cln_shuffle_order(cfg.seed, epoch, order,
     * nt) at the start of epoch `epoch` (src/data/loader.c start_epoch, src/train/trainer.c
     * enqueue_epoch); minibatch s is positions [s * batch, min((s + 1) * batch, nt)). */
    fputs("  \"orders\": [", f);
    for (size_t e = 0; e < epochs; e++) {
        st = cln_shuffle_order(seed, e, order, nt);
        if (st != CLN_SUCCESS) {
            rc = fail("cln_shuffle_order", st, NULL);
            goto done;
        }
        fputs(e ? ",\n    [" : "\n    [", f);
        for (size_t i = 0; i < nt; i++)
            fprintf(f, i ? ", %u" : "%u", (unsigned)order[i]);
        fputc(']', f);
    }
    fputs("],\n", f);
    put_vec(f, "val_acc", hist.val_metric.y, hist.val_metric.count, dt, 0);
    put_vec(f, "val_loss", hist.val_loss.y, hist.val_loss.count, dt, 0);
    put_mat(f, "W", W, d, k, dt, 0);
    fputs("  \"b\": [", f);
    for (size_t c = 0; c < k; c++) {
        if (c)
            fputs(", ", f);
        put_num(f, b[c]);
    }
    fputs("]\n}\n", f);
    if (ferror(f) || fclose(f) != 0) {
        f = NULL;
        fprintf(stderr, "softmax_reference: writing %s failed\n", out_path);
        goto done;
    }
    f = NULL;
    printf("softmax_reference: %s: %zu features, %zu classes, %zu training and %zu validation "
           "rows, %s, path %s, %zu updates; final validation accuracy %.17g\n",
           csv_path, d, k, nt, nv, dt == CLN_FLOAT64 ? "float64" : "float32",
           path_name(hist.path), hist.updates, hist.val_metric.y[epochs - 1]);
    rc = 0;
done:
    if (f)
        fclose(f);
    cln_history_free(&hist);
    cln_context_free(ctx); /* frees the dataset and the model */
    free(labels);
    free(order);
    free(W0);
    free(b0);
    free(W);
    free(b);
    cln_split_free(&split);
    cln_csv_free(csv);
    return rc;
}
