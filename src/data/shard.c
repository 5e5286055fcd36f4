/* Shards of a dataset for data-parallel training, and the global minibatch order of a
 * group, drawn in one process (data.h). */
#include <stdlib.h>

#include "data/data_impl.h"

void cln_shard_range(size_t num_rows, size_t num_shards, size_t shard, size_t *first,
                     size_t *count)
{
    size_t f = 0, c = 0;
    if (num_shards > 0 && shard < num_shards) {
        size_t q = num_rows / num_shards, extra = num_rows % num_shards;
        f = shard * q + (shard < extra ? shard : extra);
        c = q + (shard < extra ? 1 : 0);
    }
    if (first)
        *first = f;
    if (count)
        *count = c;
}

uint64_t cln_shard_seed(uint64_t seed, size_t shard)
{
    return seed + (uint64_t)shard * UINT64_C(0x9E3779B97F4A7C15);
}

cln_status cln_sharded_order(uint64_t seed, size_t epoch, size_t num_rows, size_t num_shards,
                             size_t batch_size, int shuffle, uint32_t *order)
{
    const char *fn = "cln_sharded_order";
    CLNI_CHECK(clni_check_ptr(NULL, order, fn, "order"));
    if (num_shards == 0 || batch_size == 0 || num_rows > UINT32_MAX)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT,
                         "%s: num_shards (%zu) and batch_size (%zu) must be at least 1 and "
                         "num_rows (%zu) below 2^32", fn, num_shards, batch_size, num_rows);
    /* Each shard's own order, in place in its range; then the batches interleaved. */
    uint32_t *local = malloc((num_rows ? num_rows : 1) * sizeof *local);
    if (!local)
        return clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    size_t max_batches = 0;
    for (size_t r = 0; r < num_shards; r++) {
        size_t first, count;
        cln_shard_range(num_rows, num_shards, r, &first, &count);
        if (shuffle)
            cln_shuffle_order(cln_shard_seed(seed, r), epoch, local + first, count);
        else
            for (size_t i = 0; i < count; i++)
                local[first + i] = (uint32_t)i;
        size_t b = count < batch_size ? count : batch_size; /* a loader's batch (data.h) */
        size_t nb = b ? (count + b - 1) / b : 0;
        if (nb > max_batches)
            max_batches = nb;
    }
    size_t at = 0;
    for (size_t k = 0; k < max_batches; k++)
        for (size_t r = 0; r < num_shards; r++) {
            size_t first, count;
            cln_shard_range(num_rows, num_shards, r, &first, &count);
            size_t b = count < batch_size ? count : batch_size;
            for (size_t i = k * b; b && i < count && i < (k + 1) * b; i++)
                order[at++] = (uint32_t)(first + local[first + i]);
        }
    free(local);
    return CLN_SUCCESS;
}

cln_status cln_sharded_draw(size_t epoch, uint32_t *order, size_t num_rows, void *sharding)
{
    const cln_sharding *s = sharding;
    CLNI_CHECK(clni_check_ptr(NULL, s, "cln_sharded_draw", "sharding"));
    return cln_sharded_order(s->seed, epoch, num_rows, s->num_shards, s->batch_size, 1, order);
}
