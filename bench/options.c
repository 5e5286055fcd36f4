/* clnum-bench: the command line. */
#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void bench_usage(FILE *out)
{
    fprintf(out,
            "usage: clnum-bench [options]\n"
            "Measures clnum on one OpenCL device: the device's read bandwidth and launch cost,\n"
            "the program build (cache cold and warm), d2l chapter 3.4's fit (W1) and a 2^20 x 256\n"
            "problem (W2) through every training path and through CLBlast alone, and chapter\n"
            "4.4's softmax regression (W3: 60000 x 784 rows, 10 classes) through every path.\n"
            "\n"
            "  --device P:D    platform:device by index, name or type (default: $CLNUM_DEVICE,\n"
            "                  else the first GPU, else the first device)\n"
            "  --json FILE     also write every figure to FILE as flat JSON\n"
            "  --repeats N     timed runs of every figure (default: 5; W2, W3 3; start-up 2)\n"
            "  --skip-w2       leave out W2 (its data alone is 1 GiB) and streaming: a quick run\n"
            "  --skip-w3       leave out W3 (softmax regression)\n"
            "  --help          this text\n");
}

/* The value after option argv[*i], advancing *i; NULL when there is none. */
static const char *value_of(int argc, char **argv, int *i)
{
    return *i + 1 < argc ? argv[++*i] : NULL;
}

int bench_options_parse(int argc, char **argv, bench_options *o, char *why, size_t cap)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help = 1;
        } else if (strcmp(a, "--skip-w2") == 0) {
            o->skip_w2 = 1;
        } else if (strcmp(a, "--skip-w3") == 0) {
            o->skip_w3 = 1;
        } else if (strcmp(a, "--device") == 0 || strcmp(a, "--json") == 0) {
            if (!(v = value_of(argc, argv, &i)) || !*v) {
                snprintf(why, cap, "%s needs a value", a);
                return -1;
            }
            *(strcmp(a, "--device") == 0 ? &o->device : &o->json) = v;
        } else if (strcmp(a, "--repeats") == 0) {
            char *end;
            if (!(v = value_of(argc, argv, &i))) {
                snprintf(why, cap, "--repeats needs a value");
                return -1;
            }
            errno = 0;
            long n = strtol(v, &end, 10);
            if (errno || end == v || *end || n < 1 || n > 1000) {
                snprintf(why, cap, "--repeats takes a whole number from 1 to 1000, not '%s'", v);
                return -1;
            }
            o->repeats = (int)n;
        } else {
            snprintf(why, cap, "unknown option '%s'", a);
            return -1;
        }
    }
    return 0;
}
