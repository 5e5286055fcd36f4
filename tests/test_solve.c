/* The exact least-squares solver: known answers (noise-free data, NIST's certified Longley
 * regression, also read from the CSV that Debian's python3-statsmodels ships), the
 * optimality conditions on noisy data, the condition number against its closed form, why QR
 * rather than the normal equations, rank-deficient data (the minimum-norm solution, its rank
 * reported), data at the ends of double's range, and bad input. Host only. */
#include <float.h>
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
        for (int method = 0; method < 3; method++) {
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
            assert_int_equal(info.rank, D);
            assert_int_equal(info.unique, 1);
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
        /* the SVD's is exact: to the closed form's own rounding, 1 - rho cancelling */
        TU_OK(NULL, cln_lstsq(X, y, N, 2, 1, CLN_LSTSQ_SVD, w, &b, &info));
        if (!(fabs(info.condition / want - 1) < fmin(1e-3, 1e-10 + 1e-14 / (eps[k] * eps[k]))))
            TU_FAIL("eps %g: SVD condition %g, closed form %g", eps[k], info.condition, want);
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
    cln_lstsq_info sinfo;
    TU_OK(NULL, cln_lstsq(X, y, 16, 6, 1, CLN_LSTSQ_SVD, w, &b, &sinfo));
    double svd_digits = digits_of(w, b);
    print_message("Longley: SVD digits right %.1f, condition %.4g\n", svd_digits, sinfo.condition);
    assert_true(svd_digits > 9);
    assert_int_equal(info.rank, 6);
    assert_int_equal(sinfo.rank, 6);
    assert_true(fabs(sinfo.condition / info.condition - 1) < 1e-3);
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
    for (int method = 0; method < 3; method += 2) { /* QR, SVD */
        TU_OK(NULL, cln_lstsq(cln_csv_X(csv), cln_csv_y(csv), 16, 6, 1,
                              (cln_lstsq_method)method, w, &b, NULL));
        assert_true(digits_of(w, b) > 9);
    }
    cln_csv_free(csv);
#endif
}

/* The rank-revealing solvers (QR, SVD) give the minimum-norm solution when the features are
 * linearly dependent, and say so. */
static const cln_lstsq_method rank_revealing[2] = {CLN_LSTSQ_QR, CLN_LSTSQ_SVD};

/* The norms of the centred columns: the units in which the solution's norm is least. */
static void centred_norms(const double *X, size_t n, size_t d, double *norm)
{
    for (size_t j = 0; j < d; j++) {
        double m = 0, s = 0;
        for (size_t i = 0; i < n; i++)
            m += X[i * d + j] / (double)n;
        for (size_t i = 0; i < n; i++)
            s += (X[i * d + j] - m) * (X[i * d + j] - m);
        norm[j] = sqrt(s);
    }
}

