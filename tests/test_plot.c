/* The loss plot: the SVG has d2l's look (train_loss solid, val_loss dashed, val_metric
 * dash-dot, x in epochs, a legend), leaves out what cannot be drawn, draws a history without
 * a metric exactly as before the metric curve existed, reports what it cannot write, and
 * renders: a PNG from rsvg-convert (Debian's librsvg2-bin) that is larger than the empty
 * frame's. */
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

static void assert_has(const char *svg, const char *needle)
{
    if (!strstr(svg, needle))
        TU_FAIL("the SVG lacks '%s'", needle);
}

static size_t count_of(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The points of a polyline with id `id`: count and the x pixel range. */
static size_t polyline_points(const char *svg, const char *id, double *xmin, double *xmax)
{
    char key[64];
    snprintf(key, sizeof key, "id=\"%s\"", id);
    const char *p = strstr(svg, key);
    if (!p)
        return 0;
    p = strstr(p, "points=\"");
    assert_non_null(p);
    p += 8;
    size_t n = 0;
    *xmin = INFINITY;
    *xmax = -INFINITY;
    while (*p != '"') {
        double x, y;
        int used;
        assert_int_equal(sscanf(p, "%lf,%lf%n", &x, &y, &used), 2);
        *xmin = fmin(*xmin, x);
        *xmax = fmax(*xmax, x);
        n++;
        p += used;
        while (*p == ' ')
            p++;
    }
    return n;
}

/* The points of the polyline with id `id` (at most cap of them kept); their count. */
static size_t polyline_xy(const char *svg, const char *id, double *xs, double *ys, size_t cap)
{
    char key[64];
    snprintf(key, sizeof key, "<polyline id=\"%s\"", id);
    const char *p = strstr(svg, key);
    if (!p)
        return 0;
    p = strstr(p, "points=\"");
    assert_non_null(p);
    p += 8;
    size_t n = 0;
    while (*p != '"') {
        double x, y;
        int used;
        assert_int_equal(sscanf(p, "%lf,%lf%n", &x, &y, &used), 2);
        if (n < cap) {
            xs[n] = x;
            ys[n] = y;
        }
        n++;
        p += used;
        while (*p == ' ')
            p++;
    }
    return n;
}

static char path_svg[64], path_png[64];

static void temp_paths(const char *stem)
{
    snprintf(path_svg, sizeof path_svg, "/tmp/clnum-test-plot-%s-%d.svg", stem, (int)getpid());
    snprintf(path_png, sizeof path_png, "/tmp/clnum-test-plot-%s-%d.png", stem, (int)getpid());
}

static void a_real_fit_drawn_as_d2l_does(void **state)
{
    cln_context *ctx = *state;
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    cln_dataset *data;
    cln_linreg *m;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m));
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    cln_history h;
    TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &tc, &h));
    temp_paths("fit");
    cln_plot_options po;
    cln_plot_options_init(&po);
    po.title = "chapter 3.4 <linear> & \"scratch\"";
    TU_OK(NULL, cln_history_write_svg(&h, &po, path_svg));
    char *svg = slurp(path_svg, NULL);
    assert_has(svg, "<?xml version=\"1.0\"");
    assert_has(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
    assert_has(svg, "width=\"480\" height=\"320\"");
    /* the title escaped */
    assert_has(svg, "chapter 3.4 &lt;linear&gt; &amp; &quot;scratch&quot;");
    /* train_loss solid in C0, val_loss dashed in C1, with every point of the history */
    assert_has(svg, "<polyline id=\"train_loss\" stroke=\"#1f77b4\" points=");
    assert_has(svg, "<polyline id=\"val_loss\" stroke=\"#ff7f0e\" stroke-dasharray=");
    double x0, x1, v0, v1;
    assert_int_equal(polyline_points(svg, "train_loss", &x0, &x1), h.train_loss.count);
    assert_int_equal(polyline_points(svg, "val_loss", &v0, &v1), h.val_loss.count);
    /* x in epochs on [0, 3]: the last val point (x = 3) at the right edge of the axes,
     * training points inside */
    assert_has(svg, ">epoch</text>");
    assert_true(x0 < x1 && x1 < v1);
    assert_has(svg, "text-anchor=\"middle\">0</text>");
    assert_has(svg, "text-anchor=\"middle\">3</text>");
    /* the legend names both curves */
    assert_has(svg, "<g id=\"legend\">");
    assert_has(svg, ">train_loss</text>");
    assert_has(svg, ">val_loss</text>");
    /* well formed enough for a quick check: every element opened is closed */
    assert_int_equal(count_of(svg, "<g"), count_of(svg, "</g>"));
    assert_int_equal(count_of(svg, "<text"), count_of(svg, "</text>"));
    assert_int_equal(count_of(svg, "<svg"), 1);
    assert_has(svg, "</svg>\n");
    free(svg);
    remove(path_svg);
    cln_history_free(&h);
    cln_linreg_free(m);
    cln_dataset_free(data);
}

