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

/* ---- rounding-error bounds -------------------------------------------------------------
 * A result computed on the device is checked against a reference computed on the host in
 * double: |got - want| may be the device's error plus the reference's, each bounded by the
 * helpers below (the reference's with dtype CLN_FLOAT64). The bounds assume IEEE
 * round-to-nearest (fl(a op b) = (a op b)(1 + d), |d| <= u, plus at most u's underflow
 * floor on a product) and hold whether or not the compiler fuses a multiply and an add into
 * one FMA, as OpenCL C allows (PoCL does, rusticl does not): an FMA only drops a rounding. */

/* Unit roundoff u: 2^-24 for float32, 2^-53 for float64 (half of tu_eps). */
double tu_unit_roundoff(cln_dtype dtype);

/* A sum (or dot product) in dtype in which every term goes through at most `roundings`
 * roundings on its way to the result: a tree of depth h takes h; a dot product, whose
 * products round too, h + 1; n terms in any order at most n - 1 (a dot product n).
 * `products` of the terms are products that may underflow. Then
 * |computed - exact| <= gamma_roundings * abs_sum, gamma_k = k u / (1 - k u) (Higham,
 * "Accuracy and Stability of Numerical Algorithms", 3.1), abs_sum = sum |term|. */
double tu_sum_bound(cln_dtype dtype, size_t roundings, double abs_sum, size_t products);

/* r = alpha * s + beta * c computed in dtype from an approximation s_hat of s with
 * |s_hat - s| <= s_err (tu_sum_bound(), or 0 for a value held exactly), as
 * fl(fl(alpha s_hat) + fl(beta c)) or either FMA form (fma(alpha, s_hat, beta c),
 * fma(beta, c, alpha s_hat)): a bound on |computed r - r|. A product by 0 or by a power of
 * two (1, 0.25, -0.5) does not round; beta = 0 means no addition, so a scale is
 * tu_axpby_bound(dtype, alpha, s, s_err, 0, 0) and axpy y + a x (s = a x, one rounding) is
 * tu_axpby_bound(dtype, 1, a * x, tu_sum_bound(dtype, 1, |a x|, 1), 1, y). alpha and beta
 * are the values the device multiplies by (a double rounded to float for float32). */
double tu_axpby_bound(cln_dtype dtype, double alpha, double s, double s_err, double beta,
                      double c);

/* Asserts |got[i] - want[i]| <= bound[i] for every i, naming the first element that is
 * not. */
#define TU_ASSERT_WITHIN(got, want, bound, n) \
    tu_assert_within((got), (want), (bound), (n), #got, __FILE__, __LINE__)
void tu_assert_within(const double *got, const double *want, const double *bound, size_t n,
                      const char *what, const char *file, int line);

/* Small mode: CLNUM_TEST_SMALL set (and not "0"), as CI sets it when it runs the kernel tests
 * under the Oclgrind simulator. Tests of large sizes skip under it: `if (tu_small()) skip();`
 * (the small sizes still cover ragged shapes and the last partial batch). */
int tu_small(void);

/* 1, with a message saying why, when the device self-check (runtime.h) switched path off on
 * ctx's device for float32: a test of that path skips it there. Runs the check if needed. */
int tu_path_off(cln_context *ctx, cln_train_path path);

#endif
