#include "state/tags.h"

#include <string.h>

#include "core/jsonutil.h"

/* How a namespace stores: the text in its rows, and whether it is IAM-like (keys without
 * case, listed in the order set). Each SQL text below comes in both flavours rather than
 * being built at run time: the statement cache is keyed by the literal's address. */
static const struct {
    const char *name;
    bool nocase;
} NAMESPACES[] = {
    [TAGS_ORGANIZATIONS] = {"organizations", false}, /* Organizations resource ids */
    [TAGS_IAM] = {"iam", true},                      /* iam_tag_resource_id() */
    [TAGS_TRAIL] = {"cloudtrail.trail", false},      /* trail ARNs */
    [TAGS_CHANNEL] = {"cloudtrail.channel", false},  /* channel ARNs */
    [TAGS_LOGS_GROUP] = {"logs.group", false},       /* log group ARNs, without ":*" */
    [TAGS_SNS_TOPIC] = {"sns.topic", false},         /* SNS topic ARNs */
    [TAGS_CW_ALARM] = {"cloudwatch.alarm", false},   /* CloudWatch alarm ARNs */
};

static const char *ns_name(tags_ns ns)
{
    return NAMESPACES[ns].name;
}

int64_t tags_count(db_conn *db, tags_ns ns, const char *resource_id)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM tags WHERE namespace = ? AND resource_id = ?", "ss",
               ns_name(ns), resource_id);
    return n;
}

bool tags_has(db_conn *db, tags_ns ns, const char *resource_id, const char *key)
{
    int64_t n = 0;
    if (NAMESPACES[ns].nocase)
        db_get_int(db, &n,
                   "SELECT COUNT(*) FROM tags WHERE namespace = ? AND resource_id = ? AND "
                   "key = ? COLLATE NOCASE",
                   "sss", ns_name(ns), resource_id, key);
    else
        db_get_int(db, &n,
                   "SELECT COUNT(*) FROM tags WHERE namespace = ? AND resource_id = ? AND key = ?",
                   "sss", ns_name(ns), resource_id, key);
    return n > 0;
}

json_t *tags_json(db_conn *db, tags_ns ns, const char *resource_id)
{
    json_t *arr = json_array();
    /* The id orders IAM's tags by when each key was last set: tags_put replaces a key by
     * deleting and inserting it. */
    sqlite3_stmt *st =
        NAMESPACES[ns].nocase
            ? db_query(db,
                       "SELECT key, value FROM tags WHERE namespace = ? AND resource_id = ? "
                       "ORDER BY id",
                       "ss", ns_name(ns), resource_id)
            : db_query(db,
                       "SELECT key, value FROM tags WHERE namespace = ? AND resource_id = ? "
                       "ORDER BY key",
                       "ss", ns_name(ns), resource_id);
    while (db_row(st)) {
        const char *key = db_text(st, 0), *value = db_text(st, 1);
        json_t *t = json_object();
        json_object_set_new(t, "Key", json_string_safe(key, strlen(key)));
        json_object_set_new(t, "Value", json_string_safe(value, strlen(value)));
        json_array_append_new(arr, t);
    }
    db_done(st);
    return arr;
}

int tags_put(db_conn *db, tags_ns ns, const char *resource_id, const char *key, const char *value)
{
    if (tags_remove(db, ns, resource_id, key)) return -1;
    return db_exec(db, "INSERT INTO tags(namespace, resource_id, key, value) VALUES(?, ?, ?, ?)",
                   "ssss", ns_name(ns), resource_id, key, value ? value : "");
}

int tags_put_json(db_conn *db, tags_ns ns, const char *resource_id, const json_t *tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        if (tags_put(db, ns, resource_id, json_string_value(json_object_get(t, "Key")),
                     json_string_value(json_object_get(t, "Value"))))
            return -1;
    }
    return 0;
}

int tags_remove(db_conn *db, tags_ns ns, const char *resource_id, const char *key)
{
    if (NAMESPACES[ns].nocase)
        return db_exec(db,
                       "DELETE FROM tags WHERE namespace = ? AND resource_id = ? AND "
                       "key = ? COLLATE NOCASE",
                       "sss", ns_name(ns), resource_id, key);
    return db_exec(db, "DELETE FROM tags WHERE namespace = ? AND resource_id = ? AND key = ?",
                   "sss", ns_name(ns), resource_id, key);
}

int tags_remove_keys(db_conn *db, tags_ns ns, const char *resource_id, const json_t *keys)
{
    size_t i;
    const json_t *k;
    json_array_foreach(keys, i, k)
    {
        if (tags_remove(db, ns, resource_id, json_string_value(k))) return -1;
    }
    return 0;
}

int tags_remove_all(db_conn *db, tags_ns ns, const char *resource_id)
{
    return db_exec(db, "DELETE FROM tags WHERE namespace = ? AND resource_id = ?", "ss",
                   ns_name(ns), resource_id);
}

int tags_move(db_conn *db, tags_ns ns, const char *from, const char *to)
{
    return db_exec(db, "UPDATE tags SET resource_id = ? WHERE namespace = ? AND resource_id = ?",
                   "sss", to, ns_name(ns), from);
}

int tags_forget_namespace(db_conn *db, tags_ns ns)
{
    return db_exec(db, "DELETE FROM tags WHERE namespace = ?", "s", ns_name(ns));
}
