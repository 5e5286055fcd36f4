/* The runtime's internals, shared by every layer above it (README.md's layout table): the context, the objects it owns, errors, kernels and launches. Not installed;
 * internal names use the clni_ prefix. */
#ifndef CLNUM_INTERNAL_H
#define CLNUM_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "clnum/clnum.h"
#include "runtime/kernel_list.h"

/* ---- kernels ---------------------------------------------------------------------- */

/* Every kernel the library launches (kernel_list.h). */
#define CLNI_KERNEL_ID(id, name) CLNI_K_##id,
#define CLNI_NO_FILE(file)
typedef enum clni_kernel_id { CLNI_KERNEL_LIST(CLNI_NO_FILE, CLNI_KERNEL_ID) CLNI_K_COUNT } clni_kernel_id;
#undef CLNI_KERNEL_ID
#undef CLNI_NO_FILE

/* Work-group size of the reduction kernels (a power of two, compiled in as CLN_WG). */
#define CLNI_MAX_WG 256

/* ---- objects owned by a context ------------------------------------------------------ */

/* Every object a user can free (tensor, dataset, loader, model) starts with this header, so
 * the context can free what the user did not. */
typedef struct clni_object {
    struct clni_object *prev, *next;
    void (*destroy)(struct clni_object *self);
    int first;   /* freed before the others: a caller's model, whose destroy may free them */
} clni_object;

/* What the device self-check found for one dtype's kernels (selfcheck.c). */
typedef enum clni_verdict_state {
    CLNI_VERDICT_NONE = 0,
    CLNI_VERDICT_RUNNING, /* its own fits plan without it */
    CLNI_VERDICT_DONE
} clni_verdict_state;
typedef struct clni_verdict {
    clni_verdict_state state;
    unsigned disabled;    /* bit 1 << cln_train_path for each path switched off */
    uint32_t loop_limit;  /* iterations after which the driver ends a loop; 0: none */
    char note[256];       /* why: each finding, "; " between them */
} clni_verdict;

struct cln_context {
    cl_platform_id platform;
    cl_device_id device;
    cl_context cl;
    cl_command_queue queue;
    cln_device_info info;
    size_t wg;                           /* CLN_WG for this device */
    char cl_std[16];                     /* "-cl-std=CL1.2" option value, "" if none */
    cl_program program[2];               /* per cln_dtype, built on first use */
    cln_build_origin build_origin[2];
    cl_kernel kernels[2][CLNI_K_COUNT];
    clni_object *objects_head, *objects_tail; /* oldest first */
    cl_mem scratch;                      /* reused temporary (reduction partials) */
    size_t scratch_bytes;
    uint64_t enqueues;
    clni_verdict verdict[2];             /* per cln_dtype */
    int test_break_path;                 /* CLNUM_TEST_BREAK_PATH's cln_train_path, 0: none */
    uint64_t sources_hash;               /* of the kernel sources its programs were built from */
    int finish_by_marker;                /* clFinish returns early here (clni_queue_finish) */
    char error[4096];
};

void clni_register(cln_context *ctx, clni_object *obj, void (*destroy)(clni_object *));
void clni_unregister(cln_context *ctx, clni_object *obj);

/* A read-write buffer of bytes; on CPU devices large ones are huge-page host memory
 * (buffer.c). As clCreateBuffer. */
cl_mem clni_create_buffer(cln_context *ctx, size_t bytes, cl_int *err);
/* Waits until every command enqueued on q (a queue of ctx) has finished, as clFinish
 * promises. Mesa's rusticl (22.3, Debian 12) returns from clFinish while flushed commands
 * still run, and host memory they read or write is freed right after: there it also waits
 * on a marker's event (which costs about 0.1 ms, so not where clFinish keeps its word). */
cl_int clni_queue_finish(const cln_context *ctx, cl_command_queue q);

/* ---- errors ----------------------------------------------------------------------------- */

/* Records a message for ctx (or, with ctx NULL, for this thread) and returns status. */
cln_status clni_fail(cln_context *ctx, cln_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* For an OpenCL error: "<what>: CL_OUT_OF_RESOURCES (-5)". Returns err as a status. */
cln_status clni_cl_fail(cln_context *ctx, cl_int err, const char *what);

#define CLNI_CHECK(call)                  \
    do {                                  \
        cln_status clni_st_ = (call);     \
        if (clni_st_ != CLN_SUCCESS)      \
            return clni_st_;              \
    } while (0)

/* ---- programs and launches ---------------------------------------------------------- */

cln_status clni_kernel(cln_context *ctx, cln_dtype dtype, clni_kernel_id id, cl_kernel *out);
/* The hash of the kernel sources built into the library (not CLNUM_KERNEL_DIR's). */
uint64_t clni_embedded_sources_hash(void);

/* One kernel argument: a value of `size` bytes, or (value NULL) local memory of `size`. */
typedef struct clni_arg {
    size_t size;
    const void *value;
} clni_arg;
#define CLNI_ARG(v) ((clni_arg){sizeof(v), &(v)})
#define CLNI_LOCAL(bytes) ((clni_arg){(bytes), NULL})
#define CLNI_ARGS(...) (clni_arg[]){__VA_ARGS__}, (sizeof((clni_arg[]){__VA_ARGS__}) / sizeof(clni_arg))

/* A scalar of the kernel's REAL type (float or double), passed by value. */
typedef struct clni_real {
    union {
        float f;
        double d;
    } v;
    size_t size;
} clni_real;
clni_real clni_real_make(cln_dtype dtype, double value);
#define CLNI_REAL(r) ((clni_arg){(r).size, &(r).v})

/* Sets the arguments and enqueues a 1-D range of `global` items (rounded up to a multiple
 * of `local`; local 0 lets the driver choose). `what` names it in an error. */
cln_status clni_launch(cln_context *ctx, cln_dtype dtype, clni_kernel_id id, size_t global,
                       size_t local, const clni_arg *args, size_t nargs);

/* Rounds n up to a multiple of m. */
static inline size_t clni_round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

/* A device buffer of at least `bytes`, owned by the context and reused by the next op
 * (safe because the queue is in order). */
cln_status clni_scratch(cln_context *ctx, size_t bytes, cl_mem *out);

/* Maps a CLBlast status: OpenCL codes pass through, CLBlast's own become CLN_ERR_BLAS. */
cln_status clni_blas_status(cln_context *ctx, int code, const char *what);

/* ---- checks -------------------------------------------------------------------------- */

/* CLN_ERR_BAD_ARGUMENT with "<fn>: <name> is NULL" when p is NULL. */
cln_status clni_check_ptr(cln_context *ctx, const void *p, const char *fn, const char *name);

/* ---- host values ------------------------------------------------------------------- */

/* n doubles into dst as dtype's values (float32: rounded to nearest), and back (exact). */
void clni_doubles_to_dtype(void *dst, cln_dtype dtype, const double *src, size_t n);
void clni_dtype_to_doubles(double *dst, cln_dtype dtype, const void *src, size_t n);

/* ---- live objects ------------------------------------------------------------------- */

/* Contexts created and not yet freed in this process (cln_live_contexts()). */
void clni_live_contexts_add(int delta);

#endif
