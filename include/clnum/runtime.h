/**
 * @file runtime.h
 * @brief Devices, the context, and the messages of failures.
 *
 * A cln_context owns one OpenCL device, one in-order command queue, the kernel programs
 * built for that device and every tensor, dataset and model made in it. Ops enqueue on
 * the queue and return at once; only reads to the host and cln_context_finish() wait.
 * A context is used by one thread at a time; two contexts may run in two threads. */
#ifndef CLNUM_RUNTIME_H
#define CLNUM_RUNTIME_H

#include "clnum/export.h"

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>
#include <stddef.h>
#include <stdint.h>

#include "clnum/status.h"
#include "clnum/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One device, its queue, its programs and everything made in it. Opaque. */
typedef struct cln_context cln_context;

/** The kind of a device, from CL_DEVICE_TYPE. */
typedef enum cln_device_type {
    CLN_DEVICE_OTHER = 0,       /**< none of the below (custom, default) */
    CLN_DEVICE_CPU = 1,         /**< a CPU (PoCL, Intel's CPU runtime) */
    CLN_DEVICE_GPU = 2,         /**< a GPU */
    CLN_DEVICE_ACCELERATOR = 3  /**< an accelerator (FPGA, DSP) */
} cln_device_type;

/** What the library knows of one device, for listing and choosing. */
typedef struct cln_device_info {
    size_t platform_index;      /**< index of its platform, from 0 */
    size_t device_index;        /**< within its platform */
    char platform_name[128];    /**< CL_PLATFORM_NAME */
    char device_name[128];      /**< CL_DEVICE_NAME */
    char vendor[128];           /**< CL_DEVICE_VENDOR */
    char driver_version[64];    /**< CL_DRIVER_VERSION */
    char opencl_c_version[64];  /**< as the device reports it, e.g. "OpenCL C 1.2 PoCL" */
    cln_device_type type;       /**< CPU, GPU, ... */
    /** CL_DEVICE_GLOBAL_MEM_SIZE, or less: CLNUM_DEVICE_MEMORY=SIZE in the environment (bytes,
     * with an optional K, M or G suffix for KiB, MiB, GiB: "1G") makes every device look at
     * most that large to the library (cln_devices_list(), hence cln_context_create()): what
     * it keeps on the device, refuses as too large or streams from the host, it decides by
     * these two figures. A size at or above the device's own changes nothing; a malformed
     * one (not a whole number above 0, another suffix) is refused with CLN_ERR_PARSE, naming
     * the variable. */
    uint64_t global_mem_bytes;
    /** CL_DEVICE_MAX_MEM_ALLOC_SIZE; under a CLNUM_DEVICE_MEMORY below the device's global
     * memory, at most a quarter of that size (OpenCL's least for a device that large). */
    uint64_t max_alloc_bytes;
    uint64_t local_mem_bytes;   /**< CL_DEVICE_LOCAL_MEM_SIZE */
    unsigned compute_units;     /**< CL_DEVICE_MAX_COMPUTE_UNITS */
    size_t max_work_group_size; /**< CL_DEVICE_MAX_WORK_GROUP_SIZE */
    int has_float64;            /**< cl_khr_fp64 */
    /** Device-scope acquire/release atomics and fences (OpenCL C 2.x, or 3.0's optional
     * features): the kernels that hand work from one work-group to another order it with
     * them, built as OpenCL C 2.0 or 3.0; without them, with OpenCL 1.2's fences. In a
     * context's info (cln_context_device()), whether its kernels use them:
     * CLNUM_OPENCL_C=1.2 in the environment turns them off. */
    int has_device_acq_rel;
    /** The self-check of the training paths (trainer.h). Before cln_fit() first takes a path
     * other than the stepwise one on a device, each fast path (fused, epoch, persistent) is
     * run on small problems (ragged sizes, many minibatches, several work-groups) and
     * compared with a double-precision replica of the same fit on the host; a path that
     * differs beyond float rounding, or fails,
     * is switched off on that device: CLN_PATH_AUTO does not take it and cln_fit() refuses
     * it with the reason. The verdict is kept beside the program cache, per device, driver,
     * library version and dtype, so later runs only read it. These fields give the float32
     * verdict: in cln_devices_list() as the cache has it, in a context's info once its first
     * fit has checked. 1 when the device has been checked, 0 when not yet. */
    int paths_checked;
    /** Bit (1u << path) set for each cln_train_path switched off on the device. */
    unsigned paths_disabled;
    /** Iterations after which the device ends a work-item's loops, which OpenCL does not
     * allow but some drivers do (llvmpipe: 65535, counted over all the loops of a kernel);
     * 0 when the probe's 2^20 iterations all ran. The trainer keeps each work-item's loops
     * under it, and switches off the persistent path (its waits cannot be bounded). */
    uint32_t loop_limit;
    /** Why paths are switched off, one line; "" when none is. */
    char paths_note[256];
} cln_device_info;

