/* clnum-bench: the one-line message of a failure, kept by the caller. */
#ifndef BENCH_ERROR_H
#define BENCH_ERROR_H

#include <stddef.h>

#include "clnum/status.h"

/* Where a measurement puts the message of its failure. */
typedef struct bench_error {
    char message[1024];
} bench_error;

/* Writes "<what>: <status name> (<code>)[: <detail>]" into err, what made from fmt, detail
 * (cln_last_error's message, say) left out when NULL or empty. Returns status, so that a
 * caller can write `return bench_fail(err, st, ...)`. */
cln_status bench_fail(bench_error *err, cln_status status, const char *detail, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

/* Returns from the calling function when call does not succeed. */
#define BENCH_TRY(call)                    \
    do {                                   \
        cln_status bench_st_ = (call);     \
        if (bench_st_ != CLN_SUCCESS)      \
            return bench_st_;              \
    } while (0)

#endif
