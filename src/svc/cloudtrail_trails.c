/* cloudtrail_trails: trails' lifecycle (Create/Update/DeleteTrail), their views
 * (GetTrail, DescribeTrails, ListTrails), status and logging.
 *
 * CreateTrail checks, in this order: the request's own values (name rules, prefix length,
 * multi-region needs global events, tags), the organization preconditions for an
 * organization trail, the bucket and its policy, the 5-trails-per-region limit and the
 * name's uniqueness, both in the owning account (the management account for an
 * organization trail). The fact sheet lists the name rule after the bucket checks; orgtrail
 * checks the request's syntax first, as AWS's front ends do for every malformed value.
 *
 * orgtrail has no KMS keys yet, so a trail cannot name one: such requests get the error
 * AWS gives for a key that does not exist, instead of a setting orgtrail would silently not
 * honour. An SNS topic must let cloudtrail.amazonaws.com publish for the trail. A CloudWatch Logs
 * group and role are checked as CloudTrail checks them (delivery/cwl_stream.h cwl_check_target),
 * once the trail's owner and region are known. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "delivery/cwl_stream.h"
#include "svc/sns.h"
#include "state/delivery_state.h"
#include "state/digest_state.h"
#include "state/outbox_state.h"
#include "svc/cloudtrail_internal.h"

#define S3_PREFIX_MAX 200

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v && *v) json_object_set_new(o, k, json_string(v));
}

static void set_bool(json_t *o, const char *k, bool v)
{
    json_object_set_new(o, k, json_boolean(v));
}

/* The Trail shape (GetTrail, DescribeTrails) or, without the view-only members, the
 * Create/UpdateTrail response. Unset strings are omitted, never null. */
static json_t *trail_json(const trail *t, bool view)
{
    json_t *j = json_object();
    set_str(j, "Name", t->name);
    set_str(j, "S3BucketName", t->s3_bucket);
    set_str(j, "S3KeyPrefix", t->s3_prefix);
    set_str(j, "SnsTopicName", t->sns_topic);
    if (t->sns_topic[0]) {
        char topic[300];
        trail_sns_topic_arn(t, topic, sizeof topic);
        set_str(j, "SnsTopicARN", topic);
    }
    set_bool(j, "IncludeGlobalServiceEvents", t->include_global);
    set_bool(j, "IsMultiRegionTrail", t->multi_region);
    if (view) set_str(j, "HomeRegion", t->home_region);
    set_str(j, "TrailARN", t->arn);
    set_bool(j, "LogFileValidationEnabled", t->log_validation);
    set_str(j, "CloudWatchLogsLogGroupArn", t->cwl_group_arn);
    set_str(j, "CloudWatchLogsRoleArn", t->cwl_role_arn);
    set_str(j, "KmsKeyId", t->kms_key_id);
    if (view) {
        set_bool(j, "HasCustomEventSelectors", t->custom_selectors);
        set_bool(j, "HasInsightSelectors", false);
    }
    set_bool(j, "IsOrganizationTrail", t->is_org);
    return j;
}

/* ---------------------------------------------------------------------------------------
 * Request values shared by CreateTrail and UpdateTrail */

static const char *present(const char *s)
{
    return s && *s ? s : NULL;
}

/* The trail's SNS topic must exist and let cloudtrail.amazonaws.com publish for this
 * trail (aws:SourceArn), as CloudTrail checks at CreateTrail and UpdateTrail. */
static int check_topic(call_ctx *c, const trail *t)
{
    if (!t->sns_topic[0]) return 0;
    char topic[300];
    trail_sns_topic_arn(t, topic, sizeof topic);
    if (!sns_topic_allows_service(c->db, topic, "cloudtrail.amazonaws.com", t->arn, t->account_id))
        return aws_fail(&c->err, 403, "InsufficientSnsTopicPolicyException",
                        "SNS topic %.300s does not exist or its policy does not allow "
                        "cloudtrail.amazonaws.com to publish for trail %s.",
                        topic, t->arn);
    return 0;
}

