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
        {"0", "1\n", "CLNUM_PROGRESS_INTERVAL: '1?'"}, /* one printable line */
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
