/**
 * @file nn.h
 * @brief The concise API of d2l chapter 3.5: a lazy linear layer, an MSE loss and an SGD
 * optimizer, trained by the same Trainer as the model from scratch.
 *
 * Chapter 3.5 writes the model in PyTorch as
 * @code{.py}
 * self.net = nn.LazyLinear(1)               # input size from the first batch
 * self.net.weight.data.normal_(0, 0.01); self.net.bias.data.fill_(0)
 * loss = nn.MSELoss()                       # mean((y_hat - y)^2): no half
 * torch.optim.SGD(self.parameters(), lr)    # plain SGD
 * trainer.fit(model, data)
 * @endcode
 * and in C with clnum:
 * @code{.c}
 * cln_lazy_linear *net;
 * cln_lazy_linear_create(ctx, CLN_FLOAT32, 0.01, seed, &net);     // nn.LazyLinear(1)
 * cln_optimizer *sgd;
 * cln_sgd_create(ctx, 0.03, 0.0, &sgd);                           // torch.optim.SGD(lr=0.03)
 * cln_nn_fit(net, cln_loss_mse(), sgd, data, &tc, &hist);
 * @endcode
 * cln_nn_fit() sizes the layer from the data it is first given, sets the loss on the
 * layer's model (cln_linreg_set_loss_scale()), takes the learning rate from the
 * optimizer and runs cln_fit() (trainer.h). A layer is a cln_linreg underneath: after it
 * is built, cln_lazy_linear_model() gives it to every function of model.h and trainer.h.
 */
#ifndef CLNUM_NN_H
#define CLNUM_NN_H

#include "clnum/export.h"

#include "clnum/linreg.h"
#include "clnum/trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** nn.LazyLinear(1): y_hat = X w + b, with the size of w set by the first data it sees.
 * Owned by the context it was made in. Opaque. */
typedef struct cln_lazy_linear cln_lazy_linear;

/** A loss: the function of the predictions and the targets that training minimises.
 * Made by the functions below, never by the caller, and immutable: a new kind of loss
 * joins as a new function, with no struct of the caller's to change. Opaque. */
typedef struct cln_loss cln_loss;

/** An optimizer: how a step turns the gradient into new parameters. Owned by the context
 * it was made in (freed with it, or by cln_optimizer_free()). Opaque, for the same reason
 * as cln_loss. */
typedef struct cln_optimizer cln_optimizer;

/**
 * @brief PyTorch's nn.MSELoss(): mean((y_hat - y)^2), no half (chapter 3.5).
 * @return the loss, which lives as long as the library (nothing to free).
 */
CLN_API const cln_loss *cln_loss_mse(void);

/**
 * @brief d2l's loss from scratch: mean((y_hat - y)^2 / 2) (chapter 3.4).
 * @return the loss, which lives as long as the library (nothing to free).
 */
CLN_API const cln_loss *cln_loss_half_mse(void);

/**
 * @brief The loss's name.
 * @param loss the loss.
 * @return "mse" or "half_mse"; "" for NULL.
 */
CLN_API const char *cln_loss_name(const cln_loss *loss);

/**
 * @brief torch.optim.SGD(params, lr, weight_decay=wd): theta -= lr x (gradient + wd x theta).
 * @param ctx          the context that will own it.
 * @param lr           the learning rate, finite and > 0.
 * @param weight_decay finite and >= 0 (d2l chapter 3.7); 0 is plain SGD.
 * @param[out] out     the optimizer; free with cln_optimizer_free() or with the context.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for a NULL pointer or a value out of range;
 * CLN_ERR_OUT_OF_HOST_MEMORY.
 */
CLN_API cln_status cln_sgd_create(cln_context *ctx, double lr, double weight_decay,
                                  cln_optimizer **out);

/**
 * @brief Frees an optimizer.
 * @param opt the optimizer; NULL is a no-op.
 */
CLN_API void cln_optimizer_free(cln_optimizer *opt);

/**
 * @brief The optimizer's learning rate.
 * @param opt the optimizer.
 * @return the rate; 0 for NULL.
 */
CLN_API double cln_optimizer_lr(const cln_optimizer *opt);

/**
 * @brief The optimizer's weight decay.
 * @param opt the optimizer.
 * @return the decay; 0 for NULL.
 */
CLN_API double cln_optimizer_weight_decay(const cln_optimizer *opt);

