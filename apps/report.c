#include "report.h"

#include <math.h>
#include <unistd.h>

void progress_init(progress *p, int quiet, const linreg_progress_timing *timing)
{
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->shown = 0;
    p->last = -1;
    p->timing = *timing;
}

int progress_on_epoch(const cln_epoch_report *r, void *user)
{
    progress *p = user;
    if (!p->enabled || r->seconds < p->timing.delay_s)
        return 0;
    int last_epoch = r->epoch + 1 == r->max_epochs;
    if (!last_epoch && p->last >= 0 && r->seconds - p->last < p->timing.interval_s)
        return 0;
    p->last = r->seconds;
    double per_s = (double)(r->epoch + 1) * (double)r->examples / r->seconds;
    fprintf(stderr, "\r  epoch %zu/%zu  batch %zu/%zu  %.3g examples/s  loss %.6g\033[K",
            r->epoch + 1, r->max_epochs, r->batches, r->batches, per_s, r->train_loss);
    fflush(stderr);
    p->shown = 1;
    return 0;
}

void progress_done(progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->shown = 0;
}

void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c == '\n')
            fputs("\\n", f);
        else if (*c == '\t')
            fputs("\\t", f);
        else if (*c < 0x20)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

void json_numbers(FILE *f, const double *v, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        json_number(f, v[i]);
    }
    fputc(']', f);
}

void json_curve(FILE *f, const cln_curve *c)
{
    fputs("{\"x\": ", f);
    json_numbers(f, c->x, c->count);
    fputs(", \"y\": ", f);
    json_numbers(f, c->y, c->count);
    fputc('}', f);
}

double mse_of(const double *X, const double *y, size_t rows, size_t d, const double *w, double b)
{
    double sum = 0;
    for (size_t i = 0; i < rows; i++) {
        double r = b - y[i];
        for (size_t j = 0; j < d; j++)
            r += X[i * d + j] * w[j];
        sum += r * r;
    }
    return rows ? sum / (double)rows : NAN;
}
