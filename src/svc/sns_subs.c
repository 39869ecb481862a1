/* sns_subs: subscriptions (sns_internal.h) and the unauthenticated GETs SNS's messages
 * point at (svc/sns.h).
 *
 * orgtrail delivers to http and https endpoints only; every other protocol is refused
 * with InvalidParameter. A subscription is made pending, with a token; its
 * SubscriptionConfirmation goes out through the outbox like any message, and the
 * endpoint confirms by GETting its SubscribeURL or by calling ConfirmSubscription with the
 * token (good for three days, as on AWS). Subscribing the same endpoint again returns the
 * confirmed subscription, or sends a pending one's confirmation again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/hash.h"
#include "core/ids.h"
#include "svc/sns_delivery.h"
#include "svc/sns_internal.h"

#define SNS_XMLNS "http://sns.amazonaws.com/doc/2010-03-31/"

typedef struct sns_sub {
    char arn[400];
    char topic_arn[320];
    char account_id[13];
    char region[32];
    char protocol[16];
    char endpoint[2048];
    char token[160];
    bool confirmed, authenticated;
    int64_t created_ms;
} sns_sub;

static void sub_fill(sqlite3_stmt *st, void *row)
{
    sns_sub *s = row;
    snprintf(s->arn, sizeof s->arn, "%s", db_text(st, 0));
    snprintf(s->topic_arn, sizeof s->topic_arn, "%s", db_text(st, 1));
    snprintf(s->account_id, sizeof s->account_id, "%s", db_text(st, 2));
    snprintf(s->region, sizeof s->region, "%s", db_text(st, 3));
    snprintf(s->protocol, sizeof s->protocol, "%s", db_text(st, 4));
    snprintf(s->endpoint, sizeof s->endpoint, "%s", db_text(st, 5));
    snprintf(s->token, sizeof s->token, "%s", db_text(st, 6));
    s->confirmed = db_int(st, 7) != 0;
    s->authenticated = db_int(st, 8) != 0;
    s->created_ms = db_int(st, 9);
}

#define SUB_COLUMNS                                                                                \
    "arn, topic_arn, account_id, region, protocol, endpoint, token, confirmed, authenticated, "    \
    "created_ms"

/* The first row of st into s: 0, or 1 when there is none; -1 when st could not be made.
 * Finishes st. */
static int sub_get(sqlite3_stmt *st, sns_sub *s)
{
    if (!st) return -1;
    return db_row_get(st, sub_fill, s) ? 0 : 1;
}

static int sub_load(db_conn *db, const char *arn, sns_sub *s)
{
    return sub_get(
        db_query(db, "SELECT " SUB_COLUMNS " FROM sns_subscriptions WHERE arn = ?", "s", arn), s);
}

int sns_drop_topic_subscriptions(db_conn *db, const char *topic_arn)
{
    return db_exec(db, "DELETE FROM sns_outbox WHERE topic_arn = ?", "s", topic_arn) ||
                   db_exec(db, "DELETE FROM sns_subscriptions WHERE topic_arn = ?", "s", topic_arn)
               ? -1
               : 0;
}

static const char *const OTHER_PROTOCOLS[] = {"email",       "email-json", "sms",     "sqs",
                                              "application", "lambda",     "firehose"};

static int check_endpoint(call_ctx *c, const char *protocol, const char *endpoint)
{
    if (strcmp(protocol, "http") && strcmp(protocol, "https")) {
        for (size_t i = 0; i < sizeof OTHER_PROTOCOLS / sizeof *OTHER_PROTOCOLS; i++)
            if (!strcmp(protocol, OTHER_PROTOCOLS[i]))
                return sns_invalid(c, "Invalid parameter: Protocol Reason: orgtrail delivers to "
                                      "http and https endpoints only");
        return sns_invalid(c,
                           "Invalid parameter: Amazon SNS does not support this protocol "
                           "string: %.64s",
                           protocol);
    }
    size_t n = strlen(protocol);
    if (!endpoint || strncasecmp(endpoint, protocol, n) || strncmp(endpoint + n, "://", 3) ||
        !endpoint[n + 3] || endpoint[n + 3] == '/' || strlen(endpoint) >= 2048 ||
        strpbrk(endpoint, " \r\n\t"))
        return sns_invalid(c, "Invalid parameter: Endpoint Reason: An http(s) endpoint must be "
                              "a URL of the same protocol");
    return 0;
}

