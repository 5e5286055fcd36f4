/* The device self-check's probe (src/train/selfcheck.c): how many iterations a work-item's loop
 * really runs. OpenCL puts no bound on a loop, but some drivers end every loop of a
 * work-item after a fixed count (llvmpipe through rusticl: 65535, shared by all the loops
 * of a kernel); a long loop there stops early, silently. The state is a linear
 * congruential sequence, which a compiler cannot sum in closed form, so the loop is kept,
 * and the host finds from the final state how many steps were taken. */
kernel void cln_loop_probe(global uint *state, uint n)
{
    uint x = state[0];
    for (uint i = 0; i < n; i++)
        x = x * 1664525u + 1013904223u;
    state[0] = x;
}
