/* The exact least-squares solver: known answers (noise-free data, NIST's certified Longley
 * regression, also read from the CSV that Debian's python3-statsmodels ships), the
 * optimality conditions on noisy data, the condition number against its closed form, why QR
 * rather than the normal equations, and what has no unique answer. Host only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* n x d standard normal features (seed) and y = X w + b + noise N(0, 1). */
static void make_problem(size_t n, size_t d, const double *w, double b, double noise,
                         uint64_t seed, double *X, double *y)
{
    for (size_t i = 0; i < n; i++) {
        y[i] = b + noise * cln_philox_normal(seed, 101, i);
        for (size_t j = 0; j < d; j++) {
            X[i * d + j] = cln_philox_normal(seed, 100, i * d + j);
            y[i] += X[i * d + j] * w[j];
        }
    }
}

static double sse(const double *X, const double *y, size_t n, size_t d, const double *w, double b)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double r = b - y[i];
        for (size_t j = 0; j < d; j++)
            r += X[i * d + j] * w[j];
        s += r * r;
    }
    return s;
}

static void noise_free_data_is_solved_exactly(void **state)
{
    (void)state;
    enum { N = 60, D = 5 };
    const double w[D] = {1, -2, 0.5, 30, -0.001};
    double X[N * D], y[N], got[D], b;
    for (int intercept = 0; intercept < 2; intercept++)
        for (int method = 0; method < 2; method++) {
            make_problem(N, D, w, intercept ? 4.2 : 0, 0, 3, X, y);
            cln_lstsq_info info;
            b = 99;
            TU_OK(NULL, cln_lstsq(X, y, N, D, intercept, (cln_lstsq_method)method, got, &b, &info));
            for (size_t j = 0; j < D; j++)
                if (!(fabs(got[j] - w[j]) < 1e-10 * (1 + fabs(w[j]))))
                    TU_FAIL("intercept %d, method %d: w[%zu] = %.17g", intercept, method, j, got[j]);
            assert_true(fabs(b - (intercept ? 4.2 : 0)) < 1e-10);
            assert_true(info.mse < 1e-20);
            assert_true(info.condition >= 1 && info.condition < 10);
        }
}

/* On noisy data the answer is characterised by the normal equations holding: X^T r = 0 and
 * sum(r) = 0 for the residual r; and any other w, b has a larger squared error. */
static void noisy_data_meets_the_optimality_conditions(void **state)
{
    (void)state;
    enum { N = 500, D = 4 };
    const double w[D] = {2, -3.4, 0.7, 0};
    double *X = malloc(N * D * sizeof *X), y[N], qr[D], ch[D], bq, bc;
    for (uint64_t seed = 0; seed < 5; seed++) {
        make_problem(N, D, w, 4.2, 0.3, seed, X, y);
        for (size_t i = 0; i < N; i++) /* columns of very different scales and offsets */
            X[i * D + 2] = 1000 + 50 * X[i * D + 2];
        cln_lstsq_info info;
        TU_OK(NULL, cln_lstsq(X, y, N, D, 1, CLN_LSTSQ_QR, qr, &bq, &info));
        TU_OK(NULL, cln_lstsq(X, y, N, D, 1, CLN_LSTSQ_CHOLESKY, ch, &bc, NULL));
        double r_sum = 0, xtr[D] = {0}, xnorm[D] = {0}, rnorm = 0;
        for (size_t i = 0; i < N; i++) {
            double r = bq - y[i];
            for (size_t j = 0; j < D; j++)
                r += X[i * D + j] * qr[j];
            r_sum += r;
            rnorm += r * r;
            for (size_t j = 0; j < D; j++) {
                xtr[j] += X[i * D + j] * r;
                xnorm[j] += X[i * D + j] * X[i * D + j];
            }
        }
        assert_true(fabs(r_sum) < 1e-10 * sqrt(rnorm * N));
        for (size_t j = 0; j < D; j++) {
            if (!(fabs(xtr[j]) < 1e-10 * sqrt(xnorm[j] * rnorm)))
                TU_FAIL("seed %llu: X^T r [%zu] = %g", (unsigned long long)seed, j, xtr[j]);
            assert_true(fabs(qr[j] - ch[j]) < 1e-9 * (1 + fabs(qr[j])));
        }
        assert_true(fabs(bq - bc) < 1e-7 * (1 + fabs(bq)));
        double best = sse(X, y, N, D, qr, bq);
        assert_true(fabs(info.mse - best / N) < 1e-12 * best);
        /* near the noise: 0.3^2, give or take */
        assert_true(info.mse > 0.07 && info.mse < 0.11);
        for (size_t j = 0; j <= D; j++) {
            double moved[D];
            memcpy(moved, qr, sizeof moved);
            double mb = bq;
            if (j < D)
                moved[j] += 1e-4;
            else
                mb += 1e-4;
            assert_true(sse(X, y, N, D, moved, mb) > best);
        }
    }
    free(X);
}

/* Two centred, unit columns with correlation rho have condition number
 * sqrt((1 + |rho|) / (1 - |rho|)). */
