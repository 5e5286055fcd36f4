/* The CSV reader, the split and the standardisation: what RFC 4180 allows and what it does
 * not (each error with its line and column), generated files whose true parameters are
 * known, recovered by the exact solver and by SGD on the device in the file's units. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

static cln_csv *parse_with(const char *text, const cln_csv_options *o)
{
    cln_csv *csv = NULL;
    TU_OK(NULL, cln_csv_parse_buffer(text, strlen(text), "t.csv", o, &csv));
    return csv;
}

static cln_csv *parse(const char *text) { return parse_with(text, NULL); }

/* Parsing must fail with `status` and a message containing `needle`. */
static void parse_fails_with(const char *text, const cln_csv_options *o, cln_status status,
                             const char *needle)
{
    cln_csv *csv = (cln_csv *)1;
    cln_status st = cln_csv_parse_buffer(text, strlen(text), "t.csv", o, &csv);
    if (st != status || !strstr(cln_last_error(NULL), needle))
        TU_FAIL("parsing \"%s\": status %d, message \"%s\"; expected %d and \"%s\"", text,
                (int)st, cln_last_error(NULL), (int)status, needle);
    assert_null(csv);
}

static void parse_fails(const char *text, const char *needle)
{
    parse_fails_with(text, NULL, CLN_ERR_PARSE, needle);
}

static void assert_row(const cln_csv *csv, size_t row, const double *x, double y)
{
    size_t d = cln_csv_num_features(csv);
    for (size_t j = 0; j < d; j++)
        if (cln_csv_X(csv)[row * d + j] != x[j])
            TU_FAIL("row %zu feature %zu: %g, expected %g", row, j, cln_csv_X(csv)[row * d + j], x[j]);
    if (cln_csv_y(csv)[row] != y)
        TU_FAIL("row %zu target: %g, expected %g", row, cln_csv_y(csv)[row], y);
}

static void header_and_default_columns(void **state)
{
    (void)state;
    cln_csv *csv = parse("a,b,y\n1,2,3\n4.5,-6e-1,7\n");
    assert_int_equal(cln_csv_num_rows(csv), 2);
    assert_int_equal(cln_csv_num_features(csv), 2);
    assert_string_equal(cln_csv_feature_name(csv, 0), "a");
    assert_string_equal(cln_csv_feature_name(csv, 1), "b");
    assert_null(cln_csv_feature_name(csv, 2));
    assert_string_equal(cln_csv_target_name(csv), "y");
    assert_row(csv, 0, (double[]){1, 2}, 3);
    assert_row(csv, 1, (double[]){4.5, -0.6}, 7);
    cln_csv_free(csv);
    cln_csv_free(NULL);
}

static void target_and_features_chosen(void **state)
{
    (void)state;
    const char *text = "id,price,rooms,name,area\n1,100,3,\"x\",50\n2,200,4,y,80\n";
    cln_csv_options o;
    cln_csv_options_init(&o);
    o.target = "price";
    const char *feats[] = {"area", "rooms"}; /* the order given, not the file's */
    o.features = feats;
    o.num_features = 2;
    cln_csv *csv = parse_with(text, &o); /* "name" is text but not chosen: never read */
    assert_int_equal(cln_csv_num_features(csv), 2);
    assert_string_equal(cln_csv_feature_name(csv, 0), "area");
    assert_row(csv, 0, (double[]){50, 3}, 100);
    assert_row(csv, 1, (double[]){80, 4}, 200);
    cln_csv_free(csv);

    /* by index; the default features are every other column, text ones included */
    o.target = "1";
    const char *by_index[] = {"0", "4"};
    o.features = by_index;
    csv = parse_with(text, &o);
    assert_string_equal(cln_csv_target_name(csv), "price");
    assert_string_equal(cln_csv_feature_name(csv, 1), "area");
    assert_row(csv, 1, (double[]){2, 80}, 200);
    cln_csv_free(csv);
    o.features = NULL;
    o.num_features = 0;
    parse_fails_with(text, &o, CLN_ERR_PARSE, "t.csv:2:9: 'x' in column 'name' is not a number");
}

static void quoting_and_line_ends(void **state)
{
    (void)state;
    /* quoted delimiter, doubled quote, a line break inside quotes, CRLF, a CR-only line,
     * spaces around fields, a BOM, no final newline */
    const char *text = "\xEF\xBB\xBF\"x,1\",\"the \"\"y\"\"\"\r\n"
                       " 1 , 2\r\n"
                       "\"3\",\"4\"\r"
                       "5,  6  ";
    cln_csv *csv = parse(text);
    assert_string_equal(cln_csv_feature_name(csv, 0), "x,1");
    assert_string_equal(cln_csv_target_name(csv), "the \"y\"");
    assert_int_equal(cln_csv_num_rows(csv), 3);
    assert_row(csv, 0, (double[]){1}, 2);
    assert_row(csv, 1, (double[]){3}, 4);
    assert_row(csv, 2, (double[]){5}, 6);
    cln_csv_free(csv);

    csv = parse("\"multi\nline\",y\n1,2\n");
    assert_string_equal(cln_csv_feature_name(csv, 0), "multi\nline");
    cln_csv_free(csv);
    /* lines are counted inside quoted fields too */
    parse_fails("\"a\nb\",y\n1,2\n3,z\n", "t.csv:4:3:");
}

