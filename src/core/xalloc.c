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
