/**
 * @file model_file.h
 * @brief Models that outlive the process: saving a trained model to a file, loading it
 * back, and predicting on new rows.
 *
 * A saved model is a JSON file (format "clnum-model", described in README.md's "Saved
 * models"): the model kind ("linreg", "softmax"), its dtype and shapes, every parameter
 * (float32 and float64 values round-trip bit for bit), the epochs it has been trained for,
 * the version of clnum that wrote it, and what a prediction needs of the data it was
 * trained on: a cln_model_meta, the features' names and standardisation, the target's
 * name and, for a classifier, the classes' names.
 *
 * Files are written atomically (to a temporary file beside the target, flushed, then
 * renamed over it), so a failed save leaves the previous file whole; the path "-" writes
 * to standard output and reads from standard input. Loading refuses, with CLN_ERR_PARSE
 * and a message that says which: a file that is not a clnum model, a model of another
 * kind than the loader's, a format version newer than this library reads, and shapes or
 * parameters that do not agree with each other.
 */
#ifndef CLNUM_MODEL_FILE_H
#define CLNUM_MODEL_FILE_H

#include "clnum/export.h"

#include <stddef.h>

#include "clnum/csv.h"
#include "clnum/linreg.h"
#include "clnum/softmax.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The format version this library writes; it reads this one and every older one. */
#define CLNUM_MODEL_FORMAT_VERSION 1

/** What a saved model knows of its data: each feature's name and standardisation (a
 * feature x enters the model as (x - mean) / scale), the target's name and, for a
 * classifier, the classes' names in class-index order. Opaque; owned by the caller. */
typedef struct cln_model_meta cln_model_meta;

/**
 * @brief Makes the description of a model's data.
 * @param num_features the model's inputs, >= 1.
 * @param feature_names num_features distinct, non-empty names, copied; NULL names them
 *        "x1" .. "xN".
 * @param mean num_features finite values subtracted, or NULL (with scale NULL): no
 *        standardisation.
 * @param scale num_features finite values > 0 divided by, or NULL (with mean NULL).
 * @param target_name the target's name, copied; NULL gives "y".
 * @param[out] out the description; free it with cln_model_meta_free().
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT (names repeated or empty, one of mean and scale
 * NULL, a scale <= 0, a value not finite); CLN_ERR_OUT_OF_HOST_MEMORY.
 */
CLN_API cln_status cln_model_meta_create(size_t num_features, const char *const *feature_names,
                                         const double *mean, const double *scale,
                                         const char *target_name, cln_model_meta **out);
/**
 * @brief The description of a model trained on a CSV table's split: the table's feature
 * and target names, the split's standardisation (none when it was not standardised) and,
 * for a table read with labels, its classes' names.
 * @param csv the table. @param split its split (cln_csv_split()).
 * @param[out] out the description; free it with cln_model_meta_free().
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; CLN_ERR_OUT_OF_HOST_MEMORY.
 */
CLN_API cln_status cln_model_meta_from_split(const cln_csv *csv, const cln_split *split,
                                             cln_model_meta **out);
/**
 * @brief Sets the classes' names of a classifier's description.
 * @param meta the description. @param num_classes >= 2.
 * @param class_names num_classes distinct, non-empty names, copied; NULL names them "0" ..
 *        "k-1".
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; CLN_ERR_OUT_OF_HOST_MEMORY.
 */
CLN_API cln_status cln_model_meta_set_classes(cln_model_meta *meta, size_t num_classes,
                                              const char *const *class_names);
/** @brief Frees a description. @param meta NULL is a no-op. */
CLN_API void cln_model_meta_free(cln_model_meta *meta);

/** @brief Features. @param meta the description. @return its features (0 for NULL). */
CLN_API size_t cln_model_meta_num_features(const cln_model_meta *meta);
/** @brief A feature's name. @param meta the description. @param j 0-based.
 * @return the name, owned by meta; NULL when j is out of range. */
CLN_API const char *cln_model_meta_feature_name(const cln_model_meta *meta, size_t j);
/** @brief Whether the features are standardised. @param meta the description.
 * @return 1 with a mean and scale, 0 without (then mean 0 and scale 1). */