static void comments_blank_lines_and_delimiters(void **state)
{
    (void)state;
    cln_csv *csv = parse("# a comment first\n\na,y\n  # indented comment\n1,2\n\n   \n3,4\n");
    assert_int_equal(cln_csv_num_rows(csv), 2);
    assert_row(csv, 1, (double[]){3}, 4);
    cln_csv_free(csv);

    cln_csv_options o;
    cln_csv_options_init(&o);
    o.delimiter = ';';
    o.comment = '%';
    csv = parse_with("% comment\na;b;y\n1.5;2;3\n", &o);
    assert_row(csv, 0, (double[]){1.5, 2}, 3);
    cln_csv_free(csv);
    /* ',' is only a character here */
    parse_fails_with("a;b;y\n1,5;2;3\n", &o, CLN_ERR_PARSE, "t.csv:2:1: '1,5' in column 'a'");
    o.delimiter = '\t';
    csv = parse_with("a\tb\ty\n 1\t2 \t3\n", &o);
    assert_row(csv, 0, (double[]){1, 2}, 3);
    cln_csv_free(csv);
    /* '#' is data when comments are off */
    o.delimiter = ',';
    o.comment = '\0';
    parse_fails_with("a,y\n#1,2\n", &o, CLN_ERR_PARSE, "t.csv:2:1: '#1' in column 'a'");
}

static void without_header(void **state)
{
    (void)state;
    cln_csv_options o;
    cln_csv_options_init(&o);
    o.has_header = 0;
    o.target = "0";
    cln_csv *csv = parse_with("10,1,2\n20,3,4\n", &o);
    assert_int_equal(cln_csv_num_rows(csv), 2);
    assert_string_equal(cln_csv_target_name(csv), "0");
    assert_string_equal(cln_csv_feature_name(csv, 1), "2");
    assert_row(csv, 1, (double[]){3, 4}, 20);
    cln_csv_free(csv);
    o.target = "y";
    parse_fails_with("1,2\n", &o, CLN_ERR_PARSE, "columns are named by their index, 0 to 1");
}

static void malformed_text_says_where(void **state)
{
    (void)state;
    parse_fails("a,y\n1,2\n3,\"4\n5,6\n", "t.csv:3:3: the quoted field opened here has no closing quote");
    parse_fails("a,y\n1,2\n3,4\"x\n", "t.csv:3:4: quote character inside an unquoted field");
    parse_fails("a,y\n1,\"2\"x\n", "t.csv:2:6: 'x' after a closing quote");
    parse_fails("a,b,y\n1,2,3\n4,5\n", "t.csv:3:3: this record has 2 fields, the header has 3");
    parse_fails("a,b,y\n1,2,3,4\n", "t.csv:2:7: this record has 4 fields");
    parse_fails("a,y\n1,2\nx1,3\n", "t.csv:3:1: 'x1' in column 'a' is not a number");
    parse_fails("a,y\n1,2\n1.5.2,3\n", "'1.5.2' in column 'a' is not a number");
    parse_fails("a,y\n1,\n", "t.csv:2:3: empty value in column 'y'");
    parse_fails("a,y\n1,\"\"\n", "t.csv:2:3: empty value in column 'y'");
    parse_fails("a,y\ninf,1\n", "t.csv:2:1: 'inf' in column 'a' is not a finite number");
    parse_fails("a,y\n1,nan\n", "'nan' in column 'y' is not a finite number");
    parse_fails("a,y\n1,1e999\n", "'1e999' in column 'y' is not a finite number");
    parse_fails("", "t.csv: no header: the text is empty or only comments");
    parse_fails("# only\n\n", "no header");
    parse_fails("a,y\n", "t.csv: the header is there but no data row");
    parse_fails("y\n1\n", "only one column");
    const char nul[] = "a,y\n1,2\0\n";
    cln_csv *csv = NULL;
    assert_int_equal(cln_csv_parse_buffer(nul, sizeof nul - 1, NULL, NULL, &csv), CLN_ERR_PARSE);
    assert_non_null(strstr(cln_last_error(NULL), "<buffer>:2:4: NUL byte"));
}

static void columns_that_do_not_fit(void **state)
{
    (void)state;
    cln_csv_options o;
    cln_csv_options_init(&o);
    o.target = "price";
    parse_fails_with("a,b\n1,2\n", &o, CLN_ERR_PARSE, "no target column 'price': the header has 2 columns ('a', 'b')");
    o.target = "7";
    parse_fails_with("a,b\n1,2\n", &o, CLN_ERR_PARSE, "no target column '7'");
    o.target = "b";
    const char *dup[] = {"a", "a"};
    o.features = dup;
    o.num_features = 2;
    parse_fails_with("a,b\n1,2\n", &o, CLN_ERR_PARSE, "feature column 'a' is chosen twice");
    const char *both[] = {"b"};
    o.features = both;
    o.num_features = 1;
    parse_fails_with("a,b\n1,2\n", &o, CLN_ERR_PARSE, "column 'b' is both the target and a feature");
    o.target = "x";
    o.features = NULL;
    o.num_features = 0;
    parse_fails_with("x,a,x\n1,2,3\n", &o, CLN_ERR_PARSE, "the target column 'x' is ambiguous: columns 1 and 3");
    /* bad options are bad arguments, not parse errors */
    cln_csv_options_init(&o);
    o.delimiter = '"';
    parse_fails_with("a,b\n", &o, CLN_ERR_BAD_ARGUMENT, "delimiter");
    cln_csv_options_init(&o);
    o.comment = ',';
    parse_fails_with("a,b\n", &o, CLN_ERR_BAD_ARGUMENT, "comment");
    cln_csv_options_init(&o);
    o.num_features = 2;
    parse_fails_with("a,b\n", &o, CLN_ERR_BAD_ARGUMENT, "features is NULL");
    cln_csv *csv;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "out is NULL", cln_csv_parse_buffer("a", 1, NULL, NULL, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "text is NULL", cln_csv_parse_buffer(NULL, 3, NULL, NULL, &csv));
}

