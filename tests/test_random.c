/* The Philox4x32-10 generator: the host one against Random123's known answers, and the
 * device one (cln_tensor_randn) against the host one, value by value. */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

/* Random123's kat_vectors for philox4x32 with 10 rounds. */
static void host_known_answers(void **state)
{
    (void)state;
    static const uint32_t cases[3][10] = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d,
         0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
         0x94fdcceb, 0x5001e420, 0x24126ea1},
    };
    for (int c = 0; c < 3; c++) {
        uint32_t out[4];
        cln_philox4x32_10(&cases[c][0], &cases[c][4], out);
        for (int i = 0; i < 4; i++)
            assert_int_equal(out[i], cases[c][6 + i]);
    }
}

static void host_uniform_is_open_interval(void **state)
{
    (void)state;
    assert_true(cln_philox_uniform(0) > 0.0);
    assert_true(cln_philox_uniform(0xffffffffu) < 1.0);
    assert_true(cln_philox_uniform(0x80000000u) == 0.5 + 0.5 / 8388608.0);
}

/* The host normals have the right first two moments (a broken Box-Muller would not). */
static void host_normal_moments(void **state)
{
    (void)state;
    const size_t n = 200000;
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++) {
        double z = cln_philox_normal(7, 0, i);
        sum += z;
        sq += z * z;
    }
    double mean = sum / n, var = sq / n - mean * mean;
    assert_true(fabs(mean) < 5.0 / sqrt((double)n));
    assert_true(fabs(var - 1.0) < 0.02);
    /* Streams and seeds are independent sequences. */
    assert_true(cln_philox_normal(7, 0, 5) != cln_philox_normal(7, 1, 5));
    assert_true(cln_philox_normal(7, 0, 5) != cln_philox_normal(8, 0, 5));
}

/* Every device value equals mean + std * the host value, for sizes that are not multiples
 * of 4 or of the work-group size, and at an offset (a view). */
static void check_device_randn(cln_context *ctx, cln_dtype dtype)
{
    const size_t sizes[] = {1, 3, 7, 1000, 100003};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s], total = n + 5;
        if (tu_small() && n > 1000) continue; /* CLNUM_TEST_SMALL: the small sizes only */
        cln_tensor *whole, *view;
        TU_OK(ctx, cln_tensor_create_1d(ctx, dtype, total, &whole));
        TU_OK(ctx, cln_tensor_fill(whole, -123.0));
        TU_OK(ctx, cln_tensor_view_rows(whole, 2, n, &view));
        TU_OK(ctx, cln_tensor_randn(view, 1.5, 0.25, 42 + s, 3));
        double *got = tu_download(ctx, whole);
        double *want = malloc(total * sizeof *want);
        for (size_t i = 0; i < total; i++)
            want[i] = i < 2 || i >= 2 + n ? -123.0 : 1.5 + 0.25 * cln_philox_normal(42 + s, 3, i - 2);
        /* float: log/cospi of the device against double on the host */
        TU_ASSERT_CLOSE(got, want, total, dtype == CLN_FLOAT64 ? 1e-12 : 2e-6,
                        dtype == CLN_FLOAT64 ? 1e-12 : 2e-6);
        free(got);
        free(want);
        cln_tensor_free(view);
        cln_tensor_free(whole);
    }
}

static void device_matches_host_f32(void **state) { check_device_randn(*state, CLN_FLOAT32); }

static void device_matches_host_f64(void **state)
{
    cln_context *ctx = *state;
    if (!cln_context_device(ctx)->has_float64)
        skip();
    check_device_randn(ctx, CLN_FLOAT64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_known_answers),
        cmocka_unit_test(host_uniform_is_open_interval),
        cmocka_unit_test(host_normal_moments),
        cmocka_unit_test(device_matches_host_f32),
        cmocka_unit_test(device_matches_host_f64),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
