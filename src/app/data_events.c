#include "app/data_events.h"

#include <jansson.h>

#include "delivery/select.h"
#include "state/trail_state.h"

static bool may_select_data(const char *basic_json, const char *advanced_json, void *ctx)
{
    (void)ctx;
    json_t *basic = basic_json ? json_loads(basic_json, 0, NULL) : NULL;
    json_t *advanced = advanced_json ? json_loads(advanced_json, 0, NULL) : NULL;
    /* Unreadable stored selectors cannot be ruled out. */
    bool may = (basic_json && !basic) || (advanced_json && !advanced) ||
               select_may_select_data(basic, advanced);
    json_decref(basic);
    json_decref(advanced);
    return may;
}

bool data_events_wanted(data_event_gate *g, db_pool *pool)
{
    uint64_t gen = atomic_load(&g->generation);
    uint64_t c = atomic_load(&g->cached);
    if (c >> 1 == gen + 1) return c & 1;
    db_conn *db = db_acquire(pool);
    bool wanted = trail_any_selectors(db, may_select_data, NULL);
    db_release(pool, db);
    atomic_store(&g->cached, (gen + 1) << 1 | (wanted ? 1 : 0));
    return wanted;
}

void data_events_changed(data_event_gate *g)
{
    atomic_fetch_add(&g->generation, 1);
}