static void files(void **state)
{
    (void)state;
    cln_csv *csv;
    TU_FAILS(NULL, CLN_ERR_IO, "cannot open /nonexistent/x.csv", cln_csv_read("/nonexistent/x.csv", NULL, &csv));
    assert_null(csv);
    char path[] = "/tmp/clnum-test-csv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("a,y\n1,2\n3,oops\n", f);
    fclose(f);
    TU_FAILS(NULL, CLN_ERR_PARSE, ":3:3: 'oops' in column 'y'", cln_csv_read(path, NULL, &csv));
    assert_non_null(strstr(cln_last_error(NULL), path)); /* the message names the file */
    remove(path);
}

/* A message fit for a terminal: valid UTF-8 (checked here independently of the library:
 * no stray, truncated, overlong or surrogate sequence) without a control character (C0, DEL,
 * C1), so no line break and no escape sequence. */
static void assert_printable(const char *msg)
{
    const unsigned char *c = (const unsigned char *)msg;
    while (*c) {
        unsigned cp = 0;
        size_t n = 1;
        if (*c < 0x80) {
            cp = *c;
            n = 1;
        } else if ((*c & 0xe0) == 0xc0) {
            cp = *c & 0x1fu;
            n = 2;
        } else if ((*c & 0xf0) == 0xe0) {
            cp = *c & 0x0fu;
            n = 3;
        } else if ((*c & 0xf8) == 0xf0) {
            cp = *c & 0x07u;
            n = 4;
        } else {
            TU_FAIL("byte 0x%02x at %zu is not UTF-8: \"%s\"", *c, (size_t)(c - (const unsigned char *)msg), msg);
        }
        for (size_t k = 1; k < n; k++) {
            if ((c[k] & 0xc0) != 0x80)
                TU_FAIL("a truncated UTF-8 sequence at %zu: \"%s\"", (size_t)(c - (const unsigned char *)msg), msg);
            cp = cp << 6 | (c[k] & 0x3fu);
        }
        static const unsigned min_of[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_of[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            TU_FAIL("an overlong form, a surrogate or too large a code point at %zu: \"%s\"",
                    (size_t)(c - (const unsigned char *)msg), msg);
        if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
            TU_FAIL("control character U+%04X at %zu in the message \"%s\"", cp,
                    (size_t)(c - (const unsigned char *)msg), msg);
        c += n;
    }
}

/* Parsing fails with CLN_ERR_PARSE, a message containing needle that is one printable line. */
static void fails_printably(const char *text, const char *name, const cln_csv_options *o,
                            const char *needle)
{
    cln_csv *csv = NULL;
    assert_int_equal(cln_csv_parse_buffer(text, strlen(text), name, o, &csv), CLN_ERR_PARSE);
    assert_null(csv);
    const char *msg = cln_last_error(NULL);
    if (!strstr(msg, needle))
        TU_FAIL("message \"%s\" lacks \"%s\"", msg, needle);
    assert_printable(msg);
}

/* Names and values from the file (and the file's name) reach messages as one printable line:
 * control characters and bytes that are not UTF-8 are shown as \xHH, valid UTF-8 is kept; the
 * names the table hands out are the header's bytes, unchanged. */
static void messages_quote_text_printably(void **state)
{
    (void)state;
    /* ESC[31m (a colour), a line break and a tab inside quoted names, 0xFF 0xFE, a C1 CSI */
    const char *hostile = "\"a\x1b[31m\",\"b\nc\",\"t\tab\",\xff\xfe,\xc2\x9bq,\xc3\xa9,y\n"
                          "1,2,3,4,5,6,7\n";
    cln_csv *csv = parse(hostile);
    assert_int_equal(cln_csv_num_features(csv), 6);
    assert_string_equal(cln_csv_feature_name(csv, 0), "a\x1b[31m");
    assert_string_equal(cln_csv_feature_name(csv, 1), "b\nc");
    assert_string_equal(cln_csv_feature_name(csv, 3), "\xff\xfe");
    cln_csv_free(csv);

    static const struct {
        const char *row, *needle;
    } bad[] = {
        {"x,2,3,4,5,6,7", "t.csv:3:1: 'x' in column 'a\\x1b[31m' is not a number"},
        {"1,x,3,4,5,6,7", "t.csv:3:3: 'x' in column 'b\\x0ac' is not a number"},
        {"1,2,x,4,5,6,7", "'x' in column 't\\x09ab' is not a number"},
        {"1,2,3,x,5,6,7", "'x' in column '\\xff\\xfe' is not a number"},
        {"1,2,3,4,x,6,7", "'x' in column '\\xc2\\x9bq' is not a number"},
        {"1,2,3,4,5,x,7", "'x' in column '\xc3\xa9' is not a number"},
        {"1,2,3,4,5,6,\x1b[2J", "t.csv:3:13: '\\x1b[2J' in column 'y' is not a number"},
        {"1,2,3,4,5,6,\"7\n8\"", "'7\\x0a8' in column 'y' is not a number"},
        {"1,2,3,4,5,6,\xff", "'\\xff' in column 'y' is not a number"},
    };
    const char *header = "\"a\x1b[31m\",\"b\nc\",\"t\tab\",\xff\xfe,\xc2\x9bq,\xc3\xa9,y\n";
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char text[256];
        snprintf(text, sizeof text, "%s%s\n", header, bad[k].row);
        fails_printably(text, "t.csv", NULL, bad[k].needle);
    }

    /* every byte but NUL and the quote, alone in a quoted name and in an unquoted value */
    for (int byte = 1; byte < 256; byte++) {
        if (byte == '"')
            continue;
        char text[64];
        snprintf(text, sizeof text, "\"n%c\",y\nz,1\n", byte);
        fails_printably(text, "t.csv", NULL, "'z' in column 'n");
        if (byte == ',' || byte == '\n' || byte == '\r' || byte == '#')
            continue;
        snprintf(text, sizeof text, "n,y\n1,z%c\n", byte);
        fails_printably(text, "t.csv", NULL, "' in column 'y' is not a number");
    }

    /* a chosen column that is not there: the caller's name and the header's, listed */
    cln_csv_options o;
    cln_csv_options_init(&o);
    o.target = "no\x1b]0;pwned\x07";
    fails_printably(hostile, "t.csv", &o, "no target column 'no\\x1b]0;pwned\\x07': the header "
                    "has 7 columns ('a\\x1b[31m', 'b\\x0ac', 't\\x09ab', '\\xff\\xfe', "
                    "'\\xc2\\x9bq', '\xc3\xa9', 'y')");
    o.target = "b\nc";
    const char *twice[] = {"\xff\xfe", "\xff\xfe"};
    o.features = twice;
    o.num_features = 2;
    fails_printably(hostile, "t.csv", &o, "feature column '\\xff\\xfe' is chosen twice");
    /* the file's name too, in every kind of message */
    fails_printably("a,y\n1,x\n", "bad\n\x1b[1mname.csv", NULL,
                    "bad\\x0a\\x1b[1mname.csv:2:3: 'x' in column 'y'");
    fails_printably("", "bad\nname.csv", NULL, "bad\\x0aname.csv: no header");
    fails_printably("a,y\n", "bad\xffname.csv", NULL, "bad\\xffname.csv: the header is there");
    cln_csv *none;
    TU_FAILS(NULL, CLN_ERR_IO, "cannot open /nonexistent/a\\x0ab.csv",
             cln_csv_read("/nonexistent/a\nb.csv", NULL, &none));
    assert_printable(cln_last_error(NULL));
}

/* A header of a million columns and one row parses, and choosing all of its columns by name
 * does too: the reader is linear (issue 9; a quadratic one took 27 s for 400,000 columns, about
 * 170 s for a million without names chosen and hours with them). No time is asserted: the
 * alarm only stops a run that hangs, at 60 s, where the linear reader takes about a second. */
static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "test_csv: a million-column header took more than 60 s: the CSV "
                              "reader is not linear\n";
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
        /* exiting anyway */
    }
    _exit(1);
}

