/* What the trainer knows of an optimizer beyond nn.h. */
#ifndef CLNUM_OPTIMIZER_H
#define CLNUM_OPTIMIZER_H

#include "runtime/internal.h"

/* The context that owns opt (not NULL). */
cln_context *clni_optimizer_context(const cln_optimizer *opt);

#endif
