/* Device discovery, the CLNUM_DEVICE selector, the choice of a device, and
 * CLNUM_DEVICE_MEMORY. */

/* This file asks OpenCL 3.0 devices for their atomic capabilities, so it sees 3.0's names;
 * it makes those queries only of devices that report 3.0. */
#undef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>

#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/internal.h"
#include "runtime/verdict.h"

/* ---- selector parsing ------------------------------------------------------------------ */

/* Parses one part ("", an index, or a name) of a selector into index / name. */
static cln_status parse_part(const char *text, size_t len, long *index, char *name,
                             size_t name_cap, const char *which)
{
    while (len > 0 && isspace((unsigned char)*text)) {
        text++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    *index = -1;
    name[0] = '\0';
    if (len == 0)
        return CLN_SUCCESS;

    size_t digits = 0;
    while (digits < len && isdigit((unsigned char)text[digits]))
        digits++;
    if (digits == len) {
        if (len > 9)
            return clni_fail(NULL, CLN_ERR_PARSE, "device selector: %s index '%.*s' is too large",
                             which, (int)len, text);
        *index = strtol(text, NULL, 10);
        return CLN_SUCCESS;
    }
    if (len >= name_cap)
        return clni_fail(NULL, CLN_ERR_PARSE,
                         "device selector: %s name is longer than %zu characters", which,
                         name_cap - 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (!isprint(c))
            return clni_fail(NULL, CLN_ERR_PARSE,
                             "device selector: %s name has a non-printable character", which);
        name[i] = (char)tolower(c);
    }
    name[len] = '\0';
    return CLN_SUCCESS;
}

cln_status cln_device_selector_parse(const char *text, cln_device_selector *out)
{
    CLNI_CHECK(clni_check_ptr(NULL, out, "cln_device_selector_parse", "out"));
    memset(out, 0, sizeof *out);
    out->platform_index = -1;
    out->device_index = -1;
    if (!text)
        return CLN_SUCCESS;
    const char *colon = strchr(text, ':');
    if (colon && strchr(colon + 1, ':'))
        return clni_fail(NULL, CLN_ERR_PARSE,
                         "device selector '%s': expected PLATFORM:DEVICE with one ':'", text);
    size_t plen = colon ? (size_t)(colon - text) : strlen(text);
    CLNI_CHECK(parse_part(text, plen, &out->platform_index, out->platform_name,
                          sizeof out->platform_name, "platform"));
    if (colon)
        CLNI_CHECK(parse_part(colon + 1, strlen(colon + 1), &out->device_index, out->device_name,
                              sizeof out->device_name, "device"));
    return CLN_SUCCESS;
}

/* ---- matching ------------------------------------------------------------------------------ */

static int contains_ci(const char *haystack, const char *lower_needle)
{
    size_t n = strlen(lower_needle);
    for (const char *h = haystack; *h; h++) {
        size_t i = 0;
        while (i < n && h[i] && tolower((unsigned char)h[i]) == lower_needle[i])
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

static int type_matches(cln_device_type type, const char *name)
{
    return (type == CLN_DEVICE_GPU && strcmp(name, "gpu") == 0) ||
           (type == CLN_DEVICE_CPU && strcmp(name, "cpu") == 0) ||
           (type == CLN_DEVICE_ACCELERATOR && strcmp(name, "accelerator") == 0);
}

static int selector_matches(const cln_device_selector *s, const cln_device_info *d)
{
    if (s->platform_index >= 0 && (size_t)s->platform_index != d->platform_index)
        return 0;
    if (s->platform_name[0] && !contains_ci(d->platform_name, s->platform_name) &&
        !contains_ci(d->vendor, s->platform_name) && !type_matches(d->type, s->platform_name))
        return 0;
    if (s->device_index >= 0 && (size_t)s->device_index != d->device_index)
        return 0;
    if (s->device_name[0] && !contains_ci(d->device_name, s->device_name) &&
        !type_matches(d->type, s->device_name))
        return 0;
    return 1;
}

static int selector_is_empty(const cln_device_selector *s)
{
    return s->platform_index < 0 && !s->platform_name[0] && s->device_index < 0 &&
           !s->device_name[0];
}

cln_status cln_devices_choose(const cln_device_info *list, size_t count,
                              const cln_device_selector *selector, size_t *chosen)
{
    CLNI_CHECK(clni_check_ptr(NULL, chosen, "cln_devices_choose", "chosen"));
    if (count > 0)
        CLNI_CHECK(clni_check_ptr(NULL, list, "cln_devices_choose", "list"));
    if (count == 0)
        return clni_fail(NULL, CLN_ERR_NO_DEVICE, "no OpenCL device found");
    if (!selector || selector_is_empty(selector)) {
        for (size_t i = 0; i < count; i++)
            if (list[i].type == CLN_DEVICE_GPU) {
                *chosen = i;
                return CLN_SUCCESS;
            }
        *chosen = 0;
        return CLN_SUCCESS;
    }
    for (size_t i = 0; i < count; i++)
        if (selector_matches(selector, &list[i])) {
            *chosen = i;
            return CLN_SUCCESS;
        }
    char pl[160], dv[160];
    if (selector->platform_index >= 0)
        snprintf(pl, sizeof pl, "%ld", selector->platform_index);
    else
        snprintf(pl, sizeof pl, "%s", selector->platform_name);
    if (selector->device_index >= 0)
        snprintf(dv, sizeof dv, "%ld", selector->device_index);
    else
        snprintf(dv, sizeof dv, "%s", selector->device_name);
    return clni_fail(NULL, CLN_ERR_NO_DEVICE,
                     "no device matches '%s:%s' among %zu device(s) (see --list-devices)", pl, dv,
                     count);
}

/* ---- discovery --------------------------------------------------------------------------- */

static void device_string(cl_device_id dev, cl_device_info what, char *dst, size_t cap)
{
    dst[0] = '\0';
    if (clGetDeviceInfo(dev, what, cap, dst, NULL) != CL_SUCCESS)
        dst[0] = '\0';
    dst[cap - 1] = '\0';
}

/* Whether OpenCL C 3.0 is among the languages a 3.0 device compiles. */
static int compiles_opencl_c_3(cl_device_id dev)
{
    cl_name_version versions[16];
    size_t size = 0;
    if (clGetDeviceInfo(dev, CL_DEVICE_OPENCL_C_ALL_VERSIONS, sizeof versions, versions, &size) !=
        CL_SUCCESS)
        return 0;
    for (size_t i = 0; i < size / sizeof versions[0]; i++)
        if (CL_VERSION_MAJOR(versions[i].version) == 3)
            return 1;
    return 0;
}

/* Device-scope acquire/release atomics and fences, which the kernels' hand-offs between
 * work-groups use (cl/runtime/handoff.cl): every OpenCL C 2.x device has them; a 3.0 device has them
 * when it lists them in its atomic capabilities and compiles OpenCL C 3.0. */
static int has_device_acq_rel(cl_device_id dev, const char *opencl_c_version)
{
    int major = 0, minor = 0;
    if (sscanf(opencl_c_version, "OpenCL C %d.%d", &major, &minor) == 2 && major == 2)
        return 1;
    cl_version version = 0; /* a query before 3.0 devices knew it: they answer an error */
    if (clGetDeviceInfo(dev, CL_DEVICE_NUMERIC_VERSION, sizeof version, &version, NULL) !=
            CL_SUCCESS ||
        CL_VERSION_MAJOR(version) < 3)
        return 0;
    const cl_device_atomic_capabilities need =
        CL_DEVICE_ATOMIC_ORDER_ACQ_REL | CL_DEVICE_ATOMIC_SCOPE_DEVICE;
    cl_device_atomic_capabilities memory = 0, fence = 0;
    if (clGetDeviceInfo(dev, CL_DEVICE_ATOMIC_MEMORY_CAPABILITIES, sizeof memory, &memory,
                        NULL) != CL_SUCCESS ||
        clGetDeviceInfo(dev, CL_DEVICE_ATOMIC_FENCE_CAPABILITIES, sizeof fence, &fence, NULL) !=
            CL_SUCCESS)
        return 0;
    return (memory & need) == need && (fence & need) == need && compiles_opencl_c_3(dev);
}

void clni_device_describe(cl_platform_id platform, cl_device_id dev, cln_device_info *d)
{
    clGetPlatformInfo(platform, CL_PLATFORM_NAME, sizeof d->platform_name, d->platform_name, NULL);
    d->platform_name[sizeof d->platform_name - 1] = '\0';
    device_string(dev, CL_DEVICE_NAME, d->device_name, sizeof d->device_name);
    device_string(dev, CL_DEVICE_VENDOR, d->vendor, sizeof d->vendor);
    device_string(dev, CL_DRIVER_VERSION, d->driver_version, sizeof d->driver_version);
    device_string(dev, CL_DEVICE_OPENCL_C_VERSION, d->opencl_c_version, sizeof d->opencl_c_version);

    cl_device_type type = 0;
    clGetDeviceInfo(dev, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    d->type = (type & CL_DEVICE_TYPE_GPU)           ? CLN_DEVICE_GPU
              : (type & CL_DEVICE_TYPE_CPU)         ? CLN_DEVICE_CPU
              : (type & CL_DEVICE_TYPE_ACCELERATOR) ? CLN_DEVICE_ACCELERATOR
                                                    : CLN_DEVICE_OTHER;
    cl_ulong u = 0;
    clGetDeviceInfo(dev, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof u, &u, NULL);
    d->global_mem_bytes = u;
    u = 0;
    clGetDeviceInfo(dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof u, &u, NULL);
    d->max_alloc_bytes = u;
    u = 0;
    clGetDeviceInfo(dev, CL_DEVICE_LOCAL_MEM_SIZE, sizeof u, &u, NULL);
    d->local_mem_bytes = u;
    cl_uint cu = 0;
    clGetDeviceInfo(dev, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
    d->compute_units = cu;
    size_t wg = 1;
    clGetDeviceInfo(dev, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg, NULL);
    d->max_work_group_size = wg;
    cl_device_fp_config fp64 = 0;
    clGetDeviceInfo(dev, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof fp64, &fp64, NULL);
    d->has_float64 = fp64 != 0;
    d->has_device_acq_rel = has_device_acq_rel(dev, d->opencl_c_version);
    clni_verdict_peek(d); /* a verdict an earlier run cached, if any */
}

/* ---- CLNUM_DEVICE_MEMORY: a device made to look smaller ---------------------------------- */

/* CLNUM_DEVICE_MEMORY=SIZE (bytes; a K, M or G suffix for KiB, MiB, GiB) into *limit; unset
 * or empty: 0, no limit. Anything else (no digits, another suffix, 0, too large) is refused. */
static cln_status device_memory_limit(uint64_t *limit)
{
    const char *v = getenv("CLNUM_DEVICE_MEMORY");
    *limit = 0;
    if (!v || !*v)
        return CLN_SUCCESS;
    uint64_t n = 0;
    const char *p = v;
    int ok = isdigit((unsigned char)*p);
    for (; ok && isdigit((unsigned char)*p); p++) {
        unsigned digit = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - digit) / 10)
            ok = 0;
        else
            n = n * 10 + digit;
    }
    unsigned shift = 0;
    if (ok && *p) {
        switch (toupper((unsigned char)*p)) {
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        default: ok = 0;
        }
        if (ok && p[1])
            ok = 0;
    }
    if (ok && (n == 0 || n > (UINT64_MAX >> shift)))
        ok = 0;
    if (!ok)
        return clni_fail(NULL, CLN_ERR_PARSE,
                         "CLNUM_DEVICE_MEMORY (from the environment) is \"%s\": it takes a size "
                         "above 0 in bytes, a whole number with an optional K, M or G suffix "
                         "(KiB, MiB, GiB), e.g. 1G",
                         v);
    *limit = n << shift;
    return CLN_SUCCESS;
}

/* A limit below the device's global memory becomes its global memory, and its largest
 * allocation at most a quarter of that (OpenCL's least for a device of that size); a limit
 * at or above it changes nothing: the variable never raises what the device reports. */
static void apply_memory_limit(cln_device_info *d, uint64_t limit)
{
    if (limit == 0 || limit >= d->global_mem_bytes)
        return;
    d->global_mem_bytes = limit;
    if (d->max_alloc_bytes > limit / 4)
        d->max_alloc_bytes = limit / 4;
}

/* Calls fn for every device of every platform, in platform then device order. */
cln_status clni_devices_walk(cln_status (*fn)(void *arg, cl_platform_id, cl_device_id,
                                              size_t pi, size_t di),
                             void *arg)
{
    cl_uint np = 0;
    cl_int err = clGetPlatformIDs(0, NULL, &np);
    if (err == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || (err == CL_SUCCESS && np == 0))
        return clni_fail(NULL, CLN_ERR_NO_DEVICE,
                         "no OpenCL platform found (is an ICD such as pocl-opencl-icd installed?)");
    if (err != CL_SUCCESS)
        return clni_cl_fail(NULL, err, "clGetPlatformIDs");
    cl_platform_id platforms[64];
    if (np > 64)
        np = 64;
    err = clGetPlatformIDs(np, platforms, NULL);
    if (err != CL_SUCCESS)
        return clni_cl_fail(NULL, err, "clGetPlatformIDs");
    for (cl_uint p = 0; p < np; p++) {
        cl_uint nd = 0;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS || nd == 0)
            continue; /* a platform with no usable device is skipped, not fatal */
        cl_device_id devices[64];
        if (nd > 64)
            nd = 64;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, nd, devices, NULL) != CL_SUCCESS)
            continue;
        for (cl_uint d = 0; d < nd; d++)
            CLNI_CHECK(fn(arg, platforms[p], devices[d], p, d));
    }
    return CLN_SUCCESS;
}

