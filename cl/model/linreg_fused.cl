/* Linear regression with the stages fused: each minibatch's rows are read once, for the
 * forward pass, the loss and the gradient together.
 *
 * Layout of a work-group: `lanes` consecutive work-items share a row (each takes columns
 * lane, lane + lanes, ...), so a group works on wg / lanes rows ("slots") at a time. Each
 * slot keeps its own gradient sums in local memory, so no two work-items ever add into the
 * same place; the slots are summed in a fixed order at the end, so results are the same
 * on every run. Positions index the row order: row = index[pos], or pos when index is
 * NULL. */

/* x . w over the columns a lane owns: chunks of four, c = lane, lane + lanes, ... (vector
 * loads; two accumulators so a CPU does not wait on one add chain), then its share of the
 * d % 4 tail columns. */
inline real cln_lane_dot(global const real *x, local const real *w, uint d, uint lane,
                         uint lanes)
{
    uint chunks = d / 4;
    real4 a0 = 0, a1 = 0;
    uint c = lane;
    for (; c + lanes < chunks; c += 2 * lanes) {
        a0 += vload4(c, x) * vload4(c, w);
        a1 += vload4(c + lanes, x) * vload4(c + lanes, w);
    }
    if (c < chunks)
        a0 += vload4(c, x) * vload4(c, w);
    a0 += a1;
    real part = (a0.x + a0.y) + (a0.z + a0.w);
    for (uint j = 4 * chunks + lane; j < d; j += lanes)
        part += x[j] * w[j];
    return part;
}

/* acc += r x over the same columns. */
inline void cln_lane_axpy(local real *acc, global const real *x, real r, uint d, uint lane,
                          uint lanes)
{
    uint chunks = d / 4;
    for (uint c = lane; c < chunks; c += lanes)
        vstore4(vload4(c, acc) + r * vload4(c, x), c, acc);
    for (uint j = 4 * chunks + lane; j < d; j += lanes)
        acc[j] += r * x[j];
}

inline real cln_hsum8(real8 v)
{
    real4 s = v.lo + v.hi;
    return (s.x + s.y) + (s.z + s.w);
}

/* Four rows' dot products with w in one pass: four independent streams of loads in flight
 * (the rows are scattered by the shuffle, so a CPU waits on memory unless several are), and
 * each chunk of w read once for all four. With `aligned` the rows and w start on 8-element
 * boundaries and load as whole vectors. */
inline real4 cln_dot4(global const real *x0, global const real *x1, global const real *x2,
                      global const real *x3, local const real *w, uint d, bool aligned)
{
    uint chunks = d / 8;
    real8 a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    if (aligned) {
        global const real8 *p0 = (global const real8 *)x0, *p1 = (global const real8 *)x1;
        global const real8 *p2 = (global const real8 *)x2, *p3 = (global const real8 *)x3;
        local const real8 *w8 = (local const real8 *)w;
        for (uint c = 0; c < chunks; c++) {
            real8 wc = w8[c];
            a0 += p0[c] * wc;
            a1 += p1[c] * wc;
            a2 += p2[c] * wc;
            a3 += p3[c] * wc;
        }
    } else {
        for (uint c = 0; c < chunks; c++) {
            real8 wc = vload8(c, w);
            a0 += vload8(c, x0) * wc;
            a1 += vload8(c, x1) * wc;
            a2 += vload8(c, x2) * wc;
            a3 += vload8(c, x3) * wc;
        }
    }
    real4 out = (real4)(cln_hsum8(a0), cln_hsum8(a1), cln_hsum8(a2), cln_hsum8(a3));
    for (uint j = 8 * chunks; j < d; j++)
        out += (real4)(x0[j], x1[j], x2[j], x3[j]) * w[j];
    return out;
}

/* acc += r.x x0 + r.y x1 + r.z x2 + r.w x3: acc is read and written once for four rows. */
inline void cln_axpy4(local real *acc, global const real *x0, global const real *x1,
                      global const real *x2, global const real *x3, real4 r, uint d,
                      bool aligned)
{
    uint chunks = d / 8;
    if (aligned) {
        global const real8 *p0 = (global const real8 *)x0, *p1 = (global const real8 *)x1;
        global const real8 *p2 = (global const real8 *)x2, *p3 = (global const real8 *)x3;
        local real8 *acc8 = (local real8 *)acc;
        for (uint c = 0; c < chunks; c++)
            acc8[c] += (r.x * p0[c] + r.y * p1[c]) + (r.z * p2[c] + r.w * p3[c]);
    } else {
        for (uint c = 0; c < chunks; c++)
            vstore8(vload8(c, acc) + (r.x * vload8(c, x0) + r.y * vload8(c, x1)) +
                        (r.z * vload8(c, x2) + r.w * vload8(c, x3)),
                    c, acc);
    }
    for (uint j = 8 * chunks; j < d; j++)
        acc[j] += (r.x * x0[j] + r.y * x1[j]) + (r.z * x2[j] + r.w * x3[j]);
}