static void what_cannot_be_drawn_is_left_out(void **state)
{
    (void)state;
    double tx[4] = {0.25, 0.75, 1.25, 1.75}, ty[4] = {2, NAN, 0.5, INFINITY};
    double vx[1] = {1}, vy[1] = {1.5};
    cln_history h = {{4, tx, ty}, {1, vx, vy}, 2, 64, CLN_PATH_EPOCH, {0, NULL, NULL}};
    temp_paths("gaps");
    TU_OK(NULL, cln_history_write_svg(&h, NULL, path_svg));
    char *svg = slurp(path_svg, NULL);
    double a, b;
    assert_int_equal(polyline_points(svg, "train_loss", &a, &b), 2);
    assert_int_equal(polyline_points(svg, "val_loss", &a, &b), 1);
    assert_has(svg, "<circle"); /* a lone point is marked */
    assert_true(strstr(svg, "nan") == NULL && strstr(svg, "inf") == NULL);
    free(svg);

    /* a log axis leaves out what is not positive */
    ty[1] = -1;
    ty[3] = 0;
    cln_plot_options po;
    cln_plot_options_init(&po);
    po.log_y = 1;
    TU_OK(NULL, cln_history_write_svg(&h, &po, path_svg));
    svg = slurp(path_svg, NULL);
    assert_int_equal(polyline_points(svg, "train_loss", &a, &b), 2);
    free(svg);

    /* nothing at all: an empty frame, no curve, no legend */
    cln_history empty = {{0, NULL, NULL}, {0, NULL, NULL}, 0, 0, CLN_PATH_AUTO, {0, NULL, NULL}};
    TU_OK(NULL, cln_history_write_svg(&empty, NULL, path_svg));
    svg = slurp(path_svg, NULL);
    assert_null(strstr(svg, "<polyline"));
    assert_null(strstr(svg, "legend"));
    assert_has(svg, ">epoch</text>");
    free(svg);
    remove(path_svg);
}

static void failures(void **state)
{
    (void)state;
    cln_history h = {{0, NULL, NULL}, {0, NULL, NULL}, 0, 0, CLN_PATH_AUTO, {0, NULL, NULL}};
    TU_FAILS(NULL, CLN_ERR_IO, "cannot write /nonexistent-dir/p.svg",
             cln_history_write_svg(&h, NULL, "/nonexistent-dir/p.svg"));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "history is NULL", cln_history_write_svg(NULL, NULL, "x.svg"));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "path is NULL", cln_history_write_svg(&h, NULL, NULL));
    cln_plot_options po;
    cln_plot_options_init(&po);
    po.width = 10;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "size 10 x 320", cln_history_write_svg(&h, &po, "x.svg"));
    cln_plot_options_init(&po);
    po.x_max = NAN;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "x_max", cln_history_write_svg(&h, &po, "x.svg"));
    h.train_loss.count = 3;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "train_loss has 3 points but no arrays",
             cln_history_write_svg(&h, NULL, "x.svg"));
    h.train_loss.count = 0;
    h.val_metric.count = 2;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "val_metric has 2 points but no arrays",
             cln_history_write_svg(&h, NULL, "x.svg"));
}

/* ---- curves that a converged fit leaves: every point within a few doubles of the others --
 * The axis and its ticks must come out of any finite input: equal values, spans of one ulp,
 * subnormals, values near DBL_MAX, negative ones. Each drawing runs in a child process with
 * a file-size limit and an alarm, so a drawing that loops fails the test (the child dies of
 * SIGXFSZ or SIGALRM) instead of hanging it or filling the disk. */

enum { SVG_LIMIT = 64 * 1024 }; /* bytes: a few points, at most a few dozen ticks */

/* cln_history_write_svg in a child: its status, or -1 for a child killed by `*sig`. */
static int write_in_child(const cln_history *h, const cln_plot_options *po, const char *path,
                          int *sig)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit lim = {4 * SVG_LIMIT, 4 * SVG_LIMIT};
        setrlimit(RLIMIT_FSIZE, &lim);
        alarm(60);
        _exit((int)cln_history_write_svg(h, po, path));
    }
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    *sig = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

/* The text of the labels of the ticks of the y axis (text-anchor="end"), in order. */
static size_t y_labels(const char *svg, char labels[][64], size_t cap)
{
    size_t n = 0;
    const char *key = "text-anchor=\"end\">";
    for (const char *p = strstr(svg, key); p; p = strstr(p + 1, key)) {
        p += strlen(key);
        const char *q = strstr(p, "</text>");
        assert_non_null(q);
        if (n < cap) {
            size_t len = (size_t)(q - p) < 63 ? (size_t)(q - p) : 63;
            memcpy(labels[n], p, len);
            labels[n][len] = '\0';
        }
        n++;
    }
    return n;
}

/* Every number in the file is finite and a sane pixel or label: no nan, no inf, and none
 * of the attributes' numbers beyond +-1e8 (a point far outside the axes is clipped there). */
static void assert_numbers_sane(const char *svg, const char *what)
{
    for (const char *p = svg; *p; p++) {
        if (strncmp(p, "nan", 3) == 0 || strncmp(p, "inf", 3) == 0 || strncmp(p, "NAN", 3) == 0 ||
            strncmp(p, "INF", 3) == 0)
            TU_FAIL("%s: the SVG holds '%.12s'", what, p);
    }
    /* attribute values and polyline coordinates: after '="', ' ' or ',' inside a tag */
    int in_tag = 0;
    for (const char *p = svg; *p; p++) {
        if (*p == '<')
            in_tag = 1;
        else if (*p == '>')
            in_tag = 0;
        if (!in_tag || !(p[0] == '"' || p[0] == ',' || p[0] == ' '))
            continue;
        const char *q = p + 1;
        if (!(*q == '-' || (*q >= '0' && *q <= '9')))
            continue;
        char *end;
        double v = strtod(q, &end);
        if (end == q)
            continue;
        if (!isfinite(v) || fabs(v) > 1e8)
            TU_FAIL("%s: the SVG holds the number %.40s", what, q);
    }
}

