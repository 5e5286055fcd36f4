/* clnum: datasets and minibatch order.
 *
 * A dataset holds features X (rows x num_inputs) and targets y (rows) on the device, split
 * into training rows [0, num_train) and validation rows [num_train, rows). A loader gives
 * the minibatch order of one split: shuffled afresh each epoch (training) or in order
 * (validation), the last partial batch kept. Rows are read through the loader's index
 * buffer, so shuffling never moves X. */
#ifndef CLNUM_DATA_H
#define CLNUM_DATA_H

#include "clnum/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cln_dataset cln_dataset;
typedef struct cln_loader cln_loader;

/* d2l's SyntheticRegressionData: X standard normal, y = X w + b + noise * N(0, 1), X drawn
 * first, then the noise (Philox streams 0 and 1 of `seed`). */
typedef struct cln_synthetic_config {
    size_t num_inputs;   /* d; default 2 */
    size_t num_train;    /* default 1000 */
    size_t num_val;      /* default 1000 */
    double noise;        /* default 0.01 */
    double b;            /* default 4.2 */
    const double *w;     /* num_inputs values; NULL: [2, -3.4] when d = 2, else drawn from
                            stream 2 of `seed` (standard normal) */
    uint64_t seed;       /* default 0 */
    cln_dtype dtype;     /* default CLN_FLOAT32 */
} cln_synthetic_config;

/* The chapter's defaults. */
void cln_synthetic_config_init(cln_synthetic_config *cfg);

/* Generates the data on the device. */
cln_status cln_synthetic_create(cln_context *ctx, const cln_synthetic_config *cfg,
                                cln_dataset **out);

/* A dataset from host arrays: X row-major (num_rows x num_inputs), y (num_rows); the first
 * num_train rows are the training split. */
cln_status cln_dataset_create(cln_context *ctx, cln_dtype dtype, const double *X,
                              const double *y, size_t num_rows, size_t num_inputs,
                              size_t num_train, cln_dataset **out);
void cln_dataset_free(cln_dataset *ds);

size_t cln_dataset_num_inputs(const cln_dataset *ds);
size_t cln_dataset_num_train(const cln_dataset *ds);
size_t cln_dataset_num_val(const cln_dataset *ds);
cln_dtype cln_dataset_dtype(const cln_dataset *ds);
/* The splits' tensors (views into the whole X and y); the validation ones are NULL when
 * num_val is 0. Owned by the dataset. */
const cln_tensor *cln_dataset_train_X(const cln_dataset *ds);
const cln_tensor *cln_dataset_train_y(const cln_dataset *ds);
const cln_tensor *cln_dataset_val_X(const cln_dataset *ds);
const cln_tensor *cln_dataset_val_y(const cln_dataset *ds);
/* The true parameters of a synthetic dataset (w: num_inputs values). CLN_ERR_BAD_ARGUMENT
 * for data that came from elsewhere. */
cln_status cln_dataset_true_params(const cln_dataset *ds, double *w, double *b);

/* A loader over num_rows rows in minibatches of batch_size (the last one may be smaller).
 * With shuffle, each epoch's order is a Fisher-Yates permutation drawn from Philox stream 4
 * of `seed` and that epoch number; without, rows come in order and no index is used. */
cln_status cln_loader_create(cln_context *ctx, size_t num_rows, size_t batch_size, int shuffle,
                             uint64_t seed, cln_loader **out);
void cln_loader_free(cln_loader *l);
size_t cln_loader_num_rows(const cln_loader *l);
size_t cln_loader_num_batches(const cln_loader *l);
/* Draws epoch `epoch`'s order and uploads it (the one host-to-device copy of an epoch). */
cln_status cln_loader_start_epoch(cln_loader *l, size_t epoch);
/* Batch k of the epoch: positions [*first, *first + *count) of the order. */
void cln_loader_batch(const cln_loader *l, size_t k, size_t *first, size_t *count);
/* The current order on the host (num_rows values), or NULL for an in-order loader. */
const uint32_t *cln_loader_order(const cln_loader *l);

/* The permutation cln_loader_start_epoch() draws, computed on the host: order[num_rows]. */
void cln_shuffle_order(uint64_t seed, size_t epoch, uint32_t *order, size_t num_rows);

#ifdef __cplusplus
}
#endif
#endif