/**
 * @brief Makes a layer with no parameters yet.
 * @param ctx      the context that will own it and its parameters.
 * @param dtype    precision of the parameters (and of the data it will accept).
 * @param init_std w is drawn from N(0, init_std^2) when the layer is built (Philox stream 3
 *                 of seed, as cln_linreg_create()); b starts at 0. d2l uses 0.01.
 * @param seed     seeds that draw.
 * @param[out] out the layer; free with cln_lazy_linear_free() or with the context.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for a NULL pointer or an init_std that is
 * negative or not finite; CLN_ERR_OUT_OF_HOST_MEMORY.
 */
CLN_API cln_status cln_lazy_linear_create(cln_context *ctx, cln_dtype dtype, double init_std,
                                  uint64_t seed, cln_lazy_linear **out);

/**
 * @brief Frees a layer and its parameters.
 * @param layer the layer; NULL is a no-op.
 */
CLN_API void cln_lazy_linear_free(cln_lazy_linear *layer);

/**
 * @brief Sets the input size from a dataset's features: the first call creates the
 * parameters; later calls only check that the size is the same.
 * @param layer the layer.
 * @param data  a dataset of the layer's context and dtype.
 * @return CLN_SUCCESS; CLN_ERR_SHAPE_MISMATCH when the layer was built for another number
 * of features; CLN_ERR_BAD_ARGUMENT for NULL pointers, another context or dtype; any
 * status of cln_linreg_create().
 */
CLN_API cln_status cln_lazy_linear_build(cln_lazy_linear *layer, const cln_dataset *data);

/**
 * @brief As cln_lazy_linear_build(), from a batch's X (rows x features).
 * @param layer the layer.
 * @param X     a 2-D tensor of the layer's context and dtype.
 * @return as cln_lazy_linear_build().
 */
CLN_API cln_status cln_lazy_linear_build_from(cln_lazy_linear *layer, const cln_tensor *X);

/**
 * @brief The layer's input size.
 * @param layer the layer.
 * @return the number of features, 0 until the layer is built (or for NULL).
 */
CLN_API size_t cln_lazy_linear_in_features(const cln_lazy_linear *layer);

/**
 * @brief The model that holds the layer's parameters, for model.h and trainer.h.
 * @param layer the layer.
 * @return the model, owned by the layer; NULL until the layer is built.
 */
CLN_API cln_linreg *cln_lazy_linear_model(cln_lazy_linear *layer);

/**
 * @brief y_hat = X w + b on a batch, building the layer from the batch's X first if needed.
 * @param layer the layer.
 * @param batch the rows (model.h).
 * @param y_hat at least batch->count elements; receives the predictions.
 * @return as cln_lazy_linear_build_from() and cln_linreg_forward().
 */
CLN_API cln_status cln_lazy_linear_forward(cln_lazy_linear *layer, const cln_batch *batch,
                                   cln_tensor *y_hat);

/**
 * @brief Reads the parameters to the host (waits).
 * @param layer the layer, built.
 * @param[out] w cln_lazy_linear_in_features() weights.
 * @param[out] b the bias.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for NULL pointers or a layer not built yet.
 */
CLN_API cln_status cln_lazy_linear_get(const cln_lazy_linear *layer, double *w, double *b);

/**
 * @brief Sets the loss the layer's model computes and differentiates.
 * @param layer the layer, built.
 * @param loss  cln_loss_mse() or cln_loss_half_mse().
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for a layer not built or a NULL loss.
 */
CLN_API cln_status cln_lazy_linear_set_loss(cln_lazy_linear *layer, const cln_loss *loss);

/**
 * @brief d2l's Trainer.fit for the concise model: builds the layer from data (the first
 * data decides its size), sets the loss, steps as the optimizer says (its learning rate and
 * weight decay replace cfg's) and calls cln_fit().
 * @param layer   the layer.
 * @param loss    cln_loss_mse() for chapter 3.5, cln_loss_half_mse() for chapter 3.4.
 * @param opt     the optimizer, of the layer's context.
 * @param data    the dataset.
 * @param cfg     epochs, batch size, seed, board; NULL gives cln_trainer_config_init()'s.
 * @param history may be NULL; else filled as cln_fit() fills it (free with
 *                cln_history_free()).
 * @return any status of cln_lazy_linear_build(), cln_lazy_linear_set_loss() and cln_fit();
 * CLN_ERR_BAD_ARGUMENT for a NULL optimizer or one of another context.
 */
CLN_API cln_status cln_nn_fit(cln_lazy_linear *layer, const cln_loss *loss,
                              const cln_optimizer *opt, const cln_dataset *data,
                              const cln_trainer_config *cfg, cln_history *history);

#ifdef __cplusplus
}
#endif
#endif