/* Draws ty[] as train_loss and my[] as val_metric (n points each at epochs 0.5, 1, 1.5, ...;
 * NULL: no such curve) and checks what came out. */
static void check_curves(const double *ty, const double *my, size_t n, int log_y, double x_max,
                         const char *what)
{
    double tx[8];
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++)
        tx[i] = 0.5 * (double)(i + 1);
    cln_history h = {{ty ? n : 0, tx, (double *)ty}, {0, NULL, NULL}, (n + 1) / 2, n,
                     CLN_PATH_EPOCH, {my ? n : 0, tx, (double *)my}};
    cln_plot_options po;
    cln_plot_options_init(&po);
    po.log_y = log_y;
    po.x_max = x_max;
    temp_paths("flat");
    remove(path_svg);
    int sig = 0;
    int st = write_in_child(&h, &po, path_svg, &sig);
    struct stat sb;
    long size = stat(path_svg, &sb) == 0 ? (long)sb.st_size : -1;
    if (st != CLN_SUCCESS || size <= 0 || size > SVG_LIMIT)
        remove(path_svg); /* what a drawing that looped left */
    if (st != CLN_SUCCESS)
        TU_FAIL("%s%s: the drawing %s (signal %d, %ld bytes written)", what,
                log_y ? " (log)" : "", st < 0 ? "did not return" : "failed", sig, size);
    if (size <= 0 || size > SVG_LIMIT)
        TU_FAIL("%s%s: %ld bytes of SVG, more than %d", what, log_y ? " (log)" : "", size,
                (int)SVG_LIMIT);
    char *svg = slurp(path_svg, NULL);
    remove(path_svg);
    assert_has(svg, "</svg>\n");
    assert_int_equal(count_of(svg, "<g"), count_of(svg, "</g>"));
    assert_int_equal(count_of(svg, "<text"), count_of(svg, "</text>"));
    assert_numbers_sane(svg, what);
    /* ticks on both axes: x labels (middle, plus the axis title) and y labels, distinct */
    size_t x_ticks = count_of(svg, "text-anchor=\"middle\">") - 1;
    if (x_ticks < 1 || x_ticks > 40)
        TU_FAIL("%s: %zu ticks on the x axis", what, x_ticks);
    /* (a log axis within one decade has one tick, as its decades are its ticks) */
    char labels[48][64];
    size_t ny = y_labels(svg, labels, 48);
    if (ny < (log_y ? 1u : 2u) || ny > 40)
        TU_FAIL("%s%s: %zu ticks on the y axis", what, log_y ? " (log)" : "", ny);
    for (size_t i = 1; i < ny; i++)
        if (strcmp(labels[i], labels[i - 1]) == 0)
            TU_FAIL("%s: two y ticks labelled '%s'", what, labels[i]);
    /* every point drawn (a log axis leaves out zeros), inside the axes' height: the y axis
     * holds every value of either curve */
    const double *values[2] = {ty, my};
    const char *ids[2] = {"train_loss", "val_metric"};
    for (int c = 0; c < 2; c++) {
        if (!values[c])
            continue;
        size_t drawn = 0;
        for (size_t i = 0; i < n; i++)
            drawn += !log_y || values[c][i] > 0;
        double xs[8], ys[8];
        if (polyline_xy(svg, ids[c], xs, ys, 8) != drawn)
            TU_FAIL("%s: not every point of %s in its polyline", what, ids[c]);
        for (size_t i = 0; i < drawn; i++)
            if (!(ys[i] >= 14 && ys[i] <= 320 - 42))
                TU_FAIL("%s: %s's point %zu at y = %g px, outside the axes", what, ids[c], i,
                        ys[i]);
    }
    free(svg);
}

static void check_drawing(const double *ty, size_t n, int log_y, double x_max, const char *what)
{
    check_curves(ty, NULL, n, log_y, x_max, what);
}

static void flat_and_extreme_curves_terminate(void **state)
{
    (void)state;
    const double u01 = nextafter(0.1, 1), sub = 4.9406564584124654e-324; /* 2^-1074 */
    /* every y equal */
    const double equal[] = {0.1, 1e-300, 1e300, DBL_MAX, -DBL_MAX, DBL_MIN, sub, -sub, 0.0,
                            -0.1, 1.0, 1e308, -1e-300, 3e-320};
    for (size_t i = 0; i < sizeof equal / sizeof *equal; i++) {
        double y[4] = {equal[i], equal[i], equal[i], equal[i]};
        char what[64];
        snprintf(what, sizeof what, "every y = %.17g", equal[i]);
        check_drawing(y, 4, 0, 0, what);
        if (equal[i] > 0)
            check_drawing(y, 4, 1, 0, what); /* and on a log axis */
    }
    /* spans of one ulp and of a few */
    double y[8];
    const double starts[] = {0.1, 1.0, 1e300, -1e300, 1e-300, DBL_MIN, sub, -0.1, 1e308,
                             nextafter(DBL_MAX, 0)};
    for (size_t i = 0; i < sizeof starts / sizeof *starts; i++)
        for (int ulps = 1; ulps <= 5; ulps += 4) {
            double v = starts[i];
            for (int k = 0; k < 8; k++) {
                y[k] = v;
                if (k % 2 == 0 && k / 2 < ulps)
                    v = nextafter(v, 0); /* towards zero: never past DBL_MAX */
            }
            char what[64];
            snprintf(what, sizeof what, "%d ulp from %.17g", ulps, starts[i]);
            check_drawing(y, 8, 0, 0, what);
            if (starts[i] > 0)
                check_drawing(y, 8, 1, 0, what);
        }
    /* the widest spans there are, and a converged float64 fit's last digits */
    const double wide[][4] = {{-DBL_MAX, DBL_MAX, 0, 1},       {0, DBL_MAX, DBL_MAX, 1e308},
                              {sub, DBL_MAX, 1, 1e-300},        {-sub, sub, 0, sub},
                              {0.1, u01, 0.1, u01},             {-DBL_MAX, -DBL_MAX, -1e308, 0},
                              {1e-300, 2e-300, 3e-300, 1.5e-300}, {2.5, 2.5000000000000004, 2.5, 2.5}};
    for (size_t i = 0; i < sizeof wide / sizeof *wide; i++) {
        char what[64];
        snprintf(what, sizeof what, "span %.3g .. %.3g", wide[i][0], wide[i][1]);
        check_drawing(wide[i], 4, 0, 0, what);
        if (wide[i][0] > 0)
            check_drawing(wide[i], 4, 1, 0, what);
    }
    /* and x: the x axis's end from the options, a subnormal or DBL_MAX */
    const double some[4] = {2, 1, 0.5, 0.25};
    check_drawing(some, 4, 0, sub, "x_max subnormal");
    check_drawing(some, 4, 0, DBL_MAX, "x_max DBL_MAX");
    check_drawing(some, 4, 0, 1e-300, "x_max 1e-300");
}

