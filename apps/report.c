#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"

json_t *cli_json_text(const char *s)
{
    size_t len = strlen(s);
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    char *clean = malloc(3 * len + 1); /* each stray byte may become 3 */
    if (!clean)
        return NULL;
    size_t o = 0;
    for (const char *c = s; *c;) {
        size_t n = cli_utf8_char_len(c);
        if (n == 0) { /* not UTF-8 (a Latin-1 name, a stray byte): U+FFFD */
            memcpy(clean + o, "\xef\xbf\xbd", 3);
            o += 3;
            c++;
            continue;
        }
        memcpy(clean + o, c, n);
        o += n;
        c += n;
    }
    json_t *j = json_stringn(clean, o);
    free(clean);
    return j;
}

json_t *cli_json_number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *cli_json_numbers(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, cli_json_number(v[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

json_t *cli_json_counts(const size_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_integer((json_int_t)v[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

json_t *cli_json_u64(uint64_t v)
{
    return v <= (uint64_t)INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v);
}

json_t *cli_json_curve(const cln_curve *c)
{
    json_t *o = json_object();
    if (o && (cli_json_set(o, "x", cli_json_numbers(c->x, c->count)) != 0 ||
              cli_json_set(o, "y", cli_json_numbers(c->y, c->count)) != 0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int cli_json_set(json_t *obj, const char *key, json_t *value)
{
    if (!value)
        return -1;
    return json_object_set_new(obj, key, value) == 0 ? 0 : -1; /* it releases value */
}

json_t *cli_json_document(void)
{
    json_t *doc = json_object();
    if (doc && cli_json_set(doc, "clnum_version", json_string(cln_version())) != 0) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

int cli_json_write(const json_t *doc, const char *path, char *why, size_t why_cap)
{
    cli_output out;
    if (cli_output_open(&out, path, why, why_cap) != 0)
        return -1;
    if (json_dumpf(doc, out.f, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0 ||
        fputc('\n', out.f) == EOF) {
        /* commit reports the stream's error; a failed dump without one is out of memory */
        if (!ferror(out.f)) {
            cli_output_discard(&out);
            snprintf(why, why_cap, "cannot write %s: out of memory", path);
            return -1;
        }
    }
    return cli_output_commit(&out, why, why_cap);
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
