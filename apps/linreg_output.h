/* What clnum-linreg prints and writes after a run (rank 0 alone in a group): the epoch
 * lines, the fit's end, the result lines, and the --csv, --plot, --json and --save files
 * (report.h has the JSON helpers). */
#ifndef CLNUM_APPS_LINREG_OUTPUT_H
#define CLNUM_APPS_LINREG_OUTPUT_H

#include "linreg_state.h"

/* The line of epoch `epoch` (1-based), as it ends: the history's points added since the last
 * line (x: the epoch's fraction) and its validation loss. */
void linreg_print_epoch(run_state *s, size_t epoch);

/* On stderr: the message of a fit that diverged, or which signal stopped it. */
void linreg_print_fit_end(const run_state *s);

/* The parameters (a table beside the exact solution's with --data; else the errors against
 * the true ones), a note when the exact solution is not unique, and the time. Returns 0; 1
 * when out of memory (the message printed). */
int linreg_print_results(const run_state *s);

/* Every output asked for, each whole or not at all (cli_args.h): one that fails does not
 * keep the others from being written. Returns 1 when one could not be written (the reason
 * on stderr), else 0. */
int linreg_write_outputs(const run_state *s);

#endif
