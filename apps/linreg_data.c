#include "linreg_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_csv.h"
#include "cli_devices.h"
#include "cli_kernels.h"
#include "linreg_agree.h"

/* The --load model's standardisation on the split's rows (read in the file's units), so that
 * they enter the model as its training rows did; its mean and scale then the split's. */
static cln_status standardize_as_loaded(run_state *s)
{
    cln_split *sp = &s->split;
    CLI_TRY(cln_model_meta_standardize(s->meta, sp->X, sp->num_train + sp->num_val));
    for (size_t j = 0; j < sp->num_inputs; j++) {
        sp->mean[j] = cln_model_meta_mean(s->meta, j);
        sp->scale[j] = cln_model_meta_scale(s->meta, j);
    }
    return CLN_SUCCESS;
}

/* The --load model's features, by name, as the columns to read. */
static cln_status loaded_features(run_state *s)
{
    size_t d = cln_model_meta_num_features(s->meta);
    if (!(s->features = calloc(d, sizeof *s->features)))
        return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    s->num_features = d;
    for (size_t j = 0; j < d; j++) {
        const char *name = cln_model_meta_feature_name(s->meta, j);
        size_t n = strlen(name) + 1;
        if (!(s->features[j] = malloc(n)))
            return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of memory");
        memcpy(s->features[j], name, n);
    }
    return CLN_SUCCESS;
}

/* Reads and splits the CSV file (host only): its columns, or with --load the model's. */
static cln_status load_csv(run_state *s)
{
    const linreg_options *o = s->o;
    cln_csv_options co;
    cln_csv_options_init(&co);
    co.delimiter = o->delimiter;
    co.has_header = !o->no_header;
    co.target = o->target;
    if (s->meta) {
        CLI_TRY(loaded_features(s));
        if (!co.target)
            co.target = cln_model_meta_target_name(s->meta);
    } else if (o->features &&
               cli_split_list(o->features, &s->features, &s->num_features) != 0) {
        return CLN_ERR_BAD_ARGUMENT; /* checked with the command line */
    }
    if (s->features) {
        co.features = (const char *const *)s->features;
        co.num_features = s->num_features;
    }
    CLI_TRY(cli_csv_read(o->data_path, &co, o->exclude, &s->csv));
    cln_split_config sc;
    cln_split_config_init(&sc);
    sc.val_fraction = o->val_fraction;
    sc.seed = o->seed;
    sc.standardize = o->standardize;
    CLI_TRY(cln_csv_split(s->csv, &sc, &s->split));
    s->d = s->split.num_inputs;
    return s->meta ? standardize_as_loaded(s) : CLN_SUCCESS;
}

/* The --load model, on the context: its dtype, description and the epochs it was trained
 * for. */
static cln_status load_model(run_state *s)
{
    CLI_TRY(cln_linreg_load(s->ctx, s->o->load_path, &s->model, &s->meta));
    s->dtype = cln_linreg_dtype(s->model);
    s->first_epoch = cln_model_epochs_trained(cln_linreg_model(s->model));
    return CLN_SUCCESS;
}

/* The context and its kernels (built now, said so when that is a first run's compile). */
static cln_status open_device(run_state *s)
{
    const linreg_options *o = s->o;
    const linreg_group *g = s->g;
    cln_status st = linreg_agree_step(g, g ? g->context_create(o->device, &s->ctx)
                                           : cln_context_create(o->device, &s->ctx));
    if (st == CLN_SUCCESS && o->load_path)
        st = linreg_agree_step(g, load_model(s));
    if (st == CLN_SUCCESS)
        st = linreg_agree_step(g, cli_build_kernels(LINREG_PROGRAM, s->ctx, s->dtype,
                                                    o->solver == LINREG_SOLVER_SGD &&
                                                        !o->predict_path,
                                                    o->quiet || !s->root));
    return st;
}

