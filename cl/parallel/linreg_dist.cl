/* Data-parallel training (src/parallel/dist.c) and rows of the synthetic data by range.
 *
 * A rank of a group reduces its share of a minibatch to sums, the group adds the sums of
 * every rank (an allreduce, on the host), and every rank applies the same SGD step from
 * them. The sums use the fused kernel's row loop (cln_accumulate_rows in linreg_fused.cl)
 * and its launch shape, so one rank's sums are the fused step's before it divides by B. */

/* The sums of a minibatch's rows, positions [first, first + count) (row = index[pos], or
 * pos when index is NULL), with r = x . w + b - y:
 *   out_grad[j] = sum x_j r (only with with_grad), out_r[r_offset] = sum r,
 *   out_r[r_offset + 1] = sum r^2.
 * Every group sums its rows_per_group rows into partial[group]; the last group to finish
 * (an atomic ticket) adds the partials in group order, so the result is the same on every
 * run. *counter must be 0 at launch; the last group sets it back to 0. */
kernel void cln_linreg_batch_sums(global const real *X, ulong x_offset, uint d,
                                  global const uint *index, ulong first, uint count,
                                  global const real *y, ulong y_offset, global const real *w_g,
                                  global const real *b_g, int with_grad, uint lanes,
                                  uint rows_per_group, global real *out_grad, global real *out_r,
                                  ulong r_offset, global real *partial,
                                  volatile global uint *counter, local real *red,
                                  local real *acc, local real *w, local real *sums)
{
    uint lid = get_local_id(0), wg = get_local_size(0);
    uint group = get_group_id(0), groups = get_num_groups(0);
    uint slots = wg / lanes;
    local real *rsum = sums, *rsq = sums + slots;
    local uint arrived;

    for (uint j = lid; j < d; j += wg)
        w[j] = w_g[j];
    cln_clear_local(acc, slots * d);
    cln_clear_local(sums, 2 * slots);
    real b = b_g[0];
    barrier(CLK_LOCAL_MEM_FENCE);

    ulong begin = first + (ulong)group * rows_per_group;
    ulong end = min(begin + rows_per_group, first + count);
    cln_accumulate_rows(X, x_offset, d, index, begin, end, y, y_offset, w, b, lanes, with_grad,
                        red, acc, rsum, rsq);
    barrier(CLK_LOCAL_MEM_FENCE);

    cln_publish_sums(partial + (ulong)group * (d + 2), acc, rsum, rsq, slots, d, with_grad);
    if (groups > 1) { /* the last group to arrive sums every group's partials */
        if (cln_group_arrive(counter, &arrived) != groups - 1)
            return;
    } else {
        barrier(CLK_GLOBAL_MEM_FENCE);
    }

    volatile global const real *all = partial;
    for (uint j = lid; j < d + 2; j += wg) {
        if (j < d && !with_grad)
            continue;
        real total = cln_sum_published(all, groups, d, j);
        if (j < d)
            out_grad[j] = total;
        else
            out_r[r_offset + (j - d)] = total;
    }
    if (lid == 0 && groups > 1)
        cln_store_relaxed(counter, 0);
}

/* The SGD step from a minibatch's sums over the whole group: sums[0 .. d) = sum x r,
 * sums[d] = sum r, over `count` rows. The gradient is 2 loss_scale sums / count, written as
 * the fused step writes it (cln_linreg_fused_step), and theta -= lr * gradient. */
kernel void cln_linreg_apply_sums(global real *w, global real *b, global real *grad_w,
                                  global real *grad_b, global const real *sums, uint d,
                                  uint count, real lr, real decay, real loss_scale)
{
    real scale = 2 * loss_scale / (real)count;
    for (uint j = get_global_id(0); j <= d; j += get_global_size(0)) {
        real total = sums[j];
        if (j < d) {
            grad_w[j] = scale * total;
            real wj = decay * w[j];
            w[j] = wj - lr * scale * total;
        } else {
            grad_b[0] = scale * total;
            b[0] -= lr * scale * total;
        }
    }
}
