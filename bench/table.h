/* clnum-bench: the readable table, made from the report's figures. */
#ifndef BENCH_TABLE_H
#define BENCH_TABLE_H

#include <stdio.h>

#include "figures.h"
#include "report.h"

/* Prints every section whose figures are in r. workloads: those of W1 and W2 that ran; w3:
 * W3's, NULL when it did not run. */
void table_print(FILE *out, const bench_report *r, const workload *workloads, size_t count,
                 const workload *w3);

#endif
