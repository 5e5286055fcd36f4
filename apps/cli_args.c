#include "cli_args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_parse_u64(const char *text, uint64_t *out)
{
    if (!text || !*text || *text == '-' || *text == '+' || *text == ' ')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int cli_parse_size(const char *text, size_t min, size_t max, size_t *out)
{
    uint64_t v;
    if (cli_parse_u64(text, &v) || v < min || v > max)
        return -1;
    *out = (size_t)v;
    return 0;
}

int cli_parse_double(const char *text, double *out)
{
    if (!text || !*text || *text == ' ')
        return -1;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

typedef enum { OPT_SIZE, OPT_U64, OPT_DOUBLE, OPT_STRING, OPT_FLAG } opt_kind;

typedef struct opt_spec {
    const char *name;
    opt_kind kind;
    size_t min, max;     /* OPT_SIZE bounds */
    size_t field;        /* offsetof in linreg_options */
} opt_spec;

#define FIELD(f) offsetof(linreg_options, f)
static const opt_spec specs[] = {
    {"--epochs", OPT_SIZE, 1, 1000000, FIELD(epochs)},
    {"--lr", OPT_DOUBLE, 0, 0, FIELD(lr)},
    {"--batch-size", OPT_SIZE, 1, UINT32_MAX, FIELD(batch_size)},
    {"--num-train", OPT_SIZE, 1, UINT32_MAX, FIELD(num_train)},
    {"--num-val", OPT_SIZE, 0, UINT32_MAX, FIELD(num_val)},
    {"--num-inputs", OPT_SIZE, 1, 1u << 20, FIELD(num_inputs)},
    {"--noise", OPT_DOUBLE, 0, 0, FIELD(noise)},
    {"--seed", OPT_U64, 0, 0, FIELD(seed)},
    {"--device", OPT_STRING, 0, 0, FIELD(device)},
    {"--csv", OPT_STRING, 0, 0, FIELD(csv_path)},
    {"--list-devices", OPT_FLAG, 0, 0, FIELD(list_devices)},
    {"--help", OPT_FLAG, 0, 0, FIELD(help)},
};

int linreg_options_parse(int argc, char **argv, linreg_options *opts, char *err, size_t err_cap)
{
    memset(opts, 0, sizeof *opts);
    opts->epochs = 3;
    opts->lr = 0.03;
    opts->batch_size = 32;
    opts->num_train = 1000;
    opts->num_val = 1000;
    opts->num_inputs = 2;
    opts->noise = 0.01;
    err[0] = '\0';

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0)
            arg = "--help";
        /* "--name=value" or "--name value" */
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        const opt_spec *spec = NULL;
        for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++)
            if (strlen(specs[s].name) == name_len && strncmp(specs[s].name, arg, name_len) == 0)
                spec = &specs[s];
        if (!spec) {
            snprintf(err, err_cap, "unknown option '%s'", arg);
            return -1;
        }
        char *field = (char *)opts + spec->field;
        if (spec->kind == OPT_FLAG) {
            if (eq) {
                snprintf(err, err_cap, "%s takes no value", spec->name);
                return -1;
            }
            *(int *)field = 1;
            continue;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) {
            snprintf(err, err_cap, "%s needs a value", spec->name);
            return -1;
        }
        int bad = 0;
        switch (spec->kind) {
        case OPT_SIZE: bad = cli_parse_size(value, spec->min, spec->max, (size_t *)field); break;
        case OPT_U64: bad = cli_parse_u64(value, (uint64_t *)field); break;
        case OPT_DOUBLE: bad = cli_parse_double(value, (double *)field); break;
        case OPT_STRING: bad = !*value; *(const char **)field = value; break;
        case OPT_FLAG: break;
        }
        if (bad) {
            if (spec->kind == OPT_SIZE)
                snprintf(err, err_cap, "%s: '%.64s' is not a whole number in %zu .. %zu",
                         spec->name, value, spec->min, spec->max);
            else
                snprintf(err, err_cap, "%s: '%.64s' is not a valid %s", spec->name, value,
                         spec->kind == OPT_DOUBLE ? "finite number" : "value");
            return -1;
        }
    }
    if (!(opts->lr > 0)) {
        snprintf(err, err_cap, "--lr must be greater than 0");
        return -1;
    }
    if (opts->noise < 0) {
        snprintf(err, err_cap, "--noise must be 0 or more");
        return -1;
    }
    return 0;
}