CLN_API int cln_model_meta_standardized(const cln_model_meta *meta);
/** @brief A feature's mean. @param meta the description. @param j 0-based.
 * @return mean j (0 without standardisation or for j out of range). */
CLN_API double cln_model_meta_mean(const cln_model_meta *meta, size_t j);
/** @brief A feature's scale. @param meta the description. @param j 0-based.
 * @return scale j (1 without standardisation or for j out of range). */
CLN_API double cln_model_meta_scale(const cln_model_meta *meta, size_t j);
/** @brief The target's name. @param meta the description. @return owned by meta. */
CLN_API const char *cln_model_meta_target_name(const cln_model_meta *meta);
/** @brief Classes. @param meta the description. @return 0 for a regression's description. */
CLN_API size_t cln_model_meta_num_classes(const cln_model_meta *meta);
/** @brief A class's name. @param meta the description. @param c 0-based class index.
 * @return the name, owned by meta; NULL when c is out of range. */
CLN_API const char *cln_model_meta_class_name(const cln_model_meta *meta, size_t c);
/**
 * @brief Standardises rows in place as the model's training rows were: x_j = (x_j -
 * mean_j) / scale_j; nothing without standardisation.
 * @param meta the description. @param X rows x num_features values, row-major.
 * @param rows rows of X.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for NULL pointers.
 */
CLN_API cln_status cln_model_meta_standardize(const cln_model_meta *meta, double *X, size_t rows);
/**
 * @brief Reads rows to predict on from a CSV table, columns matched by name: the model's
 * features in the model's order, whatever their order in the file; other columns (a
 * target among them) are skipped; then standardised as cln_model_meta_standardize() does.
 * @param meta the description. @param path the file, "-" for standard input.
 * @param opts delimiter, quote, comment, has_header, skip_lines (NULL:
 *        cln_csv_options_init()'s); its target, features, labels and no_target are ignored.
 *        Without a header, features named by a 0-based column index ("0", "3": a model
 *        trained on a file without one) are those columns; features with other names are
 *        the file's columns in the model's order, as many as it has features.
 * @param[out] X rows x num_features values, row-major, malloc'd: free() them.
 * @param[out] rows the rows read.
 * @return CLN_SUCCESS; CLN_ERR_PARSE (with FILE:LINE:COLUMN) for malformed text, a feature
 * missing from the header (the message names it) or a value that is not a finite number;
 * CLN_ERR_IO; CLN_ERR_BAD_ARGUMENT; CLN_ERR_OUT_OF_HOST_MEMORY. The message is in
 * cln_last_error(NULL).
 */
CLN_API cln_status cln_model_meta_read_rows(const cln_model_meta *meta, const char *path,
                                            const cln_csv_options *opts, double **X,
                                            size_t *rows);

/**
 * @brief Saves a linear regression and its description.
 * @param m the model (waits for its queue to read the parameters).
 * @param meta its data's description (as many features as m has inputs, no classes), or
 *        NULL: features x1 .. xN, no standardisation, target y.
 * @param path the file, replaced atomically; "-" for standard output. A symbolic link, or a
 *        file that is not a regular one (a device, a FIFO), is written in place.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT (NULL, meta of another shape, a name that is not
 * valid UTF-8); CLN_ERR_NOT_FINITE for a parameter that is not finite; CLN_ERR_IO (the
 * message names the file and why); CLN_ERR_OUT_OF_HOST_MEMORY; an OpenCL code.
 */
CLN_API cln_status cln_linreg_save(cln_linreg *m, const cln_model_meta *meta, const char *path);
/**
 * @brief Loads a linear regression saved by cln_linreg_save(), in the dtype it was saved in,
 * with its parameters, loss scale and epochs trained (a cln_fit() on it continues).
 * @param ctx the context that will own it. @param path the file; "-" for standard input.
 * @param[out] out the model; free it with cln_linreg_free() or with the context.
 * @param[out] meta its description (free it with cln_model_meta_free()), or NULL.
 * @return CLN_SUCCESS; CLN_ERR_IO; CLN_ERR_PARSE (not a clnum model, a softmax model, a
 * newer format, inconsistent content: the message says which); CLN_ERR_NO_FLOAT64 for a
 * float64 model on a device without float64; CLN_ERR_OUT_OF_HOST_MEMORY; an OpenCL code.
 */
