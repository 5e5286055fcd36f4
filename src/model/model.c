/* The model interface: models of the caller's own, made from a table of functions, and the
 * view that the library's models embed. */
#include <stdlib.h>
#include <string.h>

#include "model/model_impl.h"

/* The table as the library knows it: members past the caller's struct_size are zero. */
static void copy_ops(cln_model_ops *dst, const cln_model_ops *src)
{
    memset(dst, 0, sizeof *dst);
    size_t n = src->struct_size < sizeof *dst ? src->struct_size : sizeof *dst;
    memcpy(dst, src, n);
    dst->struct_size = sizeof *dst;
}

void clni_model_embed(cln_model *m, cln_context *ctx, cln_dtype dtype, size_t num_inputs,
                      size_t num_params, const cln_model_ops *ops, void *self,
                      const clni_fast_paths *fast)
{
    memset(m, 0, sizeof *m);
    m->ctx = ctx;
    m->dtype = dtype;
    m->num_inputs = num_inputs;
    m->num_params = num_params;
    copy_ops(&m->ops, ops);
    m->self = self;
    m->fast = fast;
}

static void destroy(clni_object *obj) { cln_model_free((cln_model *)obj); }

/* The first required member that a table lacks, or NULL. */
static const char *missing_member(const cln_model_ops *ops)
{
    size_t have = ops->struct_size;
#define HAS(member) (have >= offsetof(cln_model_ops, member) + sizeof ops->member && ops->member)
    if (!HAS(kind))
        return "kind";
    if (!HAS(train_batch))
        return "train_batch";
    if (!HAS(eval_batch))
        return "eval_batch";
    if (!HAS(save_params))
        return "save_params";
    if (!HAS(load_params))
        return "load_params";
#undef HAS
    return NULL;
}

cln_status cln_model_create(cln_context *ctx, cln_dtype dtype, size_t num_inputs,
                            size_t num_params, const cln_model_ops *ops, void *self,
                            cln_model **out)
{
    const char *fn = "cln_model_create";
    CLNI_CHECK(clni_check_ptr(NULL, ctx, fn, "ctx"));
    CLNI_CHECK(clni_check_ptr(ctx, out, fn, "out"));
    *out = NULL;
    CLNI_CHECK(clni_check_ptr(ctx, ops, fn, "ops"));
    if ((unsigned)dtype > CLN_FLOAT64)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: unknown dtype %d", fn, (int)dtype);
    if (dtype == CLN_FLOAT64 && !ctx->info.has_float64)
        return clni_fail(ctx, CLN_ERR_NO_FLOAT64, "%s: %s has no float64", fn,
                         ctx->info.device_name);
    if (num_inputs == 0 || num_params == 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: %zu inputs and %zu parameters: both must be at least 1", fn,
                         num_inputs, num_params);
    if (ops->struct_size < offsetof(cln_model_ops, kind) + sizeof ops->kind)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: ops->struct_size is %zu: set it to sizeof(cln_model_ops)", fn,
                         ops->struct_size);
    if (ops->struct_size > sizeof(cln_model_ops))
        for (size_t i = sizeof(cln_model_ops); i < ops->struct_size; i++)
            if (((const unsigned char *)ops)[i] != 0)
                return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                                 "%s: the ops table is from a newer clnum (%zu bytes, this one "
                                 "knows %zu)", fn, ops->struct_size, sizeof(cln_model_ops));
    const char *missing = missing_member(ops);
    if (missing)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: ops->%s is NULL", fn, missing);
    cln_model *m = malloc(sizeof *m);
    if (!m)
        return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: out of memory", fn);
    clni_model_embed(m, ctx, dtype, num_inputs, num_params, ops, self, NULL);
    m->registered = 1;
    clni_register(ctx, &m->obj, destroy);
    m->obj.first = 1;
    *out = m;
    return CLN_SUCCESS;
}

void cln_model_free(cln_model *m)
{
    if (!m || !m->registered) /* the library's models go with their owners */
        return;
    clni_unregister(m->ctx, &m->obj);
    if (m->ops.destroy)
        m->ops.destroy(m->self);
    free(m);
}

cln_context *cln_model_context(const cln_model *m) { return m ? m->ctx : NULL; }
cln_dtype cln_model_dtype(const cln_model *m) { return m ? m->dtype : CLN_FLOAT32; }
size_t cln_model_num_inputs(const cln_model *m) { return m ? m->num_inputs : 0; }
size_t cln_model_num_params(const cln_model *m) { return m ? m->num_params : 0; }
const char *cln_model_kind(const cln_model *m) { return m ? m->ops.kind : ""; }
const char *cln_model_metric_name(const cln_model *m) { return m ? m->ops.metric_name : NULL; }
size_t cln_model_epochs_trained(const cln_model *m) { return m ? m->epochs_trained : 0; }

cln_status cln_model_set_epochs_trained(cln_model *m, size_t epochs)
{
    CLNI_CHECK(clni_check_ptr(NULL, m, "cln_model_set_epochs_trained", "m"));
    m->epochs_trained = epochs;
    return CLN_SUCCESS;
}
