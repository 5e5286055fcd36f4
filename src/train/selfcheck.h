/* The device self-check (selfcheck.c): runs small fits on each fast path and compares them
 * with a double-precision replica on the host, to find which paths a device gets right, and
 * probes the loop limit of its driver. Its verdicts are kept by runtime/verdict.h. */
#ifndef CLNUM_SELFCHECK_H
#define CLNUM_SELFCHECK_H

#include "runtime/verdict.h"

/* Checks ctx's device for dtype's kernels, once per context (the verdict cached on disk for
 * later processes); a no-op while it runs (its own fits) and after. A check that cannot
 * run leaves only the stepwise path on. */
cln_status clni_selfcheck(cln_context *ctx, cln_dtype dtype);

/* Softmax regression's part of the check (selfcheck_softmax.c): switches off in v each fast
 * path whose softmax kernel differs from the host replica, with the reason in its note. */
cln_status clni_selfcheck_softmax(cln_context *ctx, cln_dtype dtype, clni_verdict *v);

/* Difference of x from ref in units of float rounding's allowance (the tests' tolerance
 * against the double-precision replica); NaN counts as infinitely far. */
double clni_selfcheck_off_by(double x, double ref, cln_dtype dtype);

#endif