/* Whether p starts on a boundary of 8 reals. */
#define CLN_ALIGNED8(p) (((ulong)(p)) % (8 * sizeof(real)) == 0)

/* cln_accumulate_rows with one work-item per row (lanes == 1): no barrier, so a CPU
 * compiler sees plain loops, and four rows at a time (positions pos, pos + slots, ...; a
 * missing one repeats the first with a residual of 0). */
inline void cln_accumulate_rows_alone(global const real *X, ulong x_offset, uint d,
                                      global const uint *index, ulong begin, ulong end,
                                      global const real *y, ulong y_offset, local const real *w,
                                      real b, int with_grad, local real *acc, local real *rsum,
                                      local real *rsq)
{
    uint lid = get_local_id(0), slots = get_local_size(0);
    global const real *x = X + x_offset;
    local real *mine = acc + lid * d;
    bool aligned = d % 8 == 0 && CLN_ALIGNED8(x) && CLN_ALIGNED8(w) && CLN_ALIGNED8(mine);
    real rs = 0, rq = 0;
    for (ulong pos = begin + lid; pos < end; pos += 4 * slots) {
        bool v1 = pos + slots < end, v2 = pos + 2 * slots < end, v3 = pos + 3 * slots < end;
        uint r0 = index ? index[pos] : (uint)pos;
        uint r1 = v1 ? (index ? index[pos + slots] : (uint)(pos + slots)) : r0;
        uint r2 = v2 ? (index ? index[pos + 2 * slots] : (uint)(pos + 2 * slots)) : r0;
        uint r3 = v3 ? (index ? index[pos + 3 * slots] : (uint)(pos + 3 * slots)) : r0;
        global const real *x0 = x + (ulong)r0 * d, *x1 = x + (ulong)r1 * d;
        global const real *x2 = x + (ulong)r2 * d, *x3 = x + (ulong)r3 * d;
        /* the targets first: four more misses, in flight while the rows stream in */
        real4 target = (real4)(y[y_offset + r0], y[y_offset + r1], y[y_offset + r2],
                               y[y_offset + r3]);
        real4 res = cln_dot4(x0, x1, x2, x3, w, d, aligned) + b - target;
        res.y = v1 ? res.y : 0;
        res.z = v2 ? res.z : 0;
        res.w = v3 ? res.w : 0;
        if (with_grad)
            cln_axpy4(mine, x0, x1, x2, x3, res, d, aligned);
        rs += (res.x + res.y) + (res.z + res.w);
        rq += (res.x * res.x + res.y * res.y) + (res.z * res.z + res.w * res.w);
    }
    rsum[lid] += rs;
    rsq[lid] += rq;
}

/* Adds the rows at positions [begin, end) into the group's sums: acc[slot * d + j] +=
 * x_j r, rsum[slot] += r, rsq[slot] += r^2, with r = x . w + b - y. With with_grad 0 only
 * rsq is kept (validation). */
inline void cln_accumulate_rows(global const real *X, ulong x_offset, uint d,
                                global const uint *index, ulong begin, ulong end,
                                global const real *y, ulong y_offset, local const real *w,
                                real b, uint lanes, int with_grad, local real *red,
                                local real *acc, local real *rsum, local real *rsq)
{
    if (lanes == 1) {
        cln_accumulate_rows_alone(X, x_offset, d, index, begin, end, y, y_offset, w, b,
                                  with_grad, acc, rsum, rsq);
        return;
    }
    uint lid = get_local_id(0);
    uint slots = get_local_size(0) / lanes, slot = lid / lanes, lane = lid % lanes;
    for (ulong base = begin; base < end; base += slots) {
        ulong pos = base + slot;
        bool valid = pos < end;
        uint row = valid ? (index ? index[pos] : (uint)pos) : 0;
        global const real *x = X + x_offset + (ulong)row * d;
        real part = valid ? cln_lane_dot(x, w, d, lane, lanes) : 0;
        if (lanes > 1) { /* the row's dot product: a tree over its lanes */
            red[lid] = part;
            barrier(CLK_LOCAL_MEM_FENCE);
            for (uint s = lanes / 2; s > 0; s >>= 1) {
                if (lane < s)
                    red[lid] += red[lid + s];
                barrier(CLK_LOCAL_MEM_FENCE);
            }
            part = red[lid - lane];
        }
        if (valid) {
            real r = part + b - y[y_offset + row];
            if (with_grad)
                cln_lane_axpy(acc + slot * d, x, r, d, lane, lanes);
            if (lane == 0) {
                rsum[slot] += r;
                rsq[slot] += r * r;
            }
        }
        if (lanes > 1) /* red is written again next round */
            barrier(CLK_LOCAL_MEM_FENCE);
    }
}

