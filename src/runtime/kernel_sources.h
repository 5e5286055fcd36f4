/* The kernel sources of cl/, embedded at build time by cmake/embed_kernels.cmake. */
#ifndef CLNUM_KERNEL_SOURCES_H
#define CLNUM_KERNEL_SOURCES_H

#include <stddef.h>

typedef struct clni_kernel_source {
    const char *name;   /* path under cl/, e.g. "model/linreg.cl" */
    const char *text;
    size_t length;
} clni_kernel_source;

/* In the order they are compiled (kernel_list.h): runtime/common.cl first. */
extern const clni_kernel_source clni_kernel_sources[];
extern const size_t clni_kernel_source_count;

#endif