/** A parsed device selector, "PLATFORM:DEVICE", like PYOPENCL_CTX. Each part is an index
 * ("0"), a case-insensitive substring of the name ("nvidia", "h100"), a type ("gpu",
 * "cpu", "accelerator": matches the type or the name), or empty (anything). "P" alone
 * means "P:". */
typedef struct cln_device_selector {
    long platform_index;        /**< -1: not given by index */
    char platform_name[128];    /**< "" : not given by name */
    long device_index;          /**< -1: not given by index */
    char device_name[128];      /**< "" : not given by name */
} cln_device_selector;

/**
 * @brief Parses a selector.
 * @param text "PLATFORM:DEVICE"; NULL or "" gives an empty selector (the default device).
 * @param[out] out the selector.
 * @return CLN_SUCCESS; CLN_ERR_PARSE for malformed text; CLN_ERR_BAD_ARGUMENT for NULL out.
 */
CLN_API cln_status cln_device_selector_parse(const char *text, cln_device_selector *out);

/**
 * @brief Every device of every platform.
 * @param[out] out the list, allocated by the library: free it with cln_devices_free().
 * @param[out] count its length.
 * @return CLN_SUCCESS; CLN_ERR_NO_DEVICE on a machine with no OpenCL platform; an OpenCL
 * code when a query fails; CLN_ERR_PARSE for a malformed CLNUM_DEVICE_MEMORY
 * (cln_device_info); CLN_ERR_OUT_OF_HOST_MEMORY.
 */
CLN_API cln_status cln_devices_list(cln_device_info **out, size_t *count);
/**
 * @brief Frees a list from cln_devices_list().
 * @param list the list; NULL is a no-op.
 */
CLN_API void cln_devices_free(cln_device_info *list);

/**
 * @brief Chooses from a list: the first device the selector matches; with an empty
 * selector, the first GPU, else the first device.
 * @param list     devices from cln_devices_list().
 * @param count    their number.
 * @param selector what to match (cln_device_selector_parse()).
 * @param[out] chosen index into list.
 * @return CLN_SUCCESS; CLN_ERR_NO_DEVICE when nothing matches (the message names the
 * selector); CLN_ERR_BAD_ARGUMENT for NULL pointers.
 */
CLN_API cln_status cln_devices_choose(const cln_device_info *list, size_t count,
                              const cln_device_selector *selector, size_t *chosen);

/**
 * @brief Creates a context on the device that `selector` names.
 * @param selector "PLATFORM:DEVICE"; NULL means the environment variable CLNUM_DEVICE if
 *                 set, else the default device.
 * @param[out] out the context; free it with cln_context_free().
 * @return CLN_SUCCESS; CLN_ERR_PARSE, CLN_ERR_NO_DEVICE, an OpenCL code or
 * CLN_ERR_OUT_OF_HOST_MEMORY, with the message in cln_last_error(NULL).
 */
CLN_API cln_status cln_context_create(const char *selector, cln_context **out);
/**
 * @brief Frees the context and everything still made in it (tensors, datasets, loaders,
 * models, layers): handles to them become invalid.
 * @param ctx the context; NULL is a no-op.
 */
CLN_API void cln_context_free(cln_context *ctx);

/**
 * @brief Waits until every enqueued command of the context has finished.
 * @param ctx the context.
 * @return CLN_SUCCESS, or the OpenCL code of a command that failed.
 */
CLN_API cln_status cln_context_finish(cln_context *ctx);

/**
 * @brief The device the context runs on.
 * @param ctx the context.
 * @return its description, owned by the context.
 */
CLN_API const cln_device_info *cln_context_device(const cln_context *ctx);

/**
 * @brief The message of the last failure in this context, or, with ctx NULL, of the last
 * failure of this thread outside any context (context creation, listing, parsing, the
 * host-only functions of csv.h, solve.h and plot.h; a context's failures are copied there
 * too).
 * @param ctx the context, or NULL.
 * @return "" if none; owned by the library, valid until the next call that fails.
 */
