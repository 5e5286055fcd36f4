/**
 * @file idx.h
 * @brief IDX files, the format of MNIST and Fashion-MNIST (train-images-idx3-ubyte.gz, ...):
 * images and their class labels, on the host, ready for cln_dataset_create_labeled().
 *
 * An IDX file is a 4-byte magic number, 0x00 0x00 TYPE RANK, then RANK dimensions as 32-bit
 * big-endian unsigned integers, then the product of the dimensions of elements, row-major.
 * Only unsigned bytes (TYPE 0x08) are read: 0x00000803 is N images of rows x cols pixels,
 * 0x00000801 is N labels. The file may be gzipped (it is when it starts with the bytes 1f 8b;
 * several gzip members one after the other are read as one stream) or raw.
 *
 * Every malformed file is an error that names the file and the problem, with status
 * CLN_ERR_PARSE and the message in cln_last_error(NULL): a magic number that is not IDX's, a
 * short file (fewer bytes than the dimensions say), bytes after the data, dimensions whose
 * product overflows, a corrupt or truncated gzip stream, bytes after it that are not another
 * gzip member. A file that cannot be opened or read is CLN_ERR_IO, with the system's reason.
 * Memory grows with the bytes actually read, never with what a header claims alone.
 */
#ifndef CLNUM_IDX_H
#define CLNUM_IDX_H

#include "clnum/export.h"

#include <stddef.h>
#include <stdint.h>

#include "clnum/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An IDX file's contents: its dimensions and its bytes, in host memory. Opaque. */
typedef struct cln_idx cln_idx;

/**
 * @brief Reads an IDX file, gzipped or raw.
 * @param path the file; messages name it.
 * @param[out] out the contents, to be freed with cln_idx_free(); NULL on failure.
 * @return CLN_SUCCESS; CLN_ERR_PARSE for a malformed file; CLN_ERR_UNSUPPORTED for an IDX
 * file of elements other than unsigned bytes (0x09 to 0x0E); CLN_ERR_IO when it cannot be
 * opened or read; CLN_ERR_BAD_ARGUMENT for NULL pointers; CLN_ERR_OUT_OF_HOST_MEMORY.
 */
CLN_API cln_status cln_idx_read(const char *path, cln_idx **out);

/**
 * @brief Parses IDX bytes held in memory, gzipped or raw (see cln_idx_read()).
 * @param bytes the bytes; may be NULL only when len is 0. Not kept.
 * @param len their number.
 * @param name what messages call them; NULL gives "<buffer>".
 * @param[out] out the contents, to be freed with cln_idx_free(); NULL on failure.
 * @return as cln_idx_read(), without CLN_ERR_IO.
 */
CLN_API cln_status cln_idx_parse_buffer(const void *bytes, size_t len, const char *name,
                                cln_idx **out);

/** @brief Frees an IDX file's contents. @param idx the contents; NULL is a no-op. */
CLN_API void cln_idx_free(cln_idx *idx);

/** @brief Dimensions. @param idx the contents.
 * @return their number, 1 to 255 (3 for images, 1 for labels; 0 for NULL). */
CLN_API size_t cln_idx_rank(const cln_idx *idx);
/** @brief One dimension. @param idx the contents. @param k from 0 to cln_idx_rank() - 1.
 * @return dimension k (0 for NULL or k out of range). */
CLN_API size_t cln_idx_dim(const cln_idx *idx, size_t k);
/** @brief Items: the first dimension. @param idx the contents.
 * @return N, the number of images or labels (0 for NULL). */
CLN_API size_t cln_idx_count(const cln_idx *idx);
/** @brief Bytes of one item: the product of the dimensions after the first. @param idx the
 * contents. @return rows x cols for images, 1 for labels (0 for NULL). */
CLN_API size_t cln_idx_item_size(const cln_idx *idx);
/** @brief The elements. @param idx the contents.
 * @return cln_idx_count() x cln_idx_item_size() bytes, row-major, owned by idx (NULL for
 * NULL; never NULL otherwise, not even for 0 bytes). */
CLN_API const uint8_t *cln_idx_data(const cln_idx *idx);

/** Images and their labels as a classifier's data: what cln_idx_load_pair() fills. */
typedef struct cln_idx_pair {
    size_t num_rows;    /**< N: images, one label each */
    size_t num_inputs;  /**< pixels an image (rows x cols), its features */
    size_t num_classes; /**< the largest label + 1 (10 for Fashion-MNIST) */
    double *X;          /**< num_rows x num_inputs, row-major: pixel / 255, in [0, 1] */
    uint32_t *labels;   /**< num_rows labels, each below num_classes */
} cln_idx_pair;

/**
 * @brief Reads an images file and a labels file (cln_idx_read()) as X and labels, ready for
 * cln_dataset_create_labeled().
 *
 * The images file has at least 2 dimensions (N x rows x cols, or N x d), the labels file
 * exactly one (N); the two N must agree. num_classes is the largest label + 1: give a test
 * set the training set's when a class might be missing from it.
 * @param images_path the images (0x00000803). @param labels_path the labels (0x00000801).
 * @param[out] out filled on success (free with cln_idx_pair_free()); zeroed on failure.
 * @return CLN_SUCCESS; any status of cln_idx_read(); CLN_ERR_PARSE, naming the file, for
 * files of the wrong shape, no image, images of no pixel, or counts that disagree;
 * CLN_ERR_BAD_ARGUMENT for NULL pointers; CLN_ERR_OUT_OF_HOST_MEMORY.
 */
CLN_API cln_status cln_idx_load_pair(const char *images_path, const char *labels_path,
                             cln_idx_pair *out);

/** @brief Frees the arrays of a pair and zeroes it. @param pair the pair; NULL is a no-op. */
CLN_API void cln_idx_pair_free(cln_idx_pair *pair);

#ifdef __cplusplus
}
#endif
#endif
