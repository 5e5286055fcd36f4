/* Data-parallel training over MPI (clnum/mpi.h): a cln_group whose collectives are MPI's,
 * and a device per rank. Everything else is the group code (dist.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clnum/mpi.h"

/* libclnum_mpi uses only libclnum's public API, as any program linking it would. */
#define CHECK(call)                    \
    do {                               \
        cln_status check_st_ = (call); \
        if (check_st_ != CLN_SUCCESS)  \
            return check_st_;          \
    } while (0)

static cln_status null_argument(const char *fn, const char *name)
{
    return cln_context_set_error(NULL, CLN_ERR_BAD_ARGUMENT, "%s: %s is NULL", fn, name);
}

/* The communicator travels in the group's user pointer as its Fortran handle, an integer
 * whatever MPI_Comm is in this MPI. */
static MPI_Comm comm_of(void *user) { return MPI_Comm_f2c((MPI_Fint)(intptr_t)user); }

static int mpi_allreduce(double *values, size_t n, cln_reduce_op op, void *user)
{
    if (n > INT32_MAX)
        return -1;
    return MPI_Allreduce(MPI_IN_PLACE, values, (int)n, MPI_DOUBLE,
                         op == CLN_REDUCE_MAX ? MPI_MAX : MPI_SUM, comm_of(user)) == MPI_SUCCESS
               ? 0
               : -1;
}

static int mpi_broadcast(void *data, size_t bytes, size_t root, void *user)
{
    if (bytes > INT32_MAX)
        return -1;
    return MPI_Bcast(data, (int)bytes, MPI_BYTE, (int)root, comm_of(user)) == MPI_SUCCESS ? 0
                                                                                          : -1;
}

cln_status cln_mpi_group(MPI_Comm comm, cln_group *group)
{
    if (!group)
        return null_argument("cln_mpi_group", "group");
    int initialized = 0, rank = 0, size = 0;
    MPI_Initialized(&initialized);
    if (!initialized || comm == MPI_COMM_NULL)
        return cln_context_set_error(NULL, CLN_ERR_BAD_ARGUMENT,
                         "cln_mpi_group: %s", initialized ? "the communicator is MPI_COMM_NULL"
                                                          : "MPI is not initialised (MPI_Init)");
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    group->rank = (size_t)rank;
    group->size = (size_t)size;
    group->allreduce = mpi_allreduce;
    group->broadcast = mpi_broadcast;
    group->user = (void *)(intptr_t)MPI_Comm_c2f(comm);
    return CLN_SUCCESS;
}

cln_status cln_mpi_agree(MPI_Comm comm, cln_context *ctx, cln_status local)
{
    cln_group g;
    CHECK(cln_mpi_group(comm, &g));
    return cln_group_agree(&g, ctx, local);
}

/* This rank's rank among the communicator's ranks on its node. */
static int local_rank(MPI_Comm comm)
{
    int rank = 0, local = 0;
    MPI_Comm node;
    MPI_Comm_rank(comm, &rank);
    if (MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node) !=
        MPI_SUCCESS)
        return rank;
    MPI_Comm_rank(node, &local);
    MPI_Comm_free(&node);
    return local;
}

/* The (local rank mod G)-th GPU as a "P:D" selector, or "" for the default device. */
static cln_status choose_by_local_rank(int local, char *selector, size_t cap)
{
    selector[0] = '\0';
    cln_device_info *list;
    size_t count;
    CHECK(cln_devices_list(&list, &count));
    size_t gpus = 0;
    for (size_t i = 0; i < count; i++)
        gpus += list[i].type == CLN_DEVICE_GPU;
    if (gpus > 0) {
        size_t want = (size_t)local % gpus;
        for (size_t i = 0; i < count; i++) {
            if (list[i].type != CLN_DEVICE_GPU)
                continue;
            if (want-- == 0) {
                snprintf(selector, cap, "%zu:%zu", list[i].platform_index, list[i].device_index);
                break;
            }
        }
    }
    cln_devices_free(list);
    return CLN_SUCCESS;
}

cln_status cln_mpi_context_create(MPI_Comm comm, const char *selector, cln_context **out)
{
    if (!out)
        return null_argument("cln_mpi_context_create", "out");
    *out = NULL;
    cln_group g;
    CHECK(cln_mpi_group(comm, &g));
    int local = local_rank(comm); /* collective: every rank, whatever it then chooses */
    const char *env = getenv("CLNUM_DEVICE");
    char chosen[64] = "";
    cln_status st = CLN_SUCCESS;
    if (!(selector && *selector) && !(env && *env))
        st = choose_by_local_rank(local, chosen, sizeof chosen);
    cln_context *ctx = NULL;
    if (st == CLN_SUCCESS)
        st = cln_context_create(selector && *selector ? selector : chosen[0] ? chosen : NULL, &ctx);
    /* Messages go to cln_last_error(NULL): on failure no rank keeps a context. */
    st = cln_group_agree(&g, NULL, st);
    if (st != CLN_SUCCESS) {
        cln_context_free(ctx);
        return st;
    }
    *out = ctx;
    return CLN_SUCCESS;
}

cln_status cln_mpi_fit(cln_linreg *m, const cln_dataset *shard, const cln_trainer_config *cfg,
                       MPI_Comm comm, cln_history *history, cln_group_stats *stats)
{
    if (history) /* filled or zeroed on every path, as cln_fit does */
        memset(history, 0, sizeof *history);
    cln_group g;
    CHECK(cln_mpi_group(comm, &g));
    return cln_fit_group(m, shard, cfg, &g, history, stats);
}
