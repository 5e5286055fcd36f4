/* clnum-linreg's option parser: defaults, both option forms, and every kind of bad value;
 * the test hook of its signals; its output files, written whole or not at all and checked
 * before a run. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* $CLNUM_TEST_SIGNAL_AT_EPOCH, as getenv gives it. */
static void test_signal_hook(void **state)
{
    (void)state;
    char err[256];
    linreg_test_signal t;
    assert_int_equal(linreg_test_signal_parse(NULL, &t, err, sizeof err), 0);
    assert_int_equal(t.epoch, 0);
    assert_int_equal(linreg_test_signal_parse("", &t, err, sizeof err), 0);
    assert_int_equal(t.epoch, 0);
    assert_int_equal(linreg_test_signal_parse("3", &t, err, sizeof err), 0);
    assert_true(t.epoch == 3 && t.count == 1 && t.signals[0] == SIGINT);
    assert_int_equal(linreg_test_signal_parse("1000000:TERM", &t, err, sizeof err), 0);
    assert_true(t.epoch == 1000000 && t.count == 1 && t.signals[0] == SIGTERM);
    assert_int_equal(linreg_test_signal_parse("2:INT,SIGTERM,INT,TERM", &t, err, sizeof err), 0);
    assert_true(t.epoch == 2 && t.count == 4 && t.signals[0] == SIGINT &&
                t.signals[1] == SIGTERM && t.signals[2] == SIGINT && t.signals[3] == SIGTERM);
    static const char *const bad[] = {"0", "-1", "x", "3:", "3:HUP", "3:INT,", "3:,INT",
                                      "1000001", "3:INT,INT,INT,INT,INT", " 3", "3:int",
                                      "3\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t.epoch = 7;
        assert_int_equal(linreg_test_signal_parse(bad[i], &t, err, sizeof err), -1);
        if (!strstr(err, "CLNUM_TEST_SIGNAL_AT_EPOCH: '") || strchr(err, '\n'))
            TU_FAIL("'%s': message \"%s\"", bad[i], err);
        assert_int_equal(t.epoch, 0); /* off */
    }
}

/* A scratch folder, removed (one level deep) by rm_scratch. */
static char scratch[64];

static void make_scratch(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/clnum_test_cli_args_XXXXXX");
    if (!mkdtemp(scratch))
        TU_FAIL("mkdtemp: %s", strerror(errno));
}

static void rm_scratch(void)
{
    DIR *d = opendir(scratch);
    struct dirent *e;
    char p[400];
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", scratch, e->d_name);
        if (remove(p) != 0) { /* a folder with a file in it */
            char q[420];
            snprintf(q, sizeof q, "%s/x", p);
            remove(q);
            remove(p);
        }
    }
    if (d)
        closedir(d);
    rmdir(scratch);
}

