#include "core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>

void *xgrow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return p;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2) abort();
        n *= 2;
    }
    if (size && n > SIZE_MAX / size) abort();
    void *q = realloc(p, n * size);
    if (!q) abort();
    *cap = n;
    return q;
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) abort();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) abort();
    return p;
}