/* The same for the metric curve: alone (an accuracy that stopped changing), and beside
 * losses of any size, from subnormals to DBL_MAX. */
static void metric_flat_and_extreme_terminate(void **state)
{
    (void)state;
    const double sub = 4.9406564584124654e-324, a97 = nextafter(0.97, 1);
    const double equal[] = {0.97, 1.0, 0.0, 1e-300, DBL_MAX, sub, -0.5};
    for (size_t i = 0; i < sizeof equal / sizeof *equal; i++) {
        double y[4] = {equal[i], equal[i], equal[i], equal[i]};
        char what[64];
        snprintf(what, sizeof what, "every metric = %.17g", equal[i]);
        check_curves(NULL, y, 4, 0, 0, what);
        if (equal[i] > 0)
            check_curves(NULL, y, 4, 1, 0, what);
    }
    const double ulp[4] = {0.97, a97, 0.97, a97};
    check_curves(NULL, ulp, 4, 0, 0, "a metric within one ulp");
    check_curves(NULL, ulp, 4, 1, 0, "a metric within one ulp");
    const double acc[4] = {0.5, 0.7, 0.85, 0.9};
    const double losses[][4] = {{DBL_MAX, 1e308, 1e300, 1}, {sub, sub, sub, sub},
                                {1e-300, 2e-300, 3e-300, 1.5e-300}, {-DBL_MAX, DBL_MAX, 0, 1}};
    for (size_t i = 0; i < sizeof losses / sizeof *losses; i++) {
        char what[64];
        snprintf(what, sizeof what, "an accuracy beside losses %.3g .. %.3g", losses[i][0],
                 losses[i][1]);
        check_curves(losses[i], acc, 4, 0, 0, what);
        if (losses[i][0] > 0)
            check_curves(losses[i], acc, 4, 1, 0, what);
    }
    /* losses equal to the accuracy's last value (linear only: 0.5 .. 0.9 holds no decade,
     * which is a log axis's only tick) */
    const double same[4] = {0.9, 0.9, 0.9, 0.9};
    check_curves(same, acc, 4, 0, 0, "an accuracy beside losses of its last value");
}

/* A history whose x values are extreme (the x axis follows the last one). */
static void extreme_epochs_terminate(void **state)
{
    (void)state;
    double tx[3] = {0, 1e308, DBL_MAX}, ty[3] = {1, 0.5, 0.25};
    cln_history h = {{3, tx, ty}, {0, NULL, NULL}, 3, 3, CLN_PATH_EPOCH, {0, NULL, NULL}};
    temp_paths("xwide");
    int sig = 0;
    int st = write_in_child(&h, NULL, path_svg, &sig);
    if (st != CLN_SUCCESS) {
        remove(path_svg);
        TU_FAIL("x up to DBL_MAX: the drawing %s (signal %d)",
                st < 0 ? "did not return" : "failed", sig);
    }
    char *svg = slurp(path_svg, NULL);
    assert_numbers_sane(svg, "x up to DBL_MAX");
    assert_true(strlen(svg) < SVG_LIMIT);
    assert_true(count_of(svg, "text-anchor=\"middle\">") >= 3); /* ticks, the axis title */
    free(svg);
    remove(path_svg);
}

/* The x axis's labels lie whole inside the picture, the last one too: centred on its tick, a
 * long one ("1000000" at a million epochs) would run past the right edge where the axis ends
 * 14 pixels before it. Widths as DejaVu Sans draws digits at 12 px, 0.636 em each. */
