/* Files written whole or not at all: to a temporary file beside the target, flushed, fsync'd
 * and renamed over it, so that a full disk, a failed write or a signal never leaves part of a
 * file there and the previous one stays whole. Internal. */
#ifndef CLNUM_ATOMIC_FILE_H
#define CLNUM_ATOMIC_FILE_H

#include <stdio.h>

#include "runtime/internal.h"

/* Writes the whole content to f. CLN_SUCCESS, or a status with its message set; a write that
 * fails may also just leave f's error flag (and errno), which the caller checks. */
typedef cln_status (*clni_write_fn)(FILE *f, void *user);

/* Writes path with `fill`: "-" is standard output (flushed, not closed); a symbolic link or
 * an existing file that is not a regular one (a device, a FIFO) is written in place (replacing
 * a link would break it); anything else goes through a temporary file in the same folder
 * (mkstemp: ".NAME.tmp.XXXXXX"), given the mode of the file it replaces, or 0666 less the
 * umask, then flushed, fsync'd and renamed over path. On any failure the temporary file is
 * removed and path is untouched. Messages are "FN: cannot write SHOWN: why" ("cannot write
 * SHOWN: why" with fn NULL), SHOWN being the path as messages may show it. */
cln_status clni_write_file_atomic(cln_context *ctx, const char *path, const char *shown,
                                  const char *fn, clni_write_fn fill, void *user);

#endif
