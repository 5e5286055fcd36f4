/* The agreements of a group's ranks: collective calls that every rank makes, in the same
 * order, so that a rank that fails stops every rank with its message instead of leaving
 * them waiting. Alone (group NULL) each is a plain pass-through. */
#ifndef CLNUM_APPS_LINREG_AGREE_H
#define CLNUM_APPS_LINREG_AGREE_H

#include <stddef.h>

#include "clnum/clnum.h"
#include "linreg_group.h"

/* A step's status, through the library's cln_group_agree(): every rank passes its own (its
 * message in cln_last_error(NULL)) and returns CLN_SUCCESS, or the lowest failing rank's
 * status with the message rank 0 prints there (that rank's own, or "rank R of K failed:
 * ..."). Alone: st. */
cln_status linreg_agree_step(const linreg_group *g, cln_status st);

/* The command line's action (linreg_action): a rank's bad command line, or ranks asking for
 * different things, make every rank's LINREG_ACT_BAD (LINREG_ACT_FAIL for an output that
 * cannot be written), the lowest such rank's reason in err on every rank ("rank R of K:
 * ..." where another rank's). */
int linreg_agree_command(const linreg_group *g, int act, char *err, size_t cap);

/* The largest of the ranks' *v, in *v; -1 when the group's transport fails (*v as it was). */
int linreg_agree_max(const linreg_group *g, int *v);

#endif
