/**
 * @file types.h
 * @brief The element types of tensors, datasets and models, for every header above it.
 */
#ifndef CLNUM_TYPES_H
#define CLNUM_TYPES_H

#include "clnum/export.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Element type of a tensor, a dataset or a model's parameters. */
typedef enum cln_dtype {
    CLN_FLOAT32 = 0,     /**< float */
    CLN_FLOAT64 = 1      /**< double: needs cl_khr_fp64, else CLN_ERR_NO_FLOAT64 */
} cln_dtype;

/**
 * @brief Size in bytes of one element of dtype.
 * @param dtype the element type.
 * @return 4 or 8; 0 for an unknown dtype.
 */
CLN_API size_t cln_dtype_size(cln_dtype dtype);

#ifdef __cplusplus
}
#endif

#endif