cln_status linreg_open(run_state *s)
{
    const linreg_options *o = s->o;
    const linreg_group *g = s->g;
    int host_only = o->data_path && o->solver == LINREG_SOLVER_EXACT; /* never in a group */
    s->dtype = o->dtype == CLI_DTYPE_FLOAT64 ? CLN_FLOAT64 : CLN_FLOAT32;
    /* a saved model first: its features decide the columns read */
    cln_status st = o->load_path ? open_device(s) : CLN_SUCCESS;
    /* host-only failures leave their message on the thread */
    if (st == CLN_SUCCESS && o->data_path)
        st = linreg_agree_step(g, load_csv(s));
    if (st == CLN_SUCCESS && !host_only && !o->load_path)
        st = open_device(s);
    return st;
}

void linreg_print_devices(const run_state *s)
{
    if (!s->ctx) {
        cli_printf("device: none (the exact solver runs on the host)\n");
        return;
    }
    size_t ranks = s->g ? s->g->group.size : 1;
    for (size_t r = 0; r < ranks; r++) {
        char line[384] = "";
        if (!s->g || s->g->group.rank == r) {
            const cln_device_info *dev = cln_context_device(s->ctx);
            snprintf(line, sizeof line, "%s (%s, %s)", dev->device_name, dev->platform_name,
                     cli_device_type_name(dev->type));
        }
        if (!s->g) {
            cli_printf("device: %s\n", line);
            continue;
        }
        if (s->g->group.broadcast(line, sizeof line, r, s->g->group.user) != 0)
            snprintf(line, sizeof line, "(not known: the broadcast failed)");
        line[sizeof line - 1] = '\0';
        cli_printf("device: rank %zu: %s\n", r, line);
    }
}

/* How the training rows are shared: by the group's ranks, or, with --shards, in the order
 * that many ranks would draw. */
static void print_sharding(const run_state *s, size_t num_train)
{
    const linreg_options *o = s->o;
    size_t k = s->g ? s->g->group.size : o->shards;
    if (k < 2 || o->quiet || o->solver != LINREG_SOLVER_SGD)
        return;
    size_t lo, hi;
    cln_shard_range(num_train, k, k - 1, NULL, &lo);
    cln_shard_range(num_train, k, 0, NULL, &hi);
    char rows[64];
    if (lo == hi)
        snprintf(rows, sizeof rows, "%zu", lo);
    else
        snprintf(rows, sizeof rows, "%zu or %zu", lo, hi);
    if (s->g)
        cli_printf("data-parallel: %zu ranks, each training on its shard (%s training rows); "
               "global minibatch %zu = %zu x %zu\n", k, rows, o->batch_size, k,
               o->batch_size / k);
    else
        cli_printf("data-parallel order of %zu ranks in one process (--shards; %s training rows "
               "a shard); global minibatch %zu = %zu x %zu\n", k, rows, o->batch_size, k,
               o->batch_size / k);
}

/* A group's rank: its shard of the split's training rows and of its validation rows
 * (cln_shard_range), as a dataset. */
static cln_status csv_shard(run_state *s)
{
    const cln_split *sp = &s->split;
    size_t d = sp->num_inputs, k = s->g->group.size, ft, nt, fv, nv;
    cln_shard_range(sp->num_train, k, s->g->group.rank, &ft, &nt);
    cln_shard_range(sp->num_val, k, s->g->group.rank, &fv, &nv);
    if (nt == 0)
        return cln_context_set_error(NULL, CLN_ERR_BAD_ARGUMENT, "%s: its %zu training rows "
                                     "cannot be shared among %zu ranks (each needs one at "
                                     "least)", s->o->data_path, sp->num_train, k);
    double *X = malloc((nt + nv) * d * sizeof *X), *y = malloc((nt + nv) * sizeof *y);
    cln_status st;
    if (!X || !y) {
        st = cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of memory for a "
                                   "shard of %zu rows", nt + nv);
    } else {
        memcpy(X, sp->X + ft * d, nt * d * sizeof *X);
        memcpy(X + nt * d, sp->X + (sp->num_train + fv) * d, nv * d * sizeof *X);
        memcpy(y, sp->y + ft, nt * sizeof *y);
        memcpy(y + nt, sp->y + sp->num_train + fv, nv * sizeof *y);
        st = cln_dataset_create_placed(s->ctx, s->dtype, X, y, nt + nv, d, nt,
                                       (cln_placement)s->o->placement, &s->data);
    }
    free(X);
    free(y);
    return st;
}