static void the_last_x_label_is_whole(void **state)
{
    (void)state;
    const double his[] = {3, 1000, 1e6, 12345678, 2.5e9, 1e300};
    for (size_t k = 0; k < sizeof his / sizeof his[0]; k++) {
        double tx[2] = {0, his[k]}, ty[2] = {2, 1};
        cln_history h = {{2, tx, ty}, {0, NULL, NULL}, 2, 2, CLN_PATH_EPOCH, {0, NULL, NULL}};
        temp_paths("xlabel");
        assert_int_equal(cln_history_write_svg(&h, NULL, path_svg), CLN_SUCCESS);
        char *svg = slurp(path_svg, NULL);
        size_t labels = 0;
        double right = 0;
        for (const char *p = strstr(svg, "<text x=\""); p; p = strstr(p + 1, "<text x=\"")) {
            double x, y;
            char text[64];
            if (sscanf(p, "<text x=\"%lf\" y=\"%lf\" text-anchor=\"middle\">%63[^<]", &x, &y,
                       text) != 3 || y != 295 || strcmp(text, "epoch") == 0)
                continue; /* not an x tick's label */
            labels++;
            right = fmax(right, x + 0.636 * 12 * (double)strlen(text) / 2);
        }
        if (labels < 2 || right > 480)
            TU_FAIL("x to %g: %zu tick labels, the last ending at pixel %.1f of 480", his[k],
                    labels, right);
        free(svg);
        remove(path_svg);
    }
}

/* ---- the metric curve: d2l 4.4's val_acc, dash-dot in matplotlib's C2 -------------------- */

/* Where a point belongs on the default 480 x 320 board without a title: x from 0 to x_hi
 * epochs on pixels 62 to 466; y on pixels 278 (bottom) to 14, from the lowest to the highest
 * value drawn with matplotlib's 5% margins. */
static double want_px_x(double x, double x_hi)
{
    return 62 + x / x_hi * 404;
}

static double want_px_y(double v, double lo, double hi)
{
    double pad = (hi - lo) * 0.05;
    return 278 - (v - (lo - pad)) / ((hi + pad) - (lo - pad)) * 264;
}

/* The file has two decimals: a point is right within their rounding. */
static void assert_px(double got, double want, const char *what, size_t i)
{
    if (!(fabs(got - want) <= 0.006))
        TU_FAIL("%s: point %zu at %.2f px, expected %.2f", what, i, got, want);
}

/* The legend's box: x, y, width, height of its first rect. */
static void legend_box(const char *svg, double *lx, double *ly, double *lw, double *lh)
{
    const char *p = strstr(svg, "<g id=\"legend\">\n<rect ");
    assert_non_null(p);
    assert_int_equal(sscanf(p, "<g id=\"legend\">\n<rect x=\"%lf\" y=\"%lf\" width=\"%lf\" "
                               "height=\"%lf\"", lx, ly, lw, lh), 4);
}

/* A fit's three curves: losses falling below 0.4, an accuracy rising to 0.9 (d2l 4.4's shape),
 * 4 epochs. */
static double fit_tx[8] = {0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4};
static double fit_ty[8] = {0.4, 0.3, 0.25, 0.2, 0.16, 0.13, 0.11, 0.1};
static double fit_vx[4] = {1, 2, 3, 4}, fit_vy[4] = {0.35, 0.25, 0.15, 0.12};
static double fit_mx[4] = {1, 2, 3, 4}, fit_my[4] = {0.5, 0.7, 0.85, 0.9};

static cln_history fit_history(void)
{
    cln_history h = {{8, fit_tx, fit_ty}, {4, fit_vx, fit_vy}, 4, 32, CLN_PATH_EPOCH,
                     {4, fit_mx, fit_my}};
    return h;
}

static void the_metric_drawn_dash_dot_in_c2(void **state)
{
    (void)state;
    cln_history h = fit_history();
    temp_paths("metric");
    TU_OK(NULL, cln_history_write_svg(&h, NULL, path_svg));
    char *svg = slurp(path_svg, NULL);
    /* the third curve: C2, matplotlib's '-.' at linewidth 1.5, after the losses */
    assert_has(svg, "<polyline id=\"val_metric\" stroke=\"#2ca02c\" "
                    "stroke-dasharray=\"9.6,2.4,1.5,2.4\" points=\"");
    assert_true(strstr(svg, "id=\"val_loss\"") < strstr(svg, "id=\"val_metric\""));
    assert_int_equal(count_of(svg, "<polyline"), 3);
    /* every point where it belongs, on a y axis from the lowest loss (0.1) to the highest
     * accuracy (0.9): the accuracy at the top, the losses below it */
    double xs[8], ys[8];
    assert_int_equal(polyline_xy(svg, "val_metric", xs, ys, 8), 4);
    for (size_t i = 0; i < 4; i++) {
        assert_px(xs[i], want_px_x(fit_mx[i], 4), "val_metric x", i);
        assert_px(ys[i], want_px_y(fit_my[i], 0.1, 0.9), "val_metric y", i);
    }
    assert_px(ys[3], 26, "the highest accuracy at the top margin", 3);
    assert_int_equal(polyline_xy(svg, "train_loss", xs, ys, 8), 8);
    for (size_t i = 0; i < 8; i++) {
        assert_px(xs[i], want_px_x(fit_tx[i], 4), "train_loss x", i);
        assert_px(ys[i], want_px_y(fit_ty[i], 0.1, 0.9), "train_loss y", i);
    }
    assert_int_equal(polyline_xy(svg, "val_loss", xs, ys, 8), 4);
    for (size_t i = 0; i < 4; i++)
        assert_px(ys[i], want_px_y(fit_vy[i], 0.1, 0.9), "val_loss y", i);
    /* the legend: three rows, the third the metric's line and default name */
    assert_has(svg, "stroke=\"#2ca02c\" stroke-width=\"1.5\" "
                    "stroke-dasharray=\"9.6,2.4,1.5,2.4\"/>\n<text ");
    assert_has(svg, ">val_metric</text>");
    double lx, ly, lw, lh;
    legend_box(svg, &lx, &ly, &lw, &lh);
    assert_true(lw == 108 && lh == 62);
    /* ... where it hides no point: the upper right, where it would cover the accuracy's last
     * point, is given up */
    assert_true(365 >= 466 - 8 - 108 && 26 >= 14 + 8 && 26 <= 14 + 8 + 62);
    const char *ids[3] = {"train_loss", "val_loss", "val_metric"};
    for (int c = 0; c < 3; c++) {
        size_t n = polyline_xy(svg, ids[c], xs, ys, 8);
        for (size_t i = 0; i < n; i++)
            if (xs[i] >= lx && xs[i] <= lx + lw && ys[i] >= ly && ys[i] <= ly + lh)
                TU_FAIL("the legend (%g, %g, %g x %g) hides %s's point %zu (%g, %g)", lx, ly,
                        lw, lh, ids[c], i, xs[i], ys[i]);
    }
    assert_int_equal(count_of(svg, "<g"), count_of(svg, "</g>"));
    assert_int_equal(count_of(svg, "<text"), count_of(svg, "</text>"));
    free(svg);

    /* the caller's name for it, escaped; the curve keeps its id */
    cln_plot_options po;
    cln_plot_options_init(&po);
    assert_null(po.metric_label);
    po.metric_label = "val_acc";
    TU_OK(NULL, cln_history_write_svg(&h, &po, path_svg));
    svg = slurp(path_svg, NULL);
    assert_has(svg, ">val_acc</text>");
    assert_null(strstr(svg, ">val_metric</text>"));
    assert_has(svg, "<polyline id=\"val_metric\" stroke=\"#2ca02c\"");
    free(svg);
    po.metric_label = "acc <&> \"top-1\"";
    TU_OK(NULL, cln_history_write_svg(&h, &po, path_svg));
    svg = slurp(path_svg, NULL);
    assert_has(svg, ">acc &lt;&amp;&gt; &quot;top-1&quot;</text>");
    free(svg);
    /* a longer name widens the legend: 7 pixels a character beyond ten */
    po.metric_label = "validation accuracy";
    TU_OK(NULL, cln_history_write_svg(&h, &po, path_svg));
    svg = slurp(path_svg, NULL);
    legend_box(svg, &lx, &ly, &lw, &lh);
    assert_true(lw == 108 + 7 * 9);
    free(svg);
    remove(path_svg);
}