static void a_million_columns(void **state)
{
    (void)state;
    enum { N = 1000000 };
    size_t cap = (size_t)N * 12 + 64, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (size_t c = 0; c < N; c++)
        len += (size_t)snprintf(text + len, cap - len, "%sc%zu", c ? "," : "", c);
    text[len++] = '\n';
    for (size_t c = 0; c < N; c++)
        len += (size_t)snprintf(text + len, cap - len, "%s%zu", c ? "," : "", c % 10);
    text[len++] = '\n';
    text[len] = '\0';

    signal(SIGALRM, on_alarm);
    alarm(60);
    cln_csv *csv = parse(text);
    assert_int_equal(cln_csv_num_rows(csv), 1);
    assert_int_equal(cln_csv_num_features(csv), N - 1);
    assert_string_equal(cln_csv_feature_name(csv, 0), "c0");
    assert_string_equal(cln_csv_feature_name(csv, N - 2), "c999998");
    assert_string_equal(cln_csv_target_name(csv), "c999999");
    for (size_t j = 0; j < N - 1; j++)
        if (cln_csv_X(csv)[j] != (double)(j % 10))
            TU_FAIL("feature %zu is %g, expected %zu", j, cln_csv_X(csv)[j], j % 10);
    assert_true(cln_csv_y(csv)[0] == 9);
    cln_csv_free(csv);

    /* every column chosen by name, the features in reverse order, the target the first */
    char **names = malloc((N - 1) * sizeof *names);
    assert_non_null(names);
    for (size_t j = 0; j < N - 1; j++) {
        names[j] = malloc(16);
        assert_non_null(names[j]);
        snprintf(names[j], 16, "c%zu", (size_t)N - 1 - j);
    }
    cln_csv_options o;
    cln_csv_options_init(&o);
    o.target = "c0";
    o.features = (const char *const *)names;
    o.num_features = N - 1;
    csv = parse_with(text, &o);
    assert_int_equal(cln_csv_num_features(csv), N - 1);
    assert_string_equal(cln_csv_feature_name(csv, 0), "c999999");
    assert_string_equal(cln_csv_target_name(csv), "c0");
    for (size_t j = 0; j < N - 1; j++)
        if (cln_csv_X(csv)[j] != (double)((N - 1 - j) % 10))
            TU_FAIL("feature %zu is %g, expected %zu", j, cln_csv_X(csv)[j], (N - 1 - j) % 10);
    assert_true(cln_csv_y(csv)[0] == 0);
    cln_csv_free(csv);
    /* a name chosen twice among them is still found */
    snprintf(names[N - 2], 16, "c5");
    assert_int_equal(cln_csv_parse_buffer(text, len, "t.csv", &o, &csv), CLN_ERR_PARSE);
    if (!strstr(cln_last_error(NULL), "feature column 'c5' is chosen twice"))
        TU_FAIL("message \"%s\"", cln_last_error(NULL));
    alarm(0);
    signal(SIGALRM, SIG_DFL);
    for (size_t j = 0; j < N - 1; j++)
        free(names[j]);
    free(names);
    free(text);
}

/* A file of n rows with d features: x ~ N(mu_j, s_j^2) (means and scales far from 0 and 1,
 * so standardising matters), y = x w + b + noise * N(0, 1). Written with 17 digits. */
static char *generated_csv(size_t n, size_t d, const double *w, double b, double noise,
                           uint64_t seed, const double *mu, const double *s)
{
    size_t cap = (n + 1) * (d + 1) * 32 + 64, used = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    used += (size_t)snprintf(text + used, cap - used, "# generated, seed %llu\n",
                             (unsigned long long)seed);
    for (size_t j = 0; j < d; j++)
        used += (size_t)snprintf(text + used, cap - used, "x%zu,", j);
    used += (size_t)snprintf(text + used, cap - used, "target\n");
    for (size_t i = 0; i < n; i++) {
        double y = b + noise * cln_philox_normal(seed, 11, i);
        for (size_t j = 0; j < d; j++) {
            double x = mu[j] + s[j] * cln_philox_normal(seed, 10, i * d + j);
            y += x * w[j];
            used += (size_t)snprintf(text + used, cap - used, "%.17g,", x);
        }
        used += (size_t)snprintf(text + used, cap - used, "%.17g\n", y);
    }
    return text;
}

