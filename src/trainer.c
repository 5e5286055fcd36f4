/* The Trainer: epochs of minibatches, enqueued without host waits; batch losses stay on the
 * device and come back once an epoch, when the board's points are made. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board.h"
#include "internal.h"

void cln_trainer_config_init(cln_trainer_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->max_epochs = 3;
    cfg->lr = 0.03;
    cfg->batch_size = 32;
    cfg->seed = 0;
    cfg->train_points_per_epoch = 2;
    cfg->val_points_per_epoch = 1;
    cfg->path = CLN_PATH_AUTO;
}

void cln_history_free(cln_history *h)
{
    if (!h)
        return;
    free(h->train_loss.x);
    free(h->train_loss.y);
    free(h->val_loss.x);
    free(h->val_loss.y);
    memset(h, 0, sizeof *h);
}

static cln_status check_fit_args(cln_linreg *m, const cln_dataset *data,
                                 const cln_trainer_config *cfg)
{
    const char *fn = "cln_fit";
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "model"));
    cln_context *ctx = cln_linreg_context(m);
    CLNI_CHECK(clni_check_ptr(ctx, data, fn, "data"));
    CLNI_CHECK(clni_check_ptr(ctx, cfg, fn, "cfg"));
    if (cln_tensor_context(cln_dataset_train_X(data)) != ctx)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: model and data are in two contexts", fn);
    if (cln_dataset_dtype(data) != cln_linreg_dtype(m))
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: model and data have two dtypes", fn);
    if (cln_dataset_num_inputs(data) != cln_linreg_num_inputs(m))
        return clni_fail(ctx, CLN_ERR_SHAPE_MISMATCH,
                         "%s: the data has %zu features, the model %zu inputs", fn,
                         cln_dataset_num_inputs(data), cln_linreg_num_inputs(m));
    if (cfg->max_epochs == 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: max_epochs is 0", fn);
    if (cfg->batch_size == 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: batch_size is 0", fn);
    if (!isfinite(cfg->lr) || cfg->lr <= 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: learning rate %g must be finite and > 0", fn, cfg->lr);
    if ((unsigned)cfg->path > CLN_PATH_EPOCH)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: unknown path %d", fn, (int)cfg->path);
    if (cfg->path == CLN_PATH_FUSED || cfg->path == CLN_PATH_EPOCH)
        return clni_fail(ctx, CLN_ERR_UNSUPPORTED, "%s: the %s path is not built yet", fn,
                         cfg->path == CLN_PATH_FUSED ? "fused" : "epoch");
    if (cfg->train_points_per_epoch == 0 || cfg->val_points_per_epoch == 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: points per epoch must be at least 1",
                         fn);
    return CLN_SUCCESS;
}

/* What one fit holds on to. */
typedef struct fit_state {
    cln_context *ctx;
    cln_linreg *m;
    const cln_dataset *data;
    const cln_trainer_config *cfg;
    cln_loader *train, *val;
    size_t nb_train, nb_val;
    cln_tensor *y_hat, *losses;
    double *host_losses;
    double *good_w;          /* the parameters at the end of the last finite epoch */
    double good_b;
} fit_state;

static void fit_state_free(fit_state *s)
{
    cln_loader_free(s->train);
    cln_loader_free(s->val);
    cln_tensor_free(s->y_hat);
    cln_tensor_free(s->losses);
    free(s->host_losses);
    free(s->good_w);
}

static cln_status fit_state_init(fit_state *s)
{
    cln_context *ctx = s->ctx;
    size_t n_train = cln_dataset_num_train(s->data), n_val = cln_dataset_num_val(s->data);
    cln_dtype dtype = cln_linreg_dtype(s->m);
    CLNI_CHECK(cln_loader_create(ctx, n_train, s->cfg->batch_size, 1, s->cfg->seed, &s->train));
    if (n_val > 0)
        CLNI_CHECK(cln_loader_create(ctx, n_val, s->cfg->batch_size, 0, 0, &s->val));
    s->nb_train = cln_loader_num_batches(s->train);
    s->nb_val = cln_loader_num_batches(s->val);
    size_t bs = s->cfg->batch_size;
    size_t largest = bs < n_train ? bs : n_train;
    if (n_val > largest && bs > largest) /* a validation batch may be the larger */
        largest = bs < n_val ? bs : n_val;
    CLNI_CHECK(cln_tensor_create_1d(ctx, dtype, largest, &s->y_hat));
    CLNI_CHECK(cln_tensor_create_1d(ctx, dtype, s->nb_train + s->nb_val, &s->losses));
    s->host_losses = malloc((s->nb_train + s->nb_val) * sizeof *s->host_losses);
    s->good_w = malloc(cln_linreg_num_inputs(s->m) * sizeof *s->good_w);
    if (!s->host_losses || !s->good_w)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_fit: out of memory");
    return cln_linreg_get(s->m, s->good_w, &s->good_b);
}

