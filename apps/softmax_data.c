#include "softmax_data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_csv.h"

static cln_status out_of_memory(size_t rows, size_t d)
{
    return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY,
                                 "out of host memory for %zu rows of %zu features", rows, d);
}

/* rows x d doubles, or NULL (also when the size overflows) */
static double *alloc_rows(size_t rows, size_t d)
{
    if (d && rows > SIZE_MAX / sizeof(double) / d)
        return NULL;
    return malloc((rows * d > 0 ? rows * d : 1) * sizeof(double));
}

/* ---- IDX files ---------------------------------------------------------------------------- */

/* dir/name, or dir/name.gz where only that is there; NULL with the message when neither is. */
static cln_status find_idx(const char *dir, const char *name, char **out)
{
    char shown[512], *path;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        int e = errno;
        return cln_context_set_error(NULL, CLN_ERR_IO, "--idx %s: not a folder (%s)",
                                     cli_printable(dir, shown, sizeof shown),
                                     stat(dir, &st) == 0 ? "a file" : strerror(e));
    }
    size_t n = strlen(dir) + strlen(name) + 8;
    if (!(path = malloc(n)))
        return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    const char *sep = n > 8 && dir[strlen(dir) - 1] == '/' ? "" : "/";
    for (int gz = 0; gz < 2; gz++) {
        snprintf(path, n, "%s%s%s%s", dir, sep, name, gz ? ".gz" : "");
        if (stat(path, &st) == 0) {
            *out = path;
            return CLN_SUCCESS;
        }
    }
    snprintf(path, n, "%s%s%s", dir, sep, name);
    cln_status st2 = cln_context_set_error(NULL, CLN_ERR_IO, "--idx: %s: neither it nor %s.gz is "
                                           "there", cli_printable(path, shown, sizeof shown),
                                           name);
    free(path);
    return st2;
}

cln_status softmax_data_idx_paths(const softmax_options *o, softmax_data *data)
{
    static const char *const names[4] = {SOFTMAX_IDX_TRAIN_IMAGES, SOFTMAX_IDX_TRAIN_LABELS,
                                         SOFTMAX_IDX_VAL_IMAGES, SOFTMAX_IDX_VAL_LABELS};
    const char *given[4] = {o->train_images, o->train_labels, o->val_images, o->val_labels};
    for (int f = 0; f < 4; f++) {
        if (data->idx_path[f])
            continue;
        if (o->idx_dir) {
            CLI_TRY(find_idx(o->idx_dir, names[f], &data->idx_path[f]));
        } else if (given[f] && !(data->idx_path[f] = strdup(given[f]))) {
            return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
        }
    }
    return CLN_SUCCESS;
}

static cln_status load_idx(const softmax_options *o, softmax_data *data)
{
    CLI_TRY(softmax_data_idx_paths(o, data));
    cln_idx_pair tr, va;
    memset(&va, 0, sizeof va);
    CLI_TRY(cln_idx_load_pair(data->idx_path[0], data->idx_path[1], &tr));
    cln_status st = CLN_SUCCESS;
    char a[512], b[512];
    if (data->idx_path[2])
        st = cln_idx_load_pair(data->idx_path[2], data->idx_path[3], &va);
    if (st == CLN_SUCCESS && va.num_rows && va.num_inputs != tr.num_inputs)
        st = cln_context_set_error(NULL, CLN_ERR_PARSE, "%s: images of %zu pixels, but those "
                                   "of %s have %zu", cli_printable(data->idx_path[2], a, sizeof a),
                                   va.num_inputs, cli_printable(data->idx_path[0], b, sizeof b),
                                   tr.num_inputs);
    size_t k = tr.num_classes > va.num_classes ? tr.num_classes : va.num_classes;
    if (st == CLN_SUCCESS && k < 2)
        st = cln_context_set_error(NULL, CLN_ERR_BAD_ARGUMENT, "%s: every label is 0, a single "
                                   "class: softmax regression needs two classes or more",
                                   cli_printable(data->idx_path[1], a, sizeof a));
    size_t nt = tr.num_rows, nv = va.num_rows, d = tr.num_inputs;
    if (st == CLN_SUCCESS) {
        data->X = alloc_rows(nt + nv, d);
        data->labels = malloc((nt + nv) * sizeof *data->labels);
        if (!data->X || !data->labels)
            st = out_of_memory(nt + nv, d);
    }
    if (st == CLN_SUCCESS) {
        memcpy(data->X, tr.X, nt * d * sizeof *data->X);
        memcpy(data->labels, tr.labels, nt * sizeof *data->labels);
        if (nv) {
            memcpy(data->X + nt * d, va.X, nv * d * sizeof *data->X);
            memcpy(data->labels + nt, va.labels, nv * sizeof *data->labels);
        }
        data->num_train = nt;
        data->num_val = nv;
        data->d = d;
        data->k = k;
    }
    cln_idx_pair_free(&tr);
    cln_idx_pair_free(&va);
    return st;
}