static void split_and_standardize(void **state)
{
    (void)state;
    const double w[3] = {0.5, -2, 0.03}, mu[3] = {100, -5, 2000}, s[3] = {10, 0.1, 300};
    char *text = generated_csv(101, 3, w, 1.0, 0.1, 7, mu, s);
    cln_csv *csv = parse(text);
    free(text);
    cln_split_config sc;
    cln_split_config_init(&sc);
    assert_true(sc.val_fraction == 0.2);
    sc.val_fraction = 0.25;
    sc.seed = 3;
    sc.standardize = 1;
    cln_split sp;
    TU_OK(NULL, cln_csv_split(csv, &sc, &sp));
    assert_int_equal(sp.num_val, 25); /* 25.25 rounded */
    assert_int_equal(sp.num_train, 76);
    /* every source row once; within each split in file order */
    int seen[101] = {0};
    for (size_t i = 0; i < 101; i++) {
        assert_true(sp.source_row[i] < 101);
        seen[sp.source_row[i]]++;
        if (i != 0 && i != sp.num_train)
            assert_true(sp.source_row[i] > sp.source_row[i - 1]);
    }
    for (size_t i = 0; i < 101; i++)
        assert_int_equal(seen[i], 1);
    /* the training rows have mean 0 and (population) standard deviation 1, the validation
     * rows do not exactly: their statistics were not used */
    for (size_t j = 0; j < 3; j++) {
        double sum = 0, sq = 0, vsum = 0;
        for (size_t i = 0; i < sp.num_train; i++) {
            sum += sp.X[i * 3 + j];
            sq += sp.X[i * 3 + j] * sp.X[i * 3 + j];
        }
        for (size_t i = sp.num_train; i < 101; i++)
            vsum += sp.X[i * 3 + j];
        assert_true(fabs(sum / 76) < 1e-12);
        assert_true(fabs(sq / 76 - 1) < 1e-12);
        assert_true(fabs(vsum / 25) > 1e-6);
        assert_true(fabs(sp.mean[j] - mu[j]) < 4 * s[j] / sqrt(76.0));
        /* and each value maps back to the file's */
        for (size_t i = 0; i < 101; i++) {
            double orig = cln_csv_X(csv)[sp.source_row[i] * 3 + j];
            assert_true(fabs(sp.X[i * 3 + j] * sp.scale[j] + sp.mean[j] - orig) <=
                        1e-12 * fabs(orig) + 1e-12);
        }
    }
    for (size_t i = 0; i < 101; i++)
        assert_true(sp.y[i] == cln_csv_y(csv)[sp.source_row[i]]);

    /* the same seed gives the same split, another seed another one */
    cln_split again, other;
    TU_OK(NULL, cln_csv_split(csv, &sc, &again));
    assert_memory_equal(again.source_row, sp.source_row, 101 * sizeof *sp.source_row);
    sc.seed = 4;
    TU_OK(NULL, cln_csv_split(csv, &sc, &other));
    assert_memory_not_equal(other.source_row, sp.source_row, 101 * sizeof *sp.source_row);
    cln_split_free(&again);
    cln_split_free(&other);

    /* unstandardising gives the same predictions in the file's units */
    const double ws[3] = {0.7, -0.2, 1.1};
    double wo[3], bo;
    TU_OK(NULL, cln_split_unstandardize(&sp, ws, 0.4, wo, &bo));
    for (size_t i = 0; i < 101; i++) {
        double p_std = 0.4, p_orig = bo;
        for (size_t j = 0; j < 3; j++) {
            p_std += sp.X[i * 3 + j] * ws[j];
            p_orig += cln_csv_X(csv)[sp.source_row[i] * 3 + j] * wo[j];
        }
        assert_true(fabs(p_std - p_orig) < 1e-9 * (1 + fabs(p_std)));
    }
    cln_split_free(&sp);

    /* no validation; without standardisation the values are the file's */
    sc.val_fraction = 0;
    sc.standardize = 0;
    TU_OK(NULL, cln_csv_split(csv, &sc, &sp));
    assert_int_equal(sp.num_train, 101);
    assert_memory_equal(sp.X, cln_csv_X(csv), 101 * 3 * sizeof(double));
    assert_true(sp.mean[1] == 0 && sp.scale[1] == 1);
    cln_split_free(&sp);
    cln_split_free(&sp); /* zeroed: freeing twice is harmless */

    const double bad[] = {-0.1, 1.0, NAN, 0.999};
    for (int k = 0; k < 4; k++) {
        sc.val_fraction = bad[k];
        TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, k < 3 ? "outside [0, 1)" : "leaves no training row",
                 cln_csv_split(csv, &sc, &sp));
    }
    cln_csv_free(csv);

    /* a constant feature keeps scale 1 rather than dividing by 0 */
    csv = parse("c,v,y\n5,1,1\n5,2,2\n5,3,3\n");
    sc.val_fraction = 0;
    sc.standardize = 1;
    TU_OK(NULL, cln_csv_split(csv, &sc, &sp));
    assert_true(sp.scale[0] == 1 && sp.mean[0] == 5 && sp.X[0] == 0);
    cln_split_free(&sp);
    cln_csv_free(csv);
}

