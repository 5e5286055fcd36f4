/* A whole epoch in one launch across every work-group: the groups stay resident
 * ("persistent") and take the epoch's work in chunks, in order, from a ticket counter.
 * Minibatch k is cut into `chunks` chunks of chunk_rows rows, ticket t is chunk t % chunks
 * of minibatch t / chunks (training minibatches, then validation ones). The last chunk of a
 * minibatch to arrive sums the chunks' partial sums in chunk order (so results do not depend
 * on which group took which chunk), writes the loss and applies the step; groups holding a
 * chunk of the next minibatch wait on the device for that, not for a new launch.
 *
 * Why the wait cannot deadlock: a group waits only for the minibatch before its ticket's,
 * whose chunks all have smaller tickets and so are held by groups that are already running
 * (tickets are taken in order, by running groups). It needs only that a running group keeps
 * running while another waits, as CPU threads and resident GPU work-groups do (the
 * "occupancy-bound" model of Sorensen et al., OOPSLA 2016), not that every group of the
 * launch runs at once: a group that starts late finds no ticket left and leaves.
 *
 * sync[] is all 0 at launch; the last group to leave sets it back to 0. */
#define CLN_SYNC_TICKET 0   /* next ticket */
#define CLN_SYNC_FINISHED 1 /* minibatches finished */
#define CLN_SYNC_ARRIVED 2  /* chunks of the current minibatch done */
#define CLN_SYNC_LEFT 3     /* groups that left */

/* losses[k] is minibatch k's loss (training, then validation); w and b as the epoch ends
 * them follow the losses, then w and b as it started. */
kernel void cln_linreg_epoch_groups(global const real *Xt, ulong xt_offset, global const real *yt,
                                    ulong yt_offset, uint n_train, global const uint *index,
                                    global const real *Xv, ulong xv_offset,
                                    global const real *yv, ulong yv_offset, uint n_val, uint d,
                                    uint batch, uint chunk_rows, uint chunks, global real *w_g,
                                    global real *b_g, global real *grad_w, global real *grad_b,
                                    real lr, real decay, real loss_scale, uint lanes,
                                    global real *losses,
                                    global real *partial,
                                    volatile global uint *sync, local real *red, local real *acc,
                                    local real *w, local real *sums)
{
    uint lid = get_local_id(0), wg = get_local_size(0);
    uint slots = wg / lanes;
    local real *rsum = sums, *rsq = sums + slots;
    local uint ticket, arrived;
    volatile global real *w_shared = w_g, *b_shared = b_g;
    volatile global const real *all = partial;
    if (CLN_TEST_BREAK == 4)
        lr *= (real)0.5;

    uint nb_train = (n_train + batch - 1) / batch, nb_val = (n_val + batch - 1) / batch;
    uint nb = nb_train + nb_val, tickets = nb * chunks;
    cln_clear_local(acc, slots * d);
    cln_clear_local(sums, 2 * slots);
    /* (No break, continue or barrier under a condition in this loop: every work-item of a
     * group goes round it the same way, which CPU drivers' work-item loops rely on.) */
    if (lid == 0)
        ticket = cln_inc_relaxed(&sync[CLN_SYNC_TICKET]);
    barrier(CLK_LOCAL_MEM_FENCE);
    uint t = ticket;
    while (t < tickets) {
        uint k = t / chunks, c = t % chunks;
        cln_group_wait_for(&sync[CLN_SYNC_FINISHED], k); /* minibatch k - 1's step is in w_g */
        for (uint j = lid; j < d; j += wg) /* w after k steps (all of them for validation) */
            w[j] = w_shared[j];
        real b = b_shared[0];
        barrier(CLK_LOCAL_MEM_FENCE);
        int train = k < nb_train;
        if (t == 0) /* before anyone can step: the epoch's starting w and b */
            for (uint j = lid; j <= d; j += wg)
                losses[nb + d + 1 + j] = j < d ? w[j] : b;

        uint first = (train ? k : k - nb_train) * batch;
        uint count = min(batch, (train ? n_train : n_val) - first);
        ulong begin = first + min(count, c * chunk_rows);
        ulong end = first + min(count, (c + 1) * chunk_rows);
        if (train)
            cln_accumulate_rows(Xt, xt_offset, d, index, begin, end, yt, yt_offset, w, b, lanes,
                                1, red, acc, rsum, rsq);
        else
            cln_accumulate_rows(Xv, xv_offset, d, NULL, begin, end, yv, yv_offset, w, b, lanes,
                                0, red, acc, rsum, rsq);
        barrier(CLK_LOCAL_MEM_FENCE);

        cln_publish_sums(partial + (ulong)c * (d + 2), acc, rsum, rsq, slots, d, train);
        int last = cln_group_arrive(&sync[CLN_SYNC_ARRIVED], &arrived) == chunks - 1;

        /* The minibatch's last chunk sums the chunks in order and steps; after the last
         * training step, w and b also go after the losses (the epoch's one read). */
        if (last) {
            real scale = 2 * loss_scale / (real)count;
            int final_step = k == nb_train - 1;
            global real *tail = losses + nb;
            for (uint j = lid; j < d + 2; j += wg) {
                if (j < d && !train)
                    continue;
                real total = cln_sum_published(all, chunks, d, j);
                if (j < d) {
                    real wj = decay * w_shared[j];
                    real next = wj - lr * scale * total;
                    w_shared[j] = next;
                    if (final_step) {
                        grad_w[j] = scale * total;
                        tail[j] = next;
                    }
                } else if (j == d && train) {
                    real next = b_shared[0] - lr * scale * total;
                    b_shared[0] = next;
                    if (final_step) {
                        grad_b[0] = scale * total;
                        tail[d] = next;
                    }
                } else if (j == d + 1) {
                    losses[k] = loss_scale * total / (real)count;
                }
            }
        }
        cln_barrier_device();
        if (lid == 0) {
            if (last) { /* let the next minibatch go */
                cln_store_relaxed(&sync[CLN_SYNC_ARRIVED], 0);
                cln_inc_acq_rel(&sync[CLN_SYNC_FINISHED]);
            }
            ticket = cln_inc_relaxed(&sync[CLN_SYNC_TICKET]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        t = ticket;
    }

    /* Every group has taken its last ticket once all have left: the counters are free. */
    if (lid == 0 && cln_inc_acq_rel(&sync[CLN_SYNC_LEFT]) == get_num_groups(0) - 1) {
        cln_store_relaxed(&sync[CLN_SYNC_TICKET], 0);
        cln_store_relaxed(&sync[CLN_SYNC_FINISHED], 0);
        cln_store_relaxed(&sync[CLN_SYNC_LEFT], 0);
    }
}
