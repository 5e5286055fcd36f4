/* clnum-bench: what one training run of a workload measures, whichever way it trains. */
#ifndef BENCH_FIGURES_H
#define BENCH_FIGURES_H

#include <stddef.h>

typedef struct fit_figures {
    int supported;               /* 0: the path answered CLN_ERR_UNSUPPORTED; nothing else set */
    double best_ms, median_ms;   /* the whole fit, best and median of the repeats */
    size_t updates;              /* SGD steps of one fit */
    size_t train_batches;        /* training minibatches of one fit (epochs x batches) */
    double enqueues_per_batch;   /* every command of the fit / train_batches */
    double rel_err;              /* |(w, b) true - learned| / |(w, b) true| after the fit */
} fit_figures;

/* The workloads, as the peers run them (bench/peers/common.py). */
typedef struct workload {
    const char *key;       /* JSON prefix: "w1", "w2_b1024", ... */
    size_t num_inputs, num_train, num_val, batch, epochs;
    int repeats;
} workload;

#endif
