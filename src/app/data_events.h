/* data_events: does any trail want data events at all?
 *
 * CloudTrail records a data event only for trails whose selectors select it, and most
 * trails select none. Recording every S3 object call anyway would cost each GetObject a
 * journal append and the wait for its fsync, for a record no trail can ever deliver
 * (selection happens as of capture: a selector put later never reaches back). So the
 * frontend asks data_events_wanted first and skips the record when no trail's current
 * selectors could select a data event (select_may_select_data; conservative: any
 * DataResources entry, any advanced selector not ruling eventCategory Data out).
 *
 * The answer is cached against a generation that data_events_changed bumps after every
 * successful CloudTrail change has committed. A request that starts after such a change
 * returned therefore sees its effect; one running concurrently with it may fall either
 * side, as with any concurrent selector change (delivery/select.h). The cache is one
 * atomic word (generation << 1 | answer), so a stale recomputation can never pass for a
 * current one. Lives in the server context (app/server.h). */
#ifndef ORGTRAIL_SVC_DATA_EVENTS_H
#define ORGTRAIL_SVC_DATA_EVENTS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "state/db.h"

typedef struct data_event_gate {
    _Atomic uint64_t generation; /* bumped by data_events_changed */
    _Atomic uint64_t cached;     /* (generation + 1) << 1 | wanted; 0 = never computed */
} data_event_gate;

/* Whether some trail could select a data event now. Reads the trails from `pool` only when
 * a change happened since the last answer. */
bool data_events_wanted(data_event_gate *g, db_pool *pool);
/* A trail's configuration changed (committed): the next question reads the trails again. */
void data_events_changed(data_event_gate *g);

#endif