int sns_queue_confirmation(db_conn *db, const sns_topic *t, const char *sub_arn,
                           const char *endpoint, const char *token, int64_t now_ms)
{
    char id[SNS_MESSAGE_ID_LEN], text[600];
    ids_uuid(id);
    snprintf(text, sizeof text,
             "You have chosen to subscribe to the topic %s.\nTo confirm the subscription, visit "
             "the SubscribeURL included in this message.",
             t->arn);
    sns_queued q = {.type = SNS_SUBSCRIPTION_CONFIRMATION,
                    .topic_arn = t->arn,
                    .subscription_arn = sub_arn,
                    .endpoint = endpoint,
                    .message_id = id,
                    .message = text,
                    .token = token,
                    .ts_ms = now_ms};
    return sns_queue(db, t, &q);
}

int sns_subscribe(call_ctx *c)
{
    const char *protocol = in_str(c, "Protocol"), *endpoint = in_str(c, "Endpoint");
    const json_t *attrs = json_object_get(c->in, "Attributes");
    sns_topic t;
    if (sns_topic_for(c, "sns:Subscribe", in_str(c, "TopicArn"), &t)) return -1;
    int rc = check_endpoint(c, protocol, endpoint);
    if (!rc && json_object_size(attrs))
        rc = sns_invalid(c, "Invalid parameter: Attributes Reason: orgtrail takes no "
                            "subscription attributes yet");
    sns_sub s;
    int found = rc ? 1
                   : sub_get(db_query(c->db,
                                      "SELECT " SUB_COLUMNS " FROM sns_subscriptions WHERE "
                                      "topic_arn = ? AND protocol = ? AND endpoint = ?",
                                      "sss", t.arn, protocol, endpoint),
                             &s);
    if (!rc && found < 0) rc = sns_fail_db(c);
    bool ret_arn = in_bool(c, "ReturnSubscriptionArn", false);
    if (!rc && found == 0) {
        /* The same endpoint again: the subscription there is, confirmation resent. */
        if (!s.confirmed &&
            (db_exec(c->db, "UPDATE sns_subscriptions SET created_ms = ? WHERE arn = ?", "is",
                     c->now_ms, s.arn) ||
             sns_queue_confirmation(c->db, &t, s.arn, s.endpoint, s.token, c->now_ms)))
            rc = sns_fail_db(c);
        if (!rc)
            c->out =
                json_pack("{s:s}", "SubscriptionArn", s.confirmed || ret_arn ? s.arn : SNS_PENDING);
    } else if (!rc) {
        char uuid[40], arn[400], token[129];
        unsigned char raw[64];
        ids_uuid(uuid);
        snprintf(arn, sizeof arn, "%s:%s", t.arn, uuid);
        ids_random_bytes(raw, sizeof raw);
        hex_encode(raw, sizeof raw, token);
        token[128] = '\0';
        if (db_exec(c->db,
                    "INSERT INTO sns_subscriptions(arn, topic_arn, account_id, region, protocol, "
                    "endpoint, token, created_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                    "sssssssi", arn, t.arn, c->caller->account_id, c->region, protocol, endpoint,
                    token, c->now_ms) ||
            sns_queue_confirmation(c->db, &t, arn, endpoint, token, c->now_ms))
            rc = sns_fail_db(c);
        else
            c->out = json_pack("{s:s}", "SubscriptionArn", ret_arn ? arn : SNS_PENDING);
    }
    sns_topic_clear(&t);
    return rc;
}

/* Confirms the subscription of topic_arn whose token this is; its ARN into arn. 0, or -1
 * with e. Caller's transaction. */
