/* sns_publish: Publish, and the entry points of svc/sns.h that queue messages without a
 * request (sns_enqueue, sns_publish_as_service, sns_topic_allows_service).
 *
 * Publishing writes one sns_outbox row per confirmed http/https subscription, in the
 * transaction of the call (OP_TX): when Publish answers, every delivery it promises is on
 * disk. A topic without confirmed subscriptions takes the message and delivers it to
 * nobody, as SNS does. MessageStructure "json" picks the "http" / "https" text of the
 * message for those subscriptions and "default" otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/ids.h"
#include "core/log.h"
#include "state/alarms.h"
#include "state/notify_state.h"
#include "policy/authz_subject.h"
#include "svc/sns_delivery.h"
#include "svc/sns_internal.h"

#define SNS_MAX_ATTRIBUTES 10
#define SNS_MAX_SUBJECT 100

int sns_queue(db_conn *db, const sns_topic *t, const sns_queued *q)
{
    sns_retry_policy p = sns_retry_policy_of(t->delivery_policy);
    json_t *pj = sns_retry_policy_json(&p);
    char *policy = json_dumps(pj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(pj);
    if (!policy) abort();
    char ct_buf[256];
    const char *ct = sns_content_type_of(t->delivery_policy, ct_buf, sizeof ct_buf);
    int rc =
        db_exec(db,
                "INSERT INTO sns_outbox(type, topic_arn, subscription_arn, endpoint, "
                "message_id, subject, message, attributes, token, signature_version, ts_ms, "
                "retry_policy, content_type, next_ms) "
                "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "ssssssssssissi", sns_msg_type_name(q->type), q->topic_arn, q->subscription_arn,
                q->endpoint, q->message_id, q->subject, q->message, q->attributes_json, q->token,
                t->signature_version, q->ts_ms, policy, ct, q->ts_ms);
    free(policy);
    return rc;
}

typedef struct target {
    char arn[400];
    char protocol[16];
    char endpoint[2048];
} target;

static void target_fill(sqlite3_stmt *st, void *row)
{
    target *t = row;
    snprintf(t->arn, sizeof t->arn, "%s", db_text(st, 0));
    snprintf(t->protocol, sizeof t->protocol, "%s", db_text(st, 1));
    snprintf(t->endpoint, sizeof t->endpoint, "%s", db_text(st, 2));
}

/* The message text for a protocol: the structure's entry for it, else "default". */
static const char *message_for(const json_t *structure, const char *protocol, const char *plain)
{
    if (!structure) return plain;
    const char *v = json_string_value(json_object_get(structure, protocol));
    return v ? v : json_string_value(json_object_get(structure, "default"));
}

/* Queues the message to every confirmed subscription of t. Caller's transaction. */
static int enqueue_rows(db_conn *db, const sns_topic *t, const char *subject, const char *message,
                        const json_t *structure, const json_t *attributes, int64_t now_ms,
                        const char *message_id)
{
    size_t n = 0;
    sqlite3_stmt *st = db_query(db,
                                "SELECT arn, protocol, endpoint FROM sns_subscriptions WHERE "
                                "topic_arn = ? AND confirmed = 1 ORDER BY arn",
                                "s", t->arn);
    if (!st) return -1;
    target *targets = db_rows_alloc(st, sizeof *targets, target_fill, &n);
    char *attrs = attributes && json_object_size(attributes)
                      ? json_dumps(attributes, JSON_COMPACT | JSON_PRESERVE_ORDER)
                      : NULL;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        sns_queued q = {.type = SNS_NOTIFICATION,
                        .topic_arn = t->arn,
                        .subscription_arn = targets[i].arn,
                        .endpoint = targets[i].endpoint,
                        .message_id = message_id,
                        .subject = subject,
                        .message = message_for(structure, targets[i].protocol, message),
                        .attributes_json = attrs,
                        .ts_ms = now_ms};
        rc = sns_queue(db, t, &q);
    }
    free(attrs);
    free(targets);
    return rc;
}

