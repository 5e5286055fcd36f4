/* Saved models (model_file.h): linear and softmax regressions as JSON files of the format
 * "clnum-model" (README.md, "Saved models"), read and written through Jansson. Reals are
 * written with 17 significant digits, which a double (and so a float) needs to come back as
 * the same bits. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clnum/model_file.h"
#include "host/atomic_file.h"
#include "runtime/internal.h"

/* The data layer's rendering of a name for a one-line message (csv.c). */
const char *clni_printable(const char *s, char *out, size_t cap);

#define FORMAT_NAME "clnum-model"
#define DUMP_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(17))

enum { MAX_SOFTMAX_CLASSES = 1 << 24 };

static const char *dtype_name(cln_dtype dtype)
{
    return dtype == CLN_FLOAT64 ? "float64" : "float32";
}

/* ---- writing ------------------------------------------------------------------------- */

/* A JSON document being built: the first failure is kept, later calls do nothing. */
typedef struct builder {
    cln_context *ctx;
    const char *fn;
    cln_status st;
} builder;

static void put(builder *b, json_t *obj, const char *key, json_t *v)
{
    if (b->st != CLN_SUCCESS) {
        json_decref(v);
        return;
    }
    if (!v || json_object_set_new(obj, key, v) != 0) /* set_new takes v even on failure */
        b->st = clni_fail(b->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", b->fn);
}

static void append(builder *b, json_t *arr, json_t *v)
{
    if (b->st != CLN_SUCCESS) {
        json_decref(v);
        return;
    }
    if (!v || json_array_append_new(arr, v) != 0)
        b->st = clni_fail(b->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", b->fn);
}

/* A name as a JSON string: JSON holds text, so a name that is not valid UTF-8 cannot go in. */
static json_t *text(builder *b, const char *s, const char *what, size_t index)
{
    if (b->st != CLN_SUCCESS)
        return NULL;
    json_t *v = json_string(s);
    if (v)
        return v;
    json_t *raw = json_string_nocheck(s); /* made: it was the UTF-8, not the memory */
    if (raw) {
        json_decref(raw);
        b->st = index == SIZE_MAX
                    ? clni_fail(b->ctx, CLN_ERR_BAD_ARGUMENT, "%s: the %s's name is not valid "
                                "UTF-8 (a model file holds text)", b->fn, what)
                    : clni_fail(b->ctx, CLN_ERR_BAD_ARGUMENT, "%s: the name of %s %zu is not "
                                "valid UTF-8 (a model file holds text)", b->fn, what, index);
    } else {
        b->st = clni_fail(b->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", b->fn);
    }
    return NULL;
}

/* n reals as a JSON array; each must be finite (a diverged parameter is not saved). */
static json_t *reals(builder *b, const double *v, size_t n, const char *name, size_t row)
{
    if (b->st != CLN_SUCCESS)
        return NULL;
    json_t *arr = json_array();
    if (!arr) {
        b->st = clni_fail(b->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", b->fn);
        return NULL;
    }
    for (size_t i = 0; i < n && b->st == CLN_SUCCESS; i++) {
        if (!isfinite(v[i])) {
            b->st = row == SIZE_MAX
                        ? clni_fail(b->ctx, CLN_ERR_NOT_FINITE, "%s: %s[%zu] is %g: nothing to "
                                    "save", b->fn, name, i, v[i])
                        : clni_fail(b->ctx, CLN_ERR_NOT_FINITE, "%s: %s[%zu][%zu] is %g: "
                                    "nothing to save", b->fn, name, row, i, v[i]);
            break;
        }
        append(b, arr, json_real(v[i]));
    }
    if (b->st != CLN_SUCCESS) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* The members every model file starts with, in the order they are written. */
static json_t *header(builder *b, const char *kind, cln_dtype dtype, size_t num_inputs,
                      size_t epochs)
{
    json_t *root = json_object();
    if (!root) {
        b->st = clni_fail(b->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", b->fn);
        return NULL;
    }
    put(b, root, "format", json_string(FORMAT_NAME));
    put(b, root, "format_version", json_integer(CLNUM_MODEL_FORMAT_VERSION));
    put(b, root, "clnum_version", json_string(cln_version()));
    put(b, root, "kind", json_string(kind));
    put(b, root, "dtype", json_string(dtype_name(dtype)));
    put(b, root, "num_inputs", json_integer((json_int_t)num_inputs));
    if (b->st == CLN_SUCCESS && (unsigned long long)epochs > (unsigned long long)LLONG_MAX)
        b->st = clni_fail(b->ctx, CLN_ERR_BAD_ARGUMENT, "%s: %zu epochs trained do not fit "
                          "the file's integers", b->fn, epochs);
    put(b, root, "epochs_trained", json_integer((json_int_t)epochs));
    return root;
}

/* The description's members: standardized, features (name, and mean and scale when
 * standardised), target, and for a classifier its k classes ("0" .. "k-1" without meta). */
static void put_meta(builder *b, json_t *root, const cln_model_meta *meta, size_t d, size_t k)
{
    int standardized = cln_model_meta_standardized(meta);
    put(b, root, "standardized", json_boolean(standardized));
    json_t *features = json_array();
    put(b, root, "features", features);
    for (size_t j = 0; j < d && b->st == CLN_SUCCESS; j++) {
        char made[32];
        snprintf(made, sizeof made, "x%zu", j + 1);
        json_t *f = json_object();
        append(b, features, f);
        put(b, f, "name", text(b, meta ? cln_model_meta_feature_name(meta, j) : made, "feature",
                               j));
        if (standardized) {
            put(b, f, "mean", json_real(cln_model_meta_mean(meta, j)));
            put(b, f, "scale", json_real(cln_model_meta_scale(meta, j)));
        }
    }
    put(b, root, "target", text(b, meta ? cln_model_meta_target_name(meta) : "y", "target",
                                SIZE_MAX));
    if (k == 0)
        return;
    json_t *classes = json_array();
    put(b, root, "classes", classes);
    int named = meta && cln_model_meta_num_classes(meta) > 0;
    for (size_t c = 0; c < k && b->st == CLN_SUCCESS; c++) {
        char made[32];
        snprintf(made, sizeof made, "%zu", c);
        append(b, classes, text(b, named ? cln_model_meta_class_name(meta, c) : made, "class", c));
    }
}

typedef struct document {
    const builder *b;
    const json_t *root;
} document;

/* The text of the document; a failed write leaves f's error flag for the caller. */
static cln_status dump(FILE *f, void *user)
{
    const document *doc = user;
    if (json_dumpf(doc->root, f, DUMP_FLAGS) != 0 && !ferror(f))
        return clni_fail(doc->b->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory",
                         doc->b->fn);
    fputc('\n', f);
    return CLN_SUCCESS;
}

/* Writes the document (freed here) to path; messages call the file by its printable name. */
static cln_status write_doc(builder *b, json_t *root, const char *path)
{
    cln_status st = b->st;
    if (st == CLN_SUCCESS) {
        char shown[1024];
        clni_printable(path, shown, sizeof shown);
        document doc = {b, root};
        st = clni_write_file_atomic(b->ctx, path, shown, b->fn, dump, &doc);
    }
    json_decref(root);
    return st;
}

/* The checks of a save's description: its features are the model's inputs; classes, when
 * it has them, the model's classes (k 0: a regression, which has none). */
static cln_status check_meta(cln_context *ctx, const char *fn, const cln_model_meta *meta,
                             size_t d, size_t k)
{
    if (!meta)
        return CLN_SUCCESS;
    if (cln_model_meta_num_features(meta) != d)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: the description has %zu features, the "
                         "model %zu inputs", fn, cln_model_meta_num_features(meta), d);
    size_t mk = cln_model_meta_num_classes(meta);
    if (k == 0 && mk > 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: the description has %zu classes; a "
                         "linear regression has none", fn, mk);
    if (k > 0 && mk > 0 && mk != k)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: the description has %zu classes, the "
                         "model %zu", fn, mk, k);
    return CLN_SUCCESS;
}

cln_status cln_linreg_save(cln_linreg *m, const cln_model_meta *meta, const char *path)
{
    const char *fn = "cln_linreg_save";
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "m"));
    cln_context *ctx = cln_linreg_context(m);
    CLNI_CHECK(clni_check_ptr(ctx, path, fn, "path"));
    size_t d = cln_linreg_num_inputs(m);
    CLNI_CHECK(check_meta(ctx, fn, meta, d, 0));
    double *w = malloc(d * sizeof *w), bias;
    if (!w)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    cln_status st = cln_linreg_get(m, w, &bias);
    if (st != CLN_SUCCESS) {
        free(w);
        return st;
    }
    builder b = {ctx, fn, CLN_SUCCESS};
    json_t *root = header(&b, "linreg", cln_linreg_dtype(m), d,
                          cln_model_epochs_trained(cln_linreg_model(m)));
    put(&b, root, "loss_scale", json_real(cln_linreg_loss_scale(m)));
    put_meta(&b, root, meta, d, 0);
    put(&b, root, "w", reals(&b, w, d, "w", SIZE_MAX));
    if (b.st == CLN_SUCCESS && !isfinite(bias))
        b.st = clni_fail(ctx, CLN_ERR_NOT_FINITE, "%s: b is %g: nothing to save", fn, bias);
    put(&b, root, "b", json_real(bias));
    free(w);
    return write_doc(&b, root, path);
}

cln_status cln_softmax_save(cln_softmax *m, const cln_model_meta *meta, const char *path)
{
    const char *fn = "cln_softmax_save";
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "m"));
    cln_context *ctx = cln_softmax_context(m);
    CLNI_CHECK(clni_check_ptr(ctx, path, fn, "path"));
    size_t d = cln_softmax_num_inputs(m), k = cln_softmax_num_classes(m);
    CLNI_CHECK(check_meta(ctx, fn, meta, d, k));
    double *W = malloc(d * k * sizeof *W), *bias = malloc(k * sizeof *bias);
    cln_status st = W && bias ? cln_softmax_get(m, W, bias)
                              : clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    if (st != CLN_SUCCESS) {
        free(W);
        free(bias);
        return st;
    }
    builder b = {ctx, fn, CLN_SUCCESS};
    json_t *root = header(&b, "softmax", cln_softmax_dtype(m), d,
                          cln_model_epochs_trained(cln_softmax_model(m)));
    put(&b, root, "num_classes", json_integer((json_int_t)k));
    put_meta(&b, root, meta, d, k);
    /* W row by row: row j holds feature j's weight for each class */
    json_t *rows = json_array();
    put(&b, root, "W", rows);
    for (size_t j = 0; j < d && b.st == CLN_SUCCESS; j++)
        append(&b, rows, reals(&b, W + j * k, k, "W", j));
    put(&b, root, "b", reals(&b, bias, k, "b", SIZE_MAX));
    free(W);
    free(bias);
    return write_doc(&b, root, path);
}

