/* clnum-bench: the figures of one run, and their flat JSON form. */
#include "report.h"

#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct entry {
    char key[96];
    double num;
    char *str;        /* NULL for a number */
} entry;

struct bench_report {
    entry *items;
    size_t count, cap;
    int out_of_memory;
};

bench_report *report_create(void) { return calloc(1, sizeof(bench_report)); }

void report_free(bench_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        free(r->items[i].str);
    free(r->items);
    free(r);
}

static entry *find(const bench_report *r, const char *key)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->items[i].key, key) == 0)
            return &r->items[i];
    return NULL;
}

/* The entry for key, made at the end when new; NULL when out of memory. */
static entry *slot(bench_report *r, const char *key)
{
    entry *e = find(r, key);
    if (e) {
        free(e->str);
        e->str = NULL;
        return e;
    }
    if (r->count == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        entry *items = realloc(r->items, cap * sizeof *items);
        if (!items) {
            r->out_of_memory = 1;
            return NULL;
        }
        r->items = items;
        r->cap = cap;
    }
    e = &r->items[r->count++];
    memset(e, 0, sizeof *e);
    snprintf(e->key, sizeof e->key, "%s", key);
    return e;
}

void report_num(bench_report *r, double value, const char *key_fmt, ...)
{
    char key[96];
    va_list ap;
    va_start(ap, key_fmt);
    vsnprintf(key, sizeof key, key_fmt, ap);
    va_end(ap);
    entry *e = slot(r, key);
    if (e)
        e->num = value;
}

void report_str(bench_report *r, const char *value, const char *key_fmt, ...)
{
    char key[96];
    va_list ap;
    va_start(ap, key_fmt);
    vsnprintf(key, sizeof key, key_fmt, ap);
    va_end(ap);
    entry *e = slot(r, key);
    if (!e)
        return;
    e->str = malloc(strlen(value) + 1);
    if (e->str)
        strcpy(e->str, value);
    else
        r->out_of_memory = 1;
}

double report_get(const bench_report *r, const char *key_fmt, ...)
{
    char key[96];
    va_list ap;
    va_start(ap, key_fmt);
    vsnprintf(key, sizeof key, key_fmt, ap);
    va_end(ap);
    const entry *e = find(r, key);
    return e && !e->str ? e->num : NAN;
}

const char *report_get_str(const bench_report *r, const char *key)
{
    const entry *e = find(r, key);
    return e && e->str ? e->str : "";
}

int report_ok(const bench_report *r) { return r && !r->out_of_memory; }

/* A JSON string of s; bytes that are not UTF-8 (a driver's name) become '?'. */
static json_t *json_text(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    char *copy = malloc(strlen(s) + 1);
    if (!copy)
        return NULL;
    size_t n = 0;
    for (; *s; s++)
        copy[n++] = (unsigned char)*s < 0x80 ? *s : '?';
    copy[n] = '\0';
    j = json_string(copy);
    free(copy);
    return j;
}

/* A figure: null when not measured, a whole number as an integer (counts, limits), else a
 * real printed with 17 digits, so that it reads back as the same double. */
static json_t *json_figure(double v)
{
    if (!isfinite(v))
        return json_null();   /* not measured, or not supported on this path */
    if (v == floor(v) && fabs(v) <= 9007199254740992.0)   /* 2^53: exact as an integer */
        return json_integer((json_int_t)v);
    return json_real(v);
}

static json_t *report_json(const bench_report *r)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    for (size_t i = 0; i < r->count; i++) {
        const entry *e = &r->items[i];
        json_t *value = e->str ? json_text(e->str) : json_figure(e->num);
        /* Keys are the program's own ASCII names; json_object_set_new frees value on failure. */
        if (!value || json_object_set_new(obj, e->key, value) != 0) {
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

static int dump(const json_t *obj, FILE *f)
{
    return json_dumpf(obj, f, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) == 0 &&
           fputc('\n', f) != EOF && fflush(f) == 0;
}

/* A regular file (or a new one) is written to a temporary file beside it, synced and renamed
 * over it, so that a failed write never leaves it half-written or emptied; a link, a device
 * or a pipe (--json /dev/stdout) is written in place. */
int report_write_json(const bench_report *r, const char *path)
{
    json_t *obj = report_json(r);
    if (!obj)
        return -1;
    int ok = 0;
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        FILE *f = fopen(path, "w");
        if (f) {
            ok = dump(obj, f);
            ok = fclose(f) == 0 && ok;
        }
        json_decref(obj);
        return ok ? 0 : -1;
    }
    size_t size = strlen(path) + 32;
    char *tmp = malloc(size);
    if (tmp) {
        snprintf(tmp, size, "%s.tmp.%ld", path, (long)getpid());
        /* O_EXCL: never through a file or link that is already there. */
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (f) {
            ok = dump(obj, f) && fsync(fd) == 0;
            ok = fclose(f) == 0 && ok;
            ok = ok && rename(tmp, path) == 0;
        } else if (fd >= 0) {
            close(fd);
        }
        if (fd >= 0 && !ok)
            unlink(tmp);
        free(tmp);
    }
    json_decref(obj);
    return ok ? 0 : -1;
}
