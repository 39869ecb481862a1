/* sns: Amazon SNS (Query protocol): the operation table (SVC_SNS), topics and their tags.
 * Subscriptions are in sns_subs.c, Publish in sns_publish.c (sns_internal.h).
 *
 * CreateTopic is idempotent as AWS's is: the same name again returns the topic's ARN when
 * the attributes and tags given agree with the topic's, and is refused otherwise. Topics
 * are standard topics: FIFO topics and KMS encryption are refused (orgtrail has neither).
 * Paging (ListTopics): NextToken is the last ARN of the page. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "state/tags.h"
#include "svc/sns_internal.h"

int sns_fail_db(call_ctx *c)
{
    return aws_fail(&c->err, 500, "InternalError", "orgtrail could not update its store: %s",
                    db_errmsg(c->db));
}

int sns_fail_no_topic(call_ctx *c)
{
    return aws_fail(&c->err, 404, "NotFound", "Topic does not exist");
}

int sns_invalid(call_ctx *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return aws_fail(&c->err, 400, "InvalidParameter", "%s", msg);
}

static char *dup_text(sqlite3_stmt *st, int col)
{
    char *s = db_is_null(st, col) ? NULL : strdup(db_text(st, col));
    if (!s && !db_is_null(st, col)) abort();
    return s;
}

int sns_topic_load(db_conn *db, const char *arn, sns_topic *t)
{
    memset(t, 0, sizeof *t);
    sqlite3_stmt *st = db_query(db,
                                "SELECT arn, account_id, region, name, display_name, policy, "
                                "delivery_policy, signature_version, subs_deleted FROM sns_topics "
                                "WHERE arn = ?",
                                "s", arn);
    if (!st) return -1;
    int rc = 1;
    if (db_row(st)) {
        snprintf(t->arn, sizeof t->arn, "%s", db_text(st, 0));
        snprintf(t->account_id, sizeof t->account_id, "%s", db_text(st, 1));
        snprintf(t->region, sizeof t->region, "%s", db_text(st, 2));
        snprintf(t->name, sizeof t->name, "%s", db_text(st, 3));
        t->display_name = dup_text(st, 4);
        t->policy = dup_text(st, 5);
        t->delivery_policy = dup_text(st, 6);
        snprintf(t->signature_version, sizeof t->signature_version, "%s", db_text(st, 7));
        t->subs_deleted = db_int(st, 8);
        rc = 0;
    }
    db_done(st);
    return rc;
}

void sns_topic_clear(sns_topic *t)
{
    free(t->display_name);
    free(t->policy);
    free(t->delivery_policy);
    memset(t, 0, sizeof *t);
}

json_t *sns_policy_alloc(const sns_topic *t)
{
    aws_error ignored;
    aws_error_clear(&ignored);
    return t->policy ? policy_parse(t->policy, POLICY_RESOURCE, "InvalidParameter", NULL, &ignored)
                     : NULL;
}

int sns_topic_for(call_ctx *c, const char *action, const char *arn, sns_topic *t)
{
    int rc = sns_topic_load(c->db, arn, t);
    if (rc < 0) return sns_fail_db(c);
    if (rc > 0 || strcmp(t->region, c->region)) {
        sns_topic_clear(t);
        return sns_fail_no_topic(c);
    }
    json_t *policy = sns_policy_alloc(t);
    rc = call_authorize(c, action, t->arn, t->account_id, policy, NULL);
    json_decref(policy);
    if (rc) {
        sns_topic_clear(t);
        return -1;
    }
    call_add_resource(c, t->account_id, "AWS::SNS::Topic", t->arn);
    call_add_recipient(c, t->account_id);
    return 0;
}

/* AWS's default topic policy: the owner account's principals (AWS:SourceOwner) may use
 * the topic as far as their identity policies let them; nobody else. */
static char *default_policy_alloc(const char *account, const char *arn)
{
    json_t *p = json_pack(
        "{s:s, s:s, s:[{s:s, s:s, s:{s:s}, s:[s,s,s,s,s,s,s,s], s:s, s:{s:{s:s}}}]}", "Version",
        "2008-10-17", "Id", "__default_policy_ID", "Statement", "Sid", "__default_statement_ID",
        "Effect", "Allow", "Principal", "AWS", "*", "Action", "SNS:GetTopicAttributes",
        "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
        "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish", "Resource", arn,
        "Condition", "StringEquals", "AWS:SourceOwner", account);
    char *text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(p);
    if (!text) abort();
    return text;
}

