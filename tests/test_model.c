/* The model interface (model.h) as a user meets it:
 *  - a model of the test's own, made with cln_model_create() around the public linreg ops,
 *    trains through cln_fit() to the same bits as the library's linreg on the stepwise path,
 *    with the same history and epoch reports, and the trainer calls its functions as model.h
 *    says (order, batch positions, the loader's order, disjoint result slots);
 *  - AUTO takes the stepwise path for it and the fast paths are refused with a message;
 *  - cln_model_create()'s argument checks, the table's size rules, destroy's calls;
 *  - a function's failure mid-fit comes out of cln_fit() with its status and message, and
 *    cln_fit() returns only once the device is done with the fit's host memory;
 *  - a metric is reported as the rows-weighted mean of the validation batches' values;
 *  - a divergence puts back, through load_params, the parameters of that epoch's start;
 *  - weight decay on every path against a double-precision host replica within a float32
 *    rounding bound derived below, decay 0 identical to no decay, and bad values refused. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static const char *path_name(cln_train_path p)
{
    static const char *names[] = {"auto", "stepwise", "fused", "epoch", "persistent"};
    return names[p];
}

/* ---- a linear regression of the test's own, from the public linreg ops ----------------- */

#define LOG_MAX 2048

/* One call the trainer made of the model. */
typedef struct call {
    char op;                 /* 't' train_batch, 'e' eval_batch, 's' save_params, 'l' load */
    size_t first, count;
    size_t at, metric_at;    /* loss_at (or save_params's at), metric_at */
    const cln_tensor *X, *y;
    int has_loader, has_index, order_ok;
    double lr, weight_decay;
    size_t results_numel;
    cln_dtype results_dtype;
} call;

typedef struct mylin {
    cln_context *ctx;
    cln_linreg *lin;
    cln_tensor *y_hat;       /* predictions of a minibatch, grown as batches need */
    uint64_t seed;           /* the fit's, to check the loader's order against */
    size_t nb_train;         /* training minibatches an epoch, to know the epoch */
    size_t train_calls;
    call log[LOG_MAX];
    size_t n_log;
    int destroyed;
} mylin;

static call *log_call(mylin *m, char op, const cln_batch *batch, const cln_tensor *results,
                      size_t at, size_t metric_at)
{
    assert_true(m->n_log < LOG_MAX);
    call *c = &m->log[m->n_log++];
    memset(c, 0, sizeof *c);
    c->op = op;
    c->at = at;
    c->metric_at = metric_at;
    if (batch) {
        c->first = batch->first;
        c->count = batch->count;
        c->X = batch->X;
        c->y = batch->y;
        c->has_loader = batch->loader != NULL;
        c->has_index = batch->loader && cln_loader_index_buffer(batch->loader) != NULL;
    }
    if (results) {
        c->results_numel = cln_tensor_numel(results);
        c->results_dtype = cln_tensor_dtype(results);
    }
    return c;
}

static cln_status mylin_scratch(mylin *m, size_t count)
{
    if (m->y_hat && cln_tensor_numel(m->y_hat) >= count)
        return CLN_SUCCESS;
    cln_tensor_free(m->y_hat); /* commands already enqueued keep its buffer alive */
    m->y_hat = NULL;
    return cln_tensor_create_1d(m->ctx, cln_linreg_dtype(m->lin), count, &m->y_hat);
}

static cln_status mylin_train(void *self, const cln_batch *batch, const cln_step *step,
                              cln_tensor *results, size_t loss_at)
{
    mylin *m = self;
    call *c = log_call(m, 't', batch, results, loss_at, SIZE_MAX);
    c->lr = step->lr;
    c->weight_decay = step->weight_decay;
    if (batch->loader) { /* the order the rows are read in is the epoch's shuffle */
        size_t n = cln_loader_num_rows(batch->loader), epoch = m->train_calls / m->nb_train;
        uint32_t *want = malloc(n * sizeof *want);
        assert_non_null(want);
        assert_int_equal(cln_shuffle_order(m->seed, epoch, want, n), CLN_SUCCESS);
        const uint32_t *got = cln_loader_order(batch->loader);
        c->order_ok = got && memcmp(got, want, n * sizeof *want) == 0;
        free(want);
    }
    m->train_calls++;
    cln_status st = mylin_scratch(m, batch->count);
    if (st == CLN_SUCCESS)
        st = cln_linreg_forward(m->lin, batch, m->y_hat);
    if (st == CLN_SUCCESS)
        st = cln_linreg_loss(m->lin, batch, m->y_hat, results, loss_at);
    if (st == CLN_SUCCESS)
        st = cln_linreg_backward(m->lin, batch, m->y_hat);
    return st == CLN_SUCCESS ? cln_linreg_step(m->lin, step) : st;
}

static cln_status mylin_eval(void *self, const cln_batch *batch, cln_tensor *results,
                             size_t loss_at, size_t metric_at)
{
    mylin *m = self;
    log_call(m, 'e', batch, results, loss_at, metric_at);
    cln_status st = mylin_scratch(m, batch->count);
    if (st == CLN_SUCCESS)
        st = cln_linreg_forward(m->lin, batch, m->y_hat);
    return st == CLN_SUCCESS ? cln_linreg_loss(m->lin, batch, m->y_hat, results, loss_at) : st;
}

