/* The CLNUM_DEVICE selector: parsing, and choosing from a list of devices. */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static void parse_forms(void **state)
{
    (void)state;
    cln_device_selector s;
    assert_int_equal(cln_device_selector_parse(NULL, &s), CLN_SUCCESS);
    assert_int_equal(s.platform_index, -1);
    assert_int_equal(s.device_index, -1);
    assert_string_equal(s.platform_name, "");

    assert_int_equal(cln_device_selector_parse("1:2", &s), CLN_SUCCESS);
    assert_int_equal(s.platform_index, 1);
    assert_int_equal(s.device_index, 2);

    assert_int_equal(cln_device_selector_parse(" NVIDIA : H100 ", &s), CLN_SUCCESS);
    assert_string_equal(s.platform_name, "nvidia");
    assert_string_equal(s.device_name, "h100");
    assert_int_equal(s.platform_index, -1);

    assert_int_equal(cln_device_selector_parse("0", &s), CLN_SUCCESS);
    assert_int_equal(s.platform_index, 0);
    assert_int_equal(s.device_index, -1);

    assert_int_equal(cln_device_selector_parse(":gpu", &s), CLN_SUCCESS);
    assert_int_equal(s.platform_index, -1);
    assert_string_equal(s.device_name, "gpu");

    assert_int_equal(cln_device_selector_parse("2a:1", &s), CLN_SUCCESS); /* a name */
    assert_string_equal(s.platform_name, "2a");
}

static void parse_errors(void **state)
{
    (void)state;
    cln_device_selector s;
    assert_int_equal(cln_device_selector_parse("1:2:3", &s), CLN_ERR_PARSE);
    assert_int_equal(cln_device_selector_parse("99999999999:0", &s), CLN_ERR_PARSE);
    assert_non_null(strstr(cln_last_error(NULL), "too large"));
    char long_name[300];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(cln_device_selector_parse(long_name, &s), CLN_ERR_PARSE);
    assert_int_equal(cln_device_selector_parse("a\tb", &s), CLN_ERR_PARSE);
    assert_int_equal(cln_device_selector_parse("0", NULL), CLN_ERR_BAD_ARGUMENT);
}

/* Two platforms: a CPU-only one, then one with two GPUs. */
static void fake_list(cln_device_info list[3])
{
    memset(list, 0, 3 * sizeof *list);
    strcpy(list[0].platform_name, "Portable Computing Language");
    strcpy(list[0].device_name, "pthread-haswell-AMD EPYC");
    list[0].type = CLN_DEVICE_CPU;
    for (int i = 1; i < 3; i++) {
        list[i].platform_index = 1;
        list[i].device_index = (size_t)i - 1;
        strcpy(list[i].platform_name, "NVIDIA CUDA");
        strcpy(list[i].vendor, "NVIDIA Corporation");
        list[i].type = CLN_DEVICE_GPU;
    }
    strcpy(list[1].device_name, "NVIDIA H100 80GB HBM3");
    strcpy(list[2].device_name, "NVIDIA H200");
}

static size_t choose(const cln_device_info *list, size_t n, const char *text)
{
    cln_device_selector s;
    size_t chosen = 99;
    assert_int_equal(cln_device_selector_parse(text, &s), CLN_SUCCESS);
    assert_int_equal(cln_devices_choose(list, n, &s, &chosen), CLN_SUCCESS);
    return chosen;
}

static void choosing(void **state)
{
    (void)state;
    cln_device_info list[3];
    fake_list(list);
    assert_int_equal(choose(list, 3, NULL), 1);          /* default: the first GPU */
    assert_int_equal(choose(list, 1, ""), 0);            /* no GPU: the first device */
    assert_int_equal(choose(list, 3, "0:0"), 0);
    assert_int_equal(choose(list, 3, "1:1"), 2);
    assert_int_equal(choose(list, 3, "nvidia:h200"), 2);
    assert_int_equal(choose(list, 3, ":H100"), 1);
    assert_int_equal(choose(list, 3, "portable"), 0);
    assert_int_equal(choose(list, 3, ":cpu"), 0);        /* a type */
    assert_int_equal(choose(list, 3, "1"), 1);           /* platform 1, its first device */
    assert_int_equal(choose(list, 3, ":1"), 2);          /* device 1 of any platform */

    cln_device_selector s;
    size_t chosen;
    assert_int_equal(cln_device_selector_parse("amd:0", &s), CLN_SUCCESS);
    assert_int_equal(cln_devices_choose(list, 3, &s, &chosen), CLN_ERR_NO_DEVICE);
    assert_non_null(strstr(cln_last_error(NULL), "amd:0"));
    assert_int_equal(cln_devices_choose(list, 0, NULL, &chosen), CLN_ERR_NO_DEVICE);
}

/* This machine's devices: at least one, described. */
static void real_devices(void **state)
{
    (void)state;
    cln_device_info *list;
    size_t n;
    assert_int_equal(cln_devices_list(&list, &n), CLN_SUCCESS);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++) {
        assert_true(strlen(list[i].device_name) > 0);
        assert_true(list[i].global_mem_bytes > 0);
        assert_true(list[i].max_alloc_bytes > 0);
        assert_true(list[i].max_work_group_size >= 1);
        assert_non_null(strstr(list[i].opencl_c_version, "OpenCL C"));
    }
    cln_devices_free(list);
    cln_context *ctx;
    assert_int_equal(cln_context_create("no-such-platform:0", &ctx), CLN_ERR_NO_DEVICE);
    assert_int_equal(cln_context_create("0:0", &ctx), CLN_SUCCESS);
    assert_int_equal(cln_context_device(ctx)->platform_index, 0);
    cln_context_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_forms),
        cmocka_unit_test(parse_errors),
        cmocka_unit_test(choosing),
        cmocka_unit_test(real_devices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
