/* Saved models (model_file.h) and fits that continue (trainer.h):
 *  - a save and a load give back every parameter bit for bit, for both kinds and dtypes and
 *    shapes odd and even, with the description's names, standardisation and classes, and a
 *    second save of the loaded model is the same file byte for byte;
 *  - every load error has its status and a message naming the file and what is wrong;
 *  - a save that fails leaves the previous file whole and no temporary file behind;
 *  - "-" writes standard output and reads standard input;
 *  - predictions match a double-precision host reference within a derived rounding bound,
 *    and those of a dataset's splits (on the device or host-resident) are those of its rows;
 *  - the rows to predict on are read from a CSV by the features' names;
 *  - a fit continued on a model numbers its epochs on: 2 epochs then 1 give the bits of 3 at
 *    once on every path, also through a saved and loaded model. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clnum/parallel.h"
#include "test_util.h"

/* ---- files ------------------------------------------------------------------------------ */

static char tmp_dir[64];

static const char *in_tmp(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", tmp_dir, name);
    return buf;
}

static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *t = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 > cap) {
            cap = cap ? 2 * cap : 8192;
            t = realloc(t, cap + 1);
            assert_non_null(t);
        }
        size_t got = fread(t + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    t[n] = '\0';
    if (len)
        *len = n;
    return t;
}

static void write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* text with its one occurrence of `old` replaced by `new`, malloc'd. */
static char *replaced(const char *text, const char *old, const char *new_text)
{
    const char *at = strstr(text, old);
    if (!at)
        TU_FAIL("'%s' is not in the file", old);
    assert_null(strstr(at + 1, old));
    size_t a = (size_t)(at - text), lo = strlen(old), ln = strlen(new_text);
    char *r = malloc(strlen(text) - lo + ln + 1);
    assert_non_null(r);
    memcpy(r, text, a);
    memcpy(r + a, new_text, ln);
    strcpy(r + a + ln, at + lo);
    return r;
}

/* Entries of the temporary folder, "." and ".." aside. */
static size_t entries_in(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            chmod(p, 0700);
            remove_tree(p);
        } else {
            unlink(p);
        }
    }
    closedir(d);
    rmdir(dir);
}

static int setup(void **state)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/clnum-model-file-XXXXXX");
    if (!mkdtemp(tmp_dir))
        return -1;
    return tu_context_setup(state);
}

static int teardown(void **state)
{
    remove_tree(tmp_dir);
    return tu_context_teardown(state);
}

static int has_float64(cln_context *ctx, cln_dtype dtype)
{
    if (dtype != CLN_FLOAT64 || cln_context_device(ctx)->has_float64)
        return 1;
    print_message("float64 skipped: %s has no cl_khr_fp64\n", cln_context_device(ctx)->device_name);
    return 0;
}

/* n parameters over many magnitudes, signed zeros and subnormals among them, held exactly
 * by dtype. */
static double *odd_values(size_t n, uint64_t seed, cln_dtype dtype)
{
    double *v = tu_normals(n, seed);
    static const double scale[] = {1, 1e-30, 1e30, 1e-3, 7e5, 0.1};
    for (size_t i = 0; i < n; i++) {
        v[i] *= scale[i % 6];
        if (i % 11 == 5)
            v[i] = -0.0;
        if (i % 13 == 7)
            v[i] = dtype == CLN_FLOAT64 ? 4.9406564584124654e-324 * (double)(i + 1) : 1e-40;
    }
    if (dtype == CLN_FLOAT32)
        tu_round_to_float(v, n);
    return v;
}

static void assert_same_bits(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof a[i]) != 0)
            TU_FAIL("value %zu: %.17g became %.17g", i, a[i], b[i]);
}

static void assert_same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *ta = read_text(a, &na), *tb = read_text(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(ta, tb, na);
    free(ta);
    free(tb);
}

/* ---- round trips ------------------------------------------------------------------------ */

static void linreg_round_trip_is_exact(void **state)
{
    cln_context *ctx = *state;
    const size_t dims[] = {1, 2, 5, 31, 100};
    char p1[128], p2[128];
    in_tmp(p1, sizeof p1, "lin.json");
    in_tmp(p2, sizeof p2, "lin-again.json");
    for (int dt = 0; dt < 2; dt++) {
        cln_dtype dtype = dt ? CLN_FLOAT64 : CLN_FLOAT32;
        if (!has_float64(ctx, dtype))
            continue;
        for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
            size_t d = dims[i];
            cln_linreg *m, *back;
            TU_OK(ctx, cln_linreg_create(ctx, dtype, d, 0.01, i, &m));
            double *w = odd_values(d + 1, 10 + i, dtype);
            TU_OK(ctx, cln_linreg_set(m, w, w[d]));
            TU_OK(ctx, cln_linreg_set_loss_scale(m, 1.0 / 3.0));
            TU_OK(ctx, cln_model_set_epochs_trained(cln_linreg_model(m), 7 + i));
            TU_OK(ctx, cln_linreg_save(m, NULL, p1));
            cln_model_meta *meta = NULL;
            TU_OK(ctx, cln_linreg_load(ctx, p1, &back, &meta));
            assert_int_equal(cln_linreg_dtype(back), dtype);
            assert_int_equal(cln_linreg_num_inputs(back), d);
            assert_true(cln_linreg_loss_scale(back) == 1.0 / 3.0);
            assert_int_equal(cln_model_epochs_trained(cln_linreg_model(back)), 7 + i);
            double *got = malloc((d + 1) * sizeof *got), *want = malloc((d + 1) * sizeof *want);
            TU_OK(ctx, cln_linreg_get(m, want, &want[d]));
            TU_OK(ctx, cln_linreg_get(back, got, &got[d]));
            assert_same_bits(want, got, d + 1);
            assert_same_bits(w, got, d + 1); /* the values set, as the dtype holds them */
            /* the default description */
            assert_int_equal(cln_model_meta_num_features(meta), d);
            assert_string_equal(cln_model_meta_feature_name(meta, 0), "x1");
            assert_string_equal(cln_model_meta_target_name(meta), "y");
            assert_int_equal(cln_model_meta_standardized(meta), 0);
            assert_int_equal(cln_model_meta_num_classes(meta), 0);
            /* nothing lost or rounded: saving the loaded model writes the same bytes */
            TU_OK(ctx, cln_linreg_save(back, meta, p2));
            assert_same_file(p1, p2);
            cln_model_meta_free(meta);
            free(got);
            free(want);
            free(w);
            cln_linreg_free(m);
            cln_linreg_free(back);
        }
    }
}

