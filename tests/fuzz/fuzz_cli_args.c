/* libFuzzer harness: clnum-linreg's command line. The input is split at NUL bytes into up to
 * 40 arguments after argv[0] and given to linreg_options_parse(); the same bytes also go,
 * as one string, to cli_split_list() (the --features list). Traps when a contract breaks:
 *   parse 0: every value inside its documented range (epochs >= 1, lr > 0 and finite,
 *            batch size >= 1, noise >= 0, 0 <= val_fraction < 1, ...) and no message;
 *   parse -1: a one-line message, NUL-terminated inside the buffer;
 *   cli_split_list: 0 with `count` NUL-terminated items, or -1 with nothing to free. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"

#define MAX_ARGS 40

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[MAX_ARGS + 2] = {"clnum-linreg"};
    int argc = 1;
    for (size_t i = 0; i < size && argc <= MAX_ARGS;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    argv[argc] = NULL;

    linreg_options o;
    char err[256];
    memset(err, 'x', sizeof err);
    int rc = linreg_options_parse(argc, argv, &o, err, sizeof err);
    if (strnlen(err, sizeof err) == sizeof err)
        __builtin_trap();
    if (rc == 0) {
        if (err[0] || o.epochs < 1 || !(o.lr > 0) || !isfinite(o.lr) || o.batch_size < 1 ||
            o.num_train < 1 || o.num_inputs < 1 || !(o.noise >= 0) || !isfinite(o.noise) ||
            !(o.val_fraction >= 0 && o.val_fraction < 1) || (o.device && !*o.device))
            __builtin_trap();
    } else if (rc != -1 || !err[0] || strchr(err, '\n')) {
        __builtin_trap();
    }

    char **items = NULL;
    size_t count = 0;
    if (cli_split_list(buf, &items, &count) == 0) {
        for (size_t i = 0; i < count; i++)
            if (!items[i])
                __builtin_trap();
        cli_free_list(items, count);
    }
    free(buf);
    return 0;
}
