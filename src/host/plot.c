/* The loss and metric curves as an SVG, drawn as d2l's ProgressBoard draws them with
 * matplotlib. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "host/atomic_file.h"
#include "runtime/internal.h"

enum { NCURVES = 3 };
/* matplotlib's C0, C1, C2 */
static const char *const colours[NCURVES] = {"#1f77b4", "#ff7f0e", "#2ca02c"};
/* the curves' ids in the file (the metric's legend label is the caller's) */
static const char *const names[NCURVES] = {"train_loss", "val_loss", "val_metric"};
/* matplotlib's '-', '--' and '-.' at linewidth 1.5: its dash patterns (3.7, 1.6) and
 * (6.4, 1.6, 1, 1.6) scaled by the width */
static const char *const dashes[NCURVES] = {"", " stroke-dasharray=\"5.55,2.4\"",
                                            " stroke-dasharray=\"9.6,2.4,1.5,2.4\""};

void cln_plot_options_init(cln_plot_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->width = 480;
    opts->height = 320;
}

/* An axis. Whatever the data, its arithmetic is done on values scaled by 2^-k (exact), so
 * that its ends are about 1 in magnitude: nothing overflows near DBL_MAX, nothing underflows
 * among subnormals, and the ticks are distinct doubles. A tick is a whole multiple of the
 * step, never a running sum, so an axis has at most MAX_TICKS of them for any input, and
 * its label is written from that multiple and the step's power of ten, never from a double
 * that may not exist (a tick beyond DBL_MAX, or between two subnormals). */
enum { MAX_TICKS = 32 };
/* Data within this fraction of their magnitude of each other are drawn as flat: the axis
 * is widened around them, as matplotlib's nonsingular() does, and a label needs at most
 * about ten digits. */
#define FLAT 1e-9
/* Pixel coordinates are clipped to +-PX_LIMIT: a point far outside the axes (an x beyond
 * x_max) stays a finite number, and the clip path hides it as before. */
#define PX_LIMIT 1e7

typedef struct axis {
    int k;               /* lo, hi and step_s are in units of 2^k data units */
    double lo, hi;       /* the ends (of log10 of the data for a log axis), lo < hi */
    double px0, px1;     /* pixel positions of lo and hi */
    int log;
    int f, e;            /* the step between ticks: f x 10^e data units, f 1, 2 or 5 */
    double step_s;       /* the step, scaled */
    double n0;           /* the first tick is n0 steps (a whole number) */
    int nticks;          /* ticks n0, n0 + 1, ..., at most MAX_TICKS */
} axis;

/* Rescales lo and hi so that the larger magnitude is in [0.5, 1). */
static void normalize(axis *a)
{
    double mag = fmax(fabs(a->lo), fabs(a->hi));
    int k = 0;
    if (mag > 0 && isfinite(mag))
        frexp(mag, &k);
    a->lo = ldexp(a->lo, -k);
    a->hi = ldexp(a->hi, -k);
    a->k += k;
}

/* The step f x 10^e, scaled: 5^e x 2^(e - k) is f x 10^e x 2^-k without an overflow or an
 * underflow on the way (|e| stays below 330 and 5^330 is about 1e230). */
static void set_step(axis *a, int f, int e)
{
    a->f = f;
    a->e = e;
    a->step_s = f * ldexp(pow(5, e), e - a->k);
}

/* The step: 1, 2 or 5 times a power of ten, close to the range over target (at least 1 on a
 * log axis, whose ticks are decades). */
static void nice_step(axis *a, int target)
{
    double l = log10((a->hi - a->lo) / target) + a->k * 0.30102999566398120; /* log10(2) */
    int e = (int)floor(l);
    double frac = pow(10, l - e);
    int f = frac < 1.5 ? 1 : frac < 3.5 ? 2 : frac < 7.5 ? 5 : 10;
    if (f == 10) {
        f = 1;
        e++;
    }
    if (a->log && e < 0) {
        f = 1;
        e = 0;
    }
    set_step(a, f, e);
}

