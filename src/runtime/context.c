/* The context: one device, one in-order queue, and everything made in it. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/internal.h"

/* Contexts created and not yet freed, process-wide (cln_live_contexts()). */
static atomic_size_t live_contexts;

void clni_live_contexts_add(int delta)
{
    if (delta >= 0)
        atomic_fetch_add(&live_contexts, (size_t)delta);
    else
        atomic_fetch_sub(&live_contexts, (size_t)-delta);
}

size_t cln_live_contexts(void) { return atomic_load(&live_contexts); }

size_t cln_context_live_objects(const cln_context *ctx)
{
    size_t n = 0;
    for (const clni_object *o = ctx ? ctx->objects_head : NULL; o; o = o->next)
        n++;
    return n;
}

/* A selector that came from $CLNUM_DEVICE and failed: the message says so, since the caller
 * may not know the variable is set. */
static cln_status blame_environment(cln_status st)
{
    char why[sizeof ((cln_context *)0)->error];
    snprintf(why, sizeof why, "%s", cln_last_error(NULL));
    return clni_fail(NULL, st, "CLNUM_DEVICE (from the environment): %s", why);
}

void clni_device_describe(cl_platform_id platform, cl_device_id dev, cln_device_info *d);
cln_status clni_devices_walk(cln_status (*fn)(void *, cl_platform_id, cl_device_id, size_t,
                                              size_t),
                             void *arg);
void clni_programs_release(cln_context *ctx);

typedef struct find_device {
    size_t platform_index, device_index;
    cl_platform_id platform;
    cl_device_id device;
} find_device;

static cln_status match_indices(void *arg, cl_platform_id p, cl_device_id d, size_t pi, size_t di)
{
    find_device *f = arg;
    if (pi == f->platform_index && di == f->device_index) {
        f->platform = p;
        f->device = d;
    }
    return CLN_SUCCESS;
}

/* CLNUM_OPENCL_C=1.2 builds the kernels as OpenCL C 1.2, with 1.2's fences between
 * work-groups, on a device that has more (cl/runtime/handoff.cl); unset or empty, the device's best. */
static cln_status opencl_c_cap(int *cap_1_2)
{
    const char *v = getenv("CLNUM_OPENCL_C");
    *cap_1_2 = v && *v;
    if (*cap_1_2 && strcmp(v, "1.2") != 0)
        return clni_fail(NULL, CLN_ERR_PARSE,
                         "CLNUM_OPENCL_C (from the environment) is \"%s\": the one value it "
                         "takes is 1.2 (build the kernels as OpenCL C 1.2)",
                         v);
    return CLN_SUCCESS;
}

/* CLNUM_TEST_BREAK_PATH=fused|epoch|persistent, for the library's own tests: that path's
 * kernel takes a wrong step, as on a faulty driver, so a test can show that the device
 * self-check catches it. */
static cln_status test_break_path(int *path)
{
    static const char *const names[] = {"fused", "epoch", "persistent"};
    const char *v = getenv("CLNUM_TEST_BREAK_PATH");
    *path = 0;
    if (!v || !*v)
        return CLN_SUCCESS;
    for (int i = 0; i < 3; i++)
        if (strcmp(v, names[i]) == 0) {
            *path = CLN_PATH_FUSED + i;
            return CLN_SUCCESS;
        }
    return clni_fail(NULL, CLN_ERR_PARSE,
                     "CLNUM_TEST_BREAK_PATH (from the environment) is \"%s\": it takes fused, "
                     "epoch or persistent",
                     v);
}

/* The -cl-std option the kernels are built with: 2.0 or 3.0 where the device has
 * device-scope acquire/release and they are not capped, else the device's version up to
 * 1.2 ("OpenCL C 1.2 PoCL" -> "-cl-std=CL1.2"; "" for 1.0 or anything unreadable). */
static void cl_std_option(const cln_device_info *info, char *dst, size_t cap)
{
    int major = 0, minor = 0;
    dst[0] = '\0';
    if (sscanf(info->opencl_c_version, "OpenCL C %d.%d", &major, &minor) != 2)
        return;
    if (info->has_device_acq_rel)
        snprintf(dst, cap, "-cl-std=CL%d.0", major == 2 ? 2 : 3);
    else if (major > 1 || minor >= 2)
        snprintf(dst, cap, "-cl-std=CL1.2");
    else if (minor == 1)
        snprintf(dst, cap, "-cl-std=CL1.1");
}

static size_t power_of_two_at_most(size_t n)
{
    size_t p = 1;
    while (p * 2 <= n)
        p *= 2;
    return p;
}