static int confirm(db_conn *db, const char *topic_arn, const char *token, bool authenticate,
                   int64_t now_ms, char *arn, size_t arn_n, aws_error *e)
{
    sns_topic t;
    int rc = sns_topic_load(db, topic_arn, &t);
    if (rc < 0) return aws_fail(e, 500, "InternalError", "%s", db_errmsg(db));
    if (rc > 0) return aws_fail(e, 404, "NotFound", "Topic does not exist");
    sns_topic_clear(&t);
    sns_sub s;
    rc = sub_get(db_query(db,
                          "SELECT " SUB_COLUMNS " FROM sns_subscriptions WHERE topic_arn = ? "
                          "AND token = ?",
                          "ss", topic_arn, token),
                 &s);
    if (rc < 0) return aws_fail(e, 500, "InternalError", "%s", db_errmsg(db));
    if (rc > 0 || (!s.confirmed && now_ms - s.created_ms > SNS_TOKEN_TTL_MS))
        return aws_fail(e, 400, "InvalidParameter", "Invalid token");
    if (!s.confirmed &&
        db_exec(db, "UPDATE sns_subscriptions SET confirmed = 1, authenticated = ? WHERE arn = ?",
                "ds", authenticate ? 1 : 0, s.arn))
        return aws_fail(e, 500, "InternalError", "%s", db_errmsg(db));
    snprintf(arn, arn_n, "%s", s.arn);
    return 0;
}

int sns_confirm_subscription(call_ctx *c)
{
    const char *auth = in_str(c, "AuthenticateOnUnsubscribe");
    char arn[400];
    if (confirm(c->db, in_str(c, "TopicArn"), in_str(c, "Token"), auth && !strcasecmp(auth, "true"),
                c->now_ms, arn, sizeof arn, &c->err))
        return -1;
    c->out = json_pack("{s:s}", "SubscriptionArn", arn);
    return 0;
}

/* Removes a subscription and its undelivered messages; the topic counts it as deleted. */
static int drop_subscription(db_conn *db, const sns_sub *s)
{
    return db_exec(db, "DELETE FROM sns_outbox WHERE subscription_arn = ?", "s", s->arn) ||
                   db_exec(db, "DELETE FROM sns_subscriptions WHERE arn = ?", "s", s->arn) ||
                   db_exec(db,
                           "UPDATE sns_topics SET subs_deleted = subs_deleted + 1 WHERE arn = ?",
                           "s", s->topic_arn)
               ? -1
               : 0;
}

int sns_unsubscribe(call_ctx *c)
{
    sns_sub s;
    int rc = sub_load(c->db, in_str(c, "SubscriptionArn"), &s);
    if (rc < 0) return sns_fail_db(c);
    if (rc > 0 || strcmp(s.region, c->region))
        return aws_fail(&c->err, 404, "NotFound", "Subscription does not exist");
    /* The subscription's owner may remove it, and so may the topic's owner (AWS: "the
     * topic owner can unsubscribe any subscriber"). */
    char topic_owner[13] = "";
    db_get_text(c->db, topic_owner, sizeof topic_owner,
                "SELECT account_id FROM sns_topics WHERE arn = ?", "s", s.topic_arn);
    const char *owner = !strcmp(topic_owner, c->caller->account_id) ? topic_owner : s.account_id;
    if (call_authorize(c, "sns:Unsubscribe", s.arn, owner, NULL, NULL)) return -1;
    call_add_recipient(c, s.account_id);
    if (drop_subscription(c->db, &s)) return sns_fail_db(c);
    return 0;
}

static json_t *sub_item(const sns_sub *s)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "SubscriptionArn",
                     s->confirmed ? s->arn : "PendingConfirmation", "Owner", s->account_id,
                     "Protocol", s->protocol, "Endpoint", s->endpoint, "TopicArn", s->topic_arn);
}

/* A page of subscriptions from st (at most SNS_PAGE + 1 rows by arn). Finishes st. */
static int sub_page(call_ctx *c, sqlite3_stmt *st)
{
    if (!st) return sns_fail_db(c);
    json_t *items = json_array();
    char last[400] = "";
    bool more = false;
    sns_sub s;
    while (db_row(st)) {
        if (json_array_size(items) == SNS_PAGE) {
            more = true;
            break;
        }
        sub_fill(st, &s);
        snprintf(last, sizeof last, "%s", s.arn);
        json_array_append_new(items, sub_item(&s));
    }
    db_done(st);
    c->out = json_pack("{s:o}", "Subscriptions", items);
    if (more) json_object_set_new(c->out, "NextToken", json_string(last));
    return 0;
}

int sns_list_subscriptions(call_ctx *c)
{
    const char *after = in_str(c, "NextToken");
    return sub_page(c, db_query(c->db,
                                "SELECT " SUB_COLUMNS " FROM sns_subscriptions WHERE account_id = "
                                "? AND region = ? AND (? IS NULL OR arn > ?) ORDER BY arn LIMIT ?",
                                "ssssi", c->caller->account_id, c->region, after, after,
                                (int64_t)SNS_PAGE + 1));
}

