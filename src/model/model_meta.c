/* What a saved model knows of its data (model_file.h's cln_model_meta): the features' names
 * and standardisation, the target's name and a classifier's classes; and the rows to predict
 * on, read from a CSV table by the features' names. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clnum/model_file.h"
#include "runtime/internal.h"

/* The data layer's rendering of a name for a one-line message (csv.c). */
const char *clni_printable(const char *s, char *out, size_t cap);

struct cln_model_meta {
    size_t d;
    char **names;            /* d feature names */
    double *mean, *scale;    /* d values each, or both NULL: not standardised */
    char *target;
    size_t k;                /* classes; 0 for a regression */
    char **classes;          /* k names, in class-index order */
};

static cln_status oom(const char *fn)
{
    return clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

typedef struct named {
    const char *name;
    size_t index;
} named;

static int by_name(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* CLN_ERR_BAD_ARGUMENT naming the first empty name or a repeated one (sorted, so a million
 * names take n log n, not n^2). what: "feature" or "class". */
static cln_status check_names(const char *const *names, size_t n, const char *fn,
                              const char *what)
{
    char shown[256];
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: %s name %zu is NULL", fn, what, i);
        if (!names[i][0])
            return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: %s name %zu is empty", fn, what, i);
    }
    named *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return oom(fn);
    for (size_t i = 0; i < n; i++)
        sorted[i] = (named){names[i], i};
    qsort(sorted, n, sizeof *sorted, by_name);
    cln_status st = CLN_SUCCESS;
    for (size_t i = 1; i < n && st == CLN_SUCCESS; i++)
        if (strcmp(sorted[i - 1].name, sorted[i].name) == 0)
            st = clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: %s names %zu and %zu are both '%s'",
                           fn, what, sorted[i - 1].index, sorted[i].index,
                           clni_printable(sorted[i].name, shown, sizeof shown));
    free(sorted);
    return st;
}

/* n copies of names, or of "<prefix><first + i>" for names NULL. */
static cln_status copy_names(const char *const *names, size_t n, const char *prefix,
                             size_t first, const char *fn, char ***out)
{
    char **c = calloc(n ? n : 1, sizeof *c);
    if (!c)
        return oom(fn);
    for (size_t i = 0; i < n; i++) {
        char made[48];
        if (!names)
            snprintf(made, sizeof made, "%s%zu", prefix, first + i);
        if (!(c[i] = strdup(names ? names[i] : made))) {
            free_names(c, n);
            return oom(fn);
        }
    }
    *out = c;
    return CLN_SUCCESS;
}

void cln_model_meta_free(cln_model_meta *meta)
{
    if (!meta)
        return;
    free_names(meta->names, meta->d);
    free(meta->mean);
    free(meta->scale);
    free(meta->target);
    free_names(meta->classes, meta->k);
    free(meta);
}

cln_status cln_model_meta_create(size_t num_features, const char *const *feature_names,
                                 const double *mean, const double *scale,
                                 const char *target_name, cln_model_meta **out)
{
    const char *fn = "cln_model_meta_create";
    CLNI_CHECK(clni_check_ptr(NULL, out, fn, "out"));
    *out = NULL;
    if (num_features == 0)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: num_features is 0", fn);
    if (num_features > SIZE_MAX / sizeof(double))
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: %zu features are too many", fn,
                         num_features);
    if (!mean != !scale)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: %s is NULL but %s is not: give both "
                         "(standardised) or neither", fn, mean ? "scale" : "mean",
                         mean ? "mean" : "scale");
    for (size_t j = 0; mean && j < num_features; j++) {
        if (!isfinite(mean[j]))
            return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: mean[%zu] is not finite", fn, j);
        if (!isfinite(scale[j]) || !(scale[j] > 0))
            return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: scale[%zu] is %g: it must be "
                             "finite and > 0", fn, j, scale[j]);
    }
    if (feature_names)
        CLNI_CHECK(check_names(feature_names, num_features, fn, "feature"));
    cln_model_meta *m = calloc(1, sizeof *m);
    if (!m)
        return oom(fn);
    cln_status st = copy_names(feature_names, num_features, "x", 1, fn, &m->names);
    if (st == CLN_SUCCESS) {
        m->d = num_features;
        m->target = strdup(target_name ? target_name : "y");
        if (!m->target)
            st = oom(fn);
    }
    if (st == CLN_SUCCESS && mean) {
        m->mean = malloc(num_features * sizeof *m->mean);
        m->scale = malloc(num_features * sizeof *m->scale);
        if (m->mean && m->scale) {
            memcpy(m->mean, mean, num_features * sizeof *m->mean);
            memcpy(m->scale, scale, num_features * sizeof *m->scale);
        } else {
            st = oom(fn);
        }
    }
    if (st != CLN_SUCCESS) {
        cln_model_meta_free(m);
        return st;
    }
    *out = m;
    return CLN_SUCCESS;
}

