/* CSV files as datasets: an RFC 4180 reader that keeps the chosen columns as doubles, a
 * seeded train/validation split and z-score standardisation from the training rows. All on
 * the host; the parser works on a memory buffer so that it can be fuzzed. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data_impl.h"

enum { STREAM_SPLIT = 5 }; /* Philox stream of the split's seed (random.h) */

struct cln_csv {
    size_t rows, d;
    double *X, *y;
    char **feature_names; /* d strings */
    char *target_name;
    size_t num_classes;   /* 0 unless the target holds labels */
    char **class_names;   /* num_classes strings, in class order */
};

void cln_csv_options_init(cln_csv_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->delimiter = ',';
    opts->quote = '"';
    opts->comment = '#';
    opts->has_header = 1;
}

/* ---- the tokenizer --------------------------------------------------------------------- */

typedef struct field {
    size_t start, len;   /* the unescaped text in reader.buf (NUL-terminated there) */
    size_t line, col;    /* where the field starts, from 1 */
} field;

typedef struct reader {
    const char *p;
    size_t n, i;
    size_t line, line_start; /* current line (from 1) and the offset where it starts */
    const char *name;
    char delim, quote, comment;
    char *buf;
    size_t buf_len, buf_cap;
    field *f;
    size_t nf, f_cap;
    size_t record_line;      /* line of the current record's first byte */
} reader;

static cln_status oom(void) { return clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "csv: out of memory"); }

static cln_status put_char(reader *r, char c)
{
    if (r->buf_len == r->buf_cap) {
        size_t cap = r->buf_cap ? 2 * r->buf_cap : 256;
        char *nb = realloc(r->buf, cap);
        if (!nb)
            return oom();
        r->buf = nb;
        r->buf_cap = cap;
    }
    r->buf[r->buf_len++] = c;
    return CLN_SUCCESS;
}

static cln_status add_field(reader *r, size_t line, size_t col, size_t *index)
{
    if (r->nf == r->f_cap) {
        size_t cap = r->f_cap ? 2 * r->f_cap : 16;
        field *nf = realloc(r->f, cap * sizeof *nf);
        if (!nf)
            return oom();
        r->f = nf;
        r->f_cap = cap;
    }
    *index = r->nf++;
    r->f[*index] = (field){r->buf_len, 0, line, col};
    return CLN_SUCCESS;
}

static size_t col_of(const reader *r) { return r->i - r->line_start + 1; }

/* A printable rendering of byte c for a message. */
static const char *show_char(char c, char tmp[8])
{
    unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f)
        snprintf(tmp, 8, "'%c'", c);
    else
        snprintf(tmp, 8, "0x%02x", u);
    return tmp;
}

/* Bytes of the valid UTF-8 character at s (1 to 4), or 0 when s does not start one: a stray
 * continuation byte, a truncated sequence, an overlong form, a surrogate or a code point above
 * U+10FFFF. s is NUL-terminated, so a sequence cut short by the end stops at the NUL. */
