/**
 * @file csv.h
 * @brief Real data: reading a CSV file, splitting it into training and validation rows,
 * standardising its features.
 *
 * Three steps, all on the host:
 *   1. cln_csv_read() or cln_csv_parse_buffer() parse the text into a table of doubles: the
 *      chosen feature columns and one target column, every other column skipped unread (the
 *      target a number, or, for a classifier, a class label: cln_csv_options.labels);
 *   2. cln_csv_split() puts a seeded random fraction of the rows aside for validation and,
 *      if asked, standardises the features with the mean and standard deviation of the
 *      training rows only;
 *   3. cln_split_dataset() (cln_split_dataset_labeled() for labels) puts the result on a
 *      device as a cln_dataset (data.h), ready for cln_fit(); cln_split_unstandardize() maps
 *      parameters learned on standardised features back to the original units.
 *
 * The format is RFC 4180's: records end with LF, CRLF or CR; fields are separated by a
 * delimiter (',' by default); a field in double quotes may hold the delimiter, line breaks
 * and doubled quotes (""); a UTF-8 byte order mark is skipped. Beyond RFC 4180: blank
 * lines and lines starting with the comment character ('#' by default) are skipped,
 * spaces and tabs around an unquoted field are ignored, a number of first lines may be
 * skipped unread (cln_csv_options.skip_lines), and the first record is the header unless
 * told otherwise. Numbers are read as strtod() reads them in the C locale ("3",
 * "-2.5e-3"); empty, non-numeric or non-finite values in a chosen column are errors.
 * Every error says where: "FILE:LINE:COLUMN: what" (LINE and COLUMN from 1, COLUMN in
 * bytes), with status CLN_ERR_PARSE (CLN_ERR_IO when the file cannot be read), and the
 * message in cln_last_error(NULL). A message is one printable line whatever the text holds:
 * in the names and values it quotes (and in FILE) control characters (C0, DEL, C1: line
 * breaks, tabs, the ESC of terminal escape sequences) and bytes that are not valid UTF-8 are
 * written as \\xHH ("column 'a\\x1b[31m'"); valid UTF-8 is kept.
 *
 * Reading takes time linear in the length of the text and the number of columns chosen: a
 * header of a million columns, all chosen by name, parses in about a second.
 */
#ifndef CLNUM_CSV_H
#define CLNUM_CSV_H

#include "clnum/export.h"

#include <stddef.h>
#include <stdint.h>

#include "clnum/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A parsed table: the chosen columns as doubles, in host memory. Opaque. */
typedef struct cln_csv cln_csv;

/** How to read a CSV. Start from cln_csv_options_init(). */
typedef struct cln_csv_options {
    char delimiter;      /**< field separator; default ','. Not the quote, CR or LF. */
    char quote;          /**< quote character; default '"'; '\0': no quoting */
    char comment;        /**< a record starting with it is skipped; default '#'; '\0': none */
    int has_header;      /**< 1 (default): the first record names the columns */
    /** The target column: a header name, or, when it is not one, a 0-based column index
     * written in decimal ("3"). NULL (default): the last column. */
    const char *target;
    /** The feature columns, each named as the target is; NULL (default): every column but
     * the target, in file order. Their order is the order of the features. */
    const char *const *features;
    size_t num_features; /**< number of entries of features (0 when features is NULL) */
    /** Non-zero: the target column holds class labels, integers or text, and y is each
     * row's class index (cln_csv_num_classes()). The classes are the distinct labels in
     * order: when every label is a whole number (as strtod() reads it, |v| <= 2^53) in
     * increasing order, each class named by its number in decimal (so "1" and "1.0" are
     * class "1"); otherwise in the bytewise order of their texts, each named by its text.
     * 0 (default): the target is a number. */
    int labels;
    /** Lines skipped, unread, before the first record (the header, or the first row without
     * one): for a first line that is neither, as the count line "150,4,setosa,versicolor,
     * virginica" of scikit-learn's iris.csv (read it with has_header 0). Lines are counted as
     * the tokenizer counts them (LF, CRLF or CR), a quote in them is not special, and messages
     * keep the file's line numbers. Default 0. */
    size_t skip_lines;
    /** Non-zero: the table has no target column, as rows to predict on
     * (cln_model_meta_read_rows(), model_file.h): target is ignored, every column may be a
     * feature (features NULL: all of them, in file order), cln_csv_y() and
     * cln_csv_target_name() are NULL, and cln_csv_split() refuses the table. labels must
     * then be 0. Default 0. */
    int no_target;
} cln_csv_options;

