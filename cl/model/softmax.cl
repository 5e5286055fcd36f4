/* Softmax regression from scratch (d2l chapter 4.4): logits O = X W + b over k classes,
 * the mean cross-entropy, the accuracy, the gradient and the SGD step; then the fused step
 * (one launch a minibatch) and the whole epoch in one work-group.
 *
 * A minibatch is positions [first, first + count) of a row order: row i of the batch is
 * index[first + i], or first + i when index is NULL (validation, in order). X is row-major
 * with d columns from x_offset; y holds one label a row from y_offset, a whole number in
 * [0, k) stored as a real. W is d x k, row-major; b has k values. A label outside [0, k)
 * (only a caller's own y can hold one) reads no logit: its row's loss is NaN, so a fit
 * stops as diverged instead of reading outside the row. Every sum runs in a fixed order,
 * so each result is the same on every run. */

/* An element index that says "write nothing" (a metric of a training batch, the epoch's
 * start and end parameters outside its first and last launch). */
#define CLN_SM_NONE ((ulong)-1)

inline uint cln_sm_row(global const uint *index, ulong pos)
{
    return index ? index[pos] : (uint)pos;
}

/* The row's class, or k for a value that is not one (NaN, negative, too large). */
inline uint cln_sm_label(global const real *y, ulong at, uint k)
{
    real v = y[at];
    return v >= 0 && v < (real)k ? (uint)v : k;
}

/* -log softmax(o)[label] = log(s) - (o_label - m), from the row's largest logit m, its sum
 * of exp(o - m) s and its label's logit o_label; NaN for no class. */
inline real cln_sm_loss_of(real o_label, uint label, uint k, real m, real s)
{
    return label < k ? log(s) - (o_label - m) : (real)NAN;
}

/* Helpers on one row of k logits, for rows in global memory (the stepwise kernels) and in
 * local memory (the fused tiles): OpenCL C 1.2 has no generic address space. */
#define CLN_SM_ROW_HELPERS(SPACE, NAME)                                                     \
    /* the largest logit */                                                                 \
    inline real NAME##_max(SPACE const real *o, uint k)                                     \
    {                                                                                       \
        real m = o[0];                                                                      \
        for (uint c = 1; c < k; c++)                                                        \
            m = fmax(m, o[c]);                                                              \
        return m;                                                                           \
    }                                                                                       \
    /* sum of exp(o - m): each term in (0, 1], the largest exactly 1, so no overflow */     \
    inline real NAME##_sum_exp(SPACE const real *o, uint k, real m)                         \
    {                                                                                       \
        real s = 0;                                                                         \
        for (uint c = 0; c < k; c++)                                                        \
            s += exp(o[c] - m);                                                             \
        return s;                                                                           \
    }                                                                                       \
    /* the row's loss, from m and s above (cln_sm_loss_of) */                               \
    inline real NAME##_row_loss(SPACE const real *o, uint label, uint k, real m, real s)    \
    {                                                                                       \
        return cln_sm_loss_of(label < k ? o[label] : (real)0, label, k, m, s);              \
    }                                                                                       \
    /* the first largest logit's class */                                                   \
    inline uint NAME##_argmax(SPACE const real *o, uint k)                                  \
    {                                                                                       \
        uint best = 0;                                                                      \
        for (uint c = 1; c < k; c++)                                                        \
            if (o[c] > o[best])                                                             \
                best = c;                                                                   \
        return best;                                                                        \
    }

CLN_SM_ROW_HELPERS(global, cln_sm_g)
CLN_SM_ROW_HELPERS(local, cln_sm_l)

