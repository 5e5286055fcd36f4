/* The concise API (d2l chapter 3.5): a lazily sized linear layer over cln_linreg, the MSE
 * losses as the model's loss scale, SGD as the trainer's learning rate and weight decay. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_impl.h"
#include "train/optimizer.h"

struct cln_lazy_linear {
    clni_object obj;
    cln_context *ctx;
    cln_dtype dtype;
    double init_std;
    uint64_t seed;
    cln_linreg *model; /* NULL until built; a context object of its own */
};

/* The context's teardown frees the model as an object of its own, in any order. */
static void destroy(clni_object *obj)
{
    cln_lazy_linear *l = (cln_lazy_linear *)obj;
    clni_unregister(l->ctx, &l->obj);
    free(l);
}

void cln_lazy_linear_free(cln_lazy_linear *layer)
{
    if (!layer)
        return;
    cln_linreg_free(layer->model);
    destroy(&layer->obj);
}

cln_status cln_lazy_linear_create(cln_context *ctx, cln_dtype dtype, double init_std,
                                  uint64_t seed, cln_lazy_linear **out)
{
    const char *fn = "cln_lazy_linear_create";
    CLNI_CHECK(clni_check_ptr(NULL, ctx, fn, "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    if (!isfinite(init_std) || init_std < 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: init_std %g must be finite and >= 0",
                         fn, init_std);
    if (dtype != CLN_FLOAT32 && dtype != CLN_FLOAT64)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: unknown dtype %d", fn, (int)dtype);
    cln_lazy_linear *l = calloc(1, sizeof *l);
    if (!l)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    l->ctx = ctx;
    l->dtype = dtype;
    l->init_std = init_std;
    l->seed = seed;
    clni_register(ctx, &l->obj, destroy);
    *out = l;
    return CLN_SUCCESS;
}

/* Builds (first time) or checks (later) for d features of tensors in ctx/dtype. */
static cln_status build(cln_lazy_linear *l, cln_context *ctx, cln_dtype dtype, size_t d,
                        const char *fn)
{
    if (ctx != l->ctx)
        return clni_fail(l->ctx, CLN_ERR_BAD_ARGUMENT, "%s: the layer and the data are in two "
                         "contexts", fn);
    if (dtype != l->dtype)
        return clni_fail(l->ctx, CLN_ERR_BAD_ARGUMENT, "%s: the layer is %s, the data %s", fn,
                         l->dtype == CLN_FLOAT64 ? "float64" : "float32",
                         dtype == CLN_FLOAT64 ? "float64" : "float32");
    if (l->model) {
        size_t have = cln_linreg_num_inputs(l->model);
        if (have != d)
            return clni_fail(l->ctx, CLN_ERR_SHAPE_MISMATCH, "%s: the layer was built for %zu "
                             "input features, this data has %zu", fn, have, d);
        return CLN_SUCCESS;
    }
    return cln_linreg_create(l->ctx, l->dtype, d, l->init_std, l->seed, &l->model);
}

cln_status cln_lazy_linear_build(cln_lazy_linear *layer, const cln_dataset *data)
{
    const char *fn = "cln_lazy_linear_build";
    CLNI_CHECK(clni_check_ptr(NULL, layer, fn, "layer"));
    CLNI_CHECK(clni_check_ptr(layer->ctx, data, fn, "data"));
    return build(layer, cln_dataset_context(data), cln_dataset_dtype(data),
                 cln_dataset_num_inputs(data), fn);
}

cln_status cln_lazy_linear_build_from(cln_lazy_linear *layer, const cln_tensor *X)
{
    const char *fn = "cln_lazy_linear_build_from";
    CLNI_CHECK(clni_check_ptr(NULL, layer, fn, "layer"));
    CLNI_CHECK(clni_check_ptr(layer->ctx, X, fn, "X"));
    if (cln_tensor_rank(X) != 2)
        return clni_fail(layer->ctx, CLN_ERR_SHAPE_MISMATCH, "%s: X has rank %zu, not 2", fn,
                         cln_tensor_rank(X));
    return build(layer, cln_tensor_context(X), cln_tensor_dtype(X), cln_tensor_dim(X, 1), fn);
}

size_t cln_lazy_linear_in_features(const cln_lazy_linear *layer)
{
    return layer && layer->model ? cln_linreg_num_inputs(layer->model) : 0;
}

cln_linreg *cln_lazy_linear_model(cln_lazy_linear *layer) { return layer ? layer->model : NULL; }

static cln_status check_built(const cln_lazy_linear *layer, const char *fn)
{
    CLNI_CHECK(clni_check_ptr(NULL, layer, fn, "layer"));
    if (!layer->model)
        return clni_fail(layer->ctx, CLN_ERR_BAD_ARGUMENT, "%s: the layer has not seen any data "
                         "yet, so it has no parameters", fn);
    return CLN_SUCCESS;
}

cln_status cln_lazy_linear_forward(cln_lazy_linear *layer, const cln_batch *batch,
                                   cln_tensor *y_hat)
{
    const char *fn = "cln_lazy_linear_forward";
    CLNI_CHECK(clni_check_ptr(NULL, layer, fn, "layer"));
    CLNI_CHECK(clni_check_ptr(layer->ctx, batch, fn, "batch"));
    CLNI_CHECK(cln_lazy_linear_build_from(layer, batch->X));
    return cln_linreg_forward(layer->model, batch, y_hat);
}

cln_status cln_lazy_linear_get(const cln_lazy_linear *layer, double *w, double *b)
{
    CLNI_CHECK(check_built(layer, "cln_lazy_linear_get"));
    return cln_linreg_get(layer->model, w, b);
}

cln_status cln_lazy_linear_set_loss(cln_lazy_linear *layer, const cln_loss *loss)
{
    const char *fn = "cln_lazy_linear_set_loss";
    CLNI_CHECK(check_built(layer, fn));
    CLNI_CHECK(clni_check_ptr(layer->ctx, loss, fn, "loss"));
    return cln_linreg_set_loss_scale(layer->model, clni_loss_mse_scale(loss));
}

cln_status cln_nn_fit(cln_lazy_linear *layer, const cln_loss *loss, const cln_optimizer *opt,
                      const cln_dataset *data, const cln_trainer_config *cfg,
                      cln_history *history)
{
    const char *fn = "cln_nn_fit";
    if (history)
        memset(history, 0, sizeof *history);
    CLNI_CHECK(clni_check_ptr(NULL, layer, fn, "layer"));
    CLNI_CHECK(clni_check_ptr(layer->ctx, loss, fn, "loss"));
    CLNI_CHECK(clni_check_ptr(layer->ctx, opt, fn, "opt"));
    if (clni_optimizer_context(opt) != layer->ctx)
        return clni_fail(layer->ctx, CLN_ERR_BAD_ARGUMENT, "%s: the optimizer and the layer are "
                         "in two contexts", fn);
    CLNI_CHECK(cln_lazy_linear_build(layer, data));
    CLNI_CHECK(cln_lazy_linear_set_loss(layer, loss));
    cln_trainer_config tc;
    if (cfg)
        tc = *cfg;
    else
        cln_trainer_config_init(&tc);
    tc.lr = cln_optimizer_lr(opt);
    tc.weight_decay = cln_optimizer_weight_decay(opt);
    return cln_fit(cln_linreg_model(layer->model), data, &tc, history);
}