/* Settings orgtrail cannot honour yet (see the file comment). */
static int refuse_unbacked(call_ctx *c)
{
    if (present(in_str(c, "KmsKeyId")))
        return aws_fail(&c->err, 400, "KmsKeyNotFoundException",
                        "KMS key %.300s was not found: orgtrail has no KMS keys.",
                        in_str(c, "KmsKeyId"));
    return 0;
}

static int check_prefix(call_ctx *c, const char *prefix)
{
    if (prefix && strlen(prefix) > S3_PREFIX_MAX)
        return aws_fail(&c->err, 400, "InvalidS3PrefixException",
                        "S3 key prefix is longer than %d characters.", S3_PREFIX_MAX);
    return 0;
}

static int check_combination(call_ctx *c, const trail *t)
{
    if (t->multi_region && !t->include_global)
        return aws_fail(&c->err, 400, "InvalidParameterCombinationException",
                        "Multi-Region trail must include global service events.");
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * CreateTrail / UpdateTrail / DeleteTrail */

int ct_create_trail(call_ctx *c)
{
    const char *name = in_str(c, "Name");
    if (ct_looks_like_arn(name))
        return aws_fail(&c->err, 400, "InvalidTrailNameException",
                        "Trail name or ARN can only contain uppercase letters, lowercase "
                        "letters, numbers, periods (.), hyphens (-), and underscores (_).");
    if (ct_check_name(c, name)) return -1;
    trail t;
    memset(&t, 0, sizeof t);
    snprintf(t.name, sizeof t.name, "%s", name);
    snprintf(t.home_region, sizeof t.home_region, "%s", c->region);
    const char *prefix = in_str(c, "S3KeyPrefix");
    if (check_prefix(c, prefix) || refuse_unbacked(c)) return -1;
    snprintf(t.s3_bucket, sizeof t.s3_bucket, "%.63s", in_str(c, "S3BucketName"));
    if (strlen(in_str(c, "S3BucketName")) > 63)
        return aws_fail(&c->err, 400, "InvalidS3BucketNameException",
                        "Bucket name is not valid: %.100s", in_str(c, "S3BucketName"));
    snprintf(t.s3_prefix, sizeof t.s3_prefix, "%s", prefix ? prefix : "");
    t.include_global = in_bool(c, "IncludeGlobalServiceEvents", true);
    t.multi_region = in_bool(c, "IsMultiRegionTrail", false);
    t.log_validation = in_bool(c, "EnableLogFileValidation", false);
    t.is_org = in_bool(c, "IsOrganizationTrail", false);
    snprintf(t.sns_topic, sizeof t.sns_topic, "%s",
             present(in_str(c, "SnsTopicName")) ? in_str(c, "SnsTopicName") : "");
    snprintf(t.cwl_group_arn, sizeof t.cwl_group_arn, "%s",
             present(in_str(c, "CloudWatchLogsLogGroupArn"))
                 ? in_str(c, "CloudWatchLogsLogGroupArn")
                 : "");
    snprintf(t.cwl_role_arn, sizeof t.cwl_role_arn, "%s",
             present(in_str(c, "CloudWatchLogsRoleArn")) ? in_str(c, "CloudWatchLogsRoleArn") : "");
    if (check_combination(c, &t)) return -1;
    const json_t *tags = json_object_get(c->in, "TagsList");
    if (json_array_size(tags) > CT_MAX_TAGS)
        return aws_fail(&c->err, 400, "TagsLimitExceededException",
                        "The number of tags exceeds the limit of %d.", CT_MAX_TAGS);

    char owner[13], org_id[40] = "";
    snprintf(owner, sizeof owner, "%s", c->caller->account_id);
    if (t.is_org) {
        org_info o;
        if (ct_org_preconditions(c, &o, false)) return -1;
        snprintf(owner, sizeof owner, "%s", o.master_account);
        snprintf(org_id, sizeof org_id, "%s", o.id);
    } else {
        ct_caller_org_id(c, org_id, sizeof org_id);
    }
    snprintf(t.account_id, sizeof t.account_id, "%s", owner);
    snprintf(t.created_by, sizeof t.created_by, "%s", c->caller->account_id);
    trail_arn(t.arn, sizeof t.arn, t.home_region, owner, t.name);
    t.created_ms = c->now_ms;

    if (cwl_check_target(c->db, c->env ? c->env->iam : NULL, &t, &c->err)) return -1;
    if (check_topic(c, &t)) return -1;
    if (ct_check_bucket(c, &t, org_id)) return -1;
    if (trail_count_in_region(c->db, owner, c->region) >= TRAIL_MAX_PER_REGION)
        return aws_fail(&c->err, 400, "MaximumNumberOfTrailsExceededException",
                        "User: %s already has %d trails in %s.", owner, TRAIL_MAX_PER_REGION,
                        c->region);
    if (trail_name_taken(c->db, owner, t.name, c->region, t.multi_region))
        return aws_fail(&c->err, 400, "TrailAlreadyExistsException",
                        "Trail %s already exists for customer: %s", t.name, owner);
    /* A trail re-created under a deleted one's ARN starts new digest chains: the deleted
     * trail's last digests, if not written yet, are dropped with its kept settings. */
    trail old;
    if (trail_get_deleted(c->db, t.arn, &old) == 1 &&
        (digest_forget_trail(c->db, t.arn) || trail_forget_deleted(c->db, t.arn)))
        return ct_fail_db(c);
    if (trail_insert(c->db, &t)) return ct_fail_db(c);
    if (tags && ct_tags_add(c, t.arn, tags)) return -1;
    ct_add_resource(c, &t);
    c->out = trail_json(&t, false);
    return 0;
}

int ct_update_trail(call_ctx *c)
{
    trail t;
    if (ct_resolve(c, in_str(c, "Name"), CT_MODIFY, &t)) return -1;
    if (check_prefix(c, in_str(c, "S3KeyPrefix")) || refuse_unbacked(c)) return -1;
    trail before = t;
    const char *bucket = in_str(c, "S3BucketName");
    if (bucket && strlen(bucket) > 63)
        return aws_fail(&c->err, 400, "InvalidS3BucketNameException",
                        "Bucket name is not valid: %.100s", bucket);
    if (bucket) snprintf(t.s3_bucket, sizeof t.s3_bucket, "%s", bucket);
    const char *prefix = in_str(c, "S3KeyPrefix");
    if (prefix) snprintf(t.s3_prefix, sizeof t.s3_prefix, "%s", prefix); /* "" removes it */
    /* Empty strings remove the optional settings, as in AWS. */
    if (in_str(c, "KmsKeyId")) t.kms_key_id[0] = '\0';
    const char *topic_name = in_str(c, "SnsTopicName");
    if (topic_name) snprintf(t.sns_topic, sizeof t.sns_topic, "%s", topic_name);
    const char *group_arn = in_str(c, "CloudWatchLogsLogGroupArn");
    const char *cwl_role = in_str(c, "CloudWatchLogsRoleArn");
    if (group_arn) snprintf(t.cwl_group_arn, sizeof t.cwl_group_arn, "%s", group_arn);
    if (cwl_role) snprintf(t.cwl_role_arn, sizeof t.cwl_role_arn, "%s", cwl_role);
    t.include_global = in_bool(c, "IncludeGlobalServiceEvents", t.include_global);
    t.multi_region = in_bool(c, "IsMultiRegionTrail", t.multi_region);
    t.log_validation = in_bool(c, "EnableLogFileValidation", t.log_validation);
    t.is_org = in_bool(c, "IsOrganizationTrail", t.is_org);
    if (check_combination(c, &t)) return -1;

    char org_id[40] = "";
    if (t.is_org || before.is_org) {
        /* Converting either way is the management account's; keeping an organization
         * trail needs what creating one needs. */
        org_info o;
        if (ct_org_preconditions(c, &o, t.is_org != before.is_org)) return -1;
        snprintf(org_id, sizeof org_id, "%s", o.id);
    } else {
        ct_caller_org_id(c, org_id, sizeof org_id);
    }
    if (t.multi_region && !before.multi_region) {
        int64_t clash = 0;
        db_get_int(c->db, &clash,
                   "SELECT COUNT(*) FROM trails WHERE account_id = ? AND name = ? AND arn <> ?",
                   "sss", t.account_id, t.name, t.arn);
        if (clash)
            return aws_fail(&c->err, 400, "TrailAlreadyExistsException",
                            "Trail %s already exists for customer: %s", t.name, t.account_id);
    }
    if ((bucket || prefix || t.is_org != before.is_org) && ct_check_bucket(c, &t, org_id))
        return -1;
    if (topic_name && check_topic(c, &t)) return -1;
    if ((group_arn || cwl_role) &&
        cwl_check_target(c->db, c->env ? c->env->iam : NULL, &t, &c->err))
        return -1;
    if (trail_update_config(c->db, &t)) return ct_fail_db(c);
    ct_add_resource(c, &t);
    c->out = trail_json(&t, false);
    return 0;
}

int ct_delete_trail(call_ctx *c)
{
    trail t;
    if (ct_resolve(c, in_str(c, "Name"), CT_MODIFY, &t)) return -1;
    /* Deleting a trail stops its delivery, files planned but not yet written included. Its
     * running digest chains still end with a last digest of what was delivered, as after
     * StopLogging: the digester needs the trail's settings for that (digest/digester.h). */
    if (trail_keep_deleted(c->db, t.arn) || trail_delete(c->db, t.arn) ||
        delivery_forget_trail(c->db, t.arn))
        return ct_fail_db(c);
    ct_add_resource(c, &t);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Views */

int ct_get_trail(call_ctx *c)
{
    trail t;
    if (ct_resolve(c, in_str(c, "Name"), CT_VIEW, &t)) return -1;
    ct_add_resource(c, &t);
    c->out = json_pack("{s:o}", "Trail", trail_json(&t, true));
    return 0;
}

/* DescribeTrails' trailNameList: names match trails of the caller's account homed in
 * this region; ARNs match any trail visible here. Unknown entries are left out. */
static bool named(call_ctx *c, const json_t *names, const trail *t)
{
    size_t i;
    const json_t *v;
    json_array_foreach(names, i, v)
    {
        const char *s = json_string_value(v);
        if (!s) continue;
        if (ct_looks_like_arn(s)
                ? !strcmp(s, t->arn)
                : !strcmp(s, t->name) && !strcmp(t->account_id, c->caller->account_id) &&
                      !strcmp(t->home_region, c->region))
            return true;
    }
    return false;
}

int ct_describe_trails(call_ctx *c)
{
    const json_t *names = json_object_get(c->in, "trailNameList");
    bool shadows = in_bool(c, "includeShadowTrails", true);
    /* Every entry is checked, so that a malformed one fails whatever the store holds. */
    size_t i;
    const json_t *v;
    json_array_foreach(names, i, v)
    {
        const char *s = json_string_value(v);
        char region[32], account[13], name[129];
        if (s && (ct_looks_like_arn(s) ? ct_parse_arn(c, s, region, account, name)
                                       : ct_check_name(c, s)))
            return -1;
    }
    trail *ts;
    bool *shadow;
    size_t n = trail_list_visible(c->db, c->caller->account_id, c->region, &ts, &shadow);
    json_t *list = json_array();
    for (size_t k = 0; k < n; k++) {
        if (shadow[k] && !shadows) continue;
        if (json_array_size(names) && !named(c, names, &ts[k])) continue;
        json_array_append_new(list, trail_json(&ts[k], true));
    }
    free(ts);
    free(shadow);
    c->out = json_pack("{s:o}", "trailList", list);
    return 0;
}

int ct_list_trails(call_ctx *c)
{
    /* orgtrail answers in one page (an account sees a handful of trails) and never hands
     * out a NextToken: any token a client sends is past the end. */
    if (present(in_str(c, "NextToken"))) {
        c->out = json_pack("{s:[]}", "Trails");
        return 0;
    }
    trail *ts;
    bool *shadow;
    size_t n = trail_list_visible(c->db, c->caller->account_id, c->region, &ts, &shadow);
    json_t *list = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "TrailARN", ts[k].arn, "Name",
                                              ts[k].name, "HomeRegion", ts[k].home_region));
    free(ts);
    free(shadow);
    c->out = json_pack("{s:o}", "Trails", list);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Status and logging */

static void set_iso(json_t *o, const char *k, int64_t ms)
{
    char text[32];
    time_iso8601(ms, text, sizeof text);
    json_object_set_new(o, k, json_string(text));
}

int ct_get_trail_status(call_ctx *c)
{
    trail t;
    /* Members get CloudTrailARNInvalidException here (field reports in org-trail-api.md B),
     * although they may GetTrail the same ARN. */
    if (ct_resolve(c, in_str(c, "Name"), CT_READ, &t)) return -1;
    json_t *o = json_object();
    set_bool(o, "IsLogging", t.logging);
    /* Delivery: LatestDeliveryTime is the last file that reached the bucket,
     * LatestDeliveryError the S3 error code of the last attempt when it failed (cleared by
     * a success). The deprecated text members AWS still sends: LatestDeliveryAttemptTime
     * (last attempt) and LatestDeliveryAttemptSucceeded (last successful attempt), both
     * ISO-8601, "" when there was none. */
    outbox_status ds;
    outbox_status_get(c->db, OUTBOX_LOG, t.arn, &ds);
    if (ds.latest_ms) json_object_set_new(o, "LatestDeliveryTime", json_time(ds.latest_ms));
    if (ds.latest_error[0])
        json_object_set_new(o, "LatestDeliveryError", json_string(ds.latest_error));
    if (ds.latest_attempt_ms)
        set_iso(o, "LatestDeliveryAttemptTime", ds.latest_attempt_ms);
    else
        json_object_set_new(o, "LatestDeliveryAttemptTime", json_string(""));
    if (ds.latest_ms)
        set_iso(o, "LatestDeliveryAttemptSucceeded", ds.latest_ms);
    else
        json_object_set_new(o, "LatestDeliveryAttemptSucceeded", json_string(""));
    /* Digests (log file validation): the last digest that reached the bucket, and the
     * error of the last attempt when it failed. */
    outbox_status dg;
    outbox_status_get(c->db, OUTBOX_DIGEST, t.arn, &dg);
    if (dg.latest_ms) json_object_set_new(o, "LatestDigestDeliveryTime", json_time(dg.latest_ms));
    if (dg.latest_error[0])
        json_object_set_new(o, "LatestDigestDeliveryError", json_string(dg.latest_error));
    /* CloudWatch Logs: the last round that wrote the trail's records into its group, and
     * the error of the last attempt when it could not (delivery/cwl_stream.h). */
    outbox_status cw;
    outbox_status_get(c->db, OUTBOX_CWL, t.arn, &cw);
    if (cw.latest_ms)
        json_object_set_new(o, "LatestCloudWatchLogsDeliveryTime", json_time(cw.latest_ms));
    if (cw.latest_error[0])
        json_object_set_new(o, "LatestCloudWatchLogsDeliveryError", json_string(cw.latest_error));
    json_object_set_new(o, "LatestNotificationAttemptTime", json_string(""));
    json_object_set_new(o, "LatestNotificationAttemptSucceeded", json_string(""));
    /* The deprecated text forms of the logging times are still sent by AWS. */
    if (t.start_logging_ms) {
        json_object_set_new(o, "StartLoggingTime", json_time(t.start_logging_ms));
        set_iso(o, "TimeLoggingStarted", t.start_logging_ms);
    }
    if (t.stop_logging_ms) {
        json_object_set_new(o, "StopLoggingTime", json_time(t.stop_logging_ms));
        set_iso(o, "TimeLoggingStopped", t.stop_logging_ms);
    }
    ct_add_resource(c, &t);
    c->out = o;
    return 0;
}

static int set_logging(call_ctx *c, bool on)
{
    trail t;
    if (ct_resolve(c, in_str(c, "Name"), CT_MODIFY, &t)) return -1;
    /* The span is marked in journal positions: this call's own record comes after it,
     * so StartLogging is delivered by the trail it starts (select.h). */
    uint64_t position = c->env ? journal_position(c->env->journal) : 1;
    if (trail_set_logging(c->db, t.arn, on, c->now_ms) ||
        delivery_logging_changed(c->db, t.arn, on, position))
        return ct_fail_db(c);
    ct_add_resource(c, &t);
    return 0;
}

int ct_start_logging(call_ctx *c)
{
    return set_logging(c, true);
}

int ct_stop_logging(call_ctx *c)
{
    return set_logging(c, false);
}
