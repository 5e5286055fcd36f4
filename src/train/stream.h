/* Streaming a host-resident dataset through the device in chunks, with double buffering:
 * a copy queue fills the next chunk while the context's (compute) queue trains on the
 * current one. Internal to the trainer (train_paths.c) and to data-parallel training
 * (dist.c).
 *
 * A chunk is a whole number of minibatches of one split. The host gathers a training
 * chunk's rows in batch order (the loader's current order; with several threads for a GPU,
 * CLNUM_STREAM_THREADS to choose) into a staging buffer, pinned
 * where the driver gives pinned memory (CL_MEM_ALLOC_HOST_PTR, mapped once), and the copy
 * queue writes it to one of two device chunks once the compute queue is done with that
 * chunk's last use (an event). The compute queue waits for the copy with a barrier on its
 * event, runs the chunk's minibatches, which read the chunk in order (no index), and marks
 * its end with another event. The host waits only before reusing a staging buffer whose
 * copy is still pending. */
#ifndef CLNUM_STREAM_H
#define CLNUM_STREAM_H

#include "data/data_impl.h"

typedef struct clni_stream clni_stream;

/* Called for each minibatch of the epoch, in order, after the wait for its chunk is
 * enqueued: its rows are rows [first, first + count) of X and y (the chunk's tensors), in
 * batch order. training: 1 for training batch k, 0 for validation batch k. Enqueues only;
 * a status other than CLN_SUCCESS stops the epoch. */
typedef cln_status (*clni_stream_batch_fn)(void *user, int training, size_t k, const cln_tensor *X,
                                           const cln_tensor *y, size_t first, size_t count);

/* A stream for data's rows in minibatches of the loaders (val may be NULL without
 * validation rows). chunk_bytes 0: 1/16 of the device's memory, within 1 and 64 MiB. */
cln_status clni_stream_create(cln_context *ctx, const cln_dataset *data, const cln_loader *train,
                              const cln_loader *val, size_t chunk_bytes, clni_stream **out);
/* Waits for both queues, then frees. NULL is a no-op. */
void clni_stream_free(clni_stream *s);
/* One epoch: the training rows in the training loader's current order, then the validation
 * rows in order. */
cln_status clni_stream_epoch(clni_stream *s, clni_stream_batch_fn fn, void *user);
/* Rows a chunk holds (a whole number of minibatches of each split). */
size_t clni_stream_chunk_rows(const clni_stream *s);

#endif