static void metric_points_that_cannot_be_drawn_are_left_out(void **state)
{
    (void)state;
    cln_history h = fit_history();
    double my[4] = {NAN, 0.7, INFINITY, 0.9};
    h.val_metric.y = my;
    temp_paths("metric-gaps");
    TU_OK(NULL, cln_history_write_svg(&h, NULL, path_svg));
    char *svg = slurp(path_svg, NULL);
    double xs[4], ys[4];
    assert_int_equal(polyline_xy(svg, "val_metric", xs, ys, 4), 2);
    assert_px(xs[0], want_px_x(2, 4), "val_metric x", 0);
    assert_px(ys[0], want_px_y(0.7, 0.1, 0.9), "val_metric y", 0);
    assert_px(xs[1], want_px_x(4, 4), "val_metric x", 1);
    assert_px(ys[1], want_px_y(0.9, 0.1, 0.9), "val_metric y", 1);
    assert_numbers_sane(svg, "a metric with NaN and infinity");
    free(svg);

    /* a lone point is marked in the metric's colour */
    double lone[4] = {NAN, 0.8, NAN, -INFINITY};
    h.val_metric.y = lone;
    TU_OK(NULL, cln_history_write_svg(&h, NULL, path_svg));
    svg = slurp(path_svg, NULL);
    assert_int_equal(polyline_xy(svg, "val_metric", xs, ys, 4), 1);
    assert_has(svg, "r=\"2.5\" fill=\"#2ca02c\"");
    free(svg);

    /* a log axis leaves out what is not positive, and spans the rest */
    double nonpos[4] = {0, 0.7, -1, 0.9};
    h.val_metric.y = nonpos;
    cln_plot_options po;
    cln_plot_options_init(&po);
    po.log_y = 1;
    TU_OK(NULL, cln_history_write_svg(&h, &po, path_svg));
    svg = slurp(path_svg, NULL);
    assert_int_equal(polyline_xy(svg, "val_metric", xs, ys, 4), 2);
    assert_px(ys[1], want_px_y(log10(0.9), log10(0.1), log10(0.9)), "log val_metric y", 1);
    free(svg);
    remove(path_svg);
}

/* What the plot drew before it drew a metric, for this history and the default options:
 * train_loss (0.5, 1.8) (1, 0.9) (1.5, 0.6) (2, 0.45), val_loss (1, 1.1) (2, 0.5), 2 epochs. */
