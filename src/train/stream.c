/* Streaming a host-resident dataset through the device: see stream.h. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/enqueue.h"
#include "train/stream.h"

/* One of the two buffers of the pipeline. */
typedef struct slot {
    cln_tensor *X, *y;     /* the chunk on the device: cap x d and cap */
    cl_mem pinned;         /* staging buffer (CL_MEM_ALLOC_HOST_PTR), mapped at `host` */
    char *host;            /* staging: cap x d values of X, then cap of y */
    int host_malloced;     /* no pinned memory here: host is malloc'd */
    cl_event copied;       /* the chunk's copy to the device (copy queue) */
    cl_event computed;     /* the end of the chunk's last minibatch (compute queue) */
} slot;

/* A chunk of an epoch: minibatches [first_batch, first_batch + num_batches) of one split,
 * positions [first_pos, first_pos + rows). */
typedef struct chunk {
    int training;
    size_t first_batch, num_batches, first_pos, rows;
    int slot;
} chunk;

struct clni_stream {
    cln_context *ctx;
    const cln_dataset *data;
    const cln_loader *train, *val;
    cl_command_queue copy;
    size_t d, es, cap;
    size_t per_chunk[2];   /* minibatches a chunk: [0] validation, [1] training */
    slot slots[2];
    int next;
    size_t threads;        /* host threads gathering a chunk's rows */
};

/* Threads that gather rows: $CLNUM_STREAM_THREADS, else 1 for a CPU device (whose cores
 * already train on the last chunk), else half the host's cores, at most 8. */
static size_t gather_threads(const cln_context *ctx)
{
    const char *env = getenv("CLNUM_STREAM_THREADS");
    long n = env ? strtol(env, NULL, 10) : 0;
    if (n >= 1)
        return n > 64 ? 64 : (size_t)n;
    if (ctx->info.type == CLN_DEVICE_CPU)
        return 1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    n = cores / 2;
    return n < 1 ? 1 : n > 8 ? 8 : (size_t)n;
}

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }
static size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

static void release_event(cl_event *e)
{
    if (*e)
        clReleaseEvent(*e);
    *e = NULL;
}

void clni_stream_free(clni_stream *s)
{
    if (!s)
        return;
    /* Pending copies read the staging buffers and kernels the chunks: let them finish. */
    if (s->copy)
        clni_queue_finish(s->ctx, s->copy);
    clni_queue_finish(s->ctx, s->ctx->queue);
    for (int i = 0; i < 2; i++) {
        slot *sl = &s->slots[i];
        release_event(&sl->copied);
        release_event(&sl->computed);
        if (sl->pinned) {
            if (sl->host && !sl->host_malloced &&
                clni_enqueue_unmap(s->ctx, s->copy, sl->pinned, sl->host,
                                   "freeing a stream's staging buffer") == CLN_SUCCESS)
                clni_queue_finish(s->ctx, s->copy);
            clReleaseMemObject(sl->pinned);
        }
        if (sl->host_malloced)
            free(sl->host);
        clni_tensor_destroy(sl->X);
        clni_tensor_destroy(sl->y);
    }
    if (s->copy)
        clReleaseCommandQueue(s->copy);
    free(s);
}

/* A staging buffer of `bytes`: pinned host memory if the driver gives it, else malloc. */
static cln_status make_staging(clni_stream *s, slot *sl, size_t bytes)
{
    cl_int err;
    sl->pinned = clCreateBuffer(s->ctx->cl, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, bytes,
                                NULL, &err);
    if (err == CL_SUCCESS) {
        /* A map that fails is no failure of the fit (malloc's memory serves, unpinned), so its
         * message is not left for the caller. */
        char kept[sizeof s->ctx->error];
        memcpy(kept, s->ctx->error, sizeof kept);
        void *host;
        cln_status st = clni_enqueue_map_write(s->ctx, s->copy, sl->pinned, bytes, &host,
                                               "mapping a staging buffer");
        sl->host = host;
        if (st == CLN_SUCCESS)
            return CLN_SUCCESS;
        memcpy(s->ctx->error, kept, sizeof kept);
        clReleaseMemObject(sl->pinned);
    }
    sl->pinned = NULL;
    sl->host = malloc(bytes);
    sl->host_malloced = 1;
    return sl->host ? CLN_SUCCESS
                    : clni_fail(s->ctx, CLN_ERR_OUT_OF_HOST_MEMORY,
                                "streaming: out of host memory for a %zu-byte staging buffer",
                                bytes);
}