/* w then b into results[at ..], with OpenCL copies on the context's queue. */
static cln_status mylin_save(void *self, cln_tensor *results, size_t at)
{
    mylin *m = self;
    log_call(m, 's', NULL, results, at, SIZE_MAX);
    cl_command_queue q;
    cln_status st = cln_context_cl(m->ctx, NULL, NULL, &q);
    if (st != CLN_SUCCESS)
        return st;
    const cln_tensor *w = cln_linreg_w(m->lin), *b = cln_linreg_b(m->lin);
    size_t es = cln_dtype_size(cln_tensor_dtype(results)), d = cln_linreg_num_inputs(m->lin);
    size_t dst = (cln_tensor_offset(results) + at) * es;
    cl_int err = clEnqueueCopyBuffer(q, cln_tensor_buffer(w), cln_tensor_buffer(results),
                                     cln_tensor_offset(w) * es, dst, d * es, 0, NULL, NULL);
    if (err == CL_SUCCESS)
        err = clEnqueueCopyBuffer(q, cln_tensor_buffer(b), cln_tensor_buffer(results),
                                  cln_tensor_offset(b) * es, dst + d * es, es, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLN_SUCCESS
                             : cln_context_set_error(m->ctx, (cln_status)err,
                                                     "mylin: clEnqueueCopyBuffer: %d", (int)err);
}

static cln_status mylin_load(void *self, const double *params)
{
    mylin *m = self;
    log_call(m, 'l', NULL, NULL, 0, SIZE_MAX);
    return cln_linreg_set(m->lin, params, params[cln_linreg_num_inputs(m->lin)]);
}

static void mylin_destroy(void *self) { ((mylin *)self)->destroyed++; }

static const cln_model_ops mylin_ops = {
    .struct_size = sizeof(cln_model_ops),
    .kind = "mylin",
    .train_batch = mylin_train,
    .eval_batch = mylin_eval,
    .save_params = mylin_save,
    .load_params = mylin_load,
    .destroy = mylin_destroy,
};

/* A mylin around a new linreg of (dtype, d, sigma 0.01, seed). */
static mylin *mylin_make(cln_context *ctx, cln_dtype dtype, size_t d, uint64_t seed,
                         cln_model **model)
{
    mylin *m = calloc(1, sizeof *m);
    assert_non_null(m);
    m->ctx = ctx;
    TU_OK(ctx, cln_linreg_create(ctx, dtype, d, 0.01, seed, &m->lin));
    TU_OK(ctx, cln_model_create(ctx, dtype, d, d + 1, &mylin_ops, m, model));
    return m;
}

/* Frees what mylin_make made: the model (destroy is the count), then the linreg. */
static void mylin_free(mylin *m, cln_model *model)
{
    cln_model_free(model);
    assert_int_equal(m->destroyed, 1);
    cln_tensor_free(m->y_hat);
    cln_linreg_free(m->lin);
    free(m);
}

typedef struct reports {
    cln_epoch_report r[16];
    size_t count;
} reports;

static int record_report(const cln_epoch_report *r, void *user)
{
    reports *s = user;
    assert_true(s->count < 16);
    s->r[s->count++] = *r;
    return 0;
}

static void assert_curves_equal(const cln_curve *a, const cln_curve *b)
{
    assert_int_equal(a->count, b->count);
    if (a->count) {
        assert_memory_equal(a->x, b->x, a->count * sizeof(double));
        assert_memory_equal(a->y, b->y, a->count * sizeof(double));
    }
}

static void assert_same_bits(double a, double b, const char *what, size_t i)
{
    if (memcmp(&a, &b, sizeof a) != 0)
        TU_FAIL("%s %zu: %.17g, the library's linreg %.17g", what, i, a, b);
}

/* What model.h promises of the calls of a fit of `epochs` epochs on data of nt + nv rows on
 * the device, minibatches of bs: per epoch save_params (the start), every training batch in
 * order through the loader that holds the epoch's shuffle, every validation batch in order
 * without one, save_params (the end); loss slots and parameter ranges inside the results and
 * disjoint; the step's lr and weight decay those of the configuration. */
static void check_calls(const mylin *m, const cln_dataset *data, size_t epochs, size_t bs,
                        const cln_trainer_config *cfg, size_t num_params, cln_dtype dtype)
{
    size_t nt = cln_dataset_num_train(data), nv = cln_dataset_num_val(data);
    size_t nbt = (nt + bs - 1) / bs, nbv = (nv + bs - 1) / bs;
    size_t per_epoch = 2 + nbt + nbv;
    assert_int_equal(m->n_log, epochs * per_epoch);
    for (size_t e = 0; e < epochs; e++) {
        const call *c = m->log + e * per_epoch;
        size_t numel = c[0].results_numel;
        unsigned char *used = calloc(numel, 1);
        assert_non_null(used);
        for (size_t i = 0; i < per_epoch; i++) {
            const call *k = &c[i];
            assert_int_equal(k->results_numel, numel); /* one results tensor an epoch */
            assert_int_equal(k->results_dtype, dtype);
            if (i == 0 || i == per_epoch - 1) {
                assert_int_equal(k->op, 's');
                assert_true(k->at + num_params <= numel);
                for (size_t j = k->at; j < k->at + num_params; j++)
                    assert_int_equal(used[j]++, 0);
                continue;
            }
            int training = i <= nbt;
            size_t b = training ? i - 1 : i - 1 - nbt, rows = training ? nt : nv;
            assert_int_equal(k->op, training ? 't' : 'e');
            assert_int_equal(k->first, b * bs);
            assert_int_equal(k->count, rows - b * bs < bs ? rows - b * bs : bs);
            assert_ptr_equal(k->X, training ? cln_dataset_train_X(data) : cln_dataset_val_X(data));
            assert_ptr_equal(k->y, training ? cln_dataset_train_y(data) : cln_dataset_val_y(data));
            assert_int_equal(k->has_loader, training);
            assert_int_equal(k->has_index, training);
            if (training) {
                assert_true(k->order_ok);
                assert_true(k->lr == cfg->lr);
                assert_true(k->weight_decay == cfg->weight_decay);
            } else {
                assert_true(k->metric_at == SIZE_MAX); /* no metric */
            }
            assert_true(k->at < numel);
            assert_int_equal(used[k->at]++, 0);
        }
        free(used);
    }
}

/* Two linregs of the same init, one trained as itself on the stepwise path, one inside a
 * model of the test's own (AUTO): the same parameters to the bit, the same history and
 * epoch reports; on the device (its calls checked) and streamed from host memory. */
static void own_model_matches_linreg(void **state)
{
    cln_context *ctx = *state;
    const size_t d = 3, nt = 103, nv = 17, bs = 10, epochs = 4;
    for (int dt = 0; dt < 2; dt++) {
        cln_dtype dtype = dt ? CLN_FLOAT64 : CLN_FLOAT32;
        if (dtype == CLN_FLOAT64 && !cln_context_device(ctx)->has_float64)
            continue;
        for (int on_host = 0; on_host < 2; on_host++) {
            print_message("%s, rows %s\n", dt ? "float64" : "float32",
                          on_host ? "streamed from the host" : "on the device");
            cln_synthetic_config dc;
            cln_synthetic_config_init(&dc);
            dc.num_inputs = d;
            dc.num_train = nt;
            dc.num_val = nv;
            dc.seed = 7;
            dc.dtype = dtype;
            dc.placement = on_host ? CLN_PLACE_HOST : CLN_PLACE_DEVICE;
            cln_dataset *data;
            TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
            assert_int_equal(cln_dataset_on_host(data), on_host);
            cln_linreg *ref;
            TU_OK(ctx, cln_linreg_create(ctx, dtype, d, 0.01, 21, &ref));
            cln_model *own;
            mylin *m = mylin_make(ctx, dtype, d, 21, &own);
            double w_ref[3], b_ref, w[3], b;
            TU_OK(ctx, cln_linreg_get(ref, w_ref, &b_ref));
            TU_OK(ctx, cln_linreg_get(m->lin, w, &b));
            assert_memory_equal(w, w_ref, sizeof w); /* the same start */

            cln_trainer_config cfg;
            cln_trainer_config_init(&cfg);
            cfg.batch_size = bs;
            cfg.max_epochs = epochs;
            cfg.seed = 5;
            cfg.weight_decay = 0.25; /* reaches the model's step too */
            cfg.stream_chunk_bytes = 3 * bs * (d + 1) * cln_dtype_size(dtype); /* 3 batches */
            cfg.on_epoch = record_report;
            reports r_ref = {0}, r_own = {0};
            cln_history h_ref, h_own;
            cfg.path = CLN_PATH_STEPWISE;
            cfg.user = &r_ref;
            TU_OK(ctx, cln_fit(cln_linreg_model(ref), data, &cfg, &h_ref));
            cfg.path = CLN_PATH_AUTO;
            cfg.user = &r_own;
            m->seed = cfg.seed;
            m->nb_train = (nt + bs - 1) / bs;
            TU_OK(ctx, cln_fit(own, data, &cfg, &h_own));

            assert_int_equal(h_ref.path, CLN_PATH_STEPWISE);
            assert_int_equal(h_own.path, CLN_PATH_STEPWISE);
            assert_int_equal(h_own.epochs, epochs);
            assert_int_equal(h_own.epochs, h_ref.epochs);
            assert_int_equal(h_own.updates, epochs * m->nb_train);
            assert_int_equal(h_own.updates, h_ref.updates);
            assert_curves_equal(&h_own.train_loss, &h_ref.train_loss);
            assert_curves_equal(&h_own.val_loss, &h_ref.val_loss);
            assert_int_equal(h_own.val_metric.count, 0);
            assert_int_equal(h_ref.val_metric.count, 0);
            assert_true(h_own.train_loss.count > 0 && h_own.val_loss.count == epochs);

            assert_int_equal(r_own.count, epochs);
            assert_int_equal(r_ref.count, epochs);
            for (size_t e = 0; e < epochs; e++) {
                const cln_epoch_report *a = &r_own.r[e], *x = &r_ref.r[e];
                assert_int_equal(a->epoch, e);
                assert_int_equal(a->epoch, x->epoch);
                assert_int_equal(a->max_epochs, x->max_epochs);
                assert_int_equal(a->batches, x->batches);
                assert_int_equal(a->examples, x->examples);
                assert_same_bits(a->train_loss, x->train_loss, "epoch's train loss", e);
                assert_same_bits(a->val_loss, x->val_loss, "epoch's validation loss", e);
                assert_true(isnan(a->val_metric) && isnan(x->val_metric));
                assert_null(a->metric_name);
                assert_null(x->metric_name);
            }
            TU_OK(ctx, cln_linreg_get(ref, w_ref, &b_ref));
            TU_OK(ctx, cln_linreg_get(m->lin, w, &b));
            for (size_t j = 0; j < d; j++)
                assert_same_bits(w[j], w_ref[j], "w", j);
            assert_same_bits(b, b_ref, "b", 0);
            assert_false(b == 0); /* it trained */
            if (!on_host) {
                check_calls(m, data, epochs, bs, &cfg, d + 1, dtype);
            } else { /* chunks of rows, in gathered order: no loader; lr and decay as set */
                assert_int_equal(m->n_log, epochs * (2 + m->nb_train + (nv + bs - 1) / bs));
                for (size_t i = 0; i < m->n_log; i++) {
                    const call *c = &m->log[i];
                    assert_int_equal(c->has_loader, 0);
                    if (c->op == 't')
                        assert_true(c->lr == cfg.lr && c->weight_decay == cfg.weight_decay);
                }
            }
            cln_history_free(&h_ref);
            cln_history_free(&h_own);
            mylin_free(m, own);
            cln_linreg_free(ref);
            cln_dataset_free(data);
        }
    }
}

/* AUTO takes the stepwise path for a model of one's own; the fused and whole-epoch paths
 * are refused before anything runs, with a message naming the model's kind. */
static void own_model_is_stepwise_only(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = 50;
    dc.num_val = 10;
    cln_dataset *data;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    cln_model *own;
    mylin *m = mylin_make(ctx, CLN_FLOAT32, 2, 3, &own);
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.max_epochs = 1;
    m->nb_train = 2;
    cln_history h;
    TU_OK(ctx, cln_fit(own, data, &cfg, &h));
    assert_int_equal(h.path, CLN_PATH_STEPWISE);
    assert_int_equal(h.epochs, 1);
    cln_history_free(&h);
    double w0[2], b0, w[2], b;
    TU_OK(ctx, cln_linreg_get(m->lin, w0, &b0));
    const cln_train_path fast[] = {CLN_PATH_FUSED, CLN_PATH_EPOCH, CLN_PATH_PERSISTENT};
    for (size_t i = 0; i < 3; i++) {
        size_t calls = m->n_log;
        cfg.path = fast[i];
        TU_FAILS(ctx, CLN_ERR_UNSUPPORTED, "stepwise path only", cln_fit(own, data, &cfg, &h));
        assert_non_null(strstr(cln_last_error(ctx), "mylin"));
        assert_int_equal(m->n_log, calls); /* nothing of the model ran */
        assert_int_equal(h.epochs, 0);
        assert_int_equal(h.train_loss.count, 0);
        cln_history_free(&h);
    }
    TU_OK(ctx, cln_linreg_get(m->lin, w, &b));
    assert_memory_equal(w, w0, sizeof w);
    assert_true(b == b0);
    mylin_free(m, own);
    cln_dataset_free(data);
}

/* ---- cln_model_create() ------------------------------------------------------------------ */

static cln_status dummy_train(void *self, const cln_batch *batch, const cln_step *step,
                              cln_tensor *results, size_t loss_at)
{
    (void)self; (void)batch; (void)step; (void)results; (void)loss_at;
    return CLN_SUCCESS;
}
static cln_status dummy_eval(void *self, const cln_batch *batch, cln_tensor *results,
                             size_t loss_at, size_t metric_at)
{
    (void)self; (void)batch; (void)results; (void)loss_at; (void)metric_at;
    return CLN_SUCCESS;
}
static cln_status dummy_save(void *self, cln_tensor *results, size_t at)
{
    (void)self; (void)results; (void)at;
    return CLN_SUCCESS;
}
static cln_status dummy_load(void *self, const double *params)
{
    (void)self; (void)params;
    return CLN_SUCCESS;
}
static void count_destroy(void *self) { (*(int *)self)++; }

static const cln_model_ops dummy_ops = {
    .struct_size = sizeof(cln_model_ops),
    .kind = "dummy",
    .metric_name = "hits",
    .train_batch = dummy_train,
    .eval_batch = dummy_eval,
    .save_params = dummy_save,
    .load_params = dummy_load,
    .destroy = count_destroy,
};

/* What a context believes of its device, lowered to simulate one without float64 (as
 * tests/test_errors.c does: cln_context_device() returns the context's own copy). */
static cln_device_info *device_of(cln_context *ctx)
{
    return (cln_device_info *)cln_context_device(ctx);
}

static void create_checks_arguments(void **state)
{
    cln_context *ctx = *state;
    size_t live = cln_context_live_objects(ctx);
    int destroyed = 0;
    cln_model *m = (cln_model *)&destroyed; /* not NULL: a failure must set it to NULL */
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "ctx is NULL",
             cln_model_create(NULL, CLN_FLOAT32, 1, 1, &dummy_ops, &destroyed, &m));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "out is NULL",
             cln_model_create(ctx, CLN_FLOAT32, 1, 1, &dummy_ops, &destroyed, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "ops is NULL",
             cln_model_create(ctx, CLN_FLOAT32, 1, 1, NULL, &destroyed, &m));
    assert_null(m);

    /* each required member */
    static const char *const required[] = {"kind", "train_batch", "eval_batch", "save_params",
                                           "load_params"};
    for (size_t i = 0; i < 5; i++) {
        cln_model_ops ops = dummy_ops;
        switch (i) {
        case 0: ops.kind = NULL; break;
        case 1: ops.train_batch = NULL; break;
        case 2: ops.eval_batch = NULL; break;
        case 3: ops.save_params = NULL; break;
        default: ops.load_params = NULL; break;
        }
        char needle[64];
        snprintf(needle, sizeof needle, "ops->%s is NULL", required[i]);
        m = (cln_model *)&destroyed;
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, needle,
                 cln_model_create(ctx, CLN_FLOAT32, 1, 1, &ops, &destroyed, &m));
        assert_null(m);
    }
    /* the optional ones may be NULL */
    cln_model_ops optional = dummy_ops;
    optional.metric_name = NULL;
    optional.check_data = NULL;
    optional.destroy = NULL;
    TU_OK(ctx, cln_model_create(ctx, CLN_FLOAT32, 1, 1, &optional, NULL, &m));
    assert_null(cln_model_metric_name(m));
    cln_model_free(m);

    /* struct_size: too small to hold even kind; a table that ends before a required member
     * lacks it, whatever lies past its end; one that ends before destroy has none */
    const size_t too_small[] = {0, sizeof(size_t), offsetof(cln_model_ops, kind) + 1};
    for (size_t i = 0; i < 3; i++) {
        cln_model_ops ops = dummy_ops;
        ops.struct_size = too_small[i];
        m = (cln_model *)&destroyed;
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "struct_size",
                 cln_model_create(ctx, CLN_FLOAT32, 1, 1, &ops, &destroyed, &m));
        assert_null(m);
    }
    const struct {
        size_t size;
        const char *missing;
    } cut[] = {{offsetof(cln_model_ops, metric_name), "ops->train_batch is NULL"},
               {offsetof(cln_model_ops, train_batch), "ops->train_batch is NULL"},
               {offsetof(cln_model_ops, eval_batch), "ops->eval_batch is NULL"},
               {offsetof(cln_model_ops, save_params), "ops->save_params is NULL"},
               {offsetof(cln_model_ops, load_params), "ops->load_params is NULL"}};
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        cln_model_ops ops = dummy_ops;
        ops.struct_size = cut[i].size;
        m = (cln_model *)&destroyed;
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, cut[i].missing,
                 cln_model_create(ctx, CLN_FLOAT32, 1, 1, &ops, &destroyed, &m));
        assert_null(m);
    }
    {
        cln_model_ops old = dummy_ops; /* an older caller's table, without destroy */
        old.struct_size = offsetof(cln_model_ops, destroy);
        TU_OK(ctx, cln_model_create(ctx, CLN_FLOAT32, 1, 1, &old, &destroyed, &m));
        assert_string_equal(cln_model_kind(m), "dummy");
        cln_model_free(m);
        assert_int_equal(destroyed, 0); /* the member past its size is not read */
    }
    assert_int_equal(destroyed, 0); /* no failure above called destroy */

    /* a table from a newer clnum: members this library does not know, which must be 0 */
    struct {
        cln_model_ops ops;
        unsigned char extra[24];
    } newer;
    memset(&newer, 0, sizeof newer);
    newer.ops = dummy_ops;
    newer.ops.struct_size = sizeof newer;
    newer.extra[sizeof newer.extra - 1] = 1;
    m = (cln_model *)&destroyed;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "newer",
             cln_model_create(ctx, CLN_FLOAT32, 1, 1, &newer.ops, &destroyed, &m));
    assert_null(m);
    newer.extra[sizeof newer.extra - 1] = 0;
    newer.extra[0] = 0x80;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "newer",
             cln_model_create(ctx, CLN_FLOAT32, 1, 1, &newer.ops, &destroyed, &m));
    newer.extra[0] = 0;
    TU_OK(ctx, cln_model_create(ctx, CLN_FLOAT32, 2, 3, &newer.ops, &destroyed, &m));
    assert_string_equal(cln_model_kind(m), "dummy");
    assert_int_equal(cln_model_num_params(m), 3);
    cln_model_free(m);
    assert_int_equal(destroyed, 1);
    destroyed = 0;

    /* sizes and dtype */
    m = (cln_model *)&destroyed;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "0 parameters",
             cln_model_create(ctx, CLN_FLOAT32, 1, 0, &dummy_ops, &destroyed, &m));
    assert_null(m);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "0 inputs",
             cln_model_create(ctx, CLN_FLOAT32, 0, 1, &dummy_ops, &destroyed, &m));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "unknown dtype",
             cln_model_create(ctx, (cln_dtype)2, 1, 1, &dummy_ops, &destroyed, &m));
    assert_null(m);
    assert_int_equal(destroyed, 0);
    assert_int_equal(cln_context_live_objects(ctx), live); /* no failure left an object */

    /* float64: refused on a device without it (simulated), taken on one with it */
    cln_context *no64;
    TU_OK(NULL, cln_context_create(NULL, &no64));
    device_of(no64)->has_float64 = 0;
    m = (cln_model *)&destroyed;
    TU_FAILS(no64, CLN_ERR_NO_FLOAT64, "float64",
             cln_model_create(no64, CLN_FLOAT64, 1, 1, &dummy_ops, &destroyed, &m));
    assert_null(m);
    assert_int_equal(cln_context_live_objects(no64), 0);
    TU_OK(no64, cln_model_create(no64, CLN_FLOAT32, 1, 1, &dummy_ops, &destroyed, &m));
    cln_model_free(m);
    cln_context_free(no64);
    assert_int_equal(destroyed, 1);
    destroyed = 0;
    if (cln_context_device(ctx)->has_float64) {
        TU_OK(ctx, cln_model_create(ctx, CLN_FLOAT64, 4, 5, &dummy_ops, &destroyed, &m));
        assert_int_equal(cln_model_dtype(m), CLN_FLOAT64);
        cln_model_free(m);
        assert_int_equal(destroyed, 1);
        destroyed = 0;
    }
}