static const char old_svg[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"480\" height=\"320\" "
    "viewBox=\"0 0 480 320\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n"
    "<rect x=\"0\" y=\"0\" width=\"480\" height=\"320\" fill=\"white\"/>\n"
    "<g stroke=\"black\" stroke-width=\"0.8\">\n"
    "<line x1=\"62.00\" y1=\"278.00\" x2=\"62.00\" y2=\"282.00\"/>\n"
    "<line x1=\"264.00\" y1=\"278.00\" x2=\"264.00\" y2=\"282.00\"/>\n"
    "<line x1=\"466.00\" y1=\"278.00\" x2=\"466.00\" y2=\"282.00\"/>\n"
    "<line x1=\"58.00\" y1=\"274.89\" x2=\"62.00\" y2=\"274.89\"/>\n"
    "<line x1=\"58.00\" y1=\"239.33\" x2=\"62.00\" y2=\"239.33\"/>\n"
    "<line x1=\"58.00\" y1=\"203.78\" x2=\"62.00\" y2=\"203.78\"/>\n"
    "<line x1=\"58.00\" y1=\"168.22\" x2=\"62.00\" y2=\"168.22\"/>\n"
    "<line x1=\"58.00\" y1=\"132.67\" x2=\"62.00\" y2=\"132.67\"/>\n"
    "<line x1=\"58.00\" y1=\"97.11\" x2=\"62.00\" y2=\"97.11\"/>\n"
    "<line x1=\"58.00\" y1=\"61.56\" x2=\"62.00\" y2=\"61.56\"/>\n"
    "<line x1=\"58.00\" y1=\"26.00\" x2=\"62.00\" y2=\"26.00\"/>\n"
    "</g>\n"
    "<g fill=\"black\">\n"
    "<text x=\"62.00\" y=\"295.00\" text-anchor=\"middle\">0</text>\n"
    "<text x=\"264.00\" y=\"295.00\" text-anchor=\"middle\">1</text>\n"
    "<text x=\"466.00\" y=\"295.00\" text-anchor=\"middle\">2</text>\n"
    "<text x=\"55.00\" y=\"278.89\" text-anchor=\"end\">0.4</text>\n"
    "<text x=\"55.00\" y=\"243.33\" text-anchor=\"end\">0.6</text>\n"
    "<text x=\"55.00\" y=\"207.78\" text-anchor=\"end\">0.8</text>\n"
    "<text x=\"55.00\" y=\"172.22\" text-anchor=\"end\">1.0</text>\n"
    "<text x=\"55.00\" y=\"136.67\" text-anchor=\"end\">1.2</text>\n"
    "<text x=\"55.00\" y=\"101.11\" text-anchor=\"end\">1.4</text>\n"
    "<text x=\"55.00\" y=\"65.56\" text-anchor=\"end\">1.6</text>\n"
    "<text x=\"55.00\" y=\"30.00\" text-anchor=\"end\">1.8</text>\n"
    "<text x=\"264.00\" y=\"312.00\" text-anchor=\"middle\">epoch</text>\n"
    "</g>\n"
    "<clipPath id=\"axes\"><rect x=\"62.00\" y=\"14.00\" width=\"404.00\" "
    "height=\"264.00\"/></clipPath>\n"
    "<g clip-path=\"url(#axes)\" fill=\"none\" stroke-width=\"1.5\" "
    "stroke-linejoin=\"round\">\n"
    "<polyline id=\"train_loss\" stroke=\"#1f77b4\" points=\"163.00,26.00 264.00,186.00 "
    "365.00,239.33 466.00,266.00\"/>\n"
    "<polyline id=\"val_loss\" stroke=\"#ff7f0e\" stroke-dasharray=\"5.55,2.4\" "
    "points=\"264.00,150.44 466.00,257.11\"/>\n"
    "</g>\n"
    "<rect x=\"62.00\" y=\"14.00\" width=\"404.00\" height=\"264.00\" fill=\"none\" "
    "stroke=\"black\" stroke-width=\"0.8\"/>\n"
    "<g id=\"legend\">\n"
    "<rect x=\"350.00\" y=\"22.00\" width=\"108.00\" height=\"44.00\" rx=\"3\" fill=\"white\" "
    "fill-opacity=\"0.8\" stroke=\"#cccccc\"/>\n"
    "<line x1=\"358.00\" y1=\"35.00\" x2=\"386.00\" y2=\"35.00\" stroke=\"#1f77b4\" "
    "stroke-width=\"1.5\"/>\n"
    "<text x=\"392.00\" y=\"39.00\">train_loss</text>\n"
    "<line x1=\"358.00\" y1=\"53.00\" x2=\"386.00\" y2=\"53.00\" stroke=\"#ff7f0e\" "
    "stroke-width=\"1.5\" stroke-dasharray=\"5.55,2.4\"/>\n"
    "<text x=\"392.00\" y=\"57.00\">val_loss</text>\n"
    "</g>\n"
    "</svg>\n";

static char *svg_of(const cln_history *h, const cln_plot_options *po)
{
    TU_OK(NULL, cln_history_write_svg(h, po, path_svg));
    char *svg = slurp(path_svg, NULL);
    remove(path_svg);
    return svg;
}

static void a_history_without_metric_points_drawn_as_before(void **state)
{
    (void)state;
    double tx[4] = {0.5, 1, 1.5, 2}, ty[4] = {1.8, 0.9, 0.6, 0.45};
    double vx[2] = {1, 2}, vy[2] = {1.1, 0.5};
    cln_history h = {{4, tx, ty}, {2, vx, vy}, 2, 8, CLN_PATH_EPOCH, {0, NULL, NULL}};
    temp_paths("no-metric");
    /* byte for byte, with or without a name for the metric it does not have */
    char *svg = svg_of(&h, NULL);
    assert_string_equal(svg, old_svg);
    free(svg);
    cln_plot_options po;
    cln_plot_options_init(&po);
    po.metric_label = "val_acc";
    svg = svg_of(&h, &po);
    assert_string_equal(svg, old_svg);
    free(svg);
    /* none of whose points can be drawn: as the history with val_metric emptied, on either
     * axis */
    double mx[3] = {1, 2, 3}, my[3] = {NAN, INFINITY, -INFINITY}, my_log[3] = {0, -0.5, NAN};
    h.val_metric = (cln_curve){3, mx, my};
    svg = svg_of(&h, &po);
    assert_string_equal(svg, old_svg);
    free(svg);
    h.val_metric = (cln_curve){3, mx, my_log};
    po.log_y = 1;
    char *with = svg_of(&h, &po);
    h.val_metric = (cln_curve){0, NULL, NULL};
    char *without = svg_of(&h, &po);
    assert_string_equal(with, without);
    assert_null(strstr(with, "#2ca02c"));
    free(with);
    free(without);
    /* arrays with no count are no points */
    h.val_metric = (cln_curve){0, mx, my};
    po.log_y = 0;
    svg = svg_of(&h, &po);
    assert_string_equal(svg, old_svg);
    free(svg);
    /* the legend stays in the upper right, even over a loss that rose back to the top
     * (only a metric curve moves it) */
    double rise[4] = {0.9, 0.6, 1.8, 0.45};
    h.train_loss.y = rise;
    svg = svg_of(&h, NULL);
    double xs[4], ys[4], lx, ly, lw, lh;
    assert_int_equal(polyline_xy(svg, "train_loss", xs, ys, 4), 4);
    legend_box(svg, &lx, &ly, &lw, &lh);
    assert_true(lx == 466 - 8 - 108 && ly == 14 + 8);
    /* (1.5, 1.8), under the legend */
    assert_true(xs[2] == 365 && ys[2] == 26);
    assert_true(xs[2] >= lx && xs[2] <= lx + lw && ys[2] >= ly && ys[2] <= ly + lh);
    free(svg);
}

#ifdef CLNUM_RSVG_CONVERT /* tests/CMakeLists.txt defines it where it finds rsvg-convert */
/* Renders an SVG to PNG; returns the PNG's size after checking its signature and size. */
static size_t render(const char *svg_path, const char *png_path)
{
    char cmd[512];
    remove(png_path);
    snprintf(cmd, sizeof cmd, "'%s' -o '%s' '%s'", CLNUM_RSVG_CONVERT, png_path, svg_path);
    if (system(cmd) != 0)
        TU_FAIL("rsvg-convert could not render %s", svg_path);
    size_t len;
    unsigned char *png = (unsigned char *)slurp(png_path, &len);
    assert_true(len > 33);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    /* IHDR: width and height, big-endian, at bytes 16 and 20 */
    unsigned w = (unsigned)png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19];
    unsigned h = (unsigned)png[20] << 24 | png[21] << 16 | png[22] << 8 | png[23];
    assert_int_equal(w, 480);
    assert_int_equal(h, 320);
    free(png);
    remove(png_path);
    return len;
}
#endif

