/* Datasets: X and y on the device, split into training and validation rows. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Philox streams of a dataset's seed (random.h): X first, then the noise. */
enum { STREAM_X = 0, STREAM_NOISE = 1, STREAM_TRUE_W = 2 };

struct cln_dataset {
    clni_object obj;
    cln_context *ctx;
    cln_dtype dtype;
    size_t num_inputs, num_train, num_val;
    cln_tensor *X, *y;                            /* every row */
    cln_tensor *train_X, *train_y, *val_X, *val_y; /* views of them */
    double *true_w;                               /* synthetic data only */
    double true_b;
    void *host_X, *host_y;                        /* host-resident rows (X, y NULL), in dtype */
    int host_owned;                               /* host_X and host_y are ours to free */
    size_t num_classes;                           /* labelled data: y's classes; else 0 */
};

static void destroy(clni_object *obj) { cln_dataset_free((cln_dataset *)obj); }

void cln_dataset_free(cln_dataset *ds)
{
    if (!ds)
        return;
    clni_unregister(ds->ctx, &ds->obj);
    clni_tensor_destroy(ds->train_X);
    clni_tensor_destroy(ds->train_y);
    clni_tensor_destroy(ds->val_X);
    clni_tensor_destroy(ds->val_y);
    clni_tensor_destroy(ds->X);
    clni_tensor_destroy(ds->y);
    free(ds->true_w);
    if (ds->host_owned) {
        free(ds->host_X);
        free(ds->host_y);
    }
    free(ds);
}

/* Makes the dataset object, its whole X and y, and the split views (none on the host). */
static cln_status dataset_new(cln_context *ctx, cln_dtype dtype, size_t num_inputs,
                              size_t num_train, size_t num_val, const char *fn, cln_dataset **out)
{
    return clni_dataset_new(ctx, dtype, num_inputs, num_train, num_val, 0, fn, out);
}

cln_status clni_dataset_new(cln_context *ctx, cln_dtype dtype, size_t num_inputs,
                            size_t num_train, size_t num_val, int on_host, const char *fn,
                            cln_dataset **out)
{
    if (num_inputs == 0 || num_train == 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: num_inputs (%zu) and num_train (%zu) "
                         "must be at least 1", fn, num_inputs, num_train);
    if (num_train > UINT32_MAX || num_val > UINT32_MAX - num_train)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: %zu + %zu rows is more than 2^32 - 1",
                         fn, num_train, num_val);
    size_t rows = num_train + num_val;
    cln_dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    ds->ctx = ctx;
    ds->dtype = dtype;
    ds->num_inputs = num_inputs;
    ds->num_train = num_train;
    ds->num_val = num_val;
    clni_register(ctx, &ds->obj, destroy);
    if (on_host) {
        *out = ds;
        return CLN_SUCCESS;
    }
    size_t shape[2] = {rows, num_inputs};
    cln_status st = clni_tensor_new(ctx, dtype, 2, shape, 0, &ds->X);
    if (st == CLN_SUCCESS)
        st = clni_tensor_new(ctx, dtype, 1, &rows, 0, &ds->y);
    if (st == CLN_SUCCESS)
        st = clni_tensor_view(ds->X, 0, num_train, 0, &ds->train_X);
    if (st == CLN_SUCCESS)
        st = clni_tensor_view(ds->y, 0, num_train, 0, &ds->train_y);
    if (st == CLN_SUCCESS && num_val > 0)
        st = clni_tensor_view(ds->X, num_train, num_val, 0, &ds->val_X);
    if (st == CLN_SUCCESS && num_val > 0)
        st = clni_tensor_view(ds->y, num_train, num_val, 0, &ds->val_y);
    if (st != CLN_SUCCESS) {
        cln_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CLN_SUCCESS;
}

/* Uploads n doubles into t, converting to t's dtype. */
static cln_status upload_doubles(cln_tensor *t, const double *src, size_t n)
{
    if (t->dtype == CLN_FLOAT64)
        return cln_tensor_upload(t, src, n * sizeof(double));
    float *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return clni_fail(t->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "uploading data: out of memory");
    for (size_t i = 0; i < n; i++)
        tmp[i] = (float)src[i];
    cln_status st = cln_tensor_upload(t, tmp, n * sizeof(float));
    free(tmp);
    return st;
}

