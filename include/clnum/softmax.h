/**
 * @file softmax.h
 * @brief Softmax regression from scratch (d2l chapter 4.4): a linear classifier of k classes.
 *
 * Parameters W (num_inputs x k, row-major) ~ N(0, sigma^2) and b = 0 (k values). On a
 * minibatch of B rows with labels c_i (data.h, cln_dataset_create_labeled()):
 *   forward   O = X W + b                        (logits, B x k)
 *   loss      mean over the batch of -log softmax(O_i)[c_i], computed as
 *             logsumexp(O_i) - O_i[c_i] with the row's largest logit taken out first, so
 *             large logits give no inf or NaN
 *   backward  G = (softmax(O) - onehot(c)) / B,  g_W = X^T G,  g_b = column sums of G
 *   step      W -= lr * (g_W + weight_decay * W),  b -= lr * g_b
 * Each is an OpenCL kernel (cl/model/softmax.cl; backward is two: the rows' softmax - onehot, then
 * the sums); each call enqueues and returns at once. Every sum runs in a fixed order (no
 * atomics), so a result is the same on every run. A label is a whole number in [0, k) stored
 * in y's dtype; one outside that range (only a caller's own y can hold one) reads no logit:
 * its row's loss is NaN, so a fit stops as diverged, and it is never a hit.
 *
 * The trainer (trainer.h) trains it through cln_softmax_model(); its metric is the
 * validation accuracy. Launches a minibatch: stepwise 5 a training one (forward, loss, the
 * two of backward, step) and 3 a validation one (forward, loss, accuracy); fused 1, the last
 * work-group to finish summing the groups' partial gradients and stepping; epoch 1 an epoch,
 * one work-group looping over every minibatch. CLN_PATH_AUTO takes the epoch kernel when a
 * minibatch is small (batch x num_inputs x num_classes <= 4096, data on the device), else the
 * fused one, else stepwise; there is no persistent kernel (CLN_ERR_UNSUPPORTED). A path that
 * cannot run here (a row of logits beyond local memory, or loops longer than the driver runs)
 * is refused with CLN_ERR_UNSUPPORTED and the reason; AUTO then falls back. */
#ifndef CLNUM_SOFTMAX_H
#define CLNUM_SOFTMAX_H

#include "clnum/export.h"

#include "clnum/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The model: W, b and their gradients on the device. Opaque. */
typedef struct cln_softmax cln_softmax;

/**
 * @brief Makes a model: W from Philox stream 3 of `seed` times sigma, b = 0.
 * @param ctx the context that owns it. @param dtype precision of the parameters.
 * @param num_inputs features d, >= 1. @param num_classes k, 2 to 2^24.
 * @param sigma standard deviation of W (d2l: 0.01), finite and >= 0. @param seed seeds W.
 * @param[out] out the model; free it with cln_softmax_free() or with the context.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; CLN_ERR_NO_FLOAT64; CLN_ERR_OUT_OF_HOST_MEMORY;
 * an OpenCL code.
 */
CLN_API cln_status cln_softmax_create(cln_context *ctx, cln_dtype dtype, size_t num_inputs,
                              size_t num_classes, double sigma, uint64_t seed,
                              cln_softmax **out);
/** @brief Frees a model and its tensors. @param m the model; NULL is a no-op. */
CLN_API void cln_softmax_free(cln_softmax *m);
/** @brief The model as the trainer sees it (model.h), owned by m: kind "softmax", metric
 * "accuracy". Its parameters are W (row-major) then b: (num_inputs + 1) x num_classes
 * values. cln_fit() wants a labelled dataset (cln_dataset_create_labeled()) of num_classes
 * classes: real targets are CLN_ERR_BAD_ARGUMENT, another number of classes
 * CLN_ERR_SHAPE_MISMATCH. @param m the model. @return the view (NULL for NULL). */
CLN_API cln_model *cln_softmax_model(cln_softmax *m);