/* Files with known parameters: the exact solver recovers them, noise-free to rounding. */
static void exact_solution_of_generated_files(void **state)
{
    (void)state;
    const double w[4] = {3, -1.5, 0.25, 10}, mu[4] = {0, 50, -3, 1}, s[4] = {1, 5, 0.5, 2};
    for (int noisy = 0; noisy < 2; noisy++) {
        char *text = generated_csv(400, 4, w, -7, noisy ? 0.5 : 0, 21, mu, s);
        cln_csv *csv = parse(text);
        free(text);
        cln_split_config sc;
        cln_split_config_init(&sc);
        sc.standardize = 1;
        cln_split sp;
        TU_OK(NULL, cln_csv_split(csv, &sc, &sp));
        double ws[4], bs, wo[4], bo;
        TU_OK(NULL, cln_lstsq(sp.X, sp.y, sp.num_train, 4, 1, CLN_LSTSQ_QR, ws, &bs, NULL));
        TU_OK(NULL, cln_split_unstandardize(&sp, ws, bs, wo, &bo));
        /* noise-free: to rounding; with noise 0.5 on 320 rows: within 5 standard errors
         * (about 0.5 / sqrt(320) / s_j for w_j) */
        for (size_t j = 0; j < 4; j++) {
            double tol = noisy ? 5 * 0.5 / sqrt(320.0) / s[j] : 1e-9 * (1 + fabs(w[j]));
            if (!(fabs(wo[j] - w[j]) < tol))
                TU_FAIL("noise %d: w[%zu] = %.12g, true %g", noisy, j, wo[j], w[j]);
        }
        /* b's standard error: 0.5 sqrt((1 + sum_j (mu_j / s_j)^2) / 320), about 0.33 */
        if (!(fabs(bo + 7) < (noisy ? 5 * 0.33 : 1e-7)))
            TU_FAIL("noise %d: b = %.12g, true -7", noisy, bo);
        cln_split_free(&sp);
        cln_csv_free(csv);
    }
}

/* The whole path a user takes: file -> split -> standardise -> device -> SGD -> original
 * units, against the truth and the exact solution. Without standardisation the same lr
 * diverges on these scales, which is why it exists. */
static void sgd_on_a_generated_file(void **state)
{
    cln_context *ctx = *state;
    const double w[2] = {0.8, -0.02}, mu[2] = {20, 300}, s[2] = {4, 80};
    char *text = generated_csv(1000, 2, w, 5, 0.05, 5, mu, s);
    cln_csv *csv = parse(text);
    free(text);
    cln_split_config sc;
    cln_split_config_init(&sc);
    sc.standardize = 1;
    cln_split sp;
    TU_OK(NULL, cln_csv_split(csv, &sc, &sp));
    cln_dataset *data;
    TU_OK(ctx, cln_split_dataset(ctx, CLN_FLOAT32, &sp, &data));
    assert_int_equal(cln_dataset_num_train(data), 800);
    assert_int_equal(cln_dataset_num_val(data), 200);
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 1, &m));
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.max_epochs = 10;
    TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &tc, NULL));
    double ws[2], bs, wo[2], bo, we[2], be;
    TU_OK(ctx, cln_linreg_get(m, ws, &bs));
    TU_OK(NULL, cln_split_unstandardize(&sp, ws, bs, wo, &bo));
    TU_OK(NULL, cln_lstsq(sp.X, sp.y, sp.num_train, 2, 1, CLN_LSTSQ_QR, we, &be, NULL));
    TU_OK(NULL, cln_split_unstandardize(&sp, we, be, we, &be));
    for (size_t j = 0; j < 2; j++) {
        /* SGD to within a few of its own noise of the exact answer, in original units */
        if (!(fabs(wo[j] - we[j]) < 0.01 / s[j]))
            TU_FAIL("w[%zu]: sgd %.6g, exact %.6g, true %g", j, wo[j], we[j], w[j]);
        assert_true(fabs(we[j] - w[j]) < 5 * 0.05 / sqrt(800.0) / s[j]);
    }
    assert_true(fabs(bo - be) < 0.05);
    cln_linreg_free(m);
    cln_dataset_free(data);

    /* unstandardised, the same learning rate blows up: the loss is reported, not hidden */
    sc.standardize = 0;
    cln_split raw;
    TU_OK(NULL, cln_csv_split(csv, &sc, &raw));
    TU_OK(ctx, cln_split_dataset(ctx, CLN_FLOAT32, &raw, &data));
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 1, &m));
    TU_FAILS(ctx, CLN_ERR_DIVERGED, "the loss became", cln_fit(cln_linreg_model(m), data, &tc, NULL));
    cln_split_free(&raw);
    cln_split_free(&sp);
    cln_csv_free(csv);
}

/* ---- class labels ----------------------------------------------------------------------- */

static cln_csv *parse_labels(const char *text, cln_csv_options *o)
{
    o->labels = 1;
    return parse_with(text, o);
}

static void assert_classes(const cln_csv *csv, const char *const *names, size_t k,
                           const double *y, size_t rows)
{
    assert_int_equal(cln_csv_num_classes(csv), k);
    for (size_t c = 0; c < k; c++)
        if (strcmp(cln_csv_class_name(csv, c), names[c]) != 0)
            TU_FAIL("class %zu is '%s', expected '%s'", c, cln_csv_class_name(csv, c), names[c]);
    assert_null(cln_csv_class_name(csv, k));
    assert_int_equal(cln_csv_num_rows(csv), rows);
    for (size_t i = 0; i < rows; i++)
        if (cln_csv_y(csv)[i] != y[i])
            TU_FAIL("row %zu: class %g, expected %g", i, cln_csv_y(csv)[i], y[i]);
}

