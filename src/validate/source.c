/* source: what every object source shares (see source.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "validate/source.h"

void vs_page_free(vs_page *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->keys[i]);
    free(p->keys);
    free(p->next_after);
    memset(p, 0, sizeof p[0]);
}

void vs_object_release(vs_object *o)
{
    if (o->map) munmap(o->map, o->map_len);
    free(o->heap);
    json_decref(o->metadata);
    memset(o, 0, sizeof o[0]);
}
