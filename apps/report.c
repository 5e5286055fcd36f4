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
    for (const unsigned char *c = (const unsigned char *)s; *c;) {
        size_t n = cli_utf8_char_len((const char *)c);
        if (n == 0) { /* not UTF-8 (a Latin-1 name, a stray byte): the replacement character */
            fputs("\\ufffd", f);
            c++;
            continue;
        }
        if (n == 2 && c[0] == 0xc2 && c[1] < 0xa0) { /* a C1 control (U+0080..U+009F) */
            fprintf(f, "\\u%04x", c[1]);
            c += 2;
            continue;
        }
        if (n > 1) { /* valid UTF-8 beyond ASCII, as it is */
            fwrite(c, 1, n, f);
            c += n;
            continue;
        }
        switch (*c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*c < 0x20 || *c == 0x7f) /* every other control character, DEL too */
                fprintf(f, "\\u%04x", *c);
            else
                fputc(*c, f);
        }
        c++;
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
