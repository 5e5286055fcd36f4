/* Status names and the last-error messages. */
#include <string.h>

#include "test_util.h"

static void names(void **state)
{
    (void)state;
    assert_string_equal(cln_status_str(CLN_SUCCESS), "success");
    assert_string_equal(cln_status_str(CLN_ERR_SHAPE_MISMATCH), "shape mismatch");
    assert_string_equal(cln_status_str(CLN_ERR_NO_FLOAT64), "device has no float64");
    /* OpenCL's own codes keep their names */
    assert_string_equal(cln_status_str(CL_INVALID_VALUE), "CL_INVALID_VALUE");
    assert_string_equal(cln_status_str(CL_OUT_OF_RESOURCES), "CL_OUT_OF_RESOURCES");
    assert_string_equal(cln_status_str(12345), "unknown status");
    /* the library's range does not collide with OpenCL's */
    assert_true(CLN_ERR_BAD_ARGUMENT < -1000);
    for (int s = CLN_ERR_UNSUPPORTED; s <= CLN_ERR_BAD_ARGUMENT; s++)
        assert_string_not_equal(cln_status_str(s), "unknown status");
}

/* The library linked is the one whose headers the test was compiled with, and its version
 * is the project's (CMake passes PROJECT_VERSION). */
static void version(void **state)
{
    (void)state;
    assert_string_equal(cln_version(), CLNUM_VERSION_STRING);
    assert_string_equal(cln_version(), CLNUM_TEST_PROJECT_VERSION);
}

static void messages_outside_a_context(void **state)
{
    (void)state;
    cln_device_selector sel;
    assert_int_equal(cln_device_selector_parse("0:1:2", &sel), CLN_ERR_PARSE);
    assert_non_null(strstr(cln_last_error(NULL), "0:1:2"));
    assert_int_equal(cln_context_create(NULL, NULL), CLN_ERR_BAD_ARGUMENT);
    assert_non_null(strstr(cln_last_error(NULL), "out is NULL"));
}

static void messages_in_a_context(void **state)
{
    cln_context *ctx = *state;
    size_t shape[2] = {3, 0};
    cln_tensor *t;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "dimension 1 is 0",
             cln_tensor_create(ctx, CLN_FLOAT32, 2, shape, &t));
    /* the thread's copy follows the context's */
    assert_string_equal(cln_last_error(NULL), cln_last_error(ctx));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),
        cmocka_unit_test(version),
        cmocka_unit_test(messages_outside_a_context),
        cmocka_unit_test(messages_in_a_context),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