/* The whole multiples of the step within [lo, hi] (up to a rounding at either end). */
static void place_ticks(axis *a)
{
    a->n0 = 0;
    a->nticks = 0;
    if (!(a->step_s > 0) || !isfinite(a->step_s))
        return;
    double n0 = ceil(a->lo / a->step_s - 1e-9), n1 = floor(a->hi / a->step_s + 1e-9);
    if (!(n1 >= n0))
        return;
    a->n0 = n0;
    a->nticks = (int)fmin(n1 - n0 + 1, MAX_TICKS);
}

/* The y axis around data from lo to hi (log10 of them on a log axis), finite, lo <= hi: 5%
 * more on either side, as matplotlib's margins; around data that are flat to within FLAT, 10%
 * of their magnitude (0.5 decades on a log axis, [-1, 1] for zeros). */
static void fit_y(axis *a, double lo, double hi)
{
    a->k = 0;
    a->lo = lo;
    a->hi = hi;
    normalize(a);
    double mag = fmax(fabs(a->lo), fabs(a->hi)), span = a->hi - a->lo;
    double pad = span * 0.05;
    if (span <= FLAT * mag)
        pad = a->log ? ldexp(0.5, -a->k) : mag > 0 ? mag * 0.1 : 1;
    a->lo -= pad;
    a->hi += pad;
    normalize(a);
    nice_step(a, 5);
    place_ticks(a);
}

/* The x axis, 0 to hi epochs (finite, > 0): ticks at 0.2 epochs up to 1, at whole epochs up
 * to 10, else about 6 of them. */
static void fit_x(axis *a, double hi)
{
    a->k = 0;
    a->lo = 0;
    a->hi = hi;
    normalize(a);
    if (hi > 1 && hi <= 10)
        set_step(a, 1, 0);
    else if (hi >= 0.5 && hi <= 1)
        set_step(a, 2, -1);
    else
        nice_step(a, 6);
    place_ticks(a);
}

static double clip_px(double px)
{
    return !(px >= -PX_LIMIT) ? -PX_LIMIT : px > PX_LIMIT ? PX_LIMIT : px;
}

/* The pixel of a scaled value. */
static double px_of(const axis *a, double t_s)
{
    return clip_px(a->px0 + (t_s - a->lo) / (a->hi - a->lo) * (a->px1 - a->px0));
}

/* The pixel of a data value. */
static double to_px(const axis *a, double v)
{
    return px_of(a, ldexp(a->log ? log10(v) : v, -a->k));
}

/* The pixel of tick i. */
static double tick_px(const axis *a, int i)
{
    double n = a->n0 + i;
    return px_of(a, n == 0 ? 0 : n * a->step_s);
}

static int usable(const axis *y, double x, double v)
{
    return isfinite(x) && isfinite(v) && (!y->log || v > 0);
}

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t')
                fputc(*s, f);
        }
    }
}

/* Tick i's label. The tick is m x 10^e, m = (n0 + i) x f a whole number (|m| < 2^53). An
 * axis whose ticks are all within 1e-6 to below 1e6 has them as "%.*f" with the step's
 * decimals (no "-0"); another has them as m's digits with an exponent ("1.05e+300"). A log
 * axis's tick is the decade 10^(m x 10^e) ("0.01", "1e-300"). */
static void tick_label(char *buf, size_t cap, const axis *a, int i)
{
    double m = (a->n0 + i) * a->f;
    int e = a->e;
    if (a->log) { /* e >= 0: a whole decade */
        double p = m * pow(10, e);
        if (p >= -4 && p <= 5)
            snprintf(buf, cap, "%g", pow(10, p));
        else
            snprintf(buf, cap, "1e%c%02.0f", p < 0 ? '-' : '+', fabs(p));
        return;
    }
    double largest = fmax(fabs(a->n0), fabs(a->n0 + a->nticks - 1)) * a->f;
    if (e >= -6 && largest * pow(10, e) < 1e6) {
        if (m == 0)
            m = 0; /* not -0 */
        if (e >= 0)
            snprintf(buf, cap, "%.0f", m * pow(10, e));
        else
            snprintf(buf, cap, "%.*f", -e, m / pow(10, -e));
        return;
    }
    if (m == 0) {
        snprintf(buf, cap, "0");
        return;
    }
    char digits[32];
    int nd = snprintf(digits, sizeof digits, "%.0f", fabs(m));
    int mag = nd - 1 + e; /* the tick is digits[0].digits[1..] x 10^mag */
    snprintf(buf, cap, "%s%c%s%se%c%02d", m < 0 ? "-" : "", digits[0], nd > 1 ? "." : "",
             digits + 1, mag < 0 ? '-' : '+', mag < 0 ? -mag : mag);
}