/* destroy runs exactly once: by cln_model_free() or by the context's free; the accessors;
 * the library's models' views are not freed by cln_model_free(). */
static void destroy_once(void **state)
{
    cln_context *ctx = *state;
    size_t live = cln_context_live_objects(ctx);
    int destroyed = 0;
    cln_model *m;
    TU_OK(ctx, cln_model_create(ctx, CLN_FLOAT32, 4, 7, &dummy_ops, &destroyed, &m));
    assert_int_equal(cln_context_live_objects(ctx), live + 1);
    assert_ptr_equal(cln_model_context(m), ctx);
    assert_int_equal(cln_model_dtype(m), CLN_FLOAT32);
    assert_int_equal(cln_model_num_inputs(m), 4);
    assert_int_equal(cln_model_num_params(m), 7);
    assert_string_equal(cln_model_kind(m), "dummy");
    assert_string_equal(cln_model_metric_name(m), "hits");
    cln_model_free(m);
    assert_int_equal(destroyed, 1);
    assert_int_equal(cln_context_live_objects(ctx), live);
    cln_model_free(NULL);
    assert_null(cln_model_context(NULL));
    assert_int_equal(cln_model_num_inputs(NULL), 0);
    assert_int_equal(cln_model_num_params(NULL), 0);
    assert_string_equal(cln_model_kind(NULL), "");
    assert_null(cln_model_metric_name(NULL));

    /* the context frees what is left, each destroy once, and none twice */
    int a = 0, b = 0, c = 0;
    cln_context *other;
    TU_OK(NULL, cln_context_create(NULL, &other));
    cln_model *ma, *mb, *mc;
    TU_OK(other, cln_model_create(other, CLN_FLOAT32, 1, 1, &dummy_ops, &a, &ma));
    TU_OK(other, cln_model_create(other, CLN_FLOAT32, 1, 1, &dummy_ops, &b, &mb));
    TU_OK(other, cln_model_create(other, CLN_FLOAT32, 1, 1, &dummy_ops, &c, &mc));
    assert_int_equal(cln_context_live_objects(other), 3);
    cln_model_free(mb); /* one freed by hand first */
    assert_int_equal(b, 1);
    assert_int_equal(cln_context_live_objects(other), 2);
    cln_context_free(other);
    assert_int_equal(a, 1);
    assert_int_equal(b, 1);
    assert_int_equal(c, 1);
    (void)ma; (void)mc;

    /* the linreg's view: cln_model_free() leaves it, and the linreg, alone */
    cln_linreg *lin;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 3, 0.01, 1, &lin));
    live = cln_context_live_objects(ctx);
    cln_model *view = cln_linreg_model(lin);
    assert_non_null(view);
    assert_ptr_equal(cln_linreg_model(lin), view);
    assert_string_equal(cln_model_kind(view), "linreg");
    assert_int_equal(cln_model_num_params(view), 4);
    assert_int_equal(cln_model_num_inputs(view), 3);
    assert_ptr_equal(cln_model_context(view), ctx);
    assert_null(cln_model_metric_name(view));
    cln_model_free(view);
    cln_model_free(view);
    assert_int_equal(cln_context_live_objects(ctx), live);
    double w[3], bias;
    TU_OK(ctx, cln_linreg_get(lin, w, &bias));
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_inputs = 3;
    dc.num_train = 40;
    dc.num_val = 0;
    cln_dataset *data;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.max_epochs = 1;
    TU_OK(ctx, cln_fit(view, data, &cfg, NULL)); /* the view still trains */
    cln_dataset_free(data);
    cln_linreg_free(lin);
    assert_null(cln_linreg_model(NULL));
}

