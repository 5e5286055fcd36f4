/* The device self-check (src/train/selfcheck.c): AUTO's result equals the stepwise path's on a
 * long epoch (where a driver that ends loops early gave wrong answers), a path broken on
 * purpose (CLNUM_TEST_BREAK_PATH) is caught, avoided by AUTO and refused with the reason,
 * and the verdict is cached, read back, and re-made from a corrupt cache file. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

typedef struct fit_out {
    cln_status status;
    cln_train_path path;
    double w[2], b;
} fit_out;

static fit_out fit_path(cln_context *ctx, const cln_dataset *data, cln_train_path path)
{
    fit_out out = {0};
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 5, &m));
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.path = path;
    cln_history h;
    memset(&h, 0, sizeof h);
    out.status = cln_fit(cln_linreg_model(m), data, &tc, &h);
    out.path = h.path;
    if (out.status == CLN_SUCCESS)
        TU_OK(ctx, cln_linreg_get(m, out.w, &out.b));
    cln_history_free(&h);
    cln_linreg_free(m);
    return out;
}

static cln_dataset *chapter_data(cln_context *ctx, size_t num_train)
{
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = num_train;
    cln_dataset *data;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    return data;
}

static void assert_same_fit(const fit_out *a, const fit_out *ref)
{
    assert_int_equal(a->status, CLN_SUCCESS);
    TU_ASSERT_CLOSE(a->w, ref->w, 2, 1e-4, 1e-5);
    assert_true(fabs(a->b - ref->b) <= 1e-4 * fabs(ref->b) + 1e-5);
}

/* A fresh cache folder of the test's own, so that the check runs in it. */
static void fresh_cache(char *dir, size_t cap)
{
    snprintf(dir, cap, "/tmp/clnum-selfcheck-XXXXXX");
    assert_non_null(mkdtemp(dir));
    setenv("CLNUM_CACHE_DIR", dir, 1);
}

static void remove_cache(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            remove(path);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* The verdict files (.txt) in dir: their count, and the path of the last one. */
static int verdict_files(const char *dir, char *last, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".txt") == 0) {
            snprintf(last, cap, "%s/%s", dir, e->d_name);
            n++;
        }
    }
    if (d)
        closedir(d);
    return n;
}

/* 20000 rows at batch 32: 625 minibatches in one work-item's loops on the epoch path, past
 * llvmpipe's 65535 loop iterations. AUTO must still give the stepwise path's answer. */
static void auto_matches_stepwise_on_a_long_epoch(void **state)
{
    cln_context *ctx = *state;
    cln_dataset *data = chapter_data(ctx, tu_small() ? 4000 : 20000);
    fit_out ref = fit_path(ctx, data, CLN_PATH_STEPWISE);
    assert_int_equal(ref.status, CLN_SUCCESS);
    fit_out got = fit_path(ctx, data, CLN_PATH_AUTO);
    assert_same_fit(&got, &ref);
    /* and every path the device allows */
    const cln_device_info *info = cln_context_device(ctx);
    assert_int_equal(info->paths_checked, 1);
    for (int p = CLN_PATH_FUSED; p <= CLN_PATH_PERSISTENT; p++) {
        fit_out f = fit_path(ctx, data, (cln_train_path)p);
        if (info->paths_disabled & (1u << p) || f.status == CLN_ERR_UNSUPPORTED) {
            assert_int_equal(f.status, CLN_ERR_UNSUPPORTED);
            continue;
        }
        assert_same_fit(&f, &ref);
    }
    /* a driver that ends loops early never runs the persistent path's unbounded waits */
    if (info->loop_limit)
        assert_true(info->paths_disabled & (1u << CLN_PATH_PERSISTENT));
    cln_dataset_free(data);
}