static bool subject_ok(const char *s)
{
    if (!*s || strlen(s) > SNS_MAX_SUBJECT) return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e) return false;
    return true;
}

static bool data_type_ok(const char *t)
{
    static const char *const base[] = {"String.Array", "String", "Number", "Binary"};
    for (size_t i = 0; i < sizeof base / sizeof *base; i++) {
        size_t n = strlen(base[i]);
        if (!strncmp(t, base[i], n) && (!t[n] || (t[n] == '.' && t[n + 1]))) return true;
    }
    return false;
}

/* MessageAttributes as the notification carries them: {"name": {"Type", "Value"}}. NULL
 * after failing the call. */
static json_t *attributes_of(call_ctx *c, const json_t *in)
{
    json_t *out = json_object();
    if (json_object_size(in) > SNS_MAX_ATTRIBUTES) {
        json_decref(out);
        sns_invalid(c, "Invalid parameter: MessageAttributes Reason: at most %d attributes",
                    SNS_MAX_ATTRIBUTES);
        return NULL;
    }
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)in, name, v)
    {
        const char *type = json_string_value(json_object_get(v, "DataType"));
        const char *sv = json_string_value(json_object_get(v, "StringValue"));
        const char *bv = json_string_value(json_object_get(v, "BinaryValue"));
        const char *value = !strncmp(type ? type : "", "Binary", 6) ? bv : sv;
        if (!*name || strlen(name) > 256 || !strncasecmp(name, "AWS.", 4) ||
            !strncasecmp(name, "Amazon.", 7)) {
            json_decref(out);
            sns_invalid(c, "Invalid parameter: MessageAttributes Reason: invalid name %.64s", name);
            return NULL;
        }
        if (!type || !data_type_ok(type)) {
            json_decref(out);
            sns_invalid(c,
                        "Invalid parameter: MessageAttributes Reason: The message attribute "
                        "'%.64s' has an invalid message attribute type, the set of supported "
                        "type prefixes is Binary, Number, and String.",
                        name);
            return NULL;
        }
        if (!value) {
            json_decref(out);
            sns_invalid(c,
                        "Invalid parameter: MessageAttributes Reason: The message attribute "
                        "'%.64s' must contain non-empty message attribute value for message "
                        "attribute type '%.32s'.",
                        name, type);
            return NULL;
        }
        json_object_set_new(out, name, json_pack("{s:s, s:s}", "Type", type, "Value", value));
    }
    return out;
}

int sns_publish(call_ctx *c)
{
    const char *arn = in_str(c, "TopicArn"), *target_arn = in_str(c, "TargetArn");
    const char *message = in_str(c, "Message"), *subject = in_str(c, "Subject");
    const char *structure_name = in_str(c, "MessageStructure");
    if (in_str(c, "PhoneNumber"))
        return sns_invalid(c, "Invalid parameter: PhoneNumber Reason: orgtrail sends no SMS");
    if (arn && target_arn)
        return sns_invalid(c, "Invalid parameter: TopicArn or TargetArn Reason: Only one of "
                              "them may be given");
    if (!arn) arn = target_arn;
    if (!arn)
        return sns_invalid(c, "Invalid parameter: TopicArn or TargetArn Reason: no value for "
                              "required parameter");
    if (!*message) return sns_invalid(c, "Invalid parameter: Empty message");
    if (strlen(message) > SNS_MAX_MESSAGE)
        return sns_invalid(c, "Invalid parameter: Message too long");
    if (subject && !subject_ok(subject)) return sns_invalid(c, "Invalid parameter: Subject");
    json_t *structure = NULL;
    if (structure_name) {
        if (strcmp(structure_name, "json"))
            return sns_invalid(c, "Invalid parameter: MessageStructure");
        structure = json_loads(message, 0, NULL);
        if (!json_is_string(json_object_get(structure, "default"))) {
            json_decref(structure);
            return sns_invalid(c, "Invalid parameter: Message Structure - No default entry in "
                                  "JSON message body");
        }
    }
    json_t *attrs = attributes_of(c, json_object_get(c->in, "MessageAttributes"));
    sns_topic t;
    int rc = !attrs ? -1 : sns_topic_for(c, "sns:Publish", arn, &t);
    if (!rc) {
        char id[SNS_MESSAGE_ID_LEN];
        ids_uuid(id);
        if (enqueue_rows(c->db, &t, subject, message, structure, attrs, c->now_ms, id))
            rc = sns_fail_db(c);
        else
            c->out = json_pack("{s:s}", "MessageId", id);
        sns_topic_clear(&t);
    }
    json_decref(structure);
    json_decref(attrs);
    return rc;
}

