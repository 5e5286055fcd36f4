/* libFuzzer harness: cln_fit()'s configuration. The bytes decode into a cln_trainer_config
 * (epochs, learning rate, batch size up to SIZE_MAX, points per epoch, the path, the stream
 * chunk, a seed, an epoch callback that may stop the fit, a draw_order that may hand back a
 * row out of range or an error), the model's loss scale, CLNUM_TUNE, and a small synthetic
 * dataset (at most 16 features, 47 training and 23 validation rows, float or double, on the
 * device or streamed from the host, values that may overflow float), so that a run takes
 * milliseconds; max_epochs is at most 3. One OpenCL context for the process
 * (LLVMFuzzerInitialize: the driver's start and the kernels' build happen once). Traps when
 * a contract breaks:
 *   success: no more epochs than asked, all of them unless the callback stopped the fit;
 *   failure: a message from this call (cln_last_error is not the one left before it), and
 *            the draw_order's own error, or CLN_ERR_BAD_ARGUMENT for its row out of range,
 *            when that is what stopped the fit;
 *   always:  no crash, no sanitizer report, no hang (.ci/fuzz.sh's -timeout), and the
 *            history freed. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clnum/clnum.h"

static cln_context *ctx;
static int has_f64, verbose;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    unsetenv("CLNUM_TUNE");
    if (cln_context_create(NULL, &ctx) != CLN_SUCCESS) {
        fprintf(stderr, "fuzz_fit_config: no OpenCL context: %s\n", cln_last_error(NULL));
        exit(1);
    }
    has_f64 = cln_context_device(ctx)->has_float64;
    verbose = getenv("FUZZ_FIT_VERBOSE") != NULL;
    return 0;
}

/* The input, read front to back; zeros once it runs out. */
typedef struct reader {
    const uint8_t *p;
    size_t left;
} reader;

static uint8_t byte(reader *r)
{
    if (!r->left)
        return 0;
    r->left--;
    return *r->p++;
}

static uint64_t u64(reader *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)byte(r) << (8 * i);
    return v;
}

