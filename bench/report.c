/* clnum-bench: the figures of one run, and their flat JSON form. */
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void write_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

int report_write_json(const bench_report *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("{\n", f);
    for (size_t i = 0; i < r->count; i++) {
        const entry *e = &r->items[i];
        fputs("  ", f);
        write_json_string(f, e->key);
        fputs(": ", f);
        if (e->str)
            write_json_string(f, e->str);
        else if (isfinite(e->num))
            fprintf(f, "%.9g", e->num);
        else
            fputs("null", f);   /* not measured, or not supported on this path */
        fputs(i + 1 < r->count ? ",\n" : "\n", f);
    }
    fputs("}\n", f);
    return fclose(f) == 0 ? 0 : -1;
}