static size_t utf8_char_len(const unsigned char *s)
{
    unsigned char b = s[0];
    if (b < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* the allowed range of the second byte */
    if (b >= 0xc2 && b <= 0xdf)
        n = 2;
    else if (b >= 0xe0 && b <= 0xef) {
        n = 3;
        if (b == 0xe0)
            lo = 0xa0; /* overlong */
        if (b == 0xed)
            hi = 0x9f; /* surrogates */
    } else if (b >= 0xf0 && b <= 0xf4) {
        n = 4;
        if (b == 0xf0)
            lo = 0x90; /* overlong */
        if (b == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if (s[k] < 0x80 || s[k] > 0xbf)
            return 0;
    return n;
}

/* Text from the file or the caller (names, values, the file name) made fit for a one-line
 * message: valid UTF-8 is kept, except control characters (C0, DEL and C1: a line break or
 * a terminal's escape sequence); those and every byte that is not valid UTF-8 become \xHH.
 * Writes at most cap bytes with the NUL, never half an escape or half a character. */
static const char *printable(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    const unsigned char *c = (const unsigned char *)s;
    while (*c) {
        size_t n = utf8_char_len(c);
        int control = n == 1 ? (*c < 0x20 || *c == 0x7f) : n == 2 && c[0] == 0xc2 && c[1] < 0xa0;
        size_t m = n == 0 ? 1 : n; /* bytes of the input this step takes */
        size_t need = n == 0 || control ? 4 * m : m;
        if (o + need + 1 > cap)
            break;
        for (size_t k = 0; k < m; k++) {
            if (n == 0 || control) {
                out[o++] = '\\';
                out[o++] = 'x';
                out[o++] = hex[c[k] >> 4];
                out[o++] = hex[c[k] & 15];
            } else {
                out[o++] = (char)c[k];
            }
        }
        c += m;
    }
    if (cap)
        out[o] = '\0';
    return out;
}

/* printable() for the other readers of files (idx.c), whose paths may hold anything. */
const char *clni_printable(const char *s, char *out, size_t cap);
const char *clni_printable(const char *s, char *out, size_t cap) { return printable(s, out, cap); }

/* Fails with "NAME: what", the name and what made printable (printable()). */
static cln_status fail_named(cln_status status, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static cln_status fail_named(cln_status status, const char *name, const char *fmt, ...)
{
    char what[1024], clean_what[2048], clean_name[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return clni_fail(NULL, status, "%s: %s", printable(name, clean_name, sizeof clean_name),
                     printable(what, clean_what, sizeof clean_what));
}

static cln_status parse_error(const reader *r, size_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static cln_status parse_error(const reader *r, size_t line, size_t col, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* what quotes the file's text (names, values) and the caller's column names */
    char clean_what[2048], clean_name[1024];
    printable(what, clean_what, sizeof clean_what);
    printable(r->name, clean_name, sizeof clean_name);
    if (col)
        return clni_fail(NULL, CLN_ERR_PARSE, "%s:%zu:%zu: %s", clean_name, line, col, clean_what);
    return clni_fail(NULL, CLN_ERR_PARSE, "%s:%zu: %s", clean_name, line, clean_what);
}

static int is_blank(const reader *r, char c) { return (c == ' ' || c == '\t') && c != r->delim; }

/* Consumes a line break at r->i (LF, CRLF or CR) and starts a new line. */
static void newline(reader *r)
{
    if (r->p[r->i] == '\r' && r->i + 1 < r->n && r->p[r->i + 1] == '\n')
        r->i++;
    r->i++;
    r->line++;
    r->line_start = r->i;
}

static int at_eol(const reader *r) { return r->i >= r->n || r->p[r->i] == '\n' || r->p[r->i] == '\r'; }

/* Skips blank and comment lines. */
static void skip_ignorable_lines(reader *r)
{
    while (r->i < r->n) {
        size_t j = r->i;
        while (j < r->n && is_blank(r, r->p[j]))
            j++;
        if (j < r->n && r->comment && r->p[j] == r->comment) {
            r->i = j;
            while (!at_eol(r))
                r->i++;
        } else if (j >= r->n || r->p[j] == '\n' || r->p[j] == '\r') {
            r->i = j;
        } else {
            return;
        }
        if (r->i < r->n)
            newline(r);
    }
}

/* Skips n lines as they are, unparsed (quotes included): cln_csv_options.skip_lines. */
static void skip_lines(reader *r, size_t n)
{
    for (size_t k = 0; k < n && r->i < r->n; k++) {
        while (!at_eol(r))
            r->i++;
        if (r->i < r->n)
            newline(r);
    }
}

/* One field at r->i into r->buf; stops at the delimiter, a line break or the end. */
static cln_status read_field(reader *r)
{
    char tmp[8];
    while (r->i < r->n && is_blank(r, r->p[r->i]))
        r->i++;
    size_t k = 0;
    CLNI_CHECK(add_field(r, r->line, col_of(r), &k));
    if (r->i < r->n && r->quote && r->p[r->i] == r->quote) {
        size_t open_line = r->line, open_col = col_of(r);
        r->i++;
        for (;;) {
            if (r->i >= r->n)
                return parse_error(r, open_line, open_col,
                                   "the quoted field opened here has no closing quote");
            char c = r->p[r->i];
            if (c == '\0')
                return parse_error(r, r->line, col_of(r), "NUL byte in a quoted field");
            if (c == r->quote) {
                if (r->i + 1 < r->n && r->p[r->i + 1] == r->quote) {
                    CLNI_CHECK(put_char(r, c));
                    r->i += 2;
                    continue;
                }
                r->i++;
                break;
            }
            CLNI_CHECK(put_char(r, c));
            if (c == '\n' || (c == '\r' && !(r->i + 1 < r->n && r->p[r->i + 1] == '\n'))) {
                r->i++;
                r->line++;
                r->line_start = r->i;
            } else {
                r->i++;
            }
        }
        while (r->i < r->n && is_blank(r, r->p[r->i]))
            r->i++;
        if (!at_eol(r) && r->p[r->i] != r->delim)
            return parse_error(r, r->line, col_of(r),
                               "%s after a closing quote (expected the delimiter or the end "
                               "of the line)", show_char(r->p[r->i], tmp));
    } else {
        size_t last_kept = r->buf_len; /* length without trailing blanks */
        while (!at_eol(r) && r->p[r->i] != r->delim) {
            char c = r->p[r->i];
            if (c == '\0')
                return parse_error(r, r->line, col_of(r), "NUL byte");
            if (r->quote && c == r->quote)
                return parse_error(r, r->line, col_of(r),
                                   "quote character inside an unquoted field (quote the whole "
                                   "field and double the quotes inside it)");
            CLNI_CHECK(put_char(r, c));
            if (!is_blank(r, c))
                last_kept = r->buf_len;
            r->i++;
        }
        r->buf_len = last_kept;
    }
    r->f[k].len = r->buf_len - r->f[k].start;
    return put_char(r, '\0');
}

/* The next record's fields into r->f (r->nf of them); *got = 0 at the end of the text. */
static cln_status read_record(reader *r, int *got)
{
    r->nf = 0;
    r->buf_len = 0;
    skip_ignorable_lines(r);
    *got = r->i < r->n;
    if (!*got)
        return CLN_SUCCESS;
    r->record_line = r->line;
    for (;;) {
        CLNI_CHECK(read_field(r));
        if (r->i < r->n && r->p[r->i] == r->delim) {
            r->i++;
            continue;
        }
        if (r->i < r->n)
            newline(r);
        return CLN_SUCCESS;
    }
}

/* ---- columns and rows ------------------------------------------------------------------ */

/* The header's names hashed, so that choosing columns by name costs a lookup each, not a
 * scan of the header (a header of a million columns and a million features chosen by name
 * stay linear). Open addressing with linear probing, at most half full. */
typedef struct name_slot {
    size_t first;  /* 1 + the first column with this name; 0: an empty slot */
    size_t second; /* 1 + the second column with it (an ambiguous name), or 0 */
} name_slot;

typedef struct name_index {
    name_slot *slots;
    size_t mask;   /* slots - 1, a power of two less one */
} name_index;

static size_t hash_name(const char *s)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        h = (h ^ *c) * 1099511628211ull;
    return (size_t)(h ^ (h >> 32));
}

/* The slot of name: the one holding it, or the empty one where it would go. */
static name_slot *find_slot(const name_index *ix, const char *const *names, const char *name)
{
    for (size_t k = hash_name(name) & ix->mask;; k = (k + 1) & ix->mask) {
        name_slot *sl = &ix->slots[k];
        if (!sl->first || strcmp(names[sl->first - 1], name) == 0)
            return sl;
    }
}

static cln_status build_index(name_index *ix, const char *const *names, size_t ncols)
{
    size_t n = 16;
    while (n < 2 * ncols) {
        if (n > SIZE_MAX / 2 / sizeof *ix->slots)
            return oom();
        n *= 2;
    }
    ix->slots = calloc(n, sizeof *ix->slots);
    if (!ix->slots)
        return oom();
    ix->mask = n - 1;
    for (size_t c = 0; c < ncols; c++) {
        name_slot *sl = find_slot(ix, names, names[c]);
        if (!sl->first)
            sl->first = c + 1;
        else if (!sl->second)
            sl->second = c + 1;
    }
    return CLN_SUCCESS;
}

/* The column `sel` names among ncols (names NULL: no header; then ix is unused). */
static cln_status resolve_column(const reader *r, const char *const *names,
                                 const name_index *ix, size_t ncols, const char *sel,
                                 const char *what, size_t *col)
{
    size_t found = (size_t)-1;
    if (names) {
        const name_slot *sl = find_slot(ix, names, sel);
        if (sl->second)
            return parse_error(r, r->record_line, 0, "the %s column '%s' is ambiguous: columns %zu and %zu "
                               "of the header both have that name", what, sel, sl->first, sl->second);
        if (sl->first)
            found = sl->first - 1;
    }
    if (found == (size_t)-1 && *sel) {
        size_t v = 0, digits = 0;
        for (const char *s = sel; *s >= '0' && *s <= '9' && v < ((size_t)1 << 40); s++, digits++)
            v = v * 10 + (size_t)(*s - '0');
        if (digits == strlen(sel) && v < ncols)
            found = v;
    }
    if (found == (size_t)-1) {
        char list[256] = "";
        size_t used = 0;
        for (size_t c = 0; names && c < ncols && used + 1 < sizeof list; c++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s'%s'", c ? ", " : "",
                                     names[c]);
        if (names)
            return parse_error(r, r->record_line, 0, "no %s column '%s': the header has %zu columns (%s%s)",
                               what, sel, ncols, list, used + 1 < sizeof list ? "" : "...");
        return parse_error(r, r->record_line, 0, "no %s column '%s': without a header, columns are named "
                           "by their index, 0 to %zu", what, sel, ncols - 1);
    }
    *col = found;
    return CLN_SUCCESS;
}

static cln_status check_options(const cln_csv_options *o)
{
    const char *fn = "cln_csv_parse_buffer";
    char d = o->delimiter, q = o->quote, c = o->comment;
    if (d == '\0' || d == '\n' || d == '\r' || d == q)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT,
                         "%s: the delimiter must be a character other than NUL, CR, LF and the "
                         "quote", fn);
    if (q == '\n' || q == '\r')
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: the quote may not be CR or LF", fn);
    if (c && (c == d || c == q || c == '\n' || c == '\r'))
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: the comment character must differ "
                         "from the delimiter, the quote, CR and LF", fn);
    if (o->num_features && !o->features)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: features is NULL but num_features "
                         "is %zu", fn, o->num_features);
    if (o->features && o->num_features == 0)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: no feature column chosen", fn);
    for (size_t j = 0; o->features && j < o->num_features; j++)
        if (!o->features[j])
            return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: features[%zu] is NULL", fn, j);
    if (o->no_target && o->labels)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: labels are a target's: no_target and "
                         "labels cannot both be set", fn);
    return CLN_SUCCESS;
}

void cln_csv_free(cln_csv *csv)
{
    if (!csv)
        return;
    for (size_t j = 0; csv->feature_names && j < csv->d; j++)
        free(csv->feature_names[j]);
    free(csv->feature_names);
    free(csv->target_name);
    for (size_t c = 0; csv->class_names && c < csv->num_classes; c++)
        free(csv->class_names[c]);
    free(csv->class_names);
    free(csv->X);
    free(csv->y);
    free(csv);
}

/* ---- class labels ------------------------------------------------------------------- */

/* The distinct labels of the target column, in the order they first appear (a row's y is
 * its label's index here until finish_labels() sorts them), hashed as the header's names are. */
typedef struct label_set {
    char **texts;
    size_t count, cap;
    name_index index;  /* at most half full, rebuilt as it grows */
} label_set;

static void free_labels(label_set *ls)
{
    for (size_t k = 0; k < ls->count; k++)
        free(ls->texts[k]);
    free(ls->texts);
    free(ls->index.slots);
    memset(ls, 0, sizeof *ls);
}

/* The index of label `text`, added when new. */
static cln_status intern_label(label_set *ls, const char *text, size_t *id)
{
    if (ls->index.slots) {
        name_slot *sl = find_slot(&ls->index, (const char *const *)ls->texts, text);
        if (sl->first) {
            *id = sl->first - 1;
            return CLN_SUCCESS;
        }
    }
    if (ls->count == ls->cap) {
        size_t cap = ls->cap ? 2 * ls->cap : 16;
        char **grown = cap <= SIZE_MAX / sizeof *grown ? realloc(ls->texts, cap * sizeof *grown)
                                                      : NULL;
        if (!grown)
            return oom();
        ls->texts = grown;
        ls->cap = cap;
    }
    if (!(ls->texts[ls->count] = strdup(text)))
        return oom();
    *id = ls->count++;
    if (ls->index.slots && 2 * ls->count <= ls->index.mask + 1) {
        find_slot(&ls->index, (const char *const *)ls->texts, text)->first = ls->count;
        return CLN_SUCCESS;
    }
    free(ls->index.slots);
    ls->index.slots = NULL;
    return build_index(&ls->index, (const char *const *)ls->texts, ls->count);
}

/* A label's place among the sorted classes: its value when every label is a whole number. */
typedef struct label_key {
    double value;
    const char *text;
    size_t first_seen;  /* its index in the label_set */
} label_key;

static int by_value(const void *a, const void *b)
{
    double x = ((const label_key *)a)->value, y = ((const label_key *)b)->value;
    return (x > y) - (x < y);
}

static int by_text(const void *a, const void *b)
{
    return strcmp(((const label_key *)a)->text, ((const label_key *)b)->text);
}

/* Whole numbers strtod() reads exactly (|v| <= 2^53), so equal values are equal labels. */
static int whole_number(const char *text, double *value)
{
    char *end;
    *value = strtod(text, &end);
    return end != text && *end == '\0' && fabs(*value) <= 9007199254740992.0 &&
           *value == floor(*value);
}

/* Classes from the labels seen: whole numbers in increasing order (named in decimal, so "1"
 * and "1.0" are one class, "1"), else the texts in bytewise order; y becomes the class. */
static cln_status finish_labels(label_set *ls, cln_csv *csv)
{
    label_key *keys = malloc(ls->count * sizeof *keys);
    size_t *class_of = malloc(ls->count * sizeof *class_of);
    csv->class_names = calloc(ls->count, sizeof *csv->class_names);
    cln_status st = keys && class_of && csv->class_names ? CLN_SUCCESS : oom();
    int numeric = 1;
    for (size_t k = 0; st == CLN_SUCCESS && k < ls->count; k++) {
        keys[k] = (label_key){0, ls->texts[k], k};
        numeric = numeric && whole_number(ls->texts[k], &keys[k].value);
    }
    if (st == CLN_SUCCESS)
        qsort(keys, ls->count, sizeof *keys, numeric ? by_value : by_text);
    for (size_t k = 0; st == CLN_SUCCESS && k < ls->count; k++) {
        int same = k > 0 && numeric && keys[k].value == keys[k - 1].value;
        if (!same) {
            char decimal[32];
            if (numeric)
                snprintf(decimal, sizeof decimal, "%lld", (long long)keys[k].value);
            char *name = strdup(numeric ? decimal : keys[k].text);
            if (!name) {
                st = oom();
                break;
            }
            csv->class_names[csv->num_classes++] = name;
        }
        class_of[keys[k].first_seen] = csv->num_classes - 1;
    }
    for (size_t i = 0; st == CLN_SUCCESS && i < csv->rows; i++)
        csv->y[i] = (double)class_of[(size_t)csv->y[i]];
    free(keys);
    free(class_of);
    return st;
}

typedef struct parse_state {
    reader r;
    char *header;       /* the header's text: its fields, each NUL-terminated, or NULL */
    const char **names; /* header names (ncols), pointing into header, or NULL */
    name_index index;   /* the names hashed, when columns are chosen by name */
    size_t ncols;
    size_t *feature_cols, target_col;
    size_t cap;         /* rows allocated in X and y */
    int labels;         /* the target holds class labels */
    int has_target;     /* 0: no target column (cln_csv_options.no_target) */
    label_set classes;  /* their distinct values */
} parse_state;

/* Reads the chosen fields of the current record as row csv->rows. */
static cln_status add_row(parse_state *s, cln_csv *csv)
{
    reader *r = &s->r;
    if (r->nf != s->ncols) {
        const field *last = &r->f[r->nf - 1];
        return parse_error(r, last->line, last->col, "this record has %zu field%s, the %s %zu",
                           r->nf, r->nf == 1 ? "" : "s",
                           s->names ? "header has" : "first record has", s->ncols);
    }
    if (csv->rows == s->cap) {
        /* 64 rows first, fewer when they are wide (at most about 8 MiB), then doubling */
        size_t cap = s->cap ? 2 * s->cap : 64;
        while (!s->cap && cap > 1 && cap * (csv->d + 1) > ((size_t)1 << 20))
            cap /= 2;
        if (cap > SIZE_MAX / sizeof(double) / (csv->d ? csv->d : 1))
            return oom();
        double *nx = realloc(csv->X, cap * csv->d * sizeof *nx);
        if (!nx)
            return oom();
        csv->X = nx;
        if (s->has_target) {
            double *ny = realloc(csv->y, cap * sizeof *ny);
            if (!ny)
                return oom();
            csv->y = ny;
        }
        s->cap = cap;
    }
    for (size_t j = 0; j < csv->d + (size_t)s->has_target; j++) {
        size_t c = j < csv->d ? s->feature_cols[j] : s->target_col;
        const field *f = &r->f[c];
        const char *text = r->buf + f->start;
        const char *col_name = j < csv->d ? csv->feature_names[j] : csv->target_name;
        if (f->len == 0)
            return parse_error(r, f->line, f->col, "empty value in column '%s' (missing data "
                               "is not supported)", col_name);
        if (j == csv->d && s->labels) {
            size_t id = 0;
            CLNI_CHECK(intern_label(&s->classes, text, &id));
            csv->y[csv->rows] = (double)id;
            continue;
        }
        char *end;
        errno = 0;
        double v = strtod(text, &end);
        if (end != text + f->len)
            return parse_error(r, f->line, f->col, "'%.40s%s' in column '%s' is not a number",
                               text, f->len > 40 ? "..." : "", col_name);
        if (!isfinite(v))
            return parse_error(r, f->line, f->col, "'%.40s' in column '%s' is not a finite "
                               "number", text, col_name);
        if (j < csv->d)
            csv->X[csv->rows * csv->d + j] = v;
        else
            csv->y[csv->rows] = v;
    }
    csv->rows++;
    return CLN_SUCCESS;
}

/* The header (or, without one, the first record's width) and the chosen columns. Linear in
 * the header's length and the number of columns chosen. */
static cln_status choose_columns(parse_state *s, const cln_csv_options *o, cln_csv *csv)
{
    reader *r = &s->r;
    s->ncols = r->nf;
    if (o->has_header) {
        /* the names stay where the tokenizer put them: the next record gets a new buffer */
        s->header = r->buf;
        r->buf = NULL;
        r->buf_len = r->buf_cap = 0;
        s->names = malloc(s->ncols * sizeof *s->names);
        if (!s->names)
            return oom();
        for (size_t c = 0; c < s->ncols; c++)
            s->names[c] = s->header + r->f[c].start;
        if (o->target || o->features)
            CLNI_CHECK(build_index(&s->index, s->names, s->ncols));
    }
    if (!s->has_target)
        s->target_col = SIZE_MAX; /* no column is it */
    else if (o->target)
        CLNI_CHECK(resolve_column(r, s->names, &s->index, s->ncols, o->target, "target",
                                  &s->target_col));
    else
        s->target_col = s->ncols - 1;
    if (o->features)
        csv->d = o->num_features;
    else
        csv->d = s->has_target ? s->ncols - 1 : s->ncols;
    if (csv->d == 0)
        return parse_error(r, r->record_line, 0, "there is only one column: no feature to "
                           "learn from");
    s->feature_cols = malloc(csv->d * sizeof *s->feature_cols);
    csv->feature_names = calloc(csv->d, sizeof *csv->feature_names);
    if (!s->feature_cols || !csv->feature_names)
        return oom();
    if (o->features) {
        unsigned char *chosen = calloc(s->ncols, 1); /* columns chosen so far */
        if (!chosen)
            return oom();
        cln_status st = CLN_SUCCESS;
        for (size_t j = 0; j < csv->d && st == CLN_SUCCESS; j++) {
            size_t *c = &s->feature_cols[j];
            st = resolve_column(r, s->names, &s->index, s->ncols, o->features[j], "feature", c);
            if (st == CLN_SUCCESS && *c == s->target_col)
                st = parse_error(r, r->record_line, 0, "column '%s' is both the target and a "
                                 "feature", o->features[j]);
            else if (st == CLN_SUCCESS && chosen[*c])
                st = parse_error(r, r->record_line, 0, "feature column '%s' is chosen twice",
                                 o->features[j]);
            else if (st == CLN_SUCCESS)
                chosen[*c] = 1;
        }
        free(chosen);
        CLNI_CHECK(st);
    } else {
        for (size_t j = 0, c = 0; j < csv->d; j++) {
            if (c == s->target_col)
                c++;
            s->feature_cols[j] = c++;
        }
    }
    char idx[32];
    for (size_t j = 0; j < csv->d + (size_t)s->has_target; j++) {
        size_t c = j < csv->d ? s->feature_cols[j] : s->target_col;
        const char *nm = s->names ? s->names[c] : (snprintf(idx, sizeof idx, "%zu", c), idx);
        char *copy = strdup(nm);
        if (!copy)
            return oom();
        if (j < csv->d)
            csv->feature_names[j] = copy;
        else
            csv->target_name = copy;
    }
    return CLN_SUCCESS;
}

cln_status cln_csv_parse_buffer(const char *text, size_t len, const char *name,
                                const cln_csv_options *opts, cln_csv **out)
{
    const char *fn = "cln_csv_parse_buffer";
    CLNI_CHECK(clni_check_ptr(NULL, out, fn, "out"));
    *out = NULL;
    if (!text && len)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: text is NULL", fn);
    cln_csv_options defaults;
    cln_csv_options_init(&defaults);
    const cln_csv_options *o = opts ? opts : &defaults;
    CLNI_CHECK(check_options(o));

    parse_state s;
    memset(&s, 0, sizeof s);
    s.r.p = text;
    s.r.n = len;
    s.r.line = 1;
    s.r.name = name ? name : "<buffer>";
    s.r.delim = o->delimiter;
    s.r.quote = o->quote;
    s.r.comment = o->comment;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* UTF-8 byte order mark */
        s.r.i = s.r.line_start = 3;
    skip_lines(&s.r, o->skip_lines);
    s.labels = o->labels != 0;
    s.has_target = !o->no_target;

    cln_csv *csv = calloc(1, sizeof *csv);
    cln_status st = csv ? CLN_SUCCESS : oom();
    int got = 0;
    if (st == CLN_SUCCESS)
        st = read_record(&s.r, &got);
    if (st == CLN_SUCCESS && !got)
        st = fail_named(CLN_ERR_PARSE, s.r.name, "no %s: the text is empty or only comments%s",
                        o->has_header ? "header" : "data",
                        o->skip_lines ? " after the lines skipped" : "");
    if (st == CLN_SUCCESS)
        st = choose_columns(&s, o, csv);
    if (st == CLN_SUCCESS && !o->has_header)
        st = add_row(&s, csv);
    while (st == CLN_SUCCESS) {
        st = read_record(&s.r, &got);
        if (st != CLN_SUCCESS || !got)
            break;
        st = add_row(&s, csv);
    }
    if (st == CLN_SUCCESS && csv->rows == 0)
        st = fail_named(CLN_ERR_PARSE, s.r.name, "the header is there but no data row");
    if (st == CLN_SUCCESS && s.labels)
        st = finish_labels(&s.classes, csv);
    free_labels(&s.classes);
    free(s.header);
    free(s.names);
    free(s.index.slots);
    free(s.feature_cols);
    free(s.r.buf);
    free(s.r.f);
    if (st != CLN_SUCCESS) {
        cln_csv_free(csv);
        return st;
    }
    *out = csv;
    return CLN_SUCCESS;
}

cln_status cln_csv_read(const char *path, const cln_csv_options *opts, cln_csv **out)
{
    const char *fn = "cln_csv_read";
    CLNI_CHECK(clni_check_ptr(NULL, out, fn, "out"));
    *out = NULL;
    CLNI_CHECK(clni_check_ptr(NULL, path, fn, "path"));
    int from_stdin = strcmp(path, "-") == 0;
    if (from_stdin)
        path = "<stdin>";
    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    char clean[1024]; /* the path as messages show it */
    if (!f)
        return clni_fail(NULL, CLN_ERR_IO, "cannot open %s: %s",
                         printable(path, clean, sizeof clean), strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    cln_status st = CLN_SUCCESS;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? 2 * cap : 65536;
            char *nt = realloc(text, ncap);
            if (!nt) {
                st = oom();
                break;
            }
            text = nt;
            cap = ncap;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                st = clni_fail(NULL, CLN_ERR_IO, "cannot read %s: %s",
                               printable(path, clean, sizeof clean), strerror(errno));
            break;
        }
    }
    if (!from_stdin) /* standard input stays open: it is the caller's */
        fclose(f);
    if (st == CLN_SUCCESS)
        st = cln_csv_parse_buffer(text, len, path, opts, out);
    free(text);
    return st;
}

