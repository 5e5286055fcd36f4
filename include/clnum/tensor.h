/* clnum: tensors in OpenCL buffers.
 *
 * A tensor is a cl_mem, a dtype, a shape of rank 1 to 4 (row-major, contiguous) and an
 * element offset into the buffer. It belongs to the context it was made in: freeing the
 * context frees it. A row view shares its parent's buffer (which it keeps alive) and
 * starts at a later offset. */
#ifndef CLNUM_TENSOR_H
#define CLNUM_TENSOR_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>
#include <stddef.h>
#include <stdint.h>

#include "clnum/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CLN_MAX_RANK 4

typedef enum cln_dtype {
    CLN_FLOAT32 = 0,
    CLN_FLOAT64 = 1      /* needs cl_khr_fp64, else CLN_ERR_NO_FLOAT64 */
} cln_dtype;

typedef struct cln_tensor cln_tensor;

/* Size in bytes of one element of dtype (0 for an unknown dtype). */
size_t cln_dtype_size(cln_dtype dtype);

/* Makes a tensor of the given shape; its contents are undefined until written.
 * Fails with CLN_ERR_OUT_OF_DEVICE_MEMORY, before allocating, when it is larger than the
 * device's max allocation or global memory. */
cln_status cln_tensor_create(cln_context *ctx, cln_dtype dtype, size_t rank,
                             const size_t *shape, cln_tensor **out);
/* Shorthands for rank 1 and rank 2. */
cln_status cln_tensor_create_1d(cln_context *ctx, cln_dtype dtype, size_t n, cln_tensor **out);
cln_status cln_tensor_create_2d(cln_context *ctx, cln_dtype dtype, size_t rows, size_t cols,
                                cln_tensor **out);

/* A view of rows [first, first + count) along the first dimension. Free it like any
 * tensor; the parent may be freed before or after it. */
cln_status cln_tensor_view_rows(cln_tensor *t, size_t first, size_t count, cln_tensor **out);

/* Frees a tensor or view. NULL is a no-op. */
void cln_tensor_free(cln_tensor *t);

/* Copies host data in (nbytes must equal the tensor's size in bytes); returns when the
 * host memory may be reused. */
cln_status cln_tensor_upload(cln_tensor *t, const void *host, size_t nbytes);
/* Copies the tensor out; waits for every command before it. */
cln_status cln_tensor_download(const cln_tensor *t, void *host, size_t nbytes);
/* Downloads into doubles whatever the dtype (convenient for tests and printing). */
cln_status cln_tensor_download_f64(const cln_tensor *t, double *host, size_t count);

/* Sets every element to value. Enqueued, does not wait. */
cln_status cln_tensor_fill(cln_tensor *t, double value);

/* Fills with normal(mean, std) values from the counter-based generator Philox4x32-10:
 * element i is cln_philox_normal(seed, stream, i) (random.h) scaled, so the host can
 * predict every value and one seed gives the same tensor on every device (up to the
 * rounding of the device's log and cos). Enqueued, does not wait. */
cln_status cln_tensor_randn(cln_tensor *t, double mean, double std, uint64_t seed,
                            uint32_t stream);

cln_context *cln_tensor_context(const cln_tensor *t);
cln_dtype cln_tensor_dtype(const cln_tensor *t);
size_t cln_tensor_rank(const cln_tensor *t);
size_t cln_tensor_dim(const cln_tensor *t, size_t axis);   /* 0 when axis >= rank */
size_t cln_tensor_numel(const cln_tensor *t);
size_t cln_tensor_nbytes(const cln_tensor *t);
/* The buffer and the element offset of the first element, for use with OpenCL or CLBlast. */
cl_mem cln_tensor_buffer(const cln_tensor *t);
size_t cln_tensor_offset(const cln_tensor *t);

#ifdef __cplusplus
}
#endif
#endif