static void softmax_round_trip_is_exact(void **state)
{
    cln_context *ctx = *state;
    const size_t shapes[][2] = {{1, 2}, {2, 3}, {7, 2}, {13, 10}, {40, 7}};
    char p1[128], p2[128];
    in_tmp(p1, sizeof p1, "sm.json");
    in_tmp(p2, sizeof p2, "sm-again.json");
    for (int dt = 0; dt < 2; dt++) {
        cln_dtype dtype = dt ? CLN_FLOAT64 : CLN_FLOAT32;
        if (!has_float64(ctx, dtype))
            continue;
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
            size_t d = shapes[i][0], k = shapes[i][1];
            cln_softmax *m, *back;
            TU_OK(ctx, cln_softmax_create(ctx, dtype, d, k, 0.01, i, &m));
            double *v = odd_values((d + 1) * k, 20 + i, dtype);
            TU_OK(ctx, cln_softmax_set(m, v, v + d * k));
            TU_OK(ctx, cln_model_set_epochs_trained(cln_softmax_model(m), i));
            TU_OK(ctx, cln_softmax_save(m, NULL, p1));
            cln_model_meta *meta = NULL;
            TU_OK(ctx, cln_softmax_load(ctx, p1, &back, &meta));
            assert_int_equal(cln_softmax_dtype(back), dtype);
            assert_int_equal(cln_softmax_num_inputs(back), d);
            assert_int_equal(cln_softmax_num_classes(back), k);
            assert_int_equal(cln_model_epochs_trained(cln_softmax_model(back)), i);
            double *got = malloc((d + 1) * k * sizeof *got);
            TU_OK(ctx, cln_softmax_get(back, got, got + d * k));
            assert_same_bits(v, got, (d + 1) * k);
            assert_int_equal(cln_model_meta_num_classes(meta), k);
            assert_string_equal(cln_model_meta_class_name(meta, k - 1),
                                k == 10 ? "9" : k == 7 ? "6" : k == 3 ? "2" : "1");
            TU_OK(ctx, cln_softmax_save(back, meta, p2));
            assert_same_file(p1, p2);
            cln_model_meta_free(meta);
            free(got);
            free(v);
            cln_softmax_free(m);
            cln_softmax_free(back);
        }
    }
}

/* Names with the delimiter, quotes, a backslash, a tab and UTF-8; a standardisation whose
 * values need all 17 digits; classes with odd names. */
static void description_round_trip(void **state)
{
    cln_context *ctx = *state;
    const char *names[] = {"a,b", "say \"hi\"", "back\\slash", "tab\there", "température",
                           "日本語"};
    const size_t d = 6, k = 3;
    double mean[6], scale[6];
    for (size_t j = 0; j < d; j++) {
        mean[j] = 1.0 / (double)(j + 3) - 0.5;
        scale[j] = sqrt((double)(j + 2)) * 1e-7;
    }
    const char *classes[] = {"setosa", "Iris \"versicolor\"", "ß,ü"};
    cln_model_meta *meta;
    TU_OK(NULL, cln_model_meta_create(d, names, mean, scale, "prix (€)", &meta));
    TU_OK(NULL, cln_model_meta_set_classes(meta, k, classes));
    cln_softmax *m, *back;
    TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT32, d, k, 0.5, 3, &m));
    char p[128];
    in_tmp(p, sizeof p, "named.json");
    TU_OK(ctx, cln_softmax_save(m, meta, p));
    cln_model_meta *got;
    TU_OK(ctx, cln_softmax_load(ctx, p, &back, &got));
    assert_int_equal(cln_model_meta_num_features(got), d);
    assert_int_equal(cln_model_meta_standardized(got), 1);
    for (size_t j = 0; j < d; j++) {
        assert_string_equal(cln_model_meta_feature_name(got, j), names[j]);
        double gm = cln_model_meta_mean(got, j), gs = cln_model_meta_scale(got, j);
        assert_same_bits(&mean[j], &gm, 1);
        assert_same_bits(&scale[j], &gs, 1);
    }
    assert_null(cln_model_meta_feature_name(got, d));
    assert_string_equal(cln_model_meta_target_name(got), "prix (€)");
    assert_int_equal(cln_model_meta_num_classes(got), k);
    for (size_t c = 0; c < k; c++)
        assert_string_equal(cln_model_meta_class_name(got, c), classes[c]);
    assert_null(cln_model_meta_class_name(got, k));
    /* standardize() maps as the training rows were mapped */
    double row[6];
    for (size_t j = 0; j < d; j++)
        row[j] = (double)j;
    TU_OK(NULL, cln_model_meta_standardize(got, row, 1));
    for (size_t j = 0; j < d; j++)
        assert_true(row[j] == ((double)j - mean[j]) / scale[j]);
    cln_model_meta_free(meta);
    cln_model_meta_free(got);
    cln_softmax_free(m);
    cln_softmax_free(back);
}

/* The description's own checks, and one made from a CSV table's split. */
static void description_checks(void **state)
{
    cln_context *ctx = *state;
    cln_model_meta *meta = NULL;
    const char *twice[] = {"a", "b", "a"};
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "feature names 0 and 2 are both 'a'",
             cln_model_meta_create(3, twice, NULL, NULL, NULL, &meta));
    const char *empty[] = {"a", ""};
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "feature name 1 is empty",
             cln_model_meta_create(2, empty, NULL, NULL, NULL, &meta));
    const double mean[2] = {0, 0}, scale[2] = {1, 0};
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "scale[1]",
             cln_model_meta_create(2, NULL, mean, scale, NULL, &meta));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "give both",
             cln_model_meta_create(2, NULL, mean, NULL, NULL, &meta));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "num_features is 0",
             cln_model_meta_create(0, NULL, NULL, NULL, NULL, &meta));
    assert_null(meta);
    TU_OK(NULL, cln_model_meta_create(2, NULL, NULL, NULL, NULL, &meta));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "at least 2",
             cln_model_meta_set_classes(meta, 1, NULL));
    const char *cl[] = {"x", "x"};
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "class names 0 and 1 are both 'x'",
             cln_model_meta_set_classes(meta, 2, cl));
    /* a linreg's description has no classes; another shape is refused */
    TU_OK(NULL, cln_model_meta_set_classes(meta, 2, NULL));
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m));
    char p[128];
    in_tmp(p, sizeof p, "never.json");
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "a linear regression has none",
             cln_linreg_save(m, meta, p));
    cln_model_meta_free(meta);
    TU_OK(NULL, cln_model_meta_create(3, NULL, NULL, NULL, NULL, &meta));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "3 features, the model 2 inputs",
             cln_linreg_save(m, meta, p));
    cln_model_meta_free(meta);
    /* a name that is not UTF-8 cannot go into a JSON file */
    const char *latin1[] = {"caf\xe9", "b"};
    TU_OK(NULL, cln_model_meta_create(2, latin1, NULL, NULL, NULL, &meta));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "not valid UTF-8", cln_linreg_save(m, meta, p));
    cln_model_meta_free(meta);
    assert_int_equal(access(p, F_OK), -1);
    cln_linreg_free(m);

    /* from a split: the table's names, the split's standardisation and the classes */
    const char text[] = "u,v,kind\n1,10,b\n2,20,a\n3,30,b\n4,40,a\n5,50,b\n";
    cln_csv_options o;
    cln_csv_options_init(&o);
    o.labels = 1;
    cln_csv *csv;
    TU_OK(NULL, cln_csv_parse_buffer(text, sizeof text - 1, "t.csv", &o, &csv));
    for (int standardize = 0; standardize < 2; standardize++) {
        cln_split_config sc;
        cln_split_config_init(&sc);
        sc.standardize = standardize;
        cln_split split;
        TU_OK(NULL, cln_csv_split(csv, &sc, &split));
        TU_OK(NULL, cln_model_meta_from_split(csv, &split, &meta));
        assert_int_equal(cln_model_meta_num_features(meta), 2);
        assert_string_equal(cln_model_meta_feature_name(meta, 1), "v");
        assert_string_equal(cln_model_meta_target_name(meta), "kind");
        assert_int_equal(cln_model_meta_standardized(meta), standardize);
        assert_true(cln_model_meta_mean(meta, 1) == split.mean[1]);
        assert_true(cln_model_meta_scale(meta, 1) == split.scale[1]);
        assert_int_equal(cln_model_meta_num_classes(meta), 2);
        assert_string_equal(cln_model_meta_class_name(meta, 0), "a");
        cln_model_meta_free(meta);
        cln_split_free(&split);
    }
    cln_csv_free(csv);
}

/* ---- load errors -------------------------------------------------------------------------- */

