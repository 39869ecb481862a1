/* objstore_list: listing keys (current versions) or all versions, with S3's prefix,
 * delimiter and marker rules. Keys sort by their UTF-8 bytes (SQLite's BINARY collation),
 * as S3 sorts them.
 *
 * Rolling keys up into a common prefix jumps the cursor past the whole prefix (prefix +
 * 0xFF, a byte no UTF-8 key contains) instead of reading every key under it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/objstore_internal.h"

void obj_list_free(obj_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        obj_info_clear(&l->items[i]);
    free(l->items);
    for (size_t i = 0; i < l->n_prefixes; i++)
        free(l->prefixes[i]);
    free(l->prefixes);
    free(l->next_key);
    memset(l, 0, sizeof *l);
}

/* The common prefix `key` rolls up into (malloc'd), or NULL when it is listed itself. */
static char *common_prefix(const char *key, const char *prefix, const char *delim)
{
    if (!delim || !delim[0]) return NULL;
    size_t pl = strlen(prefix);
    const char *hit = strstr(key + pl, delim);
    if (!hit) return NULL;
    size_t n = (size_t)(hit - key) + strlen(delim);
    char *p = malloc(n + 1);
    if (!p) abort();
    memcpy(p, key, n);
    p[n] = '\0';
    return p;
}

static char *dup_past(const char *s)
{
    /* s + "\xff": sorts after every key that starts with s. */
    size_t n = strlen(s);
    char *p = malloc(n + 2);
    if (!p) abort();
    memcpy(p, s, n);
    p[n] = '\xff';
    p[n + 1] = '\0';
    return p;
}

static sqlite3_stmt *query(db_conn *db, const char *bucket, const obj_list_opts *o,
                           const char *cursor, int64_t cursor_id, const char *prefix)
{
    if (o->versions)
        return db_query(db,
                        "SELECT " OBJ_COLS " FROM s3_objects WHERE bucket = ? AND key >= ? "
                        "AND (key > ? OR (key = ? AND id < ?)) ORDER BY key, id DESC",
                        "ssssi", bucket, prefix, cursor, cursor, cursor_id);
    return db_query(db,
                    "SELECT " OBJ_COLS " FROM s3_objects WHERE bucket = ? AND is_latest = 1 "
                    "AND delete_marker = 0 AND key >= ? AND key > ? ORDER BY key",
                    "sss", bucket, prefix, cursor);
}

static void push_item(obj_list *l, const obj_info *v)
{
    l->items = realloc(l->items, (l->n + 1) * sizeof *l->items);
    if (!l->items) abort();
    l->items[l->n++] = *v;
}

static void push_prefix(obj_list *l, char *p)
{
    l->prefixes = realloc(l->prefixes, (l->n_prefixes + 1) * sizeof *l->prefixes);
    if (!l->prefixes) abort();
    l->prefixes[l->n_prefixes++] = p;
}

int objstore_list(db_conn *db, const char *bucket, const obj_list_opts *o, obj_list *out,
                  aws_error *e)
{
    memset(out, 0, sizeof *out);
    int64_t one;
    if (!db_get_int(db, &one, "SELECT 1 FROM s3_buckets WHERE name = ?", "s", bucket)) {
        aws_fail(e, 404, "NoSuchBucket", "The specified bucket does not exist");
        snprintf(e->extra_name, sizeof e->extra_name, "BucketName");
        snprintf(e->extra_value, sizeof e->extra_value, "%s", bucket);
        return -1;
    }
    const char *prefix = o->prefix ? o->prefix : "";
    size_t plen = strlen(prefix);
    int max = o->max_keys;
    char *cursor = strdup(o->after ? o->after : "");
    if (!cursor) abort();
    int64_t cursor_id = 0;
    if (o->versions && o->after && o->version_marker && o->version_marker[0]) {
        /* Resume inside a key: versions older than the marker's (a marker that no longer
         * exists resumes after the whole key). */
        db_get_int(db, &cursor_id,
                   "SELECT id FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?",
                   "sss", bucket, o->after, o->version_marker);
    }
    /* A marker that is itself a common prefix resumes after everything under it. */
    char *cp = o->after ? common_prefix(o->after, prefix, o->delimiter) : NULL;
    if (cp && !strcmp(cp, o->after) && !strncmp(o->after, prefix, plen)) {
        free(cursor);
        cursor = dup_past(cp);
        cursor_id = 0;
    }
    free(cp);

    int count = 0;
    bool again = true;
    while (again) {
        again = false;
        sqlite3_stmt *st = query(db, bucket, o, cursor, cursor_id, prefix);
        while (db_row(st)) {
            const char *key = db_text(st, 1);
            if (strncmp(key, prefix, plen)) break; /* past the prefix range */
            if (count >= max) {
                out->truncated = true;
                break;
            }
            char *p = common_prefix(key, prefix, o->delimiter);
            if (p) {
                push_prefix(out, p);
                count++;
                free(cursor);
                cursor = dup_past(p);
                cursor_id = 0;
                again = true;
                break;
            }
            obj_info v;
            obj_row(st, &v);
            push_item(out, &v);
            count++;
            free(cursor);
            cursor = strdup(key);
            if (!cursor) abort();
            cursor_id = db_int(st, OBJ_COL_ID);
        }
        db_done(st);
    }
    free(cursor);
    if (out->truncated) {
        /* The last entry listed, whichever kind came last in key order. */
        const char *last_key = out->n ? out->items[out->n - 1].key : "";
        const char *last_prefix = out->n_prefixes ? out->prefixes[out->n_prefixes - 1] : "";
        bool prefix_last = strcmp(last_prefix, last_key) > 0;
        out->next_key = strdup(prefix_last ? last_prefix : last_key);
        if (!out->next_key) abort();
        if (!prefix_last && out->n)
            snprintf(out->next_version, sizeof out->next_version, "%s",
                     out->items[out->n - 1].version_id);
    }
    return 0;
}
