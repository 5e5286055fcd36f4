#include "linreg_agree.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "linreg_options.h"
#include "linreg_state.h"

cln_status linreg_agree_step(const linreg_group *g, cln_status st)
{
    if (!g)
        return st;
    if (st != CLN_SUCCESS) {
        /* what goes to the others: at most 499 bytes of this rank's message, or "out of
         * memory" for a malloc that failed without one */
        char text[500];
        snprintf(text, sizeof text, "%s", linreg_failure_message(st));
        cln_context_set_error(NULL, st, "%s", text);
    }
    return cln_group_agree(&g->group, NULL, st);
}

/* A rank's refusal of the command line, as it goes to the others. */
typedef struct refusal {
    int32_t status;  /* CLN_SUCCESS: none */
    char text[500];
} refusal;

/* Every rank passes *r; returns the lowest refusing rank, or the group's size when none
 * refused, and then every rank holds that rank's *r. This is cln_group_agree() but for the
 * message: that call hands the others a sentence of its own ("rank R of K failed: ...
 * (status)"), and the command line's reason reads "rank R of K: ...". */
static size_t lowest_refusal(const cln_group *g, refusal *r)
{
    double v = -(double)(r->status != CLN_SUCCESS ? g->rank : g->size);
    if (g->allreduce(&v, 1, CLN_REDUCE_MAX, g->user) != 0) {
        r->status = CLN_ERR_IO;
        snprintf(r->text, sizeof r->text, "the ranks' allreduce failed");
        return g->rank;
    }
    size_t first = (size_t)-v;
    if (first < g->size && g->broadcast(r, sizeof *r, first, g->user) != 0) {
        r->status = CLN_ERR_IO;
        snprintf(r->text, sizeof r->text, "the ranks' broadcast failed");
        return g->rank;
    }
    r->text[sizeof r->text - 1] = '\0';
    return first;
}

int linreg_agree_command(const linreg_group *g, int act, char *err, size_t cap)
{
    const cln_group *gr = &g->group;
    refusal r;
    memset(&r, 0, sizeof r);
    int failing = act == LINREG_ACT_BAD || act == LINREG_ACT_FAIL;
    r.status = act == LINREG_ACT_BAD ? CLN_ERR_BAD_ARGUMENT
             : act == LINREG_ACT_FAIL ? CLN_ERR_IO : CLN_SUCCESS;
    snprintf(r.text, sizeof r.text, "%.*s", (int)sizeof r.text - 1, failing ? err : "");
    size_t first = lowest_refusal(gr, &r);
    if (first < gr->size) {
        if (first == gr->rank)
            return act; /* its own reason is in err already */
        snprintf(err, cap, "rank %zu of %zu: %s", first, gr->size, r.text);
        return r.status == CLN_ERR_IO ? LINREG_ACT_FAIL : LINREG_ACT_BAD;
    }
    double v[2] = {act, -act}; /* the same action everywhere: its largest is minus its least */
    if (gr->allreduce(v, 2, CLN_REDUCE_MAX, gr->user) != 0 || v[0] != -v[1]) {
        snprintf(err, cap, "the ranks were given different command lines (one solver, "
                 "--help or --list-devices for all)");
        return LINREG_ACT_BAD;
    }
    return act;
}

int linreg_agree_max(const linreg_group *g, int *v)
{
    double x = *v;
    if (g->group.allreduce(&x, 1, CLN_REDUCE_MAX, g->group.user) != 0)
        return -1;
    *v = (int)x;
    return 0;
}
