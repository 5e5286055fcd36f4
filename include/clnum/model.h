/* clnum: linear regression from scratch (d2l chapter 3.4).
 *
 * Parameters w (num_inputs x 1) ~ N(0, sigma^2) and b = 0. On a minibatch of B rows:
 *   forward   y_hat = X w + b
 *   loss      mean over the batch of (y_hat - y)^2 / 2   (see cln_linreg_set_loss_scale)
 *   backward  g_w = X^T (y_hat - y) / B,  g_b = mean(y_hat - y)
 *   step      theta -= lr * g   (plain SGD)
 * Each is an OpenCL kernel (cl/linreg.cl); each call enqueues and returns at once. */
#ifndef CLNUM_MODEL_H
#define CLNUM_MODEL_H

#include "clnum/data.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cln_linreg cln_linreg;

/* A minibatch: positions [first, first + count) of a loader's order over the rows of X and
 * y (a split's tensors). loader NULL reads rows first .. first + count - 1 in order. */
typedef struct cln_batch {
    const cln_tensor *X;
    const cln_tensor *y;
    const cln_loader *loader;
    size_t first;
    size_t count;
} cln_batch;

/* w from Philox stream 3 of `seed`, times sigma; b = 0. */
cln_status cln_linreg_create(cln_context *ctx, cln_dtype dtype, size_t num_inputs, double sigma,
                             uint64_t seed, cln_linreg **out);
void cln_linreg_free(cln_linreg *m);

size_t cln_linreg_num_inputs(const cln_linreg *m);
cln_dtype cln_linreg_dtype(const cln_linreg *m);
cln_context *cln_linreg_context(const cln_linreg *m);
/* The parameter and gradient tensors (w and g_w: num_inputs; b and g_b: 1). Owned by the
 * model. */
cln_tensor *cln_linreg_w(cln_linreg *m);
cln_tensor *cln_linreg_b(cln_linreg *m);
cln_tensor *cln_linreg_grad_w(cln_linreg *m);
cln_tensor *cln_linreg_grad_b(cln_linreg *m);

/* The model's loss is loss_scale * mean((y_hat - y)^2), its gradients 2 * loss_scale times
 * X^T (y_hat - y) / B and mean(y_hat - y). 0.5 (the default) is d2l's loss "from scratch",
 * 1.0 is PyTorch's nn.MSELoss (chapter 3.5). Must be finite and > 0. */
cln_status cln_linreg_set_loss_scale(cln_linreg *m, double loss_scale);
double cln_linreg_loss_scale(const cln_linreg *m);

/* Reads the parameters to the host (waits). w has num_inputs values. */
cln_status cln_linreg_get(const cln_linreg *m, double *w, double *b);
/* Sets them from the host. */
cln_status cln_linreg_set(cln_linreg *m, const double *w, double b);

/* y_hat[0 .. count) of the batch; y_hat has at least batch->count elements. */
cln_status cln_linreg_forward(cln_linreg *m, const cln_batch *batch, cln_tensor *y_hat);
/* losses[slot] = loss_scale * mean over the batch of (y_hat - y)^2. */
cln_status cln_linreg_loss(cln_linreg *m, const cln_batch *batch, const cln_tensor *y_hat,
                           cln_tensor *losses, size_t slot);
/* Gradients of that loss into the model's grad_w and grad_b. */
cln_status cln_linreg_backward(cln_linreg *m, const cln_batch *batch, const cln_tensor *y_hat);
/* theta -= lr * g for w and b. */
cln_status cln_linreg_sgd_step(cln_linreg *m, double lr);

#ifdef __cplusplus
}
#endif
#endif
