#include "linreg_fit.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>

#include "cli_csv.h"
#include "linreg_agree.h"
#include "linreg_output.h"
#include "progress.h"
#include "report.h"

/* The fit's epoch callback: the epoch's line and the progress line, the test hook, and a
 * stop once a SIGINT or SIGTERM has come (in a group the fit stops every rank when one
 * asks). */
typedef struct epoch_watch {
    run_state *s;
    progress *prog;
    linreg_test_signal test;
    size_t epoch;      /* the epoch being reported, 1-based */
    size_t done;       /* epochs of this run reported */
} epoch_watch;

static void print_epoch_line(void *user)
{
    epoch_watch *w = user;
    run_state *s = w->s;
    if (!s->o->quiet && s->root)
        linreg_print_epoch(s, w->epoch);
}

static int watch_epoch(const cln_epoch_report *r, void *user)
{
    epoch_watch *w = user;
    w->epoch = r->epoch + 1;
    progress_epoch(w->prog, r, print_epoch_line, w);
    w->done++;
    if (w->test.epoch && w->done == w->test.epoch)
        for (size_t k = 0; k < w->test.count; k++)
            raise(w->test.signals[k]); /* handled before raise returns */
    return cli_stop_signal() != 0;
}

/* The loss scale of --loss (cln_linreg_set_loss_scale: 0.5 is d2l's half, 1 PyTorch's). */
static double loss_scale(const linreg_options *o)
{
    return o->loss == LINREG_LOSS_MSE ? 1.0 : 0.5;
}

/* The model, built on the data with the kernels ready: a new one (the concise API's layer,
 * w drawn from the seed), or the --load one, whose loss is its own unless --loss is given.
 * In a group the setup may fail on one rank only: the ranks agree on it before the
 * collective fit. */
static cln_status prepare_model(run_state *s, const cln_loss *loss)
{
    s->w = malloc(s->d * sizeof *s->w);
    cln_status st = s->w ? CLN_SUCCESS : CLN_ERR_OUT_OF_HOST_MEMORY;
    if (st == CLN_SUCCESS && s->model) {
        if (cln_linreg_num_inputs(s->model) != s->d)
            st = cln_context_set_error(NULL, CLN_ERR_SHAPE_MISMATCH, "the --load model has "
                                       "%zu inputs, the data %zu features",
                                       cln_linreg_num_inputs(s->model), s->d);
        else if (s->o->given & LINREG_GIVEN_LOSS)
            st = cln_linreg_set_loss_scale(s->model, loss_scale(s->o));
    } else if (st == CLN_SUCCESS) {
        st = cln_lazy_linear_create(s->ctx, s->dtype, 0.01, s->o->seed, &s->net);
        if (st == CLN_SUCCESS)
            st = cln_lazy_linear_build(s->net, s->data);
        if (st == CLN_SUCCESS)
            s->model = cln_lazy_linear_model(s->net);
        if (st == CLN_SUCCESS && s->g) /* the group's fit takes the model with its loss */
            st = cln_lazy_linear_set_loss(s->net, loss);
    }
    if (st == CLN_SUCCESS)
        st = cln_context_finish(s->ctx); /* the clock starts with data and kernels ready */
    return linreg_agree_step(s->g, st);
}

/* The trainer's configuration; in a group batch_size is a rank's share. */
static void trainer_config(const run_state *s, epoch_watch *watch, cln_sharding *sharding,
                           cln_trainer_config *tc)
{
    const linreg_options *o = s->o;
    size_t ranks = s->g ? s->g->group.size : 1;
    cln_trainer_config_init(tc);
    tc->max_epochs = o->epochs;
    tc->batch_size = o->batch_size / ranks; /* a divisor: linreg_command_check_group */
    tc->seed = o->seed;
    tc->on_epoch = watch_epoch;
    tc->user = watch;
    /* --shards K: one process draws the global order of K ranks, so that it trains as
     * `mpirun -np K` does (cln_sharded_draw, data.h) */
    *sharding = (cln_sharding){o->seed, o->shards, o->shards ? o->batch_size / o->shards : 0};
    if (o->shards > 1) {
        tc->draw_order = cln_sharded_draw;
        tc->order_user = sharding;
    }
    /* the group's and a loaded model's fit step with the configuration's rate; a new
     * model's alone, the optimizer's */
    if (s->g || !s->net)
        tc->lr = o->lr;
}

/* The fit itself, timed, with SIGINT and SIGTERM caught from here on. */
static cln_status fit(run_state *s, const cln_loss *loss, const cln_trainer_config *tc,
                      progress *prog)
{
    cli_signals_catch(&s->signals);
    size_t nt = cln_dataset_num_train(s->data), batches = (nt + tc->batch_size - 1) /
                                                          tc->batch_size;
    progress_start(prog, s->o->epochs, s->first_epoch, s->g ? 0 : batches);
    double t0 = cli_now_ms();
    cln_optimizer *sgd = NULL;
    cln_status st = CLN_SUCCESS;
    if (s->g)
        st = s->g->fit(s->model, s->data, tc, &s->hist, &s->stats);
    else if (!s->net) /* a loaded model: the library's loop on it */
        st = cln_fit(cln_linreg_model(s->model), s->data, tc, &s->hist);
    else if ((st = cln_sgd_create(s->ctx, s->o->lr, 0.0, &sgd)) == CLN_SUCCESS)
        st = cln_nn_fit(s->net, loss, sgd, s->data, tc, &s->hist);
    cln_optimizer_free(sgd);
    s->ms = cli_now_ms() - t0;
    return st;
}

