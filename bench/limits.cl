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
