#include "state/channel_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/tags.h"

#define CHANNEL_COLUMNS                                                                            \
    "arn, id, account_id, region, name, source, destinations, created_ms, last_success_ms, "       \
    "last_success_event_id, last_attempt_ms, last_attempt_event_id, last_error_code"

void channel_clear(channel *ch)
{
    free(ch->destinations);
    ch->destinations = NULL;
}

void channel_arn(char *out, size_t n, const char *region, const char *account_id, const char *id)
{
    snprintf(out, n, "arn:aws:cloudtrail:%s:%s:channel/%s", region, account_id, id);
}

static void copy(char *dst, size_t n, sqlite3_stmt *st, int col)
{
    snprintf(dst, n, "%s", db_text(st, col));
}

static int load(sqlite3_stmt *st, channel *ch)
{
    int found = 0;
    memset(ch, 0, sizeof *ch);
    if (db_row(st)) {
        copy(ch->arn, sizeof ch->arn, st, 0);
        copy(ch->id, sizeof ch->id, st, 1);
        copy(ch->account_id, sizeof ch->account_id, st, 2);
        copy(ch->region, sizeof ch->region, st, 3);
        copy(ch->name, sizeof ch->name, st, 4);
        copy(ch->source, sizeof ch->source, st, 5);
        ch->destinations = strdup(db_text(st, 6));
        if (!ch->destinations) abort();
        ch->created_ms = db_int(st, 7);
        ch->last_success_ms = db_int(st, 8);
        copy(ch->last_success_event_id, sizeof ch->last_success_event_id, st, 9);
        ch->last_attempt_ms = db_int(st, 10);
        copy(ch->last_attempt_event_id, sizeof ch->last_attempt_event_id, st, 11);
        copy(ch->last_error_code, sizeof ch->last_error_code, st, 12);
        found = 1;
    }
    db_done(st);
    return found;
}

int channel_get(db_conn *db, const char *arn, channel *ch)
{
    return load(db_query(db, "SELECT " CHANNEL_COLUMNS " FROM channels WHERE arn = ?", "s", arn),
                ch);
}

int channel_get_by_id(db_conn *db, const char *id, channel *ch)
{
    return load(db_query(db, "SELECT " CHANNEL_COLUMNS " FROM channels WHERE id = ?", "s", id), ch);
}

bool channel_name_taken(db_conn *db, const char *account_id, const char *region, const char *name,
                        const char *except_arn)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM channels WHERE account_id = ? AND region = ? AND name = ? "
               "AND arn <> ?",
               "ssss", account_id, region, name, except_arn ? except_arn : "");
    return n > 0;
}

int channel_count(db_conn *db, const char *account_id, const char *region)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM channels WHERE account_id = ? AND region = ?", "ss",
               account_id, region);
    return (int)n;
}

int channel_insert(db_conn *db, const channel *ch)
{
    return db_exec(db,
                   "INSERT INTO channels(arn, id, account_id, region, name, source, destinations, "
                   "created_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                   "sssssssi", ch->arn, ch->id, ch->account_id, ch->region, ch->name, ch->source,
                   ch->destinations, ch->created_ms);
}

int channel_update(db_conn *db, const char *arn, const char *name, const char *destinations)
{
    return db_exec(db, "UPDATE channels SET name = ?, destinations = ? WHERE arn = ?", "sss", name,
                   destinations, arn);
}

int channel_delete(db_conn *db, const char *arn)
{
    if (tags_remove_all(db, TAGS_CHANNEL, arn)) return -1;
    return db_exec(db, "DELETE FROM channels WHERE arn = ?", "s", arn);
}

int channel_note_ingestion(db_conn *db, const char *arn, int64_t now_ms, const char *attempt_id,
                           const char *success_event_id, const char *error_code)
{
    if (success_event_id &&
        db_exec(db,
                "UPDATE channels SET last_success_ms = ?, last_success_event_id = ? WHERE arn = ?",
                "iss", now_ms, success_event_id, arn))
        return -1;
    return db_exec(db,
                   "UPDATE channels SET last_attempt_ms = ?, last_attempt_event_id = ?, "
                   "last_error_code = ? WHERE arn = ?",
                   "isss", now_ms, attempt_id, error_code, arn);
}

json_t *channel_list_json(db_conn *db, const char *account_id, const char *region,
                          const char *after_arn, int limit, bool *more)
{
    json_t *a = json_array();
    sqlite3_stmt *st = db_query(db,
                                "SELECT arn, name FROM channels WHERE account_id = ? AND "
                                "region = ? AND arn > ? ORDER BY arn LIMIT ?",
                                "sssd", account_id, region, after_arn, limit + 1);
    *more = false;
    while (db_row(st)) {
        if ((int)json_array_size(a) == limit) {
            *more = true;
            break;
        }
        json_array_append_new(
            a, json_pack("{s:s, s:s}", "ChannelArn", db_text(st, 0), "Name", db_text(st, 1)));
    }
    db_done(st);
    return a;
}
