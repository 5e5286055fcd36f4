/**
 * @file clnum.h
 * @brief Everything: include this one header. Linear models trained with hand-written
 * OpenCL kernels, on any vendor's GPU or on PoCL on the CPU.
 *
 *   status.h   cln_status, cln_status_str() and cln_version()
 *   runtime.h  devices, the context, last-error messages
 *   tensor.h   tensors in OpenCL buffers
 *   random.h   the Philox4x32-10 generator on the host
 *   ops.h      matmul, gemv, axpy, scale, sum, mean
 *   data.h     synthetic and host datasets, minibatch loaders
 *   model.h    the model interface the trainer drives
 *   linreg.h   linear regression: forward, loss, backward, SGD step
 *   trainer.h  fit() and the loss history
 *   csv.h      CSV files, train/validation split, standardisation
 *   solve.h    exact least squares on the host (the reference)
 *   nn.h       the concise API: LazyLinear, MSE losses, SGD (chapter 3.5)
 *   plot.h     the loss curves as an SVG
 *   model_file.h  saving and loading models, predicting on new rows
 *
 * A minimal program:
 * @code{.c}
 *   cln_context *ctx; cln_dataset *data; cln_linreg *m; cln_synthetic_config dc;
 *   cln_trainer_config tc;
 *   cln_context_create(NULL, &ctx);
 *   cln_synthetic_config_init(&dc); cln_synthetic_create(ctx, &dc, &data);
 *   cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m);
 *   cln_trainer_config_init(&tc); cln_fit(cln_linreg_model(m), data, &tc, NULL);
 *   cln_context_free(ctx);   // frees data and m too
 * @endcode
 * Check every status; cln_last_error(ctx) says what went wrong. */
#ifndef CLNUM_CLNUM_H
#define CLNUM_CLNUM_H

#include "clnum/status.h"
#include "clnum/types.h"
#include "clnum/runtime.h"
#include "clnum/tensor.h"
#include "clnum/random.h"
#include "clnum/ops.h"
#include "clnum/data.h"
#include "clnum/model.h"
#include "clnum/linreg.h"
#include "clnum/softmax.h"
#include "clnum/trainer.h"
#include "clnum/csv.h"
#include "clnum/idx.h"
#include "clnum/solve.h"
#include "clnum/nn.h"
#include "clnum/plot.h"
#include "clnum/model_file.h"

#define CLNUM_VERSION_MAJOR 0          /**< the library's version: major (the SONAME's) */
#define CLNUM_VERSION_MINOR 1          /**< minor */
#define CLNUM_VERSION_PATCH 0          /**< patch */
#define CLNUM_VERSION_STRING "0.1.0"   /**< the three as text */

#endif