/* Checks one settable attribute's value. 0, or -1 with c->err. */
static int check_attribute(call_ctx *c, const char *name, const char *value, const char *arn)
{
    if (!strcmp(name, "DisplayName")) {
        if (strlen(value) > 100) return sns_invalid(c, "Invalid parameter: DisplayName");
        return 0;
    }
    if (!strcmp(name, "SignatureVersion")) {
        if (strcmp(value, "1") && strcmp(value, "2"))
            return sns_invalid(c, "Invalid parameter: SignatureVersion");
        return 0;
    }
    if (!strcmp(name, "DeliveryPolicy")) return sns_check_delivery_policy(c, value);
    if (!strcmp(name, "Policy")) {
        aws_error e;
        aws_error_clear(&e);
        json_t *p = policy_parse(value, POLICY_RESOURCE, "InvalidParameter", NULL, &e);
        if (!p) return sns_invalid(c, "Invalid parameter: Policy Error: %s", e.message);
        json_decref(p);
        (void)arn;
        return 0;
    }
    if (!strcmp(name, "FifoTopic") || !strcmp(name, "ContentBasedDeduplication") ||
        !strcmp(name, "KmsMasterKeyId"))
        /* orgtrail's wording: AWS accepts these; orgtrail has no FIFO topics and no KMS. */
        return sns_invalid(c,
                           "Invalid parameter: %s Reason: orgtrail has no FIFO topics and no "
                           "KMS encryption",
                           name);
    return sns_invalid(c, "Invalid parameter: AttributeName");
}

static const char *column_of(const char *attribute)
{
    if (!strcmp(attribute, "DisplayName")) return "display_name";
    if (!strcmp(attribute, "Policy")) return "policy";
    if (!strcmp(attribute, "DeliveryPolicy")) return "delivery_policy";
    return "signature_version";
}

static const char *topic_value(const sns_topic *t, const char *attribute)
{
    const char *col = column_of(attribute);
    if (!strcmp(col, "display_name")) return t->display_name;
    if (!strcmp(col, "policy")) return t->policy;
    if (!strcmp(col, "delivery_policy")) return t->delivery_policy;
    return t->signature_version;
}

/* Whether two attribute values agree (policies as JSON documents, not as text). */
static bool same_value(const char *attribute, const char *a, const char *b)
{
    if (!a || !b) return !a && !b;
    if (strcmp(attribute, "Policy") && strcmp(attribute, "DeliveryPolicy")) return !strcmp(a, b);
    json_t *ja = json_loads(a, 0, NULL), *jb = json_loads(b, 0, NULL);
    bool same = ja && jb && json_equal(ja, jb);
    json_decref(ja);
    json_decref(jb);
    return same;
}

static int set_attribute(call_ctx *c, const char *arn, const char *name, const char *value)
{
    int rc;
    if (!strcmp(name, "DisplayName"))
        rc = db_exec(c->db, "UPDATE sns_topics SET display_name = ? WHERE arn = ?", "ss", value,
                     arn);
    else if (!strcmp(name, "Policy"))
        rc = db_exec(c->db, "UPDATE sns_topics SET policy = ? WHERE arn = ?", "ss", value, arn);
    else if (!strcmp(name, "DeliveryPolicy"))
        rc = db_exec(c->db, "UPDATE sns_topics SET delivery_policy = ? WHERE arn = ?", "ss",
                     *value ? value : NULL, arn);
    else
        rc = db_exec(c->db, "UPDATE sns_topics SET signature_version = ? WHERE arn = ?", "ss",
                     value, arn);
    return rc ? sns_fail_db(c) : 0;
}

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n < 1 || n > 256) return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

static void topic_arn(const call_ctx *c, const char *name, char *out, size_t n)
{
    snprintf(out, n, "arn:aws:sns:%s:%s:%s", c->region, c->caller->account_id, name);
}

