#include "cli_kernels.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"

/* Whether dir holds a built program (NAME.bin): 0 when it does not or cannot be read. */
static int holds_programs(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int found = 0;
    for (struct dirent *e; !found && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        found = n > 4 && e->d_name[0] != '.' && strcmp(e->d_name + n - 4, ".bin") == 0;
    }
    closedir(d);
    return found;
}

cln_status cli_build_kernels(const char *program, cln_context *ctx, cln_dtype dtype,
                             int selfcheck, int quiet)
{
    char dir[4096], where[4200], shown[512], name[300];
    if (cln_cache_dir(dir, sizeof dir))
        snprintf(where, sizeof where, "once; cached in %s", cli_printable(dir, shown,
                 sizeof shown));
    else
        snprintf(where, sizeof where, "the program cache is off: CLNUM_CACHE_DIR=off, or no "
                 "HOME");
    cli_printable(cln_context_device(ctx)->device_name, name, sizeof name);
    int told = 0;
    if (!quiet && cln_context_build_origin(ctx, dtype) == CLN_BUILD_NONE &&
        (!cln_cache_dir(dir, sizeof dir) || !holds_programs(dir))) {
        fprintf(stderr, "%s: building kernels for %s (%s)\n", program, name, where);
        fflush(stderr);
        told = 1;
    }
    double t0 = cli_now_ms();
    cln_status st = cln_context_build(ctx, dtype);
    if (st == CLN_SUCCESS && selfcheck)
        st = cln_context_selfcheck(ctx, dtype);
    double s = (cli_now_ms() - t0) / 1e3;
    if (st == CLN_SUCCESS && !quiet && !told && s > CLI_BUILD_NOTICE_S &&
        cln_context_build_origin(ctx, dtype) == CLN_BUILD_FROM_SOURCE)
        fprintf(stderr, "%s: built kernels for %s in %.1f s (%s)\n", program, name, s, where);
    return st;
}
