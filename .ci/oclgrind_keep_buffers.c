/* Preloaded into the kernel tests run under Oclgrind (.ci/oclgrind.sh): every buffer gets one
 * extra reference, so no buffer is ever freed during the run and Oclgrind never hands a
 * freed buffer's number to a new one.
 *
 * Why: Oclgrind 21.10 (Debian 12) numbers buffers and reuses the number of a released one.
 * When the new buffer is larger, its --uninitialized checker misses kernel writes past the
 * old size and then reports a later read of those values as "Uninitialized value written
 * to global memory", although every byte was written. .ci/oclgrind_reuse_repro.c shows it
 * with plain OpenCL calls (no clnum). Keeping buffers alive hides nothing else: reads and
 * writes outside a buffer, uninitialised reads and data races are all still reported. */
#define _GNU_SOURCE
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <dlfcn.h>

typedef cl_mem (*create_buffer_fn)(cl_context, cl_mem_flags, size_t, void *, cl_int *);

cl_mem clCreateBuffer(cl_context context, cl_mem_flags flags, size_t size, void *host_ptr,
                      cl_int *errcode_ret)
{
    static create_buffer_fn next;
    if (!next)
        next = (create_buffer_fn)dlsym(RTLD_NEXT, "clCreateBuffer");
    cl_mem m = next(context, flags, size, host_ptr, errcode_ret);
    if (m)
        clRetainMemObject(m);
    return m;
}
