/* The device self-check's verdicts: which training paths a device gets right and the loop
 * limit of its driver (clni_verdict, internal.h), kept for later contexts and processes.
 * The checks themselves are the trainer's (train/selfcheck.h). */
#ifndef CLNUM_VERDICT_H
#define CLNUM_VERDICT_H

#include "runtime/internal.h"

/* Changes whenever the checks change, so that a cached verdict of other checks is not read. */
#define CLNI_SELFCHECK_VERSION 3

/* The verdict found earlier for this device, dtype and kernel sources: 1 and *v set, or 0. */
int clni_verdict_find(const cln_device_info *d, cln_dtype dtype, uint64_t sources_hash,
                      clni_verdict *v);
/* Keeps a verdict for later contexts (on disk, or in the process with the cache off). */
void clni_verdict_save(const cln_device_info *d, cln_dtype dtype, uint64_t sources_hash,
                       const clni_verdict *v);
/* Copies a float32 verdict into info's paths_* and loop_limit fields. */
void clni_verdict_publish(cln_device_info *info, const clni_verdict *v);
/* Fills info's paths_* and loop_limit fields from the cached float32 verdict, if any. */
void clni_verdict_peek(cln_device_info *info);

/* Appends a finding to v's note ("; " between findings; cut at its size). */
void clni_verdict_note(clni_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "fused" for CLN_PATH_FUSED, and so on. */
const char *clni_path_name(cln_train_path path);
/* Whether the check switched path off for dtype. */
int clni_path_is_off(const cln_context *ctx, cln_dtype dtype, cln_train_path path);
/* CLN_SUCCESS, or CLN_ERR_UNSUPPORTED with the reason when the check switched path off. */
cln_status clni_path_allowed(cln_context *ctx, cln_dtype dtype, cln_train_path path);

#endif
