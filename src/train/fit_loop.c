/* The epoch loop of every fit (fit_loop.h): after each epoch a divergence check, the board,
 * the history and the report, whatever ran the epoch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/board.h"
#include "train/fit_loop.h"

typedef struct fit_loop {
    const clni_epoch_driver *d;
    const cln_trainer_config *cfg;
    cln_history *h;
    clni_board train_board, val_board;
    double t0;
    size_t first_epoch;   /* the model's epochs trained when the fit began */
} fit_loop;

/* Loads the parameters the epoch ended with (at_start 0) or started with (1), once nothing
 * enqueued can overwrite them. */
static cln_status restore(const clni_epoch_driver *d, const clni_epoch_out *out, int at_start)
{
    cln_context *ctx = d->model->ctx;
    clni_queue_finish(ctx, ctx->queue);
    return d->model->ops.load_params(d->model->self, at_start ? out->params_start : out->params);
}

/* What the divergence message calls parameter j: linear regression's w then b. */
static const char *param_name(const cln_model *m, size_t j)
{
    if (strcmp(m->ops.kind, "linreg") == 0)
        return j < m->num_inputs ? "a weight" : "the bias";
    return "a parameter";
}

/* A non-finite loss is a divergence, and so is a non-finite parameter: the last step can
 * overflow with every loss before it finite (no validation after it to see it). Either puts
 * back the parameters the epoch started from. Messages count epochs and batches from 1. */
static cln_status check_finite(const fit_loop *L, size_t epoch, const clni_epoch_out *out)
{
    const clni_epoch_driver *d = L->d;
    cln_context *ctx = d->model->ctx;
    size_t nt = d->nb_train;
    for (size_t k = 0; k < nt + d->nb_val; k++) {
        if (isfinite(out->losses[k]))
            continue;
        CLNI_CHECK(restore(d, out, 1));
        int training = k < nt;
        return clni_fail(ctx, CLN_ERR_DIVERGED,
                         "%s: the loss became %g at epoch %zu, %s batch %zu (learning rate %g); "
                         "the parameters are restored to those at the start of that epoch",
                         d->fn, out->losses[k], epoch + 1, training ? "training" : "validation",
                         (training ? k : k - nt) + 1, L->cfg->lr);
    }
    for (size_t j = 0; j < d->model->num_params; j++) {
        if (isfinite(out->params[j]))
            continue;
        CLNI_CHECK(restore(d, out, 1));
        return clni_fail(ctx, CLN_ERR_DIVERGED,
                         "%s: %s became %g in epoch %zu's training steps (learning rate %g); the "
                         "parameters are restored to those at the start of that epoch",
                         d->fn, param_name(d->model, j), out->params[j], epoch + 1, L->cfg->lr);
    }
    return CLN_SUCCESS;
}

/* One more point of a curve. */
static cln_status curve_append(const clni_epoch_driver *d, cln_curve *c, double x, double y)
{
    double *nx = realloc(c->x, (c->count + 1) * sizeof *nx);
    if (nx)
        c->x = nx;
    double *ny = nx ? realloc(c->y, (c->count + 1) * sizeof *ny) : NULL;
    if (!ny)
        return clni_fail(d->model->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", d->fn);
    c->y = ny;
    c->x[c->count] = x;
    c->y[c->count++] = y;
    return CLN_SUCCESS;
}

/* The epoch's points on the board and in the history. */
static cln_status record(fit_loop *L, size_t epoch, const clni_epoch_out *out)
{
    const clni_epoch_driver *d = L->d;
    cln_context *ctx = d->model->ctx;
    size_t nt = d->nb_train;
    for (size_t k = 0; k < nt; k++)
        CLNI_CHECK(clni_board_draw(&L->train_board, ctx, (double)(epoch * nt + k) / (double)nt,
                                   out->losses[k]));
    for (size_t k = 0; k < d->nb_val; k++)
        CLNI_CHECK(clni_board_draw(&L->val_board, ctx, (double)(epoch + 1), out->losses[nt + k]));
    if (d->metric_name && d->nb_val > 0)
        CLNI_CHECK(curve_append(d, &L->h->val_metric, (double)(epoch + 1), out->metric));
    L->h->epochs++;
    L->h->updates += nt;
    return CLN_SUCCESS;
}

/* The caller's on_epoch, if any; *stop: whether it asked to stop. */
static void report(const fit_loop *L, size_t epoch, const clni_epoch_out *out, int *stop)
{
    const clni_epoch_driver *d = L->d;
    const cln_trainer_config *cfg = L->cfg;
    if (!cfg->on_epoch)
        return;
    size_t nt = d->nb_train;
    cln_epoch_report r = {epoch, cfg->max_epochs, nt, d->examples, clni_mean(out->losses, nt),
                          clni_mean(out->losses + nt, d->nb_val), clni_now() - L->t0,
                          out->metric, d->metric_name, L->first_epoch};
    *stop = cfg->on_epoch(&r, cfg->user) != 0;
}

/* Everything after an epoch on this member; *stop: whether on_epoch asked to stop. */
static cln_status end_epoch(fit_loop *L, size_t epoch, const clni_epoch_out *out, int *stop)
{
    CLNI_CHECK(check_finite(L, epoch, out));
    CLNI_CHECK(record(L, epoch, out));
    report(L, epoch, out, stop);
    return CLN_SUCCESS;
}

cln_status clni_fit_loop(const clni_epoch_driver *d, const cln_trainer_config *cfg, double t0,
                         cln_history *h)
{
    /* Epochs continue the model's count (clni_fit_check() made sure it cannot overflow). */
    fit_loop L = {d, cfg, h, {0}, {0}, t0, d->model->epochs_trained};
    /* d2l: every_n = int(num_batches / points_per_epoch), at least 1. */
    clni_board_init(&L.train_board, &h->train_loss, d->nb_train / cfg->train_points_per_epoch);
    clni_board_init(&L.val_board, &h->val_loss, d->nb_val / cfg->val_points_per_epoch);
    for (size_t epoch = L.first_epoch; epoch - L.first_epoch < cfg->max_epochs; epoch++) {
        clni_epoch_out out;
        CLNI_CHECK(d->run_epoch(d->self, epoch, &out));
        int stop = 0;
        cln_status st = end_epoch(&L, epoch, &out, &stop);
        if (d->agree)
            st = d->agree(d->self, st, &stop);
        if (st != CLN_SUCCESS)
            return st;
        d->model->epochs_trained = epoch + 1;
        if (stop) /* what ran after this epoch is undone */
            return d->runs_ahead ? restore(d, &out, 0) : CLN_SUCCESS;
    }
    return CLN_SUCCESS;
}