/* ---- where the legend goes ----------------------------------------------------------------
 * Falling losses leave the upper right free, so without a metric curve the legend is there.
 * A metric (an accuracy) runs along the top, where that box would hide it, so with one the
 * legend takes the first of matplotlib's loc="best" places (in its order) that the fewest of
 * the curves' points and segments run into. */

typedef struct box {
    double x0, y0, x1, y1;
} box;

static int in_box(const box *b, double x, double y)
{
    return x >= b->x0 && x <= b->x1 && y >= b->y0 && y <= b->y1;
}

/* Whether the segment from (ax, ay) to (bx, by) meets the box (Liang-Barsky). */
static int segment_meets(const box *b, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, t0 = 0, t1 = 1;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {ax - b->x0, b->x1 - ax, ay - b->y0, b->y1 - ay};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0; /* parallel to that edge and outside it */
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0)
            t0 = fmax(t0, t);
        else
            t1 = fmin(t1, t);
        if (t0 > t1)
            return 0;
    }
    return 1;
}

/* How many of the drawn points and segments run into the box. */
static size_t badness(const box *b, const cln_curve *const *curves, const axis *x,
                      const axis *y)
{
    size_t n = 0;
    for (int c = 0; c < NCURVES; c++) {
        int have = 0;
        double px = 0, py = 0;
        for (size_t i = 0; i < curves[c]->count; i++) {
            if (!usable(y, curves[c]->x[i], curves[c]->y[i]))
                continue;
            double qx = to_px(x, curves[c]->x[i]), qy = to_px(y, curves[c]->y[i]);
            n += (size_t)in_box(b, qx, qy);
            if (have)
                n += (size_t)segment_meets(b, px, py, qx, qy);
            px = qx;
            py = qy;
            have = 1;
        }
    }
    return n;
}

/* The legend's top left corner for a box of lw x lh. */
static void place_legend(const cln_curve *const *curves, const axis *x, const axis *y,
                         int best, double lw, double lh, double *lx, double *ly)
{
    double l = x->px0 + 8, r = x->px1 - lw - 8, cx = (x->px0 + x->px1 - lw) / 2;
    double t = y->px1 + 8, btm = y->px0 - lh - 8, cy = (y->px0 + y->px1 - lh) / 2;
    /* upper right, upper left, lower left, lower right, right, center left, lower center,
     * upper center, center (matplotlib's "center right" is its "right") */
    const double at[][2] = {{r, t}, {l, t}, {l, btm}, {r, btm}, {r, cy},
                            {l, cy}, {cx, btm}, {cx, t}, {cx, cy}};
    int n = best ? (int)(sizeof at / sizeof at[0]) : 1;
    size_t least = (size_t)-1;
    for (int i = 0; i < n; i++) {
        box b = {at[i][0], at[i][1], at[i][0] + lw, at[i][1] + lh};
        size_t bad = best ? badness(&b, curves, x, y) : 0;
        if (bad < least) {
            least = bad;
            *lx = at[i][0];
            *ly = at[i][1];
        }
        if (!bad)
            break;
    }
}

/* The characters of a UTF-8 label (what the legend's width follows). */
static size_t label_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The last x tick's label is centred on its tick: where it would run past the picture's
 * right edge ("1000000" at 1e6 epochs), the axis ends further left, so that it is whole.
 * Widths as DejaVu Sans draws digits at 12 px (about 7.7 px each, a margin over it). */
static void keep_last_x_label(axis *x, double W)
{
    if (x->nticks == 0)
        return;
    char label[64];
    tick_label(label, sizeof label, x, x->nticks - 1);
    double half = 7.7 * (double)strlen(label) / 2, limit = W - 2;
    double px = tick_px(x, x->nticks - 1);
    if (px + half <= limit)
        return;
    double f = (px - x->px0) / (x->px1 - x->px0); /* where the tick lies along the axis */
    if (f > 0)
        x->px1 = x->px0 + (limit - half - x->px0) / f;
}