/* Sum over the slots of column j of acc (d columns), clearing it for the next batch. */
inline real cln_take_slot_sum(local real *acc, uint slots, uint d, uint j)
{
    real total = 0;
    for (uint s = 0; s < slots; s++) {
        total += acc[s * d + j];
        acc[s * d + j] = 0;
    }
    return total;
}

inline void cln_clear_local(local real *v, uint n)
{
    for (uint i = get_local_id(0); i < n; i += get_local_size(0))
        v[i] = 0;
}

/* (sum r, sum r^2) over the slots, in slot order, clearing them for the next rows. */
inline real2 cln_take_residual_sums(local real *rsum, local real *rsq, uint slots)
{
    real rs = 0, rq = 0;
    for (uint s = 0; s < slots; s++) {
        rs += rsum[s];
        rq += rsq[s];
        rsum[s] = rsq[s] = 0;
    }
    return (real2)(rs, rq);
}

/* Sum over n groups' (or chunks') published sums of value j, in group order. */
inline real cln_sum_published(volatile global const real *all, uint n, uint d, uint j)
{
    real total = 0;
    for (uint g = 0; g < n; g++)
        total += all[(ulong)g * (d + 2) + j];
    return total;
}

/* Writes the group's sums to mine: d gradient sums (with_grad only), then sum r, then sum
 * r^2, clearing the local sums for the next rows. */
inline void cln_publish_sums(global real *mine, local real *acc, local real *rsum,
                             local real *rsq, uint slots, uint d, int with_grad)
{
    uint lid = get_local_id(0), wg = get_local_size(0);
    if (with_grad)
        for (uint j = lid; j < d; j += wg)
            mine[j] = cln_take_slot_sum(acc, slots, d, j);
    if (lid == 0) {
        real2 r = cln_take_residual_sums(rsum, rsq, slots);
        mine[d] = r.x;
        mine[d + 1] = r.y;
    }
}

/* One minibatch, one launch: every group sums its share of the rows into partial[group],
 * and the last group to finish (an atomic ticket) sums the partials in group order, writes
 * the loss and the gradient and, with update, applies the SGD step. *counter must be 0 at
 * launch; the last group sets it back to 0. A params_slot other than 0 (the epoch's last
 * launch) also has w and b written to losses[params_slot ...], and a start_slot other than
 * 0 (its first) w and b as they were before the step to losses[start_slot ...]. */
kernel void cln_linreg_fused_step(global const real *X, ulong x_offset, uint d,
                                  global const uint *index, ulong first, uint count,
                                  global const real *y, ulong y_offset,
                                  global real *w_g, global real *b_g, global real *grad_w,
                                  global real *grad_b, real lr, real decay, real loss_scale, int update,
                                  uint lanes, uint rows_per_group, global real *losses,
                                  ulong loss_slot, ulong params_slot, ulong start_slot,
                                  global real *partial,
                                  volatile global uint *counter, local real *red,
                                  local real *acc, local real *w, local real *sums)
{
    uint lid = get_local_id(0), wg = get_local_size(0);
    uint group = get_group_id(0), groups = get_num_groups(0);
    uint slots = wg / lanes;
    local real *rsum = sums, *rsq = sums + slots;
    local uint arrived;
    if (CLN_TEST_BREAK == 2)
        lr *= (real)0.5;

    for (uint j = lid; j < d; j += wg)
        w[j] = w_g[j];
    cln_clear_local(acc, slots * d);
    cln_clear_local(sums, 2 * slots);
    real b = b_g[0];
    /* The global fence orders every work-item's read of w_g and b_g before the writes back. */
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    if (start_slot && group == 0) /* before the last group can step */
        for (uint j = lid; j <= d; j += wg)
            losses[start_slot + j] = j < d ? w[j] : b;

    ulong begin = first + (ulong)group * rows_per_group;
    ulong end = min(begin + rows_per_group, first + count);
    cln_accumulate_rows(X, x_offset, d, index, begin, end, y, y_offset, w, b, lanes, update, red,
                        acc, rsum, rsq);
    barrier(CLK_LOCAL_MEM_FENCE);

    cln_publish_sums(partial + (ulong)group * (d + 2), acc, rsum, rsq, slots, d, update);
    if (groups > 1) { /* the last group to arrive sums every group's partials */
        if (cln_group_arrive(counter, &arrived) != groups - 1)
            return;
    } else {
        barrier(CLK_GLOBAL_MEM_FENCE);
    }

    volatile global const real *all = partial;
    real scale = 2 * loss_scale / (real)count;
    for (uint j = lid; j < d + 2; j += wg) {
        if (j < d && !update)
            continue;
        real total = cln_sum_published(all, groups, d, j);
        if (j < d) {
            grad_w[j] = scale * total;
            real wj = decay * w_g[j]; /* apart: decay 1 changes nothing (cln_linreg_sgd) */
            w_g[j] = wj - lr * scale * total;
        } else if (j == d && update) {
            grad_b[0] = scale * total;
            b_g[0] -= lr * scale * total;
        } else if (j == d + 1) {
            losses[loss_slot] = loss_scale * total / (real)count;
        }
    }
    if (lid == 0 && groups > 1)
        cln_store_relaxed(counter, 0);
    if (params_slot) { /* the epoch's last launch: w and b after the losses, for one read */
        barrier(CLK_GLOBAL_MEM_FENCE);
        for (uint j = lid; j <= d; j += wg)
            losses[params_slot + j] = j < d ? w_g[j] : b_g[0];
    }
}

