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

/* Copies the kernel sources of cl/ (a folder a layer) into dir, appending `extra` to
 * model/linreg.cl. */
static void copy_kernels(const char *dir, const char *extra)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp -R '%s'/cl/. '%s'/", dir, CLNUM_SOURCE_DIR, dir);
    assert_int_equal(system(cmd), 0);
    if (extra) {
        char path[4096];
        snprintf(path, sizeof path, "%s/model/linreg.cl", dir);
        FILE *f = fopen(path, "a");
        assert_non_null(f);
        fputs(extra, f);
        fclose(f);
    }
}

/* Points CLNUM_KERNEL_DIR at a copy of the kernels in dir with one that does not compile. */
static void use_broken_kernels(char *dir)
{
    assert_non_null(mkdtemp(dir));
    copy_kernels(dir, "\nkernel void broken(global float *x) { x[0] = undeclared_name; }\n");
    setenv("CLNUM_KERNEL_DIR", dir, 1);
}

/* Unsets CLNUM_KERNEL_DIR and removes dir. */
static void drop_kernel_dir(const char *dir)
{
    unsetenv("CLNUM_KERNEL_DIR");
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
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
    drop_kernel_dir(dir);
}

static void build_failure_carries_the_log(void **state)
{
    (void)state;
    char dir[] = "/tmp/clnum-kernels-XXXXXX";
    use_broken_kernels(dir);
    cln_context *ctx;
    assert_int_equal(cln_context_create(NULL, &ctx), CLN_SUCCESS);
    TU_FAILS(ctx, CLN_ERR_BUILD_FAILED, "undeclared_name", cln_context_build(ctx, CLN_FLOAT32));
    assert_non_null(strstr(cln_last_error(ctx), "-DREAL=float")); /* the options, too */
    /* and an op that needs the program fails the same way, without crashing */
    cln_tensor *t;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 4, &t));
    TU_FAILS(ctx, CLN_ERR_BUILD_FAILED, "undeclared_name", cln_tensor_fill(t, 1.0));
    cln_context_free(ctx);
    drop_kernel_dir(dir);
}

static void missing_kernel_dir(void **state)
{
    (void)state;
    setenv("CLNUM_KERNEL_DIR", "/nonexistent/clnum-kernels", 1);
    cln_context *ctx;
    assert_int_equal(cln_context_create(NULL, &ctx), CLN_SUCCESS);
    TU_FAILS(ctx, CLN_ERR_IO, "/nonexistent/clnum-kernels/runtime/common.cl", cln_context_build(ctx, CLN_FLOAT32));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "unknown dtype", cln_context_build(ctx, 9));
    cln_context_free(ctx);
    unsetenv("CLNUM_KERNEL_DIR");
}

/* Runs a fill through ctx and checks it, so a program from the cache is shown to work. */
static void check_program_runs(cln_context *ctx)
{
    cln_tensor *t;
    TU_OK(ctx, cln_tensor_create_1d(ctx, CLN_FLOAT32, 5, &t));
    TU_OK(ctx, cln_tensor_fill(t, 2.5));
    float v[5];
    TU_OK(ctx, cln_tensor_download(t, v, sizeof v));
    for (int i = 0; i < 5; i++)
        assert_true(v[i] == 2.5f);
    cln_tensor_free(t);
}

/* The build options a context's kernels get, read from the message of a failed build (it
 * carries them), into opts. */
static void failed_build_options(cln_context *ctx, char *opts, size_t cap)
{
    char dir[] = "/tmp/clnum-kernels-XXXXXX";
    use_broken_kernels(dir);
    TU_FAILS(ctx, CLN_ERR_BUILD_FAILED, "undeclared_name", cln_context_build(ctx, CLN_FLOAT32));
    snprintf(opts, cap, "%s", cln_last_error(ctx));
    drop_kernel_dir(dir);
}

/* Kernels are built as OpenCL C 2.0 or 3.0 with CLN_ACQ_REL=1 where the device has
 * device-scope acquire/release (cl/runtime/handoff.cl), else without; CLNUM_OPENCL_C=1.2 asks for
 * 1.2 on any device, and any other value is refused with its name. */