/* ---- a scripted model: its own OpenCL kernels write what the test chooses --------------- */

static const char scripted_source[] =
    "kernel void scripted_train(global float *p, global float *r, ulong at, float loss,\n"
    "                           int poison)\n"
    "{\n"
    "    p[0] = poison ? INFINITY : p[0] + 1.0f;\n"
    "    p[1] = p[1] - 2.0f;\n"
    "    r[at] = loss;\n"
    "}\n"
    "kernel void scripted_put(global float *r, ulong at, float v) { r[at] = v; }\n";

enum { SCRIPTED_PARAMS = 2 };
static const float scripted_start[SCRIPTED_PARAMS] = {0.0f, 100.0f};

typedef struct scripted {
    cln_context *ctx;
    cl_command_queue queue;
    cl_program program;
    cl_kernel k_train, k_put;
    cl_mem p;                 /* the parameters: p0 counts the steps, p1 = 100 - 2 steps */
    size_t nb_train, nb_val;  /* minibatches an epoch */
    size_t train_calls, eval_calls, save_calls, load_calls;
    /* a failure: the call (1-based) of each function that fails, 0 for none */
    size_t fail_train, fail_eval, fail_save, fail_load;
    int fail_check;
    /* a divergence: the loss of training batch (inf_epoch, inf_batch) is inf, or of
     * validation batch inf_val_batch of inf_epoch is NaN, or p0 becomes inf in the last
     * training step of inf_epoch (poison_param) */
    size_t inf_epoch, inf_batch, inf_val_batch;
    int poison_param;
    double loaded[SCRIPTED_PARAMS];
    cl_event last_save;       /* the last save_params's copy */
    size_t metric_ats[64], n_metric_ats, loss_ats[64], n_loss_ats;
    int destroyed;
} scripted;

static const double metric_base[3] = {0.25, 0.5, 4.0}; /* validation batch k, plus the epoch */

static cln_status cl_fail(scripted *s, cl_int err, const char *what)
{
    return cln_context_set_error(s->ctx, (cln_status)err, "scripted: %s: %d", what, (int)err);
}

