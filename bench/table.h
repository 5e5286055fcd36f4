/* clnum-bench: the readable table, made from the report's figures. */
#ifndef BENCH_TABLE_H
#define BENCH_TABLE_H

#include <stdio.h>

#include "figures.h"
#include "report.h"

/* Prints every section whose figures are in r. workloads: those that ran. */
void table_print(FILE *out, const bench_report *r, const workload *workloads, size_t count);

#endif
