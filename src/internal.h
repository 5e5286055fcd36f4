/* clnum internals shared by the source files; not installed. Internal names use the
 * clni_ prefix. */
#ifndef CLNUM_INTERNAL_H
#define CLNUM_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "clnum/clnum.h"

/* ---- kernels ---------------------------------------------------------------------- */

/* Every kernel the library launches; clni_kernel_names in program.c lists their names. */
typedef enum clni_kernel_id {
    CLNI_K_FILL,
    CLNI_K_RANDN,
    CLNI_K_AXPY,
    CLNI_K_SCALE,
    CLNI_K_SUM_PARTIAL,
    CLNI_K_SUM_FINAL,
    CLNI_K_SYNTH_TARGETS,
    CLNI_K_LINREG_FORWARD,
    CLNI_K_LINREG_LOSS,
    CLNI_K_LINREG_BACKWARD,
    CLNI_K_LINREG_SGD,
    CLNI_K_LINREG_FUSED_STEP,
    CLNI_K_LINREG_EPOCH,
    CLNI_K_LINREG_EPOCH_GROUPS, /* cl/linreg_persistent.cl */
    CLNI_K_CHECK_FINITE,
    CLNI_K_LINREG_BATCH_SUMS,  /* cl/linreg_dist.cl: data-parallel steps (src/dist.c) */
    CLNI_K_LINREG_APPLY_SUMS,
    CLNI_K_RANDN_RANGE,        /* synthetic rows by range (shards, host datasets) */
    CLNI_K_SYNTH_ROWS_Y,
    CLNI_K_LOOP_PROBE,         /* cl/selfcheck.cl: the device self-check (src/selfcheck.c) */
    CLNI_K_SOFTMAX_FORWARD,    /* cl/softmax.cl: softmax regression (src/softmax.c) */
    CLNI_K_SOFTMAX_LOSS,
    CLNI_K_SOFTMAX_ACCURACY,
    CLNI_K_SOFTMAX_DELTA,
    CLNI_K_SOFTMAX_GRADS,
    CLNI_K_SOFTMAX_STEP,
    CLNI_K_SOFTMAX_FUSED_STEP, /* its fast paths (src/softmax_paths.c) */
    CLNI_K_SOFTMAX_EPOCH,
    CLNI_K_COUNT
} clni_kernel_id;

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
    char note[256];       /* why */
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

struct cln_tensor {
    clni_object obj;
    cln_context *ctx;
    int registered;            /* owned by the user (in the context's list), not by a parent */
    cl_mem buffer;             /* retained by every tensor that shares it */
    cln_dtype dtype;
    size_t rank;
    size_t shape[CLN_MAX_RANK];
    size_t offset;             /* elements */
    size_t numel;
};

/* A read-write buffer of bytes; on CPU devices large ones are huge-page host memory
 * (buffer.c). As clCreateBuffer. */
cl_mem clni_create_buffer(cln_context *ctx, size_t bytes, cl_int *err);
/* A tensor owned by a library object (a dataset's X, a model's w): not in the context's
 * list, freed by its owner with clni_tensor_destroy(). */
cln_status clni_tensor_new(cln_context *ctx, cln_dtype dtype, size_t rank, const size_t *shape,
                           int registered, cln_tensor **out);
cln_status clni_tensor_view(cln_tensor *t, size_t first, size_t count, int registered,
                            cln_tensor **out);
void clni_tensor_destroy(cln_tensor *t);

struct cln_loader {
    clni_object obj;
    cln_context *ctx;
    size_t num_rows, batch_size, num_batches;
    int shuffle;
    uint64_t seed;
    uint32_t *orders[2];       /* host orders of even and odd epochs (shuffle only): an
                                  epoch's upload may still be pending while the next is drawn */
    uint32_t *order;           /* the current epoch's: one of orders[] */
    cl_mem index;              /* the current order on the device (shuffle only, and not for
                                  a host-order loader) */
    /* Draws an epoch's order instead of cln_shuffle_order (cln_trainer_config.draw_order). */
    cln_status (*draw)(size_t epoch, uint32_t *order, size_t num_rows, void *user);
    void *draw_user;
};

/* cln_loader_create, and with device_index 0 a shuffled loader whose order stays on the host
 * (no index buffer, nothing uploaded): the streamed trainer gathers rows on the host. */
cln_status clni_loader_new(cln_context *ctx, size_t num_rows, size_t batch_size, int shuffle,
                           uint64_t seed, int device_index, cln_loader **out);

/* Draws epoch `epoch`'s order and enqueues its upload without waiting. The host copy of
 * epoch e is overwritten when epoch e + 2 is drawn: the caller must have waited for a
 * command enqueued after this upload by then. */
cln_status clni_loader_start_epoch_async(cln_loader *l, size_t epoch);

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
/* Tensors of one call must share ctx and dtype. */
cln_status clni_check_same(const cln_tensor *a, const cln_tensor *b, const char *fn);
/* The device buffer of the current epoch's order, or NULL for an in-order loader. */
cl_mem clni_loader_index(const cln_loader *l);
/* The smallest row (index along the first dimension) of t holding a NaN or an infinity,
 * found on the device (cl/check.cl, src/check.c); SIZE_MAX when every value is finite.
 * Waits. */
cln_status clni_first_nonfinite_row(const cln_tensor *t, size_t *row);

/* ---- live objects ------------------------------------------------------------------- */

/* Contexts created and not yet freed in this process (cln_live_contexts()). */
void clni_live_contexts_add(int delta);

/* ---- host-resident and sharded datasets (dataset.c, stream_data.c) ------------------- */

/* dataset_new: the object, and unless on_host its X and y tensors and split views. */
cln_status clni_dataset_new(cln_context *ctx, cln_dtype dtype, size_t num_inputs,
                            size_t num_train, size_t num_val, int on_host, const char *fn,
                            cln_dataset **out);
/* Makes ds host-resident over X and y (in its dtype); owned: freed with it. */
void clni_dataset_set_host(cln_dataset *ds, void *X, void *y, int owned);
cln_status clni_dataset_set_true(cln_dataset *ds, const double *w, double b);
/* The whole X and y of a dataset on the device (NULL on the host). */
cln_tensor *clni_dataset_X(cln_dataset *ds);
cln_tensor *clni_dataset_y(cln_dataset *ds);
/* The true w a synthetic configuration asks for (num_inputs values). */
void clni_synthetic_true_w(const cln_synthetic_config *cfg, double *w);
/* CLN_PLACE_AUTO's rule: X within the largest allocation, X, y and the order (4 bytes a
 * training row) within 3/4 of the global memory. */
int clni_rows_fit_device(const cln_context *ctx, cln_dtype dtype, size_t rows, size_t d,
                         size_t num_train);
/* cln_dataset_create_placed with CLN_PLACE_HOST: a converted, checked host copy. */
cln_status clni_dataset_create_host(cln_context *ctx, cln_dtype dtype, const double *X,
                                    const double *y, size_t num_rows, size_t num_inputs,
                                    size_t num_train, const char *fn, cln_dataset **out);
/* cln_synthetic_create for a shard or host rows: drawn a range of rows at a time. */
cln_status clni_synthetic_by_rows(cln_context *ctx, const cln_synthetic_config *cfg,
                                  cln_dataset **out);

#endif