static void draw(FILE *f, const cln_history *h, const cln_plot_options *o)
{
    const cln_curve *curves[NCURVES] = {&h->train_loss, &h->val_loss, &h->val_metric};
    const char *labels[NCURVES] = {names[0], names[1],
                                   o->metric_label ? o->metric_label : names[2]};
    double W = o->width, H = o->height;
    double top = o->title ? 30 : 14, left = 62, right = 14, bottom = 42;
    axis x = {0};
    axis y = {0};
    x.px0 = left;
    x.px1 = W - right;
    y.px0 = H - bottom;
    y.px1 = top;
    y.log = o->log_y != 0;
    double x_hi = o->x_max > 0 ? o->x_max : (double)(h->epochs ? h->epochs : 1);

    double lo = INFINITY, hi = -INFINITY, xmax_data = 0;
    size_t usable_points[NCURVES] = {0, 0, 0};
    for (int c = 0; c < NCURVES; c++)
        for (size_t i = 0; i < curves[c]->count; i++) {
            double xv = curves[c]->x[i], v = curves[c]->y[i];
            if (!usable(&y, xv, v))
                continue;
            usable_points[c]++;
            double t = y.log ? log10(v) : v;
            lo = fmin(lo, t);
            hi = fmax(hi, t);
            xmax_data = fmax(xmax_data, xv);
        }
    if (o->x_max <= 0 && xmax_data > x_hi)
        x_hi = xmax_data;
    if (!(lo <= hi)) { /* nothing to draw: an empty, labelled frame */
        lo = y.log ? -1 : 0;
        hi = 1;
    }
    fit_x(&x, x_hi);
    keep_last_x_label(&x, W);
    fit_y(&y, lo, hi);

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%u\" "
               "height=\"%u\" viewBox=\"0 0 %u %u\" font-family=\"DejaVu Sans, Arial, "
               "sans-serif\" font-size=\"12\">\n",
            o->width, o->height, o->width, o->height);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"white\"/>\n", o->width,
            o->height);
    if (o->title) {
        fprintf(f, "<text x=\"%.1f\" y=\"20\" text-anchor=\"middle\" font-size=\"13\">",
                (x.px0 + x.px1) / 2);
        xml_text(f, o->title);
        fputs("</text>\n", f);
    }

    /* ticks and grid-free labels, as matplotlib's defaults */
    char label[64];
    fputs("<g stroke=\"black\" stroke-width=\"0.8\">\n", f);
    for (int i = 0; i < x.nticks; i++) {
        double px = tick_px(&x, i);
        fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", px, y.px0, px,
                y.px0 + 4);
    }
    for (int i = 0; i < y.nticks; i++) {
        double py = tick_px(&y, i);
        fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", x.px0 - 4, py,
                x.px0, py);
    }
    fputs("</g>\n<g fill=\"black\">\n", f);
    for (int i = 0; i < x.nticks; i++) {
        tick_label(label, sizeof label, &x, i);
        fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%s</text>\n",
                tick_px(&x, i), y.px0 + 17, label);
    }
    for (int i = 0; i < y.nticks; i++) {
        tick_label(label, sizeof label, &y, i);
        fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%s</text>\n", x.px0 - 7,
                tick_px(&y, i) + 4, label);
    }
    fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">epoch</text>\n",
            (x.px0 + x.px1) / 2, H - 8);
    fputs("</g>\n", f);

    /* the curves, clipped to the axes */
    fprintf(f, "<clipPath id=\"axes\"><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
               "height=\"%.2f\"/></clipPath>\n",
            x.px0, y.px1, x.px1 - x.px0, y.px0 - y.px1);
    fputs("<g clip-path=\"url(#axes)\" fill=\"none\" stroke-width=\"1.5\" "
          "stroke-linejoin=\"round\">\n", f);
    for (int c = 0; c < NCURVES; c++) {
        if (!usable_points[c])
            continue;
        fprintf(f, "<polyline id=\"%s\" stroke=\"%s\"%s points=\"", names[c], colours[c],
                dashes[c]);
        int first = 1;
        for (size_t i = 0; i < curves[c]->count; i++) {
            double xv = curves[c]->x[i], v = curves[c]->y[i];
            if (!usable(&y, xv, v))
                continue;
            fprintf(f, "%s%.2f,%.2f", first ? "" : " ", to_px(&x, xv), to_px(&y, v));
            first = 0;
        }
        fputs("\"/>\n", f);
        if (usable_points[c] == 1) /* a lone point is no line: mark it */
            for (size_t i = 0; i < curves[c]->count; i++)
                if (usable(&y, curves[c]->x[i], curves[c]->y[i]))
                    fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"%s\" "
                               "stroke=\"none\"/>\n",
                            to_px(&x, curves[c]->x[i]), to_px(&y, curves[c]->y[i]), colours[c]);
    }
    fputs("</g>\n", f);
    fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
               "stroke=\"black\" stroke-width=\"0.8\"/>\n",
            x.px0, y.px1, x.px1 - x.px0, y.px0 - y.px1);

    /* the legend, upper right */
    int shown = 0;
    size_t widest = 0;
    for (int c = 0; c < NCURVES; c++)
        if (usable_points[c]) {
            shown++;
            widest = label_chars(labels[c]) > widest ? label_chars(labels[c]) : widest;
        }
    if (shown) {
        /* room for ten characters, about 7 pixels more for each beyond, up to the axes' width */
        double lw = 108, lh = 8 + 18 * shown, lx = 0, ly = 0;
        if (widest > 10)
            lw = fmax(lw, fmin(lw + 7.0 * (double)(widest - 10), x.px1 - x.px0 - 16));
        place_legend(curves, &x, &y, usable_points[2] > 0, lw, lh, &lx, &ly);
        fprintf(f, "<g id=\"legend\">\n<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                   "height=\"%.2f\" rx=\"3\" fill=\"white\" fill-opacity=\"0.8\" "
                   "stroke=\"#cccccc\"/>\n",
                lx, ly, lw, lh);
        double row = ly + 4 + 9;
        for (int c = 0; c < NCURVES; c++) {
            if (!usable_points[c])
                continue;
            fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
                       "stroke-width=\"1.5\"%s/>\n",
                    lx + 8, row, lx + 36, row, colours[c], dashes[c]);
            fprintf(f, "<text x=\"%.2f\" y=\"%.2f\">", lx + 42, row + 4);
            xml_text(f, labels[c]);
            fputs("</text>\n", f);
            row += 18;
        }
        fputs("</g>\n", f);
    }
    fputs("</svg>\n", f);
}

