/* clnum: devices and the context.
 *
 * A cln_context owns one OpenCL device, one in-order command queue, the kernel programs
 * built for that device and every tensor, dataset and model made in it. Ops enqueue on
 * the queue and return at once; only reads to the host and cln_context_finish() wait.
 * A context is used by one thread at a time; two contexts may run in two threads. */
#ifndef CLNUM_RUNTIME_H
#define CLNUM_RUNTIME_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>
#include <stddef.h>
#include <stdint.h>

#include "clnum/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cln_context cln_context;

typedef enum cln_device_type {
    CLN_DEVICE_OTHER = 0,
    CLN_DEVICE_CPU = 1,
    CLN_DEVICE_GPU = 2,
    CLN_DEVICE_ACCELERATOR = 3
} cln_device_type;

/* What the library knows of one device, for listing and choosing. */
typedef struct cln_device_info {
    size_t platform_index;
    size_t device_index;        /* within its platform */
    char platform_name[128];
    char device_name[128];
    char vendor[128];
    char driver_version[64];
    char opencl_c_version[64];  /* as the device reports it, e.g. "OpenCL C 1.2 PoCL" */
    cln_device_type type;
    uint64_t global_mem_bytes;
    uint64_t max_alloc_bytes;   /* CL_DEVICE_MAX_MEM_ALLOC_SIZE */
    uint64_t local_mem_bytes;
    unsigned compute_units;
    size_t max_work_group_size;
    int has_float64;            /* cl_khr_fp64 */
} cln_device_info;

/* A parsed device selector, "PLATFORM:DEVICE", like PYOPENCL_CTX. Each part is an index
 * ("0"), a case-insensitive substring of the name ("nvidia", "h100"), a type ("gpu",
 * "cpu", "accelerator": matches the type or the name), or empty (anything). "P" alone
 * means "P:". */
typedef struct cln_device_selector {
    long platform_index;        /* -1: not given by index */
    char platform_name[128];    /* "" : not given by name */
    long device_index;
    char device_name[128];
} cln_device_selector;

/* Parses a selector. NULL or "" gives an empty selector (the default device). */
cln_status cln_device_selector_parse(const char *text, cln_device_selector *out);

/* Every device of every platform. Free the list with cln_devices_free(). A machine with
 * no OpenCL platform gives CLN_ERR_NO_DEVICE. */
cln_status cln_devices_list(cln_device_info **out, size_t *count);
void cln_devices_free(cln_device_info *list);

/* Chooses from a list: the first device the selector matches; with an empty selector,
 * the first GPU, else the first device. CLN_ERR_NO_DEVICE when nothing matches. */
cln_status cln_devices_choose(const cln_device_info *list, size_t count,
                              const cln_device_selector *selector, size_t *chosen);

/* Creates a context on the device that `selector` names. NULL means: the environment
 * variable CLNUM_DEVICE if set, else the default device. */
cln_status cln_context_create(const char *selector, cln_context **out);
/* Frees the context and everything still made in it. NULL is a no-op. */
void cln_context_free(cln_context *ctx);

/* Waits until every enqueued command of the context has finished. */
cln_status cln_context_finish(cln_context *ctx);

/* The device the context runs on. */
const cln_device_info *cln_context_device(const cln_context *ctx);

/* The message of the last failure in this context, or, with ctx NULL, of the last failure
 * of this thread outside any context (context creation, listing, parsing). "" if none.
 * Valid until the next call that fails. */
const char *cln_last_error(const cln_context *ctx);

/* Builds the context's kernel program for a dtype now rather than at first use (the
 * bench times this). dtype is a cln_dtype (tensor.h).
 *
 * Built programs are kept on disk and reused by later processes: in $CLNUM_CACHE_DIR, else
 * $XDG_CACHE_HOME/clnum, else ~/.cache/clnum; CLNUM_CACHE_DIR=off turns this off. An entry
 * is keyed by the kernel sources, the build options, the device, its driver and clnum's
 * version; a corrupt or stale entry is ignored and rebuilt. */
cln_status cln_context_build(cln_context *ctx, int dtype);

typedef enum cln_build_origin {
    CLN_BUILD_NONE = 0,        /* not built yet */
    CLN_BUILD_FROM_SOURCE = 1, /* compiled (and then stored in the cache) */
    CLN_BUILD_FROM_CACHE = 2   /* loaded from the on-disk cache */
} cln_build_origin;

/* Where the program of a dtype came from. */
cln_build_origin cln_context_build_origin(const cln_context *ctx, int dtype);

/* The context's OpenCL objects, for interoperation (CLBlast, your own kernels). Any out
 * pointer may be NULL. They stay owned by the context: do not release them. */
cln_status cln_context_cl(const cln_context *ctx, cl_context *context, cl_device_id *device,
                          cl_command_queue *queue);

/* Number of commands (kernel launches, buffer writes and reads, CLBlast calls) this
 * context has enqueued since it was created: lets a caller count enqueues per step. */
uint64_t cln_context_enqueue_count(const cln_context *ctx);

#ifdef __cplusplus
}
#endif
#endif
