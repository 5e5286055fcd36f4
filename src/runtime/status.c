/* Status names, and the recording of failure messages. */
#include <stdio.h>
#include <string.h>

#include "clnum/clnum.h"
#include "runtime/internal.h"

const char *cln_status_str(int status)
{
    switch (status) {
    case CLN_SUCCESS: return "success";
    case CLN_ERR_BAD_ARGUMENT: return "bad argument";
    case CLN_ERR_SHAPE_MISMATCH: return "shape mismatch";
    case CLN_ERR_OUT_OF_DEVICE_MEMORY: return "out of device memory";
    case CLN_ERR_NO_FLOAT64: return "device has no float64";
    case CLN_ERR_NOT_FINITE: return "not finite";
    case CLN_ERR_DIVERGED: return "diverged";
    case CLN_ERR_IO: return "i/o error";
    case CLN_ERR_PARSE: return "parse error";
    case CLN_ERR_NO_DEVICE: return "no device";
    case CLN_ERR_BUILD_FAILED: return "kernel build failed";
    case CLN_ERR_OUT_OF_HOST_MEMORY: return "out of host memory";
    case CLN_ERR_BLAS: return "CLBlast error";
    case CLN_ERR_UNSUPPORTED: return "unsupported";
#define CL_CODE(c) case c: return #c
    CL_CODE(CL_DEVICE_NOT_FOUND);
    CL_CODE(CL_DEVICE_NOT_AVAILABLE);
    CL_CODE(CL_COMPILER_NOT_AVAILABLE);
    CL_CODE(CL_MEM_OBJECT_ALLOCATION_FAILURE);
    CL_CODE(CL_OUT_OF_RESOURCES);
    CL_CODE(CL_OUT_OF_HOST_MEMORY);
    CL_CODE(CL_PROFILING_INFO_NOT_AVAILABLE);
    CL_CODE(CL_MEM_COPY_OVERLAP);
    CL_CODE(CL_IMAGE_FORMAT_MISMATCH);
    CL_CODE(CL_IMAGE_FORMAT_NOT_SUPPORTED);
    CL_CODE(CL_BUILD_PROGRAM_FAILURE);
    CL_CODE(CL_MAP_FAILURE);
    CL_CODE(CL_MISALIGNED_SUB_BUFFER_OFFSET);
    CL_CODE(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
    CL_CODE(CL_COMPILE_PROGRAM_FAILURE);
    CL_CODE(CL_LINKER_NOT_AVAILABLE);
    CL_CODE(CL_LINK_PROGRAM_FAILURE);
    CL_CODE(CL_DEVICE_PARTITION_FAILED);
    CL_CODE(CL_KERNEL_ARG_INFO_NOT_AVAILABLE);
    CL_CODE(CL_INVALID_VALUE);
    CL_CODE(CL_INVALID_DEVICE_TYPE);
    CL_CODE(CL_INVALID_PLATFORM);
    CL_CODE(CL_INVALID_DEVICE);
    CL_CODE(CL_INVALID_CONTEXT);
    CL_CODE(CL_INVALID_QUEUE_PROPERTIES);
    CL_CODE(CL_INVALID_COMMAND_QUEUE);
    CL_CODE(CL_INVALID_HOST_PTR);
    CL_CODE(CL_INVALID_MEM_OBJECT);
    CL_CODE(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR);
    CL_CODE(CL_INVALID_IMAGE_SIZE);
    CL_CODE(CL_INVALID_SAMPLER);
    CL_CODE(CL_INVALID_BINARY);
    CL_CODE(CL_INVALID_BUILD_OPTIONS);
    CL_CODE(CL_INVALID_PROGRAM);
    CL_CODE(CL_INVALID_PROGRAM_EXECUTABLE);
    CL_CODE(CL_INVALID_KERNEL_NAME);
    CL_CODE(CL_INVALID_KERNEL_DEFINITION);
    CL_CODE(CL_INVALID_KERNEL);
    CL_CODE(CL_INVALID_ARG_INDEX);
    CL_CODE(CL_INVALID_ARG_VALUE);
    CL_CODE(CL_INVALID_ARG_SIZE);
    CL_CODE(CL_INVALID_KERNEL_ARGS);
    CL_CODE(CL_INVALID_WORK_DIMENSION);
    CL_CODE(CL_INVALID_WORK_GROUP_SIZE);
    CL_CODE(CL_INVALID_WORK_ITEM_SIZE);
    CL_CODE(CL_INVALID_GLOBAL_OFFSET);
    CL_CODE(CL_INVALID_EVENT_WAIT_LIST);
    CL_CODE(CL_INVALID_EVENT);
    CL_CODE(CL_INVALID_OPERATION);
    CL_CODE(CL_INVALID_GL_OBJECT);
    CL_CODE(CL_INVALID_BUFFER_SIZE);
    CL_CODE(CL_INVALID_MIP_LEVEL);
    CL_CODE(CL_INVALID_GLOBAL_WORK_SIZE);
    CL_CODE(CL_INVALID_PROPERTY);
    CL_CODE(CL_INVALID_IMAGE_DESCRIPTOR);
    CL_CODE(CL_INVALID_COMPILER_OPTIONS);
    CL_CODE(CL_INVALID_LINKER_OPTIONS);
    CL_CODE(CL_INVALID_DEVICE_PARTITION_COUNT);
#undef CL_CODE
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR";
    default: return "unknown status";
    }
}

/* Messages of failures outside any context (creation, listing, parsing), per thread. */
static _Thread_local char thread_error[4096];

cln_status clni_fail(cln_context *ctx, cln_status status, const char *fmt, ...)
{
    char *dst = ctx ? ctx->error : thread_error;
    size_t cap = ctx ? sizeof ctx->error : sizeof thread_error;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
    if (ctx) /* keep the thread's copy too, so a caller without the context can see it */
        snprintf(thread_error, sizeof thread_error, "%s", ctx->error);
    return status;
}

cln_status clni_cl_fail(cln_context *ctx, cl_int err, const char *what)
{
    return clni_fail(ctx, (cln_status)err, "%s: %s (%d)", what, cln_status_str(err), (int)err);
}

cln_status cln_context_set_error(cln_context *ctx, cln_status status, const char *fmt, ...)
{
    char message[sizeof ctx->error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt ? fmt : "", ap);
    va_end(ap);
    return clni_fail(ctx, status, "%s", message);
}

const char *cln_last_error(const cln_context *ctx)
{
    return ctx ? ctx->error : thread_error;
}

cln_status clni_check_ptr(cln_context *ctx, const void *p, const char *fn, const char *name)
{
    if (p)
        return CLN_SUCCESS;
    return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: %s is NULL", fn, name);
}

const char *cln_version(void)
{
    return CLNUM_VERSION_STRING;
}
