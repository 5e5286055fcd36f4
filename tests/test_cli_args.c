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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_the_chapter),
        cmocka_unit_test(both_forms),
        cmocka_unit_test(bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
