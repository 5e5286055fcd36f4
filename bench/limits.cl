/* clnum-bench: kernels that measure the device's own limits, clpeak-style. */

/* Read bandwidth, work-items of a group side by side: group g reads the block
 * [g * L * loads, (g + 1) * L * loads) of float4s, item i at i, i + L, i + 2L, ...
 * (coalesced on a GPU). Each item writes one float so that no load can be dropped. */
kernel void bench_read_interleaved(global const float4 *src, uint loads, global float *out)
{
    size_t lsz = get_local_size(0);
    global const float4 *p = src + get_group_id(0) * lsz * loads + get_local_id(0);
    float4 acc = (float4)(0.0f);
    for (uint i = 0; i < loads; i++)
        acc += p[(size_t)i * lsz];
    out[get_global_id(0)] = acc.x + acc.y + acc.z + acc.w;
}

/* Read bandwidth, each work-item reading its own contiguous run of `loads` float4s
 * (streams well on a CPU, where one thread runs a whole work-group). */
kernel void bench_read_contiguous(global const float4 *src, uint loads, global float *out)
{
    global const float4 *p = src + get_global_id(0) * loads;
    float4 acc = (float4)(0.0f);
    for (uint i = 0; i < loads; i++)
        acc += p[i];
    out[get_global_id(0)] = acc.x + acc.y + acc.z + acc.w;
}

/* Launch cost: a kernel that does nothing. */
kernel void bench_empty(global float *unused)
{
    (void)unused;
}

/* Read bandwidth of whole rows of row_f8 float8s (W2's 1 KiB rows) in a shuffled order,
 * the access a minibatch makes: each work-item reads rows_per_item rows, four at a time
 * (four streams of loads in flight, as the trainer's CPU kernel does). */
kernel void bench_rows_per_item(global const float8 *src, global const uint *order,
                                uint row_f8, uint rows_per_item, global float *out)
{
    size_t first = get_global_id(0) * rows_per_item;
    float8 acc = (float8)(0.0f);
    for (uint r = 0; r < rows_per_item; r += 4) {
        global const float8 *p0 = src + (size_t)order[first + r] * row_f8;
        global const float8 *p1 = src + (size_t)order[first + r + 1] * row_f8;
        global const float8 *p2 = src + (size_t)order[first + r + 2] * row_f8;
        global const float8 *p3 = src + (size_t)order[first + r + 3] * row_f8;
        for (uint i = 0; i < row_f8; i++)
            acc += (p0[i] + p1[i]) + (p2[i] + p3[i]);
    }
    float4 s = acc.lo + acc.hi;
    out[get_global_id(0)] = (s.x + s.y) + (s.z + s.w);
}

/* The same rows, a work-group on each row in turn (item i at float4s i, i + L, ...:
 * coalesced on a GPU), rows_per_item rows a group. */
kernel void bench_rows_per_group(global const float4 *src, global const uint *order,
                                 uint row_f8, uint rows_per_item, global float *out)
{
    size_t lsz = get_local_size(0), first = get_group_id(0) * rows_per_item;
    uint row_f4 = 2 * row_f8;
    float4 acc = (float4)(0.0f);
    for (uint r = 0; r < rows_per_item; r++) {
        global const float4 *p = src + (size_t)order[first + r] * row_f4;
        for (uint i = get_local_id(0); i < row_f4; i += lsz)
            acc += p[i];
    }
    out[get_global_id(0)] = (acc.x + acc.y) + (acc.z + acc.w);
}
