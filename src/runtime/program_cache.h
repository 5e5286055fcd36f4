/* An on-disk cache of built kernel programs, keyed by everything that could change the
 * binary: the kernel sources, the build options, the device, its driver and the library's
 * version. Best effort: any fault (missing folder, corrupt or stale file, a driver that
 * refuses the binary) just means building from source. */
#ifndef CLNUM_PROGRAM_CACHE_H
#define CLNUM_PROGRAM_CACHE_H

#include "runtime/internal.h"

/* FNV-1a of the kernel sources, in order. */
uint64_t clni_sources_hash(const char *const *texts, const size_t *lengths, size_t count);

/* The key of a program: a text naming device, driver, options, version and a hash of the
 * sources. */
void clni_cache_key(const cln_context *ctx, const char *options, const char *const *texts,
                    const size_t *lengths, size_t count, char *dst, size_t cap);

/* A built program from the cache, or NULL on a miss (or any fault). */
cl_program clni_cache_load(cln_context *ctx, const char *key, const char *options);

/* Stores a built program (written to a temporary file, then renamed into place). */
void clni_cache_store(const char *key, cl_program program);

/* Small text entries beside the programs (the self-check's verdicts), by key: the text
 * stored for key, 1 when found and whole; written to a temporary file, then renamed. */
int clni_cache_read_text(const char *key, char *dst, size_t cap);
void clni_cache_write_text(const char *key, const char *text);

#endif