/* w and b after the fit, with their MSE on the CSV split's rows, in the file's units. */
static cln_status sgd_params(run_state *s)
{
    CLI_TRY(cln_linreg_get(s->model, s->w, &s->b));
    if (s->csv) {
        size_t nt = s->split.num_train, d = s->d;
        s->train_mse = mse_of(s->split.X, s->split.y, nt, d, s->w, s->b);
        s->val_mse = mse_of(s->split.X + nt * d, s->split.y + nt, s->split.num_val, d, s->w, s->b);
        CLI_TRY(cln_split_unstandardize(&s->split, s->w, s->b, s->w, &s->b));
    }
    s->have_sgd = 1;
    return CLN_SUCCESS;
}

/* After a divergence on raw features of very different scales: say that --standardize may
 * help (the training rows' standard deviations, in the file's units). */
static void hint_standardize(run_state *s)
{
    int standardized = s->o->standardize || (s->meta && cln_model_meta_standardized(s->meta));
    if (!s->diverged || !s->csv || standardized)
        return;
    double ratio = cli_scale_ratio(s->split.X, s->split.num_train, s->d);
    cli_standardize_hint(s->fit_msg, sizeof s->fit_msg, ratio);
}

cln_status linreg_train_sgd(run_state *s)
{
    const linreg_options *o = s->o;
    const cln_loss *loss = o->loss == LINREG_LOSS_MSE ? cln_loss_mse() : cln_loss_half_mse();
    CLI_TRY(prepare_model(s, loss));
    progress prog;
    progress_init(&prog, o->quiet || !s->root, &o->progress);
    epoch_watch watch = {s, &prog, o->test_signal, 0, 0};
    cln_sharding sharding;
    cln_trainer_config tc;
    trainer_config(s, &watch, &sharding, &tc);
    cln_status st = fit(s, loss, &tc, &prog);
    progress_done(&prog);
    fflush(cli_text());
    CLI_TRY(cli_fit_end(st, s->ctx, s->fit_msg, sizeof s->fit_msg, &s->diverged,
                        &s->stopped_by));
    hint_standardize(s);
    return sgd_params(s);
}

/* The least squares of the CSV split's training rows, with the MSE of both parts, in the
 * file's units. */
static cln_status exact_on_split(run_state *s, cln_lstsq_info *info)
{
    const cln_split *sp = &s->split;
    size_t nt = sp->num_train, d = s->d;
    CLI_TRY(cln_lstsq(sp->X, sp->y, nt, d, 1, CLN_LSTSQ_QR, s->w_exact, &s->b_exact, info));
    s->train_mse_exact = mse_of(sp->X, sp->y, nt, d, s->w_exact, s->b_exact);
    s->val_mse_exact = mse_of(sp->X + nt * d, sp->y + nt, sp->num_val, d, s->w_exact,
                              s->b_exact);
    return cln_split_unstandardize(sp, s->w_exact, s->b_exact, s->w_exact, &s->b_exact);
}

/* The dataset's nt training rows in double, on the host: copied from host memory (rows too
 * large for the device stay there, training rows first), or downloaded. */
static cln_status training_rows(const cln_dataset *data, size_t nt, size_t d, double *X,
                                double *y)
{
    if (!cln_dataset_on_host(data)) {
        CLI_TRY(cln_tensor_download_f64(cln_dataset_train_X(data), X, nt * d));
        return cln_tensor_download_f64(cln_dataset_train_y(data), y, nt);
    }
    int f64 = cln_dataset_dtype(data) == CLN_FLOAT64;
    const void *hx = cln_dataset_host_X(data), *hy = cln_dataset_host_y(data);
    for (size_t i = 0; i < nt * d; i++)
        X[i] = f64 ? ((const double *)hx)[i] : (double)((const float *)hx)[i];
    for (size_t i = 0; i < nt; i++)
        y[i] = f64 ? ((const double *)hy)[i] : (double)((const float *)hy)[i];
    return CLN_SUCCESS;
}

/* The least squares of the synthetic training rows (there is no validation MSE: the
 * validation loss is the fit's). */
static cln_status exact_on_synthetic(run_state *s, cln_lstsq_info *info)
{
    size_t nt = cln_dataset_num_train(s->data), d = s->d;
    double *X = malloc(nt * d * sizeof *X), *y = malloc(nt * sizeof *y);
    cln_status st = X && y ? CLN_SUCCESS : CLN_ERR_OUT_OF_HOST_MEMORY;
    if (st == CLN_SUCCESS)
        st = training_rows(s->data, nt, d, X, y);
    if (st == CLN_SUCCESS)
        st = cln_lstsq(X, y, nt, d, 1, CLN_LSTSQ_QR, s->w_exact, &s->b_exact, info);
    free(X);
    free(y);
    if (st != CLN_SUCCESS)
        return st;
    s->train_mse_exact = info->mse;
    s->val_mse_exact = NAN;
    return CLN_SUCCESS;
}

cln_status linreg_solve_exact(run_state *s)
{
    s->w_exact = malloc(s->d * sizeof *s->w_exact);
    if (!s->w_exact)
        return CLN_ERR_OUT_OF_HOST_MEMORY;
    cln_lstsq_info info;
    double t0 = cli_now_ms();
    CLI_TRY(s->csv ? exact_on_split(s, &info) : exact_on_synthetic(s, &info));
    s->condition = info.condition;
    s->rank = info.rank;
    if (s->o->solver == LINREG_SOLVER_EXACT)
        s->ms = cli_now_ms() - t0;
    s->have_exact = 1;
    return CLN_SUCCESS;
}
