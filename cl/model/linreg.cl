/* Linear regression from scratch, one kernel per stage (d2l chapter 3.4).
 *
 * A minibatch is positions [first, first + count) of a row order: row i of the batch is
 * index[first + i], or first + i when index is NULL (validation, in order). X is row-major
 * with d columns, starting at x_offset; y at y_offset. */

inline uint cln_batch_row(global const uint *index, ulong first, uint i)
{
    return index ? index[first + i] : (uint)(first + i);
}

/* y_hat[i] = X[row_i] . w + b, one item per row of the batch. */
kernel void cln_linreg_forward(global const real *X, ulong x_offset, uint d,
                               global const uint *index, ulong first, uint count,
                               global const real *w, global const real *b,
                               global real *y_hat, ulong y_hat_offset)
{
    uint i = get_global_id(0);
    if (i >= count)
        return;
    global const real *x = X + x_offset + (ulong)cln_batch_row(index, first, i) * d;
    real acc = 0;
    for (uint j = 0; j < d; j++)
        acc += x[j] * w[j];
    y_hat[y_hat_offset + i] = acc + b[0];
}

/* losses[slot] = loss_scale * mean over the batch of (y_hat - y)^2: one work-group. */
kernel __attribute__((reqd_work_group_size(CLN_WG, 1, 1)))
void cln_linreg_loss(global const real *y_hat, ulong y_hat_offset, global const real *y,
                     ulong y_offset, global const uint *index, ulong first, uint count,
                     real loss_scale, global real *losses, ulong slot)
{
    local real scratch[CLN_WG];
    real acc = 0;
    for (uint i = get_local_id(0); i < count; i += CLN_WG) {
        real r = y_hat[y_hat_offset + i] - y[y_offset + cln_batch_row(index, first, i)];
        acc += r * r;
    }
    real total = cln_group_sum(acc, scratch);
    if (get_local_id(0) == 0)
        losses[slot] = loss_scale * total / (real)count;
}

/* Work-group j < d: grad_w[j] = 2 loss_scale sum_i X[row_i, j] r_i / B; group d:
 * grad_b = 2 loss_scale mean(r), with r = y_hat - y. */
kernel __attribute__((reqd_work_group_size(CLN_WG, 1, 1)))
void cln_linreg_backward(global const real *X, ulong x_offset, uint d, global const uint *index,
                         ulong first, uint count, global const real *y_hat, ulong y_hat_offset,
                         global const real *y, ulong y_offset, real loss_scale,
                         global real *grad_w, global real *grad_b)
{
    local real scratch[CLN_WG];
    uint j = get_group_id(0);
    real acc = 0;
    for (uint i = get_local_id(0); i < count; i += CLN_WG) {
        uint row = cln_batch_row(index, first, i);
        real r = y_hat[y_hat_offset + i] - y[y_offset + row];
        acc += j < d ? X[x_offset + (ulong)row * d + j] * r : r;
    }
    real g = 2 * loss_scale * cln_group_sum(acc, scratch) / (real)count;
    if (get_local_id(0) == 0) {
        if (j < d)
            grad_w[j] = g;
        else
            grad_b[0] = g;
    }
}

/* theta -= lr * g for w (items 0 .. d-1) and b (item d), w first scaled by decay
 * (1 - lr * weight_decay, model.h's cln_step). The scaling is a statement of its own, so a
 * decay of 1 leaves the update exactly as it is without one (no contraction across it). */
kernel void cln_linreg_sgd(global real *w, global const real *grad_w, global real *b,
                           global const real *grad_b, real lr, real decay, uint d)
{
    uint j = get_global_id(0);
    if (j < d) {
        real wj = decay * w[j];
        w[j] = wj - lr * grad_w[j];
    }
    else if (j == d)
        b[0] -= lr * grad_b[0];
}
