/* Minibatch order: a seeded Fisher-Yates permutation per epoch, uploaded once an epoch. */
#include <stdlib.h>

#include "data/data_impl.h"
#include "runtime/enqueue.h"

enum { STREAM_SHUFFLE = 4 };

cln_status cln_shuffle_order(uint64_t seed, size_t epoch, uint32_t *order, size_t num_rows)
{
    const char *fn = "cln_shuffle_order";
    CLNI_CHECK(clni_check_ptr(NULL, order, fn, "order"));
    if (num_rows > UINT32_MAX) /* row indices are 32-bit, and so is a step's draw */
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: num_rows %zu is beyond 2^32 - 1", fn,
                         num_rows);
    for (size_t i = 0; i < num_rows; i++)
        order[i] = (uint32_t)i;
    /* Step s takes word (epoch << 32) + s of the stream (cln_philox_u32); a block gives four
     * words, so it is drawn once per four steps. A word times (i + 1), shifted, is uniform on
     * [0, i] up to a bias below num_rows / 2^32. */
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t words[4];
    for (size_t i = num_rows; i-- > 1;) {
        uint64_t index = ((uint64_t)epoch << 32) + (num_rows - 1 - i);
        if (i == num_rows - 1 || index % 4 == 0) {
            uint64_t block = index / 4;
            const uint32_t counter[4] = {(uint32_t)block, (uint32_t)(block >> 32), STREAM_SHUFFLE, 0};
            cln_philox4x32_10(counter, key, words);
        }
        size_t j = (size_t)(((uint64_t)words[index % 4] * (i + 1)) >> 32);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    return CLN_SUCCESS;
}

static void destroy(clni_object *obj) { cln_loader_free((cln_loader *)obj); }

void cln_loader_free(cln_loader *l)
{
    if (!l)
        return;
    clni_unregister(l->ctx, &l->obj);
    if (l->index)
        clReleaseMemObject(l->index);
    free(l->orders[0]);
    free(l->orders[1]);
    free(l);
}

cln_status cln_loader_create(cln_context *ctx, size_t num_rows, size_t batch_size, int shuffle,
                             uint64_t seed, cln_loader **out)
{
    return clni_loader_new(ctx, num_rows, batch_size, shuffle, seed, 1, out);
}

cln_status clni_loader_new(cln_context *ctx, size_t num_rows, size_t batch_size, int shuffle,
                           uint64_t seed, int device_index, cln_loader **out)
{
    const char *fn = "cln_loader_create";
    CLNI_CHECK(clni_check_ptr(NULL, ctx, fn, "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    if (num_rows == 0 || num_rows > UINT32_MAX)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: num_rows %zu is outside 1 .. 2^32 - 1",
                         fn, num_rows);
    if (batch_size == 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: batch_size is 0", fn);
    /* the shuffled order lives on the device too: say so before trying to allocate it */
    uint64_t index_bytes = (uint64_t)num_rows * sizeof(cl_uint);
    if (shuffle && device_index &&
        (index_bytes > ctx->info.max_alloc_bytes || index_bytes > ctx->info.global_mem_bytes))
        return clni_fail(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY,
                         "%s: the order of %zu rows takes %llu bytes, more than %s allows in one "
                         "buffer (max allocation %llu bytes, global memory %llu bytes)",
                         fn, num_rows, (unsigned long long)index_bytes, ctx->info.device_name,
                         (unsigned long long)ctx->info.max_alloc_bytes,
                         (unsigned long long)ctx->info.global_mem_bytes);
    cln_loader *l = calloc(1, sizeof *l);
    if (!l)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    l->ctx = ctx;
    l->num_rows = num_rows;
    l->batch_size = batch_size < num_rows ? batch_size : num_rows;
    l->num_batches = (num_rows + l->batch_size - 1) / l->batch_size;
    l->shuffle = shuffle != 0;
    l->seed = seed;
    clni_register(ctx, &l->obj, destroy);
    if (l->shuffle) {
        cl_int err = CL_SUCCESS;
        l->orders[0] = malloc(num_rows * sizeof *l->orders[0]);
        l->orders[1] = malloc(num_rows * sizeof *l->orders[1]);
        int have_host = l->orders[0] && l->orders[1];
        if (have_host && device_index)
            l->index = clCreateBuffer(ctx->cl, CL_MEM_READ_ONLY, num_rows * sizeof(cl_uint), NULL,
                                      &err);
        if (!have_host || err != CL_SUCCESS) {
            cln_status st = have_host ? clni_cl_fail(ctx, err, "cln_loader_create: index buffer")
                                      : clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY,
                                                  "%s: out of memory", fn);
            cln_loader_free(l);
            return st;
        }
    }
    *out = l;
    return CLN_SUCCESS;
}

size_t cln_loader_num_rows(const cln_loader *l) { return l ? l->num_rows : 0; }
size_t cln_loader_num_batches(const cln_loader *l) { return l ? l->num_batches : 0; }
const uint32_t *cln_loader_order(const cln_loader *l) { return l ? l->order : NULL; }
cl_mem clni_loader_index(const cln_loader *l) { return l ? l->index : NULL; }
cl_mem cln_loader_index_buffer(const cln_loader *l) { return clni_loader_index(l); }

static cln_status start_epoch(cln_loader *l, size_t epoch, cl_bool blocking)
{
    if (!l->shuffle)
        return CLN_SUCCESS;
    l->order = l->orders[epoch % 2];
    if (l->draw) {
        cln_status st = l->draw(epoch, l->order, l->num_rows, l->draw_user);
        if (st != CLN_SUCCESS)
            return clni_fail(l->ctx, st, "draw_order returned %s (%d) for epoch %zu (epoch "
                             "argument %zu)", cln_status_str(st), (int)st, epoch + 1, epoch);
        for (size_t i = 0; i < l->num_rows; i++) /* rows are read through it: no stray one */
            if (l->order[i] >= l->num_rows)
                return clni_fail(l->ctx, CLN_ERR_BAD_ARGUMENT,
                                 "draw_order: epoch %zu (epoch argument %zu), position %zu holds "
                                 "row %u of %zu", epoch + 1, epoch, i, (unsigned)l->order[i],
                                 l->num_rows);
    } else {
        CLNI_CHECK(cln_shuffle_order(l->seed, epoch, l->order, l->num_rows));
    }
    if (!l->index)
        return CLN_SUCCESS; /* a host-order loader */
    /* In an in-order queue the upload runs after every kernel still reading the last order. */
    return clni_enqueue_write(l->ctx, l->ctx->queue, l->index, blocking, 0,
                              l->num_rows * sizeof(cl_uint), l->order, 0, NULL, NULL,
                              "uploading the row order");
}

cln_status cln_loader_start_epoch(cln_loader *l, size_t epoch)
{
    CLNI_CHECK(clni_check_ptr(NULL, l, "cln_loader_start_epoch", "loader"));
    return start_epoch(l, epoch, CL_TRUE);
}

cln_status clni_loader_start_epoch_async(cln_loader *l, size_t epoch)
{
    return start_epoch(l, epoch, CL_FALSE);
}

void cln_loader_batch(const cln_loader *l, size_t k, size_t *first, size_t *count)
{
    size_t f = l && k < l->num_batches ? k * l->batch_size : 0;
    size_t c = l && k < l->num_batches ? l->num_rows - f : 0;
    if (l && c > l->batch_size)
        c = l->batch_size;
    if (first)
        *first = f;
    if (count)
        *count = c;
}