static cln_status put(scripted *s, cln_tensor *results, size_t at, float v)
{
    cl_mem buf = cln_tensor_buffer(results);
    cl_ulong where = cln_tensor_offset(results) + at;
    cl_int err = clSetKernelArg(s->k_put, 0, sizeof buf, &buf);
    err |= clSetKernelArg(s->k_put, 1, sizeof where, &where);
    err |= clSetKernelArg(s->k_put, 2, sizeof v, &v);
    if (err != CL_SUCCESS)
        return cl_fail(s, err, "clSetKernelArg");
    size_t one = 1;
    err = clEnqueueNDRangeKernel(s->queue, s->k_put, 1, NULL, &one, NULL, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLN_SUCCESS : cl_fail(s, err, "scripted_put");
}

static cln_status scripted_check(void *self, const cln_dataset *data)
{
    scripted *s = self;
    if (s->fail_check)
        return cln_context_set_error(s->ctx, CLN_ERR_BAD_ARGUMENT,
                                     "scripted: %zu rows are not the data it wants",
                                     cln_dataset_num_train(data));
    return CLN_SUCCESS;
}

static cln_status scripted_train(void *self, const cln_batch *batch, const cln_step *step,
                                 cln_tensor *results, size_t loss_at)
{
    (void)batch; (void)step;
    scripted *s = self;
    size_t nth = ++s->train_calls, epoch = (nth - 1) / s->nb_train, k = (nth - 1) % s->nb_train;
    if (nth == s->fail_train)
        return cln_context_set_error(s->ctx, CLN_ERR_IO,
                                     "scripted: training call %zu of epoch %zu failed", nth, epoch);
    if (s->n_loss_ats < 64)
        s->loss_ats[s->n_loss_ats++] = loss_at;
    float loss = epoch == s->inf_epoch && k == s->inf_batch ? INFINITY : 1.0f + 0.125f * (float)k;
    cl_int poison = s->poison_param && epoch == s->inf_epoch && k == s->nb_train - 1;
    cl_mem buf = cln_tensor_buffer(results);
    cl_ulong where = cln_tensor_offset(results) + loss_at;
    cl_int err = clSetKernelArg(s->k_train, 0, sizeof s->p, &s->p);
    err |= clSetKernelArg(s->k_train, 1, sizeof buf, &buf);
    err |= clSetKernelArg(s->k_train, 2, sizeof where, &where);
    err |= clSetKernelArg(s->k_train, 3, sizeof loss, &loss);
    err |= clSetKernelArg(s->k_train, 4, sizeof poison, &poison);
    if (err != CL_SUCCESS)
        return cl_fail(s, err, "clSetKernelArg");
    size_t one = 1;
    err = clEnqueueNDRangeKernel(s->queue, s->k_train, 1, NULL, &one, NULL, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLN_SUCCESS : cl_fail(s, err, "scripted_train");
}

static cln_status scripted_eval(void *self, const cln_batch *batch, cln_tensor *results,
                                size_t loss_at, size_t metric_at)
{
    (void)batch;
    scripted *s = self;
    size_t nth = ++s->eval_calls, epoch = (nth - 1) / s->nb_val, k = (nth - 1) % s->nb_val;
    if (nth == s->fail_eval)
        return cln_context_set_error(s->ctx, CLN_ERR_SHAPE_MISMATCH,
                                     "scripted: validation call %zu failed", nth);
    if (s->n_loss_ats < 64)
        s->loss_ats[s->n_loss_ats++] = loss_at;
    float loss = epoch == s->inf_epoch && k == s->inf_val_batch ? NAN : 0.5f;
    cln_status st = put(s, results, loss_at, loss);
    if (st == CLN_SUCCESS && metric_at != SIZE_MAX) {
        if (s->n_metric_ats < 64)
            s->metric_ats[s->n_metric_ats++] = metric_at;
        st = put(s, results, metric_at, (float)(metric_base[k % 3] + (double)epoch));
    }
    return st;
}

static cln_status scripted_save(void *self, cln_tensor *results, size_t at)
{
    scripted *s = self;
    if (++s->save_calls == s->fail_save)
        return cln_context_set_error(s->ctx, (cln_status)CL_OUT_OF_RESOURCES,
                                     "scripted: save %zu ran out of resources", s->save_calls);
    if (s->last_save)
        clReleaseEvent(s->last_save);
    s->last_save = NULL;
    cl_int err = clEnqueueCopyBuffer(s->queue, s->p, cln_tensor_buffer(results), 0,
                                     (cln_tensor_offset(results) + at) * sizeof(float),
                                     SCRIPTED_PARAMS * sizeof(float), 0, NULL, &s->last_save);
    return err == CL_SUCCESS ? CLN_SUCCESS : cl_fail(s, err, "clEnqueueCopyBuffer");
}

static cln_status scripted_load(void *self, const double *params)
{
    scripted *s = self;
    if (++s->load_calls == s->fail_load)
        return cln_context_set_error(s->ctx, CLN_ERR_NOT_FINITE, "scripted: load %zu refused",
                                     s->load_calls);
    float v[SCRIPTED_PARAMS];
    for (size_t j = 0; j < SCRIPTED_PARAMS; j++) {
        s->loaded[j] = params[j];
        v[j] = (float)params[j];
    }
    cl_int err = clEnqueueWriteBuffer(s->queue, s->p, CL_TRUE, 0, sizeof v, v, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLN_SUCCESS : cl_fail(s, err, "clEnqueueWriteBuffer");
}

/* Releases the OpenCL objects it made itself: nothing of clnum's (the context may have freed
 * those already when it calls this). */
static void scripted_destroy(void *self)
{
    scripted *s = self;
    s->destroyed++;
    if (s->last_save)
        clReleaseEvent(s->last_save);
    clReleaseMemObject(s->p);
    clReleaseKernel(s->k_train);
    clReleaseKernel(s->k_put);
    clReleaseProgram(s->program);
    s->p = NULL;
}

static const cln_model_ops scripted_ops = {
    .struct_size = sizeof(cln_model_ops),
    .kind = "scripted",
    .check_data = scripted_check,
    .train_batch = scripted_train,
    .eval_batch = scripted_eval,
    .save_params = scripted_save,
    .load_params = scripted_load,
    .destroy = scripted_destroy,
};

static const cln_model_ops scripted_metric_ops = {
    .struct_size = sizeof(cln_model_ops),
    .kind = "scripted",
    .metric_name = "score",
    .check_data = scripted_check,
    .train_batch = scripted_train,
    .eval_batch = scripted_eval,
    .save_params = scripted_save,
    .load_params = scripted_load,
    .destroy = scripted_destroy,
};

/* A scripted model (one input) and data of nt + nv rows of zeros, minibatches of bs. */
static scripted *scripted_make(cln_context *ctx, const cln_model_ops *ops, size_t nt, size_t nv,
                               size_t bs, cln_model **model, cln_dataset **data)
{
    scripted *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->ctx = ctx;
    s->nb_train = (nt + bs - 1) / bs;
    s->nb_val = (nv + bs - 1) / bs;
    s->inf_epoch = s->inf_batch = s->inf_val_batch = SIZE_MAX;
    cl_context cl;
    cl_device_id dev;
    TU_OK(ctx, cln_context_cl(ctx, &cl, &dev, &s->queue));
    const char *src = scripted_source;
    cl_int err;
    s->program = clCreateProgramWithSource(cl, 1, &src, NULL, &err);
    assert_int_equal(err, CL_SUCCESS);
    err = clBuildProgram(s->program, 1, &dev, "", NULL, NULL);
    if (err != CL_SUCCESS) {
        char log[4096] = "";
        clGetProgramBuildInfo(s->program, dev, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log, NULL);
        TU_FAIL("scripted kernels: build error %d: %s", (int)err, log);
    }
    s->k_train = clCreateKernel(s->program, "scripted_train", &err);
    assert_int_equal(err, CL_SUCCESS);
    s->k_put = clCreateKernel(s->program, "scripted_put", &err);
    assert_int_equal(err, CL_SUCCESS);
    s->p = clCreateBuffer(cl, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof scripted_start,
                          (void *)scripted_start, &err);
    assert_int_equal(err, CL_SUCCESS);
    TU_OK(ctx, cln_model_create(ctx, CLN_FLOAT32, 1, SCRIPTED_PARAMS, ops, s, model));
    double *zeros = calloc(nt + nv, sizeof *zeros);
    assert_non_null(zeros);
    TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, zeros, zeros, nt + nv, 1, nt, data));
    free(zeros);
    return s;
}

static void scripted_params(scripted *s, double *out)
{
    float v[SCRIPTED_PARAMS];
    assert_int_equal(clEnqueueReadBuffer(s->queue, s->p, CL_TRUE, 0, sizeof v, v, 0, NULL, NULL),
                     CL_SUCCESS);
    for (size_t j = 0; j < SCRIPTED_PARAMS; j++)
        out[j] = v[j];
}

static void scripted_free(scripted *s, cln_model *model, cln_dataset *data)
{
    cln_model_free(model);
    assert_int_equal(s->destroyed, 1);
    cln_dataset_free(data);
    free(s);
}

static void scripted_reset(scripted *s)
{
    s->train_calls = s->eval_calls = s->save_calls = s->load_calls = 0;
    s->fail_train = s->fail_eval = s->fail_save = s->fail_load = 0;
    s->fail_check = 0;
    s->n_metric_ats = s->n_loss_ats = 0;
    assert_int_equal(clEnqueueWriteBuffer(s->queue, s->p, CL_TRUE, 0, sizeof scripted_start,
                                          scripted_start, 0, NULL, NULL),
                     CL_SUCCESS);
}

static int stop_at_once(const cln_epoch_report *r, void *user)
{
    (void)r; (void)user;
    return 1;
}

/* After cln_fit() has returned, every command the model enqueued has run (in an in-order
 * queue, so have the trainer's before it): the trainer must drain the queue before it frees
 * the host memory that its pending reads of an epoch's results write into and that its
 * uploads of the row order read from. When not, this waits for the queue (a marker, which
 * works where clFinish does not) and fails. */
static void assert_queue_drained(scripted *s, const char *what)
{
    if (!s->last_save)
        return;
    cl_int status = -1;
    assert_int_equal(clGetEventInfo(s->last_save, CL_EVENT_COMMAND_EXECUTION_STATUS,
                                    sizeof status, &status, NULL),
                     CL_SUCCESS);
    if (status == CL_COMPLETE)
        return;
    cl_event marker;
    if (clEnqueueMarkerWithWaitList(s->queue, 0, NULL, &marker) == CL_SUCCESS) {
        clWaitForEvents(1, &marker);
        clReleaseEvent(marker);
    }
    TU_FAIL("%s: cln_fit() returned with the model's last save_params not yet run "
            "(execution status %d): the fit freed its host memory while commands before it were "
            "pending (the upload of the row order from that memory; once an epoch has gone to "
            "the device, the read of its results into it); the driver's clFinish did not wait",
            what, (int)status);
}

typedef struct failure_case {
    const char *what;
    cln_status status;
    const char *message;
} failure_case;

/* Fits the scripted model with the i-th failure of `cases` set by `arm`: cln_fit() returns
 * its status and message, then the model trains again as if nothing had happened. */
static void check_failures(cln_context *ctx, const failure_case *cases, size_t n,
                           void (*arm)(scripted *s, cln_trainer_config *cfg, size_t i))
{
    cln_model *model;
    cln_dataset *data;
    scripted *s = scripted_make(ctx, &scripted_ops, 30, 20, 10, &model, &data);
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.batch_size = 10;
    cfg.max_epochs = 3;
    for (size_t i = 0; i < n; i++) {
        scripted_reset(s);
        cfg.on_epoch = NULL;
        arm(s, &cfg, i);
        cln_history h;
        cln_status st = cln_fit(model, data, &cfg, &h);
        print_message("%s fails: %s (%d): %s\n", cases[i].what, cln_status_str(st), (int)st,
                      cln_last_error(ctx));
        assert_int_equal(st, cases[i].status);
        assert_string_equal(cln_last_error(ctx), cases[i].message);
        assert_string_equal(cln_last_error(NULL), cases[i].message); /* copied there too */
        assert_true(h.epochs < cfg.max_epochs);
        if (strcmp(cases[i].what, "check_data") == 0)
            assert_int_equal(s->train_calls + s->eval_calls + s->save_calls, 0);
        assert_queue_drained(s, cases[i].what);
        cln_history_free(&h);
    }
    scripted_reset(s); /* nothing stale is left: the next fit runs */
    cfg.on_epoch = NULL;
    cln_history h;
    TU_OK(ctx, cln_fit(model, data, &cfg, &h));
    assert_int_equal(h.epochs, 3);
    assert_int_equal(s->train_calls, 9);
    double p[SCRIPTED_PARAMS];
    scripted_params(s, p);
    assert_true(p[0] == 9 && p[1] == 100 - 18);
    cln_history_free(&h);
    scripted_free(s, model, data);
}

static void arm_failure(scripted *s, cln_trainer_config *cfg, size_t i)
{
    switch (i) {
    case 0: s->fail_check = 1; break;
    case 1: s->fail_train = 2; break; /* epoch 0, batch 1: before anything is flushed */
    case 2: s->fail_eval = 2; break;  /* epoch 0, validation batch 1 */
    case 3: s->fail_train = 5; break; /* epoch 1, batch 1: epoch 0 is on the device */
    case 4: s->fail_save = 4; break;  /* epoch 1's end */
    default: s->fail_load = 1; cfg->on_epoch = stop_at_once; break; /* the stop's restore */
    }
}

/* A function of the model that fails (check_data before anything; the others while the first
 * epoch is enqueued or once it has gone to the device, epoch 1 being enqueued while epoch 0's
 * results are read back; load_params in the restore of a stop): cln_fit() returns its status
 * and its message (cln_context_set_error()), returns only once the device is done with the
 * fit's host memory, and the model trains again afterwards. Last in main(): where a driver's
 * clFinish does not wait, the fit's pending reads write into freed memory, which could bring
 * down the tests after it. */
static void model_failures_come_out(void **state)
{
    const failure_case cases[] = {
        {"check_data", CLN_ERR_BAD_ARGUMENT, "scripted: 30 rows are not the data it wants"},
        {"train_batch", CLN_ERR_IO, "scripted: training call 2 of epoch 0 failed"},
        {"eval_batch", CLN_ERR_SHAPE_MISMATCH, "scripted: validation call 2 failed"},
        {"train_batch", CLN_ERR_IO, "scripted: training call 5 of epoch 1 failed"},
        {"save_params", (cln_status)CL_OUT_OF_RESOURCES, "scripted: save 4 ran out of resources"},
        {"load_params", CLN_ERR_NOT_FINITE, "scripted: load 1 refused"},
    };
    check_failures(*state, cases, sizeof cases / sizeof cases[0], arm_failure);
}

/* A model with a metric: the report's and the history's val_metric are each epoch's
 * validation batches' values weighted by their rows (23 rows: batches of 10, 10 and 3). */
static void metric_is_rows_weighted(void **state)
{
    cln_context *ctx = *state;
    const size_t nt = 30, nv = 23, bs = 10, epochs = 3;
    cln_model *model;
    cln_dataset *data;
    scripted *s = scripted_make(ctx, &scripted_metric_ops, nt, nv, bs, &model, &data);
    assert_string_equal(cln_model_metric_name(model), "score");
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.batch_size = bs;
    cfg.max_epochs = epochs;
    reports r = {0};
    cfg.on_epoch = record_report;
    cfg.user = &r;
    cln_history h;
    TU_OK(ctx, cln_fit(model, data, &cfg, &h));
    assert_int_equal(r.count, epochs);
    assert_int_equal(h.val_metric.count, epochs);
    const size_t rows[3] = {10, 10, 3};
    for (size_t e = 0; e < epochs; e++) {
        double sum = 0, plain = 0;
        for (size_t k = 0; k < 3; k++) {
            sum += (metric_base[k] + (double)e) * (double)rows[k];
            plain += (metric_base[k] + (double)e) / 3;
        }
        double want = sum / (double)nv;
        assert_true(fabs(want - plain) > 0.5); /* an unweighted mean would be caught */
        print_message("epoch %zu: %s %.6f (unweighted %.6f)\n", e, r.r[e].metric_name,
                      r.r[e].val_metric, plain);
        assert_string_equal(r.r[e].metric_name, "score");
        if (!(fabs(r.r[e].val_metric - want) <= 4 * DBL_EPSILON * want))
            TU_FAIL("epoch %zu: val_metric %.17g, want %.17g", e, r.r[e].val_metric, want);
        assert_true(h.val_metric.x[e] == (double)(e + 1));
        assert_true(h.val_metric.y[e] == r.r[e].val_metric);
        assert_true(r.r[e].val_loss == 0.5);
        assert_true(r.r[e].train_loss == 1.125); /* mean of 1, 1.125, 1.25 */
    }
    /* the metric's slots: one per validation batch, none shared with a loss */
    assert_int_equal(s->n_metric_ats, epochs * 3);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < s->n_loss_ats; j++)
            if (s->metric_ats[i] == s->loss_ats[j])
                TU_FAIL("metric slot %zu is also loss slot %zu", s->metric_ats[i], s->loss_ats[j]);
    assert_true(s->metric_ats[0] != s->metric_ats[1] && s->metric_ats[1] != s->metric_ats[2] &&
                s->metric_ats[0] != s->metric_ats[2]);
    cln_history_free(&h);
    scripted_free(s, model, data);

    /* without validation rows: NaN and no points, the name still reported */
    s = scripted_make(ctx, &scripted_metric_ops, nt, 0, bs, &model, &data);
    r.count = 0;
    TU_OK(ctx, cln_fit(model, data, &cfg, &h));
    assert_int_equal(r.count, epochs);
    assert_true(isnan(r.r[0].val_metric) && isnan(r.r[0].val_loss));
    assert_string_equal(r.r[0].metric_name, "score");
    assert_int_equal(h.val_metric.count, 0);
    assert_int_equal(s->eval_calls, 0);
    cln_history_free(&h);
    scripted_free(s, model, data);
}