size_t cln_csv_num_rows(const cln_csv *csv) { return csv ? csv->rows : 0; }
size_t cln_csv_num_features(const cln_csv *csv) { return csv ? csv->d : 0; }
const char *cln_csv_feature_name(const cln_csv *csv, size_t j)
{
    return csv && j < csv->d ? csv->feature_names[j] : NULL;
}
const char *cln_csv_target_name(const cln_csv *csv) { return csv ? csv->target_name : NULL; }
const double *cln_csv_X(const cln_csv *csv) { return csv ? csv->X : NULL; }
const double *cln_csv_y(const cln_csv *csv) { return csv ? csv->y : NULL; }
size_t cln_csv_num_classes(const cln_csv *csv) { return csv ? csv->num_classes : 0; }
const char *cln_csv_class_name(const cln_csv *csv, size_t c)
{
    return csv && c < csv->num_classes ? csv->class_names[c] : NULL;
}

/* ---- split and standardisation ---------------------------------------------------------- */

void cln_split_config_init(cln_split_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->val_fraction = 0.2;
}

void cln_split_free(cln_split *split)
{
    if (!split)
        return;
    free(split->X);
    free(split->y);
    free(split->mean);
    free(split->scale);
    free(split->source_row);
    memset(split, 0, sizeof *split);
}

