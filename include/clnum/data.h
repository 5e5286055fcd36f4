/**
 * @file data.h
 * @brief Datasets on the device (synthetic or from host arrays) and minibatch order.
 *
 * A dataset holds features X (rows x num_inputs) and targets y (rows) on the device, split
 * into training rows [0, num_train) and validation rows [num_train, rows); rows that do not
 * fit on the device stay in host memory and cln_fit() streams them (cln_placement). Shards
 * of a dataset (cln_shard_range()) are the members' data in data-parallel training
 * (parallel.h). A loader gives
 * the minibatch order of one split: shuffled afresh each epoch (training) or in order
 * (validation), the last partial batch kept. Rows are read through the loader's index
 * buffer, so shuffling never moves X. */
#ifndef CLNUM_DATA_H
#define CLNUM_DATA_H

#include "clnum/export.h"

#include "clnum/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** X and y on the device, split into training and validation rows. Opaque. */
typedef struct cln_dataset cln_dataset;
/** The minibatch order of one split. Opaque. */
typedef struct cln_loader cln_loader;

/** Where a dataset's rows live. */
typedef enum cln_placement {
    CLN_PLACE_AUTO = 0,   /**< the device if they fit (X within the device's largest allocation,
                               X, y and the row order within 3/4 of its global memory), else
                               the host */
    CLN_PLACE_DEVICE = 1, /**< the device; CLN_ERR_OUT_OF_DEVICE_MEMORY if they do not fit */
    CLN_PLACE_HOST = 2    /**< host memory: cln_fit() streams them to the device in chunks,
                               a copy queue filling the next chunk while the current one trains */
} cln_placement;

/** d2l's SyntheticRegressionData: X standard normal, y = X w + b + noise * N(0, 1), X drawn
 * first, then the noise (Philox streams 0 and 1 of `seed`). */
typedef struct cln_synthetic_config {
    size_t num_inputs;   /**< d; default 2 */
    size_t num_train;    /**< default 1000 */
    size_t num_val;      /**< default 1000 */
    double noise;        /**< default 0.01 */
    double b;            /**< default 4.2 */
    const double *w;     /**< num_inputs values; NULL: [2, -3.4] when d = 2, else drawn from
                            stream 2 of `seed` (standard normal) */
    uint64_t seed;       /**< default 0 */
    cln_dtype dtype;     /**< default CLN_FLOAT32 */
    cln_placement placement; /**< default CLN_PLACE_AUTO; the host rows are drawn on the device
                                  a chunk at a time, the same numbers as on the device */
    size_t num_shards;   /**< 0 or 1 (default): every row. K: only shard `shard` of K of the
                              training rows and of the validation rows (cln_shard_range()), the
                              same rows as in the whole data set: a rank's share in data-parallel
                              training, drawn without drawing the rest */
    size_t shard;        /**< 0 .. num_shards - 1; default 0 */
} cln_synthetic_config;

/**
 * @brief Sets the chapter's defaults.
 * @param cfg the configuration to fill; NULL is a no-op.
 */
CLN_API void cln_synthetic_config_init(cln_synthetic_config *cfg);

/**
 * @brief Generates the data on the device.
 * @param ctx the context that owns it. @param cfg what to generate.
 * @param[out] out the dataset; free it with cln_dataset_free() or with the context.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for NULL pointers, sizes of 0 or a noise, b or
 * w that is not finite; CLN_ERR_NO_FLOAT64; CLN_ERR_OUT_OF_DEVICE_MEMORY; an OpenCL code.
 */
CLN_API cln_status cln_synthetic_create(cln_context *ctx, const cln_synthetic_config *cfg,
                                cln_dataset **out);

/**
 * @brief A dataset from host arrays (copied: the arrays may be reused at once).
 * @param ctx the context that owns it. @param dtype the device precision.
 * @param X row-major, num_rows x num_inputs. @param y num_rows targets.
 * @param num_rows all rows. @param num_inputs features.
 * @param num_train the first num_train rows are the training split, the rest validation.
 * @param[out] out the dataset; free it with cln_dataset_free() or with the context.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for NULL pointers or sizes that do not fit;
 * CLN_ERR_NOT_FINITE naming the first row with a NaN or an infinity (after the conversion to
 * dtype: beyond +-3.4e38 is infinite in float32); CLN_ERR_NO_FLOAT64;
 * CLN_ERR_OUT_OF_DEVICE_MEMORY; an OpenCL code. Rows that do not fit on the device are kept
 * in host memory instead (CLN_PLACE_AUTO: see cln_dataset_create_placed()).
 */
