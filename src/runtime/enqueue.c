/* The library's enqueues (enqueue.h): counted, and their errors made statuses, in one place. */
#include <stdio.h>

#include "runtime/enqueue.h"

static cln_status counted(cln_context *ctx, cl_int err, const char *what)
{
    ctx->enqueues++;
    return err == CL_SUCCESS ? CLN_SUCCESS : clni_cl_fail(ctx, err, what);
}

void clni_count_enqueue(cln_context *ctx) { ctx->enqueues++; }

cln_status clni_enqueue_write(cln_context *ctx, cl_command_queue q, cl_mem buffer,
                              cl_bool blocking, size_t offset, size_t bytes, const void *src,
                              cl_uint num_wait, const cl_event *wait, cl_event *done,
                              const char *what)
{
    return counted(ctx, clEnqueueWriteBuffer(q, buffer, blocking, offset, bytes, src, num_wait,
                                             num_wait ? wait : NULL, done),
                   what);
}

cln_status clni_enqueue_read(cln_context *ctx, cl_mem buffer, cl_bool blocking, size_t offset,
                             size_t bytes, void *dst, cl_event *done, const char *what)
{
    return counted(ctx, clEnqueueReadBuffer(ctx->queue, buffer, blocking, offset, bytes, dst, 0,
                                            NULL, done),
                   what);
}

cln_status clni_enqueue_copy(cln_context *ctx, cl_mem src, size_t src_offset, cl_mem dst,
                             size_t dst_offset, size_t bytes, const char *what)
{
    return counted(ctx, clEnqueueCopyBuffer(ctx->queue, src, dst, src_offset, dst_offset, bytes,
                                            0, NULL, NULL),
                   what);
}

cln_status clni_enqueue_kernel(cln_context *ctx, cl_kernel kernel, const char *name, size_t global,
                               size_t local)
{
    cl_int err = clEnqueueNDRangeKernel(ctx->queue, kernel, 1, NULL, &global,
                                        local ? &local : NULL, 0, NULL, NULL);
    ctx->enqueues++;
    if (err == CL_SUCCESS)
        return CLN_SUCCESS;
    return clni_fail(ctx, (cln_status)err, "enqueue %s (global %zu, local %zu): %s (%d)", name,
                     global, local, cln_status_str(err), (int)err);
}

cln_status clni_enqueue_barrier(cln_context *ctx, cl_command_queue q, cl_uint num_wait,
                                const cl_event *wait, const char *what)
{
    return counted(ctx, clEnqueueBarrierWithWaitList(q, num_wait, num_wait ? wait : NULL, NULL),
                   what);
}

cln_status clni_enqueue_marker(cln_context *ctx, cl_command_queue q, cl_event *done,
                               const char *what)
{
    return counted(ctx, clEnqueueMarkerWithWaitList(q, 0, NULL, done), what);
}

cln_status clni_enqueue_map_write(cln_context *ctx, cl_command_queue q, cl_mem buffer,
                                  size_t bytes, void **host, const char *what)
{
    cl_int err;
    *host = clEnqueueMapBuffer(q, buffer, CL_TRUE, CL_MAP_WRITE, 0, bytes, 0, NULL, NULL, &err);
    if (err != CL_SUCCESS)
        *host = NULL;
    return counted(ctx, err, what);
}

cln_status clni_enqueue_unmap(cln_context *ctx, cl_command_queue q, cl_mem buffer, void *host,
                              const char *what)
{
    return counted(ctx, clEnqueueUnmapMemObject(q, buffer, host, 0, NULL, NULL), what);
}
