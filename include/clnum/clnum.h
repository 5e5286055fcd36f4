/* clnum: linear models trained with hand-written OpenCL kernels, on any vendor's GPU or on
 * PoCL on the CPU.
 *
 *   status.h   cln_status and cln_status_str()
 *   runtime.h  devices, the context, last-error messages
 *   tensor.h   tensors in OpenCL buffers
 *   random.h   the Philox4x32-10 generator on the host
 *   ops.h      matmul, gemv, axpy, scale, sum, mean
 *   data.h     synthetic and host datasets, minibatch loaders
 *   model.h    linear regression: forward, loss, backward, SGD step
 *   trainer.h  fit() and the loss history
 *
 * A minimal program:
 *   cln_context *ctx; cln_dataset *data; cln_linreg *m; cln_synthetic_config dc;
 *   cln_trainer_config tc;
 *   cln_context_create(NULL, &ctx);
 *   cln_synthetic_config_init(&dc); cln_synthetic_create(ctx, &dc, &data);
 *   cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m);
 *   cln_trainer_config_init(&tc); cln_fit(m, data, &tc, NULL);
 *   cln_context_free(ctx);   (frees data and m too)
 * Check every status; cln_last_error(ctx) says what went wrong. */
#ifndef CLNUM_CLNUM_H
#define CLNUM_CLNUM_H

#include "clnum/status.h"
#include "clnum/runtime.h"
#include "clnum/tensor.h"
#include "clnum/random.h"
#include "clnum/ops.h"
#include "clnum/data.h"
#include "clnum/model.h"
#include "clnum/trainer.h"

#define CLNUM_VERSION_MAJOR 0
#define CLNUM_VERSION_MINOR 1
#define CLNUM_VERSION_PATCH 0
#define CLNUM_VERSION_STRING "0.1.0"

#endif