/* Runs enqueue_rows for topic_arn in the caller's transaction, or in one of its own. */
int sns_enqueue(db_conn *db, const char *topic_arn, const char *subject, const char *message,
                const json_t *attributes, int64_t now_ms, char message_id[SNS_MESSAGE_ID_LEN],
                aws_error *e)
{
    bool own = !db_in_transaction(db);
    if (own && db_begin(db))
        return aws_fail(e, 500, "InternalError", "cannot queue the message: %s", db_errmsg(db));
    sns_topic t;
    int rc = sns_topic_load(db, topic_arn, &t);
    if (rc > 0) {
        aws_fail(e, 404, "NotFound", "Topic does not exist");
    } else if (rc == 0) {
        ids_uuid(message_id);
        rc = enqueue_rows(db, &t, subject, message, NULL, attributes, now_ms, message_id);
        sns_topic_clear(&t);
    }
    if (!rc && own && db_commit(db)) rc = -1;
    if (rc && !aws_error_set(e))
        aws_fail(e, 500, "InternalError", "cannot queue the message: %s", db_errmsg(db));
    if (rc && own && db_in_transaction(db)) db_rollback(db);
    return rc ? -1 : 0;
}

bool sns_topic_allows_service(db_conn *db, const char *topic_arn, const char *service_principal,
                              const char *source_arn, const char *source_account)
{
    sns_topic t;
    if (sns_topic_load(db, topic_arn, &t)) return false;
    json_t *policy = sns_policy_alloc(&t);
    bool ok = false;
    if (policy) {
        principal p;
        memset(&p, 0, sizeof p);
        p.kind = PRINCIPAL_SERVICE;
        snprintf(p.service, sizeof p.service, "%s", service_principal);
        authz_subject s;
        memset(&s, 0, sizeof s);
        s.type = AUTHZ_SERVICE;
        const char *ctx[5];
        int i = 0;
        if (source_arn) {
            ctx[i++] = "aws:SourceArn";
            ctx[i++] = source_arn;
        }
        if (source_account) {
            ctx[i++] = "aws:SourceAccount";
            ctx[i++] = source_account;
        }
        ctx[i] = NULL;
        authz_target want = {.action = "sns:Publish",
                             .resource = t.arn,
                             .resource_account = t.account_id,
                             .resource_policy = policy,
                             .context = ctx};
        authz_input in;
        ok = authz_subject_decide(&s, &p, &want, &in).decision == AUTHZ_ALLOW;
    }
    json_decref(policy);
    sns_topic_clear(&t);
    return ok;
}

int sns_publish_as_service(db_conn *db, const char *topic_arn, const char *service_principal,
                           const char *source_arn, const char *source_account, const char *subject,
                           const char *message, int64_t now_ms, char message_id[SNS_MESSAGE_ID_LEN],
                           aws_error *e)
{
    if (!sns_topic_allows_service(db, topic_arn, service_principal, source_arn, source_account))
        return aws_fail(e, 403, "AuthorizationError",
                        "Service: %.64s is not authorized to perform: SNS:Publish on resource: "
                        "%.320s",
                        service_principal, topic_arn);
    return sns_enqueue(db, topic_arn, subject, message, NULL, now_ms, message_id, e);
}

/* The account of an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME) into out; "" when
 * arn is not one. */
