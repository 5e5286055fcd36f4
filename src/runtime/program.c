/* Kernel programs: one per dtype, built from the embedded cl/ sources on first use, and
 * the launch helper every op goes through. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/enqueue.h"
#include "runtime/kernel_sources.h"
#include "runtime/program_cache.h"

#define KERNEL_NAME(id, name) [CLNI_K_##id] = name,
#define NO_FILE(file)
static const char *const kernel_names[CLNI_K_COUNT] = {CLNI_KERNEL_LIST(NO_FILE, KERNEL_NAME)};
#undef KERNEL_NAME
#undef NO_FILE

/* Reads file `name` from dir into a malloc'd string; NULL if it cannot. */
static char *read_file(const char *dir, const char *name, size_t *length)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)n + 1))) {
            if (fread(text, 1, (size_t)n, f) != (size_t)n) {
                free(text);
                text = NULL;
            } else {
                text[n] = '\0';
                *length = (size_t)n;
            }
        }
    }
    fclose(f);
    return text;
}

/* The build options: OpenCL C version, the REAL type, the work-group size, and whether the
 * hand-offs between work-groups use acquire/release (cl/runtime/handoff.cl). */
static void build_options(const cln_context *ctx, cln_dtype dtype, char *dst, size_t cap)
{
    int n = snprintf(dst, cap, "%s -DREAL=%s -DCLN_FP64=%d -DCLN_WG=%zu -DCLN_ACQ_REL=%d",
                     ctx->cl_std, dtype == CLN_FLOAT64 ? "double" : "float",
                     dtype == CLN_FLOAT64 ? 1 : 0, ctx->wg, ctx->info.has_device_acq_rel ? 1 : 0);
    if (ctx->test_break_path && n > 0 && (size_t)n < cap)
        snprintf(dst + n, cap - (size_t)n, " -DCLN_TEST_BREAK=%d", ctx->test_break_path);
}

/* The kernel sources: the embedded ones, or $CLNUM_KERNEL_DIR's files of the same names
 * while developing. */
typedef struct sources {
    size_t count;
    const char **texts;
    size_t *lengths;
    char **loaded;
} sources;

static void sources_free(sources *s)
{
    for (size_t i = 0; s->loaded && i < s->count; i++)
        free(s->loaded[i]);
    free(s->loaded);
    free(s->lengths);
    free(s->texts);
}

static cln_status sources_load(cln_context *ctx, sources *s)
{
    const char *dir = getenv("CLNUM_KERNEL_DIR");
    s->count = clni_kernel_source_count;
    s->texts = calloc(s->count, sizeof *s->texts);
    s->lengths = calloc(s->count, sizeof *s->lengths);
    s->loaded = calloc(s->count, sizeof *s->loaded);
    if (!s->texts || !s->lengths || !s->loaded)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "building kernels: out of memory");
    for (size_t i = 0; i < s->count; i++) {
        s->texts[i] = clni_kernel_sources[i].text;
        s->lengths[i] = clni_kernel_sources[i].length;
        if (dir && *dir) {
            s->loaded[i] = read_file(dir, clni_kernel_sources[i].name, &s->lengths[i]);
            if (!s->loaded[i])
                return clni_fail(ctx, CLN_ERR_IO, "CLNUM_KERNEL_DIR: cannot read %s/%s", dir,
                                 clni_kernel_sources[i].name);
            s->texts[i] = s->loaded[i];
        }
    }
    return CLN_SUCCESS;
}

/* Compiles the sources; a failure comes back with the compiler's log. */
static cln_status compile(cln_context *ctx, const sources *src, const char *options,
                          cl_program *out)
{
    cl_int err;
    cl_program program = clCreateProgramWithSource(ctx->cl, (cl_uint)src->count, src->texts,
                                                   src->lengths, &err);
    if (err != CL_SUCCESS)
        return clni_cl_fail(ctx, err, "clCreateProgramWithSource");
    err = clBuildProgram(program, 1, &ctx->device, options, NULL, NULL);
    if (err != CL_SUCCESS) {
        size_t log_size = 0;
        clGetProgramBuildInfo(program, ctx->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &log_size);
        char *log = malloc(log_size + 1);
        if (log) {
            log[0] = '\0';
            clGetProgramBuildInfo(program, ctx->device, CL_PROGRAM_BUILD_LOG, log_size, log, NULL);
            log[log_size] = '\0';
        }
        /* A device's 2.0 or 3.0 compiler that fails where its 1.2 one would not: say how to
         * ask for 1.2. */
        const char *hint = ctx->info.has_device_acq_rel
                               ? " (CLNUM_OPENCL_C=1.2 builds them as OpenCL C 1.2)"
                               : "";
        clni_fail(ctx, CLN_ERR_BUILD_FAILED, "building kernels (%s) for %s failed: %s (%d)%s\n%s",
                  options, ctx->info.device_name, cln_status_str(err), (int)err, hint,
                  log ? log : "(no build log)");
        free(log);
        clReleaseProgram(program);
        return CLN_ERR_BUILD_FAILED;
    }
    *out = program;
    return CLN_SUCCESS;
}