/* Writes text to name in the temporary folder and loads it as a linreg (kind 0) or a softmax;
 * the load must fail with want, its message naming the file and holding needle, and leave
 * the outputs NULL. */
static void load_fails(cln_context *ctx, int softmax, const char *name, const char *text,
                       cln_status want, const char *needle)
{
    char p[128];
    in_tmp(p, sizeof p, name);
    if (text)
        write_text(p, text, strlen(text));
    cln_model_meta *meta = (cln_model_meta *)1;
    cln_status st;
    if (softmax) {
        cln_softmax *m = (cln_softmax *)1;
        st = cln_softmax_load(ctx, p, &m, &meta);
        assert_null(m);
    } else {
        cln_linreg *m = (cln_linreg *)1;
        st = cln_linreg_load(ctx, p, &m, &meta);
        assert_null(m);
    }
    assert_null(meta);
    print_message("%s: %s\n", name, cln_last_error(ctx));
    TU_FAILS(ctx, want, needle, st);
    assert_non_null(strstr(cln_last_error(ctx), p));
}

static void load_errors(void **state)
{
    cln_context *ctx = *state;
    char lin[128], sm[128];
    in_tmp(lin, sizeof lin, "good-lin.json");
    in_tmp(sm, sizeof sm, "good-sm.json");
    cln_linreg *l;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &l));
    TU_OK(ctx, cln_linreg_save(l, NULL, lin));
    cln_softmax *s;
    TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT32, 2, 3, 0.01, 0, &s));
    TU_OK(ctx, cln_softmax_save(s, NULL, sm));
    size_t n;
    char *lt = read_text(lin, &n), *st = read_text(sm, &n);

    load_fails(ctx, 0, "good-sm.json", NULL, CLN_ERR_PARSE,
               "holds a softmax model; this loads linreg models");
    load_fails(ctx, 1, "good-lin.json", NULL, CLN_ERR_PARSE,
               "holds a linreg model; this loads softmax models");
    char want[128];
    snprintf(want, sizeof want, "format version 2 is newer than this clnum (%s) reads (1)",
             cln_version());
    char *t = replaced(lt, "\"format_version\": 1,", "\"format_version\": 2,");
    load_fails(ctx, 0, "newer.json", t, CLN_ERR_PARSE, want);
    free(t);
    /* truncated: Jansson's line and column */
    char half[4096];
    snprintf(half, sizeof half, "%.*s", (int)(strlen(lt) / 2), lt);
    load_fails(ctx, 0, "truncated.json", half, CLN_ERR_PARSE, "not JSON");
    assert_non_null(strstr(cln_last_error(ctx), "truncated.json:"));
    load_fails(ctx, 0, "text.json", "linear regression, w = 2\n", CLN_ERR_PARSE, "not JSON");
    load_fails(ctx, 0, "empty.json", "", CLN_ERR_PARSE, "not JSON");
    load_fails(ctx, 0, "other.json", "{\"w\": [1, 2], \"b\": 3}\n", CLN_ERR_PARSE,
               "not a clnum model");
    load_fails(ctx, 0, "array.json", "[1, 2]\n", CLN_ERR_PARSE, "not a clnum model");
    /* counts that disagree */
    t = replaced(lt, "\"num_inputs\": 2,", "\"num_inputs\": 3,");
    load_fails(ctx, 0, "inputs.json", t, CLN_ERR_PARSE, "\"features\" has 2 entries for 3 inputs");
    free(t);
    t = replaced(st, "\"num_classes\": 3,", "\"num_classes\": 4,");
    load_fails(ctx, 1, "classes.json", t, CLN_ERR_PARSE, "\"classes\" has 3 names for 4 classes");
    free(t);
    char *four = replaced(st, "\"2\"\n", "\"2\",\n    \"3\"\n");
    t = replaced(four, "\"num_classes\": 3,", "\"num_classes\": 4,"); /* W's rows are 3 long */
    load_fails(ctx, 1, "wrow.json", t, CLN_ERR_PARSE, "\"W\"[0] has 3 values for 4 classes");
    free(four);
    free(t);
    t = replaced(lt, "\"w\": [", "\"w\": [\n    0.5,");
    load_fails(ctx, 0, "w.json", t, CLN_ERR_PARSE, "\"w\" has 3 values for 2 inputs");
    free(t);
    /* values the dtype cannot hold, missing members, wrong types */
    t = replaced(lt, "\"b\": 0.0", "\"b\": 1e39");
    load_fails(ctx, 0, "big.json", t, CLN_ERR_PARSE, "\"b\" is 1e+39, not finite in float32");
    free(t);
    t = replaced(lt, "\"b\": 0.0", "\"b\": \"zero\"");
    load_fails(ctx, 0, "btype.json", t, CLN_ERR_PARSE, "\"b\" is not a number");
    free(t);
    t = replaced(lt, "\"loss_scale\": 0.5,", "");
    load_fails(ctx, 0, "noscale.json", t, CLN_ERR_PARSE, "\"loss_scale\" is missing");
    free(t);
    t = replaced(lt, "\"epochs_trained\": 0,", "\"epochs_trained\": -1,");
    load_fails(ctx, 0, "epochs.json", t, CLN_ERR_PARSE, "\"epochs_trained\" is -1");
    free(t);
    t = replaced(lt, "\"dtype\": \"float32\"", "\"dtype\": \"float16\"");
    load_fails(ctx, 0, "dtype.json", t, CLN_ERR_PARSE, "\"dtype\" is neither");
    free(t);
    t = replaced(lt, "\"name\": \"x2\"", "\"name\": \"x1\"");
    load_fails(ctx, 0, "names.json", t, CLN_ERR_PARSE, "both 'x1'");
    free(t);
    t = replaced(lt, "\"kind\": \"linreg\",", "\"kind\": \"linreg\",\n  \"kind\": \"linreg\",");
    load_fails(ctx, 0, "twice.json", t, CLN_ERR_PARSE, "duplicate");
    free(t);
    load_fails(ctx, 0, "missing.json", NULL, CLN_ERR_IO, "No such file");
    /* a float64 model where the device has none: as the context believes of its device */
    cln_context *no64;
    TU_OK(NULL, cln_context_create(NULL, &no64));
    ((cln_device_info *)cln_context_device(no64))->has_float64 = 0;
    t = replaced(lt, "\"dtype\": \"float32\"", "\"dtype\": \"float64\"");
    load_fails(no64, 0, "f64.json", t, CLN_ERR_NO_FLOAT64, "holds a float64 model");
    free(t);
    cln_context_free(no64);
    /* argument checks */
    cln_linreg *m;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "path is NULL", cln_linreg_load(ctx, NULL, &m, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "ctx is NULL", cln_linreg_load(NULL, lin, &m, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "path is NULL", cln_linreg_save(l, NULL, NULL));
    /* and the good files still load */
    TU_OK(ctx, cln_linreg_load(ctx, lin, &m, NULL));
    cln_linreg_free(m);
    free(lt);
    free(st);
    cln_linreg_free(l);
    cln_softmax_free(s);
}

/* ---- atomic saves --------------------------------------------------------------------------- */

