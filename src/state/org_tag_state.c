#include "state/org_tag_state.h"

#include <string.h>

#include "core/jsonutil.h"

int64_t org_tag_count(db_conn *db, const char *resource_id)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM org_tags WHERE resource_id = ?", "s", resource_id);
    return n;
}

bool org_tag_exists(db_conn *db, const char *resource_id, const char *key)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM org_tags WHERE resource_id = ? AND key = ?", "ss",
               resource_id, key);
    return n > 0;
}

json_t *org_tags_json(db_conn *db, const char *resource_id)
{
    json_t *arr = json_array();
    sqlite3_stmt *st = db_query(
        db, "SELECT key, value FROM org_tags WHERE resource_id = ? ORDER BY key", "s", resource_id);
    while (db_row(st)) {
        const char *key = db_text(st, 0);
        json_t *t = json_object();
        json_object_set_new(t, "Key", json_string_safe(key, strlen(key)));
        const char *value = db_text(st, 1);
        json_object_set_new(t, "Value", json_string_safe(value, strlen(value)));
        json_array_append_new(arr, t);
    }
    db_done(st);
    return arr;
}

int org_tag_put(db_conn *db, const char *resource_id, const char *key, const char *value)
{
    return db_exec(db, "INSERT OR REPLACE INTO org_tags(resource_id, key, value) VALUES(?, ?, ?)",
                   "sss", resource_id, key, value);
}

int org_tag_remove(db_conn *db, const char *resource_id, const char *key)
{
    return db_exec(db, "DELETE FROM org_tags WHERE resource_id = ? AND key = ?", "ss", resource_id,
                   key);
}

int org_tags_drop(db_conn *db, const char *resource_id)
{
    return db_exec(db, "DELETE FROM org_tags WHERE resource_id = ?", "s", resource_id);
}

int org_tags_move(db_conn *db, const char *from, const char *to)
{
    return db_exec(db, "UPDATE org_tags SET resource_id = ? WHERE resource_id = ?", "ss", to, from);
}

int org_tag_forget_all(db_conn *db)
{
    return db_exec(db, "DELETE FROM org_tags", "");
}
