#include <stdlib.h>

#include "train/board.h"

void clni_board_init(clni_board *b, cln_curve *curve, size_t every_n)
{
    b->curve = curve;
    b->capacity = 0; /* the curve starts empty */
    b->every_n = every_n ? every_n : 1;
    b->pending = 0;
    b->sum_x = b->sum_y = 0;
}

cln_status clni_board_draw(clni_board *b, cln_context *ctx, double x, double y)
{
    b->sum_x += x;
    b->sum_y += y;
    if (++b->pending < b->every_n)
        return CLN_SUCCESS;
    cln_curve *c = b->curve;
    if (c->count == b->capacity) {
        size_t cap = b->capacity ? 2 * b->capacity : 16;
        double *nx = realloc(c->x, cap * sizeof *nx);
        if (nx)
            c->x = nx;
        double *ny = nx ? realloc(c->y, cap * sizeof *ny) : NULL;
        if (!nx || !ny)
            return clni_fail(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_fit: out of memory for history");
        c->y = ny;
        b->capacity = cap;
    }
    c->x[c->count] = b->sum_x / (double)b->every_n;
    c->y[c->count] = b->sum_y / (double)b->every_n;
    c->count++;
    b->pending = 0;
    b->sum_x = b->sum_y = 0;
    return CLN_SUCCESS;
}
