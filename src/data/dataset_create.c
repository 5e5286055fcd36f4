/* A dataset of the caller's rows, real targets or class labels: on the device, or kept on
 * the host where they would not fit (dataset_host.c). */
#include <inttypes.h>
#include <stdlib.h>

#include "data/data_impl.h"

/* NaN or infinity in host data, looked for on the device after the conversion to the
 * dataset's dtype (so a double beyond float's range, infinite in float32, is found too):
 * CLN_ERR_NOT_FINITE naming the first bad row and whether it is in X, y or both. */
static cln_status check_finite_rows(cln_dataset *ds, const char *fn)
{
    size_t bad_x, bad_y;
    CLNI_CHECK(clni_first_nonfinite_row(clni_dataset_X(ds), &bad_x));
    CLNI_CHECK(clni_first_nonfinite_row(clni_dataset_y(ds), &bad_y));
    if (bad_x == SIZE_MAX && bad_y == SIZE_MAX)
        return CLN_SUCCESS;
    size_t row = bad_x < bad_y ? bad_x : bad_y;
    size_t num_train = cln_dataset_num_train(ds);
    int val = row >= num_train;
    return clni_fail(cln_dataset_context(ds), CLN_ERR_NOT_FINITE,
                     "%s: row %zu (%s row %zu) is the first with a NaN or an infinity, in %s%s",
                     fn, row, val ? "validation" : "training", val ? row - num_train : row,
                     bad_x == bad_y ? "X and y" : bad_x < bad_y ? "X" : "y",
                     cln_dataset_dtype(ds) == CLN_FLOAT32 ? " (as float32: beyond +-3.4e38 is infinite)" : "");
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
    CLNI_CHECK(clni_dataset_new(ctx, dtype, num_inputs, num_train, num_rows - num_train, 0, fn,
                                &ds));
    cln_status st = clni_tensor_upload_doubles(clni_dataset_X(ds), X, num_rows * num_inputs);
    if (st == CLN_SUCCESS)
        st = clni_tensor_upload_doubles(clni_dataset_y(ds), y, num_rows);
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
        clni_dataset_set_classes(*out, num_classes);
    return st;
}