static int tags_check(call_ctx *c, const json_t *tags)
{
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = json_string_value(json_object_get(t, "Key"));
        if (!k || !*k || strlen(k) > 128 || !strncmp(k, "aws:", 4))
            return sns_invalid(c, "Invalid parameter: Tags Reason: invalid tag key");
    }
    return 0;
}

static int tags_add(call_ctx *c, const char *arn, const json_t *tags)
{
    if (tags_check(c, tags)) return -1;
    if (tags_put_json(c->db, TAGS_SNS_TOPIC, arn, tags)) return sns_fail_db(c);
    if (tags_count(c->db, TAGS_SNS_TOPIC, arn) > SNS_MAX_TAGS)
        return aws_fail(&c->err, 400, "TagLimitExceeded",
                        "Could not complete request: tag quota of per resource exceeded");
    return 0;
}

/* An existing topic: CreateTopic again with what agrees with it returns its ARN. */
static int create_existing(call_ctx *c, const char *arn, const json_t *attrs, const json_t *tags)
{
    sns_topic t;
    if (sns_topic_load(c->db, arn, &t)) return sns_fail_db(c);
    const char *k;
    json_t *v;
    bool same = true;
    json_object_foreach((json_t *)attrs, k, v)
    {
        if (!same_value(k, topic_value(&t, k), json_string_value(v))) same = false;
    }
    sns_topic_clear(&t);
    if (!same)
        return sns_invalid(c, "Invalid parameter: Attributes Reason: Topic already exists with "
                              "different attributes");
    size_t i;
    json_t *tag;
    json_array_foreach(tags, i, tag)
    {
        const char *key = json_string_value(json_object_get(tag, "Key"));
        const char *val = json_string_value(json_object_get(tag, "Value"));
        json_t *have = tags_json(c->db, TAGS_SNS_TOPIC, arn);
        bool found = false;
        size_t j;
        json_t *h;
        json_array_foreach(have, j, h)
        {
            if (!strcmp(json_string_value(json_object_get(h, "Key")), key) &&
                !strcmp(json_string_value(json_object_get(h, "Value")), val ? val : ""))
                found = true;
        }
        json_decref(have);
        if (!found)
            return sns_invalid(c, "Invalid parameter: Tags Reason: Topic already exists with "
                                  "different tags");
    }
    c->out = json_pack("{s:s}", "TopicArn", arn);
    return 0;
}

static int create_topic(call_ctx *c)
{
    const char *name = in_str(c, "Name");
    const json_t *attrs = json_object_get(c->in, "Attributes");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (!name_ok(name)) {
        size_t n = strlen(name);
        if (n > 5 && !strcmp(name + n - 5, ".fifo"))
            return sns_invalid(c, "Invalid parameter: Topic Name Reason: orgtrail has no FIFO "
                                  "topics");
        return sns_invalid(c, "Invalid parameter: Topic Name");
    }
    char arn[320];
    topic_arn(c, name, arn, sizeof arn);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)attrs, k, v)
    {
        if (check_attribute(c, k, json_string_value(v), arn)) return -1;
    }
    if (tags && tags_check(c, tags)) return -1;
    int64_t n = 0;
    db_get_int(c->db, &n, "SELECT COUNT(*) FROM sns_topics WHERE arn = ?", "s", arn);
    call_add_resource(c, c->caller->account_id, "AWS::SNS::Topic", arn);
    if (n) return create_existing(c, arn, attrs, tags);
    /* AWS: tags at creation need sns:TagResource as well. */
    if (tags && call_authorize(c, "sns:TagResource", arn, NULL, NULL, NULL)) return -1;
    char *policy = default_policy_alloc(c->caller->account_id, arn);
    int rc = db_exec(c->db,
                     "INSERT INTO sns_topics(arn, account_id, region, name, policy, created_ms) "
                     "VALUES(?, ?, ?, ?, ?, ?)",
                     "sssssi", arn, c->caller->account_id, c->region, name, policy, c->now_ms);
    free(policy);
    if (rc) return sns_fail_db(c);
    json_object_foreach((json_t *)attrs, k, v)
    {
        if (set_attribute(c, arn, k, json_string_value(v))) return -1;
    }
    if (tags && tags_add(c, arn, tags)) return -1;
    c->out = json_pack("{s:s}", "TopicArn", arn);
    return 0;
}