static void condition_number_matches_its_closed_form(void **state)
{
    (void)state;
    enum { N = 200 };
    const double eps[] = {1, 0.1, 1e-3, 1e-6};
    double X[N * 2], y[N], w[2], b;
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < N; i++) {
            double z1 = cln_philox_normal(9, 0, i), z2 = cln_philox_normal(9, 1, i);
            X[2 * i] = z1;
            X[2 * i + 1] = z1 + eps[k] * z2;
            y[i] = 1 + X[2 * i] - X[2 * i + 1];
        }
        double m0 = 0, m1 = 0, s00 = 0, s11 = 0, s01 = 0;
        for (size_t i = 0; i < N; i++) {
            m0 += X[2 * i] / N;
            m1 += X[2 * i + 1] / N;
        }
        for (size_t i = 0; i < N; i++) {
            double a = X[2 * i] - m0, c = X[2 * i + 1] - m1;
            s00 += a * a;
            s11 += c * c;
            s01 += a * c;
        }
        double rho = fabs(s01 / sqrt(s00 * s11)), want = sqrt((1 + rho) / (1 - rho));
        cln_lstsq_info info;
        TU_OK(NULL, cln_lstsq(X, y, N, 2, 1, CLN_LSTSQ_QR, w, &b, &info));
        if (!(fabs(info.condition / want - 1) < 1e-3))
            TU_FAIL("eps %g: condition %g, closed form %g", eps[k], info.condition, want);
    }
}

/* Why QR: with a condition number of about 1e6 the normal equations square it to 1e12 and
 * keep only about 4 digits; QR keeps about 10. */
static void qr_keeps_the_digits_the_normal_equations_lose(void **state)
{
    (void)state;
    enum { N = 100 };
    double X[N * 2], y[N], wq[2], wc[2], bq, bc;
    const double w[2] = {1.5, -0.5};
    for (size_t i = 0; i < N; i++) {
        double z1 = cln_philox_normal(5, 0, i), z2 = cln_philox_normal(5, 1, i);
        X[2 * i] = z1;
        X[2 * i + 1] = z1 + 1e-6 * z2;
        y[i] = 2 + w[0] * X[2 * i] + w[1] * X[2 * i + 1];
    }
    cln_lstsq_info info;
    TU_OK(NULL, cln_lstsq(X, y, N, 2, 1, CLN_LSTSQ_QR, wq, &bq, &info));
    TU_OK(NULL, cln_lstsq(X, y, N, 2, 1, CLN_LSTSQ_CHOLESKY, wc, &bc, NULL));
    double eq = fmax(fabs(wq[0] - w[0]), fabs(wq[1] - w[1]));
    double ec = fmax(fabs(wc[0] - w[0]), fabs(wc[1] - w[1]));
    print_message("condition %.3g: QR error %.2g, normal equations error %.2g\n", info.condition,
                  eq, ec);
    assert_true(info.condition > 5e5 && info.condition < 5e6);
    assert_true(eq < 1e-7);
    assert_true(ec > 1000 * eq);
}

/* NIST StRD, Longley (1967): certified values of the regression of TOTEMP on the other six
 * columns, 15 significant digits. */
static const double longley_rows[16][7] = {
    {60323, 83.0, 234289, 2356, 1590, 107608, 1947}, {61122, 88.5, 259426, 2325, 1456, 108632, 1948},
    {60171, 88.2, 258054, 3682, 1616, 109773, 1949}, {61187, 89.5, 284599, 3351, 1650, 110929, 1950},
    {63221, 96.2, 328975, 2099, 3099, 112075, 1951}, {63639, 98.1, 346999, 1932, 3594, 113270, 1952},
    {64989, 99.0, 365385, 1870, 3547, 115094, 1953}, {63761, 100.0, 363112, 3578, 3350, 116219, 1954},
    {66019, 101.2, 397469, 2904, 3048, 117388, 1955}, {67857, 104.6, 419180, 2822, 2857, 118734, 1956},
    {68169, 108.4, 442769, 2936, 2798, 120445, 1957}, {66513, 110.8, 444546, 4681, 2637, 121950, 1958},
    {68655, 112.6, 482704, 3813, 2552, 123366, 1959}, {69564, 114.2, 502601, 3931, 2514, 125368, 1960},
    {69331, 115.7, 518173, 4806, 2572, 127852, 1961}, {70551, 116.9, 554894, 4007, 2827, 130081, 1962},
};
static const double longley_w[6] = {15.0618722713733, -0.358191792925910e-1, -2.02022980381683,
                                    -1.03322686717359, -0.511041056535807e-1, 1829.15146461355};
static const double longley_b = -3482258.63459582;

static double digits_of(const double *w, double b)
{
    double worst = fabs(b - longley_b) / fabs(longley_b);
    for (size_t j = 0; j < 6; j++)
        worst = fmax(worst, fabs(w[j] - longley_w[j]) / fabs(longley_w[j]));
    return -log10(worst);
}