static void topic_account(const char *arn, char out[13])
{
    out[0] = 0;
    if (strncmp(arn, "arn:aws:sns:", 12) != 0) return;
    const char *p = strchr(arn + 12, ':');
    if (p && strlen(p + 1) > 13 && p[13] == ':') snprintf(out, 13, "%.12s", p + 1);
}

/* CloudWatch alarm actions (state/alarms.h's outbox). An alarm publishes to a topic of its
 * own account as that account does, whatever the topic policy says of services (AWS:
 * alarms need no topic policy in their account); to another account's topic only as the
 * topic's policy lets cloudwatch.amazonaws.com for the alarm. The subject is AWS's:
 * ALARM: "name" in US East (N. Virginia). */
static size_t publish_alarm_actions(db_conn *db, int64_t now_ms, size_t max)
{
    json_t *rows = NULL;
    if (alarm_actions_pending(db, 0, max, &rows)) return 0;
    size_t i, n = json_array_size(rows);
    const json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *topic = json_string_value(json_object_get(r, "action_arn"));
        const char *account = json_string_value(json_object_get(r, "account_id"));
        const char *alarm_arn = json_string_value(json_object_get(r, "alarm_arn"));
        const char *message = json_string_value(json_object_get(r, "message"));
        json_t *m = json_loads(message, 0, NULL);
        char subject[400];
        snprintf(subject, sizeof subject, "%s: \"%.200s\" in %.60s",
                 json_string_value(json_object_get(r, "new_state")),
                 json_string_value(json_object_get(r, "alarm_name")),
                 json_string_value(json_object_get(m, "Region"))
                     ? json_string_value(json_object_get(m, "Region"))
                     : "");
        json_decref(m);
        if (db_begin(db)) break;
        char owner[13], id[SNS_MESSAGE_ID_LEN];
        topic_account(topic, owner);
        aws_error e;
        aws_error_clear(&e);
        int rc = 0;
        if (!owner[0])
            ; /* not an SNS action (Auto Scaling, EC2): nothing orgtrail can run */
        else if (!strcmp(owner, account))
            rc = sns_enqueue(db, topic, subject, message, NULL, now_ms, id, &e);
        else
            rc = sns_publish_as_service(db, topic, "cloudwatch.amazonaws.com", alarm_arn, account,
                                        subject, message, now_ms, id, &e);
        if (rc && strcmp(e.code, "InternalError") == 0) {
            db_rollback(db);
            break;
        }
        if (rc)
            ot_log("sns: alarm %s's action %s not sent: %s %s", alarm_arn, topic, e.code,
                   e.message);
        if (alarm_action_delivered(db, json_integer_value(json_object_get(r, "seq")), now_ms) ||
            db_commit(db)) {
            if (db_in_transaction(db)) db_rollback(db);
            break;
        }
    }
    json_decref(rows);
    return n;
}

size_t sns_publish_pending(db_pool *pool, int64_t now_ms, size_t max)
{
    db_conn *db = db_acquire(pool);
    notify_item *items;
    size_t n = notify_take(db, max, &items);
    for (size_t i = 0; i < n; i++) {
        const notify_item *it = &items[i];
        if (db_begin(db)) break;
        char id[SNS_MESSAGE_ID_LEN];
        aws_error e;
        aws_error_clear(&e);
        int rc = sns_publish_as_service(db, it->topic_arn, it->service,
                                        it->source_arn[0] ? it->source_arn : NULL,
                                        it->source_account[0] ? it->source_account : NULL,
                                        it->subject, it->message, now_ms, id, &e);
        if (rc && strcmp(e.code, "InternalError") == 0) {
            db_rollback(db); /* the store failed: try again next time */
            break;
        }
        if (rc)
            ot_log("sns: %s's notification to %s not sent: %s %s", it->service, it->topic_arn,
                   e.code, e.message);
        if (notify_done(db, it->id) || db_commit(db)) {
            if (db_in_transaction(db)) db_rollback(db);
            break;
        }
    }
    notify_items_free(items, n);
    n += publish_alarm_actions(db, now_ms, max);
    db_release(pool, db);
    return n;
}
