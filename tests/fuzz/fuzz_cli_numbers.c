/* libFuzzer harness: the strict number parsers of the command line. The first byte picks
 * the parser, the rest is the text. Traps when a contract breaks: a number is accepted only
 * when the whole text is that number, so
 *   cli_parse_u64 / cli_parse_size: success only for text of decimal digits alone, whose
 *   value (computed here digit by digit) is the result, inside [min, max];
 *   cli_parse_double: success only with a finite result, no white space first or last,
 *   and the text read back by strtod to the same value. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"

/* The value of a text of digits alone, or -1 when it is not one or overflows. */
static int digits_value(const char *t, uint64_t *v)
{
    if (!*t)
        return -1;
    *v = 0;
    for (; *t; t++) {
        if (!isdigit((unsigned char)*t))
            return -1;
        unsigned d = (unsigned)(*t - '0');
        if (*v > (UINT64_MAX - d) / 10)
            return -1;
        *v = *v * 10 + d;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    uint64_t want, got = 0;
    int whole = digits_value(text, &want) == 0;
    switch (data[0] % 3) {
    case 0:
        if (cli_parse_u64(text, &got) == 0 ? !whole || got != want : whole)
            __builtin_trap();
        break;
    case 1: {
        size_t lo = 1, hi = 1000000, s = 0;
        if (cli_parse_size(text, lo, hi, &s) == 0) {
            if (!whole || s != want || s < lo || s > hi)
                __builtin_trap();
        } else if (whole && want >= lo && want <= hi) {
            __builtin_trap();
        }
        break;
    }
    default: {
        double d = 0;
        if (cli_parse_double(text, &d) == 0) {
            size_t n = strlen(text);
            if (!isfinite(d) || n == 0 || isspace((unsigned char)text[0]) ||
                isspace((unsigned char)text[n - 1]) || strtod(text, NULL) != d)
                __builtin_trap();
        }
        break;
    }
    }
    free(text);
    return 0;
}