static void failed_save_keeps_the_old_file(void **state)
{
    cln_context *ctx = *state;
    char dir[128], p[192], missing[192];
    in_tmp(dir, sizeof dir, "saves");
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(p, sizeof p, "%s/model.json", dir);
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 3, 0.5, 1, &m));
    TU_OK(ctx, cln_linreg_save(m, NULL, p));
    size_t n0;
    char *before = read_text(p, &n0);
    const double w[3] = {1, 2, 3};
    TU_OK(ctx, cln_linreg_set(m, w, 4)); /* a save now would change the file */

    /* a folder that is not there */
    snprintf(missing, sizeof missing, "%s/no/such/folder/model.json", dir);
    TU_FAILS(ctx, CLN_ERR_IO, "No such file or directory", cln_linreg_save(m, NULL, missing));
    assert_non_null(strstr(cln_last_error(ctx), missing));
    /* a path that is a folder */
    TU_FAILS(ctx, CLN_ERR_IO, "Is a directory", cln_linreg_save(m, NULL, dir));
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* a folder that cannot be written (root may write anyway) */
    if (geteuid() != 0) {
        assert_int_equal(chmod(dir, 0500), 0);
        TU_FAILS(ctx, CLN_ERR_IO, "Permission denied", cln_linreg_save(m, NULL, p));
        assert_int_equal(chmod(dir, 0700), 0);
    } else {
        print_message("read-only folder skipped: root writes it anyway\n");
    }
    size_t n1;
    char *after = read_text(p, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    assert_int_equal(entries_in(dir), 1); /* no temporary file left */
    free(after);

    /* a save that works replaces the file whole, keeping its mode */
    assert_int_equal(chmod(p, 0640), 0);
    TU_OK(ctx, cln_linreg_save(m, NULL, p));
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(entries_in(dir), 1);
    cln_linreg *back;
    TU_OK(ctx, cln_linreg_load(ctx, p, &back, NULL));
    double got[3], b;
    TU_OK(ctx, cln_linreg_get(back, got, &b));
    assert_true(got[0] == 1 && got[2] == 3 && b == 4);
    free(before);
    cln_linreg_free(back);
    cln_linreg_free(m);
}

/* ---- standard output and input ------------------------------------------------------------ */

/* Runs with file descriptor `fd` (0 or 1) on path (opened with flags), then puts it back. */
typedef struct redirect {
    int fd, saved;
} redirect;

static redirect redirect_to(int fd, const char *path, int flags)
{
    if (fd == 1)
        fflush(stdout);
    redirect r = {fd, dup(fd)};
    assert_true(r.saved >= 0);
    int f = open(path, flags, 0600);
    assert_true(f >= 0);
    assert_true(dup2(f, fd) >= 0);
    close(f);
    if (fd == 0)
        clearerr(stdin);
    return r;
}

static void redirect_end(redirect r)
{
    if (r.fd == 1)
        fflush(stdout);
    assert_true(dup2(r.saved, r.fd) >= 0);
    close(r.saved);
    if (r.fd == 0)
        clearerr(stdin);
}

static void dash_is_stdout_and_stdin(void **state)
{
    cln_context *ctx = *state;
    char file[128], out[128], csv[128];
    in_tmp(file, sizeof file, "file.json");
    in_tmp(out, sizeof out, "stdout.json");
    cln_softmax *m, *back;
    TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT32, 3, 4, 0.7, 9, &m));
    TU_OK(ctx, cln_softmax_save(m, NULL, file));
    redirect r = redirect_to(1, out, O_WRONLY | O_CREAT | O_TRUNC);
    cln_status st = cln_softmax_save(m, NULL, "-");
    redirect_end(r);
    TU_OK(ctx, st);
    assert_same_file(file, out);
    r = redirect_to(0, out, O_RDONLY);
    st = cln_softmax_load(ctx, "-", &back, NULL);
    redirect_end(r);
    TU_OK(ctx, st);
    double a[16], b[16];
    TU_OK(ctx, cln_softmax_get(m, a, a + 12));
    TU_OK(ctx, cln_softmax_get(back, b, b + 12));
    assert_same_bits(a, b, 16);
    /* a load from standard input names it in its messages */
    const char junk[] = "{\"format\": ";
    write_text(out, junk, sizeof junk - 1);
    r = redirect_to(0, out, O_RDONLY);
    cln_softmax *none;
    st = cln_softmax_load(ctx, "-", &none, NULL);
    redirect_end(r);
    TU_FAILS(ctx, CLN_ERR_PARSE, "<stdin>:", st);
    /* rows to predict on from standard input, and a CSV table too */
    in_tmp(csv, sizeof csv, "rows.csv");
    const char rows[] = "x3,x1,x2\n1,2,3\n4,5,6\n";
    write_text(csv, rows, sizeof rows - 1);
    cln_model_meta *meta;
    TU_OK(NULL, cln_model_meta_create(3, NULL, NULL, NULL, NULL, &meta));
    double *X;
    size_t n;
    r = redirect_to(0, csv, O_RDONLY);
    st = cln_model_meta_read_rows(meta, "-", NULL, &X, &n);
    redirect_end(r);
    TU_OK(NULL, st);
    assert_int_equal(n, 2);
    assert_true(X[0] == 2 && X[1] == 3 && X[2] == 1 && X[5] == 4);
    free(X);
    cln_csv *table;
    r = redirect_to(0, csv, O_RDONLY);
    st = cln_csv_read("-", NULL, &table);
    redirect_end(r);
    TU_OK(NULL, st);
    assert_int_equal(cln_csv_num_rows(table), 2);
    assert_string_equal(cln_csv_target_name(table), "x2");
    cln_csv_free(table);
    const char bad[] = "x1,x2,x3\n1,2,oops\n";
    write_text(csv, bad, sizeof bad - 1);
    r = redirect_to(0, csv, O_RDONLY);
    st = cln_model_meta_read_rows(meta, "-", NULL, &X, &n);
    redirect_end(r);
    TU_FAILS(NULL, CLN_ERR_PARSE, "<stdin>:2:5: 'oops' in column 'x3' is not a number", st);
    assert_null(X);
    cln_model_meta_free(meta);
    cln_softmax_free(m);
    cln_softmax_free(back);
}

/* ---- the rows to predict on ----------------------------------------------------------------- */