/* ---- a CSV file ------------------------------------------------------------------------- */

/* A --load model's features, by name, as the columns to read. */
static cln_status model_features(const cln_model_meta *meta, softmax_data *data)
{
    size_t d = cln_model_meta_num_features(meta);
    if (!(data->features = calloc(d, sizeof *data->features)))
        return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    data->num_features = d;
    for (size_t j = 0; j < d; j++)
        if (!(data->features[j] = strdup(cln_model_meta_feature_name(meta, j))))
            return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    return CLN_SUCCESS;
}

static cln_status load_csv(const softmax_options *o, const cln_model_meta *meta,
                           softmax_data *data)
{
    cln_csv_options co;
    cln_csv_options_init(&co);
    co.delimiter = o->delimiter;
    co.has_header = !o->no_header;
    co.target = o->target;
    co.labels = 1;
    co.skip_lines = o->skip_lines;
    if (meta) {
        CLI_TRY(model_features(meta, data));
        if (!co.target)
            co.target = cln_model_meta_target_name(meta);
    } else if (o->features &&
               cli_split_list(o->features, &data->features, &data->num_features) != 0) {
        return cln_context_set_error(NULL, CLN_ERR_BAD_ARGUMENT,
                                     "--features: an empty name"); /* checked before */
    }
    if (data->features) {
        co.features = (const char *const *)data->features;
        co.num_features = data->num_features;
    }
    CLI_TRY(cli_csv_read(o->data_path, &co, o->exclude, &data->csv));
    size_t k = cln_csv_num_classes(data->csv);
    if (k < 2) {
        char path[512], target[256], label[256];
        return cln_context_set_error(NULL, CLN_ERR_BAD_ARGUMENT, "%s: the target column '%s' "
                                     "has a single class ('%s'): softmax regression needs two "
                                     "classes or more",
                                     cli_printable(o->data_path, path, sizeof path),
                                     cli_printable(cln_csv_target_name(data->csv), target,
                                                   sizeof target),
                                     cli_printable(cln_csv_class_name(data->csv, 0), label,
                                                   sizeof label));
    }
    cln_split_config sc;
    cln_split_config_init(&sc);
    sc.val_fraction = o->val_fraction;
    sc.seed = o->seed;
    sc.standardize = o->standardize;
    CLI_TRY(cln_csv_split(data->csv, &sc, &data->split));
    size_t n = data->split.num_train + data->split.num_val;
    data->num_train = data->split.num_train;
    data->num_val = data->split.num_val;
    data->d = data->split.num_inputs;
    data->k = k;
    data->X = data->split.X; /* the split's: freed with it */
    if (meta) { /* in the model's units, its standardisation the split's */
        CLI_TRY(cln_model_meta_standardize(meta, data->X, n));
        for (size_t j = 0; j < data->d; j++) {
            data->split.mean[j] = cln_model_meta_mean(meta, j);
            data->split.scale[j] = cln_model_meta_scale(meta, j);
        }
    }
    if (!(data->labels = malloc((n ? n : 1) * sizeof *data->labels)))
        return out_of_memory(n, data->d);
    for (size_t i = 0; i < n; i++)
        data->labels[i] = (uint32_t)data->split.y[i]; /* class indices (csv.h) */
    return CLN_SUCCESS;
}

