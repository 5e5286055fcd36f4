/* d2l's ProgressBoard.draw, without the drawing: every `every_n` points drawn become one
 * plotted point at their mean x and mean y; the rest wait for the next draw. */
#ifndef CLNUM_BOARD_H
#define CLNUM_BOARD_H

#include "data/data_impl.h"

typedef struct clni_board {
    cln_curve *curve;
    size_t capacity;
    size_t every_n;
    size_t pending;
    double sum_x, sum_y;
} clni_board;

void clni_board_init(clni_board *b, cln_curve *curve, size_t every_n);
/* Returns CLN_ERR_OUT_OF_HOST_MEMORY if the curve cannot grow (ctx gets the message). */
cln_status clni_board_draw(clni_board *b, cln_context *ctx, double x, double y);

#endif
