/* The dataset object: X and y on the device (split into training and validation views) or
 * rows kept on the host, and what it knows of its rows. Its constructors are the files
 * beside it: dataset_create.c (the caller's rows), dataset_host.c (rows kept on the host),
 * synthetic.c (d2l's synthetic data). */
#include <stdlib.h>
#include <string.h>

#include "data/data_impl.h"

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

void clni_dataset_set_classes(cln_dataset *ds, size_t num_classes) { ds->num_classes = num_classes; }

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