/* A loss that becomes inf (or NaN, or a parameter inf) in epoch E: cln_fit() says so, and
 * load_params gets the parameters as epoch E started, although epoch E + 1 had already been
 * enqueued: what the device holds afterwards. */
static void divergence_loads_epoch_start(void **state)
{
    cln_context *ctx = *state;
    const size_t nt = 30, nv = 20, bs = 10; /* 3 training steps an epoch */
    const struct {
        size_t epoch, batch, val_batch;
        int poison;
        const char *needle[2];
    } cases[] = {
        {2, 1, SIZE_MAX, 0, {"the loss became inf at epoch 3", "training batch 2"}},
        {3, SIZE_MAX, 1, 0, {"the loss became nan at epoch 4", "validation batch 2"}},
        {1, SIZE_MAX, SIZE_MAX, 1, {"a parameter became inf in epoch 2", "restored"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cln_model *model;
        cln_dataset *data;
        scripted *s = scripted_make(ctx, &scripted_ops, nt, nv, bs, &model, &data);
        s->inf_epoch = cases[i].epoch;
        s->inf_batch = cases[i].batch;
        s->inf_val_batch = cases[i].val_batch;
        s->poison_param = cases[i].poison;
        cln_trainer_config cfg;
        cln_trainer_config_init(&cfg);
        cfg.batch_size = bs;
        cfg.max_epochs = 8;
        cln_history h;
        TU_FAILS(ctx, CLN_ERR_DIVERGED, cases[i].needle[0], cln_fit(model, data, &cfg, &h));
        assert_queue_drained(s, "a divergence");
        assert_non_null(strstr(cln_last_error(ctx), cases[i].needle[1]));
        print_message("%s\n", cln_last_error(ctx));
        size_t e = cases[i].epoch;
        assert_int_equal(h.epochs, e);
        assert_true(s->train_calls > (e + 1) * 3); /* epoch E + 1 had been enqueued */
        assert_int_equal(s->load_calls, 1);
        double want[SCRIPTED_PARAMS] = {3.0 * (double)e, 100 - 6.0 * (double)e}, p[SCRIPTED_PARAMS];
        assert_true(s->loaded[0] == want[0] && s->loaded[1] == want[1]);
        scripted_params(s, p);
        assert_true(p[0] == want[0] && p[1] == want[1]);
        cln_history_free(&h);
        scripted_free(s, model, data);
    }
}

/* ---- weight decay: every path against a host replica with a float32 bound --------------
 *
 * The device computes, for a minibatch of B rows from its state theta^ = (w^, b^):
 *   r_i  = x_i . w^ + b^ - y_i          d + 2 terms
 *   S_j  = sum_i x_ij r_i,  S_b = sum_i r_i     B terms
 *   w_j <- decay_f w^_j - lr_f * (2 ls / B) * S_j,  b <- b^ - lr_f * (2 ls / B) * S_b
 * with decay_f = float(1 - lr wd) and lr_f = float(lr), ls = 0.5 (so 2 ls = 1 exactly).
 * The replica does the same in double with decay = 1 - lr wd and lr. Bounds, with u the
 * unit roundoff and gamma_k = k u / (1 - k u) (tests/test_util.h):
 *  - a sum of n terms in any order, each term rounded at most n times on its way (the
 *    product and n - 1 additions; the kernels' trees, lanes, slots and groups' partials
 *    only change the order): |error| <= gamma_n sum |term| (tu_sum_bound());
 *  - the scale lr_f (2 ls / B) S: lr's rounding, a division (OpenCL allows float x / y 2.5
 *    ulp, at most 5 u relative), two products: relative gamma_8; the subtraction one more:
 *    gamma_9. decay_f w^: |decay_f - decay| (computed here) plus two roundings (gamma_2);
 *    an FMA, which OpenCL C lets the compiler make, only drops roundings.
 * So the step's local error delta (its result minus the exact step from theta^) is at most
 *   (|decay_f - decay| + gamma_2 decay_f) |w^_j| + lr / B (F_j + gamma_9 (SA_j + F_j))  for w_j,
 *   u |b^| + lr / B (F_b + gamma_9 (SA_b + F_b))                                      for b
 * (and 2^-150, a float product's underflow, for each product),
 * F_j bounding |S^_j - S_j(theta^)| = sum_i |x_ij| e_i + gamma_B sum_i |x_ij| (R_i + e_i), e_i
 * the residual's bound gamma_{d+2} (sum_j |x_ij w^_j| + |b^| + |y_i|), R_i >= |r_i(theta^)|,
 * SA_j = sum_i |x_ij| R_i >= |S_j(theta^)|. The exact step is affine, theta' = A theta + c
 * with A = [[decay I - lr/B X^T X, -lr/B X^T 1], [-lr/B 1^T X, 1 - lr]], so the error
 * E = |theta^ - theta| (componentwise) goes E <- |A| E + delta + delta', delta' the replica's
 * own (the same bound with u = 2^-53), and every |w^_j| above is taken as |w_j| + E_j. A
 * loss ls / B sum r_i^2 is off by ls / B (dQ (1 + gamma_6) + gamma_6 Q), Q = sum r_i^2,
 * dQ = sum D_i (2 |r_i| + D_i) + gamma_B sum (|r_i| + D_i)^2 with D_i >= |r^_i - r_i|
 * (the division and the scale: gamma_6). The bound is computed with the replica (in double:
 * its own rounding is far below it). */

typedef struct wd_case {
    size_t d, nt, nv, bs, epochs;
    double lr, wd;
} wd_case;

#define WD_EPOCHS_MAX 4

typedef struct wd_replica {
    double *theta;                         /* w then b, d + 1 */
    double *E;                             /* bound on |device - replica|, d + 1 */
    double train_loss[WD_EPOCHS_MAX], train_bound[WD_EPOCHS_MAX];
    double val_loss[WD_EPOCHS_MAX], val_bound[WD_EPOCHS_MAX];
} wd_replica;

static double gamma_of(double u, double k) { return k * u / (1 - k * u); }

/* One minibatch of rows `rows` (training: the step too): its loss at the start and that
 * loss's bound; theta and E move on with the step. */
static void replica_batch(const double *X, const double *y, const uint32_t *rows, size_t B,
                          size_t d, double lr, double decay, double ddec, int update,
                          double *theta, double *E, double *loss, double *loss_bound)
{
    const double u = tu_unit_roundoff(CLN_FLOAT32), v = tu_unit_roundoff(CLN_FLOAT64);
    const double eta = ldexp(1.0, -150); /* a float product's underflow */
    const double ls = 0.5;
    size_t n = d + 1;
    double *r = malloc(B * sizeof *r), *R = malloc(B * sizeof *R);
    double *e = malloc(B * sizeof *e), *e64 = malloc(B * sizeof *e64);
    double *S = calloc(n, sizeof *S), *SA = calloc(n, sizeof *SA), *SA64 = calloc(n, sizeof *SA64);
    double *F = calloc(n, sizeof *F), *F64 = calloc(n, sizeof *F64);
    double *Fsum = calloc(n, sizeof *Fsum), *Fsum64 = calloc(n, sizeof *Fsum64);
    double *A = calloc(n * n, sizeof *A);
    assert_true(r && R && e && e64 && S && SA && SA64 && F && F64 && Fsum && Fsum64 && A);
    double Q = 0, dQ = 0, sq = 0;
    for (size_t i = 0; i < B; i++) {
        const double *x = X + (size_t)rows[i] * d;
        double yi = y[rows[i]];
        double ri = theta[d] - yi, mag = fabs(theta[d]) + E[d] + fabs(yi);
        double mag64 = fabs(theta[d]) + fabs(yi), shift = E[d];
        for (size_t j = 0; j < d; j++) {
            ri += x[j] * theta[j];
            mag += fabs(x[j]) * (fabs(theta[j]) + E[j]);
            mag64 += fabs(x[j] * theta[j]);
            shift += fabs(x[j]) * E[j];
        }
        r[i] = ri;
        e[i] = tu_sum_bound(CLN_FLOAT32, d + 2, mag, d);
        e64[i] = tu_sum_bound(CLN_FLOAT64, d + 2, mag64, d);
        R[i] = fabs(ri) + e64[i] + shift;
        double D = shift + e[i] + e64[i];
        Q += ri * ri;
        dQ += D * (2 * fabs(ri) + D);
        sq += (fabs(ri) + D) * (fabs(ri) + D);
        for (size_t j = 0; j < n; j++) {
            double xj = j < d ? x[j] : 1.0;
            S[j] += xj * ri;
            SA[j] += fabs(xj) * R[i];
            SA64[j] += fabs(xj) * (fabs(ri) + e64[i]);
            F[j] += fabs(xj) * e[i];
            F64[j] += fabs(xj) * e64[i];
            Fsum[j] += fabs(xj) * (R[i] + e[i]);
            Fsum64[j] += fabs(xj) * (fabs(ri) + e64[i]);
            for (size_t k = 0; k < n; k++)
                A[j * n + k] -= lr / (double)B * xj * (k < d ? x[k] : 1.0);
        }
    }
    double g6 = gamma_of(u, 6);
    *loss = ls * Q / (double)B;
    *loss_bound = ls / (double)B * ((dQ + gamma_of(u, (double)B) * sq) * (1 + g6) + g6 * Q) +
                  gamma_of(v, (double)B + 2) * *loss;
    if (update) {
        double g2 = gamma_of(u, 2), g9 = gamma_of(u, 9), g9d = gamma_of(v, 9);
        double decay_f = decay + ddec;
        double *E2 = calloc(n, sizeof *E2);
        assert_non_null(E2);
        for (size_t j = 0; j < n; j++) {
            F[j] += tu_sum_bound(CLN_FLOAT32, B, Fsum[j], j < d ? B : 0);
            F64[j] += tu_sum_bound(CLN_FLOAT64, B, Fsum64[j], j < d ? B : 0);
            double delta, delta64;
            if (j < d) {
                double W = fabs(theta[j]) + E[j];
                delta = (ddec + g2 * decay_f) * W + lr / (double)B * (F[j] + g9 * (SA[j] + F[j])) +
                        3 * eta;
                delta64 = gamma_of(v, 2) * decay * fabs(theta[j]) +
                          lr / (double)B * (F64[j] + g9d * (SA64[j] + F64[j]));
                A[j * n + j] += decay;
            } else {
                delta = u * (fabs(theta[d]) + E[d]) +
                        lr / (double)B * (F[j] + g9 * (SA[j] + F[j])) + 2 * eta;
                delta64 = v * fabs(theta[d]) + lr / (double)B * (F64[j] + g9d * (SA64[j] + F64[j]));
                A[j * n + j] += 1.0;
            }
            E2[j] = delta + delta64;
            for (size_t k = 0; k < n; k++)
                E2[j] += fabs(A[j * n + k]) * E[k];
        }
        for (size_t j = 0; j < d; j++)
            theta[j] = decay * theta[j] - lr * S[j] / (double)B;
        theta[d] -= lr * S[d] / (double)B;
        memcpy(E, E2, n * sizeof *E);
        free(E2);
    }
    free(r); free(R); free(e); free(e64); free(S); free(SA); free(SA64);
    free(F); free(F64); free(Fsum); free(Fsum64); free(A);
}

/* The whole fit on the host from (w0, b0): the order of cln_shuffle_order(seed, epoch). */
static void replica_fit(const wd_case *c, uint64_t seed, double wd, const double *Xt,
                        const double *yt, const double *Xv, const double *yv, const double *w0,
                        double b0, wd_replica *out)
{
    size_t d = c->d;
    out->theta = malloc((d + 1) * sizeof *out->theta);
    out->E = calloc(d + 1, sizeof *out->E);
    uint32_t *order = malloc(c->nt * sizeof *order), *in_order = malloc(c->nv * sizeof *in_order);
    assert_true(out->theta && out->E && order && in_order);
    memcpy(out->theta, w0, d * sizeof *w0);
    out->theta[d] = b0;
    for (size_t i = 0; i < c->nv; i++)
        in_order[i] = (uint32_t)i;
    double decay = 1.0 - c->lr * wd;
    /* what the device is given: float(1 - lr wd), as the library computes it in double;
     * 2^-52 covers another evaluation of 1 - lr wd in double (an FMA) */
    double ddec = fabs((double)(float)decay - decay) + ldexp(1.0, -52);
    assert_true(c->epochs <= WD_EPOCHS_MAX);
    for (size_t epoch = 0; epoch < c->epochs; epoch++) {
        assert_int_equal(cln_shuffle_order(seed, epoch, order, c->nt), CLN_SUCCESS);
        size_t nbt = (c->nt + c->bs - 1) / c->bs, nbv = (c->nv + c->bs - 1) / c->bs;
        double sum = 0, bound = 0, vsum = 0, vbound = 0;
        for (size_t k = 0; k < nbt; k++) {
            size_t first = k * c->bs, count = c->nt - first < c->bs ? c->nt - first : c->bs;
            double loss, lb;
            replica_batch(Xt, yt, order + first, count, d, c->lr, decay, ddec, 1, out->theta,
                          out->E, &loss, &lb);
            sum += loss;
            bound += lb;
        }
        for (size_t k = 0; k < nbv; k++) {
            size_t first = k * c->bs, count = c->nv - first < c->bs ? c->nv - first : c->bs;
            double loss, lb;
            replica_batch(Xv, yv, in_order + first, count, d, c->lr, decay, ddec, 0, out->theta,
                          out->E, &loss, &lb);
            vsum += loss;
            vbound += lb;
        }
        /* the report's mean of the batch losses, and that mean's own rounding in double */
        double v = tu_unit_roundoff(CLN_FLOAT64);
        out->train_loss[epoch] = sum / (double)nbt;
        out->train_bound[epoch] =
            bound / (double)nbt + gamma_of(v, (double)nbt + 1) * 2 * sum / (double)nbt;
        out->val_loss[epoch] = nbv ? vsum / (double)nbv : NAN;
        out->val_bound[epoch] =
            nbv ? vbound / (double)nbv + gamma_of(v, (double)nbv + 1) * 2 * vsum / (double)nbv : 0;
    }
    free(order);
    free(in_order);
}

static void replica_free(wd_replica *r)
{
    free(r->theta);
    free(r->E);
}

static const cln_train_path every_path[] = {CLN_PATH_STEPWISE, CLN_PATH_FUSED, CLN_PATH_EPOCH,
                                            CLN_PATH_PERSISTENT};
#define PATHS (sizeof every_path / sizeof every_path[0])

static void weight_decay_case(cln_context *ctx, const wd_case *c)
{
    size_t d = c->d;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_inputs = d;
    dc.num_train = c->nt;
    dc.num_val = c->nv;
    dc.seed = 31;
    dc.placement = CLN_PLACE_DEVICE;
    cln_dataset *data;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    double *Xt = tu_download(ctx, cln_dataset_train_X(data));
    double *yt = tu_download(ctx, cln_dataset_train_y(data));
    double *Xv = tu_download(ctx, cln_dataset_val_X(data));
    double *yv = tu_download(ctx, cln_dataset_val_y(data));
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, d, 0.01, 32, &m));
    double *w0 = malloc(d * sizeof *w0), b0, *w = malloc((d + 1) * sizeof *w);
    assert_true(w0 && w);
    TU_OK(ctx, cln_linreg_get(m, w0, &b0));
    const uint64_t seed = 33;
    wd_replica rep, plain;
    replica_fit(c, seed, c->wd, Xt, yt, Xv, yv, w0, b0, &rep);
    replica_fit(c, seed, 0.0, Xt, yt, Xv, yv, w0, b0, &plain);
    /* the bound is far below what the decay changes: a step without it would be caught */
    double max_bound = 0, min_effect = INFINITY;
    for (size_t j = 0; j < d; j++) {
        max_bound = fmax(max_bound, rep.E[j]);
        min_effect = fmin(min_effect, fabs(rep.theta[j] - plain.theta[j]));
    }
    print_message("d %zu, %zu + %zu rows, batch %zu, %zu epochs, lr %g, weight decay %g: bound "
                  "on w %.3g, the decay moves w by at least %.3g\n",
                  d, c->nt, c->nv, c->bs, c->epochs, c->lr, c->wd, max_bound, min_effect);
    assert_true(min_effect > 100 * max_bound);
    for (size_t p = 0; p < PATHS; p++) {
        cln_train_path path = every_path[p];
        if (path != CLN_PATH_STEPWISE && tu_path_off(ctx, path))
            continue;
        TU_OK(ctx, cln_linreg_set(m, w0, b0));
        TU_OK(ctx, cln_model_set_epochs_trained(cln_linreg_model(m), 0)); /* from scratch */
        cln_trainer_config cfg;
        cln_trainer_config_init(&cfg);
        cfg.batch_size = c->bs;
        cfg.max_epochs = c->epochs;
        cfg.lr = c->lr;
        cfg.seed = seed;
        cfg.path = path;
        cfg.weight_decay = c->wd;
        reports r = {0};
        cfg.on_epoch = record_report;
        cfg.user = &r;
        cln_history h;
        cln_status st = cln_fit(cln_linreg_model(m), data, &cfg, &h);
        if (st == CLN_ERR_UNSUPPORTED && cln_context_device(ctx)->loop_limit) {
            print_message("%s path skipped: %s\n", path_name(path), cln_last_error(ctx));
            continue; /* a driver that ends loops early: this shape is too long for the path */
        }
        TU_OK(ctx, st);
        assert_int_equal(h.path, path);
        assert_int_equal(r.count, c->epochs);
        TU_OK(ctx, cln_linreg_get(m, w, &w[d]));
        double err = 0;
        for (size_t j = 0; j <= d; j++)
            err = fmax(err, fabs(w[j] - rep.theta[j]) / rep.E[j]);
        print_message("%s path: error at most %.2f of the bound\n", path_name(path), err);
        TU_ASSERT_WITHIN(w, rep.theta, rep.E, d + 1);
        for (size_t e = 0; e < c->epochs; e++) {
            TU_ASSERT_WITHIN(&r.r[e].train_loss, &rep.train_loss[e], &rep.train_bound[e], 1);
            TU_ASSERT_WITHIN(&r.r[e].val_loss, &rep.val_loss[e], &rep.val_bound[e], 1);
        }
        cln_history_free(&h);
    }
    replica_free(&rep);
    replica_free(&plain);
    free(w0); free(w); free(Xt); free(yt); free(Xv); free(yv);
    cln_linreg_free(m);
    cln_dataset_free(data);
}

