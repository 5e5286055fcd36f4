/* The loss plot: the SVG has d2l's look (train_loss solid, val_loss dashed, x in epochs, a
 * legend), leaves out what cannot be drawn, reports what it cannot write, and renders: a
 * PNG from rsvg-convert (Debian's librsvg2-bin) that is larger than the empty frame's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    TU_OK(ctx, cln_fit(m, data, &tc, &h));
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
    cln_history h = {{4, tx, ty}, {1, vx, vy}, 2, 64, CLN_PATH_EPOCH};
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
    cln_history empty = {{0, NULL, NULL}, {0, NULL, NULL}, 0, 0, CLN_PATH_AUTO};
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
    cln_history h = {{0, NULL, NULL}, {0, NULL, NULL}, 0, 0, CLN_PATH_AUTO};
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
    cln_history h = {{6, tx, ty}, {3, vx, vy}, 3, 96, CLN_PATH_EPOCH};
    temp_paths("render");
    TU_OK(NULL, cln_history_write_svg(&h, NULL, path_svg));
    size_t with_curves = render(path_svg, path_png);
    cln_history empty = {{0, NULL, NULL}, {0, NULL, NULL}, 3, 0, CLN_PATH_AUTO};
    TU_OK(NULL, cln_history_write_svg(&empty, NULL, path_svg));
    size_t frame = render(path_svg, path_png);
    print_message("PNG: %zu bytes with the curves, %zu for the empty frame\n", with_curves, frame);
    /* antialiased curves and legend text make the picture measurably larger */
    assert_true(frame > 1000);
    assert_true(with_curves > frame + 1000);
    remove(path_svg);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_real_fit_drawn_as_d2l_does),
        cmocka_unit_test(what_cannot_be_drawn_is_left_out),
        cmocka_unit_test(failures),
        cmocka_unit_test(renders_to_png),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
