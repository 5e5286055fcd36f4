/* The minibatch loader: every row once an epoch, the chapter's batch sizes, a new order each
 * epoch, reproducible from the seed, and validation in order. */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static void chapter_batches(void **state)
{
    cln_context *ctx = *state;
    cln_loader *l;
    TU_OK(ctx, cln_loader_create(ctx, 1000, 32, 1, 5, &l));
    assert_int_equal(cln_loader_num_batches(l), 32); /* 31 x 32 + 8 */
    size_t first, count, covered = 0;
    for (size_t k = 0; k < 32; k++) {
        cln_loader_batch(l, k, &first, &count);
        assert_int_equal(first, covered);
        assert_int_equal(count, k < 31 ? 32 : 8);
        covered += count;
    }
    assert_int_equal(covered, 1000);
    cln_loader_batch(l, 32, &first, &count); /* past the end: empty */
    assert_int_equal(count, 0);
    cln_loader_free(l);
}

static void each_row_once_and_new_order_each_epoch(void **state)
{
    cln_context *ctx = *state;
    const size_t n = 1000;
    cln_loader *l;
    TU_OK(ctx, cln_loader_create(ctx, n, 32, 1, 5, &l));
    uint32_t *prev = malloc(n * sizeof *prev);
    for (size_t epoch = 0; epoch < 4; epoch++) {
        TU_OK(ctx, cln_loader_start_epoch(l, epoch));
        const uint32_t *order = cln_loader_order(l);
        char *seen = calloc(n, 1);
        for (size_t i = 0; i < n; i++) {
            assert_true(order[i] < n);
            assert_false(seen[order[i]]);
            seen[order[i]] = 1;
        }
        free(seen);
        size_t fixed = 0;
        for (size_t i = 0; i < n; i++)
            fixed += order[i] == i;
        assert_true(fixed < 20); /* shuffled, not the identity (about 1 fixed point expected) */
        if (epoch > 0) {
            size_t same = 0;
            for (size_t i = 0; i < n; i++)
                same += order[i] == prev[i];
            assert_true(same < 20);
        }
        memcpy(prev, order, n * sizeof *prev);
    }
    /* The host function gives the same order, from the seed and epoch alone. */
    uint32_t *again = malloc(n * sizeof *again);
    cln_shuffle_order(5, 3, again, n);
    assert_memory_equal(again, prev, n * sizeof *again);
    cln_shuffle_order(6, 3, again, n);
    assert_memory_not_equal(again, prev, n * sizeof *again);
    free(again);
    free(prev);
    cln_loader_free(l);
}

/* The order is the documented one: Fisher-Yates where step s swaps position i = n-1-s with
 * position (word * (i + 1)) >> 32, word = cln_philox_u32(seed, 4, (epoch << 32) + s). */
static void order_follows_its_definition(void **state)
{
    (void)state;
    const size_t sizes[] = {1, 2, 5, 1000, 4099};
    for (size_t t = 0; t < 5; t++) {
        size_t n = sizes[t];
        uint32_t *got = malloc(n * sizeof *got), *want = malloc(n * sizeof *want);
        for (size_t epoch = 0; epoch < 3; epoch++) {
            cln_shuffle_order(77 + t, epoch, got, n);
            for (size_t i = 0; i < n; i++)
                want[i] = (uint32_t)i;
            for (size_t s = 0; s + 1 < n; s++) {
                size_t i = n - 1 - s;
                uint32_t word = cln_philox_u32(77 + t, 4, ((uint64_t)epoch << 32) + s);
                size_t j = (size_t)(((uint64_t)word * (i + 1)) >> 32);
                uint32_t tmp = want[i];
                want[i] = want[j];
                want[j] = tmp;
            }
            assert_memory_equal(got, want, n * sizeof *got);
        }
        free(got);
        free(want);
    }
}