cln_status clni_stream_create(cln_context *ctx, const cln_dataset *data, const cln_loader *train,
                              const cln_loader *val, size_t chunk_bytes, clni_stream **out)
{
    *out = NULL;
    clni_stream *s = calloc(1, sizeof *s);
    if (!s)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "streaming: out of memory");
    s->ctx = ctx;
    s->data = data;
    s->train = train;
    s->val = val;
    s->d = cln_dataset_num_inputs(data);
    s->es = cln_dtype_size(cln_dataset_dtype(data));
    size_t row_bytes = (s->d + 1) * s->es;
    size_t bt = train->batch_size, bv = val ? val->batch_size : 1;
    if (chunk_bytes == 0)
        chunk_bytes = min_size(max_size(ctx->info.global_mem_bytes / 16, (size_t)1 << 20),
                               (size_t)64 << 20);
    /* Whole minibatches of either split, no more rows than the larger split, and a chunk
     * (X and y) within one allocation. */
    size_t cap = max_size(chunk_bytes / row_bytes, max_size(bt, bv));
    cap = min_size(cap, max_size(train->num_rows, val ? val->num_rows : 0));
    size_t alloc_rows = ctx->info.max_alloc_bytes / row_bytes;
    if (cap > alloc_rows)
        cap = alloc_rows;
    if (cap < max_size(bt, bv) ||
        2.0 * (double)cap * (double)row_bytes > 0.75 * (double)ctx->info.global_mem_bytes) {
        clni_stream_free(s);
        return clni_fail(ctx, CLN_ERR_OUT_OF_DEVICE_MEMORY,
                         "cln_fit: streaming a minibatch of %zu rows of %zu bytes takes two "
                         "chunks of %zu bytes, more than %s has (largest allocation %llu, "
                         "global memory %llu bytes): use a smaller batch", max_size(bt, bv),
                         row_bytes, max_size(bt, bv) * row_bytes, ctx->info.device_name,
                         (unsigned long long)ctx->info.max_alloc_bytes,
                         (unsigned long long)ctx->info.global_mem_bytes);
    }
    s->cap = cap;
    s->threads = gather_threads(ctx);
    s->per_chunk[1] = cap / bt;
    s->per_chunk[0] = cap / bv;

    /* The copy queue: a second in-order queue on the device, with the compute queue's
     * properties (profiling, if the caller turned it on). */
    cl_command_queue_properties props = 0;
    clGetCommandQueueInfo(ctx->queue, CL_QUEUE_PROPERTIES, sizeof props, &props, NULL);
    cl_int err;
    s->copy = clCreateCommandQueue(ctx->cl, ctx->device,
                                   props & CL_QUEUE_PROFILING_ENABLE, &err);
    if (err != CL_SUCCESS) {
        s->copy = NULL;
        clni_stream_free(s);
        return clni_cl_fail(ctx, err, "cln_fit: the streaming copy queue");
    }
    cln_dtype dtype = cln_dataset_dtype(data);
    size_t shape[2] = {cap, s->d};
    cln_status st = CLN_SUCCESS;
    for (int i = 0; i < 2 && st == CLN_SUCCESS; i++) {
        st = clni_tensor_new(ctx, dtype, 2, shape, 0, &s->slots[i].X);
        if (st == CLN_SUCCESS)
            st = clni_tensor_new(ctx, dtype, 1, &cap, 0, &s->slots[i].y);
        if (st == CLN_SUCCESS)
            st = make_staging(s, &s->slots[i], cap * row_bytes);
    }
    if (st != CLN_SUCCESS) {
        clni_stream_free(s);
        return st;
    }
    *out = s;
    return CLN_SUCCESS;
}

size_t clni_stream_chunk_rows(const clni_stream *s) { return s->cap; }

/* Chunk `i` of the epoch: the training chunks, then the validation ones. */
static int chunk_at(const clni_stream *s, size_t i, chunk *c)
{
    size_t nb_train = s->train->num_batches, nb_val = s->val ? s->val->num_batches : 0;
    size_t n_train = (nb_train + s->per_chunk[1] - 1) / s->per_chunk[1];
    size_t n_val = (nb_val + s->per_chunk[0] - 1) / s->per_chunk[0];
    if (i >= n_train + n_val)
        return 0;
    c->training = i < n_train;
    const cln_loader *l = c->training ? s->train : s->val;
    size_t per = s->per_chunk[c->training], nb = c->training ? nb_train : nb_val;
    c->first_batch = (c->training ? i : i - n_train) * per;
    c->num_batches = min_size(per, nb - c->first_batch);
    size_t last_first, last_count;
    cln_loader_batch(l, c->first_batch, &c->first_pos, NULL);
    cln_loader_batch(l, c->first_batch + c->num_batches - 1, &last_first, &last_count);
    c->rows = last_first + last_count - c->first_pos;
    return 1;
}

/* Rows [begin, end) of a chunk, gathered by one thread. */
typedef struct gather_part {
    const char *X, *y;
    char *dx, *dy;
    const uint32_t *pos;   /* training: the rows, in batch order; NULL: rows first + i */
    size_t first, begin, end, row, es;
} gather_part;

static void *gather(void *arg)
{
    const gather_part *g = arg;
    size_t row = g->row, es = g->es;
    if (g->pos) {
        for (size_t i = g->begin; i < g->end; i++) {
            memcpy(g->dx + i * row, g->X + (size_t)g->pos[i] * row, row);
            memcpy(g->dy + i * es, g->y + (size_t)g->pos[i] * es, es);
        }
    } else { /* validation rows come in order: one block */
        memcpy(g->dx + g->begin * row, g->X + (g->first + g->begin) * row,
               (g->end - g->begin) * row);
        memcpy(g->dy + g->begin * es, g->y + (g->first + g->begin) * es,
               (g->end - g->begin) * es);
    }
    return NULL;
}