/* The classes, replacing any before; min_classes: 2 for the caller's call, 1 for a table's. */
static cln_status set_classes(cln_model_meta *meta, size_t num_classes,
                              const char *const *class_names, size_t min_classes,
                              const char *fn)
{
    CLNI_CHECK(clni_check_ptr(NULL, meta, fn, "meta"));
    if (num_classes < min_classes)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: %zu classes: a classifier has at "
                         "least %zu", fn, num_classes, min_classes);
    if (class_names)
        CLNI_CHECK(check_names(class_names, num_classes, fn, "class"));
    char **names;
    CLNI_CHECK(copy_names(class_names, num_classes, "", 0, fn, &names));
    free_names(meta->classes, meta->k);
    meta->classes = names;
    meta->k = num_classes;
    return CLN_SUCCESS;
}

cln_status cln_model_meta_set_classes(cln_model_meta *meta, size_t num_classes,
                                      const char *const *class_names)
{
    return set_classes(meta, num_classes, class_names, 2, "cln_model_meta_set_classes");
}

cln_status cln_model_meta_from_split(const cln_csv *csv, const cln_split *split,
                                     cln_model_meta **out)
{
    const char *fn = "cln_model_meta_from_split";
    CLNI_CHECK(clni_check_ptr(NULL, out, fn, "out"));
    *out = NULL;
    CLNI_CHECK(clni_check_ptr(NULL, csv, fn, "csv"));
    CLNI_CHECK(clni_check_ptr(NULL, split, fn, "split"));
    size_t d = cln_csv_num_features(csv);
    if (split->num_inputs != d)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: the split has %zu features, the table "
                         "%zu: not its split", fn, split->num_inputs, d);
    const char **names = malloc(d * sizeof *names);
    if (!names)
        return oom(fn);
    for (size_t j = 0; j < d; j++)
        names[j] = cln_csv_feature_name(csv, j);
    /* cln_csv_split() leaves mean 0 and scale 1 where it did not standardise */
    int standardized = 0;
    for (size_t j = 0; split->mean && split->scale && j < d; j++)
        standardized = standardized || split->mean[j] != 0 || split->scale[j] != 1;
    cln_status st = cln_model_meta_create(d, names, standardized ? split->mean : NULL,
                                          standardized ? split->scale : NULL,
                                          cln_csv_target_name(csv), out);
    free(names);
    size_t k = cln_csv_num_classes(csv);
    if (st == CLN_SUCCESS && k > 0) {
        const char **classes = malloc(k * sizeof *classes);
        if (!classes) {
            st = oom(fn);
        } else {
            for (size_t c = 0; c < k; c++)
                classes[c] = cln_csv_class_name(csv, c);
            st = set_classes(*out, k, classes, 1, fn);
            free(classes);
        }
    }
    if (st != CLN_SUCCESS) {
        cln_model_meta_free(*out);
        *out = NULL;
    }
    return st;
}