/* ---- synthetic classes (the recipe: softmax_data.h) --------------------------------------- */

static cln_status make_synthetic(const softmax_options *o, softmax_data *data)
{
    size_t nt = o->num_train, nv = o->num_val, n = nt + nv, d = o->num_inputs, k = o->num_classes;
    data->X = alloc_rows(n, d);
    data->labels = malloc(n * sizeof *data->labels);
    double *centre = calloc(k * d, sizeof *centre);
    if (!data->X || !data->labels || !centre) {
        free(centre);
        return out_of_memory(n, d);
    }
    for (size_t c = 0; c < k; c++) {
        double r = 3.0 * (double)(1 + c / (2 * d));
        centre[c * d + (c / 2) % d] = c % 2 ? -r : r;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t u = cln_philox_u32(o->seed, 16, i);
        uint32_t c = (uint32_t)(((uint64_t)u * k) >> 32);
        data->labels[i] = c;
        for (size_t j = 0; j < d; j++)
            data->X[i * d + j] = centre[c * d + j] +
                                 o->noise * cln_philox_normal(o->seed, 17, (uint64_t)(i * d + j));
    }
    free(centre);
    data->num_train = nt;
    data->num_val = nv;
    data->d = d;
    data->k = k;
    return CLN_SUCCESS;
}

/* ---- the common part ---------------------------------------------------------------------- */

static cln_status name_and_count(softmax_data *data)
{
    size_t k = data->k;
    data->class_names = calloc(k, sizeof *data->class_names);
    data->train_counts = calloc(k, sizeof *data->train_counts);
    data->val_counts = calloc(k, sizeof *data->val_counts);
    if (!data->class_names || !data->train_counts || !data->val_counts)
        return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    for (size_t c = 0; c < k; c++) {
        char num[32];
        snprintf(num, sizeof num, "%zu", c);
        const char *name = data->csv ? cln_csv_class_name(data->csv, c) : num;
        if (!(data->class_names[c] = strdup(name ? name : num)))
            return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    }
    for (size_t i = 0; i < data->num_train + data->num_val; i++)
        (i < data->num_train ? data->train_counts : data->val_counts)[data->labels[i]]++;
    return CLN_SUCCESS;
}

cln_status softmax_data_load(const softmax_options *o, const cln_model_meta *meta,
                             softmax_data *data)
{
    if (o->data_path) {
        data->source = SOFTMAX_SOURCE_CSV;
        CLI_TRY(load_csv(o, meta, data));
    } else if (o->idx_dir || o->train_images) {
        data->source = SOFTMAX_SOURCE_IDX;
        CLI_TRY(load_idx(o, data));
    } else {
        data->source = SOFTMAX_SOURCE_SYNTHETIC;
        CLI_TRY(make_synthetic(o, data));
    }
    return name_and_count(data);
}