static double raw_double(reader *r)
{
    uint64_t bits = u64(r);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* A size: small, any 64 bits, near SIZE_MAX, or one of the edges around the rows. */
static size_t size_of(reader *r, size_t rows, size_t small_default)
{
    uint8_t kind = byte(r);
    uint64_t raw = u64(r);
    switch (kind % 5) {
    case 0: return small_default;
    case 1: return (size_t)(1 + raw % 64);
    case 2: return (size_t)raw;
    case 3: return SIZE_MAX - (size_t)(raw % 4);
    default: {
        const size_t edges[6] = {0, rows, rows + 1, SIZE_MAX / 2 + 1, (size_t)1 << 32, 1};
        return edges[raw % 6];
    }
    }
}

/* A double: the default, any 64 bits, a positive one of modest size, or a special value. */
static double double_of(reader *r, double def)
{
    uint8_t kind = byte(r);
    double raw = raw_double(r);
    uint64_t bits;
    memcpy(&bits, &raw, sizeof bits);
    switch (kind % 4) {
    case 0: return def;
    case 1: return raw;
    case 2: return ldexp((double)(bits % 1000 + 1), -(int)(bits / 1000 % 16)); /* ~1e-3 to 1e3 */
    default: {
        const double special[8] = {0, -0.1, INFINITY, NAN, DBL_MAX, 1e-300, -INFINITY, 1e30};
        return special[bits % 8];
    }
    }
}

typedef struct watch {
    size_t max_epochs, stop_at, calls;
    int stopped;
} watch;

static int on_epoch(const cln_epoch_report *rep, void *user)
{
    watch *w = user;
    if (rep->epoch >= w->max_epochs || rep->max_epochs != w->max_epochs || rep->epoch != w->calls)
        __builtin_trap();
    w->calls++;
    if (rep->epoch + 1 == w->stop_at) {
        w->stopped = 1;
        return 1;
    }
    return 0;
}

typedef struct drawer {
    uint8_t mode;        /* 0-3: a valid order; 4, 5: a row out of range; 6: an error */
    size_t calls;
    int broke;           /* the order handed back was bad, or an error returned */
} drawer;

static cln_status draw(size_t epoch, uint32_t *order, size_t num_rows, void *user)
{
    drawer *dr = user;
    dr->calls++;
    for (size_t i = 0; i < num_rows; i++)
        order[i] = (uint32_t)((i * 7 + epoch) % num_rows);
    if (num_rows && (dr->mode == 4 || dr->mode == 5)) {
        order[num_rows - 1] = dr->mode == 4 ? (uint32_t)num_rows : UINT32_MAX;
        dr->broke = 1;
    } else if (dr->mode == 6) {
        dr->broke = 1;
        return CLN_ERR_IO;
    }
    return CLN_SUCCESS;
}

/* CLNUM_TUNE: unset, or up to 31 characters, mostly digits and colons. */
static void set_tune(reader *r)
{
    uint8_t len = byte(r) % 32;
    if (len == 0) {
        unsetenv("CLNUM_TUNE");
        return;
    }
    char text[33];
    for (uint8_t i = 0; i < len; i++) {
        uint8_t b = byte(r);
        text[i] = b < 220 ? "0123456789:"[b % 11] : (char)(b == 255 ? 'x' : b - 219 + ' ');
    }
    text[len] = '\0';
    setenv("CLNUM_TUNE", text, 1);
}

/* Marks the last error so that a failure that sets no message of its own shows: returns a
 * copy of the mark (cln_last_error's buffer is the library's, overwritten by the next). */
static const char *mark_last_error(void)
{
    static char mark[128];
    double x = 0;
    (void)cln_lstsq(NULL, &x, 1, 1, 0, CLN_LSTSQ_QR, &x, NULL, NULL);
    snprintf(mark, sizeof mark, "%s", cln_last_error(NULL));
    if (!mark[0])
        __builtin_trap();
    return mark;
}

static void expect_message(const char *mark)
{
    const char *msg = cln_last_error(NULL);
    if (!*msg || strcmp(msg, mark) == 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size};
    uint8_t flags = byte(&r);
    cln_dtype dtype = (flags & 1) && has_f64 ? CLN_FLOAT64 : CLN_FLOAT32;
    cln_placement placement = (cln_placement)((flags >> 1) & 3) == 3
                                  ? CLN_PLACE_HOST
                                  : (cln_placement)((flags >> 1) & 3);
    int use_watch = (flags & 8) != 0, use_draw = (flags & 16) != 0;
    static const double scales[8] = {1, 1, 1, 10, 1e3, 1e10, 1e20, 1e39};
    double scale = scales[(flags >> 5) & 7];

    cln_trainer_config cfg;
    cln_trainer_config_init(&cfg);
    cfg.path = (cln_train_path)(byte(&r) % 7); /* 5 and 6 are not paths */
    size_t d = 1 + byte(&r) % 16;
    size_t n_train = byte(&r) % 48, n_val = byte(&r) % 24, rows = n_train + n_val;
    cfg.max_epochs = byte(&r) % 4;
    cfg.lr = double_of(&r, 0.03);
    cfg.batch_size = size_of(&r, n_train, 8);
    cfg.train_points_per_epoch = size_of(&r, n_train, 2);
    cfg.val_points_per_epoch = size_of(&r, n_val, 1);
    cfg.stream_chunk_bytes = size_of(&r, rows * (d + 1) * 4, 0);
    cfg.seed = u64(&r);
    double loss_scale = double_of(&r, 0.5);
    watch w = {cfg.max_epochs, byte(&r) % 4, 0, 0};
    drawer dr = {(uint8_t)(byte(&r) % 8), 0, 0};
    set_tune(&r);
    if (use_watch) {
        cfg.on_epoch = on_epoch;
        cfg.user = &w;
    }
    if (use_draw) {
        cfg.draw_order = draw;
        cfg.order_user = &dr;
    }

    /* y = X w_true + 0.5 + a little noise, X uniform in [-scale, scale] */
    size_t alloc_rows = rows ? rows : 1;
    double *X = malloc(alloc_rows * d * sizeof *X), *y = malloc(alloc_rows * sizeof *y);
    if (!X || !y)
        __builtin_trap();
    uint64_t s = cfg.seed | 1;
    for (size_t i = 0; i < rows; i++) {
        y[i] = 0.5;
        for (size_t j = 0; j < d; j++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            X[i * d + j] = scale * ((double)(s >> 11) / 4503599627370496.0 - 1.0);
            y[i] += X[i * d + j] * (double)(j % 3) * 0.5;
        }
        y[i] += 0.01 * (double)((s >> 20) % 100) / 100.0;
    }

    const char *mark = mark_last_error();
    cln_dataset *ds = NULL;
    cln_status st = cln_dataset_create_placed(ctx, dtype, X, y, rows, d, n_train, placement, &ds);
    free(X);
    free(y);
    if (st != CLN_SUCCESS) {
        expect_message(mark);
        if (verbose)
            fprintf(stderr, "fuzz_fit_config: the dataset: %s\n", cln_last_error(NULL));
        return 0;
    }
    cln_linreg *m = NULL;
    mark = mark_last_error();
    st = cln_linreg_create(ctx, dtype, d, 0.01, cfg.seed, &m);
    if (st != CLN_SUCCESS)
        expect_message(mark);
    if (st == CLN_SUCCESS && loss_scale != 0.5) {
        mark = mark_last_error();
        if (cln_linreg_set_loss_scale(m, loss_scale) != CLN_SUCCESS)
            expect_message(mark);
    }
    if (st == CLN_SUCCESS) {
        cln_history hist;
        mark = mark_last_error();
        st = cln_fit(cln_linreg_model(m), ds, &cfg, &hist);
        if (hist.epochs > cfg.max_epochs)
            __builtin_trap();
        if (st == CLN_SUCCESS) {
            if (!w.stopped && hist.epochs != cfg.max_epochs)
                __builtin_trap();
            if (dr.broke) /* a bad order or the draw's error never trains */
                __builtin_trap();
        } else {
            expect_message(mark);
            if (dr.broke && st != (dr.mode == 6 ? CLN_ERR_IO : CLN_ERR_BAD_ARGUMENT) &&
                st != CLN_ERR_DIVERGED)
                __builtin_trap();
        }
        if (verbose) /* FUZZ_FIT_VERBOSE=1: what each input did, for writing seeds */
            fprintf(stderr, "fuzz_fit_config: d %zu, %zu+%zu rows, %s, placement %d, path %d, "
                    "epochs %zu, lr %g, batch %zu, points %zu/%zu, chunk %zu, loss %g, "
                    "CLNUM_TUNE '%s', draw %d: %s, %zu epochs, path %d: %s\n", d, n_train,
                    n_val, dtype == CLN_FLOAT64 ? "f64" : "f32", (int)placement, (int)cfg.path,
                    cfg.max_epochs, cfg.lr, cfg.batch_size, cfg.train_points_per_epoch,
                    cfg.val_points_per_epoch, cfg.stream_chunk_bytes, loss_scale,
                    getenv("CLNUM_TUNE") ? getenv("CLNUM_TUNE") : "", use_draw ? dr.mode : -1,
                    cln_status_str(st), hist.epochs, (int)hist.path,
                    st ? cln_last_error(NULL) : "");
        cln_history_free(&hist);
        if (hist.train_loss.x || hist.val_loss.x || hist.epochs)
            __builtin_trap();
    }
    cln_linreg_free(m);
    cln_dataset_free(ds);
    return 0;
}