/**
 * @brief Sets the defaults: ',' delimiter, '"' quote, '#' comments, a header row, the
 * last column as target (a number), every other column as a feature, no line skipped
 * (no_target 0).
 * @param opts the options to fill; NULL is a no-op.
 */
CLN_API void cln_csv_options_init(cln_csv_options *opts);

/**
 * @brief Parses CSV text held in memory.
 *
 * The text need not end with a NUL or a line break; a NUL byte inside it is an error. It
 * is not kept: the table owns copies of everything it needs.
 * @param text  the bytes of the file; may be NULL only when len is 0.
 * @param len   their number.
 * @param name  what messages call the text ("data.csv"); NULL gives "<buffer>".
 * @param opts  how to read it; NULL gives the defaults of cln_csv_options_init().
 * @param[out] out the table, to be freed with cln_csv_free(); NULL on failure.
 * @return CLN_SUCCESS; CLN_ERR_PARSE for malformed text, an unknown or repeated column,
 * a value that is not a finite number or a file with no data row; CLN_ERR_BAD_ARGUMENT
 * for bad options; CLN_ERR_OUT_OF_HOST_MEMORY. The message (cln_last_error(NULL)) has the
 * line and column.
 */
CLN_API cln_status cln_csv_parse_buffer(const char *text, size_t len, const char *name,
                                const cln_csv_options *opts, cln_csv **out);

/**
 * @brief Reads and parses a CSV file (see cln_csv_parse_buffer()).
 * @param path the file; messages name it. "-" reads standard input to its end, which
 *        messages call "<stdin>".
 * @param opts how to read it; NULL gives the defaults.
 * @param[out] out the table, to be freed with cln_csv_free(); NULL on failure.
 * @return CLN_SUCCESS, CLN_ERR_IO when the file cannot be opened or read, or any status of
 * cln_csv_parse_buffer().
 */
CLN_API cln_status cln_csv_read(const char *path, const cln_csv_options *opts, cln_csv **out);

/**
 * @brief Frees a table.
 * @param csv the table; NULL is a no-op.
 */
CLN_API void cln_csv_free(cln_csv *csv);

/**
 * @brief Number of data rows (records after the header, comments and blank lines).
 * @param csv the table (NULL gives 0).
 * @return the row count.
 */
CLN_API size_t cln_csv_num_rows(const cln_csv *csv);

/**
 * @brief Number of feature columns chosen.
 * @param csv the table (NULL gives 0).
 * @return the feature count.
 */
CLN_API size_t cln_csv_num_features(const cln_csv *csv);

/**
 * @brief Name of feature j: its header, or its 0-based column index in decimal when
 * there is no header.
 *
 * The header's bytes as they are: any byte but NUL, so possibly line breaks, escape
 * sequences or bytes that are not UTF-8. Escape it before printing it or writing it into a
 * format that needs valid text.
 * @param csv the table.
 * @param j   0-based feature index.
 * @return a string owned by the table, or NULL when j is out of range.
 */
CLN_API const char *cln_csv_feature_name(const cln_csv *csv, size_t j);

/**
 * @brief Name of the target column (as cln_csv_feature_name() names a feature).
 * @param csv the table.
 * @return a string owned by the table, or NULL for a NULL table and for one read with
 * cln_csv_options.no_target.
 */
CLN_API const char *cln_csv_target_name(const cln_csv *csv);

/**
 * @brief The features, row-major: cln_csv_num_rows() x cln_csv_num_features() values.
 * @param csv the table.
 * @return an array owned by the table, or NULL for a NULL table.
 */
CLN_API const double *cln_csv_X(const cln_csv *csv);

/**
 * @brief The target values, one a row: with cln_csv_options.labels, the class index of each
 * row's label (a whole number from 0 to cln_csv_num_classes() - 1).
 * @param csv the table.
 * @return an array owned by the table, or NULL for a NULL table and for one read with
 * cln_csv_options.no_target.
 */
CLN_API const double *cln_csv_y(const cln_csv *csv);

/**
 * @brief Number of classes: the distinct labels of the target column.
 * @param csv the table (NULL gives 0).
 * @return at least 1 for a table read with cln_csv_options.labels, 0 without.
 */
CLN_API size_t cln_csv_num_classes(const cln_csv *csv);

/**
 * @brief Name of class c: its label's text, or, when every label is a whole number, that
 * number in decimal ("2"). The file's bytes, as cln_csv_feature_name()'s are.
 * @param csv the table.
 * @param c   0-based class index, the value y holds.
 * @return a string owned by the table, or NULL when c is out of range.
 */
CLN_API const char *cln_csv_class_name(const cln_csv *csv, size_t c);