int sns_list_subscriptions_by_topic(call_ctx *c)
{
    const char *after = in_str(c, "NextToken");
    sns_topic t;
    if (sns_topic_for(c, "sns:ListSubscriptionsByTopic", in_str(c, "TopicArn"), &t)) return -1;
    int rc = sub_page(c, db_query(c->db,
                                  "SELECT " SUB_COLUMNS " FROM sns_subscriptions WHERE topic_arn "
                                  "= ? AND (? IS NULL OR arn > ?) ORDER BY arn LIMIT ?",
                                  "sssi", t.arn, after, after, (int64_t)SNS_PAGE + 1));
    sns_topic_clear(&t);
    return rc;
}

int sns_get_subscription_attributes(call_ctx *c)
{
    sns_sub s;
    int rc = sub_load(c->db, in_str(c, "SubscriptionArn"), &s);
    if (rc < 0) return sns_fail_db(c);
    if (rc > 0 || strcmp(s.region, c->region))
        return aws_fail(&c->err, 404, "NotFound", "Subscription does not exist");
    if (call_authorize(c, "sns:GetSubscriptionAttributes", s.arn, s.account_id, NULL, NULL))
        return -1;
    sns_topic t;
    rc = sns_topic_load(c->db, s.topic_arn, &t);
    if (rc) return rc < 0 ? sns_fail_db(c) : sns_fail_no_topic(c);
    sns_retry_policy p = sns_retry_policy_of(t.delivery_policy);
    sns_topic_clear(&t);
    json_t *eff = json_pack("{s:o}", "healthyRetryPolicy", sns_retry_policy_json(&p));
    char *eff_text = json_dumps(eff, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(eff);
    json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "SubscriptionArn", s.arn,
                          "TopicArn", s.topic_arn, "Owner", s.account_id, "Protocol", s.protocol,
                          "Endpoint", s.endpoint, "PendingConfirmation",
                          s.confirmed ? "false" : "true", "ConfirmationWasAuthenticated",
                          s.authenticated ? "true" : "false", "RawMessageDelivery", "false",
                          "EffectiveDeliveryPolicy", eff_text ? eff_text : "{}");
    free(eff_text);
    c->out = json_pack("{s:o}", "Attributes", a);
    return 0;
}

/* ---- the unauthenticated GETs ---------------------------------------------------------- */

#define CERT_PREFIX "/SimpleNotificationService-"

bool sns_public_request(const http_request *r)
{
    if (strcmp(r->method, "GET") || http_header_get(r, "authorization") ||
        http_query_get(r, "X-Amz-Algorithm", NULL))
        return false;
    size_t n = strlen(r->raw_path);
    if (!strncmp(r->raw_path, CERT_PREFIX, strlen(CERT_PREFIX)) && n > 4 &&
        !strcmp(r->raw_path + n - 4, ".pem"))
        return true;
    const char *action = http_query_get(r, "Action", NULL);
    if (strcmp(r->raw_path, "/") || !action) return false;
    return (!strcmp(action, "ConfirmSubscription") && http_query_get(r, "TopicArn", NULL) &&
            http_query_get(r, "Token", NULL)) ||
           (!strcmp(action, "Unsubscribe") && http_query_get(r, "SubscriptionArn", NULL));
}

static void xml_text(buf *b, const char *s)
{
    buf_put_xml_escaped(b, s, strlen(s));
}

