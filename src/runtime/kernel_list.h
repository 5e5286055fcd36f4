/* The library's kernels, one list from which the kernel ids (internal.h), their names
 * (program.c) and the order the cl/ files are compiled in (CMakeLists.txt reads the
 * CLNI_CL_FILE lines) all come. Files go from the lowest layer up: a file may use what the
 * files before it define. A line here is one of
 *     CLNI_CL_FILE("folder/file.cl")        a source file, in build order
 *     CLNI_KERNEL(ID, "kernel_name")        a kernel of the file above it */
#ifndef CLNUM_KERNEL_LIST_H
#define CLNUM_KERNEL_LIST_H

#define CLNI_KERNEL_LIST(CLNI_CL_FILE, CLNI_KERNEL)                  \
    CLNI_CL_FILE("runtime/common.cl")                                \
    CLNI_CL_FILE("runtime/handoff.cl")                               \
    CLNI_CL_FILE("tensor/tensor.cl")                                 \
    CLNI_KERNEL(FILL, "cln_fill")                                    \
    CLNI_KERNEL(RANDN, "cln_randn")                                  \
    CLNI_KERNEL(AXPY, "cln_axpy")                                    \
    CLNI_KERNEL(SCALE, "cln_scale")                                  \
    CLNI_CL_FILE("tensor/reduce.cl")                                 \
    CLNI_KERNEL(SUM_PARTIAL, "cln_sum_partial")                      \
    CLNI_KERNEL(SUM_FINAL, "cln_sum_final")                          \
    CLNI_CL_FILE("tensor/check.cl")                                  \
    CLNI_KERNEL(CHECK_FINITE, "cln_check_finite")                    \
    CLNI_CL_FILE("data/synthetic.cl")                                \
    CLNI_KERNEL(RANDN_RANGE, "cln_randn_range")                      \
    CLNI_KERNEL(SYNTH_ROWS_Y, "cln_synth_rows_y")                    \
    CLNI_CL_FILE("model/linreg.cl")                                  \
    CLNI_KERNEL(LINREG_FORWARD, "cln_linreg_forward")                \
    CLNI_KERNEL(LINREG_LOSS, "cln_linreg_loss")                      \
    CLNI_KERNEL(LINREG_BACKWARD, "cln_linreg_backward")              \
    CLNI_KERNEL(LINREG_SGD, "cln_linreg_sgd")                        \
    CLNI_CL_FILE("model/linreg_fused.cl")                            \
    CLNI_KERNEL(LINREG_FUSED_STEP, "cln_linreg_fused_step")          \
    CLNI_KERNEL(LINREG_EPOCH, "cln_linreg_epoch")                    \
    CLNI_CL_FILE("model/linreg_persistent.cl")                       \
    CLNI_KERNEL(LINREG_EPOCH_GROUPS, "cln_linreg_epoch_groups")      \
    CLNI_CL_FILE("model/softmax.cl")                                 \
    CLNI_KERNEL(SOFTMAX_FORWARD, "cln_softmax_forward")              \
    CLNI_KERNEL(SOFTMAX_LOSS, "cln_softmax_loss")                    \
    CLNI_KERNEL(SOFTMAX_ACCURACY, "cln_softmax_accuracy")            \
    CLNI_KERNEL(SOFTMAX_DELTA, "cln_softmax_delta")                  \
    CLNI_KERNEL(SOFTMAX_GRADS, "cln_softmax_grads")                  \
    CLNI_KERNEL(SOFTMAX_STEP, "cln_softmax_step")                    \
    CLNI_KERNEL(SOFTMAX_FUSED_STEP, "cln_softmax_fused_step")        \
    CLNI_KERNEL(SOFTMAX_EPOCH, "cln_softmax_epoch")                  \
    CLNI_CL_FILE("train/selfcheck.cl")                               \
    CLNI_KERNEL(LOOP_PROBE, "cln_loop_probe")                        \
    CLNI_CL_FILE("parallel/linreg_dist.cl")                          \
    CLNI_KERNEL(LINREG_BATCH_SUMS, "cln_linreg_batch_sums")          \
    CLNI_KERNEL(LINREG_APPLY_SUMS, "cln_linreg_apply_sums")

#endif