/* Enqueues one epoch: every training batch (forward, loss, backward, step), then every
 * validation batch (forward, loss). Nothing here waits. */
static cln_status enqueue_epoch(fit_state *s)
{
    cln_batch batch = {cln_dataset_train_X(s->data), cln_dataset_train_y(s->data), s->train, 0, 0};
    for (size_t k = 0; k < s->nb_train; k++) {
        cln_loader_batch(s->train, k, &batch.first, &batch.count);
        CLNI_CHECK(cln_linreg_forward(s->m, &batch, s->y_hat));
        CLNI_CHECK(cln_linreg_loss(s->m, &batch, s->y_hat, s->losses, k));
        CLNI_CHECK(cln_linreg_backward(s->m, &batch, s->y_hat));
        CLNI_CHECK(cln_linreg_sgd_step(s->m, s->cfg->lr));
    }
    cln_batch vb = {cln_dataset_val_X(s->data), cln_dataset_val_y(s->data), NULL, 0, 0};
    for (size_t k = 0; k < s->nb_val; k++) {
        cln_loader_batch(s->val, k, &vb.first, &vb.count);
        CLNI_CHECK(cln_linreg_forward(s->m, &vb, s->y_hat));
        CLNI_CHECK(cln_linreg_loss(s->m, &vb, s->y_hat, s->losses, s->nb_train + k));
    }
    return CLN_SUCCESS;
}

/* Reads the epoch's losses back (the one wait of an epoch); on a non-finite loss, restores
 * the last finite parameters and reports where it happened. */
static cln_status finish_epoch(fit_state *s, size_t epoch)
{
    size_t total = s->nb_train + s->nb_val;
    CLNI_CHECK(cln_tensor_download_f64(s->losses, s->host_losses, total));
    for (size_t k = 0; k < total; k++) {
        if (isfinite(s->host_losses[k]))
            continue;
        CLNI_CHECK(cln_linreg_set(s->m, s->good_w, s->good_b));
        return clni_fail(s->ctx, CLN_ERR_DIVERGED,
                         "cln_fit: the loss became %g at epoch %zu, %s batch %zu (learning rate "
                         "%g); the parameters are restored to those at the start of that epoch",
                         s->host_losses[k], epoch, k < s->nb_train ? "training" : "validation",
                         k < s->nb_train ? k : k - s->nb_train, s->cfg->lr);
    }
    return cln_linreg_get(s->m, s->good_w, &s->good_b);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* Mean of v[0 .. n), NaN when n is 0. */
static double mean_of(const double *v, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    return n ? sum / (double)n : NAN;
}

cln_status cln_fit(cln_linreg *m, const cln_dataset *data, const cln_trainer_config *cfg,
                   cln_history *history)
{
    if (history)
        memset(history, 0, sizeof *history);
    CLNI_CHECK(check_fit_args(m, data, cfg));
    fit_state s = {.ctx = cln_linreg_context(m), .m = m, .data = data, .cfg = cfg};
    cln_history scratch_history = {0};
    cln_history *h = history ? history : &scratch_history;
    clni_board train_board, val_board;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cln_status st = fit_state_init(&s);
    /* d2l: every_n = int(num_batches / points_per_epoch), at least 1. */
    clni_board_init(&train_board, &h->train_loss, s.nb_train / cfg->train_points_per_epoch);
    clni_board_init(&val_board, &h->val_loss, s.nb_val / cfg->val_points_per_epoch);

    for (size_t epoch = 0; st == CLN_SUCCESS && epoch < cfg->max_epochs; epoch++) {
        st = cln_loader_start_epoch(s.train, epoch);
        if (st == CLN_SUCCESS)
            st = enqueue_epoch(&s);
        if (st == CLN_SUCCESS)
            st = finish_epoch(&s, epoch);
        if (st != CLN_SUCCESS)
            break;
        for (size_t k = 0; st == CLN_SUCCESS && k < s.nb_train; k++)
            st = clni_board_draw(&train_board, s.ctx,
                                 (double)(epoch * s.nb_train + k) / (double)s.nb_train,
                                 s.host_losses[k]);
        for (size_t k = 0; st == CLN_SUCCESS && k < s.nb_val; k++)
            st = clni_board_draw(&val_board, s.ctx, (double)(epoch + 1),
                                 s.host_losses[s.nb_train + k]);
        h->epochs++;
        h->updates += s.nb_train;
        if (st == CLN_SUCCESS && cfg->on_epoch) {
            cln_epoch_report r = {epoch, cfg->max_epochs, s.nb_train,
                                  cln_dataset_num_train(data), mean_of(s.host_losses, s.nb_train),
                                  mean_of(s.host_losses + s.nb_train, s.nb_val),
                                  seconds_since(&t0)};
            if (cfg->on_epoch(&r, cfg->user))
                break;
        }
    }
    fit_state_free(&s);
    cln_history_free(&scratch_history);
    return st;
}
