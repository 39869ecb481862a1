#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void ot_log(const char *fmt, ...)
{
    /* One buffer, one write(2): stdio's stderr is unbuffered and would split the line. */
    char line[2048];
    static const char prefix[] = "orgtrail: ";
    size_t n = sizeof prefix - 1;
    memcpy(line, prefix, n);
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (w < 0) return;
    n += (size_t)w < sizeof line - n - 1 ? (size_t)w : sizeof line - n - 2;
    if (n > 0 && line[n - 1] == '\n') n--; /* callers need not end with a newline; one is added */
    line[n++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, n);
    (void)ignored;
}