cln_status cln_csv_split(const cln_csv *csv, const cln_split_config *cfg, cln_split *out)
{
    const char *fn = "cln_csv_split";
    CLNI_CHECK(clni_check_ptr(NULL, out, fn, "out"));
    memset(out, 0, sizeof *out);
    CLNI_CHECK(clni_check_ptr(NULL, csv, fn, "csv"));
    cln_split_config defaults;
    cln_split_config_init(&defaults);
    if (!cfg)
        cfg = &defaults;
    if (!csv->y)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: the table has no target column (it "
                         "was read with no_target)", fn);
    double f = cfg->val_fraction;
    if (!(f >= 0 && f < 1))
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT,
                         "%s: the validation fraction %g is outside [0, 1)", fn, f);
    size_t n = csv->rows, d = csv->d;
    size_t nv = (size_t)floor(f * (double)n + 0.5);
    if (nv >= n)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: a validation fraction of %g leaves no "
                         "training row out of %zu", fn, f, n);
    size_t nt = n - nv;

    size_t *perm = malloc(n * sizeof *perm);
    unsigned char *is_val = calloc(n, 1);
    out->X = malloc(n * d * sizeof *out->X);
    out->y = malloc(n * sizeof *out->y);
    out->mean = calloc(d, sizeof *out->mean);
    out->scale = malloc(d * sizeof *out->scale);
    out->source_row = malloc(n * sizeof *out->source_row);
    if (!perm || !is_val || !out->X || !out->y || !out->mean || !out->scale || !out->source_row) {
        free(perm);
        free(is_val);
        cln_split_free(out);
        return clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    }
    /* Fisher-Yates from Philox; its first nv positions are the validation rows. */
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i-- > 1;) {
        uint32_t word = cln_philox_u32(cfg->seed, STREAM_SPLIT, (uint64_t)(n - 1 - i));
        size_t j = (size_t)(((uint64_t)word * (i + 1)) >> 32);
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (size_t k = 0; k < nv; k++)
        is_val[perm[k]] = 1;
    size_t at = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++)
            if (is_val[i] == pass) {
                out->source_row[at] = i;
                memcpy(out->X + at * d, csv->X + i * d, d * sizeof *out->X);
                out->y[at] = csv->y[i];
                at++;
            }
    free(perm);
    free(is_val);
    out->num_inputs = d;
    out->num_train = nt;
    out->num_val = nv;

    for (size_t j = 0; j < d; j++) {
        out->scale[j] = 1.0;
        if (!cfg->standardize)
            continue;
        double sum = 0, sq = 0;
        for (size_t i = 0; i < nt; i++)
            sum += out->X[i * d + j];
        double mean = sum / (double)nt;
        for (size_t i = 0; i < nt; i++) {
            double c = out->X[i * d + j] - mean;
            sq += c * c;
        }
        double sd = sqrt(sq / (double)nt);
        out->mean[j] = mean;
        out->scale[j] = sd > 0 && isfinite(sd) ? sd : 1.0;
        for (size_t i = 0; i < n; i++)
            out->X[i * d + j] = (out->X[i * d + j] - mean) / out->scale[j];
    }
    return CLN_SUCCESS;
}

