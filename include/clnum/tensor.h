/**
 * @file tensor.h
 * @brief Tensors in OpenCL buffers.
 *
 * A tensor is a cl_mem, a dtype, a shape of rank 1 to 4 (row-major, contiguous) and an
 * element offset into the buffer. It belongs to the context it was made in: freeing the
 * context frees it. A row view shares its parent's buffer (which it keeps alive) and
 * starts at a later offset. */
#ifndef CLNUM_TENSOR_H
#define CLNUM_TENSOR_H

#include "clnum/export.h"

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

/** The largest rank a tensor may have. */
#define CLN_MAX_RANK 4

/** A cl_mem with a dtype, a shape and an offset, owned by its context. Opaque. */
typedef struct cln_tensor cln_tensor;

/**
 * @brief Makes a tensor of the given shape; its contents are undefined until written.
 * @param ctx   the context that owns it.
 * @param dtype element type.
 * @param rank  1 to CLN_MAX_RANK.
 * @param shape rank sizes, each at least 1.
 * @param[out] out the tensor; free it with cln_tensor_free() or with the context.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for a bad rank, size or dtype;
 * CLN_ERR_NO_FLOAT64; CLN_ERR_OUT_OF_DEVICE_MEMORY, before allocating, when it is larger
 * than the device's max allocation or global memory; an OpenCL code.
 */
CLN_API cln_status cln_tensor_create(cln_context *ctx, cln_dtype dtype, size_t rank,
                             const size_t *shape, cln_tensor **out);
/**
 * @brief cln_tensor_create() of rank 1.
 * @param ctx the context. @param dtype element type. @param n elements.
 * @param[out] out the tensor.
 * @return as cln_tensor_create().
 */
CLN_API cln_status cln_tensor_create_1d(cln_context *ctx, cln_dtype dtype, size_t n, cln_tensor **out);
/**
 * @brief cln_tensor_create() of rank 2.
 * @param ctx the context. @param dtype element type. @param rows first dimension.
 * @param cols second dimension. @param[out] out the tensor.
 * @return as cln_tensor_create().
 */
CLN_API cln_status cln_tensor_create_2d(cln_context *ctx, cln_dtype dtype, size_t rows, size_t cols,
                                cln_tensor **out);

/**
 * @brief A view of rows [first, first + count) along the first dimension. Free it like
 * any tensor; the parent may be freed before or after it (the buffer is shared).
 * @param t the parent. @param first the first row. @param count rows, at least 1.
 * @param[out] out the view.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for rows out of range;
 * CLN_ERR_OUT_OF_HOST_MEMORY.
 */
CLN_API cln_status cln_tensor_view_rows(cln_tensor *t, size_t first, size_t count, cln_tensor **out);

/**
 * @brief Frees a tensor or view.
 * @param t the tensor; NULL is a no-op.
 */
CLN_API void cln_tensor_free(cln_tensor *t);

/**
 * @brief Copies host data in; returns when the host memory may be reused.
 * @param t the tensor. @param host the data, in the tensor's dtype.
 * @param nbytes must equal cln_tensor_nbytes(t).
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for NULL pointers; CLN_ERR_SHAPE_MISMATCH for
 * a size that differs; an OpenCL code.
 */
CLN_API cln_status cln_tensor_upload(cln_tensor *t, const void *host, size_t nbytes);
/**
 * @brief Copies the tensor out; waits for every command before it.
 * @param t the tensor. @param host where to, in the tensor's dtype.
 * @param nbytes must equal cln_tensor_nbytes(t).
 * @return as cln_tensor_upload().
 */
CLN_API cln_status cln_tensor_download(const cln_tensor *t, void *host, size_t nbytes);
/**
 * @brief Downloads into doubles whatever the dtype (convenient for tests and printing).
 * @param t the tensor. @param host count doubles.
 * @param count must equal cln_tensor_numel(t).
 * @return as cln_tensor_download().
 */
CLN_API cln_status cln_tensor_download_f64(const cln_tensor *t, double *host, size_t count);

/**
 * @brief Sets every element to value. Enqueued, does not wait.
 * @param t the tensor. @param value converted to its dtype.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; an OpenCL code.
 */
CLN_API cln_status cln_tensor_fill(cln_tensor *t, double value);

/**
 * @brief Fills with normal(mean, std) values from the counter-based generator
 * Philox4x32-10: element i is cln_philox_normal(seed, stream, i) (random.h) scaled, so the
 * host can predict every value and one seed gives the same tensor on every device (up to
 * the rounding of the device's log and cos). Enqueued, does not wait.
 * @param t the tensor. @param mean the mean. @param std the standard deviation.
 * @param seed the generator's key. @param stream which of its streams.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; an OpenCL code.
 */
CLN_API cln_status cln_tensor_randn(cln_tensor *t, double mean, double std, uint64_t seed,
                            uint32_t stream);

/**
 * @brief Looks for NaN and infinity, on the device: the smallest row (index along the
 * first dimension; an element of a rank-1 tensor) holding one. Waits.
 * @param t the tensor.
 * @param[out] first_bad_row that row, or SIZE_MAX when every value is finite; may be NULL.
 * @return CLN_SUCCESS when every value is finite; CLN_ERR_NOT_FINITE (the message names the
 * row); CLN_ERR_BAD_ARGUMENT; an OpenCL code.
 */
CLN_API cln_status cln_tensor_check_finite(const cln_tensor *t, size_t *first_bad_row);

/** @brief The context a tensor belongs to. @param t the tensor. @return its context. */
CLN_API cln_context *cln_tensor_context(const cln_tensor *t);
/** @brief Element type. @param t the tensor. @return its dtype. */
CLN_API cln_dtype cln_tensor_dtype(const cln_tensor *t);
/** @brief Number of dimensions. @param t the tensor. @return 1 to CLN_MAX_RANK. */
CLN_API size_t cln_tensor_rank(const cln_tensor *t);
/** @brief One dimension. @param t the tensor. @param axis from 0.
 * @return its size; 0 when axis >= rank. */
CLN_API size_t cln_tensor_dim(const cln_tensor *t, size_t axis);   /* 0 when axis >= rank */
/** @brief Number of elements. @param t the tensor. @return the product of the shape. */
CLN_API size_t cln_tensor_numel(const cln_tensor *t);
/** @brief Size in bytes. @param t the tensor. @return numel times the element size. */
CLN_API size_t cln_tensor_nbytes(const cln_tensor *t);
/** @brief The buffer, for use with OpenCL or CLBlast; owned by the tensor.
 * @param t the tensor. @return the cl_mem (shared by views). */
CLN_API cl_mem cln_tensor_buffer(const cln_tensor *t);
/** @brief Where the tensor starts in its buffer. @param t the tensor.
 * @return the element offset of its first element. */
CLN_API size_t cln_tensor_offset(const cln_tensor *t);

#ifdef __cplusplus
}
#endif
#endif