static void rows_are_read_by_name(void **state)
{
    (void)state;
    char p[128];
    in_tmp(p, sizeof p, "predict.csv");
    /* the model's features are b then a; the file has them the other way round, a target
     * and a column the model never saw */
    const char text[] = "# rows to predict on\n"
                        "a,note,b,price\n"
                        "1,\"x, y\",10,5\n"
                        "2,z,20,6\n"
                        "3,,30,7\n";
    write_text(p, text, sizeof text - 1);
    const char *names[] = {"b", "a"};
    const double mean[2] = {20, 2}, scale[2] = {10, 0.5};
    cln_model_meta *meta;
    TU_OK(NULL, cln_model_meta_create(2, names, mean, scale, "price", &meta));
    double *X;
    size_t n;
    TU_OK(NULL, cln_model_meta_read_rows(meta, p, NULL, &X, &n));
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_true(X[2 * i] == (10.0 * (double)(i + 1) - 20) / 10);
        assert_true(X[2 * i + 1] == ((double)(i + 1) - 2) / 0.5);
    }
    free(X);
    /* other delimiters and no header: columns are named by index */
    const char semi[] = "7;8\n9;10\n";
    write_text(p, semi, sizeof semi - 1);
    cln_csv_options o;
    cln_csv_options_init(&o);
    o.delimiter = ';';
    o.has_header = 0;
    const char *by_index[] = {"1", "0"};
    cln_model_meta *im;
    TU_OK(NULL, cln_model_meta_create(2, by_index, NULL, NULL, NULL, &im));
    TU_OK(NULL, cln_model_meta_read_rows(im, p, &o, &X, &n));
    assert_int_equal(n, 2);
    assert_true(X[0] == 8 && X[1] == 7 && X[2] == 10 && X[3] == 9);
    free(X);
    /* ... and features with other names: the columns in the model's order, all of them */
    TU_OK(NULL, cln_model_meta_read_rows(meta, p, &o, &X, &n));
    assert_int_equal(n, 2);
    assert_true(X[0] == (7.0 - 20) / 10 && X[1] == (8.0 - 2) / 0.5);
    free(X);
    const char wide[] = "7;8;1\n";
    write_text(p, wide, sizeof wide - 1);
    TU_FAILS(NULL, CLN_ERR_PARSE, "has 3 columns and no header; the model has 2 features",
             cln_model_meta_read_rows(meta, p, &o, &X, &n));
    cln_model_meta_free(im);
    /* a feature the file does not have is named */
    write_text(p, text, sizeof text - 1);
    const char *other[] = {"b", "zz"};
    cln_model_meta *om;
    TU_OK(NULL, cln_model_meta_create(2, other, NULL, NULL, NULL, &om));
    X = (double *)1;
    TU_FAILS(NULL, CLN_ERR_PARSE, "no feature column 'zz'",
             cln_model_meta_read_rows(om, p, NULL, &X, &n));
    assert_non_null(strstr(cln_last_error(NULL), p));
    assert_null(X);
    assert_int_equal(n, 0);
    cln_model_meta_free(om);
    /* a bad value keeps FILE:LINE:COLUMN */
    const char broken[] = "a,b\n1,2\n3,x\n";
    write_text(p, broken, sizeof broken - 1);
    char want[192];
    snprintf(want, sizeof want, "%s:3:3: 'x' in column 'b' is not a number", p);
    TU_FAILS(NULL, CLN_ERR_PARSE, want, cln_model_meta_read_rows(meta, p, NULL, &X, &n));
    char none[128];
    in_tmp(none, sizeof none, "none.csv");
    TU_FAILS(NULL, CLN_ERR_IO, "cannot open", cln_model_meta_read_rows(meta, none, NULL, &X, &n));
    cln_model_meta_free(meta);

    /* the reader without a target: y and the target's name NULL, every column a feature,
     * and no split of such a table */
    cln_csv_options nt;
    cln_csv_options_init(&nt);
    nt.no_target = 1;
    cln_csv *csv;
    const char three[] = "p,q,r\n1,2,3\n";
    TU_OK(NULL, cln_csv_parse_buffer(three, sizeof three - 1, "three.csv", &nt, &csv));
    assert_int_equal(cln_csv_num_features(csv), 3);
    assert_null(cln_csv_y(csv));
    assert_null(cln_csv_target_name(csv));
    assert_string_equal(cln_csv_feature_name(csv, 2), "r");
    cln_split split;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "no target column", cln_csv_split(csv, NULL, &split));
    cln_csv_free(csv);
    nt.labels = 1;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "no_target and labels",
             cln_csv_parse_buffer(three, sizeof three - 1, "three.csv", &nt, &csv));
}

/* ---- predictions -------------------------------------------------------------------------- */

/* For each of `rows` rows, outputs o_c = sum_j x_j W[j][c] + b_c (c < k) in double, and the
 * bound on the device's error plus the reference's (tests/test_util.h): d products and an
 * addition each, in any order. W and b are as the dtype holds them, X too. */
static void host_outputs(cln_dtype dtype, const double *X, size_t rows, size_t d, const double *W,
                         const double *b, size_t k, double *out, double *bound)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t c = 0; c < k; c++) {
            double s = b[c], abs_sum = fabs(b[c]);
            for (size_t j = 0; j < d; j++) {
                s += X[i * d + j] * W[j * k + c];
                abs_sum += fabs(X[i * d + j] * W[j * k + c]);
            }
            out[i * k + c] = s;
            bound[i * k + c] = tu_sum_bound(dtype, d + 1, abs_sum, d) +
                               tu_sum_bound(CLN_FLOAT64, d + 1, abs_sum, d);
        }
}

static void linreg_predictions_match_host(void **state)
{
    cln_context *ctx = *state;
    const size_t shapes[][2] = {{1, 1}, {3, 5}, {2, 1000}, {300, 2000}}; /* d, rows */
    for (int dt = 0; dt < 2; dt++) {
        cln_dtype dtype = dt ? CLN_FLOAT64 : CLN_FLOAT32;
        if (!has_float64(ctx, dtype))
            continue;
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            size_t d = shapes[s][0], rows = shapes[s][1];
            if (tu_small() && rows > 100)
                continue;
            cln_linreg *m;
            TU_OK(ctx, cln_linreg_create(ctx, dtype, d, 1.0, s, &m));
            double *X = tu_normals(rows * d, 40 + s), *w = tu_normals(d + 1, 50 + s);
            if (dtype == CLN_FLOAT32) {
                tu_round_to_float(X, rows * d);
                tu_round_to_float(w, d + 1);
            }
            TU_OK(ctx, cln_linreg_set(m, w, w[d]));
            double *y = malloc(rows * sizeof *y), *want = malloc(rows * sizeof *want);
            double *bound = malloc(rows * sizeof *bound);
            TU_OK(ctx, cln_linreg_predict(m, X, rows, y));
            host_outputs(dtype, X, rows, d, w, &w[d], 1, want, bound);
            TU_ASSERT_WITHIN(y, want, bound, rows);
            free(X);
            free(w);
            free(y);
            free(want);
            free(bound);
            cln_linreg_free(m);
        }
    }
    /* bad rows, named by row and column; nothing for no rows */
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 1.0, 0, &m));
    double X[6] = {1, 2, 3, NAN, 5, 6}, y[3] = {-1, -1, -1};
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "X row 1, column 1 is nan", cln_linreg_predict(m, X, 3, y));
    X[3] = 1e39;
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "beyond float32's range", cln_linreg_predict(m, X, 3, y));
    TU_OK(ctx, cln_linreg_predict(m, X, 0, y));
    TU_OK(ctx, cln_linreg_predict(m, NULL, 0, NULL));
    assert_true(y[0] == -1 && y[2] == -1);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "y_hat is NULL", cln_linreg_predict(m, X, 3, NULL));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "X is NULL", cln_linreg_predict(m, NULL, 3, y));
    /* a prediction beyond float32 is refused, not returned as inf */
    const double big[2] = {3e38, 3e38};
    TU_OK(ctx, cln_linreg_set(m, big, 0));
    const double ones[2] = {1, 1};
    TU_FAILS(ctx, CLN_ERR_NOT_FINITE, "overflows float32", cln_linreg_predict(m, ones, 1, y));
    cln_linreg_free(m);
}

