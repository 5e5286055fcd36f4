/* Two-stage sum: each group sums a contiguous chunk into partial[group]; one group then
 * sums the partials in order. No float atomics, so the result is reproducible. */

kernel __attribute__((reqd_work_group_size(CLN_WG, 1, 1)))
void cln_sum_partial(global const real *x, ulong offset, ulong n, ulong chunk,
                     global real *partial)
{
    local real scratch[CLN_WG];
    ulong begin = get_group_id(0) * chunk;
    ulong end = min(begin + chunk, n);
    real acc = 0;
    for (ulong i = begin + get_local_id(0); i < end; i += CLN_WG)
        acc += x[offset + i];
    real total = cln_group_sum(acc, scratch);
    if (get_local_id(0) == 0)
        partial[get_group_id(0)] = total;
}

/* out[out_offset] = scale * sum(partial[0 .. count)). */
kernel __attribute__((reqd_work_group_size(CLN_WG, 1, 1)))
void cln_sum_final(global const real *partial, uint count, real scale, global real *out,
                   ulong out_offset)
{
    local real scratch[CLN_WG];
    real acc = 0;
    for (uint i = get_local_id(0); i < count; i += CLN_WG)
        acc += partial[i];
    real total = cln_group_sum(acc, scratch);
    if (get_local_id(0) == 0)
        out[out_offset] = scale * total;
}