static void weight_decay_matches_host_replica(void **state)
{
    const wd_case cases[] = {
        {3, 203, 37, 16, 3, 0.03, 0.5}, /* ragged last batches */
        {9, 300, 50, 40, 2, 0.05, 3.0}, /* wider, a stronger decay */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        weight_decay_case(*state, &cases[i]);
}

/* weight_decay 0 (or -0) is no decay: the same bits as a configuration that never set it,
 * on every path; and bad values are refused before anything runs. */
static void weight_decay_zero_and_bad_values(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_inputs = 4;
    dc.num_train = 150;
    dc.num_val = 30;
    cln_dataset *data;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 4, 0.01, 2, &m));
    double w0[4], b0;
    TU_OK(ctx, cln_linreg_get(m, w0, &b0));
    for (size_t p = 0; p < PATHS; p++) {
        cln_train_path path = every_path[p];
        if (path != CLN_PATH_STEPWISE && tu_path_off(ctx, path))
            continue;
        const double decays[] = {-1, 0.0, -0.0, 0.2}; /* -1: not set */
        double w[4][5];
        cln_history h[4];
        for (size_t i = 0; i < 4; i++) {
            TU_OK(ctx, cln_linreg_set(m, w0, b0));
            TU_OK(ctx, cln_model_set_epochs_trained(cln_linreg_model(m), 0)); /* from scratch */
            cln_trainer_config cfg;
            cln_trainer_config_init(&cfg);
            cfg.batch_size = 20;
            cfg.max_epochs = 2;
            cfg.path = path;
            if (decays[i] >= 0)
                cfg.weight_decay = decays[i];
            TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &cfg, &h[i]));
            TU_OK(ctx, cln_linreg_get(m, w[i], &w[i][4]));
        }
        for (size_t i = 1; i < 3; i++) {
            assert_memory_equal(w[i], w[0], sizeof w[0]);
            assert_curves_equal(&h[i].train_loss, &h[0].train_loss);
            assert_curves_equal(&h[i].val_loss, &h[0].val_loss);
        }
        assert_memory_not_equal(w[3], w[0], sizeof w[0]); /* a decay does change them */
        for (size_t i = 0; i < 4; i++)
            cln_history_free(&h[i]);
    }

    /* bad values, on the library's model and on one's own: nothing runs */
    cln_model *own;
    mylin *mine = mylin_make(ctx, CLN_FLOAT32, 4, 9, &own);
    const struct {
        double lr, wd;
    } bad[] = {{0.03, -0.1}, {0.03, -INFINITY}, {0.03, NAN}, {0.03, INFINITY},
               {0.25, 4.0} /* lr wd = 1 */, {0.25, 8.0}, {0.5, 2.5}};
    TU_OK(ctx, cln_linreg_set(m, w0, b0));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cln_trainer_config cfg;
        cln_trainer_config_init(&cfg);
        cfg.lr = bad[i].lr;
        cfg.weight_decay = bad[i].wd;
        cln_history h;
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "weight decay",
                 cln_fit(cln_linreg_model(m), data, &cfg, &h));
        assert_int_equal(h.epochs, 0);
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "weight decay", cln_fit(own, data, &cfg, NULL));
    }
    assert_int_equal(mine->n_log, 0);
    double w[4], b;
    TU_OK(ctx, cln_linreg_get(m, w, &b));
    assert_memory_equal(w, w0, sizeof w);
    assert_true(b == b0);
    /* just below 1 / lr is taken */
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.lr = 0.25;
    cfg.weight_decay = 3.96;
    cfg.max_epochs = 1;
    TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &cfg, NULL));
    /* and cln_linreg_step() itself refuses what cln_step may not hold */
    const cln_step bad_steps[] = {{0.03, -1.0}, {0.03, NAN}, {0.03, INFINITY}};
    for (size_t i = 0; i < 3; i++)
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "weight decay", cln_linreg_step(m, &bad_steps[i]));
    mylin_free(mine, own);
    cln_linreg_free(m);
    cln_dataset_free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(own_model_matches_linreg),
        cmocka_unit_test(own_model_is_stepwise_only),
        cmocka_unit_test(create_checks_arguments),
        cmocka_unit_test(destroy_once),
        cmocka_unit_test(metric_is_rows_weighted),
        cmocka_unit_test(divergence_loads_epoch_start),
        cmocka_unit_test(weight_decay_matches_host_replica),
        cmocka_unit_test(weight_decay_zero_and_bad_values),
        cmocka_unit_test(model_failures_come_out), /* last: see there */
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
