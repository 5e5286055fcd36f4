/* The kernels' build of both programs, which says so when it is the long compile of a
 * first run on a device (10 to 30 s): the library caches built programs on disk (runtime.h,
 * cln_context_build), so later runs load them in well under a second. */
#ifndef CLNUM_APPS_CLI_KERNELS_H
#define CLNUM_APPS_CLI_KERNELS_H

#include <stddef.h>

#include "clnum/clnum.h"

/* A build from source longer than this is announced after it (below). */
#define CLI_BUILD_NOTICE_S 1.0

/* Builds ctx's kernels for dtype now (cln_context_build) and, with selfcheck, runs the
 * device self-check of the training paths (cln_context_selfcheck), whose verdict the cache
 * keeps too. Unless quiet, says on stderr
 *     PROGRAM: building kernels for DEVICE (once; cached in DIR)
 * before it starts when the cache folder holds no built program at all (a first run on
 * this machine, or a fresh CLNUM_CACHE_DIR); with programs there but not this one (another
 * device, driver or clnum version: only the library knows its keys),
 *     PROGRAM: built kernels for DEVICE in 12.3 s (once; cached in DIR)
 * after a build from source that took over CLI_BUILD_NOTICE_S. Returns the library's status
 * (its message in cln_last_error(NULL)). */
cln_status cli_build_kernels(const char *program, cln_context *ctx, cln_dtype dtype,
                             int selfcheck, int quiet);

#endif
