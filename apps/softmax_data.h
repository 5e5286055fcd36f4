/* clnum-softmax's data, on the host: IDX files (Fashion-MNIST), a CSV file with a column of
 * class labels, or synthetic classes; then on the device as a labelled dataset (data.h).
 *
 * The synthetic recipe (no --data, no IDX file): k classes (--num-classes, default 3) in d
 * dimensions (--num-inputs, default 2). Class c has its centre on axis floor(c / 2) mod d, at
 * +r for even c and -r for odd c, with r = 3 (1 + floor(c / 2d)); every other coordinate 0.
 * Row i (training rows first, then validation rows, i from 0) has label
 * floor(k * u / 2^32) with u = cln_philox_u32(seed, 16, i), and feature j = centre[label][j]
 * + noise * cln_philox_normal(seed, 17, i d + j) (random.h; --noise, default 1). With the
 * defaults the three centres are (3, 0), (-3, 0) and (0, 3): the classes overlap little, and
 * a linear classifier reaches about 98% accuracy. */
#ifndef CLNUM_SOFTMAX_DATA_H
#define CLNUM_SOFTMAX_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "clnum/clnum.h"
#include "softmax_options.h"

typedef enum { SOFTMAX_SOURCE_SYNTHETIC, SOFTMAX_SOURCE_CSV, SOFTMAX_SOURCE_IDX } softmax_source;

typedef struct softmax_data {
    softmax_source source;
    size_t num_train, num_val;  /* training rows first, then validation rows */
    size_t d;                   /* features */
    size_t k;                   /* classes, >= 2 */
    double *X;                  /* (num_train + num_val) x d, row-major (the CSV's split) */
    uint32_t *labels;           /* num_train + num_val, each below k */
    char **class_names;         /* k names: the CSV's labels, else "0", "1", ... */
    size_t *train_counts;       /* k: rows of each class among the training rows */
    size_t *val_counts;         /* k: among the validation rows */
    /* CSV */
    cln_csv *csv;
    cln_split split;
    char **features;
    size_t num_features;
    /* IDX: the four files (those of a folder, found) */
    char *idx_path[4];          /* train images, train labels, val images, val labels */
} softmax_data;

/* Reads, splits or generates the rows that o asks for. With meta (a --load model's
 * description, else NULL) a CSV file's columns are the model's features, by name, and its
 * rows are standardised as the model's training rows were. Returns CLN_SUCCESS; otherwise
 * the status with a one-line message in cln_last_error(NULL) (a missing or malformed file,
 * a label column with a single class, images of different sizes, out of memory). */
cln_status softmax_data_load(const softmax_options *o, const cln_model_meta *meta,
                             softmax_data *data);

/* The rows' labels renumbered as meta's classes (a --load model's), matched by name, and
 * the classes those of meta: a label that is not one of them, or rows of another number of
 * features, is CLN_ERR_BAD_ARGUMENT with the message. */
cln_status softmax_data_use_classes(softmax_data *data, const cln_model_meta *meta);

/* The IDX files o names, with the folder's found (raw or .gz) when o->idx_dir is given:
 * fills data->idx_path, for the checks of the outputs before anything is read. Returns
 * CLN_SUCCESS, or CLN_ERR_IO with the message (a file of the folder that is not there). */
cln_status softmax_data_idx_paths(const softmax_options *o, softmax_data *data);

/* The rows as a dataset of ctx (cln_dataset_create_labeled, placed as o asks). */
cln_status softmax_data_upload(const softmax_data *data, cln_context *ctx, cln_dtype dtype,
                               cln_placement placement, cln_dataset **out);

/* Accuracy of W (d x k) and b on rows [first, first + count), in double on the host: the
 * fraction whose largest logit is their label's (the first largest on ties), NaN for no rows.
 * correct[c], when not NULL, counts the rows of class c classified right. */
double softmax_data_accuracy(const softmax_data *data, const double *W, const double *b,
                             size_t first, size_t count, size_t *correct);

void softmax_data_free(softmax_data *data);

#endif
