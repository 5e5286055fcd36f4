#include "linreg_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linreg_agree.h"

/* Reads and splits the CSV file (host only). */
static cln_status load_csv(run_state *s)
{
    const linreg_options *o = s->o;
    cln_csv_options co;
    cln_csv_options_init(&co);
    co.delimiter = o->delimiter;
    co.has_header = !o->no_header;
    co.target = o->target;
    if (o->features) {
        if (cli_split_list(o->features, &s->features, &s->num_features) != 0)
            return CLN_ERR_BAD_ARGUMENT; /* checked with the command line */
        co.features = (const char *const *)s->features;
        co.num_features = s->num_features;
    }
    CLI_TRY(cln_csv_read(o->data_path, &co, &s->csv));
    cln_split_config sc;
    cln_split_config_init(&sc);
    sc.val_fraction = o->val_fraction;
    sc.seed = o->seed;
    sc.standardize = o->standardize;
    CLI_TRY(cln_csv_split(s->csv, &sc, &s->split));
    s->d = s->split.num_inputs;
    return CLN_SUCCESS;
}

cln_status linreg_open(run_state *s)
{
    const linreg_options *o = s->o;
    const linreg_group *g = s->g;
    int host_only = o->data_path && o->solver == LINREG_SOLVER_EXACT; /* never in a group */
    cln_status st = CLN_SUCCESS;
    /* host-only failures leave their message on the thread */
    if (o->data_path)
        st = load_csv(s);
    st = linreg_agree_step(g, st);
    if (st == CLN_SUCCESS && !host_only)
        st = linreg_agree_step(g, g ? g->context_create(o->device, &s->ctx)
                                    : cln_context_create(o->device, &s->ctx));
    return st;
}

void linreg_print_devices(const run_state *s)
{
    if (!s->ctx) {
        printf("device: none (the exact solver runs on the host)\n");
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
            printf("device: %s\n", line);
            continue;
        }
        if (s->g->group.broadcast(line, sizeof line, r, s->g->group.user) != 0)
            snprintf(line, sizeof line, "(not known: the broadcast failed)");
        line[sizeof line - 1] = '\0';
        printf("device: rank %zu: %s\n", r, line);
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
        printf("data-parallel: %zu ranks, each training on its shard (%s training rows); "
               "global minibatch %zu = %zu x %zu\n", k, rows, o->batch_size, k,
               o->batch_size / k);
    else
        printf("data-parallel order of %zu ranks in one process (--shards; %s training rows "
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
        st = cln_dataset_create_placed(s->ctx, CLN_FLOAT32, X, y, nt + nv, d, nt,
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
        return cln_split_dataset(s->ctx, CLN_FLOAT32, sp, &s->data);
    return cln_dataset_create_placed(s->ctx, CLN_FLOAT32, sp->X, sp->y,
                                     sp->num_train + sp->num_val, sp->num_inputs,
                                     sp->num_train, where, &s->data);
}

static cln_status csv_data(run_state *s)
{
    const linreg_options *o = s->o;
    char path[512], target[256]; /* as a terminal shows them: cli_printable */
    if (!o->quiet)
        printf("data: %s: %zu rows, %zu training and %zu validation (seed %llu), %zu "
               "feature%s, target '%s'%s\n",
               cli_printable(o->data_path, path, sizeof path), cln_csv_num_rows(s->csv),
               s->split.num_train, s->split.num_val, (unsigned long long)o->seed, s->d,
               s->d == 1 ? "" : "s", cli_printable(cln_csv_target_name(s->csv), target,
               sizeof target), o->standardize ? ", standardized" : "");
    print_sharding(s, s->split.num_train);
    return s->ctx ? csv_dataset(s) : CLN_SUCCESS;
}

static cln_status synthetic_data(run_state *s)
{
    const linreg_options *o = s->o;
    s->d = o->num_inputs;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_inputs = o->num_inputs;
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
        printf("data: %zu training and %zu validation rows, %zu inputs, noise %g, seed %llu\n",
               o->num_train, o->num_val, s->d, o->noise, (unsigned long long)o->seed);
    print_sharding(s, o->num_train);
    return CLN_SUCCESS;
}

cln_status linreg_load_data(run_state *s)
{
    return s->o->data_path ? csv_data(s) : synthetic_data(s);
}
