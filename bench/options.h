/* clnum-bench: the command line. */
#ifndef BENCH_OPTIONS_H
#define BENCH_OPTIONS_H

#include <stdio.h>

typedef struct bench_options {
    const char *device;   /* NULL: $CLNUM_DEVICE, else the library's default */
    const char *json;     /* NULL: no JSON file */
    int repeats;          /* 0: each part's default */
    int skip_w2;
    int skip_w3;
    int help;
} bench_options;

/* Parses argv; 0 on success, else -1 with a one-line reason in why. */
int bench_options_parse(int argc, char **argv, bench_options *o, char *why, size_t cap);

void bench_usage(FILE *out);

#endif