CLN_API cln_status cln_dataset_create(cln_context *ctx, cln_dtype dtype, const double *X,
                              const double *y, size_t num_rows, size_t num_inputs,
                              size_t num_train, cln_dataset **out);
/**
 * @brief cln_dataset_create() with the placement chosen: CLN_PLACE_HOST keeps a copy of the
 * rows, converted to dtype, in host memory, and cln_fit() streams them to the device in
 * chunks; CLN_PLACE_AUTO (what cln_dataset_create() does) does so only when they do not fit
 * on the device.
 * @param ctx the context that owns it. @param dtype the device precision.
 * @param X row-major, num_rows x num_inputs. @param y num_rows targets.
 * @param num_rows all rows. @param num_inputs features.
 * @param num_train the first num_train rows are the training split, the rest validation.
 * @param placement where the rows live.
 * @param[out] out the dataset; free it with cln_dataset_free() or with the context.
 * @return as cln_dataset_create(); CLN_ERR_OUT_OF_HOST_MEMORY for a host copy that cannot be
 * made.
 */
CLN_API cln_status cln_dataset_create_placed(cln_context *ctx, cln_dtype dtype, const double *X,
                                     const double *y, size_t num_rows, size_t num_inputs,
                                     size_t num_train, cln_placement placement,
                                     cln_dataset **out);
/**
 * @brief A host-resident dataset over the caller's arrays, not copied: X and y stay where they
 * are, and cln_fit() streams their rows to the device in chunks. Use it for data larger than
 * the device's memory, which should not be held twice on the host either.
 * @param ctx the context that owns it. @param dtype the precision of X and y: float arrays for
 * CLN_FLOAT32, double arrays for CLN_FLOAT64.
 * @param X row-major, num_rows x num_inputs values of dtype. @param y num_rows values of dtype.
 * @param num_rows all rows. @param num_inputs features.
 * @param num_train the first num_train rows are the training split, the rest validation.
 * @param[out] out the dataset; free it with cln_dataset_free() or with the context. X and y
 * must stay alive and unchanged until it is freed.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for NULL pointers or sizes that do not fit;
 * CLN_ERR_NOT_FINITE naming the first row with a NaN or an infinity; CLN_ERR_NO_FLOAT64.
 */
CLN_API cln_status cln_dataset_wrap_host(cln_context *ctx, cln_dtype dtype, const void *X,
                                 const void *y, size_t num_rows, size_t num_inputs,
                                 size_t num_train, cln_dataset **out);
/**
 * @brief A dataset of class labels, for a classifier (softmax.h): X as cln_dataset_create()'s,
 * and for each row a class in [0, num_classes). y holds the labels as exact whole numbers of
 * dtype (float32 is exact up to 2^24, so num_classes is at most 2^24), so the dataset is an
 * ordinary one otherwise: its loaders, its streaming from host memory (CLN_PLACE_HOST) and
 * its shards are those of real targets, and cln_dataset_num_classes() tells it apart.
 * @param ctx the context that owns it. @param dtype the device precision.
 * @param X row-major, num_rows x num_inputs. @param labels num_rows classes, each below
 * num_classes; copied, as X is.
 * @param num_rows all rows. @param num_inputs features. @param num_classes 1 to 2^24.
 * @param num_train the first num_train rows are the training split, the rest validation.
 * @param placement where the rows live (as cln_dataset_create_placed()).
 * @param[out] out the dataset; free it with cln_dataset_free() or with the context.
 * @return as cln_dataset_create_placed(); CLN_ERR_BAD_ARGUMENT for a label outside
 * [0, num_classes), naming the first such row (and its split), or num_classes 0 or above
 * 2^24; the labels are checked before anything is allocated.
 */
CLN_API cln_status cln_dataset_create_labeled(cln_context *ctx, cln_dtype dtype, const double *X,
                                      const uint32_t *labels, size_t num_rows,
                                      size_t num_inputs, size_t num_classes, size_t num_train,
                                      cln_placement placement, cln_dataset **out);
/** @brief Classes of a labelled dataset. @param ds the dataset.
 * @return num_classes of cln_dataset_create_labeled(); 0 for real targets (every other
 * constructor) and for NULL. */
CLN_API size_t cln_dataset_num_classes(const cln_dataset *ds);
/** @brief Frees a dataset and its tensors. @param ds the dataset; NULL is a no-op. */
CLN_API void cln_dataset_free(cln_dataset *ds);

