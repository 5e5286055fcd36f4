/* Helpers shared by the tests: a context per test group, host data from the Philox
 * generator, and comparisons against double-precision references. */
#ifndef CLNUM_TEST_UTIL_H
#define CLNUM_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "clnum/clnum.h"

/* CMocka group setup/teardown: *state becomes a cln_context on the default device
 * (CLNUM_DEVICE chooses another). */
int tu_context_setup(void **state);
int tu_context_teardown(void **state);

/* Fails the test with the library's message when st is not CLN_SUCCESS. */
#define TU_OK(ctx, call) tu_ok((call), (ctx), #call, __FILE__, __LINE__)
void tu_ok(cln_status st, const cln_context *ctx, const char *what, const char *file, int line);

/* Asserts that call fails with `status` and that the message contains `needle`. */
#define TU_FAILS(ctx, status, needle, call) \
    tu_fails((call), (status), (needle), (ctx), #call, __FILE__, __LINE__)
void tu_fails(cln_status got, cln_status want, const char *needle, const cln_context *ctx,
              const char *what, const char *file, int line);

/* n standard normal doubles from Philox (seed, stream 99), a source independent of the
 * library's own streams. */
double *tu_normals(size_t n, uint64_t seed);
/* Values rounded to float, as a float32 tensor would hold them. */
void tu_round_to_float(double *v, size_t n);

/* A tensor made from host doubles (converted to dtype). */
cln_tensor *tu_tensor_from(cln_context *ctx, cln_dtype dtype, size_t rank, const size_t *shape,
                           const double *values);
/* A tensor's values as a malloc'd double array. */
double *tu_download(cln_context *ctx, const cln_tensor *t);

/* Asserts |got[i] - want[i]| <= atol + rtol * |want[i]| for every i, naming the first
 * element that is not. */
#define TU_ASSERT_CLOSE(got, want, n, rtol, atol) \
    tu_assert_close((got), (want), (n), (rtol), (atol), #got, __FILE__, __LINE__)
void tu_assert_close(const double *got, const double *want, size_t n, double rtol, double atol,
                     const char *what, const char *file, int line);

/* Prints the message (printf-style) and fails the current test here. */
#define TU_FAIL(...) tu_fail_at(__FILE__, __LINE__, __VA_ARGS__)
void tu_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Machine epsilon of a dtype. */
double tu_eps(cln_dtype dtype);

/* Small mode: CLNUM_TEST_SMALL set (and not "0"), as CI sets it when it runs the kernel tests
 * under the Oclgrind simulator. Tests of large sizes skip under it: `if (tu_small()) skip();`
 * (the small sizes still cover ragged shapes and the last partial batch). */
int tu_small(void);

#endif
