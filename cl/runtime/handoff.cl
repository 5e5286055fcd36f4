/* Hand-offs between the work-groups of one launch: the last group to finish a reduction
 * (the fused step, the data-parallel sums) reads what every other group wrote, and in the
 * persistent epoch each minibatch's groups read the step the one before wrote.
 *
 * With CLN_ACQ_REL = 1 (set by the host for a device with device-scope acquire/release:
 * OpenCL C 2.x, or 3.0 with __opencl_c_atomic_order_acq_rel and __opencl_c_atomic_scope_device,
 * the program then built as that version) these are the OpenCL 2.0 memory model's release
 * and acquire at device scope, and a group's global writes before it arrives at a counter
 * happen before the reads of a group that sees its arrival. With CLN_ACQ_REL = 0 they are
 * OpenCL 1.2's fences and atomics: what the drivers we know honour, but 1.2 does not order
 * one group's writes for another (.ci/README.md, finding 2). CLNUM_OPENCL_C=1.2 asks for
 * these on any device. */
#if CLN_ACQ_REL
#if __OPENCL_C_VERSION__ < 200 ||                                                           \
    (__OPENCL_C_VERSION__ >= 300 &&                                                         \
     !(defined(__opencl_c_atomic_order_acq_rel) && defined(__opencl_c_atomic_scope_device)))
#error "CLN_ACQ_REL needs device-scope acquire/release: OpenCL C 2.x, or 3.0 with both features"
#endif
#define CLN_ATOMIC(p) ((volatile global atomic_uint *)(p))

/* A barrier of the whole group after which its global writes are visible device-wide
 * (released by one work-item's release), and before which another group's writes that one
 * work-item acquired are visible to every work-item of the group. */
inline void cln_barrier_device(void)
{
    work_group_barrier(CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE, memory_scope_device);
}
inline uint cln_inc_relaxed(volatile global uint *p)
{
    return atomic_fetch_add_explicit(CLN_ATOMIC(p), 1u, memory_order_relaxed,
                                     memory_scope_device);
}
inline uint cln_inc_acq_rel(volatile global uint *p)
{
    return atomic_fetch_add_explicit(CLN_ATOMIC(p), 1u, memory_order_acq_rel,
                                     memory_scope_device);
}
inline uint cln_load_acquire(volatile global uint *p)
{
    return atomic_load_explicit(CLN_ATOMIC(p), memory_order_acquire, memory_scope_device);
}
inline void cln_store_relaxed(volatile global uint *p, uint v)
{
    atomic_store_explicit(CLN_ATOMIC(p), v, memory_order_relaxed, memory_scope_device);
}
#else
inline void cln_barrier_device(void)
{
    mem_fence(CLK_GLOBAL_MEM_FENCE);
    barrier(CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE);
}
inline uint cln_inc_relaxed(volatile global uint *p) { return atomic_inc(p); }
inline uint cln_inc_acq_rel(volatile global uint *p)
{
    mem_fence(CLK_GLOBAL_MEM_FENCE);
    uint old = atomic_inc(p);
    mem_fence(CLK_GLOBAL_MEM_FENCE);
    return old;
}
inline uint cln_load_acquire(volatile global uint *p)
{
    uint v = *p;
    mem_fence(CLK_GLOBAL_MEM_FENCE);
    return v;
}
inline void cln_store_relaxed(volatile global uint *p, uint v) { atomic_xchg(p, v); }
#endif

/* Every work-item of the group calls it: one work-item adds 1 to *counter, after the
 * group's global writes, and every work-item gets the count before (the same for all, kept
 * in *old). A group that gets n - 1 of n sees the writes of all n. */
inline uint cln_group_arrive(volatile global uint *counter, local uint *old)
{
    cln_barrier_device();
    if (get_local_id(0) == 0)
        *old = cln_inc_acq_rel(counter);
    cln_barrier_device();
    return *old;
}

/* Every work-item of the group calls it: returns once *counter >= target, with the writes
 * made before the arrivals that took it there visible to the group. */
inline void cln_group_wait_for(volatile global uint *counter, uint target)
{
    if (get_local_id(0) == 0)
        while (cln_load_acquire(counter) < target)
            ;
    cln_barrier_device();
}