static void softmax_predictions_match_host(void **state)
{
    cln_context *ctx = *state;
    const size_t shapes[][3] = {{1, 2, 7}, {4, 3, 50}, {30, 10, 3000}}; /* d, k, rows */
    for (int dt = 0; dt < 2; dt++) {
        cln_dtype dtype = dt ? CLN_FLOAT64 : CLN_FLOAT32;
        if (!has_float64(ctx, dtype))
            continue;
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            size_t d = shapes[s][0], k = shapes[s][1], rows = shapes[s][2];
            if (tu_small() && rows > 100)
                continue;
            cln_softmax *m;
            TU_OK(ctx, cln_softmax_create(ctx, dtype, d, k, 1.0, s, &m));
            double *X = tu_normals(rows * d, 60 + s), *W = tu_normals((d + 1) * k, 70 + s);
            for (size_t i = 0; i < (d + 1) * k; i++)
                W[i] *= 3; /* logits far apart and large: the softmax must not overflow */
            if (dtype == CLN_FLOAT32) {
                tu_round_to_float(X, rows * d);
                tu_round_to_float(W, (d + 1) * k);
            }
            TU_OK(ctx, cln_softmax_set(m, W, W + d * k));
            size_t *cls = malloc(rows * sizeof *cls);
            double *probs = malloc(rows * k * sizeof *probs), *o = malloc(rows * k * sizeof *o);
            double *bound = malloc(rows * k * sizeof *bound);
            TU_OK(ctx, cln_softmax_predict(m, X, rows, cls, probs));
            host_outputs(dtype, X, rows, d, W, W + d * k, k, o, bound);
            for (size_t i = 0; i < rows; i++) {
                const double *oi = o + i * k, *pi = probs + i * k;
                size_t best = 0;
                double e = 0, sum = 0, psum = 0;
                for (size_t c = 0; c < k; c++) {
                    if (oi[c] > oi[best])
                        best = c;
                    if (bound[i * k + c] > e)
                        e = bound[i * k + c];
                }
                /* the class: a largest logit within the logits' error, the host's when it
                 * leads by more than that; its probability is the largest */
                assert_true(cls[i] < k);
                assert_true(oi[cls[i]] >= oi[best] - 2 * e);
                int clear = 1;
                for (size_t c = 0; c < k; c++)
                    clear = clear && (c == best || oi[c] < oi[best] - 2 * e);
                if (clear)
                    assert_int_equal(cls[i], best);
                for (size_t c = 0; c < k; c++) {
                    assert_true(pi[cls[i]] >= pi[c]);
                    sum += exp(oi[c] - oi[best]);
                    psum += pi[c];
                }
                /* each logit within e: each probability within a factor exp(+-2e), plus the
                 * host's double rounding */
                for (size_t c = 0; c < k; c++) {
                    double p = exp(oi[c] - oi[best]) / sum;
                    double tol = p * (expm1(2 * e) + 8.0 * (double)(k + 4) * DBL_EPSILON) + 1e-300;
                    if (!(fabs(pi[c] - p) <= tol))
                        TU_FAIL("row %zu class %zu: probability %.17g, host %.17g, bound %g", i,
                                c, pi[c], p, tol);
                }
                assert_true(fabs(psum - 1) <= 4.0 * (double)k * DBL_EPSILON);
            }
            /* classes alone, probabilities alone: the same */
            size_t *cls2 = malloc(rows * sizeof *cls2);
            double *probs2 = malloc(rows * k * sizeof *probs2);
            TU_OK(ctx, cln_softmax_predict(m, X, rows, cls2, NULL));
            TU_OK(ctx, cln_softmax_predict(m, X, rows, NULL, probs2));
            assert_memory_equal(cls, cls2, rows * sizeof *cls);
            assert_memory_equal(probs, probs2, rows * k * sizeof *probs);
            free(cls2);
            free(probs2);
            free(X);
            free(W);
            free(cls);
            free(probs);
            free(o);
            free(bound);
            cln_softmax_free(m);
        }
    }
}

/* A dataset's splits, on the device and host-resident: the predictions for its rows. */
static void dataset_predictions(void **state)
{
    cln_context *ctx = *state;
    const size_t d = 300, n = tu_small() ? 90 : 2100, nt = tu_small() ? 60 : 1500, k = 3;
    double *X = tu_normals(n * d, 80);
    double *y = tu_normals(n, 81);
    uint32_t *labels = malloc(n * sizeof *labels);
    for (size_t i = 0; i < n; i++)
        labels[i] = (uint32_t)(i * 7 % k);
    cln_linreg *lm;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, d, 0.3, 1, &lm));
    cln_softmax *sm;
    TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT32, d, k, 0.3, 1, &sm));
    double *want = malloc(n * k * sizeof *want), *got = malloc(n * k * sizeof *got);
    size_t *wc = malloc(n * sizeof *wc), *gc = malloc(n * sizeof *gc);
    for (int on_host = 0; on_host < 2; on_host++) {
        cln_placement place = on_host ? CLN_PLACE_HOST : CLN_PLACE_DEVICE;
        cln_dataset *ds, *ls;
        TU_OK(ctx, cln_dataset_create_placed(ctx, CLN_FLOAT32, X, y, n, d, nt, place, &ds));
        TU_OK(ctx, cln_dataset_create_labeled(ctx, CLN_FLOAT32, X, labels, n, d, k, nt, place,
                                              &ls));
        assert_int_equal(cln_dataset_on_host(ds), on_host);
        for (int val = 0; val < 2; val++) {
            size_t first = val ? nt : 0, rows = val ? n - nt : nt;
            cln_rows which = val ? CLN_ROWS_VAL : CLN_ROWS_TRAIN;
            /* the same kernel on the same values: the same bits as the rows from the host */
            TU_OK(ctx, cln_linreg_predict(lm, X + first * d, rows, want));
            TU_OK(ctx, cln_linreg_predict_dataset(lm, ds, which, got));
            assert_memory_equal(want, got, rows * sizeof *want);
            TU_OK(ctx, cln_softmax_predict(sm, X + first * d, rows, wc, want));
            TU_OK(ctx, cln_softmax_predict_dataset(sm, ls, which, gc, got));
            assert_memory_equal(want, got, rows * k * sizeof *want);
            assert_memory_equal(wc, gc, rows * sizeof *wc);
        }
        cln_dataset_free(ds);
        cln_dataset_free(ls);
    }
    /* data of another shape or dtype */
    cln_dataset *narrow;
    TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, X, y, 10, 2, 5, &narrow));
    TU_FAILS(ctx, CLN_ERR_SHAPE_MISMATCH, "the data has 2 features, the model 300 inputs",
             cln_linreg_predict_dataset(lm, narrow, CLN_ROWS_TRAIN, got));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "data is NULL",
             cln_linreg_predict_dataset(lm, NULL, CLN_ROWS_TRAIN, got));
    cln_dataset_free(narrow);
    cln_dataset *few;
    TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT32, X, y, 10, d, 5, &few));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "unknown split",
             cln_linreg_predict_dataset(lm, few, (cln_rows)7, got));
    cln_dataset_free(few);
    if (cln_context_device(ctx)->has_float64) {
        cln_dataset *wide;
        TU_OK(ctx, cln_dataset_create(ctx, CLN_FLOAT64, X, y, 10, d, 5, &wide));
        TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "two dtypes",
                 cln_linreg_predict_dataset(lm, wide, CLN_ROWS_VAL, got));
        cln_dataset_free(wide);
    }
    free(X);
    free(y);
    free(labels);
    free(want);
    free(got);
    free(wc);
    free(gc);
    cln_linreg_free(lm);
    cln_softmax_free(sm);
}

/* ---- continued fits ----------------------------------------------------------------------- */

static const cln_train_path every_path[] = {CLN_PATH_AUTO, CLN_PATH_STEPWISE, CLN_PATH_FUSED,
                                            CLN_PATH_EPOCH, CLN_PATH_PERSISTENT};
#define PATHS (sizeof every_path / sizeof every_path[0])

/* What on_epoch saw. */
typedef struct seen {
    size_t n, epoch[8], first[8], max[8];
} seen;

static int on_epoch(const cln_epoch_report *r, void *user)
{
    seen *s = user;
    if (s->n < 8) {
        s->epoch[s->n] = r->epoch;
        s->first[s->n] = r->first_epoch;
        s->max[s->n] = r->max_epochs;
        s->n++;
    }
    return 0;
}

/* Fits `model` n_runs times, the i-th running runs[i] epochs; the first failure's status. */
static cln_status fit_runs(cln_context *ctx, cln_model *model, const cln_dataset *data,
                           cln_trainer_config cfg, const size_t *runs, size_t n_runs)
{
    for (size_t i = 0; i < n_runs; i++) {
        cfg.max_epochs = runs[i];
        cln_status st = cln_fit(model, data, &cfg, NULL);
        if (st != CLN_SUCCESS)
            return st;
    }
    (void)ctx;
    return CLN_SUCCESS;
}