/* ---- reading ------------------------------------------------------------------------- */

/* A file being read: its name as messages show it, and the document. */
typedef struct source {
    cln_context *ctx;
    char shown[1024];
    json_t *root;
} source;

/* CLN_ERR_PARSE: "FILE: what". */
static cln_status bad(const source *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static cln_status bad(const source *s, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return clni_fail(s->ctx, CLN_ERR_PARSE, "%s: %s", s->shown, what);
}

static cln_status open_doc(source *s, const char *path)
{
    int from_stdin = strcmp(path, "-") == 0;
    clni_printable(from_stdin ? "<stdin>" : path, s->shown, sizeof s->shown);
    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return clni_fail(s->ctx, CLN_ERR_IO, "cannot open %s: %s", s->shown, strerror(errno));
    json_error_t err;
    s->root = json_loadf(f, JSON_REJECT_DUPLICATES, &err);
    int read_failed = ferror(f);
    if (!from_stdin)
        fclose(f);
    if (s->root)
        return CLN_SUCCESS;
    if (read_failed)
        return clni_fail(s->ctx, CLN_ERR_IO, "cannot read %s", s->shown);
    char why[JSON_ERROR_TEXT_LENGTH + 8];
    clni_printable(err.text, why, sizeof why);
    if (err.line > 0)
        return clni_fail(s->ctx, CLN_ERR_PARSE, "%s:%d:%d: not a clnum model (not JSON: %s)",
                         s->shown, err.line, err.column, why);
    return bad(s, "not a clnum model (not JSON: %s)", why);
}

static cln_status member(const source *s, const json_t *obj, const char *key, json_t **out)
{
    *out = json_object_get(obj, key);
    return *out ? CLN_SUCCESS : bad(s, "\"%s\" is missing", key);
}

/* A whole number in [lo, hi]. */
static cln_status whole(const source *s, const json_t *obj, const char *key, long long lo,
                        long long hi, size_t *out)
{
    json_t *v;
    CLNI_CHECK(member(s, obj, key, &v));
    if (!json_is_integer(v))
        return bad(s, "\"%s\" is not a whole number", key);
    json_int_t n = json_integer_value(v);
    if (n < lo || n > hi)
        return bad(s, "\"%s\" is %lld, outside %lld .. %lld", key, (long long)n, lo, hi);
    *out = (size_t)n;
    return CLN_SUCCESS;
}

static cln_status string(const source *s, const json_t *obj, const char *key, const char **out)
{
    json_t *v;
    CLNI_CHECK(member(s, obj, key, &v));
    if (!json_is_string(v))
        return bad(s, "\"%s\" is not a string", key);
    *out = json_string_value(v);
    return CLN_SUCCESS;
}

/* A number that is finite in dtype (a float32 model's parameters within float's range). */
static cln_status real_in(const source *s, const json_t *v, cln_dtype dtype, const char *what,
                          double *out)
{
    if (!json_is_number(v))
        return bad(s, "%s is not a number", what);
    double x = json_number_value(v);
    if (!isfinite(x) || (dtype == CLN_FLOAT32 && !isfinite((float)x)))
        return bad(s, "%s is %g, not finite in %s", what, x, dtype_name(dtype));
    *out = x;
    return CLN_SUCCESS;
}

/* An array of n numbers finite in dtype; name and row (SIZE_MAX: none) say what it is. */
static cln_status real_array(const source *s, const json_t *arr, size_t n, cln_dtype dtype,
                             const char *name, size_t row, const char *count_of, double *out)
{
    char what[64];
    if (row == SIZE_MAX)
        snprintf(what, sizeof what, "\"%s\"", name);
    else
        snprintf(what, sizeof what, "\"%s\"[%zu]", name, row);
    if (!json_is_array(arr))
        return bad(s, "%s is not an array", what);
    if (json_array_size(arr) != n)
        return bad(s, "%s has %zu values for %zu %s", what, json_array_size(arr), n, count_of);
    for (size_t i = 0; i < n; i++) {
        char at[96];
        snprintf(at, sizeof at, "%s[%zu]", what, i);
        CLNI_CHECK(real_in(s, json_array_get(arr, i), dtype, at, &out[i]));
    }
    return CLN_SUCCESS;
}

/* What a file holds, checked, on the host. */
typedef struct contents {
    cln_dtype dtype;
    size_t d, k;             /* k: 0 for a linear regression */
    size_t epochs;
    double loss_scale;
    double *w, *b;           /* d x k (d for linreg) and k (1) values */
    cln_model_meta *meta;
} contents;

static void contents_free(contents *c)
{
    free(c->w);
    free(c->b);
    cln_model_meta_free(c->meta);
    memset(c, 0, sizeof *c);
}

/* format, format_version, kind, dtype: what says whether the rest can be read here. */
static cln_status read_header(const source *s, const char *kind, contents *c)
{
    const json_t *root = s->root;
    const json_t *format = json_is_object(root) ? json_object_get(root, "format") : NULL;
    if (!json_is_string(format) || strcmp(json_string_value(format), FORMAT_NAME) != 0)
        return bad(s, "not a clnum model (no \"format\": \"" FORMAT_NAME "\")");
    size_t version;
    CLNI_CHECK(whole(s, root, "format_version", 1, LLONG_MAX, &version));
    if (version > CLNUM_MODEL_FORMAT_VERSION)
        return bad(s, "format version %zu is newer than this clnum (%s) reads (%d)", version,
                   cln_version(), CLNUM_MODEL_FORMAT_VERSION);
    const char *has;
    CLNI_CHECK(string(s, root, "kind", &has));
    if (strcmp(has, kind) != 0) {
        char shown[128];
        return clni_fail(s->ctx, CLN_ERR_PARSE, "%s holds a %s model; this loads %s models",
                         s->shown, clni_printable(has, shown, sizeof shown), kind);
    }
    const char *dtype;
    CLNI_CHECK(string(s, root, "dtype", &dtype));
    if (strcmp(dtype, "float32") == 0)
        c->dtype = CLN_FLOAT32;
    else if (strcmp(dtype, "float64") == 0)
        c->dtype = CLN_FLOAT64;
    else
        return bad(s, "\"dtype\" is neither \"float32\" nor \"float64\"");
    if (c->dtype == CLN_FLOAT64 && !s->ctx->info.has_float64)
        return clni_fail(s->ctx, CLN_ERR_NO_FLOAT64, "%s holds a float64 model; %s has no "
                         "float64 (cl_khr_fp64)", s->shown, s->ctx->info.device_name);
    return CLN_SUCCESS;
}

/* standardized, features, target and classes, into c->meta. */
static cln_status read_meta(const source *s, contents *c)
{
    const json_t *root = s->root;
    json_t *standardized, *features;
    CLNI_CHECK(member(s, root, "standardized", &standardized));
    if (!json_is_boolean(standardized))
        return bad(s, "\"standardized\" is neither true nor false");
    int std = json_is_true(standardized);
    CLNI_CHECK(member(s, root, "features", &features));
    if (!json_is_array(features))
        return bad(s, "\"features\" is not an array");
    if (json_array_size(features) != c->d)
        return bad(s, "\"features\" has %zu entries for %zu inputs", json_array_size(features),
                   c->d);
    const char *target;
    CLNI_CHECK(string(s, root, "target", &target));
    const char **names = malloc(c->d * sizeof *names);
    double *mean = malloc(c->d * sizeof *mean), *scale = malloc(c->d * sizeof *scale);
    cln_status st = names && mean && scale
                        ? CLN_SUCCESS
                        : clni_fail(s->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory",
                                    s->shown);
    for (size_t j = 0; j < c->d && st == CLN_SUCCESS; j++) {
        const json_t *f = json_array_get(features, j);
        char what[64];
        snprintf(what, sizeof what, "\"features\"[%zu]", j);
        const json_t *name = json_object_get(f, "name");
        if (!json_is_string(name)) {
            st = bad(s, "%s has no \"name\" string", what);
            break;
        }
        names[j] = json_string_value(name);
        if (!std)
            continue;
        char at[96];
        snprintf(at, sizeof at, "%s's \"mean\"", what);
        json_t *m = json_object_get(f, "mean"), *sc = json_object_get(f, "scale");
        st = m ? real_in(s, m, CLN_FLOAT64, at, &mean[j]) : bad(s, "%s is missing", at);
        snprintf(at, sizeof at, "%s's \"scale\"", what);
        if (st == CLN_SUCCESS)
            st = sc ? real_in(s, sc, CLN_FLOAT64, at, &scale[j]) : bad(s, "%s is missing", at);
        if (st == CLN_SUCCESS && !(scale[j] > 0))
            st = bad(s, "%s is %g: a scale is > 0", at, scale[j]);
    }
    if (st == CLN_SUCCESS) {
        st = cln_model_meta_create(c->d, names, std ? mean : NULL, std ? scale : NULL, target,
                                   &c->meta);
        if (st != CLN_SUCCESS)
            st = bad(s, "the features do not describe a model (%s)", cln_last_error(NULL));
    }
    free(names);
    free(mean);
    free(scale);
    if (st != CLN_SUCCESS || c->k == 0)
        return st;
    json_t *classes;
    CLNI_CHECK(member(s, root, "classes", &classes));
    if (!json_is_array(classes))
        return bad(s, "\"classes\" is not an array");
    if (json_array_size(classes) != c->k)
        return bad(s, "\"classes\" has %zu names for %zu classes", json_array_size(classes), c->k);
    const char **cn = malloc(c->k * sizeof *cn);
    if (!cn)
        return clni_fail(s->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", s->shown);
    for (size_t i = 0; i < c->k && st == CLN_SUCCESS; i++) {
        const json_t *v = json_array_get(classes, i);
        if (json_is_string(v))
            cn[i] = json_string_value(v);
        else
            st = bad(s, "\"classes\"[%zu] is not a string", i);
    }
    if (st == CLN_SUCCESS) {
        st = cln_model_meta_set_classes(c->meta, c->k, cn);
        if (st != CLN_SUCCESS)
            st = bad(s, "the classes do not describe a model (%s)", cln_last_error(NULL));
    }
    free(cn);
    return st;
}

/* Everything of a model file of `kind` ("linreg", or "softmax" with its classes). */
static cln_status read_contents(const source *s, const char *kind, contents *c)
{
    const json_t *root = s->root;
    int softmax = strcmp(kind, "softmax") == 0;
    CLNI_CHECK(read_header(s, kind, c));
    CLNI_CHECK(whole(s, root, "num_inputs", 1, UINT32_MAX, &c->d));
    if (softmax)
        CLNI_CHECK(whole(s, root, "num_classes", 2, MAX_SOFTMAX_CLASSES, &c->k));
    CLNI_CHECK(whole(s, root, "epochs_trained", 0, LLONG_MAX, &c->epochs));
    c->loss_scale = 0.5;
    if (!softmax) {
        json_t *ls;
        CLNI_CHECK(member(s, root, "loss_scale", &ls));
        CLNI_CHECK(real_in(s, ls, CLN_FLOAT64, "\"loss_scale\"", &c->loss_scale));
        if (!(c->loss_scale > 0))
            return bad(s, "\"loss_scale\" is %g: it is > 0", c->loss_scale);
    }
    CLNI_CHECK(read_meta(s, c));
    size_t k = softmax ? c->k : 1;
    if (c->d > SIZE_MAX / sizeof(double) / k)
        return bad(s, "%zu x %zu parameters are too many", c->d, k);
    c->w = malloc(c->d * k * sizeof *c->w);
    c->b = malloc(k * sizeof *c->b);
    if (!c->w || !c->b)
        return clni_fail(s->ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", s->shown);
    json_t *w, *b;
    if (!softmax) {
        CLNI_CHECK(member(s, root, "w", &w));
        CLNI_CHECK(real_array(s, w, c->d, c->dtype, "w", SIZE_MAX, "inputs", c->w));
        CLNI_CHECK(member(s, root, "b", &b));
        return real_in(s, b, c->dtype, "\"b\"", c->b);
    }
    CLNI_CHECK(member(s, root, "W", &w));
    if (!json_is_array(w))
        return bad(s, "\"W\" is not an array");
    if (json_array_size(w) != c->d)
        return bad(s, "\"W\" has %zu rows for %zu inputs", json_array_size(w), c->d);
    for (size_t j = 0; j < c->d; j++)
        CLNI_CHECK(real_array(s, json_array_get(w, j), c->k, c->dtype, "W", j, "classes",
                              c->w + j * c->k));
    CLNI_CHECK(member(s, root, "b", &b));
    return real_array(s, b, c->k, c->dtype, "b", SIZE_MAX, "classes", c->b);
}

/* Reads path as a model of `kind`; fn names the caller in argument errors. */
static cln_status load(cln_context *ctx, const char *path, const char *kind, const char *fn,
                       contents *c)
{
    memset(c, 0, sizeof *c);
    CLNI_CHECK(clni_check_ptr(NULL, ctx, fn, "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, path, fn, "path"));
    source s = {ctx, "", NULL};
    CLNI_CHECK(open_doc(&s, path));
    cln_status st = read_contents(&s, kind, c);
    json_decref(s.root);
    if (st != CLN_SUCCESS)
        contents_free(c);
    return st;
}

/* The description to the caller (or freed). */
static void hand_over(contents *c, cln_model_meta **meta)
{
    if (meta) {
        *meta = c->meta;
        c->meta = NULL;
    }
    contents_free(c);
}

cln_status cln_linreg_load(cln_context *ctx, const char *path, cln_linreg **out,
                           cln_model_meta **meta)
{
    const char *fn = "cln_linreg_load";
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    if (meta)
        *meta = NULL;
    contents c;
    CLNI_CHECK(load(ctx, path, "linreg", fn, &c));
    cln_linreg *m = NULL;
    cln_status st = cln_linreg_create(ctx, c.dtype, c.d, 0.0, 0, &m);
    if (st == CLN_SUCCESS)
        st = cln_linreg_set(m, c.w, c.b[0]);
    if (st == CLN_SUCCESS)
        st = cln_linreg_set_loss_scale(m, c.loss_scale);
    if (st == CLN_SUCCESS)
        st = cln_model_set_epochs_trained(cln_linreg_model(m), c.epochs);
    if (st != CLN_SUCCESS) {
        cln_linreg_free(m);
        contents_free(&c);
        return st;
    }
    hand_over(&c, meta);
    *out = m;
    return CLN_SUCCESS;
}

cln_status cln_softmax_load(cln_context *ctx, const char *path, cln_softmax **out,
                            cln_model_meta **meta)
{
    const char *fn = "cln_softmax_load";
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    if (meta)
        *meta = NULL;
    contents c;
    CLNI_CHECK(load(ctx, path, "softmax", fn, &c));
    cln_softmax *m = NULL;
    cln_status st = cln_softmax_create(ctx, c.dtype, c.d, c.k, 0.0, 0, &m);
    if (st == CLN_SUCCESS)
        st = cln_softmax_set(m, c.w, c.b);
    if (st == CLN_SUCCESS)
        st = cln_model_set_epochs_trained(cln_softmax_model(m), c.epochs);
    if (st != CLN_SUCCESS) {
        cln_softmax_free(m);
        contents_free(&c);
        return st;
    }
    hand_over(&c, meta);
    *out = m;
    return CLN_SUCCESS;
}
