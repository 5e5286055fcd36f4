/* Device buffers. On a CPU device (PoCL) a buffer is host memory, and the shuffled
 * minibatch gather reads its rows at random: with 4 KiB pages nearly every row costs a TLB
 * miss and a page walk. Large buffers there are backed by memory mapped by the library,
 * asked to be transparent huge pages (2 MiB), and handed to OpenCL with
 * CL_MEM_USE_HOST_PTR; the mapping goes when OpenCL's destructor callback says the buffer
 * is gone. CLNUM_HUGE_PAGES=off turns it off (to measure what it buys). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MADV_HUGEPAGE */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/internal.h"

#if defined(__linux__)
#include <sys/mman.h>
#define CLNI_HUGE_PAGES 1
#endif

#ifdef CLNI_HUGE_PAGES
enum { HUGE_PAGE = 2u << 20, HUGE_MIN_BYTES = 16u << 20 };

typedef struct mapping {
    void *at;
    size_t len;
} mapping;

static void CL_CALLBACK unmap_when_released(cl_mem m, void *user)
{
    (void)m;
    mapping *map = user;
    munmap(map->at, map->len);
    free(map);
}

static int huge_pages_wanted(const cln_context *ctx, size_t bytes)
{
    if (ctx->info.type != CLN_DEVICE_CPU || bytes < HUGE_MIN_BYTES)
        return 0;
    const char *env = getenv("CLNUM_HUGE_PAGES");
    return !(env && (strcmp(env, "off") == 0 || strcmp(env, "0") == 0));
}

/* bytes of host memory on a 2 MiB boundary, advised as huge pages; NULL if mmap refuses */
static mapping *map_huge(size_t bytes)
{
    size_t len = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    if (len < bytes || len > SIZE_MAX - HUGE_PAGE)
        return NULL;
    mapping *map = malloc(sizeof *map);
    if (!map)
        return NULL;
    char *raw = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (raw == MAP_FAILED) {
        free(map);
        return NULL;
    }
    /* keep the 2 MiB-aligned part, give back the ends */
    char *at = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (at > raw)
        munmap(raw, (size_t)(at - raw));
    size_t tail = (size_t)(raw + len + HUGE_PAGE - (at + len));
    if (tail)
        munmap(at + len, tail);
#ifdef MADV_HUGEPAGE
    madvise(at, len, MADV_HUGEPAGE); /* advice: the buffer works without it */
#endif
    map->at = at;
    map->len = len;
    return map;
}

cl_mem clni_create_buffer(cln_context *ctx, size_t bytes, cl_int *err)
{
    if (huge_pages_wanted(ctx, bytes)) {
        mapping *map = map_huge(bytes);
        if (map) {
            cl_mem m = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, bytes,
                                      map->at, err);
            if (m && clSetMemObjectDestructorCallback(m, unmap_when_released, map) == CL_SUCCESS)
                return m;
            if (m)
                clReleaseMemObject(m);
            munmap(map->at, map->len);
            free(map);
        }
    }
    return clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, bytes, NULL, err);
}
#else
cl_mem clni_create_buffer(cln_context *ctx, size_t bytes, cl_int *err)
{
    return clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE, bytes, NULL, err);
}
#endif