/** @brief Features. @param m the model. @return d (0 for NULL). */
CLN_API size_t cln_softmax_num_inputs(const cln_softmax *m);
/** @brief Classes. @param m the model. @return k (0 for NULL). */
CLN_API size_t cln_softmax_num_classes(const cln_softmax *m);
/** @brief Precision. @param m the model. @return the dtype of its tensors. */
CLN_API cln_dtype cln_softmax_dtype(const cln_softmax *m);
/** @brief The owner. @param m the model. @return its context (NULL for NULL). */
CLN_API cln_context *cln_softmax_context(const cln_softmax *m);
/** @brief W (d x k), owned by the model. @param m the model. @return the tensor. */
CLN_API cln_tensor *cln_softmax_W(cln_softmax *m);
/** @brief b (k), owned by the model. @param m the model. @return the tensor. */
CLN_API cln_tensor *cln_softmax_b(cln_softmax *m);
/** @brief g_W (d x k), owned by the model. @param m the model. @return the tensor. */
CLN_API cln_tensor *cln_softmax_grad_W(cln_softmax *m);
/** @brief g_b (k), owned by the model. @param m the model. @return the tensor. */
CLN_API cln_tensor *cln_softmax_grad_b(cln_softmax *m);

/**
 * @brief Reads the parameters to the host (waits).
 * @param m the model. @param[out] W d x k values, row-major. @param[out] b k values.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for NULL pointers; an OpenCL code.
 */
CLN_API cln_status cln_softmax_get(const cln_softmax *m, double *W, double *b);
/**
 * @brief Sets the parameters from the host.
 * @param m the model. @param W d x k values, row-major. @param b k values.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; CLN_ERR_NOT_FINITE for NaN or infinity; an
 * OpenCL code.
 */
CLN_API cln_status cln_softmax_set(cln_softmax *m, const double *W, const double *b);

/**
 * @brief logits[0 .. count * k) = X W + b for the batch's rows, row-major. Enqueued.
 * @param m the model. @param batch the rows. @param logits at least batch->count * k
 * elements.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT or CLN_ERR_SHAPE_MISMATCH for tensors that do
 * not fit the model or each other; an OpenCL code.
 */
CLN_API cln_status cln_softmax_forward(cln_softmax *m, const cln_batch *batch, cln_tensor *logits);
/**
 * @brief losses[slot] = the batch's mean cross-entropy. Enqueued; stays on the device.
 * @param m the model. @param batch the rows (y: labels). @param logits from
 * cln_softmax_forward(). @param losses where to write. @param slot the element written.
 * @return as cln_softmax_forward().
 */
CLN_API cln_status cln_softmax_loss(cln_softmax *m, const cln_batch *batch, const cln_tensor *logits,
                            cln_tensor *losses, size_t slot);
/**
 * @brief out[slot] = the fraction of the batch's rows whose largest logit is their label's
 * (the first largest on ties). Enqueued.
 * @param m the model. @param batch the rows. @param logits from cln_softmax_forward().
 * @param out where to write. @param slot the element written.
 * @return as cln_softmax_forward().
 */
CLN_API cln_status cln_softmax_accuracy(cln_softmax *m, const cln_batch *batch,
                                const cln_tensor *logits, cln_tensor *out, size_t slot);
/**
 * @brief Gradients of the loss into grad_W and grad_b. Enqueued: two launches, through a
 * scratch tensor of count x k values that the model keeps (grown as batches need).
 * @param m the model. @param batch the rows. @param logits from cln_softmax_forward().
 * @return as cln_softmax_forward().
 */
CLN_API cln_status cln_softmax_backward(cln_softmax *m, const cln_batch *batch, const cln_tensor *logits);
/**
 * @brief The SGD step of model.h's cln_step (weight decay on W only). Enqueued.
 * @param m the model. @param step lr finite and > 0, weight_decay finite and >= 0.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT; an OpenCL code.
 */
CLN_API cln_status cln_softmax_step(cln_softmax *m, const cln_step *step);

#ifdef __cplusplus
}
#endif
#endif