/* Gathers a chunk's rows with up to s->threads threads (one below 256 KiB); a thread that
 * cannot start leaves its part to this one. */
static void gather_chunk(const clni_stream *s, const gather_part *whole)
{
    size_t bytes = (whole->end - whole->begin) * (whole->row + whole->es);
    size_t n = bytes < ((size_t)256 << 10) ? 1 : s->threads;
    if (n > whole->end - whole->begin)
        n = whole->end - whole->begin;
    if (n <= 1) {
        gather((void *)whole);
        return;
    }
    gather_part parts[64];
    pthread_t ids[64];
    int started[64] = {0};
    size_t rows = whole->end - whole->begin;
    for (size_t t = 0; t < n; t++) {
        parts[t] = *whole;
        parts[t].begin = whole->begin + rows * t / n;
        parts[t].end = whole->begin + rows * (t + 1) / n;
        if (t > 0)
            started[t] = pthread_create(&ids[t], NULL, gather, &parts[t]) == 0;
    }
    gather(&parts[0]);
    for (size_t t = 1; t < n; t++) {
        if (started[t])
            pthread_join(ids[t], NULL);
        else
            gather(&parts[t]);
    }
}

/* Gathers chunk c's rows into a free staging buffer and enqueues its copy to the device. */
static cln_status prepare(clni_stream *s, chunk *c)
{
    cln_context *ctx = s->ctx;
    c->slot = s->next;
    s->next ^= 1;
    slot *sl = &s->slots[c->slot];
    if (sl->copied) { /* the only host wait: the staging buffer's last copy */
        cl_int err = clWaitForEvents(1, &sl->copied);
        release_event(&sl->copied);
        if (err != CL_SUCCESS)
            return clni_cl_fail(ctx, err, "cln_fit: waiting for a streamed chunk's copy");
    }
    size_t d = s->d, es = s->es, row = d * es;
    char *dx = sl->host, *dy = sl->host + s->cap * row;
    gather_part whole = {cln_dataset_host_X(s->data), cln_dataset_host_y(s->data), dx, dy,
                         c->training ? cln_loader_order(s->train) + c->first_pos : NULL,
                         cln_dataset_num_train(s->data) + c->first_pos, 0, c->rows, row, es};
    gather_chunk(s, &whole);

    /* The device chunk is free once the compute queue is past its last use. */
    const char *what = "cln_fit: copying a streamed chunk to the device";
    CLNI_CHECK(clni_enqueue_write(ctx, s->copy, sl->X->buffer, CL_FALSE, 0, c->rows * row, dx,
                                  sl->computed ? 1 : 0, &sl->computed, NULL, what));
    CLNI_CHECK(clni_enqueue_write(ctx, s->copy, sl->y->buffer, CL_FALSE, 0, c->rows * es, dy, 0,
                                  NULL, &sl->copied, what));
    cl_int err = clFlush(s->copy);
    return err == CL_SUCCESS ? CLN_SUCCESS : clni_cl_fail(ctx, err, what);
}

/* Enqueues chunk c's minibatches on the compute queue, after its copy. */
static cln_status run(clni_stream *s, const chunk *c, clni_stream_batch_fn fn, void *user)
{
    cln_context *ctx = s->ctx;
    slot *sl = &s->slots[c->slot];
    CLNI_CHECK(clni_enqueue_barrier(ctx, ctx->queue, 1, &sl->copied,
                                    "cln_fit: waiting for a streamed chunk on the device"));
    const cln_loader *l = c->training ? s->train : s->val;
    for (size_t k = c->first_batch; k < c->first_batch + c->num_batches; k++) {
        size_t first, count;
        cln_loader_batch(l, k, &first, &count);
        CLNI_CHECK(fn(user, c->training, k, sl->X, sl->y, first - c->first_pos, count));
    }
    release_event(&sl->computed);
    const char *what = "cln_fit: marking a streamed chunk done";
    CLNI_CHECK(clni_enqueue_marker(ctx, ctx->queue, &sl->computed, what));
    cl_int err = clFlush(ctx->queue);
    return err == CL_SUCCESS ? CLN_SUCCESS : clni_cl_fail(ctx, err, what);
}

cln_status clni_stream_epoch(clni_stream *s, clni_stream_batch_fn fn, void *user)
{
    chunk cur, next;
    if (!chunk_at(s, 0, &cur))
        return CLN_SUCCESS;
    CLNI_CHECK(prepare(s, &cur));
    for (size_t i = 0;; i++) {
        int more = chunk_at(s, i + 1, &next);
        if (more) /* the next chunk's copy overlaps this one's minibatches */
            CLNI_CHECK(prepare(s, &next));
        CLNI_CHECK(run(s, &cur, fn, user));
        if (!more)
            return CLN_SUCCESS;
        cur = next;
    }
}