static void a_broken_path_is_caught_and_avoided(void **state)
{
    (void)state;
    char dir[64];
    fresh_cache(dir, sizeof dir);
    setenv("CLNUM_TEST_BREAK_PATH", "epoch", 1);
    cln_context *ctx;
    TU_OK(NULL, cln_context_create(NULL, &ctx));
    cln_dataset *data = chapter_data(ctx, 1000);
    fit_out ref = fit_path(ctx, data, CLN_PATH_STEPWISE);
    fit_out got = fit_path(ctx, data, CLN_PATH_AUTO); /* the chapter: AUTO's epoch path */
    assert_int_not_equal(got.path, CLN_PATH_EPOCH);
    assert_same_fit(&got, &ref);
    const cln_device_info *info = cln_context_device(ctx);
    assert_int_equal(info->paths_checked, 1);
    assert_true(info->paths_disabled & (1u << CLN_PATH_EPOCH));
    assert_non_null(strstr(info->paths_note, "epoch: differs from the double-precision host replica"));
    /* softmax regression's own epoch kernel, broken too, is caught by its own check */
    assert_non_null(strstr(info->paths_note, "softmax epoch: differs from the host replica"));
    fit_out asked = fit_path(ctx, data, CLN_PATH_EPOCH);
    assert_int_equal(asked.status, CLN_ERR_UNSUPPORTED);
    assert_non_null(strstr(cln_last_error(ctx), "the epoch path is off"));
    assert_non_null(strstr(cln_last_error(ctx), "self-check"));
    cln_dataset_free(data);
    cln_context_free(ctx);

    /* the verdict is cached: cln_devices_list shows it without a context */
    cln_device_info *list;
    size_t count;
    TU_OK(NULL, cln_devices_list(&list, &count));
    int shown = 0;
    for (size_t i = 0; i < count; i++)
        shown += list[i].paths_checked && (list[i].paths_disabled & (1u << CLN_PATH_EPOCH));
    assert_int_equal(shown, 1);
    cln_devices_free(list);
    unsetenv("CLNUM_TEST_BREAK_PATH");
    remove_cache(dir);
}

static void the_verdict_is_cached_and_remade_when_corrupt(void **state)
{
    (void)state;
    char dir[64], file[4200];
    fresh_cache(dir, sizeof dir);
    cln_context *ctx;
    TU_OK(NULL, cln_context_create(NULL, &ctx));
    assert_int_equal(cln_context_device(ctx)->paths_checked, 0);
    TU_OK(ctx, cln_context_selfcheck(ctx, CLN_FLOAT32));
    cln_device_info first = *cln_context_device(ctx);
    assert_int_equal(first.paths_checked, 1);
    cln_context_free(ctx);
    assert_int_equal(verdict_files(dir, file, sizeof file), 1);

    /* a corrupt entry is not believed: the check runs again and writes a good one */
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("garbage\n", f);
    fclose(f);
    TU_OK(NULL, cln_context_create(NULL, &ctx));
    TU_OK(ctx, cln_context_selfcheck(ctx, CLN_FLOAT32));
    const cln_device_info *again = cln_context_device(ctx);
    assert_int_equal(again->paths_disabled, first.paths_disabled);
    assert_int_equal(again->loop_limit, first.loop_limit);
    assert_string_equal(again->paths_note, first.paths_note);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "unknown dtype", cln_context_selfcheck(ctx, 7));
    cln_context_free(ctx);
    f = fopen(file, "r");
    assert_non_null(f);
    char line[64] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_non_null(strstr(line, "|clnum " CLNUM_VERSION_STRING "|"));
    remove_cache(dir);
}

static void a_bad_break_value_is_refused(void **state)
{
    (void)state;
    setenv("CLNUM_TEST_BREAK_PATH", "sideways", 1);
    cln_context *ctx = NULL;
    TU_FAILS(NULL, CLN_ERR_PARSE, "CLNUM_TEST_BREAK_PATH", cln_context_create(NULL, &ctx));
    assert_null(ctx);
    unsetenv("CLNUM_TEST_BREAK_PATH");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(auto_matches_stepwise_on_a_long_epoch, tu_context_setup,
                                        tu_context_teardown),
        cmocka_unit_test(a_broken_path_is_caught_and_avoided),
        cmocka_unit_test(the_verdict_is_cached_and_remade_when_corrupt),
        cmocka_unit_test(a_bad_break_value_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
