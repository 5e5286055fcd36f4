#include "cli_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"

/* The whole of path ("-": standard input) in *text (malloc'd, NUL-terminated), its length in
 * *len, and what messages call it in *name. */
static cln_status read_all(const char *path, char **text, size_t *len, const char **name)
{
    char shown[512];
    int from_stdin = cli_is_stdio(path);
    *name = from_stdin ? "<stdin>" : path;
    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return cln_context_set_error(NULL, CLN_ERR_IO, "cannot open %s: %s",
                                     cli_printable(path, shown, sizeof shown), strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *grown = cap < SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int failed = ferror(f);
    int e = errno;
    if (!from_stdin)
        fclose(f);
    if (!buf)
        return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of memory reading "
                                     "%s", cli_printable(*name, shown, sizeof shown));
    if (failed) {
        free(buf);
        return cln_context_set_error(NULL, CLN_ERR_IO, "cannot read %s: %s",
                                     cli_printable(*name, shown, sizeof shown), strerror(e));
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return CLN_SUCCESS;
}

/* The end of the first record in text (the reader's rules, csv.h: skipped lines, a byte
 * order mark, blank and comment lines before it, quoted fields over line breaks), its start
 * in *start and its fields in *fields. */
static size_t first_record(const char *text, size_t len, const cln_csv_options *co,
                           size_t *start, size_t *fields)
{
    size_t i = 0;
    for (size_t skipped = 0; skipped < co->skip_lines && i < len; skipped++) {
        while (i < len && text[i] != '\n' && text[i] != '\r')
            i++;
        if (i < len && text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
            i++;
        if (i < len)
            i++;
    }
    if (co->skip_lines == 0 && len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    for (;;) { /* blank and comment lines */
        if (i < len && (text[i] == '\n' || text[i] == '\r')) {
            i++;
        } else if (i < len && co->comment && text[i] == co->comment) {
            while (i < len && text[i] != '\n' && text[i] != '\r')
                i++;
        } else {
            break;
        }
    }
    int quoted = 0;
    *start = i;
    *fields = 1;
    for (; i < len; i++) {
        char c = text[i];
        if (co->quote && c == co->quote)
            quoted = !quoted; /* a doubled quote turns it off and on again */
        else if (!quoted && c == co->delimiter)
            (*fields)++;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
    }
    return i;
}

/* The columns of the header but the target, from text's header alone (and a row of zeros
 * after it, so that no value of the file is read; without a header, the row of zeros alone
 * in place of the first record). */
static cln_status header_features(const char *text, size_t len, const char *name,
                                  const cln_csv_options *co, cln_csv **names)
{
    size_t start, fields, end = first_record(text, len, co, &start, &fields);
    if (!co->has_header)
        end = start;
    if (fields > (SIZE_MAX - end - 8) / 2)
        return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    char *probe = malloc(end + 2 * fields + 8);
    if (!probe)
        return cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    memcpy(probe, text, end);
    size_t n = end;
    if (co->has_header)
        probe[n++] = '\n';
    for (size_t k = 0; k < fields; k++) {
        probe[n++] = k ? co->delimiter : '0';
        if (k)
            probe[n++] = '0';
    }
    probe[n++] = '\n';
    cln_csv_options hc = *co;
    hc.features = NULL;
    hc.num_features = 0;
    cln_status st = cln_csv_parse_buffer(probe, n, name, &hc, names);
    free(probe);
    return st;
}

cln_status cli_csv_read(const char *path, const cln_csv_options *co, const char *exclude,
                        cln_csv **out)
{
    *out = NULL;
    if (!exclude || co->features)
        return cln_csv_read(path, co, out);
    char **excluded = NULL, *text = NULL;
    size_t num_excluded = 0, len = 0;
    const char *name;
    if (cli_split_list(exclude, &excluded, &num_excluded) != 0)
        return cln_context_set_error(NULL, CLN_ERR_BAD_ARGUMENT, "--exclude: '%s' has an empty "
                                     "name, or out of memory", exclude);
    cln_csv *header = NULL;
    const char **features = NULL;
    cln_status st = read_all(path, &text, &len, &name);
    if (st == CLN_SUCCESS)
        st = header_features(text, len, name, co, &header);
    size_t d = header ? cln_csv_num_features(header) : 0, kept = 0;
    if (st == CLN_SUCCESS && !(features = malloc((d ? d : 1) * sizeof *features)))
        st = cln_context_set_error(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "out of memory");
    char shown[256];
    for (size_t k = 0; st == CLN_SUCCESS && k < num_excluded; k++) {
        size_t j = 0;
        while (j < d && strcmp(cln_csv_feature_name(header, j), excluded[k]) != 0)
            j++;
        if (j == d)
            st = cln_context_set_error(NULL, CLN_ERR_PARSE, "--exclude: %s has no feature "
                                       "column '%s'%s", name,
                                       cli_printable(excluded[k], shown, sizeof shown),
                                       strcmp(excluded[k], cln_csv_target_name(header)) == 0
                                           ? " (it is the target)" : "");
    }
    for (size_t j = 0; st == CLN_SUCCESS && j < d; j++) {
        int out_of_it = 0;
        for (size_t k = 0; k < num_excluded; k++)
            out_of_it |= strcmp(cln_csv_feature_name(header, j), excluded[k]) == 0;
        if (!out_of_it)
            features[kept++] = cln_csv_feature_name(header, j);
    }
    if (st == CLN_SUCCESS && kept == 0)
        st = cln_context_set_error(NULL, CLN_ERR_BAD_ARGUMENT, "--exclude leaves no feature "
                                   "column of %s", name);
    if (st == CLN_SUCCESS) {
        cln_csv_options fc = *co;
        fc.features = features;
        fc.num_features = kept;
        st = cln_csv_parse_buffer(text, len, name, &fc, out);
    }
    free(features);
    cln_csv_free(header);
    free(text);
    cli_free_list(excluded, num_excluded);
    return st;
}

double cli_scale_ratio(const double *X, size_t rows, size_t d)
{
    double lo = INFINITY, hi = 0;
    for (size_t j = 0; j < d && rows > 1; j++) {
        double mean = 0, ss = 0;
        for (size_t i = 0; i < rows; i++)
            mean += X[i * d + j];
        mean /= (double)rows;
        for (size_t i = 0; i < rows; i++)
            ss += (X[i * d + j] - mean) * (X[i * d + j] - mean);
        double sd = sqrt(ss / (double)rows);
        if (!(sd > 0) || !isfinite(sd))
            continue;
        lo = fmin(lo, sd);
        hi = fmax(hi, sd);
    }
    return hi > 0 && lo < INFINITY ? hi / lo : 1;
}

void cli_standardize_hint(char *msg, size_t cap, double ratio)
{
    if (!(ratio > CLI_SCALE_RATIO_HINT))
        return;
    size_t n = strlen(msg);
    if (n < cap)
        snprintf(msg + n, cap - n, "; the features' scales differ by a factor of %.3g: "
                 "--standardize may help", ratio);
}