static void constant_and_identical_features(void **state)
{
    (void)state;
    enum { N = 40 };
    double X[N * 3], y[N], X2[N * 2], w2[2], b2, w[3], b;
    make_problem(N, 3, (double[]){1, 2, 3}, 0.5, 0.1, 1, X, y);
    for (size_t i = 0; i < N; i++) {
        X2[2 * i] = X[3 * i];
        X2[2 * i + 1] = X[3 * i + 1];
    }
    /* the reference: the two informative columns alone */
    TU_OK(NULL, cln_lstsq(X2, y, N, 2, 1, CLN_LSTSQ_QR, w2, &b2, NULL));
    double best = sse(X2, y, N, 2, w2, b2);
    for (int k = 0; k < 2; k++) {
        cln_lstsq_method method = rank_revealing[k];
        cln_lstsq_info info;
        for (size_t i = 0; i < N; i++) /* a constant column: it gets weight 0 */
            X[3 * i + 2] = 3.0;
        TU_OK(NULL, cln_lstsq(X, y, N, 3, 1, method, w, &b, &info));
        assert_int_equal(info.rank, 2);
        assert_int_equal(info.unique, 0);
        assert_true(w[2] == 0);
        TU_ASSERT_CLOSE(w, w2, 2, 1e-12, 0);
        assert_true(fabs(b - b2) < 1e-12 * (1 + fabs(b2)));
        assert_true(fabs(info.mse * N - best) < 1e-10 * best);
        assert_true(info.condition >= 1 && info.condition < 10);
        for (size_t i = 0; i < N; i++) /* a copy of column 0: the two share its weight */
            X[3 * i + 2] = X[3 * i];
        TU_OK(NULL, cln_lstsq(X, y, N, 3, 1, method, w, &b, &info));
        assert_int_equal(info.rank, 2);
        assert_int_equal(info.unique, 0);
        if (!(fabs(w[0] - w2[0] / 2) < 1e-12 && fabs(w[2] - w2[0] / 2) < 1e-12))
            TU_FAIL("method %d: w %.17g %.17g, each should be %.17g", (int)method, w[0], w[2],
                    w2[0] / 2);
        assert_true(fabs(w[1] - w2[1]) < 1e-12 && fabs(b - b2) < 1e-12);
        assert_true(fabs(info.mse * N - best) < 1e-10 * best);
    }
    /* the normal equations cannot: they name the feature */
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "feature 2 is (numerically) a linear combination",
             cln_lstsq(X, y, N, 3, 1, CLN_LSTSQ_CHOLESKY, w, &b, NULL));
    for (size_t i = 0; i < N; i++)
        X[3 * i + 1] = 7;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "feature 1 is constant: the normal equations are singular",
             cln_lstsq(X, y, N, 3, 1, CLN_LSTSQ_CHOLESKY, w, &b, NULL));
    /* without an intercept a constant column is a feature like any other; all zeros is not */
    make_problem(N, 3, (double[]){1, 2, 3}, 0, 0.1, 1, X, y);
    for (int k = 0; k < 2; k++) {
        cln_lstsq_info info;
        for (size_t i = 0; i < N; i++)
            X[3 * i + 1] = 0;
        TU_OK(NULL, cln_lstsq(X, y, N, 3, 0, rank_revealing[k], w, NULL, &info));
        assert_int_equal(info.rank, 2);
        assert_true(w[1] == 0);
        for (size_t i = 0; i < N; i++)
            X[3 * i + 1] = 7;
        TU_OK(NULL, cln_lstsq(X, y, N, 3, 0, rank_revealing[k], w, NULL, &info));
        assert_int_equal(info.rank, 3);
        assert_int_equal(info.unique, 1);
    }
}

/* Column 2 = column 0 + column 1: every w + t (1, 1, -1) fits as well; the minimum-norm one
 * (in the centred, scaled units u_j = w_j |x_j|) is orthogonal to the null direction
 * (|x_0|, |x_1|, -|x_2|), so w_0 |x_0|^2 + w_1 |x_1|^2 - w_2 |x_2|^2 = 0. */
static void a_linear_combination_gets_the_minimum_norm_solution(void **state)
{
    (void)state;
    enum { N = 50 };
    double X[N * 3], y[N], w[2][3], b[2], norm[3];
    make_problem(N, 3, (double[]){1, 2, 3}, 0, 0.3, 7, X, y);
    for (size_t i = 0; i < N; i++)
        X[i * 3 + 2] = X[i * 3] + X[i * 3 + 1];
    centred_norms(X, N, 3, norm);
    for (int k = 0; k < 2; k++) {
        cln_lstsq_info info;
        TU_OK(NULL, cln_lstsq(X, y, N, 3, 1, rank_revealing[k], w[k], &b[k], &info));
        assert_int_equal(info.rank, 2);
        assert_int_equal(info.unique, 0);
        double along = w[k][0] * norm[0] * norm[0] + w[k][1] * norm[1] * norm[1] -
                       w[k][2] * norm[2] * norm[2];
        double size = fabs(w[k][0]) * norm[0] * norm[0] + fabs(w[k][1]) * norm[1] * norm[1] +
                      fabs(w[k][2]) * norm[2] * norm[2];
        if (!(fabs(along) < 1e-10 * size))
            TU_FAIL("method %d: the solution has %g of %g along the null direction", k, along,
                    size);
        /* the fitted values are those of columns 0 and 1 alone: w0 + w2 and w1 + w2 */
        double X2[N * 2], w2[2], b2;
        for (size_t i = 0; i < N; i++) {
            X2[2 * i] = X[3 * i];
            X2[2 * i + 1] = X[3 * i + 1];
        }
        TU_OK(NULL, cln_lstsq(X2, y, N, 2, 1, CLN_LSTSQ_QR, w2, &b2, NULL));
        assert_true(fabs(w[k][0] + w[k][2] - w2[0]) < 1e-10);
        assert_true(fabs(w[k][1] + w[k][2] - w2[1]) < 1e-10);
        assert_true(fabs(b[k] - b2) < 1e-10);
    }
    TU_ASSERT_CLOSE(w[0], w[1], 3, 1e-10, 1e-12); /* QR and SVD agree */
}