size_t cln_model_meta_num_features(const cln_model_meta *meta) { return meta ? meta->d : 0; }
const char *cln_model_meta_feature_name(const cln_model_meta *meta, size_t j)
{
    return meta && j < meta->d ? meta->names[j] : NULL;
}
int cln_model_meta_standardized(const cln_model_meta *meta) { return meta && meta->mean; }
double cln_model_meta_mean(const cln_model_meta *meta, size_t j)
{
    return meta && meta->mean && j < meta->d ? meta->mean[j] : 0.0;
}
double cln_model_meta_scale(const cln_model_meta *meta, size_t j)
{
    return meta && meta->scale && j < meta->d ? meta->scale[j] : 1.0;
}
const char *cln_model_meta_target_name(const cln_model_meta *meta)
{
    return meta ? meta->target : NULL;
}
size_t cln_model_meta_num_classes(const cln_model_meta *meta) { return meta ? meta->k : 0; }
const char *cln_model_meta_class_name(const cln_model_meta *meta, size_t c)
{
    return meta && c < meta->k ? meta->classes[c] : NULL;
}

cln_status cln_model_meta_standardize(const cln_model_meta *meta, double *X, size_t rows)
{
    const char *fn = "cln_model_meta_standardize";
    CLNI_CHECK(clni_check_ptr(NULL, meta, fn, "meta"));
    if (rows == 0 || !meta->mean)
        return CLN_SUCCESS;
    CLNI_CHECK(clni_check_ptr(NULL, X, fn, "X"));
    size_t d = meta->d;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < d; j++)
            X[i * d + j] = (X[i * d + j] - meta->mean[j]) / meta->scale[j];
    return CLN_SUCCESS;
}

/* Whether every feature's name is a 0-based column index in decimal ("0", "12"). */
static int names_are_indices(const cln_model_meta *meta)
{
    for (size_t j = 0; j < meta->d; j++) {
        const char *c = meta->names[j];
        if (!*c)
            return 0;
        for (; *c; c++)
            if (*c < '0' || *c > '9')
                return 0;
    }
    return 1;
}

cln_status cln_model_meta_read_rows(const cln_model_meta *meta, const char *path,
                                    const cln_csv_options *opts, double **X, size_t *rows)
{
    const char *fn = "cln_model_meta_read_rows";
    CLNI_CHECK(clni_check_ptr(NULL, X, fn, "X"));
    *X = NULL;
    CLNI_CHECK(clni_check_ptr(NULL, rows, fn, "rows"));
    *rows = 0;
    CLNI_CHECK(clni_check_ptr(NULL, meta, fn, "meta"));
    CLNI_CHECK(clni_check_ptr(NULL, path, fn, "path"));
    cln_csv_options o;
    if (opts)
        o = *opts;
    else
        cln_csv_options_init(&o);
    /* With a header, the model's features by name, in its order, whatever else the file
     * holds skipped. Without one, features named by column index (a model trained on a file
     * without a header) are those columns; features with other names, every column, in the
     * model's order. */
    int by_position = !o.has_header && !names_are_indices(meta);
    o.target = NULL;
    o.features = by_position ? NULL : (const char *const *)meta->names;
    o.num_features = by_position ? 0 : meta->d;
    o.labels = 0;
    o.no_target = 1;
    cln_csv *csv;
    CLNI_CHECK(cln_csv_read(path, &o, &csv));
    size_t n = cln_csv_num_rows(csv), d = meta->d;
    if (by_position && cln_csv_num_features(csv) != d) {
        size_t got = cln_csv_num_features(csv);
        cln_csv_free(csv);
        return cln_context_set_error(NULL, CLN_ERR_PARSE, "%s: %s has %zu columns and no header; "
                                     "the model has %zu features, which such a file must hold "
                                     "in the model's order", fn, strcmp(path, "-") ? path
                                     : "<stdin>", got, d);
    }
    double *x = malloc(n * d * sizeof *x);
    if (!x) {
        cln_csv_free(csv);
        return oom(fn);
    }
    memcpy(x, cln_csv_X(csv), n * d * sizeof *x);
    cln_csv_free(csv);
    cln_model_meta_standardize(meta, x, n);
    *X = x;
    *rows = n;
    return CLN_SUCCESS;
}
