/* clnum-linreg's option parser: defaults, both option forms, and every kind of bad value. */
#include <string.h>

#include "cli_args.h"
#include "test_util.h"

static int parse(linreg_options *o, char *err, int argc, ...)
{
    char *argv[32] = {"clnum-linreg"};
    va_list ap;
    va_start(ap, argc);
    for (int i = 1; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    return linreg_options_parse(argc, argv, o, err, 256);
}

static void defaults_are_the_chapter(void **state)
{
    (void)state;
    linreg_options o;
    char err[256];
    assert_int_equal(parse(&o, err, 1), 0);
    assert_int_equal(o.epochs, 3);
    assert_true(o.lr == 0.03);
    assert_int_equal(o.batch_size, 32);
    assert_int_equal(o.num_train, 1000);
    assert_int_equal(o.num_val, 1000);
    assert_int_equal(o.num_inputs, 2);
    assert_true(o.noise == 0.01);
    assert_null(o.device);
    /* the progress line: after 1 s, at most 10 times a second */
    assert_true(o.progress.delay_s == 1.0);
    assert_true(o.progress.interval_s == 0.1);
}

static void both_forms(void **state)
{
    (void)state;
    linreg_options o;
    char err[256];
    assert_int_equal(parse(&o, err, 10, "--epochs", "10", "--lr=0.1", "--device", "0:1",
                           "--seed=18446744073709551615", "--list-devices", "--csv", "x.csv"), 0);
    assert_int_equal(o.epochs, 10);
    assert_true(o.lr == 0.1);
    assert_string_equal(o.device, "0:1");
    assert_true(o.seed == UINT64_MAX);
    assert_true(o.list_devices);
    assert_string_equal(o.csv_path, "x.csv");
    assert_int_equal(parse(&o, err, 2, "-h"), 0);
    assert_true(o.help);
    assert_int_equal(parse(&o, err, 3, "--num-val", "0"), 0);
}

static void expect_error(const char *needle, int argc, char *a, char *b)
{
    linreg_options o;
    char err[256];
    assert_int_equal(parse(&o, err, argc, a, b), -1);
    if (!strstr(err, needle))
        TU_FAIL("'%s %s': message \"%s\" lacks \"%s\"", a, b ? b : "", err, needle);
}

static void bad_values(void **state)
{
    (void)state;
    expect_error("unknown option '--bogus'", 2, "--bogus", NULL);
    expect_error("unknown option 'extra'", 2, "extra", NULL);
    expect_error("--epochs needs a value", 2, "--epochs", NULL);
    expect_error("--epochs: '0' is not a whole number", 3, "--epochs", "0");
    expect_error("--epochs: '-1'", 3, "--epochs", "-1");
    expect_error("--epochs: '3x'", 3, "--epochs", "3x");
    expect_error("--batch-size: ''", 2, "--batch-size=", NULL);
    expect_error("--lr: 'nan' is not a valid finite number", 3, "--lr", "nan");
    expect_error("--lr: 'inf'", 3, "--lr", "inf");
    expect_error("--lr must be greater than 0", 3, "--lr", "0");
    expect_error("--lr must be greater than 0", 3, "--lr", "-0.5");
    expect_error("--noise must be 0 or more", 3, "--noise", "-1");
    expect_error("--seed: '-3'", 3, "--seed", "-3");
    expect_error("--seed: '99999999999999999999'", 3, "--seed", "99999999999999999999");
    expect_error("--num-train: '0'", 3, "--num-train", "0");
    expect_error("--num-train: '4294967296'", 3, "--num-train", "4294967296");
    expect_error("--help takes no value", 2, "--help=1", NULL);
    expect_error("--device: ''", 3, "--device", "");
}

/* --delimiter: one character, not one the reader gives a meaning of its own (the quote, the
 * comment character, a line break); the reason names the option and the value as given. */
static void delimiters(void **state)
{
    (void)state;
    linreg_options o;
    char err[256];
    assert_int_equal(parse(&o, err, 5, "--data", "x.csv", "--delimiter", ";"), 0);
    assert_int_equal(o.delimiter, ';');
    assert_int_equal(parse(&o, err, 4, "--data", "x.csv", "--delimiter=tab"), 0);
    assert_int_equal(o.delimiter, '\t');
    assert_int_equal(parse(&o, err, 5, "--data", "x.csv", "--delimiter", "\\t"), 0);
    assert_int_equal(o.delimiter, '\t');
    assert_int_equal(parse(&o, err, 5, "--data", "x.csv", "--delimiter", " "), 0);
    assert_int_equal(o.delimiter, ' ');
    expect_error("--delimiter '#': '#' starts comment lines, so it cannot also separate fields",
                 3, "--delimiter", "#");
    expect_error("--delimiter '#': '#' starts comment lines", 2, "--delimiter=#", NULL);
    expect_error("--delimiter '\"': '\"' quotes fields", 3, "--delimiter", "\"");
    expect_error("--delimiter '\\x0a': a line break ends records", 3, "--delimiter", "\n");
    expect_error("--delimiter '\\x0d': a line break ends records", 3, "--delimiter", "\r");
    expect_error("--delimiter ';;': a delimiter is one character (or 'tab')", 3, "--delimiter",
                 ";;");
    expect_error("--delimiter '': a delimiter is one character", 3, "--delimiter", "");
}

/* Text for a terminal: control characters and bytes that are not UTF-8 as \xHH, the rest
 * kept; never cut inside an escape or a character. */
static void printable_text(void **state)
{
    (void)state;
    assert_int_equal(cli_utf8_char_len("a"), 1);
    assert_int_equal(cli_utf8_char_len(""), 1);
    assert_int_equal(cli_utf8_char_len("\xc3\xa9"), 2);                /* U+00E9 */
    assert_int_equal(cli_utf8_char_len("\xe2\x82\xac"), 3);            /* U+20AC */
    assert_int_equal(cli_utf8_char_len("\xf0\x9f\x98\x80"), 4);        /* U+1F600 */
    assert_int_equal(cli_utf8_char_len("\xf4\x8f\xbf\xbf"), 4);        /* U+10FFFF */
    assert_int_equal(cli_utf8_char_len("\xff"), 0);
    assert_int_equal(cli_utf8_char_len("\xfe"), 0);
    assert_int_equal(cli_utf8_char_len("\x80"), 0);                    /* a continuation */
    assert_int_equal(cli_utf8_char_len("\xc3"), 0);                    /* cut short */
    assert_int_equal(cli_utf8_char_len("\xe2\x82"), 0);
    assert_int_equal(cli_utf8_char_len("\xc0\xaf"), 0);                /* overlong '/' */
    assert_int_equal(cli_utf8_char_len("\xe0\x80\xaf"), 0);
    assert_int_equal(cli_utf8_char_len("\xf0\x80\x80\xaf"), 0);
    assert_int_equal(cli_utf8_char_len("\xed\xa0\x80"), 0);            /* a surrogate */
    assert_int_equal(cli_utf8_char_len("\xf4\x90\x80\x80"), 0);        /* above U+10FFFF */
    assert_int_equal(cli_utf8_char_len("\xf5\x80\x80\x80"), 0);

    char out[64];
    assert_string_equal(cli_printable("price", out, sizeof out), "price");
    assert_string_equal(cli_printable("a\x1b[31mb", out, sizeof out), "a\\x1b[31mb");
    assert_string_equal(cli_printable("b\nc\r\t\x7f", out, sizeof out), "b\\x0ac\\x0d\\x09\\x7f");
    assert_string_equal(cli_printable("\xff\xfex", out, sizeof out), "\\xff\\xfex");
    assert_string_equal(cli_printable("\xc2\x9b" "2J", out, sizeof out), "\\xc2\\x9b" "2J"); /* C1 CSI */
    assert_string_equal(cli_printable("Gr\xc3\xb6\xc3\x9f" "e \xe2\x82\xac", out, sizeof out),
                        "Gr\xc3\xb6\xc3\x9f" "e \xe2\x82\xac");
    assert_string_equal(cli_printable("Gr\xf6\xdf" "e", out, sizeof out), "Gr\\xf6\\xdf" "e"); /* Latin-1 */
    /* every byte 1..255 alone: the result is ASCII or kept UTF-8, and never a control */
    for (int b = 1; b < 256; b++) {
        char in[2] = {(char)b, 0};
        cli_printable(in, out, sizeof out);
        for (const unsigned char *c = (const unsigned char *)out; *c; c++)
            if (*c < 0x20 || *c >= 0x7f)
                TU_FAIL("byte 0x%02x gives \"%s\"", b, out);
    }
    /* cut at the capacity between whole units */
    assert_string_equal(cli_printable("ab\x1b", out, 6), "ab");
    assert_string_equal(cli_printable("ab\x1b", out, 7), "ab\\x1b");
    assert_string_equal(cli_printable("a\xc3\xa9", out, 3), "a");
    assert_string_equal(cli_printable("abc", out, 1), "");
}

/* $CLNUM_PROGRESS_DELAY and $CLNUM_PROGRESS_INTERVAL, as getenv gives them. */
static void progress_timing(void **state)
{
    (void)state;
    char err[256];
    linreg_progress_timing t = {LINREG_PROGRESS_DELAY_S, LINREG_PROGRESS_INTERVAL_S};
    /* unset or empty: the defaults stay */
    assert_int_equal(linreg_progress_timing_parse(NULL, NULL, &t, err, sizeof err), 0);
    assert_true(t.delay_s == 1.0 && t.interval_s == 0.1);
    assert_int_equal(linreg_progress_timing_parse("", "", &t, err, sizeof err), 0);
    assert_true(t.delay_s == 1.0 && t.interval_s == 0.1);
    /* each on its own; 0 is allowed (at every epoch, from the first) */
    assert_int_equal(linreg_progress_timing_parse("0", NULL, &t, err, sizeof err), 0);
    assert_true(t.delay_s == 0 && t.interval_s == 0.1);
    assert_int_equal(linreg_progress_timing_parse(NULL, "0", &t, err, sizeof err), 0);
    assert_true(t.delay_s == 0 && t.interval_s == 0);
    assert_int_equal(linreg_progress_timing_parse("2.5", "1e3", &t, err, sizeof err), 0);
    assert_true(t.delay_s == 2.5 && t.interval_s == 1000);

    /* a bad value: -1, a reason naming the variable, and t unchanged (both of them) */
    static const struct {
        const char *delay, *interval, *needle;
    } bad[] = {
        {"-1", NULL, "CLNUM_PROGRESS_DELAY: '-1' is not a number of seconds, 0 or more"},
        {"1s", NULL, "CLNUM_PROGRESS_DELAY: '1s'"},
        {" 1", NULL, "CLNUM_PROGRESS_DELAY: ' 1'"},
        {"nan", NULL, "CLNUM_PROGRESS_DELAY: 'nan'"},
        {"inf", NULL, "CLNUM_PROGRESS_DELAY: 'inf'"},
        {"0", "-0.5", "CLNUM_PROGRESS_INTERVAL: '-0.5'"},
        {"0", "fast", "CLNUM_PROGRESS_INTERVAL: 'fast'"},
        {"0", "1\n", "CLNUM_PROGRESS_INTERVAL: '1\\x0a'"}, /* one printable line */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t.delay_s = 2.5;
        t.interval_s = 1000;
        assert_int_equal(linreg_progress_timing_parse(bad[i].delay, bad[i].interval, &t, err,
                                                      sizeof err), -1);
        if (!strstr(err, bad[i].needle))
            TU_FAIL("'%s' '%s': message \"%s\" lacks \"%s\"", bad[i].delay,
                    bad[i].interval ? bad[i].interval : "(unset)", err, bad[i].needle);
        assert_true(t.delay_s == 2.5 && t.interval_s == 1000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_the_chapter),
        cmocka_unit_test(both_forms),
        cmocka_unit_test(bad_values),
        cmocka_unit_test(progress_timing),
        cmocka_unit_test(delimiters),
        cmocka_unit_test(printable_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
