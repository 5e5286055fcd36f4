/* clnum-bench: the one-line message of a failure. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

cln_status bench_fail(bench_error *err, cln_status status, const char *detail, const char *fmt,
                      ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err->message, sizeof err->message, "%s: %s (%d)%s%s", what, cln_status_str(status),
             (int)status, detail && *detail ? ": " : "", detail ? detail : "");
    /* One line, even when the detail is a build log. */
    for (char *p = strpbrk(err->message, "\r\n"); p; p = strpbrk(p, "\r\n"))
        *p = ' ';
    return status;
}
