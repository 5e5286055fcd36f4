/* clnum-bench: program build time with clnum's cache cold and warm. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "startup.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "timing.h"

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* Removes the folder the bench made, with what the cache wrote into it. */
static void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The chapter on a fresh context: its data, a model and one fit (3 epochs, batch 32). */
static cln_status first_fit(cln_context *ctx)
{
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    cln_dataset *data = NULL;
    cln_linreg *m = NULL;
    BENCH_TRY(cln_synthetic_create(ctx, &dc, &data));
    BENCH_TRY(cln_linreg_create(ctx, CLN_FLOAT32, dc.num_inputs, 0.01, 0, &m));
    BENCH_TRY(cln_fit(cln_linreg_model(m), data, &tc, NULL));
    return cln_context_finish(ctx); /* the context frees data and m */
}

/* On a new context: the time of cln_context_build(FLOAT32), and of the build and the
 * chapter's first fit together (with kernels compiled at their first launch, as PoCL does
 * for a program built from source, that is the honest start-up cost), in ms. */
static cln_status time_start(const char *selector, double *build_ms, double *first_ms,
                             bench_error *err)
{
    cln_context *ctx = NULL;
    cln_status st = cln_context_create(selector, &ctx);
    if (st != CLN_SUCCESS)
        return bench_fail(err, st, cln_last_error(NULL), "cln_context_create");
    double t0 = bench_now_ms();
    st = cln_context_build(ctx, CLN_FLOAT32);
    *build_ms = bench_now_ms() - t0;
    if (st != CLN_SUCCESS)
        bench_fail(err, st, cln_last_error(ctx), "cln_context_build");
    else if ((st = first_fit(ctx)) != CLN_SUCCESS)
        bench_fail(err, st, cln_last_error(ctx), "start-up: the chapter's first fit");
    *first_ms = bench_now_ms() - t0;
    cln_context_free(ctx);
    return st;
}

/* Best and median of n builds and n first fits (both arrays are sorted). */
static startup_figure summarize(double *build, double *first, size_t n)
{
    bench_stats b = bench_stats_of(build, n), f = bench_stats_of(first, n);
    return (startup_figure){b.best, b.median, f.best, f.median};
}

/* Restores CLNUM_CACHE_DIR to `saved` (NULL: unset). */
static void restore_env(const char *saved)
{
    if (saved)
        setenv("CLNUM_CACHE_DIR", saved, 1);
    else
        unsetenv("CLNUM_CACHE_DIR");
}

cln_status startup_measure(const char *selector, int repeats, startup_times *out,
                           bench_error *err)
{
    const char *tmp = getenv("TMPDIR");
    char root[512], dir[600];
    snprintf(root, sizeof root, "%s/clnum-bench-cache-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root))
        return bench_fail(err, CLN_ERR_IO, NULL, "making a temporary folder in %s",
                          tmp && *tmp ? tmp : "/tmp");
    const char *old = getenv("CLNUM_CACHE_DIR");
    char *saved = old ? strdup(old) : NULL;
    size_t n = (size_t)repeats;
    double *t = malloc(6 * n * sizeof *t); /* build and first fit: cold, warm, off */
    cln_status st = CLN_SUCCESS;
    if (!t || (old && !saved))
        st = bench_fail(err, CLN_ERR_OUT_OF_HOST_MEMORY, NULL, "start-up");
    for (size_t r = 0; r < n && st == CLN_SUCCESS; r++) {
        snprintf(dir, sizeof dir, "%s/run%zu", root, r);
        if (mkdir(dir, 0700) != 0) {
            st = bench_fail(err, CLN_ERR_IO, NULL, "making %s", dir);
            break;
        }
        setenv("CLNUM_CACHE_DIR", dir, 1); /* read by the library when it builds */
        st = time_start(selector, &t[r], &t[n + r], err);
        if (st == CLN_SUCCESS)
            st = time_start(selector, &t[2 * n + r], &t[3 * n + r], err);
        setenv("CLNUM_CACHE_DIR", "off", 1);
        if (st == CLN_SUCCESS)
            st = time_start(selector, &t[4 * n + r], &t[5 * n + r], err);
    }
    if (st == CLN_SUCCESS) {
        out->cold = summarize(t, t + n, n);
        out->warm = summarize(t + 2 * n, t + 3 * n, n);
        out->nocache = summarize(t + 4 * n, t + 5 * n, n);
    }
    restore_env(saved);
    remove_tree(root);
    free(saved);
    free(t);
    return st;
}
