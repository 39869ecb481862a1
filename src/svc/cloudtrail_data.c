/* cloudtrail_data: the cloudtrail-data API, PutAuditEvents — events from the
 * organization's own services, sent through a CloudTrail channel (cloudtrail_channels.c).
 *
 * The request as a whole is refused with the model's errors: InvalidChannelARN (not a
 * channel ARN), ChannelNotFound (no such channel in this region),
 * ChannelInsufficientPermission (another account's channel), DuplicatedAuditEventId (two
 * events with one id), and ValidationException past 1 MB of eventData in total. Then every
 * event is checked (ingest/audit_event.h) and its recipient account authorised
 * (ingest/recipients.h) before anything is stored; the good ones are appended to the
 * journal in one group commit, so that a request's accepted events are durable together
 * before the response lists them in successful[] (id, and the eventID CloudTrail
 * assigned), and the refused ones in failed[] (id, errorCode, errorMessage). A journal
 * failure refuses the whole request (ServiceUnavailable) and stores none of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/journal.h"
#include "core/ids.h"
#include "core/log.h"
#include "ingest/audit_event.h"
#include "ingest/recipients.h"
#include "svc/cloudtrail_internal.h"
#include "svc/ingest_bulk.h"

#define CHANNEL_RESOURCE_TYPE "AWS::CloudTrail::Channel"

/* The channel PutAuditEvents names, by ARN or by ID ("the ARN suffix"): the caller's, in the
 * calling region. */
static int resolve(call_ctx *c, const char *arn_or_id, channel *ch)
{
    return ct_resolve_channel(c, arn_or_id, "InvalidChannelARN", "ChannelNotFound",
                              "ChannelInsufficientPermission", ch);
}

static int check_request(call_ctx *c, const json_t *events)
{
    size_t i, k, total = 0;
    const json_t *e, *o;
    json_array_foreach(events, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "id"));
        json_array_foreach(events, k, o)
        {
            if (k >= i) break;
            if (!strcmp(id, json_string_value(json_object_get(o, "id"))))
                return aws_fail(&c->err, 400, "DuplicatedAuditEventId",
                                "Two or more audit events have the id %.128s.", id);
        }
        total += json_string_length(json_object_get(e, "eventData"));
    }
    if (total > AUDIT_EVENTS_MAX_TOTAL)
        return aws_fail(&c->err, 400, "ValidationException",
                        "The events' eventData total %zu bytes; at most %d are allowed per "
                        "request.",
                        total, AUDIT_EVENTS_MAX_TOTAL);
    return 0;
}

static int put_audit_events(call_ctx *c)
{
    const char *arn = in_str(c, "channelArn");
    const json_t *events = json_object_get(c->in, "auditEvents");
    channel ch;
    if (resolve(c, arn, &ch)) return -1;
    call_add_resource(c, ch.account_id, CHANNEL_RESOURCE_TYPE, ch.arn);
    /* The call's own record lists the ids, not the (large) event bodies. */
    json_t *ids = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(events, i, e) json_array_append(ids, json_object_get(e, "id"));
    c->request_parameters = json_pack("{s:s, s:o}", "channelArn", ch.arn, "auditEventIds", ids);
    if (check_request(c, events)) {
        channel_clear(&ch);
        return -1;
    }

    size_t n = json_array_size(events);
    journal_item *items = calloc(n ? n : 1, sizeof *items);
    char(*event_ids)[40] = calloc(n ? n : 1, sizeof *event_ids);
    bool *good = calloc(n ? n : 1, sizeof *good);
    if (!items || !event_ids || !good) abort();
    json_t *failed = json_array();
    recipients rc;
    recipients_init(&rc, c->db, ch.account_id);
    size_t n_items = 0;
    const char *last_error = NULL;
    json_array_foreach(events, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "id"));
        const json_t *data = json_object_get(e, "eventData");
        ingest_fault f;
        json_t *ed =
            audit_event_check(json_string_value(data), json_string_length(data),
                              json_string_value(json_object_get(e, "eventDataChecksum")), &f);
        const char *recipient = ed ? audit_event_recipient(ed) : NULL;
        if (!recipient) recipient = ch.account_id;
        if (ed && !recipients_allowed(&rc, recipient)) {
            snprintf(f.code, sizeof f.code, "InvalidRecipient");
            snprintf(f.message, sizeof f.message,
                     "Account %s may not receive events from channel %.300s: only the channel's "
                     "account, or for the organization's management account any account of the "
                     "organization.",
                     recipient, ch.arn);
            json_decref(ed);
            ed = NULL;
        }
        if (!ed) {
            json_array_append_new(failed, json_pack("{s:s, s:s, s:s}", "id", id, "errorCode",
                                                    f.code, "errorMessage", f.message));
            last_error = json_string_value(
                json_object_get(json_array_get(failed, json_array_size(failed) - 1), "errorCode"));
            continue;
        }
        ids_uuid(event_ids[i]);
        audit_record_ctx rctx = {.event_id = event_ids[i],
                                 .region = c->region,
                                 .recipient = recipient,
                                 .channel_arn = ch.arn,
                                 .request_id = c->request_id,
                                 .ingestion_ms = c->now_ms};
        items[n_items].payload = audit_event_record_alloc(ed, &rctx, &items[n_items].len);
        n_items++;
        good[i] = true;
        json_decref(ed);
    }

    int ret = 0;
    uint64_t first;
    if (n_items && journal_append_batch(c->env->journal, items, n_items, &first, &c->err)) {
        ret = -1;
    } else {
        json_t *ok = json_array();
        const char *last_ok = NULL;
        json_array_foreach(events, i, e)
        {
            if (!good[i]) continue;
            json_array_append_new(ok, json_pack("{s:O, s:s}", "id", json_object_get(e, "id"),
                                                "eventID", event_ids[i]));
            last_ok = event_ids[i];
        }
        char attempt[40];
        ids_uuid(attempt);
        /* Best effort: the events are stored whatever happens to the status columns, and
         * the next call records its own attempt. */
        if (channel_note_ingestion(c->db, ch.arn, c->now_ms, last_ok ? last_ok : attempt, last_ok,
                                   last_error))
            ot_log("channel %s: its ingestion status could not be recorded (%s)", ch.arn,
                   db_errmsg(c->db));
        c->out = json_pack("{s:o, s:O}", "successful", ok, "failed", failed);
    }
    json_decref(failed);
    for (size_t k = 0; k < n_items; k++)
        free((void *)items[k].payload);
    free(items);
    free(event_ids);
    free(good);
    channel_clear(&ch);
    return ret;
}

static const validation_override PUT_OVERRIDES[] = {
    {"channelArn", "InvalidChannelARN", NULL},
    {NULL, NULL, NULL},
};

static const op_def OPS[] = {
    {"PutAuditEvents", put_audit_events, PUT_OVERRIDES, 0},
};

static const service_route BULK = {
    .path = INGEST_BULK_PATH,
    .method = "POST",
    .op = {.name = INGEST_BULK_EVENT_NAME, .fn = ingest_bulk, .flags = OP_WAITS_FOR_DELIVERY}};

const service_def SVC_CLOUDTRAIL_DATA = {.signing_name = "cloudtrail-data",
                                         .style = VSTYLE_JSON,
                                         .ops = OPS,
                                         .n_ops = sizeof OPS / sizeof *OPS,
                                         .route = &BULK};