static int delete_topic(call_ctx *c)
{
    const char *arn = in_str(c, "TopicArn");
    sns_topic t;
    int rc = sns_topic_load(c->db, arn, &t);
    if (rc < 0) return sns_fail_db(c);
    /* AWS: deleting a topic that does not exist is not an error. */
    if (rc > 0 || strcmp(t.region, c->region)) {
        if (rc == 0) sns_topic_clear(&t);
        return call_authorize(c, "sns:DeleteTopic", arn, NULL, NULL, NULL);
    }
    sns_topic_clear(&t);
    if (sns_topic_for(c, "sns:DeleteTopic", arn, &t)) return -1;
    sns_topic_clear(&t);
    if (sns_drop_topic_subscriptions(c->db, arn) || tags_remove_all(c->db, TAGS_SNS_TOPIC, arn) ||
        db_exec(c->db, "DELETE FROM sns_topics WHERE arn = ?", "s", arn))
        return sns_fail_db(c);
    return 0;
}

static void put_count(json_t *attrs, const char *name, int64_t n)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)n);
    json_object_set_new(attrs, name, json_string(text));
}

static int get_topic_attributes(call_ctx *c)
{
    sns_topic t;
    if (sns_topic_for(c, "sns:GetTopicAttributes", in_str(c, "TopicArn"), &t)) return -1;
    int64_t confirmed = 0, pending = 0;
    db_get_int(c->db, &confirmed,
               "SELECT COUNT(*) FROM sns_subscriptions WHERE topic_arn = ? AND confirmed = 1", "s",
               t.arn);
    db_get_int(c->db, &pending,
               "SELECT COUNT(*) FROM sns_subscriptions WHERE topic_arn = ? AND confirmed = 0", "s",
               t.arn);
    json_t *a = json_object();
    json_object_set_new(a, "Policy", json_string(t.policy));
    json_object_set_new(a, "Owner", json_string(t.account_id));
    json_object_set_new(a, "TopicArn", json_string(t.arn));
    json_object_set_new(a, "DisplayName", json_string(t.display_name ? t.display_name : ""));
    put_count(a, "SubscriptionsConfirmed", confirmed);
    put_count(a, "SubscriptionsPending", pending);
    put_count(a, "SubscriptionsDeleted", t.subs_deleted);
    char *effective = sns_effective_delivery_policy(&t);
    json_object_set_new(a, "EffectiveDeliveryPolicy", json_string(effective));
    free(effective);
    if (t.delivery_policy) json_object_set_new(a, "DeliveryPolicy", json_string(t.delivery_policy));
    json_object_set_new(a, "SignatureVersion", json_string(t.signature_version));
    sns_topic_clear(&t);
    c->out = json_pack("{s:o}", "Attributes", a);
    return 0;
}

static int set_topic_attributes(call_ctx *c)
{
    const char *name = in_str(c, "AttributeName"), *value = in_str(c, "AttributeValue");
    sns_topic t;
    if (sns_topic_for(c, "sns:SetTopicAttributes", in_str(c, "TopicArn"), &t)) return -1;
    char arn[320];
    snprintf(arn, sizeof arn, "%s", t.arn);
    sns_topic_clear(&t);
    if (!value) value = "";
    /* An empty DeliveryPolicy removes the topic's own; an empty Policy is not a policy. */
    if (!(!strcmp(name, "DeliveryPolicy") && !*value) && check_attribute(c, name, value, arn))
        return -1;
    return set_attribute(c, arn, name, value);
}

static int list_topics(call_ctx *c)
{
    const char *after = in_str(c, "NextToken");
    sqlite3_stmt *st =
        db_query(c->db,
                 "SELECT arn FROM sns_topics WHERE account_id = ? AND region = ? "
                 "AND (? IS NULL OR arn > ?) ORDER BY arn LIMIT ?",
                 "ssssi", c->caller->account_id, c->region, after, after, (int64_t)SNS_PAGE + 1);
    if (!st) return sns_fail_db(c);
    json_t *items = json_array();
    char last[320] = "";
    bool more = false;
    while (db_row(st)) {
        if (json_array_size(items) == SNS_PAGE) {
            more = true;
            break;
        }
        snprintf(last, sizeof last, "%s", db_text(st, 0));
        json_array_append_new(items, json_pack("{s:s}", "TopicArn", last));
    }
    db_done(st);
    c->out = json_pack("{s:o}", "Topics", items);
    if (more) json_object_set_new(c->out, "NextToken", json_string(last));
    return 0;
}

