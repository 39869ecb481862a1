/* notify_state: the notify_outbox table. */
#include "state/notify_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static const char *nul(const char *s)
{
    return s && *s ? s : NULL;
}

int notify_queue(db_conn *db, const char *topic_arn, const char *service, const char *source_arn,
                 const char *source_account, const char *subject, const char *message,
                 int64_t now_ms)
{
    return db_exec(db,
                   "INSERT INTO notify_outbox(topic_arn, service, source_arn, source_account, "
                   "subject, message, created_ms) VALUES(?, ?, ?, ?, ?, ?, ?)",
                   "ssssssi", topic_arn, service, nul(source_arn), nul(source_account),
                   nul(subject), message, now_ms);
}

static char *dup_text(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s);
    char *d = xmalloc(n + 1);
    memcpy(d, s, n + 1);
    return d;
}

size_t notify_take(db_conn *db, size_t max, notify_item **out)
{
    *out = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = db_query(db,
                                "SELECT id, topic_arn, service, source_arn, source_account, "
                                "subject, message FROM notify_outbox ORDER BY id LIMIT ?",
                                "i", (int64_t)max);
    while (db_row(st)) {
        *out = xgrow(*out, &cap, n + 1, sizeof **out);
        notify_item *it = &(*out)[n++];
        memset(it, 0, sizeof *it);
        it->id = db_int(st, 0);
        snprintf(it->topic_arn, sizeof it->topic_arn, "%s", db_text(st, 1));
        snprintf(it->service, sizeof it->service, "%s", db_text(st, 2));
        snprintf(it->source_arn, sizeof it->source_arn, "%s", db_text(st, 3));
        snprintf(it->source_account, sizeof it->source_account, "%s", db_text(st, 4));
        it->subject = sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL : dup_text(db_text(st, 5));
        it->message = dup_text(db_text(st, 6));
    }
    db_done(st);
    return n;
}

void notify_items_free(notify_item *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].subject);
        free(v[i].message);
    }
    free(v);
}

int notify_done(db_conn *db, int64_t id)
{
    return db_exec(db, "DELETE FROM notify_outbox WHERE id = ?", "i", id);
}