/* Whole numbers sort as numbers (9 before 10, -2 first), "1.0" is class "1". */
static void integer_labels(void **state)
{
    (void)state;
    cln_csv_options o;
    cln_csv_options_init(&o);
    cln_csv *csv = parse_labels("a,b,y\n1,2,10\n4,5,1\n7,8,9\n0,0,-2\n3,3,1.0\n6,6,10\n", &o);
    assert_classes(csv, (const char *[]){"-2", "1", "9", "10"}, 4,
                   (const double[]){3, 1, 2, 0, 1, 3}, 6);
    assert_row(csv, 2, (double[]){7, 8}, 2);
    cln_csv_free(csv);
    /* without the option the same column is a number, and there are no classes */
    csv = parse("a,y\n1,10\n2,9\n");
    assert_int_equal(cln_csv_num_classes(csv), 0);
    assert_null(cln_csv_class_name(csv, 0));
    assert_true(cln_csv_y(csv)[0] == 10);
    cln_csv_free(csv);
    assert_int_equal(cln_csv_num_classes(NULL), 0);
    assert_null(cln_csv_class_name(NULL, 0));
}

/* Text sorts bytewise: "10" before "9" before "cat", and UTF-8's lead bytes after ASCII. */
static void text_labels(void **state)
{
    (void)state;
    cln_csv_options o;
    cln_csv_options_init(&o);
    cln_csv *csv = parse_labels("x,species\n1,virginica\n2,setosa\n3,\"versicolor\"\n4,setosa\n", &o);
    assert_classes(csv, (const char *[]){"setosa", "versicolor", "virginica"}, 3,
                   (const double[]){2, 0, 1, 0}, 4);
    cln_csv_free(csv);
    csv = parse_labels("x,y\n1,cat\n2,9\n3,10\n4,\xc3\xa9t\xc3\xa9\n5,z\n6,9\n", &o);
    assert_classes(csv, (const char *[]){"10", "9", "cat", "z", "\xc3\xa9t\xc3\xa9"}, 5,
                   (const double[]){2, 1, 0, 4, 3, 1}, 6);
    cln_csv_free(csv);
    /* the target chosen by name, and a label that is empty is missing data */
    o.target = "kind";
    csv = parse_labels("kind,x\nb,1\na,2\n", &o);
    assert_classes(csv, (const char *[]){"a", "b"}, 2, (const double[]){1, 0}, 2);
    assert_string_equal(cln_csv_feature_name(csv, 0), "x");
    cln_csv_free(csv);
    o.target = NULL;
    parse_fails_with("x,y\n1,a\n2,\n", &o, CLN_ERR_PARSE, "t.csv:3:3: empty value in column 'y'");
    /* features are still numbers */
    parse_fails_with("x,y\nq,a\n", &o, CLN_ERR_PARSE, "'q' in column 'x' is not a number");
}

/* 3000 distinct labels in a shuffled order (the label table grows many times), sorted. */
static void many_labels(void **state)
{
    (void)state;
    enum { K = 3000, ROWS = 2 * K };
    char *text = malloc(ROWS * 24 + 16), *p = text;
    p += sprintf(p, "x,y\n");
    size_t want[ROWS];
    for (size_t i = 0; i < ROWS; i++) {
        size_t c = (i * 1237) % K; /* 1237 is prime to 3000: every class, twice */
        want[i] = c;
        p += sprintf(p, "%zu,c%05zu\n", i, c);
    }
    cln_csv_options o;
    cln_csv_options_init(&o);
    cln_csv *csv = parse_labels(text, &o);
    free(text);
    assert_int_equal(cln_csv_num_classes(csv), K);
    char name[16];
    for (size_t c = 0; c < K; c++) {
        snprintf(name, sizeof name, "c%05zu", c);
        assert_string_equal(cln_csv_class_name(csv, c), name);
    }
    for (size_t i = 0; i < ROWS; i++)
        if (cln_csv_y(csv)[i] != (double)want[i])
            TU_FAIL("row %zu: class %g, expected %zu", i, cln_csv_y(csv)[i], want[i]);
    cln_csv_free(csv);
}

static void skip_lines(void **state)
{
    (void)state;
    cln_csv_options o;
    cln_csv_options_init(&o);
    o.skip_lines = 1;
    /* the skipped line is not CSV: an unbalanced quote there is nothing */
    cln_csv *csv = parse_with("3,2,\"odd\nx,y\n1,2\n", &o);
    assert_string_equal(cln_csv_feature_name(csv, 0), "x");
    assert_row(csv, 0, (double[]){1}, 2);
    cln_csv_free(csv);
    /* without a header, and with the lines' ends of every kind; messages keep the lines */
    o.skip_lines = 3;
    o.has_header = 0;
    csv = parse_with("150,4,a,b\r\nnot,data\rnor this\n5.1,0\n4.9,1\n", &o);
    assert_int_equal(cln_csv_num_rows(csv), 2);
    assert_string_equal(cln_csv_target_name(csv), "1");
    assert_row(csv, 1, (double[]){4.9}, 1);
    cln_csv_free(csv);
    parse_fails_with("junk\njunk\njunk\n1,2\n3,x\n", &o, CLN_ERR_PARSE, "t.csv:5:3: 'x' in column '1'");
    /* after the byte order mark */
    o.skip_lines = 1;
    csv = parse_with("\xEF\xBB\xBF" "count line\n7,8\n", &o);
    assert_row(csv, 0, (double[]){7}, 8);
    cln_csv_free(csv);
    o.skip_lines = 5;
    parse_fails_with("a\nb\n", &o, CLN_ERR_PARSE, "no data: the text is empty or only comments after the lines skipped");
    /* 0 (the default) skips nothing: the count line would be the header */
    cln_csv_options_init(&o);
    csv = parse("150,4\n1,2\n");
    assert_string_equal(cln_csv_feature_name(csv, 0), "150");
    cln_csv_free(csv);
}