/** @brief Features. @param ds the dataset. @return the number of columns of X. */
CLN_API size_t cln_dataset_num_inputs(const cln_dataset *ds);
/** @brief Training rows. @param ds the dataset. @return their number. */
CLN_API size_t cln_dataset_num_train(const cln_dataset *ds);
/** @brief Validation rows. @param ds the dataset. @return their number (may be 0). */
CLN_API size_t cln_dataset_num_val(const cln_dataset *ds);
/** @brief Precision. @param ds the dataset. @return the dtype of X and y. */
CLN_API cln_dtype cln_dataset_dtype(const cln_dataset *ds);
/* The splits' tensors (views into the whole X and y); the validation ones are NULL when
 * num_val is 0. Owned by the dataset. */
/** @brief Training features, a view owned by the dataset. @param ds the dataset.
 * @return num_train x num_inputs. */
CLN_API const cln_tensor *cln_dataset_train_X(const cln_dataset *ds);
/** @brief Training targets, a view owned by the dataset. @param ds the dataset.
 * @return num_train values. */
CLN_API const cln_tensor *cln_dataset_train_y(const cln_dataset *ds);
/** @brief Validation features, a view owned by the dataset. @param ds the dataset.
 * @return num_val x num_inputs, or NULL when num_val is 0. */
CLN_API const cln_tensor *cln_dataset_val_X(const cln_dataset *ds);
/** @brief Validation targets, a view owned by the dataset. @param ds the dataset.
 * @return num_val values, or NULL when num_val is 0. */
CLN_API const cln_tensor *cln_dataset_val_y(const cln_dataset *ds);
/** @brief Where the rows are. @param ds the dataset.
 * @return 1 for rows in host memory (streamed by cln_fit()), 0 for rows on the device. */
CLN_API int cln_dataset_on_host(const cln_dataset *ds);
/** @brief The rows of a host-resident dataset. @param ds the dataset.
 * @return X, row-major, in the dataset's dtype (float or double), or NULL for a dataset on
 * the device (whose rows are the tensors above, which are NULL for a host-resident one). */
CLN_API const void *cln_dataset_host_X(const cln_dataset *ds);
/** @brief The targets of a host-resident dataset. @param ds the dataset.
 * @return y in the dataset's dtype, or NULL for a dataset on the device. */
CLN_API const void *cln_dataset_host_y(const cln_dataset *ds);
/** @brief The context. @param ds the dataset. @return the context that owns it. */
CLN_API cln_context *cln_dataset_context(const cln_dataset *ds);
/**
 * @brief The true parameters of a synthetic dataset.
 * @param ds the dataset. @param[out] w num_inputs values. @param[out] b the bias.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for data that came from elsewhere.
 */
CLN_API cln_status cln_dataset_true_params(const cln_dataset *ds, double *w, double *b);

/**
 * @brief A loader over num_rows rows in minibatches of batch_size (the last one may be
 * smaller). With shuffle, each epoch's order is a Fisher-Yates permutation drawn from
 * Philox stream 4 of `seed` and that epoch number; without, rows come in order and no
 * index is used.
 * @param ctx the context. @param num_rows 1 to 2^32 - 1. @param batch_size at least 1.
 * @param shuffle non-zero: a new order every epoch. @param seed seeds the orders.
 * @param[out] out the loader; free it with cln_loader_free() or with the context.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; CLN_ERR_OUT_OF_HOST_MEMORY; an OpenCL code.
 */
CLN_API cln_status cln_loader_create(cln_context *ctx, size_t num_rows, size_t batch_size, int shuffle,
                             uint64_t seed, cln_loader **out);
/** @brief Frees a loader. @param l the loader; NULL is a no-op. */
CLN_API void cln_loader_free(cln_loader *l);
/** @brief Rows. @param l the loader. @return the number of rows it orders. */
CLN_API size_t cln_loader_num_rows(const cln_loader *l);
/** @brief Minibatches an epoch. @param l the loader. @return ceil(rows / batch_size). */
CLN_API size_t cln_loader_num_batches(const cln_loader *l);
/**
 * @brief Draws epoch `epoch`'s order and uploads it (the one host-to-device copy of an
 * epoch). A no-op for an in-order loader.
 * @param l the loader. @param epoch from 0.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; an OpenCL code.
 */