/* The drawing, for clni_write_file_atomic (host/atomic_file.h): a plot is written whole or
 * not at all. */
typedef struct svg_job {
    const cln_history *history;
    const cln_plot_options *opts;
} svg_job;

static cln_status svg_fill(FILE *f, void *user)
{
    const svg_job *job = user;
    draw(f, job->history, job->opts);
    return CLN_SUCCESS;
}

cln_status cln_history_write_svg(const cln_history *history, const cln_plot_options *opts,
                                 const char *path)
{
    const char *fn = "cln_history_write_svg";
    CLNI_CHECK(clni_check_ptr(NULL, history, fn, "history"));
    CLNI_CHECK(clni_check_ptr(NULL, path, fn, "path"));
    cln_plot_options defaults;
    cln_plot_options_init(&defaults);
    const cln_plot_options *o = opts ? opts : &defaults;
    if (o->width < 120 || o->height < 80 || o->width > 16384 || o->height > 16384)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: size %u x %u is outside 120 x 80 .. "
                         "16384 x 16384", fn, o->width, o->height);
    if (!(o->x_max >= 0) || !isfinite(o->x_max))
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: x_max %g must be finite and >= 0", fn,
                         o->x_max);
    const cln_curve *const given[NCURVES] = {&history->train_loss, &history->val_loss,
                                             &history->val_metric};
    for (int c = 0; c < NCURVES; c++) {
        const cln_curve *cv = given[c];
        if (cv->count && (!cv->x || !cv->y))
            return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: %s has %zu points but no arrays",
                             fn, names[c], cv->count);
    }
    svg_job job = {history, o};
    /* its message as the programs show it beside their own files': "cannot write PATH: why" */
    return clni_write_file_atomic(NULL, path, path, NULL, svg_fill, &job);
}
