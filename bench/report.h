/* clnum-bench: the figures of one run, an ordered list of flat named values.
 *
 * Every module puts what it measures here; the table and the JSON file are both made from
 * it, so the two always agree. A value is a number, a string, or "not measured" (a NaN
 * number: null in JSON, "n/a" in the table). Keys are stable: scripts rely on them. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stddef.h>

typedef struct bench_report bench_report;

/* NULL when out of memory. */
bench_report *report_create(void);
void report_free(bench_report *r);

/* Sets a figure, replacing one of the same key. The key is a printf format. A failed
 * allocation is remembered and reported by report_ok(), so callers need not check each. */
void report_num(bench_report *r, double value, const char *key_fmt, ...)
    __attribute__((format(printf, 3, 4)));
void report_str(bench_report *r, const char *value, const char *key_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A number, or NaN when the key is absent, null or a string. */
double report_get(const bench_report *r, const char *key_fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A string, or "" when absent or not a string. */
const char *report_get_str(const bench_report *r, const char *key);

/* 0 unless some set ran out of memory. */
int report_ok(const bench_report *r);

/* Writes {"key": value, ...} in insertion order; 0 on success. */
int report_write_json(const bench_report *r, const char *path);

#endif