static cln_status build_program(cln_context *ctx, cln_dtype dtype)
{
    if (dtype == CLN_FLOAT64 && !ctx->info.has_float64)
        return clni_fail(ctx, CLN_ERR_NO_FLOAT64, "float64 asked of %s, which has no cl_khr_fp64",
                         ctx->info.device_name);
    sources src = {0};
    cln_status st = sources_load(ctx, &src);
    char options[256], key[1024];
    build_options(ctx, dtype, options, sizeof options);
    if (st == CLN_SUCCESS) {
        ctx->sources_hash = clni_sources_hash(src.texts, src.lengths, src.count);
        clni_cache_key(ctx, options, src.texts, src.lengths, src.count, key, sizeof key);
        ctx->program[dtype] = clni_cache_load(ctx, key, options);
        if (ctx->program[dtype]) {
            ctx->build_origin[dtype] = CLN_BUILD_FROM_CACHE;
        } else {
            st = compile(ctx, &src, options, &ctx->program[dtype]);
            if (st == CLN_SUCCESS) {
                ctx->build_origin[dtype] = CLN_BUILD_FROM_SOURCE;
                clni_cache_store(key, ctx->program[dtype]);
                /* Some drivers (PoCL) compile every kernel to hand out the binary; the program
                 * built from it then runs without compiling them again at first launch. */
                cl_program stored = clni_cache_load(ctx, key, options);
                if (stored) {
                    clReleaseProgram(ctx->program[dtype]);
                    ctx->program[dtype] = stored;
                }
            }
        }
    }
    sources_free(&src);
    return st;
}

cln_status cln_context_build(cln_context *ctx, cln_dtype dtype)
{
    CLNI_CHECK(clni_check_ptr(NULL, ctx, "cln_context_build", "ctx"));
    if (dtype != CLN_FLOAT32 && dtype != CLN_FLOAT64)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "cln_context_build: unknown dtype %d",
                         (int)dtype);
    if (ctx->program[dtype])
        return CLN_SUCCESS;
    return build_program(ctx, dtype);
}

cln_build_origin cln_context_build_origin(const cln_context *ctx, cln_dtype dtype)
{
    if (!ctx || (dtype != CLN_FLOAT32 && dtype != CLN_FLOAT64))
        return CLN_BUILD_NONE;
    return ctx->build_origin[dtype];
}

cln_status clni_kernel(cln_context *ctx, cln_dtype dtype, clni_kernel_id id, cl_kernel *out)
{
    if (!ctx->kernels[dtype][id]) {
        CLNI_CHECK(cln_context_build(ctx, dtype));
        cl_int err;
        ctx->kernels[dtype][id] = clCreateKernel(ctx->program[dtype], kernel_names[id], &err);
        if (err != CL_SUCCESS)
            return clni_fail(ctx, (cln_status)err, "clCreateKernel(%s): %s (%d)",
                             kernel_names[id], cln_status_str(err), (int)err);
    }
    *out = ctx->kernels[dtype][id];
    return CLN_SUCCESS;
}

void clni_programs_release(cln_context *ctx)
{
    for (int t = 0; t < 2; t++) {
        for (int k = 0; k < CLNI_K_COUNT; k++)
            if (ctx->kernels[t][k])
                clReleaseKernel(ctx->kernels[t][k]);
        if (ctx->program[t])
            clReleaseProgram(ctx->program[t]);
    }
}

clni_real clni_real_make(cln_dtype dtype, double value)
{
    clni_real r;
    if (dtype == CLN_FLOAT64) {
        r.v.d = value;
        r.size = sizeof(double);
    } else {
        r.v.f = (float)value;
        r.size = sizeof(float);
    }
    return r;
}

cln_status clni_launch(cln_context *ctx, cln_dtype dtype, clni_kernel_id id, size_t global,
                       size_t local, const clni_arg *args, size_t nargs)
{
    cl_kernel k;
    CLNI_CHECK(clni_kernel(ctx, dtype, id, &k));
    for (size_t i = 0; i < nargs; i++) {
        cl_int err = clSetKernelArg(k, (cl_uint)i, args[i].size, args[i].value);
        if (err != CL_SUCCESS)
            return clni_fail(ctx, (cln_status)err, "%s: argument %zu: %s (%d)", kernel_names[id],
                             i, cln_status_str(err), (int)err);
    }
    if (global == 0)
        return CLN_SUCCESS;
    if (local)
        global = clni_round_up(global, local);
    return clni_enqueue_kernel(ctx, k, kernel_names[id], global, local);
}

uint64_t clni_embedded_sources_hash(void)
{
    const char *texts[64];
    size_t lengths[64], n = clni_kernel_source_count < 64 ? clni_kernel_source_count : 64;
    for (size_t i = 0; i < n; i++) {
        texts[i] = clni_kernel_sources[i].text;
        lengths[i] = clni_kernel_sources[i].length;
    }
    return clni_sources_hash(texts, lengths, n);
}