cln_status softmax_data_use_classes(softmax_data *data, const cln_model_meta *meta)
{
    size_t k = cln_model_meta_num_classes(meta), d = cln_model_meta_num_features(meta);
    char a[256], b[256];
    if (data->d != d)
        return cln_context_set_error(NULL, CLN_ERR_BAD_ARGUMENT, "the --load model has %zu "
                                     "features, the data %zu", d, data->d);
    size_t *index = malloc(data->k * sizeof *index);
    char **names = calloc(k, sizeof *names);
    cln_status st = index && names ? CLN_SUCCESS
                  : cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    for (size_t c = 0; st == CLN_SUCCESS && c < data->k; c++) {
        size_t m = 0;
        while (m < k && strcmp(cln_model_meta_class_name(meta, m), data->class_names[c]) != 0)
            m++;
        index[c] = m;
        if (m == k && data->train_counts[c] + data->val_counts[c] > 0) /* rows of it */
            st = cln_context_set_error(NULL, CLN_ERR_BAD_ARGUMENT, "class '%s' of the data is "
                                       "not one of the --load model's %zu classes ('%s' ...)",
                                       cli_printable(data->class_names[c], a, sizeof a), k,
                                       cli_printable(cln_model_meta_class_name(meta, 0), b,
                                                     sizeof b));
    }
    for (size_t m = 0; st == CLN_SUCCESS && m < k; m++)
        if (!(names[m] = strdup(cln_model_meta_class_name(meta, m))))
            st = cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    size_t *tc = st == CLN_SUCCESS ? calloc(k, sizeof *tc) : NULL;
    size_t *vc = st == CLN_SUCCESS ? calloc(k, sizeof *vc) : NULL;
    if (st == CLN_SUCCESS && (!tc || !vc))
        st = cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
    if (st == CLN_SUCCESS) {
        size_t n = data->num_train + data->num_val;
        for (size_t i = 0; i < n; i++) {
            data->labels[i] = (uint32_t)index[data->labels[i]];
            if (data->csv)
                data->split.y[i] = (double)data->labels[i]; /* what the dataset is made of */
            (i < data->num_train ? tc : vc)[data->labels[i]]++;
        }
        for (size_t c = 0; c < data->k; c++)
            free(data->class_names[c]);
        free(data->class_names);
        free(data->train_counts);
        free(data->val_counts);
        data->class_names = names;
        data->train_counts = tc;
        data->val_counts = vc;
        data->k = k;
        names = NULL;
        tc = vc = NULL;
    }
    for (size_t m = 0; names && m < k; m++)
        free(names[m]);
    free(names);
    free(tc);
    free(vc);
    free(index);
    return st;
}

cln_status softmax_data_upload(const softmax_data *data, cln_context *ctx, cln_dtype dtype,
                               cln_placement placement, cln_dataset **out)
{
    if (data->csv && placement == CLN_PLACE_AUTO)
        return cln_split_dataset_labeled(ctx, dtype, &data->split, data->k, out);
    return cln_dataset_create_labeled(ctx, dtype, data->X, data->labels,
                                      data->num_train + data->num_val, data->d, data->k,
                                      data->num_train, placement, out);
}

double softmax_data_accuracy(const softmax_data *data, const double *W, const double *b,
                             size_t first, size_t count, size_t *correct)
{
    size_t d = data->d, k = data->k, right = 0;
    double *logits = malloc(k * sizeof *logits);
    if (!logits || count == 0) {
        free(logits);
        return NAN;
    }
    if (correct)
        memset(correct, 0, k * sizeof *correct);
    for (size_t i = first; i < first + count; i++) {
        const double *x = data->X + i * d;
        for (size_t c = 0; c < k; c++)
            logits[c] = b[c];
        for (size_t j = 0; j < d; j++) {
            double v = x[j];
            if (v == 0)
                continue; /* images are mostly 0 */
            const double *w = W + j * k;
            for (size_t c = 0; c < k; c++)
                logits[c] += v * w[c];
        }
        size_t best = 0;
        for (size_t c = 1; c < k; c++)
            if (logits[c] > logits[best])
                best = c;
        if (best == data->labels[i]) {
            right++;
            if (correct)
                correct[best]++;
        }
    }
    free(logits);
    return (double)right / (double)count;
}

void softmax_data_free(softmax_data *data)
{
    if (data->source != SOFTMAX_SOURCE_CSV)
        free(data->X);
    free(data->labels);
    for (size_t c = 0; data->class_names && c < data->k; c++)
        free(data->class_names[c]);
    free(data->class_names);
    free(data->train_counts);
    free(data->val_counts);
    cln_csv_free(data->csv);
    cln_split_free(&data->split);
    cli_free_list(data->features, data->num_features);
    for (int f = 0; f < 4; f++)
        free(data->idx_path[f]);
    memset(data, 0, sizeof *data);
}