/* Sum of v over the work-group (a power of two in size) through red; every item gets it. */
inline real cln_sm_group_sum(real v, local real *red)
{
    uint lid = get_local_id(0);
    red[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint s = get_local_size(0) / 2; s > 0; s >>= 1) {
        if (lid < s)
            red[lid] += red[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    real total = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

/* Two sums at once (red holds 2 wg values): one tree, half the barriers of two. */
inline real2 cln_sm_group_sum2(real2 v, local real *red)
{
    uint lid = get_local_id(0);
    vstore2(v, lid, red);
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint s = get_local_size(0) / 2; s > 0; s >>= 1) {
        if (lid < s)
            vstore2(vload2(lid, red) + vload2(lid + s, red), lid, red);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    real2 total = vload2(0, red);
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

/* ---- one kernel per stage (the stepwise path and the model's own calls) ------------------ */

/* logits[i k + c] = X[row_i] . W[:, c] + b[c], one work-item per (row, class). */
kernel void cln_softmax_forward(global const real *X, ulong x_offset, uint d, uint k,
                                global const uint *index, ulong first, uint count,
                                global const real *W, global const real *b,
                                global real *logits, ulong logits_offset)
{
    ulong p = get_global_id(0);
    if (p >= (ulong)count * k)
        return;
    uint i = (uint)(p / k), c = (uint)(p % k);
    global const real *x = X + x_offset + (ulong)cln_sm_row(index, first + i) * d;
    real acc = 0;
    for (uint j = 0; j < d; j++)
        acc += x[j] * W[(ulong)j * k + c];
    logits[logits_offset + p] = acc + b[c];
}

/* losses[slot] = mean over the batch of -log softmax(O_i)[label_i]: one work-group. */
kernel __attribute__((reqd_work_group_size(CLN_WG, 1, 1)))
void cln_softmax_loss(global const real *logits, ulong logits_offset, uint k,
                      global const real *y, ulong y_offset, global const uint *index,
                      ulong first, uint count, global real *losses, ulong slot)
{
    local real scratch[CLN_WG];
    real acc = 0;
    for (uint i = get_local_id(0); i < count; i += CLN_WG) {
        global const real *o = logits + logits_offset + (ulong)i * k;
        uint label = cln_sm_label(y, y_offset + cln_sm_row(index, first + i), k);
        real m = cln_sm_g_max(o, k);
        acc += cln_sm_g_row_loss(o, label, k, m, cln_sm_g_sum_exp(o, k, m));
    }
    real total = cln_sm_group_sum(acc, scratch);
    if (get_local_id(0) == 0)
        losses[slot] = total / (real)count;
}

/* out[slot] = the fraction of rows whose first largest logit is their label's. */
kernel __attribute__((reqd_work_group_size(CLN_WG, 1, 1)))
void cln_softmax_accuracy(global const real *logits, ulong logits_offset, uint k,
                          global const real *y, ulong y_offset, global const uint *index,
                          ulong first, uint count, global real *out, ulong slot)
{
    local uint scratch[CLN_WG];
    uint lid = get_local_id(0), hits = 0;
    for (uint i = lid; i < count; i += CLN_WG) {
        uint label = cln_sm_label(y, y_offset + cln_sm_row(index, first + i), k);
        hits += cln_sm_g_argmax(logits + logits_offset + (ulong)i * k, k) == label;
    }
    scratch[lid] = hits; /* whole numbers: summed exactly, in 32 bits as count is */
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint s = CLN_WG / 2; s > 0; s >>= 1) {
        if (lid < s)
            scratch[lid] += scratch[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0)
        out[slot] = (real)scratch[0] / (real)count;
}

/* delta[i k + c] = softmax(O_i)[c] - (c == label_i), one work-item per row: the gradient of
 * the row's loss with respect to its logits (the 1 / B comes with the sums). */
kernel void cln_softmax_delta(global const real *logits, ulong logits_offset, uint k,
                              global const real *y, ulong y_offset, global const uint *index,
                              ulong first, uint count, global real *delta)
{
    uint i = get_global_id(0);
    if (i >= count)
        return;
    global const real *o = logits + logits_offset + (ulong)i * k;
    global real *g = delta + (ulong)i * k;
    uint label = cln_sm_label(y, y_offset + cln_sm_row(index, first + i), k);
    real m = cln_sm_g_max(o, k);
    real s = cln_sm_g_sum_exp(o, k, m);
    for (uint c = 0; c < k; c++)
        g[c] = exp(o[c] - m) / s - (c == label ? (real)1 : (real)0);
}

/* Work-group o = j k + c: grad_W[o] = sum_i X[row_i, j] delta[i, c] / B for j < d; the k
 * groups from d k on: grad_b[c] = sum_i delta[i, c] / B. A fixed tree: no atomics. */
kernel __attribute__((reqd_work_group_size(CLN_WG, 1, 1)))
void cln_softmax_grads(global const real *X, ulong x_offset, uint d, uint k,
                       global const uint *index, ulong first, uint count,
                       global const real *delta, global real *grad_W, global real *grad_b)
{
    local real scratch[CLN_WG];
    ulong o = get_group_id(0);
    uint j = (uint)(o / k), c = (uint)(o % k);
    real acc = 0;
    for (uint i = get_local_id(0); i < count; i += CLN_WG) {
        real x = j < d ? X[x_offset + (ulong)cln_sm_row(index, first + i) * d + j] : (real)1;
        acc += x * delta[(ulong)i * k + c];
    }
    real g = cln_sm_group_sum(acc, scratch) / (real)count;
    if (get_local_id(0) == 0) {
        if (j < d)
            grad_W[o] = g;
        else
            grad_b[c] = g;
    }
}

/* W -= lr (grad_W + weight_decay W) for items below d k; b -= lr grad_b for the k after. */
kernel void cln_softmax_step(global real *W, global const real *grad_W, global real *b,
                             global const real *grad_b, real lr, real weight_decay, ulong dk,
                             uint k)
{
    ulong p = get_global_id(0);
    if (p < dk)
        W[p] -= lr * (grad_W[p] + weight_decay * W[p]);
    else if (p < dk + k)
        b[p - dk] -= lr * grad_b[p - dk];
}

/* ---- the fused step and the whole epoch ---------------------------------------------------
 *
 * A work-group takes its rows a tile of up to tile_rows at a time, in four phases separated
 * by barriers: the tile's rows and labels into local memory; its logits; per row the loss,
 * the hits and the row's delta in place of its logits; then the tile's gradient sums, added
 * into the group's slice of `partial`: (d + 1) k gradient sums, then the loss sum, then the
 * hits.
 *
 * The two products (the logits X W and the gradient sums X^T delta) are register blocks: a
 * work-item keeps CLN_SM_RB rows of logits, or CLN_SM_JB inputs of gradient sums, in
 * registers, so each value it reads of W or of the deltas serves that many products. Done
 * one dot product a (row, class) at a time instead, W3 (d2l's Fashion-MNIST shape) trained
 * over twenty times slower on PoCL's CPU device. The loops over a block's rows or inputs
 * are unrolled by pragma: PoCL's compiler leaves them as loops otherwise, and the
 * accumulators then live in memory instead of registers. Two shapes of block, as the host
 * chooses (vector_classes):
 *   - a CPU's: CLN_SM_CB classes as the lanes of a vector, so each value of X read is one
 *     broadcast times a vector of W or of the deltas (the compiler's vector registers);
 *   - a GPU's: one class a work-item, adjacent work-items on adjacent classes, so their
 *     reads of W, of the deltas and of the sums are adjacent and their reads of X the same.
 * A tile row holds kp = k rounded up to CB values in both; lanes from k on are never read
 * as logits and are 0 as deltas. */

#define CLN_SM_CB 16 /* classes a vector holds: softmax_paths.c's CLASS_BLOCK */
#define CLN_SM_RB 8  /* rows of logits a work-item computes at once */
#define CLN_SM_JB 8  /* inputs of gradient sums a work-item computes at once */
#if CLN_FP64
typedef double16 cln_sm_vec;
#else
typedef float16 cln_sm_vec;
#endif

inline uint cln_sm_padded_k(uint k) { return (k + CLN_SM_CB - 1) / CLN_SM_CB * CLN_SM_CB; }

/* Lanes [0, n) from p, the rest 0: for the last values of a buffer, where a whole vector's
 * read would run past its end. */
inline cln_sm_vec cln_sm_vload_part(global const real *p, uint n)
{
    real lanes[CLN_SM_CB];
    for (uint l = 0; l < CLN_SM_CB; l++)
        lanes[l] = l < n ? p[l] : (real)0;
    return vload16(0, lanes);
}

/* A group's gradient sum from one tile's: the first tile's stored, later tiles' added. */
inline void cln_sm_store_sum(global real *mine, real tile_sum, int first_tile)
{
    *mine = first_tile ? tile_sum : *mine + tile_sum;
}

/* v's lanes [0, n) into mine[0, n), as cln_sm_store_sum. */
inline void cln_sm_store_lanes(global real *mine, cln_sm_vec v, uint n, int first_tile)
{
    real lanes[CLN_SM_CB];
    vstore16(v, 0, lanes);
    for (uint l = 0; l < n; l++)
        cln_sm_store_sum(mine + l, lanes[l], first_tile);
}

/* The starts of the rows of X of a block of tile rows [r0, r0 + nr), nr <= RB; a short
 * block's missing rows repeat its first (read, never stored). */
inline void cln_sm_block_rows(global const real *X, ulong x_offset, uint d,
                              local const uint *rows, uint r0, uint nr,
                              global const real *x[CLN_SM_RB])
{
    for (uint r = 0; r < CLN_SM_RB; r++)
        x[r] = X + x_offset + (ulong)rows[r0 + (r < nr ? r : 0)] * d;
}

/* The logits of tile rows [r0, r0 + nr) for classes [c0, c0 + CB): the CPU's block. The
 * read of W's row j takes CB values from j k + c0 whenever they lie inside W: the lanes
 * past k then hold the next row's weights, whose products land in the tile's padding. */
inline void cln_sm_logits_vector(global const real *X, ulong x_offset, uint d, uint k,
                                 local const uint *rows, uint r0, uint nr, uint c0,
                                 global const real *W, global const real *b, local real *tile)
{
    global const real *x[CLN_SM_RB];
    cln_sm_block_rows(X, x_offset, d, rows, r0, nr, x);
    cln_sm_vec acc[CLN_SM_RB];
    for (uint r = 0; r < CLN_SM_RB; r++)
        acc[r] = 0;
    ulong dk = (ulong)d * k;
    uint whole = dk >= c0 + CLN_SM_CB ? (uint)min((ulong)d, (dk - c0 - CLN_SM_CB) / k + 1) : 0;
    for (uint j = 0; j < whole; j++) {
        cln_sm_vec w = vload16(0, W + (ulong)j * k + c0);
#pragma unroll
        for (uint r = 0; r < CLN_SM_RB; r++)
            acc[r] += x[r][j] * w;
    }
    uint classes = min(k - c0, (uint)CLN_SM_CB);
    for (uint j = whole; j < d; j++) {
        cln_sm_vec w = cln_sm_vload_part(W + (ulong)j * k + c0, classes);
#pragma unroll
        for (uint r = 0; r < CLN_SM_RB; r++)
            acc[r] += x[r][j] * w;
    }
    cln_sm_vec bias = cln_sm_vload_part(b + c0, classes);
    uint kp = cln_sm_padded_k(k);
    for (uint r = 0; r < CLN_SM_RB; r++)
        if (r < nr)
            vstore16(acc[r] + bias, 0, tile + (r0 + r) * kp + c0);
}

/* The logits of tile rows [r0, r0 + nr) for class c: the GPU's block. */
inline void cln_sm_logits_scalar(global const real *X, ulong x_offset, uint d, uint k,
                                 local const uint *rows, uint r0, uint nr, uint c,
                                 global const real *W, global const real *b, local real *tile)
{
    global const real *x[CLN_SM_RB];
    cln_sm_block_rows(X, x_offset, d, rows, r0, nr, x);
    real acc[CLN_SM_RB];
    for (uint r = 0; r < CLN_SM_RB; r++)
        acc[r] = 0;
    for (uint j = 0; j < d; j++) {
        real w = W[(ulong)j * k + c];
#pragma unroll
        for (uint r = 0; r < CLN_SM_RB; r++)
            acc[r] += x[r][j] * w;
    }
    uint kp = cln_sm_padded_k(k);
    for (uint r = 0; r < CLN_SM_RB; r++)
        if (r < nr)
            tile[(r0 + r) * kp + c] = acc[r] + b[c];
}

/* The logits of a tile of n rows, in blocks of RB rows; adjacent work-items take adjacent
 * rows (the CPU's blocks) or adjacent classes (the GPU's). */
inline void cln_sm_tile_logits(global const real *X, ulong x_offset, uint d, uint k,
                               local const uint *rows, uint n, global const real *W,
                               global const real *b, int vector_classes, local real *tile)
{
    uint row_blocks = (n + CLN_SM_RB - 1) / CLN_SM_RB;
    uint columns = vector_classes ? cln_sm_padded_k(k) / CLN_SM_CB : k;
    for (uint u = get_local_id(0); u < row_blocks * columns; u += get_local_size(0)) {
        if (vector_classes) {
            uint r0 = u % row_blocks * CLN_SM_RB, c0 = u / row_blocks * CLN_SM_CB;
            cln_sm_logits_vector(X, x_offset, d, k, rows, r0, min(n - r0, (uint)CLN_SM_RB), c0,
                                 W, b, tile);
        } else {
            uint r0 = u / k * CLN_SM_RB, c = u % k;
            cln_sm_logits_scalar(X, x_offset, d, k, rows, r0, min(n - r0, (uint)CLN_SM_RB), c,
                                 W, b, tile);
        }
    }
}

/* A row's loss, and its delta softmax(o) - onehot(label) in place of its logits o (0 in
 * the padding lanes up to kp). Each exp(o - m) is taken once and kept in o until the sum
 * they make is known: the same values as sum_exp's and the stepwise delta's. */
inline real cln_sm_row_delta(local real *o, uint label, uint k, uint kp)
{
    real m = cln_sm_l_max(o, k), o_label = label < k ? o[label] : (real)0, s = 0;
    for (uint c = 0; c < k; c++) {
        real e = exp(o[c] - m);
        o[c] = e;
        s += e;
    }
    for (uint c = 0; c < k; c++)
        o[c] = o[c] / s - (c == label ? (real)1 : (real)0);
    for (uint c = k; c < kp; c++)
        o[c] = 0;
    return cln_sm_loss_of(o_label, label, k, m, s);
}

/* Per row of the tile its loss into *loss and, without with_grad, its hit into *hits;
 * with it, its delta in place of its logits (cln_sm_row_delta). */
inline void cln_sm_tile_rows(uint k, local const uint *labels, uint n, int with_grad,
                             local real *tile, real *loss, real *hits)
{
    uint kp = cln_sm_padded_k(k);
    for (uint r = get_local_id(0); r < n; r += get_local_size(0)) {
        local real *o = tile + r * kp;
        uint label = labels[r];
        if (with_grad) {
            *loss += cln_sm_row_delta(o, label, k, kp);
            continue;
        }
        real m = cln_sm_l_max(o, k);
        *loss += cln_sm_l_row_loss(o, label, k, m, cln_sm_l_sum_exp(o, k, m));
        *hits += cln_sm_l_argmax(o, k) == label ? (real)1 : (real)0;
    }
}

/* Input j0 + i of row x (X's row from j0 on) for i < JB, in a block that holds the bias's
 * input d (x = 1) or reaches past it (0, never stored). */
inline real cln_sm_edge_input(global const real *x, uint j0, uint i, uint d)
{
    return j0 + i < d ? x[i] : j0 + i == d ? (real)1 : (real)0;
}

/* The sums over the tile's n rows of x[j] delta[c] for inputs [j0, j0 + JB) and classes
 * [c0, c0 + CB), into mine (cln_sm_store_sum): the CPU's block. Inputs past the bias's are
 * not stored. */
inline void cln_sm_grads_vector(global const real *X, ulong x_offset, uint d, uint k,
                                local const uint *rows, uint n, uint j0, uint c0,
                                local const real *tile, int first_tile, global real *mine)
{
    cln_sm_vec acc[CLN_SM_JB];
    for (uint i = 0; i < CLN_SM_JB; i++)
        acc[i] = 0;
    uint kp = cln_sm_padded_k(k);
    int inside = j0 + CLN_SM_JB <= d; /* the block's inputs all lie inside X's rows */
    for (uint r = 0; r < n; r++) {
        global const real *x = X + x_offset + (ulong)rows[r] * d + j0;
        cln_sm_vec g = vload16(0, tile + r * kp + c0);
        if (inside) {
#pragma unroll
            for (uint i = 0; i < CLN_SM_JB; i++)
                acc[i] += x[i] * g;
        } else {
            for (uint i = 0; i < CLN_SM_JB; i++)
                acc[i] += cln_sm_edge_input(x, j0, i, d) * g;
        }
    }
    uint classes = min(k - c0, (uint)CLN_SM_CB);
    for (uint i = 0; i < CLN_SM_JB; i++)
        if (j0 + i <= d)
            cln_sm_store_lanes(mine + (ulong)(j0 + i) * k + c0, acc[i], classes, first_tile);
}

/* The same for class c alone: the GPU's block. */
inline void cln_sm_grads_scalar(global const real *X, ulong x_offset, uint d, uint k,
                                local const uint *rows, uint n, uint j0, uint c,
                                local const real *tile, int first_tile, global real *mine)
{
    real acc[CLN_SM_JB];
    for (uint i = 0; i < CLN_SM_JB; i++)
        acc[i] = 0;
    uint kp = cln_sm_padded_k(k);
    int inside = j0 + CLN_SM_JB <= d;
    for (uint r = 0; r < n; r++) {
        global const real *x = X + x_offset + (ulong)rows[r] * d + j0;
        real g = tile[r * kp + c];
        if (inside) {
#pragma unroll
            for (uint i = 0; i < CLN_SM_JB; i++)
                acc[i] += x[i] * g;
        } else {
            for (uint i = 0; i < CLN_SM_JB; i++)
                acc[i] += cln_sm_edge_input(x, j0, i, d) * g;
        }
    }
    for (uint i = 0; i < CLN_SM_JB; i++)
        if (j0 + i <= d)
            cln_sm_store_sum(mine + (ulong)(j0 + i) * k + c, acc[i], first_tile);
}

/* The tile's gradient sums into mine, in blocks of JB inputs; adjacent work-items take
 * adjacent inputs (the CPU's blocks: adjacent values of X's rows) or adjacent classes
 * (the GPU's). A block falls to the same work-item in every tile, so each sum is only
 * ever read and written by one work-item, and needs no fence. */
inline void cln_sm_tile_grads(global const real *X, ulong x_offset, uint d, uint k,
                              local const uint *rows, uint n, local const real *tile,
                              int vector_classes, int first_tile, global real *mine)
{
    ulong input_blocks = ((ulong)d + CLN_SM_JB) / CLN_SM_JB; /* d + 1 inputs */
    ulong columns = vector_classes ? cln_sm_padded_k(k) / CLN_SM_CB : k;
    for (ulong u = get_local_id(0); u < input_blocks * columns; u += get_local_size(0)) {
        if (vector_classes) {
            uint j0 = (uint)(u % input_blocks) * CLN_SM_JB;
            uint c0 = (uint)(u / input_blocks) * CLN_SM_CB;
            cln_sm_grads_vector(X, x_offset, d, k, rows, n, j0, c0, tile, first_tile, mine);
        } else {
            uint j0 = (uint)(u / k) * CLN_SM_JB, c = (uint)(u % k);
            cln_sm_grads_scalar(X, x_offset, d, k, rows, n, j0, c, tile, first_tile, mine);
        }
    }
}

/* The group's sums over positions [begin, end), begin < end, into mine: the gradient sums
 * (with_grad: training), the loss sum, and the hits (without: validation). Ends with a
 * barrier. */
inline void cln_sm_group_rows(global const real *X, ulong x_offset, uint d, uint k,
                              global const uint *index, ulong begin, ulong end,
                              global const real *y, ulong y_offset, global const real *W,
                              global const real *b, int with_grad, uint tile_rows,
                              int vector_classes, global real *mine, local real *tile,
                              local uint *rows, local uint *labels, local real *red)
{
    uint lid = get_local_id(0), wg = get_local_size(0);
    ulong outs = (ulong)(d + 1) * k;
    real loss = 0, hits = 0;
    for (ulong base = begin; base < end; base += tile_rows) {
        uint n = (uint)min((ulong)tile_rows, end - base);
        for (uint r = lid; r < n; r += wg) {
            uint row = cln_sm_row(index, base + r);
            rows[r] = row;
            labels[r] = cln_sm_label(y, y_offset + row, k);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        cln_sm_tile_logits(X, x_offset, d, k, rows, n, W, b, vector_classes, tile);
        barrier(CLK_LOCAL_MEM_FENCE);
        cln_sm_tile_rows(k, labels, n, with_grad, tile, &loss, &hits);
        barrier(CLK_LOCAL_MEM_FENCE);
        if (with_grad)
            cln_sm_tile_grads(X, x_offset, d, k, rows, n, tile, vector_classes, base == begin,
                              mine);
        barrier(CLK_LOCAL_MEM_FENCE); /* the tile is written again next round */
    }
    real2 sums = cln_sm_group_sum2((real2)(loss, hits), red);
    if (lid == 0) {
        mine[outs] = sums.x;
        mine[outs + 1] = sums.y;
    }
}

/* Sums the groups' slices in group order: with update the gradient (written to grad_W,
 * grad_b) and the step; the batch's loss to results[loss_at], and its accuracy to
 * results[metric_at] unless that is CLN_SM_NONE. */
inline void cln_sm_apply(volatile global const real *all, uint groups, uint d, uint k,
                         uint count, int update, global real *W, global real *b,
                         global real *grad_W, global real *grad_b, real lr, real weight_decay,
                         global real *results, ulong loss_at, ulong metric_at)
{
    uint lid = get_local_id(0), wg = get_local_size(0);
    ulong outs = (ulong)(d + 1) * k, dk = (ulong)d * k, stride = outs + 2;
    if (update)
        for (ulong o = lid; o < outs; o += wg) {
            real total = 0;
            for (uint g = 0; g < groups; g++)
                total += all[g * stride + o];
            real grad = total / (real)count;
            if (o < dk) {
                grad_W[o] = grad;
                W[o] -= lr * (grad + weight_decay * W[o]);
            } else {
                grad_b[o - dk] = grad;
                b[o - dk] -= lr * grad;
            }
        }
    if (lid == 0) {
        real loss = 0, hits = 0;
        for (uint g = 0; g < groups; g++) {
            loss += all[g * stride + outs];
            hits += all[g * stride + outs + 1];
        }
        results[loss_at] = loss / (real)count;
        if (metric_at != CLN_SM_NONE)
            results[metric_at] = hits / (real)count;
    }
}

/* W then b into results[at ...], unless at is CLN_SM_NONE. */
inline void cln_sm_save_params(global const real *W, global const real *b, uint d, uint k,
                               global real *results, ulong at)
{
    if (at == CLN_SM_NONE)
        return;
    ulong dk = (ulong)d * k;
    for (ulong o = get_local_id(0); o < dk + k; o += get_local_size(0))
        results[at + o] = o < dk ? W[o] : b[o - dk];
}

/* One minibatch, one launch: group g sums positions [first + g rows_per_group, ...) into
 * partial's slice g, and the last group to finish (an atomic ticket, cl/runtime/handoff.cl) sums
 * the slices in group order, writes the loss (and, for validation, the accuracy) and, with
 * update, the gradient and the step. *counter must be 0 at launch; the last group sets it
 * back to 0. Group 0 writes the parameters as they were to results[start_at ...] (the
 * epoch's first launch), and the last group the stepped ones to results[end_at ...] (its
 * last), each unless CLN_SM_NONE. */
kernel void cln_softmax_fused_step(global const real *X, ulong x_offset, uint d, uint k,
                                   global const uint *index, ulong first, uint count,
                                   global const real *y, ulong y_offset, global real *W,
                                   global real *b, global real *grad_W, global real *grad_b,
                                   real lr, real weight_decay, int update, uint rows_per_group,
                                   uint tile_rows, int vector_classes, global real *results,
                                   ulong loss_at, ulong metric_at, ulong start_at, ulong end_at,
                                   global real *partial, volatile global uint *counter,
                                   local real *tile, local uint *rows_labels, local real *red)
{
    uint group = get_group_id(0), groups = get_num_groups(0);
    ulong stride = (ulong)(d + 1) * k + 2;
    local uint arrived;
    if (CLN_TEST_BREAK == 2)
        lr *= (real)0.5;
    if (group == 0) /* before the last group can step: it waits for group 0 */
        cln_sm_save_params(W, b, d, k, results, start_at);

    ulong begin = first + (ulong)group * rows_per_group;
    ulong end = min(begin + rows_per_group, first + count);
    cln_sm_group_rows(X, x_offset, d, k, index, begin, end, y, y_offset, W, b, update, tile_rows,
                      vector_classes, partial + group * stride, tile, rows_labels,
                      rows_labels + tile_rows, red);
    if (groups > 1) { /* the last group to arrive sums every group's slice */
        if (cln_group_arrive(counter, &arrived) != groups - 1)
            return;
    } else {          /* this group's reads of W and writes of its slice come first */
        barrier(CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE);
    }
    cln_sm_apply(partial, groups, d, k, count, update, W, b, grad_W, grad_b, lr, weight_decay,
                 results, loss_at, metric_at);
    if (get_local_id(0) == 0 && groups > 1)
        cln_store_relaxed(counter, 0);
    if (end_at != CLN_SM_NONE) { /* the epoch's last launch: the parameters, for one read */
        barrier(CLK_GLOBAL_MEM_FENCE);
        cln_sm_save_params(W, b, d, k, results, end_at);
    }
}

/* A whole epoch in one launch by one work-group: every training minibatch (loss, gradient,
 * step) in the order's positions, then every validation minibatch (loss, accuracy), each as
 * one group of the fused step. results[losses_at + s] is batch s's loss (the validation
 * batches after the training ones), results[metrics_at + v] validation batch v's accuracy,
 * and the parameters as the epoch ends them go to results[params_at ...], as it starts them
 * after those. One loop over both splits: the compiler then makes one copy of its body. */
kernel void cln_softmax_epoch(global const real *Xt, ulong xt_offset, global const real *yt,
                              ulong yt_offset, uint n_train, global const uint *index,
                              global const real *Xv, ulong xv_offset, global const real *yv,
                              ulong yv_offset, uint n_val, uint d, uint k, uint batch,
                              global real *W, global real *b, global real *grad_W,
                              global real *grad_b, real lr, real weight_decay, uint tile_rows,
                              int vector_classes, global real *results, ulong losses_at,
                              ulong metrics_at, ulong params_at, global real *partial,
                              local real *tile, local uint *rows_labels, local real *red)
{
    if (CLN_TEST_BREAK == 3)
        lr *= (real)0.5;
    ulong num_params = (ulong)(d + 1) * k;
    cln_sm_save_params(W, b, d, k, results, params_at + num_params);
    uint nb_train = (n_train + batch - 1) / batch, nb_val = (n_val + batch - 1) / batch;
    for (uint s = 0; s < nb_train + nb_val; s++) {
        int training = s < nb_train;
        uint v = s - nb_train; /* the validation batch, when not training */
        uint begin = (training ? s : v) * batch;
        uint count = min(batch, (training ? n_train : n_val) - begin);
        cln_sm_group_rows(training ? Xt : Xv, training ? xt_offset : xv_offset, d, k,
                          training ? index : NULL, begin, begin + count, training ? yt : yv,
                          training ? yt_offset : yv_offset, W, b, training, tile_rows,
                          vector_classes, partial, tile, rows_labels, rows_labels + tile_rows,
                          red);
        barrier(CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE); /* the sums, and W read */
        ulong metric_at = training || metrics_at == CLN_SM_NONE ? CLN_SM_NONE : metrics_at + v;
        cln_sm_apply(partial, 1, d, k, count, training, W, b, grad_W, grad_b, lr, weight_decay,
                     results, losses_at + s, metric_at);
        barrier(CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE); /* the step, for the next batch */
    }
    cln_sm_save_params(W, b, d, k, results, params_at);
}
