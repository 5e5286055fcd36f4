/* What the fast paths of the library's models share. */
#include <stdlib.h>

#include "model/fast_paths.h"

/* The least power of two >= n; n is at most the rows of a split (clni_effective_batch), far
 * below the top bit. */
size_t clni_pow2_ceil(size_t n)
{
    size_t p = 1;
    while (p < n && p <= SIZE_MAX / 4)
        p *= 2;
    return p;
}

/* Largest work-group the fused kernels use: a GPU wants many work-items to hide latency;
 * a CPU runs a group's items one after another on one core, so a single work-item (its
 * rows four at a time) does the same work without the barriers' bookkeeping or more rows
 * of gradient sums to add up at the end of a batch (measured: W1 about 1.4x faster). */
size_t clni_max_wg_for(const cln_context *ctx)
{
    return ctx->info.type == CLN_DEVICE_GPU ? 256 : 1;
}

/* Largest value CLNUM_TUNE takes in any place: far beyond any device's work-group, and
 * small enough that the sizes made from it stay within 32 bits. */
#define TUNE_MAX (1ul << 20)

/* CLNUM_TUNE="WG:LANES[:GROUPS]" overrides the fused kernels' shape, for tuning on a new
 * device: v[0] work-group size, v[1] lanes, v[2] groups of a fused step (0: not given).
 * Returns 0 (and all 0) unless the text is two or three whole numbers from 1 to TUNE_MAX
 * separated by colons; unset, 1 and all 0. */
int clni_tune_values(unsigned long v[3])
{
    const char *tune = getenv("CLNUM_TUNE");
    v[0] = v[1] = v[2] = 0;
    if (!tune || !*tune)
        return 1;
    const char *p = tune;
    for (int i = 0; i < 3; i++) {
        unsigned long x = 0;
        const char *start = p;
        while (*p >= '0' && *p <= '9' && x <= TUNE_MAX)
            x = x * 10 + (unsigned long)(*p++ - '0');
        if (p == start || x == 0 || x > TUNE_MAX || (*p != ':' && *p != '\0') || (*p == '\0' && i == 0))
            break;
        v[i] = x;
        if (*p == '\0')
            return 1;
        p++;
    }
    v[0] = v[1] = v[2] = 0;
    return 0;
}

/* A malformed CLNUM_TUNE is refused: read as something else it could make a fit train
 * nothing and succeed. */
cln_status clni_check_tune(cln_context *ctx)
{
    unsigned long v[3];
    if (clni_tune_values(v))
        return CLN_SUCCESS;
    return clni_fail(ctx, CLN_ERR_PARSE,
                     "CLNUM_TUNE (from the environment) is \"%s\": it takes WG:LANES or "
                     "WG:LANES:GROUPS, whole numbers from 1 to %lu",
                     getenv("CLNUM_TUNE"), TUNE_MAX);
}

/* Whether a kernel whose work-items loop `bound` times runs to the end on this device,
 * with a margin of 4 for what the compiler adds. */
int clni_within_loop_limit(const cln_context *ctx, cln_dtype dtype, uint64_t bound)
{
    uint32_t limit = ctx->verdict[dtype].loop_limit;
    return limit == 0 || 4 * bound <= limit;
}