/* A whole epoch in one launch by one work-group: every training minibatch (loss, gradient,
 * step) over the shuffled order, then every validation minibatch (loss), with w in local
 * memory. losses[k] is training batch k's loss, losses[num_train_batches + k] validation
 * batch k's; w and b as the epoch ends them follow, then w and b as it started. */
kernel void cln_linreg_epoch(global const real *Xt, ulong xt_offset, global const real *yt,
                             ulong yt_offset, uint n_train, global const uint *index,
                             global const real *Xv, ulong xv_offset, global const real *yv,
                             ulong yv_offset, uint n_val, uint d, uint batch,
                             global real *w_g, global real *b_g, global real *grad_w,
                             global real *grad_b, real lr, real decay, real loss_scale, uint lanes,
                             global real *losses, local real *red, local real *acc,
                             local real *w, local real *sums)
{
    uint lid = get_local_id(0), wg = get_local_size(0);
    uint slots = wg / lanes;
    local real *rsum = sums, *rsq = sums + slots, *shared_gb = sums + 2 * slots;
    if (CLN_TEST_BREAK == 3)
        lr *= (real)0.5;

    for (uint j = lid; j < d; j += wg)
        w[j] = w_g[j];
    cln_clear_local(acc, slots * d);
    cln_clear_local(sums, 2 * slots + 1);
    real b = b_g[0];
    /* The global fence orders every work-item's read of w_g and b_g before the writes back. */
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);

    uint nb_train = (n_train + batch - 1) / batch, nb_val = (n_val + batch - 1) / batch;
    global real *tail = losses + nb_train + nb_val;
    for (uint j = lid; j <= d; j += wg)
        tail[d + 1 + j] = j < d ? w[j] : b;
    for (uint k = 0; k < nb_train; k++) {
        uint begin = k * batch, count = min(batch, n_train - begin);
        cln_accumulate_rows(Xt, xt_offset, d, index, begin, begin + count, yt, yt_offset, w, b,
                            lanes, 1, red, acc, rsum, rsq);
        barrier(CLK_LOCAL_MEM_FENCE);
        real scale = 2 * loss_scale / (real)count;
        for (uint j = lid; j < d; j += wg) {
            real g = scale * cln_take_slot_sum(acc, slots, d, j);
            real wj = decay * w[j];
            w[j] = wj - lr * g;
            if (k == nb_train - 1)
                grad_w[j] = g;
        }
        if (lid == 0) {
            real2 r = cln_take_residual_sums(rsum, rsq, slots);
            losses[k] = loss_scale * r.y / (real)count;
            *shared_gb = scale * r.x;
            if (k == nb_train - 1)
                grad_b[0] = scale * r.x;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        b -= lr * *shared_gb;
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (uint k = 0; k < nb_val; k++) {
        uint begin = k * batch, count = min(batch, n_val - begin);
        cln_accumulate_rows(Xv, xv_offset, d, NULL, begin, begin + count, yv, yv_offset, w, b,
                            lanes, 0, red, acc, rsum, rsq);
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid == 0)
            losses[nb_train + k] =
                loss_scale * cln_take_residual_sums(rsum, rsq, slots).y / (real)count;
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    /* w and b go back, and after the losses too, so one read brings the epoch to the host */
    for (uint j = lid; j < d; j += wg)
        w_g[j] = tail[j] = w[j];
    if (lid == 0)
        b_g[0] = tail[d] = b;
}