/* Labels through the split (never standardised) onto the device as a labelled dataset. */
static void labeled_split_dataset(void **state)
{
    cln_context *ctx = *state;
    cln_csv_options o;
    cln_csv_options_init(&o);
    cln_csv *csv = parse_labels("a,b,y\n1,10,dog\n2,20,cat\n3,30,dog\n4,40,emu\n5,50,cat\n", &o);
    cln_split_config sc;
    cln_split_config_init(&sc);
    sc.val_fraction = 0.4;
    sc.standardize = 1;
    cln_split sp;
    TU_OK(NULL, cln_csv_split(csv, &sc, &sp));
    for (size_t i = 0; i < 5; i++)
        assert_true(sp.y[i] == cln_csv_y(csv)[sp.source_row[i]]);
    cln_dataset *ds;
    TU_OK(ctx, cln_split_dataset_labeled(ctx, CLN_FLOAT32, &sp, cln_csv_num_classes(csv), &ds));
    assert_int_equal(cln_dataset_num_classes(ds), 3);
    assert_int_equal(cln_dataset_num_train(ds), 3);
    double *ty = tu_download(ctx, cln_dataset_train_y(ds)), *vy = tu_download(ctx, cln_dataset_val_y(ds));
    for (size_t i = 0; i < 3; i++)
        assert_true(ty[i] == sp.y[i]);
    assert_true(vy[0] == sp.y[3] && vy[1] == sp.y[4]);
    free(ty);
    free(vy);
    cln_dataset_free(ds);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "has label 2, not below num_classes 2",
             cln_split_dataset_labeled(ctx, CLN_FLOAT32, &sp, 2, &ds));
    cln_split_free(&sp);
    cln_csv_free(csv);
    /* real targets are not class indices */
    csv = parse("a,y\n1,0\n2,2.5\n3,1\n");
    sc.val_fraction = 0;
    TU_OK(NULL, cln_csv_split(csv, &sc, &sp));
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "row 1 (row 1 of the table) has target 2.5, not a class index",
             cln_split_dataset_labeled(ctx, CLN_FLOAT32, &sp, 3, &ds));
    cln_split_free(&sp);
    cln_csv_free(csv);
}

/* scikit-learn's iris.csv and wine_data.csv as Debian's python3-sklearn ships them: a count
 * line ("150,4,setosa,versicolor,virginica"), then rows of features and an integer class. */
static void check_sklearn_file(const char *file, size_t rows, size_t d, const size_t *per_class,
                               const double *first, const double *last, double last_class)
{
#ifdef CLNUM_SKLEARN_DATASETS
    char path[512];
    snprintf(path, sizeof path, "%s/%s", CLNUM_SKLEARN_DATASETS, file);
    cln_csv_options o;
    cln_csv_options_init(&o);
    o.skip_lines = 1;
    o.has_header = 0;
    o.labels = 1;
    cln_csv *csv;
    TU_OK(NULL, cln_csv_read(path, &o, &csv));
    assert_int_equal(cln_csv_num_rows(csv), rows);
    assert_int_equal(cln_csv_num_features(csv), d);
    assert_int_equal(cln_csv_num_classes(csv), 3);
    size_t count[3] = {0, 0, 0};
    for (size_t i = 0; i < rows; i++)
        count[(size_t)cln_csv_y(csv)[i]]++;
    for (size_t c = 0; c < 3; c++) {
        char name[2] = {(char)('0' + c), 0};
        assert_string_equal(cln_csv_class_name(csv, c), name);
        if (count[c] != per_class[c])
            TU_FAIL("%s: %zu rows of class %zu, expected %zu", file, count[c], c, per_class[c]);
    }
    assert_row(csv, 0, first, 0);
    assert_row(csv, rows - 1, last, last_class);
    cln_csv_free(csv);
#else
    (void)file, (void)rows, (void)d, (void)per_class, (void)first, (void)last, (void)last_class;
#endif
}

static void sklearn_iris_and_wine(void **state)
{
    (void)state;
#ifndef CLNUM_SKLEARN_DATASETS
    print_message("skipped: python3-sklearn's iris.csv and wine_data.csv are not installed "
                  "(apt-get install python3-sklearn, then configure again)\n");
    skip();
#endif
    check_sklearn_file("iris.csv", 150, 4, (const size_t[]){50, 50, 50},
                       (const double[]){5.1, 3.5, 1.4, 0.2}, (const double[]){5.9, 3.0, 5.1, 1.8}, 2);
    check_sklearn_file("wine_data.csv", 178, 13, (const size_t[]){59, 71, 48},
                       (const double[]){14.23, 1.71, 2.43, 15.6, 127, 2.8, 3.06, 0.28, 2.29, 5.64,
                                        1.04, 3.92, 1065},
                       (const double[]){14.13, 4.1, 2.74, 24.5, 96, 2.05, 0.76, 0.56, 1.35, 9.2,
                                        0.61, 1.6, 560}, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_and_default_columns),
        cmocka_unit_test(target_and_features_chosen),
        cmocka_unit_test(quoting_and_line_ends),
        cmocka_unit_test(comments_blank_lines_and_delimiters),
        cmocka_unit_test(without_header),
        cmocka_unit_test(malformed_text_says_where),
        cmocka_unit_test(columns_that_do_not_fit),
        cmocka_unit_test(files),
        cmocka_unit_test(messages_quote_text_printably),
        cmocka_unit_test(a_million_columns),
        cmocka_unit_test(split_and_standardize),
        cmocka_unit_test(exact_solution_of_generated_files),
        cmocka_unit_test(sgd_on_a_generated_file),
        cmocka_unit_test(integer_labels),
        cmocka_unit_test(text_labels),
        cmocka_unit_test(many_labels),
        cmocka_unit_test(skip_lines),
        cmocka_unit_test(labeled_split_dataset),
        cmocka_unit_test(sklearn_iris_and_wine),
    };
    return cmocka_run_group_tests(tests, tu_context_setup, tu_context_teardown);
}
