/* The dtypes, and host values between double, the API's type, and a dtype's own. */
#include <string.h>

#include "runtime/internal.h"

size_t cln_dtype_size(cln_dtype dtype)
{
    switch (dtype) {
    case CLN_FLOAT32: return sizeof(cl_float);
    case CLN_FLOAT64: return sizeof(cl_double);
    default: return 0;
    }
}

void clni_doubles_to_dtype(void *dst, cln_dtype dtype, const double *src, size_t n)
{
    if (dtype == CLN_FLOAT64) {
        memcpy(dst, src, n * sizeof *src);
        return;
    }
    float *f = dst;
    for (size_t i = 0; i < n; i++)
        f[i] = (float)src[i];
}

void clni_dtype_to_doubles(double *dst, cln_dtype dtype, const void *src, size_t n)
{
    if (dtype == CLN_FLOAT64) {
        memcpy(dst, src, n * sizeof *dst);
        return;
    }
    const float *f = src;
    for (size_t i = 0; i < n; i++)
        dst[i] = f[i];
}
