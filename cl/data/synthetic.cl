/* d2l's SyntheticRegressionData, drawn a range of rows at a time: X from Philox stream 0,
 * then y = X w + b + noise * eps with eps from the noise stream. */
/* Normal numbers [first, first + n) of (seed, stream) into x[x_offset ..]: one item per
 * Philox block of four, the same numbers as cln_randn (mean 0, std 1) draws at those
 * places: X by range of rows, first = first_row * d, so that a shard or a block of host
 * rows holds the same numbers as the whole. */
kernel void cln_randn_range(global real *x, ulong x_offset, ulong first, ulong n, ulong seed,
                            uint stream)
{
    ulong block = first / 4 + get_global_id(0);
    ulong at = block * 4;
    if (at >= first + n)
        return;
    real z[4];
    cln_normal4(seed, stream, block, z);
    for (uint k = 0; k < 4; k++)
        if (at + k >= first && at + k < first + n)
            x[x_offset + (at + k - first)] = (real)0 + (real)1 * z[k];
}

/* The targets of rows [first_row, first_row + rows) of d2l's synthetic data, whose X is at
 * X + x_offset (row-major): y[i] = x . w + b + noise * normal number first_row + i of
 * noise_stream. One item per row. */
kernel void cln_synth_rows_y(global const real *X, ulong x_offset, global real *y,
                             ulong y_offset, ulong first_row, uint rows, uint d,
                             global const real *w, real b, real noise, ulong seed,
                             uint noise_stream)
{
    uint i = get_global_id(0);
    if (i >= rows)
        return;
    global const real *x = X + x_offset + (ulong)i * d;
    real acc = 0;
    for (uint j = 0; j < d; j++)
        acc += x[j] * w[j];
    y[y_offset + i] = acc + b + noise * cln_normal(seed, noise_stream, first_row + i);
}