static void kernel_language_follows_the_device(void **state)
{
    (void)state;
    char opts[4096];
    cln_context *ctx;
    assert_int_equal(cln_context_create(NULL, &ctx), CLN_SUCCESS);
    int acq_rel = cln_context_device(ctx)->has_device_acq_rel;
    failed_build_options(ctx, opts, sizeof opts);
    assert_non_null(strstr(opts, acq_rel ? "-DCLN_ACQ_REL=1" : "-DCLN_ACQ_REL=0"));
    if (acq_rel) { /* and the failure says how to build as 1.2 */
        assert_true(strstr(opts, "-cl-std=CL2.0") || strstr(opts, "-cl-std=CL3.0"));
        assert_non_null(strstr(opts, "CLNUM_OPENCL_C=1.2"));
    } else {
        assert_null(strstr(opts, "-cl-std=CL2.0"));
    }
    check_program_runs(ctx);
    cln_context_free(ctx);

    setenv("CLNUM_OPENCL_C", "1.2", 1);
    assert_int_equal(cln_context_create(NULL, &ctx), CLN_SUCCESS);
    assert_int_equal(cln_context_device(ctx)->has_device_acq_rel, 0);
    failed_build_options(ctx, opts, sizeof opts);
    assert_non_null(strstr(opts, "-cl-std=CL1.2"));
    assert_non_null(strstr(opts, "-DCLN_ACQ_REL=0"));
    assert_null(strstr(opts, "CLNUM_OPENCL_C"));
    check_program_runs(ctx);
    cln_context_free(ctx);

    setenv("CLNUM_OPENCL_C", "3.0", 1);
    ctx = (cln_context *)&ctx; /* must come back NULL */
    assert_int_equal(cln_context_create(NULL, &ctx), CLN_ERR_PARSE);
    assert_null(ctx);
    assert_non_null(strstr(cln_last_error(NULL), "CLNUM_OPENCL_C"));
    assert_non_null(strstr(cln_last_error(NULL), "\"3.0\""));
    unsetenv("CLNUM_OPENCL_C");
}

/* Builds a context's float32 program and returns where it came from. */
static cln_build_origin build_once(void)
{
    cln_context *ctx;
    assert_int_equal(cln_context_create(NULL, &ctx), CLN_SUCCESS);
    assert_int_equal(cln_context_build_origin(ctx, CLN_FLOAT32), CLN_BUILD_NONE);
    TU_OK(ctx, cln_context_build(ctx, CLN_FLOAT32));
    cln_build_origin origin = cln_context_build_origin(ctx, CLN_FLOAT32);
    check_program_runs(ctx);
    cln_context_free(ctx);
    return origin;
}

/* The one cache file in dir, or fails. */
static void cache_file(const char *dir, char *path, size_t cap)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls '%s'/*.bin", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(path, (int)cap, p));
    path[strcspn(path, "\n")] = '\0';
    char extra[512];
    assert_null(fgets(extra, sizeof extra, p)); /* exactly one */
    pclose(p);
}

