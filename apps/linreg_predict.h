/* clnum-linreg --load MODEL --predict ROWS.csv [--output FILE]: a saved model applied to new
 * rows (cli_predict.h), on the device. */
#ifndef CLNUM_APPS_LINREG_PREDICT_H
#define CLNUM_APPS_LINREG_PREDICT_H

#include "cli_args.h"

/* Loads o->load_path, predicts for the rows of o->predict_path and writes TARGET_hat to
 * o->output_path (NULL: standard output). Returns the exit status: 0, or 1 with one line on
 * stderr. */
int linreg_predict(const linreg_options *o);

#endif
