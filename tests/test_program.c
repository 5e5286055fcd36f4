/* Kernel programs: loaded from CLNUM_KERNEL_DIR while developing, and a build failure
 * reported as CLN_ERR_BUILD_FAILED with the compiler's log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

#ifndef CLNUM_SOURCE_DIR
#error "CLNUM_SOURCE_DIR must name the source tree"
#endif

/* Copies the kernel sources of cl/ into dir, appending `extra` to linreg.cl. */
static void copy_kernels(const char *dir, const char *extra)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s'/cl/*.cl '%s'/", dir, CLNUM_SOURCE_DIR, dir);
    assert_int_equal(system(cmd), 0);
    if (extra) {
        char path[4096];
        snprintf(path, sizeof path, "%s/linreg.cl", dir);
        FILE *f = fopen(path, "a");
        assert_non_null(f);
        fputs(extra, f);
        fclose(f);
    }
}

static void builds_from_a_kernel_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/clnum-kernels-XXXXXX";
    assert_non_null(mkdtemp(dir));
    copy_kernels(dir, "\n/* a comment the embedded copy lacks */\n");
    setenv("CLNUM_KERNEL_DIR", dir, 1);
    cln_context *ctx;
    assert_int_equal(cln_context_create(NULL, &ctx), CLN_SUCCESS);
    TU_OK(ctx, cln_context_build(ctx, CLN_FLOAT32));
    cln_context_free(ctx);
    unsetenv("CLNUM_KERNEL_DIR");
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void build_failure_carries_the_log(void **state)
{
    (void)state;
    char dir[] = "/tmp/clnum-kernels-XXXXXX";
    assert_non_null(mkdtemp(dir));
    copy_kernels(dir, "\nkernel void broken(global float *x) { x[0] = undeclared_name; }\n");
    setenv("CLNUM_KERNEL_DIR", dir, 1);
    cln_context *ctx;
    assert_int_equal(cln_context_create(NULL, &ctx), CLN_SUCCESS);
    TU_FAILS(ctx, CLN_ERR_BUILD_FAILED, "undeclared_name", cln_context_build(ctx, CLN_FLOAT32));
    assert_non_null(strstr(cln_last_error(ctx), "-DREAL=float")); /* the options, too */
    /* and an op that needs the program fails the same way, without crashing */
    cln_tensor *t;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 4, &t));
    TU_FAILS(ctx, CLN_ERR_BUILD_FAILED, "undeclared_name", cln_tensor_fill(t, 1.0));
    cln_context_free(ctx);
    unsetenv("CLNUM_KERNEL_DIR");
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void missing_kernel_dir(void **state)
{
    (void)state;
    setenv("CLNUM_KERNEL_DIR", "/nonexistent/clnum-kernels", 1);
    cln_context *ctx;
    assert_int_equal(cln_context_create(NULL, &ctx), CLN_SUCCESS);
    TU_FAILS(ctx, CLN_ERR_IO, "/nonexistent/clnum-kernels/common.cl", cln_context_build(ctx, CLN_FLOAT32));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "unknown dtype", cln_context_build(ctx, 9));
    cln_context_free(ctx);
    unsetenv("CLNUM_KERNEL_DIR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builds_from_a_kernel_dir),
        cmocka_unit_test(build_failure_carries_the_log),
        cmocka_unit_test(missing_kernel_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
