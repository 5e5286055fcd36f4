/* What clnum-linreg's command line and environment ask for, read into one action: the
 * options themselves are parsed by cli_args.c (linreg_options_parse), which the tests and
 * the fuzzers drive directly; this adds the usage, the checks that need the environment or
 * the files, and a group's own rules. */
#ifndef CLNUM_APPS_LINREG_OPTIONS_H
#define CLNUM_APPS_LINREG_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "cli_args.h"

/* What to do. In a group every rank must do the same (the sequence of collective calls
 * depends on it), so the ranks agree on it first (linreg_agree_command). */
typedef enum linreg_action {
    LINREG_ACT_SGD,
    LINREG_ACT_EXACT,
    LINREG_ACT_PREDICT, /* --load MODEL --predict ROWS */
    LINREG_ACT_HELP,
    LINREG_ACT_VERSION,
    LINREG_ACT_LIST,
    LINREG_ACT_BAD,  /* a bad command line or environment: exit 2 */
    LINREG_ACT_FAIL  /* an output that cannot be written: exit 1 */
} linreg_action;

typedef struct linreg_command {
    linreg_options opts;
    int act;         /* linreg_action */
    int bad_env;     /* LINREG_ACT_BAD for a value that is not an option's syntax (the
                        environment, a file): no "see --help" after the reason */
    char err[1024];  /* LINREG_ACT_BAD or LINREG_ACT_FAIL: the reason, one line */
} linreg_command;

void linreg_usage(FILE *out);

/* Reads argv and the environment into c. check_files: also check the output files before
 * anything runs (the process that writes them: alone, or rank 0). */
void linreg_command_read(int argc, char **argv, int check_files, linreg_command *c);

/* A group of `ranks`' own rules for a run: --shards is for one process, and the global
 * minibatch is a multiple of the ranks. A run that breaks one becomes LINREG_ACT_BAD. */
void linreg_command_check_group(linreg_command *c, size_t ranks);

#endif