/** How cln_csv_split() divides and scales the rows. Start from cln_split_config_init(). */
typedef struct cln_split_config {
    /** Fraction of the rows put aside for validation, in [0, 1); default 0.2. The number
     * of validation rows is fraction x rows rounded to nearest; at least one row trains. */
    double val_fraction;
    /** Seeds the choice of validation rows (Philox stream 5 of it); default 0. */
    uint64_t seed;
    /** 1: z-score the features with the training rows' mean and standard deviation
     * (population, as scikit-learn's StandardScaler; a constant feature gets scale 1).
     * Default 0. */
    int standardize;
} cln_split_config;

/**
 * @brief Sets the defaults: 20% validation, seed 0, no standardisation.
 * @param cfg the configuration to fill; NULL is a no-op.
 */
CLN_API void cln_split_config_init(cln_split_config *cfg);

/**
 * @brief Rows divided into a training and a validation split, features possibly
 * standardised. Owned by the caller; free with cln_split_free().
 *
 * Feature j of a row is stored as (x - mean[j]) / scale[j]; without standardisation mean
 * is 0 and scale 1. The targets are never scaled, so class indices stay class indices.
 * Within each split the rows keep the order of the file.
 */
typedef struct cln_split {
    size_t num_inputs;   /**< features */
    size_t num_train;    /**< training rows: the first num_train rows of X and y */
    size_t num_val;      /**< validation rows: the rest */
    double *X;           /**< (num_train + num_val) x num_inputs, row-major */
    double *y;           /**< num_train + num_val targets, unchanged */
    double *mean;        /**< num_inputs values subtracted from the features */
    double *scale;       /**< num_inputs values the features were divided by */
    size_t *source_row;  /**< for each row, its 0-based index among the table's rows */
} cln_split;

/**
 * @brief Divides a table's rows into training and validation rows and optionally
 * standardises the features (statistics of the training rows only, so nothing of the
 * validation rows leaks into training).
 * @param csv the table.
 * @param cfg how; NULL gives the defaults of cln_split_config_init().
 * @param[out] out filled on success (free with cln_split_free()); zeroed on failure.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for a NULL table or out, a table without a
 * target (cln_csv_options.no_target), or a fraction outside [0, 1) or one that leaves no
 * training row; CLN_ERR_OUT_OF_HOST_MEMORY.
 */
CLN_API cln_status cln_csv_split(const cln_csv *csv, const cln_split_config *cfg, cln_split *out);

/**
 * @brief Frees the arrays of a split and zeroes it.
 * @param split the split; NULL is a no-op.
 */
CLN_API void cln_split_free(cln_split *split);

/**
 * @brief Uploads a split as a dataset (cln_dataset_create() with its rows).
 * @param ctx   the context the dataset belongs to.
 * @param dtype the device precision.
 * @param split the rows.
 * @param[out] out the dataset, owned by the context (or freed with cln_dataset_free()).
 * @return any status of cln_dataset_create().
 */
CLN_API cln_status cln_split_dataset(cln_context *ctx, cln_dtype dtype, const cln_split *split,
                             cln_dataset **out);

/**
 * @brief Uploads a split of a table read with cln_csv_options.labels as a labelled dataset
 * (cln_dataset_create_labeled() with its rows, placed as CLN_PLACE_AUTO places them).
 * @param ctx   the context the dataset belongs to.
 * @param dtype the device precision.
 * @param split the rows; each target must be a class index.
 * @param num_classes the classes, cln_csv_num_classes() of the table.
 * @param[out] out the dataset, owned by the context (or freed with cln_dataset_free()).
 * @return any status of cln_dataset_create_labeled(); CLN_ERR_BAD_ARGUMENT for a target that
 * is not a whole number in [0, 2^32), naming its row.
 */
CLN_API cln_status cln_split_dataset_labeled(cln_context *ctx, cln_dtype dtype, const cln_split *split,
                                     size_t num_classes, cln_dataset **out);

/**
 * @brief Maps parameters of a model trained on the split's (standardised) features back to
 * the original units: w_j = w'_j / scale_j and b = b' - sum_j w'_j mean_j / scale_j, so that
 * X w + b equals X' w' + b' for every row.
 * @param split the split whose statistics the model was trained with.
 * @param w_std num_inputs learned weights.
 * @param b_std the learned bias.
 * @param[out] w num_inputs weights in original units (may be w_std itself).
 * @param[out] b the bias in original units.
 * @return CLN_SUCCESS, or CLN_ERR_BAD_ARGUMENT for a NULL pointer.
 */
CLN_API cln_status cln_split_unstandardize(const cln_split *split, const double *w_std, double b_std,
                                   double *w, double *b);

#ifdef __cplusplus
}
#endif
#endif