cln_status cln_split_dataset(cln_context *ctx, cln_dtype dtype, const cln_split *split,
                             cln_dataset **out)
{
    CLNI_CHECK(clni_check_ptr(ctx, split, "cln_split_dataset", "split"));
    return cln_dataset_create(ctx, dtype, split->X, split->y, split->num_train + split->num_val,
                              split->num_inputs, split->num_train, out);
}

cln_status cln_split_dataset_labeled(cln_context *ctx, cln_dtype dtype, const cln_split *split,
                                     size_t num_classes, cln_dataset **out)
{
    const char *fn = "cln_split_dataset_labeled";
    CLNI_CHECK(clni_check_ptr(ctx, split, fn, "split"));
    size_t rows = split->num_train + split->num_val;
    if (rows && !split->y)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: split->y is NULL", fn);
    uint32_t *labels = malloc(rows ? rows * sizeof *labels : 1);
    if (!labels)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of host memory", fn);
    for (size_t i = 0; i < rows; i++) {
        double v = split->y[i];
        if (!(v >= 0 && v < 4294967296.0 && v == floor(v))) {
            free(labels);
            return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: row %zu (row %zu of the table) "
                             "has target %g, not a class index (read the CSV with "
                             "cln_csv_options.labels)", fn, i,
                             split->source_row ? split->source_row[i] : i, v);
        }
        labels[i] = (uint32_t)v;
    }
    cln_status st = cln_dataset_create_labeled(ctx, dtype, split->X, labels, rows,
                                               split->num_inputs, num_classes, split->num_train,
                                               CLN_PLACE_AUTO, out);
    free(labels);
    return st;
}

cln_status cln_split_unstandardize(const cln_split *split, const double *w_std, double b_std,
                                   double *w, double *b)
{
    const char *fn = "cln_split_unstandardize";
    CLNI_CHECK(clni_check_ptr(NULL, split, fn, "split"));
    CLNI_CHECK(clni_check_ptr(NULL, w_std, fn, "w_std"));
    CLNI_CHECK(clni_check_ptr(NULL, w, fn, "w"));
    CLNI_CHECK(clni_check_ptr(NULL, b, fn, "b"));
    double shift = 0;
    for (size_t j = 0; j < split->num_inputs; j++) {
        double wj = w_std[j] / split->scale[j];
        shift += wj * split->mean[j];
        w[j] = wj;
    }
    *b = b_std - shift;
    return CLN_SUCCESS;
}