static void longley_certified_values(void **state)
{
    (void)state;
    double X[16 * 6], y[16], w[6], b;
    for (size_t i = 0; i < 16; i++) {
        y[i] = longley_rows[i][0];
        for (size_t j = 0; j < 6; j++)
            X[i * 6 + j] = longley_rows[i][j + 1];
    }
    cln_lstsq_info info;
    TU_OK(NULL, cln_lstsq(X, y, 16, 6, 1, CLN_LSTSQ_QR, w, &b, &info));
    double qr_digits = digits_of(w, b);
    TU_OK(NULL, cln_lstsq(X, y, 16, 6, 1, CLN_LSTSQ_CHOLESKY, w, &b, NULL));
    double ch_digits = digits_of(w, b);
    print_message("Longley: condition %.4g (centred, scaled); digits right: QR %.1f, normal "
                  "equations %.1f\n", info.condition, qr_digits, ch_digits);
    assert_true(qr_digits > 9);
    assert_true(ch_digits > 6);
    assert_true(info.condition > 100 && info.condition < 120); /* 110.5 */
    /* NIST's certified residual standard deviation, 304.854073561965, on 9 degrees of freedom */
    double sd = sqrt(info.mse * 16 / 9);
    assert_true(fabs(sd - 304.854073561965) < 1e-7 * 304.854073561965);
}

/* The same regression from the file Debian's python3-statsmodels ships (its header is
 * quoted), read by the CSV reader. */
static void longley_from_the_debian_package(void **state)
{
    (void)state;
#ifndef CLNUM_LONGLEY_CSV
    skip();
#else
    cln_csv_options o;
    cln_csv_options_init(&o);
    o.target = "TOTEMP";
    const char *features[] = {"GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"};
    o.features = features;
    o.num_features = 6;
    cln_csv *csv;
    TU_OK(NULL, cln_csv_read(CLNUM_LONGLEY_CSV, &o, &csv));
    assert_int_equal(cln_csv_num_rows(csv), 16);
    double w[6], b;
    TU_OK(NULL, cln_lstsq(cln_csv_X(csv), cln_csv_y(csv), 16, 6, 1, CLN_LSTSQ_QR, w, &b, NULL));
    assert_true(digits_of(w, b) > 9);
    cln_csv_free(csv);
#endif
}

static void no_unique_answer_and_bad_input(void **state)
{
    (void)state;
    enum { N = 20 };
    double X[N * 3], y[N], w[3], b;
    make_problem(N, 3, (double[]){1, 2, 3}, 0, 0.1, 1, X, y);
    double saved = X[0];
    for (size_t i = 0; i < N; i++) /* column 2 = column 0 + column 1 */
        X[i * 3 + 2] = X[i * 3] + X[i * 3 + 1];
    for (int method = 0; method < 2; method++)
        TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "feature 2 is (numerically) a linear combination",
                 cln_lstsq(X, y, N, 3, 1, (cln_lstsq_method)method, w, &b, NULL));
    for (size_t i = 0; i < N; i++)
        X[i * 3 + 1] = 7;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "feature 1 is constant",
             cln_lstsq(X, y, N, 3, 1, CLN_LSTSQ_QR, w, &b, NULL));
    make_problem(N, 3, (double[]){1, 2, 3}, 0, 0.1, 1, X, y);
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "3 rows and 3 features and an intercept: need at least one feature and 4 rows",
             cln_lstsq(X, y, 3, 3, 1, CLN_LSTSQ_QR, w, &b, NULL));
    TU_OK(NULL, cln_lstsq(X, y, 3, 3, 0, CLN_LSTSQ_QR, w, NULL, NULL)); /* square, no intercept */
    X[4] = NAN;
    TU_FAILS(NULL, CLN_ERR_NOT_FINITE, "X[1][1] is not finite",
             cln_lstsq(X, y, N, 3, 1, CLN_LSTSQ_QR, w, &b, NULL));
    X[4] = saved;
    y[5] = INFINITY;
    TU_FAILS(NULL, CLN_ERR_NOT_FINITE, "y[5] is not finite",
             cln_lstsq(X, y, N, 3, 1, CLN_LSTSQ_QR, w, &b, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "unknown method 7",
             cln_lstsq(X, y, N, 3, 1, (cln_lstsq_method)7, w, &b, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "X is NULL", cln_lstsq(NULL, y, N, 3, 1, 0, w, &b, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "b is NULL", cln_lstsq(X, y, N, 3, 1, 0, w, NULL, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "need at least one feature",
             cln_lstsq(X, y, N, 0, 1, 0, w, &b, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(noise_free_data_is_solved_exactly),
        cmocka_unit_test(noisy_data_meets_the_optimality_conditions),
        cmocka_unit_test(condition_number_matches_its_closed_form),
        cmocka_unit_test(qr_keeps_the_digits_the_normal_equations_lose),
        cmocka_unit_test(longley_certified_values),
        cmocka_unit_test(longley_from_the_debian_package),
        cmocka_unit_test(no_unique_answer_and_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