cln_status cln_context_create(const char *selector, cln_context **out)
{
    CLNI_CHECK(clni_check_ptr(NULL, out, "cln_context_create", "out"));
    *out = NULL;
    int cap_1_2 = 0, broken = 0;
    CLNI_CHECK(opencl_c_cap(&cap_1_2));
    CLNI_CHECK(test_break_path(&broken));
    int from_env = !selector;
    if (!selector)
        selector = getenv("CLNUM_DEVICE");

    cln_device_selector sel;
    cln_status st = cln_device_selector_parse(selector, &sel);
    if (st != CLN_SUCCESS)
        return from_env ? blame_environment(st) : st;
    cln_device_info *list = NULL;
    size_t count = 0, chosen = 0;
    CLNI_CHECK(cln_devices_list(&list, &count));
    st = cln_devices_choose(list, count, &sel, &chosen);
    if (st != CLN_SUCCESS) {
        cln_devices_free(list);
        return from_env && selector && *selector ? blame_environment(st) : st;
    }

    cln_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        cln_devices_free(list);
        return clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_context_create: out of memory");
    }
    ctx->info = list[chosen];
    cln_devices_free(list);
    if (cap_1_2)
        ctx->info.has_device_acq_rel = 0;
    ctx->test_break_path = broken;
    /* Mesa's OpenCL platform is "rusticl" (and "Clover" before it). */
    ctx->finish_by_marker = strstr(ctx->info.platform_name, "rusticl") != NULL ||
                            strstr(ctx->info.platform_name, "Clover") != NULL;

    find_device f = {ctx->info.platform_index, ctx->info.device_index, NULL, NULL};
    st = clni_devices_walk(match_indices, &f);
    if (st == CLN_SUCCESS && !f.device)
        st = clni_fail(NULL, CLN_ERR_NO_DEVICE, "the chosen device disappeared");
    if (st != CLN_SUCCESS) {
        free(ctx);
        return st;
    }
    ctx->platform = f.platform;
    ctx->device = f.device;

    cl_int err;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)f.platform, 0};
    ctx->cl = clCreateContext(props, 1, &f.device, NULL, NULL, &err);
    if (err != CL_SUCCESS) {
        free(ctx);
        return clni_cl_fail(NULL, err, "clCreateContext");
    }
    ctx->queue = clCreateCommandQueue(ctx->cl, f.device, 0, &err);
    if (err != CL_SUCCESS) {
        clReleaseContext(ctx->cl);
        free(ctx);
        return clni_cl_fail(NULL, err, "clCreateCommandQueue");
    }
    ctx->wg = power_of_two_at_most(ctx->info.max_work_group_size < CLNI_MAX_WG
                                       ? ctx->info.max_work_group_size
                                       : CLNI_MAX_WG);
    cl_std_option(&ctx->info, ctx->cl_std, sizeof ctx->cl_std);
    clni_live_contexts_add(1);
    *out = ctx;
    return CLN_SUCCESS;
}

void cln_context_free(cln_context *ctx)
{
    if (!ctx)
        return;
    if (ctx->queue)
        clni_queue_finish(ctx, ctx->queue);
    /* The callers' models first (their destroy may free objects of theirs made before them),
     * then the rest oldest first: a parent made before its children frees them itself. */
    for (clni_object *o = ctx->objects_head; o;) {
        if (o->first) {
            o->destroy(o);
            o = ctx->objects_head; /* it may have freed any of the others */
        } else {
            o = o->next;
        }
    }
    while (ctx->objects_head)
        ctx->objects_head->destroy(ctx->objects_head);
    clni_programs_release(ctx);
    if (ctx->scratch)
        clReleaseMemObject(ctx->scratch);
    if (ctx->queue)
        clReleaseCommandQueue(ctx->queue);
    if (ctx->cl)
        clReleaseContext(ctx->cl);
    clni_live_contexts_add(-1);
    free(ctx);
}

cln_status cln_context_finish(cln_context *ctx)
{
    CLNI_CHECK(clni_check_ptr(NULL, ctx, "cln_context_finish", "ctx"));
    cl_int err = clni_queue_finish(ctx, ctx->queue);
    return err == CL_SUCCESS ? CLN_SUCCESS : clni_cl_fail(ctx, err, "clFinish");
}

const cln_device_info *cln_context_device(const cln_context *ctx)
{
    return ctx ? &ctx->info : NULL;
}

uint64_t cln_context_enqueue_count(const cln_context *ctx) { return ctx ? ctx->enqueues : 0; }

cln_status cln_context_cl(const cln_context *ctx, cl_context *context, cl_device_id *device,
                          cl_command_queue *queue)
{
    CLNI_CHECK(clni_check_ptr(NULL, ctx, "cln_context_cl", "ctx"));
    if (context)
        *context = ctx->cl;
    if (device)
        *device = ctx->device;
    if (queue)
        *queue = ctx->queue;
    return CLN_SUCCESS;
}

void clni_register(cln_context *ctx, clni_object *obj, void (*destroy)(clni_object *))
{
    obj->destroy = destroy;
    obj->first = 0;
    obj->next = NULL;
    obj->prev = ctx->objects_tail;
    if (ctx->objects_tail)
        ctx->objects_tail->next = obj;
    else
        ctx->objects_head = obj;
    ctx->objects_tail = obj;
}

void clni_unregister(cln_context *ctx, clni_object *obj)
{
    if (obj->prev)
        obj->prev->next = obj->next;
    else
        ctx->objects_head = obj->next;
    if (obj->next)
        obj->next->prev = obj->prev;
    else
        ctx->objects_tail = obj->prev;
    obj->prev = obj->next = NULL;
}

cln_status clni_scratch(cln_context *ctx, size_t bytes, cl_mem *out)
{
    if (bytes > ctx->scratch_bytes) {
        cl_int err;
        cl_mem m = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, bytes, NULL, &err);
        if (err != CL_SUCCESS)
            return clni_cl_fail(ctx, err, "allocating scratch memory");
        if (ctx->scratch)
            clReleaseMemObject(ctx->scratch);
        ctx->scratch = m;
        ctx->scratch_bytes = bytes;
    }
    *out = ctx->scratch;
    return CLN_SUCCESS;
}

cl_int clni_queue_finish(const cln_context *ctx, cl_command_queue q)
{
    if (!ctx->finish_by_marker)
        return clFinish(q);
    cl_event done;
    cl_int err = clEnqueueMarkerWithWaitList(q, 0, NULL, &done);
    if (err == CL_SUCCESS) {
        err = clWaitForEvents(1, &done);
        clReleaseEvent(done);
    }
    cl_int finished = clFinish(q);
    return err != CL_SUCCESS ? err : finished;
}