/* Without rsvg-convert (Debian's librsvg2-bin) this test is skipped; CLNUM_REQUIRE_ALL_TESTS
 * (CI) makes its absence a configure error instead. */
static void renders_to_png(void **state)
{
    (void)state;
#ifndef CLNUM_RSVG_CONVERT
    skip();
#else
    double tx[6] = {0.234, 0.734, 1.234, 1.734, 2.234, 2.734}, ty[6] = {10.6, 4.5, 1.6, 0.55, 0.21, 0.086};
    double vx[3] = {1, 2, 3}, vy[3] = {2.3, 0.32, 0.045};
    cln_history h = {{6, tx, ty}, {3, vx, vy}, 3, 96, CLN_PATH_EPOCH, {0, NULL, NULL}};
    temp_paths("render");
    TU_OK(NULL, cln_history_write_svg(&h, NULL, path_svg));
    size_t with_curves = render(path_svg, path_png);
    /* and with an accuracy: the third curve and legend row add to the picture */
    double mx[3] = {1, 2, 3}, my[3] = {0.62, 0.81, 0.9};
    h.val_metric = (cln_curve){3, mx, my};
    cln_plot_options po;
    cln_plot_options_init(&po);
    po.metric_label = "val_acc";
    TU_OK(NULL, cln_history_write_svg(&h, &po, path_svg));
    size_t with_metric = render(path_svg, path_png);
    cln_history empty = {{0, NULL, NULL}, {0, NULL, NULL}, 3, 0, CLN_PATH_AUTO, {0, NULL, NULL}};
    TU_OK(NULL, cln_history_write_svg(&empty, NULL, path_svg));
    size_t frame = render(path_svg, path_png);
    print_message("PNG: %zu bytes with the curves, %zu with the metric too, %zu for the empty "
                  "frame\n", with_curves, with_metric, frame);
    /* antialiased curves and legend text make the picture measurably larger */
    assert_true(frame > 1000);
    assert_true(with_curves > frame + 1000);
    assert_true(with_metric > with_curves + 500);
    remove(path_svg);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_real_fit_drawn_as_d2l_does),
        cmocka_unit_test(what_cannot_be_drawn_is_left_out),
        cmocka_unit_test(the_metric_drawn_dash_dot_in_c2),
        cmocka_unit_test(metric_points_that_cannot_be_drawn_are_left_out),
        cmocka_unit_test(a_history_without_metric_points_drawn_as_before),
        cmocka_unit_test(failures),
        cmocka_unit_test(the_last_x_label_is_whole),
        cmocka_unit_test(renders_to_png),
    };
    /* The host-only drawings first, forked before any OpenCL driver's threads exist. */
    const struct CMUnitTest host_only[] = {
        cmocka_unit_test(flat_and_extreme_curves_terminate),
        cmocka_unit_test(extreme_epochs_terminate),
        cmocka_unit_test(metric_flat_and_extreme_terminate),
    };
    int failed = cmocka_run_group_tests_name("degenerate curves", host_only, NULL, NULL);
    return failed + cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
