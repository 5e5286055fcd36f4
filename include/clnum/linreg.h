/**
 * @file linreg.h
 * @brief Linear regression from scratch (d2l chapter 3.4): forward, loss, backward and
 * SGD step as separate calls.
 *
 * Parameters w (num_inputs x 1) ~ N(0, sigma^2) and b = 0. On a minibatch of B rows:
 *   forward   y_hat = X w + b
 *   loss      mean over the batch of (y_hat - y)^2 / 2   (see cln_linreg_set_loss_scale)
 *   backward  g_w = X^T (y_hat - y) / B,  g_b = mean(y_hat - y)
 *   step      theta -= lr * g   (plain SGD)
 * Each is an OpenCL kernel (cl/model/linreg.cl); each call enqueues and returns at once. */
#ifndef CLNUM_LINREG_H
#define CLNUM_LINREG_H

#include "clnum/export.h"

#include "clnum/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The model: w, b and their gradients on the device. Opaque. */
typedef struct cln_linreg cln_linreg;

/**
 * @brief Makes a model: w from Philox stream 3 of `seed`, times sigma; b = 0.
 * @param ctx the context that owns it. @param dtype precision of the parameters.
 * @param num_inputs features, 1 to 2^32 - 1. @param sigma standard deviation of w (d2l: 0.01).
 * @param seed seeds w.
 * @param[out] out the model; free it with cln_linreg_free() or with the context.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; CLN_ERR_NO_FLOAT64; CLN_ERR_OUT_OF_HOST_MEMORY;
 * an OpenCL code.
 */
CLN_API cln_status cln_linreg_create(cln_context *ctx, cln_dtype dtype, size_t num_inputs, double sigma,
                             uint64_t seed, cln_linreg **out);
/** @brief Frees a model and its tensors. @param m the model; NULL is a no-op. */
CLN_API void cln_linreg_free(cln_linreg *m);
/** @brief The model as the trainer sees it (model.h), for cln_fit(); owned by m, freed with
 * it. Its parameters are w then b (num_inputs + 1 values). @param m the model.
 * @return the view (NULL for NULL). */
CLN_API cln_model *cln_linreg_model(cln_linreg *m);

/** @brief Features. @param m the model. @return the size of w (0 for NULL). */
CLN_API size_t cln_linreg_num_inputs(const cln_linreg *m);
/** @brief Precision. @param m the model. @return the dtype of its tensors. */
CLN_API cln_dtype cln_linreg_dtype(const cln_linreg *m);
/** @brief The owner. @param m the model. @return its context (NULL for NULL). */
CLN_API cln_context *cln_linreg_context(const cln_linreg *m);
/* The parameter and gradient tensors (w and g_w: num_inputs; b and g_b: 1). Owned by the
 * model. */
/** @brief The weights, owned by the model. @param m the model. @return w, num_inputs values. */
CLN_API cln_tensor *cln_linreg_w(cln_linreg *m);
/** @brief The bias, owned by the model. @param m the model. @return b, one value. */
CLN_API cln_tensor *cln_linreg_b(cln_linreg *m);
/** @brief The weights' gradient, owned by the model. @param m the model.
 * @return g_w, num_inputs values. */
CLN_API cln_tensor *cln_linreg_grad_w(cln_linreg *m);
/** @brief The bias's gradient, owned by the model. @param m the model. @return g_b, one value. */
CLN_API cln_tensor *cln_linreg_grad_b(cln_linreg *m);

/**
 * @brief Sets the loss: loss_scale * mean((y_hat - y)^2), its gradients 2 * loss_scale
 * times X^T (y_hat - y) / B and mean(y_hat - y). 0.5 (the default) is d2l's loss "from
 * scratch", 1.0 is PyTorch's nn.MSELoss (chapter 3.5).
 * @param m the model. @param loss_scale finite and > 0.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT.
 */
CLN_API cln_status cln_linreg_set_loss_scale(cln_linreg *m, double loss_scale);
/** @brief The loss scale. @param m the model. @return it (0 for NULL). */
CLN_API double cln_linreg_loss_scale(const cln_linreg *m);

/**
 * @brief Reads the parameters to the host (waits).
 * @param m the model. @param[out] w num_inputs values. @param[out] b the bias.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for NULL pointers; an OpenCL code.
 */
CLN_API cln_status cln_linreg_get(const cln_linreg *m, double *w, double *b);
/**
 * @brief Sets the parameters from the host.
 * @param m the model. @param w num_inputs values. @param b the bias.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; CLN_ERR_NOT_FINITE for NaN or infinity; an
 * OpenCL code.
 */
CLN_API cln_status cln_linreg_set(cln_linreg *m, const double *w, double b);

/**
 * @brief y_hat[0 .. count) = X w + b for the batch's rows. Enqueued.
 * @param m the model. @param batch the rows. @param y_hat at least batch->count elements.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT or CLN_ERR_SHAPE_MISMATCH for tensors that do
 * not fit the model or each other; an OpenCL code.
 */
CLN_API cln_status cln_linreg_forward(cln_linreg *m, const cln_batch *batch, cln_tensor *y_hat);
/**
 * @brief losses[slot] = loss_scale * mean over the batch of (y_hat - y)^2. Enqueued; the
 * loss stays on the device.
 * @param m the model. @param batch the rows. @param y_hat from cln_linreg_forward().
 * @param losses where to write. @param slot the element written.
 * @return as cln_linreg_forward().
 */
CLN_API cln_status cln_linreg_loss(cln_linreg *m, const cln_batch *batch, const cln_tensor *y_hat,
                           cln_tensor *losses, size_t slot);
/**
 * @brief Gradients of that loss into the model's grad_w and grad_b. Enqueued.
 * @param m the model. @param batch the rows. @param y_hat from cln_linreg_forward().
 * @return as cln_linreg_forward().
 */
CLN_API cln_status cln_linreg_backward(cln_linreg *m, const cln_batch *batch, const cln_tensor *y_hat);
/**
 * @brief theta -= lr * g for w and b. Enqueued.
 * @param m the model. @param lr the learning rate, finite and > 0.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; an OpenCL code.
 */
CLN_API cln_status cln_linreg_sgd_step(cln_linreg *m, double lr);
/**
 * @brief w -= lr * (g_w + weight_decay * w), b -= lr * g_b (model.h's cln_step). Enqueued.
 * @param m the model. @param step lr finite and > 0, weight_decay finite and >= 0.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; an OpenCL code.
 */
CLN_API cln_status cln_linreg_step(cln_linreg *m, const cln_step *step);

#ifdef __cplusplus
}
#endif
#endif