static void cache_hit_miss_corrupt_off(void **state)
{
    (void)state;
    char dir[] = "/tmp/clnum-cache-XXXXXX", path[1024], cmd[2400];
    assert_non_null(mkdtemp(dir));
    char sub[256];
    snprintf(sub, sizeof sub, "%s/made/by/clnum", dir); /* parents are created too */
    setenv("CLNUM_CACHE_DIR", sub, 1);

    assert_int_equal(build_once(), CLN_BUILD_FROM_SOURCE);
    assert_int_equal(build_once(), CLN_BUILD_FROM_CACHE);
    cache_file(sub, path, sizeof path);

    /* A flipped byte in the middle: the checksum fails, the program is rebuilt and rewritten. */
    snprintf(cmd, sizeof cmd,
             "size=$(stat -c %%s '%s'); printf '\\377\\000\\377' | dd of='%s' bs=1 seek=$((size / 2)) "
             "conv=notrunc status=none", path, path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(build_once(), CLN_BUILD_FROM_SOURCE);
    assert_int_equal(build_once(), CLN_BUILD_FROM_CACHE);

    /* Truncated, and then garbage: both rebuilt. */
    snprintf(cmd, sizeof cmd, "truncate -s 100 '%s'", path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(build_once(), CLN_BUILD_FROM_SOURCE);
    snprintf(cmd, sizeof cmd, "head -c 5000 /dev/urandom > '%s'", path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(build_once(), CLN_BUILD_FROM_SOURCE);
    assert_int_equal(build_once(), CLN_BUILD_FROM_CACHE);

    /* Other sources (a stale entry): a new key, so a miss, and a second file. */
    char kdir[] = "/tmp/clnum-kernels-XXXXXX";
    assert_non_null(mkdtemp(kdir));
    copy_kernels(kdir, "\n/* changed */\n");
    setenv("CLNUM_KERNEL_DIR", kdir, 1);
    assert_int_equal(build_once(), CLN_BUILD_FROM_SOURCE);
    assert_int_equal(build_once(), CLN_BUILD_FROM_CACHE);
    unsetenv("CLNUM_KERNEL_DIR");

    /* off: always from source */
    setenv("CLNUM_CACHE_DIR", "off", 1);
    assert_int_equal(build_once(), CLN_BUILD_FROM_SOURCE);
    assert_int_equal(build_once(), CLN_BUILD_FROM_SOURCE);

    /* an unwritable place: still builds */
    setenv("CLNUM_CACHE_DIR", "/proc/clnum-cannot-write-here", 1);
    assert_int_equal(build_once(), CLN_BUILD_FROM_SOURCE);

    unsetenv("CLNUM_CACHE_DIR");
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, kdir);
    assert_int_equal(system(cmd), 0);
}

/* The cache folder's rule, as runtime.h gives it: CLNUM_CACHE_DIR, else XDG_CACHE_HOME/clnum,
 * else HOME/.cache/clnum; off, none or too long for the buffer: 0. */
static void cache_dir_follows_the_environment(void **state)
{
    (void)state;
    const char *saved[3] = {getenv("CLNUM_CACHE_DIR"), getenv("XDG_CACHE_HOME"), getenv("HOME")};
    char keep[3][1024] = {"", "", ""};
    for (int i = 0; i < 3; i++)
        if (saved[i])
            snprintf(keep[i], sizeof keep[i], "%s", saved[i]);
    char dir[64];
    setenv("CLNUM_CACHE_DIR", "/tmp/cache-a", 1);
    setenv("XDG_CACHE_HOME", "/tmp/xdg", 1);
    setenv("HOME", "/tmp/home", 1);
    assert_int_equal(cln_cache_dir(dir, sizeof dir), 1);
    assert_string_equal(dir, "/tmp/cache-a");
    assert_int_equal(cln_cache_dir(dir, 5), 0); /* does not fit */
    unsetenv("CLNUM_CACHE_DIR");
    assert_int_equal(cln_cache_dir(dir, sizeof dir), 1);
    assert_string_equal(dir, "/tmp/xdg/clnum");
    unsetenv("XDG_CACHE_HOME");
    assert_int_equal(cln_cache_dir(dir, sizeof dir), 1);
    assert_string_equal(dir, "/tmp/home/.cache/clnum");
    unsetenv("HOME");
    assert_int_equal(cln_cache_dir(dir, sizeof dir), 0);
    setenv("CLNUM_CACHE_DIR", "off", 1);
    setenv("HOME", "/tmp/home", 1);
    assert_int_equal(cln_cache_dir(dir, sizeof dir), 0);
    const char *names[3] = {"CLNUM_CACHE_DIR", "XDG_CACHE_HOME", "HOME"};
    for (int i = 0; i < 3; i++) {
        if (saved[i])
            setenv(names[i], keep[i], 1);
        else
            unsetenv(names[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builds_from_a_kernel_dir),
        cmocka_unit_test(build_failure_carries_the_log),
        cmocka_unit_test(missing_kernel_dir),
        cmocka_unit_test(kernel_language_follows_the_device),
        cmocka_unit_test(cache_hit_miss_corrupt_off),
        cmocka_unit_test(cache_dir_follows_the_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