/* The entries of the scratch folder whose names start with '.' (temporary files). */
static int hidden_files(void)
{
    DIR *d = opendir(scratch);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)))
        n += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static char *in_scratch(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", scratch, name);
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void expect_content(const char *path, const char *text)
{
    char buf[256] = "";
    FILE *f = fopen(path, "r");
    if (!f)
        TU_FAIL("%s: %s", path, strerror(errno));
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    if (strcmp(buf, text) != 0)
        TU_FAIL("%s holds \"%s\", expected \"%s\"", path, buf, text);
}

/* An output is replaced whole, keeps its mode, and a failed write or a discard leaves the
 * previous content and no temporary file. */
static void outputs_whole_or_not_at_all(void **state)
{
    (void)state;
    make_scratch();
    char path[128], err[512];
    in_scratch(path, sizeof path, "out.json");
    cli_output out;
    /* new */
    assert_int_equal(cli_output_open(&out, path, err, sizeof err), 0);
    assert_true(out.tmp[0] && strstr(out.tmp, "/.out.json."));
    fputs("first\n", out.f);
    assert_int_equal(access(path, F_OK), -1); /* nothing there until the commit */
    assert_int_equal(cli_output_commit(&out, err, sizeof err), 0);
    assert_null(out.f);
    expect_content(path, "first\n");
    assert_int_equal(hidden_files(), 0);
    /* replaced, its mode kept */
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(cli_output_open(&out, path, err, sizeof err), 0);
    fputs("second\n", out.f);
    expect_content(path, "first\n");
    assert_int_equal(cli_output_commit(&out, err, sizeof err), 0);
    expect_content(path, "second\n");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    /* discarded: as it was */
    assert_int_equal(cli_output_open(&out, path, err, sizeof err), 0);
    fputs("discarded\n", out.f);
    cli_output_discard(&out);
    expect_content(path, "second\n");
    assert_int_equal(hidden_files(), 0);

    /* a write that fails (a file-size limit, as `ulimit -f`; SIGXFSZ ignored, so EFBIG):
     * the commit says so and the previous file stays whole */
    struct rlimit old_limit, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    small = old_limit;
    small.rlim_cur = 64;
    void (*old_xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    assert_int_equal(cli_output_open(&out, path, err, sizeof err), 0);
    for (int i = 0; i < 100; i++)
        fputs("a line longer than the limit allows ..........\n", out.f);
    int rc = cli_output_commit(&out, err, sizeof err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
    signal(SIGXFSZ, old_xfsz);
    assert_int_equal(rc, -1);
    if (!strstr(err, "cannot write ") || !strstr(err, "out.json: File too large"))
        TU_FAIL("message \"%s\"", err);
    expect_content(path, "second\n");
    assert_int_equal(hidden_files(), 0);

    /* what cannot be opened: the reason, nothing left behind */
    char bad[160];
    snprintf(bad, sizeof bad, "%s/no-such-folder/x.json", scratch);
    assert_int_equal(cli_output_open(&out, bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "no-such-folder/x.json: No such file or directory"));
    snprintf(bad, sizeof bad, "%s/x.json", path); /* under a file: fails for root too */
    assert_int_equal(cli_output_open(&out, bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "out.json/x.json: Not a directory"));
    assert_int_equal(cli_output_open(&out, scratch, err, sizeof err), -1);
    assert_non_null(strstr(err, ": Is a directory"));
    assert_int_equal(cli_output_probe(bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "Not a directory"));
    assert_int_equal(cli_output_probe(path, err, sizeof err), 0);
    expect_content(path, "second\n");
    assert_int_equal(hidden_files(), 0);

    /* in place: a device, and a symbolic link (kept a link, its file written) */
    assert_int_equal(cli_output_open(&out, "/dev/null", err, sizeof err), 0);
    assert_int_equal(out.tmp[0], '\0');
    fputs("gone\n", out.f);
    assert_int_equal(cli_output_commit(&out, err, sizeof err), 0);
    char link[128];
    in_scratch(link, sizeof link, "link.json");
    assert_int_equal(symlink("out.json", link), 0);
    assert_int_equal(cli_output_open(&out, link, err, sizeof err), 0);
    fputs("through the link\n", out.f);
    assert_int_equal(cli_output_commit(&out, err, sizeof err), 0);
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    expect_content(path, "through the link\n");
    rm_scratch();
}

/* The files of a run, checked before it: an output that is the data file (by name, hard
 * link or symbolic link) or another output is 2; one that cannot be written is 1. */
static void files_checked_before_the_run(void **state)
{
    (void)state;
    make_scratch();
    char data[128], hard[128], soft[128], a[128], b[160], err[1024];
    in_scratch(data, sizeof data, "d.csv");
    in_scratch(hard, sizeof hard, "hard.csv");
    in_scratch(soft, sizeof soft, "soft.csv");
    in_scratch(a, sizeof a, "a.json");
    write_file(data, "x,y\n1,2\n");
    assert_int_equal(link(data, hard), 0);
    assert_int_equal(symlink("d.csv", soft), 0);
    linreg_options o;
    assert_int_equal(parse(&o, err, 3, "--data", data), 0);
    assert_int_equal(linreg_files_check(&o, err, sizeof err), 0);

    o.csv_path = data;
    assert_int_equal(linreg_files_check(&o, err, sizeof err), 2);
    if (!strstr(err, "--csv ") || !strstr(err, "is the --data file") || strchr(err, '\n'))
        TU_FAIL("message \"%s\"", err);
    o.csv_path = NULL;
    o.json_path = hard;
    assert_int_equal(linreg_files_check(&o, err, sizeof err), 2);
    assert_non_null(strstr(err, "--json "));
    o.json_path = NULL;
    o.plot_path = soft;
    assert_int_equal(linreg_files_check(&o, err, sizeof err), 2);
    assert_non_null(strstr(err, "--plot "));
    /* two outputs, one file: not there yet, named two ways */
    o.plot_path = NULL;
    o.json_path = a;
    snprintf(b, sizeof b, "%s/./a.json", scratch);
    o.csv_path = b;
    assert_int_equal(linreg_files_check(&o, err, sizeof err), 2);
    assert_non_null(strstr(err, "are the same file"));
    write_file(a, "{}\n"); /* and once it is */
    assert_int_equal(linreg_files_check(&o, err, sizeof err), 2);
    /* devices are not one file */
    o.json_path = o.csv_path = "/dev/null";
    assert_int_equal(linreg_files_check(&o, err, sizeof err), 0);
    /* distinct files: 0, and the check leaves nothing behind */
    o.json_path = a;
    snprintf(b, sizeof b, "%s/b.csv", scratch);
    o.csv_path = b;
    assert_int_equal(linreg_files_check(&o, err, sizeof err), 0);
    assert_int_equal(hidden_files(), 0);
    assert_int_equal(access(b, F_OK), -1);
    /* cannot be written: a folder under a file (for root too), one that does not exist */
    snprintf(b, sizeof b, "%s/x.csv", data);
    assert_int_equal(linreg_files_check(&o, err, sizeof err), 1);
    if (!strstr(err, "--csv: cannot write ") || !strstr(err, "d.csv/x.csv: Not a directory"))
        TU_FAIL("message \"%s\"", err);
    o.csv_path = NULL;
    o.plot_path = "/nonexistent-dir/x.svg";
    assert_int_equal(linreg_files_check(&o, err, sizeof err), 1);
    assert_non_null(strstr(err, "--plot: cannot write /nonexistent-dir/x.svg: No such file"));
    expect_content(data, "x,y\n1,2\n");
    rm_scratch();
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
        cmocka_unit_test(test_signal_hook),
        cmocka_unit_test(outputs_whole_or_not_at_all),
        cmocka_unit_test(files_checked_before_the_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
