/* d2l's SyntheticRegressionData: y = X w + b + noise * eps, eps from Philox stream
 * `noise_stream` (X was drawn first, from stream 0, by cln_randn). One item per row. */
kernel void cln_synth_targets(global const real *X, global const real *w, real b, real noise,
                              ulong seed, uint noise_stream, uint n, uint d, global real *y)
{
    uint row = get_global_id(0);
    if (row >= n)
        return;
    global const real *x = X + (ulong)row * d;
    real acc = 0;
    for (uint j = 0; j < d; j++)
        acc += x[j] * w[j];
    y[row] = acc + b + noise * cln_normal(seed, noise_stream, row);
}
