/* What every fit checks of its arguments, and the small numbers every fit reports. */
#include <float.h>
#include <math.h>
#include <time.h>

#include "train/train_paths.h"

cln_status clni_fit_check(cln_model *m, const cln_dataset *data, const cln_trainer_config *cfg,
                          const char *fn, const char *data_name)
{
    CLNI_CHECK(clni_check_ptr(NULL, m, fn, "model"));
    cln_context *ctx = m->ctx;
    CLNI_CHECK(clni_check_ptr(ctx, data, fn, data_name));
    CLNI_CHECK(clni_check_ptr(ctx, cfg, fn, "cfg"));
    if (cln_dataset_context(data) != ctx)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: model and data are in two contexts", fn);
    if (cln_dataset_dtype(data) != m->dtype)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: model and data have two dtypes", fn);
    if (cln_dataset_num_inputs(data) != m->num_inputs)
        return clni_fail(ctx, CLN_ERR_SHAPE_MISMATCH,
                         "%s: the %s has %zu features, the model %zu inputs", fn, data_name,
                         cln_dataset_num_inputs(data), m->num_inputs);
    if (cfg->max_epochs == 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: max_epochs is 0", fn);
    if (cfg->max_epochs > SIZE_MAX - m->epochs_trained) /* epochs are numbered on from it */
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: the model has been trained for %zu epochs: %zu more overflow the "
                         "count", fn, m->epochs_trained, cfg->max_epochs);
    if (cfg->batch_size == 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: batch_size is 0", fn);
    if (!isfinite(cfg->lr) || cfg->lr <= 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: learning rate %g must be finite and > 0", fn, cfg->lr);
    /* The kernels take lr in the model's dtype: one that rounds to 0 there, or to a subnormal
     * (which a device may flush to 0: OpenCL makes single-precision denormals optional),
     * would train nothing; one that rounds to infinity, everything to inf. */
    if (m->dtype == CLN_FLOAT32 && ((float)cfg->lr < FLT_MIN || isinf((float)cfg->lr)))
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: learning rate %g is %s in float32, the model's dtype%s", fn, cfg->lr,
                         isinf((float)cfg->lr) ? "infinite" : (float)cfg->lr == 0 ? "0" : "subnormal",
                         isinf((float)cfg->lr) || (float)cfg->lr == 0 ? ""
                                                                      : " (a device may flush it to 0)");
    /* Rows are indexed with 32 bits in the kernels (and a batch is at most the rows). */
    size_t rows_max = (size_t)UINT32_MAX - 1;
    if (cln_dataset_num_train(data) > rows_max || cln_dataset_num_val(data) > rows_max)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: %zu training and %zu validation rows: the kernels index at most %zu "
                         "rows a split",
                         fn, cln_dataset_num_train(data), cln_dataset_num_val(data), rows_max);
    if ((unsigned)cfg->path > CLN_PATH_PERSISTENT)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: unknown path %d", fn, (int)cfg->path);
    if (cfg->train_points_per_epoch == 0 || cfg->val_points_per_epoch == 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT, "%s: points per epoch must be at least 1",
                         fn);
    if (!isfinite(cfg->weight_decay) || cfg->weight_decay < 0)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: weight decay %g must be finite and >= 0", fn, cfg->weight_decay);
    if (cfg->weight_decay * cfg->lr >= 1)
        return clni_fail(ctx, CLN_ERR_BAD_ARGUMENT,
                         "%s: weight decay %g times learning rate %g is %g: each step would "
                         "scale the weights by 1 - %g, which is not in (0, 1]", fn,
                         cfg->weight_decay, cfg->lr, cfg->weight_decay * cfg->lr,
                         cfg->weight_decay * cfg->lr);
    if (m->ops.check_data)
        CLNI_CHECK(m->ops.check_data(m->self, data));
    return CLN_SUCCESS;
}

double clni_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

double clni_mean(const double *v, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    return n ? sum / (double)n : NAN;
}
