/* The optimizers of the concise API (nn.h): SGD with weight decay, owned by a context. An
 * object made by a function, so that momentum or another optimizer can join without a
 * change to anything the caller holds. */
#include <math.h>
#include <stdlib.h>

#include "train/optimizer.h"

struct cln_optimizer {
    clni_object obj;
    cln_context *ctx;
    double lr, weight_decay;
};

static void destroy(clni_object *obj) { cln_optimizer_free((cln_optimizer *)obj); }

void cln_optimizer_free(cln_optimizer *opt)
{
    if (!opt)
        return;
    clni_unregister(opt->ctx, &opt->obj);
    free(opt);
}

cln_status cln_sgd_create(cln_context *ctx, double lr, double weight_decay, cln_optimizer **out)
{
    const char *fn = "cln_sgd_create";
    CLNI_CHECK(clni_check_ptr(NULL, ctx, fn, "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    if (!isfinite(lr) || lr <= 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: learning rate %g must be finite and > 0",
                         fn, lr);
    if (!isfinite(weight_decay) || weight_decay < 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: weight decay %g must be finite and >= 0",
                         fn, weight_decay);
    cln_optimizer *opt = calloc(1, sizeof *opt);
    if (!opt)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    opt->ctx = ctx;
    opt->lr = lr;
    opt->weight_decay = weight_decay;
    clni_register(ctx, &opt->obj, destroy);
    *out = opt;
    return CLN_SUCCESS;
}

double cln_optimizer_lr(const cln_optimizer *opt) { return opt ? opt->lr : 0; }
double cln_optimizer_weight_decay(const cln_optimizer *opt) { return opt ? opt->weight_decay : 0; }
cln_context *clni_optimizer_context(const cln_optimizer *opt) { return opt->ctx; }
