#include "svc/ingest_bulk.h"

#include <stdlib.h>
#include <string.h>

#include "capture/journal.h"
#include "ingest/ndjson.h"
#include "ingest/recipients.h"

/* eventIDs seen in this request: open addressing over copies of the ids. */
typedef struct id_set {
    char **slots;
    size_t cap;
} id_set;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* true when id was new (and is now in the set). */
static bool id_set_add(id_set *s, const char *id)
{
    size_t mask = s->cap - 1;
    for (size_t i = fnv1a(id) & mask;; i = (i + 1) & mask) {
        if (!s->slots[i]) {
            s->slots[i] = strdup(id);
            if (!s->slots[i]) abort();
            return true;
        }
        if (!strcmp(s->slots[i], id)) return false;
    }
}

static void add_error(json_t *errors, size_t line, const char *code, const char *message)
{
    if (json_array_size(errors) < INGEST_BULK_MAX_ERRORS)
        json_array_append_new(errors, json_pack("{s:I, s:s, s:s}", "line", (json_int_t)line,
                                                "errorCode", code, "errorMessage", message));
}

int ingest_bulk(call_ctx *c)
{
    const buf *body = &c->http->body;
    /* Upper bound on records: one per newline, plus a last line without one. */
    size_t max_lines = 1;
    for (const char *p = body->data;
         p && (p = memchr(p, '\n', body->len - (size_t)(p - body->data))); p++)
        max_lines++;
    id_set seen = {NULL, 16};
    while (seen.cap < max_lines * 2)
        seen.cap <<= 1;
    seen.slots = calloc(seen.cap, sizeof *seen.slots);
    journal_item *items = calloc(max_lines, sizeof *items);
    if (!seen.slots || !items) abort();

    recipients rc;
    recipients_init(&rc, c->db, c->caller->account_id);
    json_t *errors = json_array();
    size_t n_items = 0, rejected = 0;
    ndjson_cursor cur;
    ndjson_init(&cur, body->data ? body->data : "", body->len);
    const char *line;
    size_t len;
    while (ndjson_next(&cur, &line, &len)) {
        ndjson_record_info info;
        ingest_fault f;
        if (ndjson_check_record(line, len, &info, &f)) {
            add_error(errors, cur.line_no, f.code, f.message);
            rejected++;
        } else if (!recipients_allowed(&rc, info.recipient)) {
            char m[200];
            snprintf(m, sizeof m, "The caller may not write records for account %s.",
                     info.recipient);
            add_error(errors, cur.line_no, "InvalidRecipient", m);
            rejected++;
        } else if (!id_set_add(&seen, info.event_id)) {
            add_error(errors, cur.line_no, "DuplicatedEventID",
                      "An earlier line of this request has the same eventID.");
            rejected++;
        } else {
            items[n_items].payload = line;
            items[n_items].len = len;
            n_items++;
        }
    }
    uint64_t first;
    int ret = 0;
    if (n_items && journal_append_batch(c->env->journal, items, n_items, &first, &c->err)) {
        ret = -1;
    } else {
        c->out = json_pack("{s:I, s:I, s:O}", "accepted", (json_int_t)n_items, "rejected",
                           (json_int_t)rejected, "errors", errors);
        if (rejected > INGEST_BULK_MAX_ERRORS)
            json_object_set_new(c->out, "errorsTruncated", json_true());
        c->response_elements = json_pack("{s:I, s:I}", "accepted", (json_int_t)n_items, "rejected",
                                         (json_int_t)rejected);
    }
    c->request_parameters =
        json_pack("{s:I, s:I}", "lines", (json_int_t)cur.line_no, "bytes", (json_int_t)body->len);
    json_decref(errors);
    for (size_t i = 0; i < seen.cap; i++)
        free(seen.slots[i]);
    free(seen.slots);
    free(items);
    return ret;
}