/* Positions are uniform: over many epochs each row lands in the first batch about as often. */
static void shuffle_is_uniform(void **state)
{
    (void)state;
    const size_t n = 10, epochs = 20000;
    size_t counts[10][10] = {{0}};
    uint32_t order[10];
    for (size_t e = 0; e < epochs; e++) {
        cln_shuffle_order(1, e, order, n);
        for (size_t pos = 0; pos < n; pos++)
            counts[order[pos]][pos]++;
    }
    /* each cell expects 2000, standard deviation about 42 */
    for (size_t r = 0; r < n; r++)
        for (size_t pos = 0; pos < n; pos++)
            assert_true(counts[r][pos] > 1800 && counts[r][pos] < 2200);
}

static void validation_in_order_and_large_batches(void **state)
{
    cln_context *ctx = *state;
    cln_loader *l;
    TU_OK(ctx, cln_loader_create(ctx, 1000, 32, 0, 0, &l));
    TU_OK(ctx, cln_loader_start_epoch(l, 1));
    assert_null(cln_loader_order(l)); /* rows in order, no index */
    assert_int_equal(cln_loader_num_batches(l), 32);
    cln_loader_free(l);
    /* a batch larger than the data: one batch of all rows */
    TU_OK(ctx, cln_loader_create(ctx, 7, 100, 1, 0, &l));
    assert_int_equal(cln_loader_num_batches(l), 1);
    size_t first, count;
    cln_loader_batch(l, 0, &first, &count);
    assert_int_equal(count, 7);
    cln_loader_free(l);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "batch_size is 0", cln_loader_create(ctx, 7, 0, 1, 0, &l));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "num_rows 0", cln_loader_create(ctx, 0, 3, 1, 0, &l));
}

/* NULL is an error with its name, as everywhere else in the library, not a crash. */
static void null_arguments(void **state)
{
    cln_context *ctx = *state;
    uint32_t order[4] = {7, 7, 7, 7};
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_shuffle_order: order is NULL",
             cln_shuffle_order(1, 0, NULL, 10));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_shuffle_order: order is NULL",
             cln_shuffle_order(1, 0, NULL, 0));
#if SIZE_MAX > UINT32_MAX
    /* rows beyond 32-bit indices: refused before anything is written */
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "num_rows 4294967296 is beyond 2^32 - 1",
             cln_shuffle_order(1, 0, order, (size_t)UINT32_MAX + 1));
    assert_int_equal(order[0], 7);
#endif
    TU_OK(NULL, cln_shuffle_order(1, 0, order, 0));
    assert_int_equal(order[0], 7);
    TU_OK(NULL, cln_shuffle_order(1, 0, order, 4));
    cln_loader *l = (cln_loader *)order; /* must be overwritten or left alone, never used */
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_loader_create: ctx is NULL",
             cln_loader_create(NULL, 10, 2, 1, 0, &l));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_loader_create: out is NULL",
             cln_loader_create(ctx, 10, 2, 1, 0, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_loader_start_epoch: loader is NULL",
             cln_loader_start_epoch(NULL, 0));
    /* the accessors of a NULL loader: nothing, as those of a NULL dataset */
    assert_int_equal(cln_loader_num_rows(NULL), 0);
    assert_int_equal(cln_loader_num_batches(NULL), 0);
    assert_null(cln_loader_order(NULL));
    size_t first = 5, count = 5;
    cln_loader_batch(NULL, 0, &first, &count);
    assert_int_equal(first, 0);
    assert_int_equal(count, 0);
    cln_loader_free(NULL);
    /* and a real loader's batch takes NULL for what is not wanted */
    TU_OK(ctx, cln_loader_create(ctx, 10, 4, 1, 0, &l));
    cln_loader_batch(l, 2, NULL, &count);
    assert_int_equal(count, 2);
    cln_loader_batch(l, 2, &first, NULL);
    assert_int_equal(first, 8);
    cln_loader_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chapter_batches),
        cmocka_unit_test(each_row_once_and_new_order_each_epoch),
        cmocka_unit_test(order_follows_its_definition),
        cmocka_unit_test(shuffle_is_uniform),
        cmocka_unit_test(validation_in_order_and_large_batches),
        cmocka_unit_test(null_arguments),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
