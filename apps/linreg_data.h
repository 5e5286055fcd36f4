/* clnum-linreg's setup: the CSV file or the synthetic data, the device's context, the
 * dataset, and the lines that describe them. In a group each rank holds its shard of the
 * rows, and the collective steps are agreed (linreg_agree.h). */
#ifndef CLNUM_APPS_LINREG_DATA_H
#define CLNUM_APPS_LINREG_DATA_H

#include "linreg_state.h"

/* Reads and splits the CSV file (with --data), then makes the context (unless the exact
 * solver runs on the host alone); each step agreed. A failure's message is in
 * cln_last_error(NULL). */
cln_status linreg_open(run_state *s);

/* The device lines: this process's, or in a group every rank's, rank 0's first (collective:
 * each rank's line goes to all in turn); "device: none" without a context. */
void linreg_print_devices(const run_state *s);

/* The dataset on the context (the CSV split's rows, or synthetic ones drawn from the seed,
 * with their true parameters) and its data lines. Not agreed: the caller agrees on it. */
cln_status linreg_load_data(run_state *s);

#endif
