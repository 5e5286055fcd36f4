/**
 * @file status.h
 * @brief Status codes: what every fallible call returns.
 *
 * Every fallible call returns a cln_status. 0 is success. OpenCL's own error codes
 * (CL_OUT_OF_RESOURCES = -5, CL_INVALID_VALUE = -30, ...) are passed through unchanged;
 * the library's own codes live in their own range, -4000 and below, so the two never
 * collide. The detail of the last failure (which argument, which sizes, the build log)
 * is kept as a message: see cln_last_error() in runtime.h. */
#ifndef CLNUM_STATUS_H
#define CLNUM_STATUS_H

#include "clnum/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a call returns: 0 on success; OpenCL's codes (-1 .. -72 and vendor codes)
 * unchanged; the library's own from -4001 down. */
typedef enum cln_status {
    CLN_SUCCESS = 0,                   /**< success */
    /* -1 .. -72 and vendor codes: OpenCL's, unchanged. */
    CLN_ERR_BAD_ARGUMENT = -4001,      /**< NULL handle or pointer, size 0, value out of range */
    CLN_ERR_SHAPE_MISMATCH = -4002,    /**< tensors whose shapes do not fit together */
    CLN_ERR_OUT_OF_DEVICE_MEMORY = -4003, /**< larger than the device's memory or max allocation */
    CLN_ERR_NO_FLOAT64 = -4004,        /**< float64 asked of a device without cl_khr_fp64 */
    CLN_ERR_NOT_FINITE = -4005,        /**< NaN or infinity in the data */
    CLN_ERR_DIVERGED = -4006,          /**< the loss became NaN or infinite while training */
    CLN_ERR_IO = -4007,                /**< a file could not be read or written */
    CLN_ERR_PARSE = -4008,             /**< malformed text: a device selector, a number, a CSV */
    CLN_ERR_NO_DEVICE = -4009,         /**< no OpenCL device, or none matches the selector */
    CLN_ERR_BUILD_FAILED = -4010,      /**< a kernel program did not compile: the log is in the message */
    CLN_ERR_OUT_OF_HOST_MEMORY = -4011, /**< malloc failed */
    CLN_ERR_BLAS = -4012,              /**< CLBlast reported an error of its own */
    CLN_ERR_UNSUPPORTED = -4013        /**< a valid request this build or device cannot do */
} cln_status;

/**
 * @brief A short, constant, English name for a status ("bad argument", "CL_INVALID_VALUE").
 * @param status a cln_status or an OpenCL error code.
 * @return a static string, never NULL; unknown codes give "unknown status".
 */
CLN_API const char *cln_status_str(int status);

/**
 * @brief The version of the library linked at run time, "MAJOR.MINOR.PATCH" (clnum.h's
 * CLNUM_VERSION_STRING is the version of the headers compiled against).
 * @return a static string, never NULL.
 */
CLN_API const char *cln_version(void);

#ifdef __cplusplus
}
#endif
#endif
