#include "core/arena.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

struct arena_block {
    arena_block *next;
    size_t used, cap;
    char data[];
};

const char *arena_copy(arena *a, const void *p, size_t n)
{
    arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = xmalloc(sizeof *b + cap);
        b->used = 0;
        b->cap = cap;
        /* A block of its own goes behind the one being filled, which keeps its room. */
        if (a->head && n > ARENA_BLOCK) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    char *out = b->data + b->used;
    if (n) memcpy(out, p, n);
    b->used += n;
    return out;
}

void arena_free(arena *a)
{
    while (a->head) {
        arena_block *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}
