/* The loss curves as an SVG, drawn as d2l's ProgressBoard draws them with matplotlib. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *const colours[2] = {"#1f77b4", "#ff7f0e"}; /* matplotlib's C0, C1 */
static const char *const names[2] = {"train_loss", "val_loss"};

void cln_plot_options_init(cln_plot_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->width = 480;
    opts->height = 320;
}

/* 1, 2 or 5 times a power of ten, close to range / target. */
static double nice_step(double range, int target)
{
    double raw = range / target;
    double p = pow(10, floor(log10(raw)));
    double f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

typedef struct axis {
    double lo, hi;       /* in data units (log10 of them for a log axis) */
    double px0, px1;     /* pixel positions of lo and hi */
    int log;
} axis;

static double to_px(const axis *a, double v)
{
    double t = a->log ? log10(v) : v;
    return a->px0 + (t - a->lo) / (a->hi - a->lo) * (a->px1 - a->px0);
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

/* A tick label: enough decimals for the step, no "-0". */
static void tick_label(char *buf, size_t cap, double v, double step, int log)
{
    if (log) {
        snprintf(buf, cap, "%g", pow(10, v));
        return;
    }
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (fabs(v) < step * 1e-6)
        v = 0;
    snprintf(buf, cap, "%.*f", decimals, v);
}

static void draw(FILE *f, const cln_history *h, const cln_plot_options *o)
{
    const cln_curve *curves[2] = {&h->train_loss, &h->val_loss};
    double W = o->width, H = o->height;
    double top = o->title ? 30 : 14, left = 62, right = 14, bottom = 42;
    axis x = {0, o->x_max > 0 ? o->x_max : (double)(h->epochs ? h->epochs : 1), left, W - right, 0};
    axis y = {0, 0, H - bottom, top, o->log_y != 0};

    double lo = INFINITY, hi = -INFINITY, xmax_data = 0;
    size_t usable_points[2] = {0, 0};
    for (int c = 0; c < 2; c++)
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
    if (o->x_max <= 0 && xmax_data > x.hi)
        x.hi = xmax_data;
    if (!(lo <= hi)) { /* nothing to draw: an empty, labelled frame */
        lo = y.log ? -1 : 0;
        hi = y.log ? 1 : 1;
    }
    double pad = (hi - lo) * 0.05;
    if (pad == 0)
        pad = y.log ? 0.5 : (fabs(hi) > 0 ? fabs(hi) * 0.1 : 1);
    y.lo = lo - pad;
    y.hi = hi + pad;

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
    double xstep = x.hi <= 10 ? (x.hi <= 1 ? 0.2 : 1) : nice_step(x.hi, 6);
    double ystep = y.log ? fmax(1, round(nice_step(y.hi - y.lo, 5))) : nice_step(y.hi - y.lo, 5);
    for (double t = 0; t <= x.hi * (1 + 1e-9); t += xstep) {
        double px = to_px(&x, t);
        fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", px, y.px0, px,
                y.px0 + 4);
    }
    for (double t = ceil(y.lo / ystep) * ystep; t <= y.hi; t += ystep) {
        double py = y.px0 + (t - y.lo) / (y.hi - y.lo) * (y.px1 - y.px0);
        fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", x.px0 - 4, py,
                x.px0, py);
    }
    fputs("</g>\n<g fill=\"black\">\n", f);
    for (double t = 0; t <= x.hi * (1 + 1e-9); t += xstep) {
        tick_label(label, sizeof label, t, xstep, 0);
        fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%s</text>\n",
                to_px(&x, t), y.px0 + 17, label);
    }
    for (double t = ceil(y.lo / ystep) * ystep; t <= y.hi; t += ystep) {
        double py = y.px0 + (t - y.lo) / (y.hi - y.lo) * (y.px1 - y.px0);
        tick_label(label, sizeof label, t, ystep, y.log);
        fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%s</text>\n", x.px0 - 7,
                py + 4, label);
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
    for (int c = 0; c < 2; c++) {
        if (!usable_points[c])
            continue;
        fprintf(f, "<polyline id=\"%s\" stroke=\"%s\"%s points=\"", names[c], colours[c],
                c ? " stroke-dasharray=\"5.55,2.4\"" : "");
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
    int shown = (usable_points[0] > 0) + (usable_points[1] > 0);
    if (shown) {
        double lw = 108, lh = 8 + 18 * shown, lx = x.px1 - lw - 8, ly = y.px1 + 8;
        fprintf(f, "<g id=\"legend\">\n<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                   "height=\"%.2f\" rx=\"3\" fill=\"white\" fill-opacity=\"0.8\" "
                   "stroke=\"#cccccc\"/>\n",
                lx, ly, lw, lh);
        double row = ly + 4 + 9;
        for (int c = 0; c < 2; c++) {
            if (!usable_points[c])
                continue;
            fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
                       "stroke-width=\"1.5\"%s/>\n",
                    lx + 8, row, lx + 36, row, colours[c],
                    c ? " stroke-dasharray=\"5.55,2.4\"" : "");
            fprintf(f, "<text x=\"%.2f\" y=\"%.2f\">%s</text>\n", lx + 42, row + 4, names[c]);
            row += 18;
        }
        fputs("</g>\n", f);
    }
    fputs("</svg>\n", f);
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
    for (int c = 0; c < 2; c++) {
        const cln_curve *cv = c ? &history->val_loss : &history->train_loss;
        if (cv->count && (!cv->x || !cv->y))
            return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: %s has %zu points but no arrays",
                             fn, names[c], cv->count);
    }
    FILE *f = fopen(path, "w");
    if (!f)
        return clni_fail(NULL, CLN_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    draw(f, history, o);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return clni_fail(NULL, CLN_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    return CLN_SUCCESS;
}
