/* The device self-check's verdicts (train/selfcheck.c runs the checks): cached on disk
 * beside the program cache, or with that cache off remembered by the process, and read by
 * the fast paths' planners and by cln_device_info. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/program_cache.h"
#include "runtime/verdict.h"

#define CACHE_MAGIC "CLNUMSC1"

static const char *const path_names[] = {"auto", "stepwise", "fused", "epoch", "persistent"};

void clni_verdict_note(clni_verdict *v, const char *fmt, ...)
{
    size_t used = strlen(v->note), cap = sizeof v->note;
    if (used > 0 && used + 2 < cap) {
        strcat(v->note, "; ");
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->note + used, cap - used, fmt, ap);
    va_end(ap);
}

const char *clni_path_name(cln_train_path path)
{
    return (unsigned)path < sizeof path_names / sizeof path_names[0] ? path_names[path] : "?";
}

/* Everything that could change a verdict: the library, the device and its driver, the
 * kernel language variant, the dtype, and the test-only broken path. */
static void verdict_key(const cln_device_info *d, cln_dtype dtype, uint64_t sources_hash,
                        char *dst, size_t cap)
{
    const char *broken = getenv("CLNUM_TEST_BREAK_PATH");
    snprintf(dst, cap, "selfcheck %d|clnum %s|%s|%s|%s|%s|%s|acq_rel %d|%s|break %s|sources %016llx",
             CLNI_SELFCHECK_VERSION, CLNUM_VERSION_STRING, d->platform_name, d->device_name,
             d->vendor, d->driver_version, d->opencl_c_version, d->has_device_acq_rel,
             dtype == CLN_FLOAT64 ? "float64" : "float32", broken ? broken : "",
             (unsigned long long)sources_hash);
}

/* With the disk cache off (CLNUM_CACHE_DIR=off), the verdicts this process has made, so that
 * its later contexts on the same device need no second check. */
#define MEMO_SIZE 8
static struct {
    char key[1024];
    clni_verdict verdict;
} memo[MEMO_SIZE];
static size_t memo_count;
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;

static int disk_cache_off(void)
{
    char dir[2048];
    return !cln_cache_dir(dir, sizeof dir);
}

static int memo_find(const char *key, clni_verdict *v)
{
    int found = 0;
    if (!disk_cache_off())
        return 0;
    pthread_mutex_lock(&memo_lock);
    for (size_t i = 0; i < memo_count && !found; i++)
        if (strcmp(memo[i].key, key) == 0) {
            *v = memo[i].verdict;
            found = 1;
        }
    pthread_mutex_unlock(&memo_lock);
    return found;
}

static void memo_add(const char *key, const clni_verdict *v)
{
    if (!disk_cache_off())
        return;
    pthread_mutex_lock(&memo_lock);
    size_t i = memo_count < MEMO_SIZE ? memo_count++ : MEMO_SIZE - 1;
    snprintf(memo[i].key, sizeof memo[i].key, "%s", key);
    memo[i].verdict = *v;
    pthread_mutex_unlock(&memo_lock);
}

static int verdict_load(const char *key, clni_verdict *v)
{
    char text[1024];
    if (!clni_cache_read_text(key, text, sizeof text))
        return 0;
    unsigned limit, disabled;
    int at = 0;
    if (sscanf(text, CACHE_MAGIC " %u %u %n", &limit, &disabled, &at) != 2 || at <= 0 ||
        disabled >= (1u << (CLN_PATH_PERSISTENT + 1)) || (disabled & 3u))
        return 0;
    memset(v, 0, sizeof *v);
    v->loop_limit = limit;
    v->disabled = disabled;
    snprintf(v->note, sizeof v->note, "%s", text + at);
    v->note[strcspn(v->note, "\n")] = '\0';
    return 1;
}

static void verdict_store(const char *key, const clni_verdict *v)
{
    char text[1024];
    snprintf(text, sizeof text, CACHE_MAGIC " %u %u %s\n", (unsigned)v->loop_limit, v->disabled,
             v->note);
    clni_cache_write_text(key, text);
}

void clni_verdict_publish(cln_device_info *info, const clni_verdict *v)
{
    info->paths_checked = 1;
    info->paths_disabled = v->disabled;
    info->loop_limit = v->loop_limit;
    snprintf(info->paths_note, sizeof info->paths_note, "%s", v->note);
}

void clni_verdict_peek(cln_device_info *info)
{
    char key[1024];
    clni_verdict v;
    verdict_key(info, CLN_FLOAT32, clni_embedded_sources_hash(), key, sizeof key);
    if (memo_find(key, &v) || verdict_load(key, &v))
        clni_verdict_publish(info, &v);
}

int clni_verdict_find(const cln_device_info *d, cln_dtype dtype, uint64_t sources_hash,
                      clni_verdict *v)
{
    char key[1024];
    verdict_key(d, dtype, sources_hash, key, sizeof key);
    return memo_find(key, v) || verdict_load(key, v);
}

void clni_verdict_save(const cln_device_info *d, cln_dtype dtype, uint64_t sources_hash,
                       const clni_verdict *v)
{
    char key[1024];
    verdict_key(d, dtype, sources_hash, key, sizeof key);
    verdict_store(key, v);
    memo_add(key, v);
}

int clni_path_is_off(const cln_context *ctx, cln_dtype dtype, cln_train_path path)
{
    const clni_verdict *v = &ctx->verdict[dtype];
    return v->state == CLNI_VERDICT_DONE && (v->disabled & (1u << path));
}

cln_status clni_path_allowed(cln_context *ctx, cln_dtype dtype, cln_train_path path)
{
    const clni_verdict *v = &ctx->verdict[dtype];
    if (!clni_path_is_off(ctx, dtype, path))
        return CLN_SUCCESS;
    return clni_fail(ctx, CLN_ERR_UNSUPPORTED,
                     "cln_fit: the %s path is off on %s, by the device self-check: %s",
                     clni_path_name(path), ctx->info.device_name, v->note);
}