/* A path this problem or device refuses: skipped with the reason. */
static int refused(cln_context *ctx, cln_status st, cln_train_path path)
{
    if (st != CLN_ERR_UNSUPPORTED)
        return 0;
    print_message("path %d skipped: %s\n", (int)path, cln_last_error(ctx));
    return 1;
}

static void linreg_fits_continue(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_inputs = 3;
    dc.num_train = 300;
    dc.num_val = 100;
    dc.seed = 4;
    for (int on_host = 0; on_host < 2; on_host++) {
        dc.placement = on_host ? CLN_PLACE_HOST : CLN_PLACE_DEVICE;
        cln_dataset *data;
        TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
        for (size_t p = 0; p < PATHS; p++) {
            cln_train_path path = every_path[p];
            if (tu_path_off(ctx, path))
                continue;
            if (on_host && (path == CLN_PATH_EPOCH || path == CLN_PATH_PERSISTENT))
                continue; /* host-resident data streams through the fused or stepwise path */
            cln_trainer_config cfg;
            cln_trainer_config_init(&cfg);
            cfg.path = path;
            cfg.seed = 11;
            cln_linreg *once, *twice;
            TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 3, 0.01, 2, &once));
            TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 3, 0.01, 2, &twice));
            double start[4];
            TU_OK(ctx, cln_linreg_get(twice, start, &start[3]));
            const size_t three[] = {3}, two_one[] = {2, 1};
            cln_status st = fit_runs(ctx, cln_linreg_model(once), data, cfg, three, 1);
            if (refused(ctx, st, path)) {
                cln_linreg_free(once);
                cln_linreg_free(twice);
                continue;
            }
            TU_OK(ctx, st);
            TU_OK(ctx, fit_runs(ctx, cln_linreg_model(twice), data, cfg, two_one, 2));
            double a[4], b[4];
            TU_OK(ctx, cln_linreg_get(once, a, &a[3]));
            TU_OK(ctx, cln_linreg_get(twice, b, &b[3]));
            print_message("%s data, path %d: w0 %.9g after 3 epochs, %.9g after 2 + 1\n",
                          on_host ? "host" : "device", (int)path, a[0], b[0]);
            assert_same_bits(a, b, 4);
            assert_int_equal(cln_model_epochs_trained(cln_linreg_model(once)), 3);
            assert_int_equal(cln_model_epochs_trained(cln_linreg_model(twice)), 3);
            /* put back to its start and its count to 0, a model trains as a new one */
            TU_OK(ctx, cln_model_set_epochs_trained(cln_linreg_model(twice), 0));
            TU_OK(ctx, cln_linreg_set(twice, start, start[3]));
            TU_OK(ctx, fit_runs(ctx, cln_linreg_model(twice), data, cfg, three, 1));
            TU_OK(ctx, cln_linreg_get(twice, b, &b[3]));
            assert_same_bits(a, b, 4);
            cln_linreg_free(once);
            cln_linreg_free(twice);
        }
        cln_dataset_free(data);
    }
}

/* Epoch numbers: the reports, the history's x values and draw_order's epochs are absolute. */
typedef struct draws {
    size_t n, epoch[8];
    uint64_t seed;
} draws;

static cln_status record_draw(size_t epoch, uint32_t *order, size_t num_rows, void *user)
{
    draws *d = user;
    if (d->n < 8)
        d->epoch[d->n++] = epoch;
    return cln_shuffle_order(d->seed, epoch, order, num_rows);
}

static void epochs_are_numbered_on(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = 64;
    dc.num_val = 32;
    cln_dataset *data;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    cln_linreg *m, *ref;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m));
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &ref));
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.batch_size = 16;
    cfg.seed = 5;
    cfg.max_epochs = 2;
    TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &cfg, NULL));
    seen s = {0};
    draws dr = {0, {0}, 5};
    cfg.on_epoch = on_epoch;
    cfg.user = &s;
    cfg.draw_order = record_draw;
    cfg.order_user = &dr;
    cfg.max_epochs = 2;
    cln_history h;
    TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &cfg, &h));
    assert_int_equal(s.n, 2);
    assert_int_equal(s.epoch[0], 2);
    assert_int_equal(s.epoch[1], 3);
    assert_int_equal(s.first[1], 2);
    assert_int_equal(s.max[1], 2);
    assert_int_equal(dr.n, 2);
    assert_int_equal(dr.epoch[0], 2); /* the third epoch's order: cln_shuffle_order(seed, 2) */
    assert_int_equal(dr.epoch[1], 3);
    assert_int_equal(h.epochs, 2);
    assert_int_equal(h.val_loss.count, 2);
    assert_true(h.val_loss.x[0] == 3 && h.val_loss.x[1] == 4);
    /* 4 batches an epoch, 2 points: the first at the mean of 2 + 0/4 and 2 + 1/4 */
    assert_int_equal(h.train_loss.count, 4);
    assert_true(h.train_loss.x[0] == 2.125 && h.train_loss.x[3] == 3.625);
    cln_history_free(&h);
    /* drawn with the library's own orders, the same bits as 4 epochs at once */
    cfg.on_epoch = NULL;
    cfg.draw_order = NULL;
    cfg.max_epochs = 4;
    TU_OK(ctx, cln_fit(cln_linreg_model(ref), data, &cfg, NULL));
    double a[3], b[3];
    TU_OK(ctx, cln_linreg_get(m, a, &a[2]));
    TU_OK(ctx, cln_linreg_get(ref, b, &b[2]));
    assert_same_bits(a, b, 3);
    /* a stop counts the epochs done; a divergence does not count its epoch */
    assert_int_equal(cln_model_epochs_trained(cln_linreg_model(m)), 4);
    cfg.lr = 1e15; /* inf within the first epoch of this fit: the model's fifth */
    cfg.max_epochs = 5;
    TU_FAILS(ctx, CLN_ERR_DIVERGED, "epoch 5", cln_fit(cln_linreg_model(m), data, &cfg, &h));
    assert_int_equal(h.epochs, 0);
    assert_int_equal(cln_model_epochs_trained(cln_linreg_model(m)), 4);
    cln_history_free(&h);
    /* a count that cannot grow by max_epochs */
    TU_OK(ctx, cln_model_set_epochs_trained(cln_linreg_model(m), SIZE_MAX - 1));
    cfg.lr = 0.03;
    cfg.max_epochs = 2;
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "overflow", cln_fit(cln_linreg_model(m), data, &cfg, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "m is NULL", cln_model_set_epochs_trained(NULL, 1));
    assert_int_equal(cln_model_epochs_trained(NULL), 0);
    cln_linreg_free(m);
    cln_linreg_free(ref);
    cln_dataset_free(data);
}

/* The order a fit draws, seen by a model of the test's own on the stepwise path (its first
 * training batch of each epoch records the loader's order). */
typedef struct observer {
    cln_context *ctx;
    size_t epochs;
    uint32_t orders[4][40];
} observer;

static cln_status fill_at(cln_tensor *t, size_t at, double v)
{
    cln_tensor *view;
    cln_status st = cln_tensor_view_rows(t, at, 1, &view);
    if (st == CLN_SUCCESS)
        st = cln_tensor_fill(view, v);
    cln_tensor_free(view);
    return st;
}

static cln_status observe_train(void *self, const cln_batch *batch, const cln_step *step,
                                cln_tensor *results, size_t loss_at)
{
    (void)step;
    observer *o = self;
    if (batch->first == 0 && o->epochs < 4)
        memcpy(o->orders[o->epochs++], cln_loader_order(batch->loader), 40 * sizeof(uint32_t));
    return fill_at(results, loss_at, 1.0);
}

