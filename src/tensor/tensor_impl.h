/* What the layers above the tensors know of them: the object behind cln_tensor, tensors
 * owned by library objects, and the checks on tensors. */
#ifndef CLNUM_TENSOR_IMPL_H
#define CLNUM_TENSOR_IMPL_H

#include "runtime/internal.h"

struct cln_tensor {
    clni_object obj;
    cln_context *ctx;
    int registered;            /* owned by the user (in the context's list), not by a parent */
    cl_mem buffer;             /* retained by every tensor that shares it */
    cln_dtype dtype;
    size_t rank;
    size_t shape[CLN_MAX_RANK];
    size_t offset;             /* elements */
    size_t numel;
};

/* A tensor owned by a library object (a dataset's X, a model's w): not in the context's
 * list, freed by its owner with clni_tensor_destroy(). */
cln_status clni_tensor_new(cln_context *ctx, cln_dtype dtype, size_t rank, const size_t *shape,
                           int registered, cln_tensor **out);
cln_status clni_tensor_view(cln_tensor *t, size_t first, size_t count, int registered,
                            cln_tensor **out);
void clni_tensor_destroy(cln_tensor *t);
/* Uploads n doubles into t, converted to t's dtype (clni_doubles_to_dtype). Waits. */
cln_status clni_tensor_upload_doubles(cln_tensor *t, const double *src, size_t n);

/* Tensors of one call must share ctx and dtype. */
cln_status clni_check_same(const cln_tensor *a, const cln_tensor *b, const char *fn);
/* The smallest row (index along the first dimension) of t holding a NaN or an infinity,
 * found on the device (cl/check.cl, src/check.c); SIZE_MAX when every value is finite.
 * Waits. */
cln_status clni_first_nonfinite_row(const cln_tensor *t, size_t *row);

#endif