/* The CSV split as a dataset: every row, or in a group this rank's shard. */
static cln_status csv_dataset(run_state *s)
{
    const cln_split *sp = &s->split;
    cln_placement where = (cln_placement)s->o->placement;
    if (s->g)
        return csv_shard(s);
    if (where == CLN_PLACE_AUTO)
        return cln_split_dataset(s->ctx, s->dtype, sp, &s->data);
    return cln_dataset_create_placed(s->ctx, s->dtype, sp->X, sp->y,
                                     sp->num_train + sp->num_val, sp->num_inputs,
                                     sp->num_train, where, &s->data);
}

static cln_status csv_data(run_state *s)
{
    const linreg_options *o = s->o;
    char path[512], target[256]; /* as a terminal shows them: cli_printable */
    if (!o->quiet)
        cli_printf("data: %s: %zu rows, %zu training and %zu validation (seed %llu), %zu "
               "feature%s, target '%s'%s\n",
               cli_printable(o->data_path, path, sizeof path), cln_csv_num_rows(s->csv),
               s->split.num_train, s->split.num_val, (unsigned long long)o->seed, s->d,
               s->d == 1 ? "" : "s", cli_printable(cln_csv_target_name(s->csv), target,
               sizeof target), o->standardize ? ", standardized"
               : s->meta && cln_model_meta_standardized(s->meta) ? ", standardized as the --load "
                 "model's training rows" : "");
    print_sharding(s, s->split.num_train);
    return s->ctx ? csv_dataset(s) : CLN_SUCCESS;
}

static cln_status synthetic_data(run_state *s)
{
    const linreg_options *o = s->o;
    /* a loaded model's inputs, or --num-inputs */
    s->d = s->model ? cln_linreg_num_inputs(s->model) : o->num_inputs;
    if (s->model && (o->given & LINREG_GIVEN_NUM_INPUTS) && o->num_inputs != s->d)
        return cln_context_set_error(NULL, CLN_ERR_BAD_ARGUMENT, "--num-inputs %zu: the --load "
                                     "model has %zu inputs", o->num_inputs, s->d);
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_inputs = s->d;
    dc.dtype = s->dtype;
    dc.num_train = o->num_train;
    dc.num_val = o->num_val;
    dc.noise = o->noise;
    dc.seed = o->seed;
    dc.placement = (cln_placement)o->placement;
    if (s->g) { /* exactly this rank's rows of the whole set */
        dc.num_shards = s->g->group.size;
        dc.shard = s->g->group.rank;
    }
    CLI_TRY(cln_synthetic_create(s->ctx, &dc, &s->data));
    if (!(s->w_true = malloc(s->d * sizeof *s->w_true)))
        return CLN_ERR_OUT_OF_HOST_MEMORY;
    CLI_TRY(cln_dataset_true_params(s->data, s->w_true, &s->b_true));
    s->have_true = 1;
    if (!o->quiet)
        cli_printf("data: %zu training and %zu validation rows, %zu inputs, noise %g, seed %llu\n",
               o->num_train, o->num_val, s->d, o->noise, (unsigned long long)o->seed);
    print_sharding(s, o->num_train);
    return CLN_SUCCESS;
}

cln_status linreg_load_data(run_state *s)
{
    return s->o->data_path ? csv_data(s) : synthetic_data(s);
}
