/* Element-wise tensor kernels: fill, random normal, axpy, scale. */

kernel void cln_fill(global real *x, ulong offset, ulong n, real value)
{
    ulong i = get_global_id(0);
    if (i < n)
        x[offset + i] = value;
}

/* One item per Philox block: four consecutive elements, the tail guarded. */
kernel void cln_randn(global real *x, ulong offset, ulong n, real mean, real std, ulong seed,
                      uint stream)
{
    ulong block = get_global_id(0);
    ulong first = block * 4;
    if (first >= n)
        return;
    real z[4];
    cln_normal4(seed, stream, block, z);
    for (uint k = 0; k < 4 && first + k < n; k++)
        x[offset + first + k] = mean + std * z[k];
}

kernel void cln_axpy(real alpha, global const real *x, ulong x_offset, global real *y,
                     ulong y_offset, ulong n)
{
    ulong i = get_global_id(0);
    if (i < n)
        y[y_offset + i] += alpha * x[x_offset + i];
}

kernel void cln_scale(real alpha, global real *x, ulong offset, ulong n)
{
    ulong i = get_global_id(0);
    if (i < n)
        x[offset + i] *= alpha;
}