/* The tagging operations name a topic by ResourceArn; AWS answers ResourceNotFound. */
static int tagged_topic(call_ctx *c, const char *action, sns_topic *t)
{
    if (!sns_topic_for(c, action, in_str(c, "ResourceArn"), t)) return 0;
    if (!strcmp(c->err.code, "NotFound"))
        aws_fail(&c->err, 404, "ResourceNotFound", "Resource does not exist");
    return -1;
}

static int tag_resource(call_ctx *c)
{
    sns_topic t;
    if (tagged_topic(c, "sns:TagResource", &t)) return -1;
    int rc = tags_add(c, t.arn, json_object_get(c->in, "Tags"));
    sns_topic_clear(&t);
    if (!rc) c->out = json_object();
    return rc;
}

static int untag_resource(call_ctx *c)
{
    sns_topic t;
    if (tagged_topic(c, "sns:UntagResource", &t)) return -1;
    int rc = tags_remove_keys(c->db, TAGS_SNS_TOPIC, t.arn, json_object_get(c->in, "TagKeys"));
    sns_topic_clear(&t);
    if (rc) return sns_fail_db(c);
    c->out = json_object();
    return 0;
}

static int list_tags_for_resource(call_ctx *c)
{
    sns_topic t;
    if (tagged_topic(c, "sns:ListTagsForResource", &t)) return -1;
    c->out = json_pack("{s:o}", "Tags", tags_json(c->db, TAGS_SNS_TOPIC, t.arn));
    sns_topic_clear(&t);
    return 0;
}

/* The resource of the operations call_run authorizes: the new topic for CreateTopic. */
static void sns_resource(const call_ctx *c, char *out, size_t n)
{
    const char *name = in_str(c, "Name");
    if (c->op && !strcmp(c->op, "CreateTopic") && name) topic_arn(c, name, out, n);
}

/* SNS answers every constraint violation of the model so. */
static const validation_override INVALID[] = {
    {"*", "InvalidParameter", NULL},
    {NULL, NULL, NULL},
};

#define SELF (OP_AUTHORIZES_ITSELF)
static const op_def OPS[] = {
    {"ConfirmSubscription", sns_confirm_subscription, INVALID, OP_TX | OP_NO_PERMISSION_NEEDED},
    {"CreateTopic", create_topic, INVALID, OP_TX},
    {"DeleteTopic", delete_topic, INVALID, OP_TX | SELF},
    {"GetSubscriptionAttributes", sns_get_subscription_attributes, INVALID, SELF},
    {"GetTopicAttributes", get_topic_attributes, INVALID, SELF},
    {"ListSubscriptions", sns_list_subscriptions, INVALID, 0},
    {"ListSubscriptionsByTopic", sns_list_subscriptions_by_topic, INVALID, SELF},
    {"ListTagsForResource", list_tags_for_resource, INVALID, SELF},
    {"ListTopics", list_topics, INVALID, 0},
    {"Publish", sns_publish, INVALID, OP_TX | SELF},
    {"SetTopicAttributes", set_topic_attributes, INVALID, OP_TX | SELF},
    {"Subscribe", sns_subscribe, INVALID, OP_TX | SELF},
    {"TagResource", tag_resource, INVALID, OP_TX | SELF},
    {"Unsubscribe", sns_unsubscribe, INVALID, OP_TX | SELF},
    {"UntagResource", untag_resource, INVALID, OP_TX | SELF},
};

const service_def SVC_SNS = {.signing_name = "sns",
                             .style = VSTYLE_QUERY,
                             .ops = OPS,
                             .n_ops = sizeof OPS / sizeof *OPS,
                             .fail_db = sns_fail_db,
                             .authz_resource = sns_resource,
                             .denied_status = 403,
                             .denied_code = "AuthorizationError"};
