/* NaN and infinity, found on the device: the smallest row of a block of rows holding one. */

/* x[offset .. offset + n) is a row-major block of rows of `cols` values each. Every item
 * looks at one value; one that is NaN or infinite lowers *first_bad to its row's index (the
 * host starts it at UINT_MAX, "none"). atomic_min makes the result the smallest such row
 * whatever order the items run in, so it is the same on every run and every device. */
kernel void cln_check_finite(global const real *x, ulong offset, ulong n, ulong cols,
                             volatile global uint *first_bad)
{
    ulong i = get_global_id(0);
    if (i < n && !isfinite(x[offset + i]))
        atomic_min(first_bad, (uint)(i / cols));
}