static cln_status observe_eval(void *self, const cln_batch *batch, cln_tensor *results,
                               size_t loss_at, size_t metric_at)
{
    (void)self; (void)batch; (void)metric_at;
    return fill_at(results, loss_at, 1.0);
}

static cln_status observe_save(void *self, cln_tensor *results, size_t at)
{
    (void)self;
    return fill_at(results, at, 0.0);
}

static cln_status observe_load(void *self, const double *params)
{
    (void)self; (void)params;
    return CLN_SUCCESS;
}

static void orders_continue(void **state)
{
    cln_context *ctx = *state;
    static const cln_model_ops ops = {sizeof(cln_model_ops), "observer", NULL, NULL,
                                      observe_train, observe_eval, observe_save, observe_load,
                                      NULL};
    observer o = {ctx, 0, {{0}}};
    cln_model *model;
    TU_OK(ctx, cln_model_create(ctx, CLN_FLOAT32, 2, 1, &ops, &o, &model));
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = 40;
    dc.num_val = 10;
    cln_dataset *data;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.batch_size = 8;
    cfg.seed = 123;
    cfg.max_epochs = 2;
    TU_OK(ctx, cln_fit(model, data, &cfg, NULL));
    cfg.max_epochs = 1;
    TU_OK(ctx, cln_fit(model, data, &cfg, NULL));
    assert_int_equal(o.epochs, 3);
    for (size_t e = 0; e < 3; e++) {
        uint32_t want[40];
        TU_OK(NULL, cln_shuffle_order(123, e, want, 40));
        assert_memory_equal(o.orders[e], want, sizeof want);
    }
    assert_int_equal(cln_model_epochs_trained(model), 3);
    cln_model_free(model);
    cln_dataset_free(data);
}

static void softmax_fits_continue(void **state)
{
    cln_context *ctx = *state;
    const size_t d = 4, k = 3, n = 240, nt = 180;
    double *X = tu_normals(n * d, 90);
    uint32_t *labels = malloc(n * sizeof *labels);
    for (size_t i = 0; i < n; i++)
        labels[i] = X[i * d] > 0.5 ? 2 : X[i * d + 1] > 0 ? 1 : 0;
    cln_dataset *data;
    TU_OK(ctx, cln_dataset_create_labeled(ctx, CLN_FLOAT32, X, labels, n, d, k, nt,
                                          CLN_PLACE_DEVICE, &data));
    for (size_t p = 0; p < PATHS - 1; p++) { /* softmax has no persistent kernel */
        cln_train_path path = every_path[p];
        if (tu_path_off(ctx, path))
            continue;
        cln_trainer_config cfg;
        cln_trainer_config_init(&cfg);
        cfg.path = path;
        cfg.lr = 0.1;
        cfg.batch_size = 16;
        cln_softmax *once, *twice;
        TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT32, d, k, 0.01, 3, &once));
        TU_OK(ctx, cln_softmax_create(ctx, CLN_FLOAT32, d, k, 0.01, 3, &twice));
        const size_t three[] = {3}, one_two[] = {1, 2};
        cln_status st = fit_runs(ctx, cln_softmax_model(once), data, cfg, three, 1);
        if (!refused(ctx, st, path)) {
            TU_OK(ctx, st);
            TU_OK(ctx, fit_runs(ctx, cln_softmax_model(twice), data, cfg, one_two, 2));
            double a[15], b[15];
            TU_OK(ctx, cln_softmax_get(once, a, a + 12));
            TU_OK(ctx, cln_softmax_get(twice, b, b + 12));
            assert_same_bits(a, b, 15);
        }
        cln_softmax_free(once);
        cln_softmax_free(twice);
    }
    cln_dataset_free(data);
    free(X);
    free(labels);
}

/* Saved after 2 epochs, loaded, trained 1 more: the bits of 3 at once; and a group of one
 * continues as cln_fit() does. */
static void saved_fits_continue(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = 200;
    dc.num_val = 50;
    cln_dataset *data;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.seed = 8;
    cln_linreg *once, *first, *loaded;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 1, &once));
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 1, &first));
    TU_OK(ctx, cln_linreg_set_loss_scale(once, 1.0));
    TU_OK(ctx, cln_linreg_set_loss_scale(first, 1.0));
    cfg.max_epochs = 3;
    TU_OK(ctx, cln_fit(cln_linreg_model(once), data, &cfg, NULL));
    cfg.max_epochs = 2;
    TU_OK(ctx, cln_fit(cln_linreg_model(first), data, &cfg, NULL));
    char p[128];
    in_tmp(p, sizeof p, "after2.json");
    TU_OK(ctx, cln_linreg_save(first, NULL, p));
    cln_linreg_free(first);
    TU_OK(ctx, cln_linreg_load(ctx, p, &loaded, NULL));
    assert_int_equal(cln_model_epochs_trained(cln_linreg_model(loaded)), 2);
    assert_true(cln_linreg_loss_scale(loaded) == 1.0);
    cfg.max_epochs = 1;
    TU_OK(ctx, cln_fit(cln_linreg_model(loaded), data, &cfg, NULL));
    double a[3], b[3];
    TU_OK(ctx, cln_linreg_get(once, a, &a[2]));
    TU_OK(ctx, cln_linreg_get(loaded, b, &b[2]));
    assert_same_bits(a, b, 3);

    if (tu_path_off(ctx, CLN_PATH_FUSED)) { /* the path a group trains on */
        cln_linreg_free(once);
        cln_linreg_free(loaded);
        cln_dataset_free(data);
        return;
    }
    cln_group g;
    cln_group_single(&g);
    cln_linreg *gonce, *gtwice;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 1, &gonce));
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 1, &gtwice));
    cfg.max_epochs = 3;
    TU_OK(ctx, cln_fit_group(gonce, data, &cfg, &g, NULL, NULL));
    cfg.max_epochs = 2;
    TU_OK(ctx, cln_fit_group(gtwice, data, &cfg, &g, NULL, NULL));
    cfg.max_epochs = 1;
    cln_history h;
    TU_OK(ctx, cln_fit_group(gtwice, data, &cfg, &g, &h, NULL));
    assert_true(h.val_loss.count == 1 && h.val_loss.x[0] == 3);
    cln_history_free(&h);
    TU_OK(ctx, cln_linreg_get(gonce, a, &a[2]));
    TU_OK(ctx, cln_linreg_get(gtwice, b, &b[2]));
    assert_same_bits(a, b, 3);
    assert_int_equal(cln_model_epochs_trained(cln_linreg_model(gtwice)), 3);
    cln_linreg_free(gonce);
    cln_linreg_free(gtwice);
    cln_linreg_free(once);
    cln_linreg_free(loaded);
    cln_dataset_free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linreg_round_trip_is_exact),
        cmocka_unit_test(softmax_round_trip_is_exact),
        cmocka_unit_test(description_round_trip),
        cmocka_unit_test(description_checks),
        cmocka_unit_test(load_errors),
        cmocka_unit_test(failed_save_keeps_the_old_file),
        cmocka_unit_test(dash_is_stdout_and_stdin),
        cmocka_unit_test(rows_are_read_by_name),
        cmocka_unit_test(linreg_predictions_match_host),
        cmocka_unit_test(softmax_predictions_match_host),
        cmocka_unit_test(dataset_predictions),
        cmocka_unit_test(linreg_fits_continue),
        cmocka_unit_test(epochs_are_numbered_on),
        cmocka_unit_test(orders_continue),
        cmocka_unit_test(softmax_fits_continue),
        cmocka_unit_test(saved_fits_continue),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