/* Fewer rows than features + 1, more features than rows (10,000 columns), one row: the
 * training rows are fitted exactly, with the smallest weights, in well under a second. */
static void fewer_rows_than_features(void **state)
{
    (void)state;
    double X[3 * 3], y[3], w[3], b;
    make_problem(3, 3, (double[]){1, 2, 3}, 0, 0.1, 1, X, y);
    for (int k = 0; k < 2; k++) {
        cln_lstsq_info info;
        TU_OK(NULL, cln_lstsq(X, y, 3, 3, 1, rank_revealing[k], w, &b, &info));
        assert_int_equal(info.rank, 2); /* 3 centred rows span 2 dimensions */
        assert_int_equal(info.unique, 0);
        assert_true(info.mse < 1e-24);
        TU_OK(NULL, cln_lstsq(X, y, 3, 3, 0, rank_revealing[k], w, NULL, &info));
        assert_int_equal(info.rank, 3); /* square, no intercept */
        assert_int_equal(info.unique, 1);
        TU_OK(NULL, cln_lstsq(X, y, 1, 3, 1, rank_revealing[k], w, &b, &info));
        assert_int_equal(info.rank, 0); /* one row: b is its target, w is 0 */
        assert_true(w[0] == 0 && w[1] == 0 && w[2] == 0 && b == y[0]);
        assert_true(info.condition == 1 && info.mse == 0);
    }
    enum { N = 12, D = 10000 };
    double *Xw = tu_normals(N * D, 4), yw[N], *ww[2], bw[2];
    for (size_t i = 0; i < N; i++)
        yw[i] = cln_philox_normal(4, 7, i);
    for (int k = 0; k < 2; k++) {
        cln_lstsq_info info;
        ww[k] = malloc(D * sizeof *ww[k]);
        TU_OK(NULL, cln_lstsq(Xw, yw, N, D, 1, rank_revealing[k], ww[k], &bw[k], &info));
        assert_int_equal(info.rank, N - 1);
        assert_int_equal(info.unique, 0);
        if (!(info.mse < 1e-24))
            TU_FAIL("method %d: %zu columns: mse %g", k, (size_t)D, info.mse);
        assert_true(info.condition >= 1 && info.condition < 100);
    }
    TU_ASSERT_CLOSE(ww[0], ww[1], D, 1e-8, 1e-12);
    assert_true(fabs(bw[0] - bw[1]) < 1e-10);
    free(ww[0]);
    free(ww[1]);
    free(Xw);
}

/* Any finite data is solved: targets and features up to +-DBL_MAX (the old solver gave NaN
 * for every parameter, or called such a feature constant), tiny ones; and a solution double
 * cannot hold is refused with a message, never NaN or infinity. */
