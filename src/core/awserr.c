#include "core/awserr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 5, 0))) static void
set(aws_error *e, int status, const char *code, const char *reason, const char *fmt, va_list ap)
{
    e->status = status;
    snprintf(e->code, sizeof e->code, "%s", code);
    snprintf(e->reason, sizeof e->reason, "%s", reason ? reason : "");
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    e->extra_name[0] = e->extra_value[0] = '\0';
}

int aws_fail(aws_error *e, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set(e, status, code, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int aws_fail_reason(aws_error *e, int status, const char *code, const char *reason, const char *fmt,
                    ...)
{
    va_list ap;
    va_start(ap, fmt);
    set(e, status, code, reason, fmt, ap);
    va_end(ap);
    return -1;
}

void aws_error_clear(aws_error *e)
{
    memset(e, 0, sizeof *e);
}

int aws_error_set(const aws_error *e)
{
    return e->code[0] != '\0';
}
