/* A program of your own that trains clnum's linear regression on data it makes itself:
 * y = 1.5 x0 - 0.7 x1 + 2 x2 + 0.3 + noise, 400 training and 100 validation rows.
 * It prints what it learned and the exact least-squares answer, and exits 0 when the two
 * agree. Built against an installed clnum by CMakeLists.txt (find_package) or Makefile
 * (pkg-config) beside it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <clnum/clnum.h>

#define ROWS 500
#define TRAIN 400
#define D 3

int main(void)
{
    static const double w_true[D] = {1.5, -0.7, 2.0};
    const double b_true = 0.3;
    static double X[ROWS * D], y[ROWS];
    for (size_t i = 0; i < ROWS; i++) { /* any source of numbers will do; here clnum's Philox */
        y[i] = b_true + 0.05 * cln_philox_normal(42, 1, i);
        for (size_t j = 0; j < D; j++) {
            X[i * D + j] = cln_philox_normal(42, 0, i * D + j);
            y[i] += X[i * D + j] * w_true[j];
        }
    }

    cln_context *ctx;
    if (cln_context_create(NULL, &ctx) != CLN_SUCCESS) { /* NULL: $CLNUM_DEVICE or default */
        fprintf(stderr, "train_own_data: %s\n", cln_last_error(NULL));
        return 1;
    }
    printf("clnum %s on %s\n", CLNUM_VERSION_STRING, cln_context_device(ctx)->device_name);

    cln_dataset *data = NULL;
    cln_linreg *model = NULL;
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.max_epochs = 20;
    tc.lr = 0.03;
    cln_history hist;
    double w[D], b = 0, w_exact[D], b_exact = 0;
    cln_status st = cln_dataset_create(ctx, CLN_FLOAT32, X, y, ROWS, D, TRAIN, &data);
    if (st == CLN_SUCCESS)
        st = cln_linreg_create(ctx, CLN_FLOAT32, D, 0.01, 0, &model);
    if (st == CLN_SUCCESS)
        st = cln_fit(cln_linreg_model(model), data, &tc, &hist);
    if (st == CLN_SUCCESS)
        st = cln_linreg_get(model, w, &b);
    if (st != CLN_SUCCESS) {
        fprintf(stderr, "train_own_data: %s: %s\n", cln_status_str(st), cln_last_error(ctx));
        cln_context_free(ctx);
        return 1;
    }
    printf("last validation loss %.6f after %zu epochs\n",
           hist.val_loss.y[hist.val_loss.count - 1], hist.epochs);
    cln_history_free(&hist);
    cln_context_free(ctx); /* frees data and model too */

    /* The closed-form answer on the same training rows, on the host. */
    if (cln_lstsq(X, y, TRAIN, D, 1, CLN_LSTSQ_QR, w_exact, &b_exact, NULL) != CLN_SUCCESS) {
        fprintf(stderr, "train_own_data: %s\n", cln_last_error(NULL));
        return 1;
    }
    int ok = fabs(b - b_exact) < 0.02;
    printf("%-4s %10s %10s %10s\n", "", "true", "sgd", "exact");
    for (size_t j = 0; j < D; j++) {
        printf("w[%zu] %10.4f %10.4f %10.4f\n", j, w_true[j], w[j], w_exact[j]);
        ok = ok && fabs(w[j] - w_exact[j]) < 0.02;
    }
    printf("b    %10.4f %10.4f %10.4f\n", b_true, b, b_exact);
    printf("%s\n", ok ? "sgd agrees with the exact solution" : "sgd is far from the exact solution");
    return ok ? 0 : 1;
}
