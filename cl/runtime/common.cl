/* Shared by every clnum kernel; compiled first. The host defines:
 *   REAL      float or double (one program per dtype)
 *   CLN_FP64  1 when REAL is double
 *   CLN_WG    the work-group size of the reduction kernels (a power of two) */
#if CLN_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

typedef REAL real;

/* For the library's own tests (CLNUM_TEST_BREAK_PATH, src/train/selfcheck.c): the cln_train_path
 * whose kernel takes a wrong step, as a faulty driver would; 0, none. */
#ifndef CLN_TEST_BREAK
#define CLN_TEST_BREAK 0
#endif
#if CLN_FP64
typedef double2 real2;
typedef double4 real4;
typedef double8 real8;
#else
typedef float2 real2;
typedef float4 real4;
typedef float8 real8;
#endif

/* Philox4x32-10 (Salmon et al., SC 2011), as in Random123; src/tensor/random.c is its twin. */
inline uint4 cln_philox4x32_10(uint4 c, uint2 k)
{
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k.x += 0x9E3779B9u;
            k.y += 0xBB67AE85u;
        }
        uint hi0 = mul_hi(0xD2511F53u, c.x), lo0 = 0xD2511F53u * c.x;
        uint hi1 = mul_hi(0xCD9E8D57u, c.z), lo1 = 0xCD9E8D57u * c.z;
        c = (uint4)(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    }
    return c;
}

/* Uniform in (0, 1): 23 bits plus a half, exact in float. */
inline real cln_uniform(uint w) { return ((real)(w >> 9) + (real)0.5) * (real)(1.0 / 8388608.0); }

/* Box-Muller: two words to two standard normals. */
inline void cln_box_muller(uint a, uint b, real *z0, real *z1)
{
    real r = sqrt((real)-2 * log(cln_uniform(a)));
    real t = 2 * cln_uniform(b);
    *z0 = r * cospi(t);
    *z1 = r * sinpi(t);
}

/* The four normals of counter block `block` of (seed, stream). */
inline void cln_normal4(ulong seed, uint stream, ulong block, real z[4])
{
    uint4 w = cln_philox4x32_10((uint4)((uint)block, (uint)(block >> 32), stream, 0u),
                                (uint2)((uint)seed, (uint)(seed >> 32)));
    cln_box_muller(w.x, w.y, &z[0], &z[1]);
    cln_box_muller(w.z, w.w, &z[2], &z[3]);
}

/* Normal value `index` of (seed, stream): the same as cln_philox_normal() on the host. */
inline real cln_normal(ulong seed, uint stream, ulong index)
{
    real z[4];
    cln_normal4(seed, stream, index / 4, z);
    return z[index % 4];
}

/* Sum of v over the work-group (of CLN_WG items); every item gets the result. The tree
 * has a fixed shape, so the result is the same on every run. */
inline real cln_group_sum(real v, local real *scratch)
{
    uint lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint s = CLN_WG / 2; s > 0; s >>= 1) {
        if (lid < s)
            scratch[lid] += scratch[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    real total = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}
