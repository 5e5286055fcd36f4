/* The losses of the concise API (nn.h): immutable objects, so that a new kind is a new
 * function and never a change to a struct the caller holds. */
#include "model/model_impl.h"

struct cln_loss {
    const char *name;
    double mse_scale; /* scale x mean((y_hat - y)^2) */
};

static const cln_loss mse = {"mse", 1.0};
static const cln_loss half_mse = {"half_mse", 0.5};

const cln_loss *cln_loss_mse(void) { return &mse; }
const cln_loss *cln_loss_half_mse(void) { return &half_mse; }
const char *cln_loss_name(const cln_loss *loss) { return loss ? loss->name : ""; }
double clni_loss_mse_scale(const cln_loss *loss) { return loss->mse_scale; }