typedef struct list_builder {
    cln_device_info *items;
    size_t count, cap;
    uint64_t memory_limit; /* CLNUM_DEVICE_MEMORY, 0 for none */
} list_builder;

static cln_status add_to_list(void *arg, cl_platform_id platform, cl_device_id dev, size_t pi,
                              size_t di)
{
    list_builder *b = arg;
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        cln_device_info *items = realloc(b->items, cap * sizeof *items);
        if (!items)
            return clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_devices_list: out of memory");
        b->items = items;
        b->cap = cap;
    }
    cln_device_info *d = &b->items[b->count++];
    memset(d, 0, sizeof *d);
    d->platform_index = pi;
    d->device_index = di;
    clni_device_describe(platform, dev, d);
    apply_memory_limit(d, b->memory_limit);
    return CLN_SUCCESS;
}

cln_status cln_devices_list(cln_device_info **out, size_t *count)
{
    CLNI_CHECK(clni_check_ptr(NULL, out, "cln_devices_list", "out"));
    CLNI_CHECK(clni_check_ptr(NULL, count, "cln_devices_list", "count"));
    *out = NULL;
    *count = 0;
    list_builder b = {0};
    CLNI_CHECK(device_memory_limit(&b.memory_limit));
    cln_status st = clni_devices_walk(add_to_list, &b);
    if (st == CLN_SUCCESS && b.count == 0)
        st = clni_fail(NULL, CLN_ERR_NO_DEVICE, "OpenCL platforms found, but no device");
    if (st != CLN_SUCCESS) {
        free(b.items);
        return st;
    }
    *out = b.items;
    *count = b.count;
    return CLN_SUCCESS;
}

void cln_devices_free(cln_device_info *list) { free(list); }
