/* logs_internal: what the files of the CloudWatch Logs service share.
 *
 *   logs.c         the operation table (SVC_LOGS); log groups and log streams
 *   logs_events.c  PutLogEvents and GetLogEvents (events live in state/logstore.h),
 *                  PutRetentionPolicy / DeleteRetentionPolicy
 *   logs_filters.c metric filters, TestMetricFilter, FilterLogEvents (filter patterns:
 *                  filter/filter_pattern.h)
 *   logs_tags.c    tags of log groups: TagResource, UntagResource, ListTagsForResource,
 *                  the deprecated TagLogGroup, UntagLogGroup, ListTagsLogGroup, and
 *                  CreateLogGroup's tags
 *
 * A log group is addressed by name within the caller's account and region; its ARN is
 * arn:aws:logs:REGION:ACCOUNT:log-group:NAME (DescribeLogGroups' "arn" adds ":*"). Where
 * AWS's wording of an error is not known, the message is orgtrail's and says so in a
 * comment. */
#ifndef ORGTRAIL_LOGS_INTERNAL_H
#define ORGTRAIL_LOGS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "state/logstore.h"
#include "svc/service.h"

/* A failed store update: ServiceUnavailableException. */
int logs_fail_db(call_ctx *c);
/* ResourceNotFoundException for a missing group / stream (AWS's texts). */
int logs_fail_no_group(call_ctx *c);
int logs_fail_no_stream(call_ctx *c);
/* The error for a logstore result other than 0 (LOGSTORE_NO_GROUP, _NO_STREAM, -1). */
int logs_fail_store(call_ctx *c, int rc);
/* The caller's group (and stream; NULL: none) as the logstore names it. */
logstore_key logs_key(const call_ctx *c, const char *group, const char *stream);
/* arn:aws:logs:REGION:ACCOUNT:log-group:NAME of the caller's group. */
void logs_group_arn(const call_ctx *c, const char *group, char *out, size_t n);
bool logs_group_exists(call_ctx *c, const char *group);
bool logs_stream_exists(call_ctx *c, const char *group, const char *stream);
/* The group name a log group ARN (with or without a trailing ":*") or a bare name names
 * in the caller's account and region; NULL when it is an ARN of anything else (another
 * account, region, or resource type). Points into id or into out. */
const char *logs_group_of(const call_ctx *c, const char *id, char *out, size_t n);

/* The group a request names by logGroupName or logGroupIdentifier (one of them, not
 * both); NULL after failing the call. Points into the input or into name_buf. */
const char *logs_group_param(call_ctx *c, char *name_buf, size_t n);
/* Paging tokens: a direction letter ('f' forward, 'b' backward: GetLogEvents; 'n':
 * FilterLogEvents), '/', then the position's 39 digits. parse: 0, or -1 when malformed. */
void logs_token_make(char dir, logstore_pos p, char *out, size_t n);
int logs_token_parse(const char *t, char *dir, logstore_pos *p);

int logs_put_log_events(call_ctx *c);
int logs_get_log_events(call_ctx *c);
int logs_put_retention_policy(call_ctx *c);
int logs_delete_retention_policy(call_ctx *c);

int logs_put_metric_filter(call_ctx *c);
int logs_delete_metric_filter(call_ctx *c);
int logs_describe_metric_filters(call_ctx *c);
int logs_test_metric_filter(call_ctx *c);
int logs_filter_log_events(call_ctx *c);
/* The group's metric filters go with it (DeleteLogGroup). */
__attribute__((warn_unused_result)) int logs_drop_metric_filters(call_ctx *c, const char *group);

int logs_tag_resource(call_ctx *c);
int logs_untag_resource(call_ctx *c);
int logs_list_tags_for_resource(call_ctx *c);
int logs_tag_log_group(call_ctx *c);
int logs_untag_log_group(call_ctx *c);
int logs_list_tags_log_group(call_ctx *c);
/* Adds the tags of a {"key":"value"} map to the caller's group (the 50-tag quota
 * checked): CreateLogGroup and the tagging operations. */
int logs_tags_add(call_ctx *c, const char *group, const json_t *tags);
/* The group's tags go with it (DeleteLogGroup). */
__attribute__((warn_unused_result)) int logs_tags_drop(call_ctx *c, const char *group);

#endif