void cln_synthetic_config_init(cln_synthetic_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->num_inputs = 2;
    cfg->num_train = 1000;
    cfg->num_val = 1000;
    cfg->noise = 0.01;
    cfg->b = 4.2;
    cfg->w = NULL;
    cfg->seed = 0;
    cfg->dtype = CLN_FLOAT32;
}

cln_status cln_synthetic_create(cln_context *ctx, const cln_synthetic_config *cfg,
                                cln_dataset **out)
{
    const char *fn = "cln_synthetic_create";
    CLNI_CHECK(clni_check_ptr(NULL, ctx, fn, "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, cfg, fn, "cfg"));
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    if (!isfinite(cfg->noise) || cfg->noise < 0 || !isfinite(cfg->b))
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: noise (%g) must be finite and >= 0 and b (%g) finite", fn,
                         cfg->noise, cfg->b);
    for (size_t j = 0; cfg->w && j < cfg->num_inputs; j++)
        if (!isfinite(cfg->w[j]))
            return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: w[%zu] is not finite", fn, j);
    if ((unsigned)cfg->placement > CLN_PLACE_HOST ||
        cfg->shard >= (cfg->num_shards > 1 ? cfg->num_shards : 1))
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: placement %d, shard %zu of %zu: unknown placement or no such shard",
                         fn, (int)cfg->placement, cfg->shard, cfg->num_shards);
    /* A shard, or rows kept on the host: drawn a range of rows at a time (stream_data.c). */
    if (cfg->num_shards > 1 || cfg->placement == CLN_PLACE_HOST ||
        (cfg->placement == CLN_PLACE_AUTO &&
         !clni_rows_fit_device(ctx, cfg->dtype, cfg->num_train + cfg->num_val, cfg->num_inputs,
                               cfg->num_train)))
        return clni_synthetic_by_rows(ctx, cfg, out);

    cln_dataset *ds;
    CLNI_CHECK(dataset_new(ctx, cfg->dtype, cfg->num_inputs, cfg->num_train, cfg->num_val, fn,
                           &ds));
    size_t d = cfg->num_inputs;
    ds->true_w = malloc(d * sizeof *ds->true_w);
    cln_tensor *w = NULL;
    cln_status st = ds->true_w ? CLN_SUCCESS
                               : clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    if (st == CLN_SUCCESS) {
        clni_synthetic_true_w(cfg, ds->true_w);
        ds->true_b = cfg->b;
        st = clni_tensor_new(ctx, cfg->dtype, 1, &d, 0, &w);
    }
    if (st == CLN_SUCCESS)
        st = cln_tensor_randn(ds->X, 0.0, 1.0, cfg->seed, STREAM_X);
    if (st == CLN_SUCCESS)
        st = upload_doubles(w, ds->true_w, d);
    if (st == CLN_SUCCESS) {
        clni_real b = clni_real_make(cfg->dtype, cfg->b);
        clni_real noise = clni_real_make(cfg->dtype, cfg->noise);
        cl_ulong seed = cfg->seed;
        cl_uint stream = STREAM_NOISE, dd = (cl_uint)d;
        cl_uint n = (cl_uint)(cfg->num_train + cfg->num_val);
        st = clni_launch(ctx, cfg->dtype, CLNI_K_SYNTH_TARGETS, n, ctx->wg,
                         CLNI_ARGS(CLNI_ARG(ds->X->buffer), CLNI_ARG(w->buffer), CLNI_REAL(b),
                                   CLNI_REAL(noise), CLNI_ARG(seed), CLNI_ARG(stream), CLNI_ARG(n),
                                   CLNI_ARG(dd), CLNI_ARG(ds->y->buffer)));
    }
    clni_tensor_destroy(w); /* OpenCL keeps the buffer alive until the kernel is done */
    if (st != CLN_SUCCESS) {
        cln_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CLN_SUCCESS;
}

/* NaN or infinity in host data, looked for on the device after the conversion to the
 * dataset's dtype (so a double beyond float's range, infinite in float32, is found too):
 * CLN_ERR_NOT_FINITE naming the first bad row and whether it is in X, y or both. */
static cln_status check_finite_rows(cln_dataset *ds, const char *fn)
{
    size_t bad_x, bad_y;
    CLNI_CHECK(clni_first_nonfinite_row(ds->X, &bad_x));
    CLNI_CHECK(clni_first_nonfinite_row(ds->y, &bad_y));
    if (bad_x == SIZE_MAX && bad_y == SIZE_MAX)
        return CLN_SUCCESS;
    size_t row = bad_x < bad_y ? bad_x : bad_y;
    int val = row >= ds->num_train;
    return clni_fail(ds->ctx, CLN_ERR_NOT_FINITE,
                     "%s: row %zu (%s row %zu) is the first with a NaN or an infinity, in %s%s",
                     fn, row, val ? "validation" : "training", val ? row - ds->num_train : row,
                     bad_x == bad_y ? "X and y" : bad_x < bad_y ? "X" : "y",
                     ds->dtype == CLN_FLOAT32 ? " (as float32: beyond +-3.4e38 is infinite)" : "");
}

void clni_synthetic_true_w(const cln_synthetic_config *cfg, double *w)
{
    static const double chapter_w[2] = {2.0, -3.4};
    size_t d = cfg->num_inputs;
    for (size_t j = 0; j < d; j++)
        w[j] = cfg->w ? cfg->w[j]
               : d == 2 ? chapter_w[j]
                        : cln_philox_normal(cfg->seed, STREAM_TRUE_W, j);
}

cln_status cln_dataset_create(cln_context *ctx, cln_dtype dtype, const double *X, const double *y,
                              size_t num_rows, size_t num_inputs, size_t num_train,
                              cln_dataset **out)
{
    return cln_dataset_create_placed(ctx, dtype, X, y, num_rows, num_inputs, num_train,
                                     CLN_PLACE_AUTO, out);
}

/* cln_dataset_create_placed(), its messages naming fn. */
static cln_status create_placed(cln_context *ctx, cln_dtype dtype, const double *X,
                                const double *y, size_t num_rows, size_t num_inputs,
                                size_t num_train, cln_placement placement, const char *fn,
                                cln_dataset **out)
{
    CLNI_CHECK(clni_check_ptr(NULL, ctx, fn, "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, X, fn, "X"));
    CLNI_CHECK(clni_check_ptr(ctx, y, fn, "y"));
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    if (num_train > num_rows)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: num_train %zu is more than the %zu rows",
                         fn, num_train, num_rows);
    if ((unsigned)placement > CLN_PLACE_HOST)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: unknown placement %d", fn,
                         (int)placement);
    if (placement == CLN_PLACE_HOST ||
        (placement == CLN_PLACE_AUTO &&
         !clni_rows_fit_device(ctx, dtype, num_rows, num_inputs, num_train)))
        return clni_dataset_create_host(ctx, dtype, X, y, num_rows, num_inputs, num_train, fn,
                                        out);
    cln_dataset *ds;
    CLNI_CHECK(dataset_new(ctx, dtype, num_inputs, num_train, num_rows - num_train, fn, &ds));
    cln_status st = upload_doubles(ds->X, X, num_rows * num_inputs);
    if (st == CLN_SUCCESS)
        st = upload_doubles(ds->y, y, num_rows);
    if (st == CLN_SUCCESS)
        st = check_finite_rows(ds, fn);
    if (st != CLN_SUCCESS) {
        cln_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CLN_SUCCESS;
}

cln_status cln_dataset_create_placed(cln_context *ctx, cln_dtype dtype, const double *X,
                                     const double *y, size_t num_rows, size_t num_inputs,
                                     size_t num_train, cln_placement placement,
                                     cln_dataset **out)
{
    return create_placed(ctx, dtype, X, y, num_rows, num_inputs, num_train, placement,
                         "cln_dataset_create", out);
}

/* float32 holds every whole number up to 2^24 exactly, so y holds every class exactly. */
#define MAX_CLASSES ((size_t)1 << 24)

/* Every label below num_classes, else CLN_ERR_BAD_ARGUMENT naming the first row that is not. */
static cln_status check_labels(cln_context *ctx, const uint32_t *labels, size_t num_rows,
                               size_t num_classes, size_t num_train, const char *fn)
{
    for (size_t i = 0; i < num_rows; i++) {
        if (labels[i] < num_classes)
            continue;
        int val = i >= num_train;
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: row %zu (%s row %zu) has label %" PRIu32
                         ", not below num_classes %zu", fn, i, val ? "validation" : "training",
                         val ? i - num_train : i, labels[i], num_classes);
    }
    return CLN_SUCCESS;
}

cln_status cln_dataset_create_labeled(cln_context *ctx, cln_dtype dtype, const double *X,
                                      const uint32_t *labels, size_t num_rows,
                                      size_t num_inputs, size_t num_classes, size_t num_train,
                                      cln_placement placement, cln_dataset **out)
{
    const char *fn = "cln_dataset_create_labeled";
    CLNI_CHECK(clni_check_ptr(NULL, ctx, fn, "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, labels, fn, "labels"));
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    if (num_classes == 0 || num_classes > MAX_CLASSES)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: num_classes %zu is outside 1 to 2^24 "
                         "(float32's exact whole numbers)", fn, num_classes);
    CLNI_CHECK(check_labels(ctx, labels, num_rows, num_classes, num_train, fn));
    if (num_rows > SIZE_MAX / sizeof(double))
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: %zu rows overflow", fn, num_rows);
    /* y as the whole numbers, so every loader, stream and shard of real targets takes it */
    double *y = malloc(num_rows ? num_rows * sizeof *y : 1);
    if (!y)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of host memory for %zu "
                         "labels", fn, num_rows);
    for (size_t i = 0; i < num_rows; i++)
        y[i] = labels[i];
    cln_status st = create_placed(ctx, dtype, X, y, num_rows, num_inputs, num_train, placement,
                                  fn, out);
    free(y);
    if (st == CLN_SUCCESS)
        (*out)->num_classes = num_classes;
    return st;
}

size_t cln_dataset_num_classes(const cln_dataset *ds) { return ds ? ds->num_classes : 0; }

size_t cln_dataset_num_inputs(const cln_dataset *ds) { return ds ? ds->num_inputs : 0; }
size_t cln_dataset_num_train(const cln_dataset *ds) { return ds ? ds->num_train : 0; }
size_t cln_dataset_num_val(const cln_dataset *ds) { return ds ? ds->num_val : 0; }
cln_dtype cln_dataset_dtype(const cln_dataset *ds) { return ds ? ds->dtype : CLN_FLOAT32; }
const cln_tensor *cln_dataset_train_X(const cln_dataset *ds) { return ds ? ds->train_X : NULL; }
const cln_tensor *cln_dataset_train_y(const cln_dataset *ds) { return ds ? ds->train_y : NULL; }
const cln_tensor *cln_dataset_val_X(const cln_dataset *ds) { return ds ? ds->val_X : NULL; }
const cln_tensor *cln_dataset_val_y(const cln_dataset *ds) { return ds ? ds->val_y : NULL; }
int cln_dataset_on_host(const cln_dataset *ds) { return ds && ds->host_X; }
const void *cln_dataset_host_X(const cln_dataset *ds) { return ds ? ds->host_X : NULL; }
const void *cln_dataset_host_y(const cln_dataset *ds) { return ds ? ds->host_y : NULL; }
cln_context *cln_dataset_context(const cln_dataset *ds) { return ds ? ds->ctx : NULL; }

void clni_dataset_set_host(cln_dataset *ds, void *X, void *y, int owned)
{
    ds->host_X = X;
    ds->host_y = y;
    ds->host_owned = owned;
}

cln_status clni_dataset_set_true(cln_dataset *ds, const double *w, double b)
{
    ds->true_w = malloc(ds->num_inputs * sizeof *ds->true_w);
    if (!ds->true_w)
        return clni_fail(ds->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "synthetic data: out of memory");
    memcpy(ds->true_w, w, ds->num_inputs * sizeof *w);
    ds->true_b = b;
    return CLN_SUCCESS;
}

cln_tensor *clni_dataset_X(cln_dataset *ds) { return ds->X; }
cln_tensor *clni_dataset_y(cln_dataset *ds) { return ds->y; }

cln_status cln_dataset_true_params(const cln_dataset *ds, double *w, double *b)
{
    CLNI_CHECK(clni_check_ptr(NULL, ds, "cln_dataset_true_params", "ds"));
    if (!ds->true_w)
        return clni_fail(ds->ctx, CLN_ERR_BAD_ARGUMENT,
                         "cln_dataset_true_params: the data is not synthetic");
    if (w)
        memcpy(w, ds->true_w, ds->num_inputs * sizeof *w);
    if (b)
        *b = ds->true_b;
    return CLN_SUCCESS;
}