CLN_API const char *cln_last_error(const cln_context *ctx);
/**
 * @brief Sets the message cln_last_error() returns, printf-style, for code outside the
 * library that fails on the library's behalf (a model's functions, model.h).
 * @param ctx the context (NULL: the thread's message). @param status returned as it is.
 * @param fmt the message's format. @return status.
 */
CLN_API cln_status cln_context_set_error(cln_context *ctx, cln_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/**
 * @brief The folder of the program cache (cln_context_build() says what it holds):
 * $CLNUM_CACHE_DIR, else $XDG_CACHE_HOME/clnum, else $HOME/.cache/clnum.
 * @param[out] dir the folder's path, a string of at most cap - 1 bytes.
 * @param cap the size of dir.
 * @return 1; 0 when caching is off (CLNUM_CACHE_DIR=off, or none of the three is set) or the
 * path does not fit in cap bytes.
 */
CLN_API int cln_cache_dir(char *dir, size_t cap);

/**
 * @brief Builds the context's kernel program for a dtype now rather than at first use
 * (the bench times this).
 *
 * Built programs are kept on disk and reused by later processes: in $CLNUM_CACHE_DIR, else
 * $XDG_CACHE_HOME/clnum, else ~/.cache/clnum; CLNUM_CACHE_DIR=off turns this off. An entry
 * is keyed by the kernel sources, the build options, the device, its driver and clnum's
 * version; a corrupt or stale entry is ignored and rebuilt.
 * @param ctx   the context.
 * @param dtype the kernels' element type.
 * @return CLN_SUCCESS; CLN_ERR_BUILD_FAILED with the build log in the message;
 * CLN_ERR_NO_FLOAT64; CLN_ERR_BAD_ARGUMENT.
 */
CLN_API cln_status cln_context_build(cln_context *ctx, cln_dtype dtype);

/**
 * @brief Runs the device self-check for one dtype's kernels now (cln_device_info's
 * paths_checked), rather than at the first cln_fit() that could take a fast path: it builds
 * the kernels if needed, reads the cached verdict or runs the check, and fills the context's
 * info (cln_context_device()). A check that cannot run switches every fast path off for
 * this context, with the reason in paths_note, and is not cached.
 * @param ctx the context. @param dtype CLN_FLOAT32 or CLN_FLOAT64.
 * @return CLN_SUCCESS, CLN_ERR_BAD_ARGUMENT, or the build's error.
 */
CLN_API cln_status cln_context_selfcheck(cln_context *ctx, cln_dtype dtype);

/** Where a built program came from (cln_context_build_origin()). */
typedef enum cln_build_origin {
    CLN_BUILD_NONE = 0,        /**< not built yet */
    CLN_BUILD_FROM_SOURCE = 1, /**< compiled (and then stored in the cache) */
    CLN_BUILD_FROM_CACHE = 2   /**< loaded from the on-disk cache */
} cln_build_origin;

/**
 * @brief Where the program of a dtype came from.
 * @param ctx   the context.
 * @param dtype the element type.
 * @return CLN_BUILD_NONE until it is built.
 */
CLN_API cln_build_origin cln_context_build_origin(const cln_context *ctx, cln_dtype dtype);

/**
 * @brief The context's OpenCL objects, for interoperation (CLBlast, your own kernels).
 * They stay owned by the context: do not release them.
 * @param ctx the context.
 * @param[out] context the cl_context, or NULL.
 * @param[out] device  the cl_device_id, or NULL.
 * @param[out] queue   the in-order cl_command_queue, or NULL.
 * @return CLN_SUCCESS, or CLN_ERR_BAD_ARGUMENT for a NULL ctx.
 */
CLN_API cln_status cln_context_cl(const cln_context *ctx, cl_context *context, cl_device_id *device,
                          cl_command_queue *queue);

/**
 * @brief Number of commands (kernel launches, buffer writes and reads, CLBlast calls) this
 * context has enqueued since it was created: lets a caller count enqueues per step.
 * @param ctx the context.
 * @return the count.
 */
CLN_API uint64_t cln_context_enqueue_count(const cln_context *ctx);

/**
 * @brief Number of objects a user made in this context and has not freed: tensors and
 * views, datasets, loaders, models (what cln_context_free() would free). The tensors a
 * dataset or a model owns are not counted apart. Lets a program or a test check that it
 * frees what it makes.
 * @param ctx the context; NULL gives 0.
 * @return the count.
 */
CLN_API size_t cln_context_live_objects(const cln_context *ctx);

/**
 * @brief Number of contexts created and not yet freed in this process, by every thread.
 * @return the count.
 */
CLN_API size_t cln_live_contexts(void);

#ifdef __cplusplus
}
#endif
#endif
