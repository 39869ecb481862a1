/* xalloc: allocations that cannot fail, and growing arrays without repeating the
 * doubling and overflow checks.
 *
 * Running out of memory aborts, as everywhere else in orgtrail: no caller could do
 * anything useful with a half-built list. */
#ifndef ORGTRAIL_XALLOC_H
#define ORGTRAIL_XALLOC_H

#include <stddef.h>

/* Returns p (realloc'd when *cap < need) with room for at least `need` elements of
 * `size` bytes; *cap is updated. p may be NULL with *cap 0. */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);

/* malloc and calloc that abort instead of returning NULL (caller frees). */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);

#endif