CLN_API cln_status cln_linreg_load(cln_context *ctx, const char *path, cln_linreg **out,
                                   cln_model_meta **meta);
/**
 * @brief Saves a softmax regression and its description.
 * @param m the model (waits for its queue). @param meta its data's description (as many
 *        features as m has inputs; its classes, when set, as many as m has), or NULL:
 *        features x1 .. xN, classes "0" .. "k-1", target y.
 * @param path the file, replaced atomically; "-" for standard output.
 * @return as cln_linreg_save().
 */
CLN_API cln_status cln_softmax_save(cln_softmax *m, const cln_model_meta *meta, const char *path);
/**
 * @brief Loads a softmax regression saved by cln_softmax_save() (as cln_linreg_load()).
 * @param ctx the context. @param path the file; "-" for standard input.
 * @param[out] out the model. @param[out] meta its description (with its classes), or NULL.
 * @return as cln_linreg_load() (a linreg model is CLN_ERR_PARSE).
 */
CLN_API cln_status cln_softmax_load(cln_context *ctx, const char *path, cln_softmax **out,
                                    cln_model_meta **meta);

/** Which rows of a dataset to predict on (a split without rows predicts nothing). */
typedef enum cln_rows {
    CLN_ROWS_TRAIN = 0,   /**< the training split */
    CLN_ROWS_VAL = 1      /**< the validation split */
} cln_rows;

/**
 * @brief Predicts y_hat = X w + b on the device for rows held on the host, in the model's
 * units (standardised already: cln_model_meta_standardize()). Waits.
 * @param m the model. @param X rows x num_inputs values, row-major. @param rows >= 0 (0
 *        does nothing). @param[out] y_hat rows values.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; CLN_ERR_NOT_FINITE for a value of X that is
 * NaN or infinite (or beyond float32's range for a float32 model: the message names its row
 * and column), or a prediction that overflows the model's dtype; CLN_ERR_OUT_OF_DEVICE_MEMORY;
 * an OpenCL code.
 */
CLN_API cln_status cln_linreg_predict(cln_linreg *m, const double *X, size_t rows, double *y_hat);
/**
 * @brief Predicts for a split of a dataset (on the device or host-resident). Waits.
 * @param m the model. @param data a dataset of the model's context and inputs.
 * @param which the split. @param[out] y_hat one value a row of the split.
 * @return as cln_linreg_predict(); CLN_ERR_SHAPE_MISMATCH for another number of inputs.
 */
CLN_API cln_status cln_linreg_predict_dataset(cln_linreg *m, const cln_dataset *data,
                                              cln_rows which, double *y_hat);
/**
 * @brief Predicts classes for rows held on the host: the logits on the device, then each
 * row's softmax; its class is the first largest logit's, as cln_softmax_accuracy() counts.
 * Waits.
 * @param m the model. @param X rows x num_inputs values in the model's units.
 * @param rows >= 0. @param[out] classes rows class indices, or NULL.
 * @param[out] probs rows x num_classes probabilities (each row sums to 1), or NULL.
 * @return as cln_linreg_predict().
 */
CLN_API cln_status cln_softmax_predict(cln_softmax *m, const double *X, size_t rows,
                                       size_t *classes, double *probs);
/**
 * @brief Predicts classes for a split of a dataset (as cln_softmax_predict()). Waits.
 * @param m the model. @param data a dataset of the model's context and inputs.
 * @param which the split. @param[out] classes one a row, or NULL.
 * @param[out] probs num_classes a row, or NULL.
 * @return as cln_linreg_predict_dataset().
 */
CLN_API cln_status cln_softmax_predict_dataset(cln_softmax *m, const cln_dataset *data,
                                               cln_rows which, size_t *classes, double *probs);

#ifdef __cplusplus
}
#endif
#endif
