/* What the data layer's files share and the layers above know of it: the object behind
 * cln_loader, what the dataset object (dataset.c) offers its constructors, and the rules
 * for rows kept on the host. */
#ifndef CLNUM_DATA_IMPL_H
#define CLNUM_DATA_IMPL_H

#include "tensor/tensor_impl.h"

struct cln_loader {
    clni_object obj;
    cln_context *ctx;
    size_t num_rows, batch_size, num_batches;
    int shuffle;
    uint64_t seed;
    uint32_t *orders[2];       /* host orders of even and odd epochs (shuffle only): an
                                  epoch's upload may still be pending while the next is drawn */
    uint32_t *order;           /* the current epoch's: one of orders[] */
    cl_mem index;              /* the current order on the device (shuffle only, and not for
                                  a host-order loader) */
    /* Draws an epoch's order instead of cln_shuffle_order (cln_trainer_config.draw_order). */
    cln_status (*draw)(size_t epoch, uint32_t *order, size_t num_rows, void *user);
    void *draw_user;
};

/* cln_loader_create, and with device_index 0 a shuffled loader whose order stays on the host
 * (no index buffer, nothing uploaded): the streamed trainer gathers rows on the host. */
cln_status clni_loader_new(cln_context *ctx, size_t num_rows, size_t batch_size, int shuffle,
                           uint64_t seed, int device_index, cln_loader **out);

/* Draws epoch `epoch`'s order and enqueues its upload without waiting. The host copy of
 * epoch e is overwritten when epoch e + 2 is drawn: the caller must have waited for a
 * command enqueued after this upload by then. */
cln_status clni_loader_start_epoch_async(cln_loader *l, size_t epoch);

/* The device buffer of the current epoch's order, or NULL for an in-order loader. */
cl_mem clni_loader_index(const cln_loader *l);

/* ---- the dataset object (dataset.c), for its constructors ------------------------------ */

/* The object, and unless on_host its X and y tensors and split views. */
cln_status clni_dataset_new(cln_context *ctx, cln_dtype dtype, size_t num_inputs,
                            size_t num_train, size_t num_val, int on_host, const char *fn,
                            cln_dataset **out);
/* Makes ds host-resident over X and y (in its dtype); owned: freed with it. */
void clni_dataset_set_host(cln_dataset *ds, void *X, void *y, int owned);
cln_status clni_dataset_set_true(cln_dataset *ds, const double *w, double b);
/* The whole X and y of a dataset on the device (NULL on the host). */
cln_tensor *clni_dataset_X(cln_dataset *ds);
cln_tensor *clni_dataset_y(cln_dataset *ds);
void clni_dataset_set_classes(cln_dataset *ds, size_t num_classes);

/* ---- rows kept on the host (dataset_host.c) ------------------------------------------- */

/* CLN_PLACE_AUTO's rule: X within the largest allocation, X, y and the order (4 bytes a
 * training row) within 3/4 of the global memory. */
int clni_rows_fit_device(const cln_context *ctx, cln_dtype dtype, size_t rows, size_t d,
                         size_t num_train);
/* cln_dataset_create_placed with CLN_PLACE_HOST: a converted, checked host copy. */
cln_status clni_dataset_create_host(cln_context *ctx, cln_dtype dtype, const double *X,
                                    const double *y, size_t num_rows, size_t num_inputs,
                                    size_t num_train, const char *fn, cln_dataset **out);
/* The checks of rows bound for the host: dtype, shape, and room in the host's memory. */
cln_status clni_check_host_shape(cln_context *ctx, cln_dtype dtype, size_t num_rows,
                                 size_t num_inputs, size_t num_train, const char *fn);
cln_status clni_check_host_room(cln_context *ctx, cln_dtype dtype, size_t rows, size_t d,
                                const char *fn);

#endif
