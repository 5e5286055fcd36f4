/* The kernel of examples/polyreg.c: one minibatch of polynomial regression of one input,
 *   y_hat = b + w1 x + w2 x^2 + w3 x^3,
 * in one launch of one work-group of WG work-items (WG, a power of two, comes from the build
 * options). Each work-item takes the batch's rows lid, lid + WG, ...: row index[first + i], or
 * first + i without an index (validation rows, in order), reads x from the data's single
 * column and computes its powers as it goes, and sums r, r x, r x^2, r x^3 and r^2 with
 * r = y_hat - y. A tree in local memory adds the work-items' sums; then work-item 0 writes the
 * loss, mean(r^2) / 2 (d2l's squared loss), to results[loss_at] and, with update, takes the
 * SGD step: w_k <- decay w_k - lr mean(r x^k), decay = 1 - lr weight_decay, and
 * b <- b - lr mean(r). p holds w1, w2, w3, b; every work-item reads it before the first
 * barrier and work-item 0 writes it after the last, so the one group needs no more. */
#define DEGREE 3
#define SUMS (DEGREE + 2) /* r x^0 .. r x^DEGREE, then r^2 */

kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void polyreg_batch(global const float *X, ulong x_offset, global const float *y, ulong y_offset,
                   global const uint *index, ulong first, uint count, global float *p,
                   float lr, float decay, int update, global float *results, ulong loss_at)
{
    local float part[SUMS][WG];
    uint lid = get_local_id(0);
    float w1 = p[0], w2 = p[1], w3 = p[2], b = p[3], w[DEGREE] = {w1, w2, w3};
    float s[SUMS];
    for (int k = 0; k < SUMS; k++)
        s[k] = 0.0f;
    for (uint i = lid; i < count; i += WG) {
        uint row = index ? index[first + i] : (uint)(first + i);
        float x = X[x_offset + row];
        float r = b + x * (w1 + x * (w2 + x * w3)) - y[y_offset + row];
        float rxk = r; /* r x^k, k = 0 .. DEGREE */
        for (int k = 0; k <= DEGREE; k++) {
            s[k] += rxk;
            rxk *= x;
        }
        s[DEGREE + 1] += r * r;
    }
    for (int k = 0; k < SUMS; k++)
        part[k][lid] = s[k];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint stride = WG / 2; stride > 0; stride /= 2) {
        if (lid < stride)
            for (int k = 0; k < SUMS; k++)
                part[k][lid] += part[k][lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid != 0)
        return;
    float n = (float)count;
    results[loss_at] = 0.5f * part[DEGREE + 1][0] / n;
    if (update) {
        for (int k = 1; k <= DEGREE; k++)
            p[k - 1] = decay * w[k - 1] - lr * (part[k][0] / n);
        p[DEGREE] = b - lr * (part[0][0] / n);
    }
}
