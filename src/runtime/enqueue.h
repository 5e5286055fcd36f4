/* Every command the library enqueues goes through these. Each counts one enqueue on the
 * context (cln_context_enqueues(), which tests and the bench read to show how many commands
 * a minibatch costs) and turns an OpenCL error into a status whose message is
 * "<what>: CL_... (-n)". q is a queue of ctx: its compute queue, or a stream's copy queue.
 * wait (num_wait events) and done are OpenCL's event lists; done NULL makes no event. */
#ifndef CLNUM_ENQUEUE_H
#define CLNUM_ENQUEUE_H

#include "runtime/internal.h"

/* Host to device, on q after the events in wait. */
cln_status clni_enqueue_write(cln_context *ctx, cl_command_queue q, cl_mem buffer,
                              cl_bool blocking, size_t offset, size_t bytes, const void *src,
                              cl_uint num_wait, const cl_event *wait, cl_event *done,
                              const char *what);
/* Device to host, on the compute queue. */
cln_status clni_enqueue_read(cln_context *ctx, cl_mem buffer, cl_bool blocking, size_t offset,
                             size_t bytes, void *dst, cl_event *done, const char *what);
/* Device to device, on the compute queue. */
cln_status clni_enqueue_copy(cln_context *ctx, cl_mem src, size_t src_offset, cl_mem dst,
                             size_t dst_offset, size_t bytes, const char *what);
/* A 1-D range of `global` items in groups of `local` (0: the driver's choice), on the
 * compute queue; an error names the kernel and the range. */
cln_status clni_enqueue_kernel(cln_context *ctx, cl_kernel kernel, const char *name, size_t global,
                               size_t local);
/* Commands enqueued on q after it wait for the events in wait. */
cln_status clni_enqueue_barrier(cln_context *ctx, cl_command_queue q, cl_uint num_wait,
                                const cl_event *wait, const char *what);
/* An event (*done) that completes when every command enqueued on q before it has. */
cln_status clni_enqueue_marker(cln_context *ctx, cl_command_queue q, cl_event *done,
                               const char *what);
/* Maps `bytes` of buffer for writing (blocking) into *host. */
cln_status clni_enqueue_map_write(cln_context *ctx, cl_command_queue q, cl_mem buffer,
                                  size_t bytes, void **host, const char *what);
cln_status clni_enqueue_unmap(cln_context *ctx, cl_command_queue q, cl_mem buffer, void *host,
                              const char *what);
/* Counts a command enqueued by another library on the context's queue (CLBlast's). */
void clni_count_enqueue(cln_context *ctx);

#endif