CLN_API cln_status cln_loader_start_epoch(cln_loader *l, size_t epoch);
/**
 * @brief Batch k of the epoch: positions [*first, *first + *count) of the order.
 * @param l the loader. @param k from 0 to cln_loader_num_batches() - 1.
 * @param[out] first the first position. @param[out] count the batch's rows.
 */
CLN_API void cln_loader_batch(const cln_loader *l, size_t k, size_t *first, size_t *count);
/**
 * @brief The current epoch's order on the device, for a model's own kernels (model.h): a
 * buffer of cl_uint row indices, element first + i being the row of position first + i.
 * @param l the loader. @return the buffer (owned by the loader), or NULL when the loader
 * reads rows in order (no shuffle) or keeps its order on the host only.
 */
CLN_API cl_mem cln_loader_index_buffer(const cln_loader *l);
/**
 * @brief The current order on the host.
 * @param l the loader.
 * @return num_rows row indices owned by the loader, or NULL for an in-order loader.
 */
CLN_API const uint32_t *cln_loader_order(const cln_loader *l);

/**
 * @brief The permutation cln_loader_start_epoch() draws, computed on the host.
 * @param seed the loader's seed. @param epoch the epoch.
 * @param[out] order num_rows row indices; never NULL, not even for 0 rows.
 * @param num_rows their number, 0 to 2^32 - 1.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for a NULL order or num_rows beyond 2^32 - 1 (the
 * message, in cln_last_error(NULL), names it), order then untouched.
 */
CLN_API cln_status cln_shuffle_order(uint64_t seed, size_t epoch, uint32_t *order, size_t num_rows);

/**
 * @brief Shard `shard` of `num_shards` of num_rows rows: rows [*first, *first + *count), the
 * shards contiguous, in order, and of sizes that differ by at most one (the first
 * num_rows % num_shards have one more).
 * @param num_rows the rows to share. @param num_shards at least 1. @param shard its index.
 * @param[out] first the shard's first row (0 for a bad shard). @param[out] count its rows.
 */
CLN_API void cln_shard_range(size_t num_rows, size_t num_shards, size_t shard, size_t *first,
                     size_t *count);
/**
 * @brief The seed shard `shard` shuffles its rows with in data-parallel training:
 * seed + shard * 0x9E3779B97F4A7C15 (mod 2^64), so shard 0 draws what a single process does.
 * @param seed the training seed shared by the group. @param shard the shard.
 * @return the shard's seed.
 */
CLN_API uint64_t cln_shard_seed(uint64_t seed, size_t shard);
/**
 * @brief The global order of data-parallel training, drawn in one process. Shard r (of
 * cln_shard_range()) orders its rows with cln_shuffle_order(cln_shard_seed(seed, r), epoch)
 * (or in order, without shuffle, as validation rows are), and global minibatch k is the
 * concatenation, shard 0 first, of every shard's minibatch k of batch_size rows (a shard's
 * last one may be smaller, and a shard may have run out). `order` lists the global
 * minibatches one after the other, as row indices of the whole set: with balanced shards,
 * cln_fit() with batch num_shards * batch_size over this order takes exactly the group's
 * minibatches (cln_sharded_draw()).
 * @param seed the shared training seed. @param epoch the epoch. @param num_rows all rows.
 * @param num_shards the group's size. @param batch_size a shard's minibatch.
 * @param shuffle 0: every shard in order (the validation order).
 * @param[out] order num_rows row indices.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; CLN_ERR_OUT_OF_HOST_MEMORY.
 */
CLN_API cln_status cln_sharded_order(uint64_t seed, size_t epoch, size_t num_rows, size_t num_shards,
                             size_t batch_size, int shuffle, uint32_t *order);

/** The group whose global order cln_sharded_draw() draws. */
typedef struct cln_sharding {
    uint64_t seed;       /**< the group's shared training seed */
    size_t num_shards;   /**< its size */
    size_t batch_size;   /**< a shard's minibatch */
} cln_sharding;

/**
 * @brief cln_sharded_order() in the shape of cln_trainer_config.draw_order (trainer.h), so
 * that one process trains as a group does: set draw_order to it, order_user to a
 * cln_sharding, and batch_size to num_shards * its batch_size.
 * @param epoch the epoch. @param[out] order num_rows row indices. @param num_rows all rows.
 * @param sharding a cln_sharding.
 * @return as cln_sharded_order().
 */
CLN_API cln_status cln_sharded_draw(size_t epoch, uint32_t *order, size_t num_rows, void *sharding);

#ifdef __cplusplus
}
#endif
#endif