static void the_ends_of_doubles_range(void **state)
{
    (void)state;
    enum { N = 40 };
    double X[N * 2], y[N], ys[N], Xs[N * 2], w[2], b, wr[2], br;
    make_problem(N, 2, (double[]){1.5, -2}, 0.25, 0.1, 11, X, y);
    for (int k = 0; k < 3; k++) {
        cln_lstsq_method method = k < 2 ? rank_revealing[k] : CLN_LSTSQ_CHOLESKY;
        cln_lstsq_info info, ref;
        TU_OK(NULL, cln_lstsq(X, y, N, 2, 1, method, wr, &br, &ref));
        /* the targets times 2^1020 (about 1e307; |y| up to about 1e308) */
        for (size_t i = 0; i < N; i++)
            ys[i] = ldexp(y[i], 1020);
        assert_true(fabs(ys[0]) > 1e306);
        TU_OK(NULL, cln_lstsq(X, ys, N, 2, 1, method, w, &b, &info));
        for (size_t j = 0; j < 2; j++)
            if (!(isfinite(w[j]) && fabs(w[j] - ldexp(wr[j], 1020)) < 1e-12 * fabs(w[j])))
                TU_FAIL("method %d: w[%zu] = %g, not %g", k, j, w[j], ldexp(wr[j], 1020));
        assert_true(isfinite(b) && fabs(b - ldexp(br, 1020)) < 1e-12 * fabs(b));
        assert_true(info.mse == HUGE_VAL); /* 2^2040: beyond DBL_MAX, said so */
        assert_int_equal(info.rank, 2);
        /* the features times 2^1020, and times 2^-1000 */
        for (int e = 1020; e >= -1000; e -= 2020) {
            for (size_t i = 0; i < N * 2; i++)
                Xs[i] = ldexp(X[i], e);
            TU_OK(NULL, cln_lstsq(Xs, y, N, 2, 1, method, w, &b, &info));
            for (size_t j = 0; j < 2; j++)
                if (!(fabs(w[j] - ldexp(wr[j], -e)) < 1e-12 * fabs(w[j])))
                    TU_FAIL("method %d, X 2^%d: w[%zu] = %g, not %g", k, e, j, w[j],
                            ldexp(wr[j], -e));
            assert_true(fabs(b - br) < 1e-12 * (1 + fabs(br)));
            assert_true(fabs(info.mse - ref.mse) < 1e-12 * ref.mse);
        }
    }
    /* +-DBL_MAX itself: y = x, a feature of only +-DBL_MAX */
    for (size_t i = 0; i < N; i++) {
        Xs[i] = (i % 3 ? 1 : -1) * DBL_MAX;
        ys[i] = Xs[i];
    }
    for (int k = 0; k < 3; k++) {
        cln_lstsq_info info;
        cln_lstsq_method method = k < 2 ? rank_revealing[k] : CLN_LSTSQ_CHOLESKY;
        TU_OK(NULL, cln_lstsq(Xs, ys, N, 1, 1, method, w, &b, &info));
        if (!(fabs(w[0] - 1) < 1e-14 && fabs(b) < 1e-14 * DBL_MAX))
            TU_FAIL("method %d: w %.17g, b %g", k, w[0], b);
        assert_int_equal(info.rank, 1);
    }
    /* w = 2^2000: the data are finite, the answer is not */
    for (size_t i = 0; i < N; i++)
        Xs[i] = ldexp(X[2 * i], -1000);
    for (size_t i = 0; i < N; i++)
        ys[i] = ldexp(X[2 * i], 1000);
    for (int k = 0; k < 3; k++) {
        cln_lstsq_method method = k < 2 ? rank_revealing[k] : CLN_LSTSQ_CHOLESKY;
        w[0] = b = 0;
        TU_FAILS(NULL, CLN_ERR_NOT_FINITE, "w[0] is about 2^2001, beyond double's range",
                 cln_lstsq(Xs, ys, N, 1, 1, method, w, &b, NULL));
        assert_true(w[0] == 0 && b == 0); /* untouched */
    }
}

static void bad_input(void **state)
{
    (void)state;
    enum { N = 20 };
    double X[N * 3], y[N], w[3], b;
    make_problem(N, 3, (double[]){1, 2, 3}, 0, 0.1, 1, X, y);
    double saved = X[4];
    X[4] = NAN;
    TU_FAILS(NULL, CLN_ERR_NOT_FINITE, "X[1][1] is not finite",
             cln_lstsq(X, y, N, 3, 1, CLN_LSTSQ_QR, w, &b, NULL));
    X[4] = saved;
    y[5] = INFINITY;
    TU_FAILS(NULL, CLN_ERR_NOT_FINITE, "y[5] is not finite",
             cln_lstsq(X, y, N, 3, 1, CLN_LSTSQ_SVD, w, &b, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "unknown method 7",
             cln_lstsq(X, y, N, 3, 1, (cln_lstsq_method)7, w, &b, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "X is NULL", cln_lstsq(NULL, y, N, 3, 1, 0, w, &b, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "b is NULL", cln_lstsq(X, y, N, 3, 1, 0, w, NULL, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "20 rows and 0 features: need at least one of each",
             cln_lstsq(X, y, N, 0, 1, 0, w, &b, NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "0 rows and 3 features: need at least one of each",
             cln_lstsq(X, y, 0, 3, 1, 0, w, &b, NULL));
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
        cmocka_unit_test(constant_and_identical_features),
        cmocka_unit_test(a_linear_combination_gets_the_minimum_norm_solution),
        cmocka_unit_test(fewer_rows_than_features),
        cmocka_unit_test(the_ends_of_doubles_range),
        cmocka_unit_test(bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