static void answer(http_response *resp, const char *action, const char *arn, const aws_error *e)
{
    char rid[40];
    ids_uuid(rid);
    http_response_header(resp, "Content-Type", "text/xml");
    http_response_header(resp, "x-amzn-RequestId", rid);
    buf *b = &resp->body;
    if (e && aws_error_set(e)) {
        resp->status = e->status;
        buf_printf(b, "<ErrorResponse xmlns=\"%s\"><Error><Type>%s</Type><Code>", SNS_XMLNS,
                   e->status >= 500 ? "Receiver" : "Sender");
        xml_text(b, e->code);
        buf_puts(b, "</Code><Message>");
        xml_text(b, e->message);
        buf_printf(b, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>", rid);
        return;
    }
    resp->status = 200;
    buf_printf(b, "<%sResponse xmlns=\"%s\">", action, SNS_XMLNS);
    if (arn) {
        buf_printf(b, "<%sResult><SubscriptionArn>", action);
        xml_text(b, arn);
        buf_printf(b, "</SubscriptionArn></%sResult>", action);
    }
    buf_printf(b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>",
               rid, action);
}

static void serve_cert(db_conn *db, const http_request *r, http_response *resp)
{
    char id[64];
    size_t n = strlen(r->raw_path) - strlen(CERT_PREFIX) - 4;
    snprintf(id, sizeof id, "%.*s", (int)(n < sizeof id ? n : 0),
             r->raw_path + strlen(CERT_PREFIX));
    char *pem = sns_cert_pem_alloc(db, id);
    if (!pem) {
        resp->status = 404;
        http_response_header(resp, "Content-Type", "text/plain");
        buf_puts(&resp->body, "no such certificate\n");
        return;
    }
    resp->status = 200;
    http_response_header(resp, "Content-Type", "application/x-x509-ca-cert");
    buf_puts(&resp->body, pem);
    free(pem);
}

/* UnsubscribeURL: no signature needed, unless the subscription was confirmed with
 * AuthenticateOnUnsubscribe (then only the signed Unsubscribe may remove it). */
static int public_unsubscribe(db_conn *db, const char *arn, aws_error *e)
{
    sns_sub s;
    int rc = sub_load(db, arn, &s);
    if (rc < 0) return aws_fail(e, 500, "InternalError", "%s", db_errmsg(db));
    if (rc > 0) return aws_fail(e, 404, "NotFound", "Subscription does not exist");
    if (s.authenticated)
        return aws_fail(e, 403, "AuthorizationError",
                        "This subscription can only be removed by an authenticated Unsubscribe");
    if (drop_subscription(db, &s)) return aws_fail(e, 500, "InternalError", "%s", db_errmsg(db));
    return 0;
}

/* The region and account of an SNS ARN (arn:aws:sns:REGION:ACCOUNT:...); "" when it is
 * not one. */
static void arn_owner(const char *arn, char region[32], char account[13])
{
    region[0] = account[0] = '\0';
    if (!arn || strncmp(arn, "arn:aws:sns:", 12)) return;
    const char *r = arn + 12, *colon = strchr(r, ':');
    if (!colon || colon - r >= 32) return;
    const char *a = colon + 1, *end = strchr(a, ':');
    if (!end || end - a != 12) return;
    snprintf(region, 32, "%.*s", (int)(colon - r), r);
    snprintf(account, 13, "%.*s", 12, a);
}

void sns_public_serve(db_conn *db, const http_request *r, int64_t now_ms, http_response *resp,
                      sns_public_event *ev)
{
    memset(ev, 0, sizeof *ev);
    aws_error_clear(&ev->err);
    if (r->raw_path[1] == 'S') {
        serve_cert(db, r, resp);
        return;
    }
    aws_error *e = &ev->err;
    const char *action = http_query_get(r, "Action", NULL);
    bool confirming = !strcmp(action, "ConfirmSubscription");
    const char *topic = http_query_get(r, "TopicArn", NULL);
    const char *sub = http_query_get(r, "SubscriptionArn", NULL);
    ev->event_name = confirming ? "ConfirmSubscription" : "Unsubscribe";
    arn_owner(confirming ? topic : sub, ev->region, ev->account_id);
    ev->request_parameters = confirming ? json_pack("{s:s}", "topicArn", topic)
                                        : json_pack("{s:s}", "subscriptionArn", sub);
    char arn[400] = "";
    if (db_begin(db)) {
        aws_fail(e, 500, "InternalError", "%s", db_errmsg(db));
    } else {
        int rc = confirming ? confirm(db, topic, http_query_get(r, "Token", NULL), false, now_ms,
                                      arn, sizeof arn, e)
                            : public_unsubscribe(db, sub, e);
        if (rc || db_commit(db)) {
            if (db_in_transaction(db)) db_rollback(db);
            if (!aws_error_set(e)) aws_fail(e, 500, "InternalError", "%s", db_errmsg(db));
        } else {
            ev->changed = true;
            if (confirming) ev->response_elements = json_pack("{s:s}", "subscriptionArn", arn);
        }
    }
    answer(resp, ev->event_name, confirming ? arn : NULL, e);
}
