/* The device self-check (selfcheck.c): which training paths a device gets right, and the
 * loop limit of its driver. */
#ifndef CLNUM_SELFCHECK_H
#define CLNUM_SELFCHECK_H

#include "internal.h"

/* Checks ctx's device for dtype's kernels, once per context (the verdict cached on disk for
 * later processes); a no-op while it runs (its own fits) and after. A check that cannot
 * run leaves only the stepwise path on. */
cln_status clni_selfcheck(cln_context *ctx, cln_dtype dtype);

/* Whether the check switched path off for dtype. */
int clni_path_is_off(const cln_context *ctx, cln_dtype dtype, cln_train_path path);

/* CLN_SUCCESS, or CLN_ERR_UNSUPPORTED with the reason when the check switched path off. */
cln_status clni_path_allowed(cln_context *ctx, cln_dtype dtype, cln_train_path path);

/* Fills info's paths_* and loop_limit fields from the cached float32 verdict, if any. */
void clni_selfcheck_peek(cln_device_info *info);

#endif
