/* arena: bytes copied into large blocks that stay put until the arena is freed.
 *
 * For many small copies that all die together (a streaming round's messages): one
 * malloc per ARENA_BLOCK bytes instead of one per copy, and, unlike a growing buffer,
 * nothing is ever moved, so a pointer into the arena stays valid until arena_free. A copy
 * larger than a block gets a block of its own. Out of memory aborts (core/xalloc.h). */
#ifndef ORGTRAIL_ARENA_H
#define ORGTRAIL_ARENA_H

#include <stddef.h>

#define ARENA_BLOCK (1u << 20)

typedef struct arena_block arena_block;
typedef struct arena {
    arena_block *head; /* the block being filled, then older ones */
} arena;

#define ARENA_INIT                                                                                 \
    {                                                                                              \
        NULL                                                                                       \
    }

/* A copy of p[0..n) owned by the arena; valid until arena_free(a). Never NULL. */
const char *arena_copy(arena *a, const void *p, size_t n);
/* Frees every block; the arena is empty and reusable afterwards. */
void arena_free(arena *a);

#endif
