/* cwl_stream: trails that send their records to a CloudWatch Logs log group
 * (CloudWatchLogsLogGroupArn + CloudWatchLogsRoleArn), as CloudTrail does, within a
 * second instead of CloudTrail's minutes.
 *
 * Each record a trail selects (delivery/select.h: the same decision as its log files)
 * becomes one log event of the trail's group: the record's JSON as the message, its
 * eventTime as the timestamp, in the stream CloudTrail names —
 *     ACCOUNT_CloudTrail_REGION          the trail's own account's records,
 *     o-ORGID_ACCOUNT_CloudTrail_REGION  a member's, for an organization trail
 * (REGION the record's awsRegion), created on first use as CreateLogStream would. The
 * group is in the trail's account and home region (CreateTrail checks it); CloudTrail
 * writes through the role, so every round asks the access-control engine whether the role
 * trusts cloudtrail.amazonaws.com and allows logs:CreateLogStream and logs:PutLogEvents
 * on the stream: a role that no longer does gets nothing written, and the trail's
 * status says why (GetTrailStatus LatestCloudWatchLogsDeliveryError), as in AWS, where
 * such records are not delivered to the group (the log files still are).
 *
 * Exactly once, across kill -9: the streamer reads the journal from its own durable
 * cursor (state cwl_cursor) up to journal_durable(), and appends every event of a round
 * and moves the cursor in ONE transaction (state/logstore.h joins it). A crash before the
 * commit streams the round again from the old cursor; after it, never again.
 *
 * Threads: one streamer (app/streamer.h) calls cwl_stream_round; CreateTrail and
 * UpdateTrail call cwl_check_target from request threads. Neither holds a lock of its
 * own. */
#ifndef ORGTRAIL_DELIVERY_CWL_STREAM_H
#define ORGTRAIL_DELIVERY_CWL_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/awserr.h"
#include "delivery/delivery_env.h"
#include "policy/iam_data.h"
#include "state/db.h"
#include "state/trail_state.h"

#define CWL_ROUND_RECORDS 5000 /* records streamed per transaction at most */

/* A log group ARN: arn:aws:logs:REGION:ACCOUNT:log-group:NAME, with or without the ":*"
 * CloudTrail's console writes after it. */
typedef struct cwl_group {
    char region[32];
    char account_id[13];
    char name[513];
} cwl_group;

/* 0, or -1 when arn is not a log group ARN. */
int cwl_group_parse(const char *arn, cwl_group *g);

/* The stream a record of account `account` and region `region` goes to for trail t
 * (org_id: the owner's organization for an organization trail, else ""). */
void cwl_stream_name(const trail *t, const char *org_id, const char *account, const char *region,
                     char *out, size_t n);

/* Whether CloudTrail may write to stream `stream` of group g through role role_arn: the
 * role exists in g's account, trusts cloudtrail.amazonaws.com, and allows
 * logs:CreateLogStream and logs:PutLogEvents on the stream's ARN. 0, or -1 with the
 * reason in why (a sentence) and the status code in code ("AccessDeniedException",
 * "ResourceNotFoundException"). */
int cwl_role_permits(db_conn *db, const iam_data *iam, const char *role_arn, const cwl_group *g,
                     const char *stream, char *code, size_t code_n, char *why, size_t why_n);

/* CreateTrail / UpdateTrail's checks of a trail's log group and role, in AWS's order and
 * with its errors: both or neither (InvalidCloudWatchLogsRoleArnException /
 * InvalidCloudWatchLogsLogGroupArnException), the group's ARN well formed, in the
 * trail's account and home region (an organization trail's: the management account's)
 * and existing (InvalidCloudWatchLogsLogGroupArnException), the role in that account
 * (InvalidCloudWatchLogsRoleArnException) and usable by CloudTrail for the trail's own
 * stream (InvalidCloudWatchLogsRoleArnException "Access denied. Verify in IAM that the
 * role has adequate permissions."). 0, or -1 with e. */
int cwl_check_target(db_conn *db, const iam_data *iam, const trail *t, aws_error *e);

/* One round: streams every record from the cursor up to the journal's durable end (at
 * most CWL_ROUND_RECORDS). Returns how many records were read (0: none were waiting),
 * or -1 when the round could not be committed (it is read again next time). *more is set
 * when the round stopped at its cap. */
int cwl_stream_round(const delivery_env *env, int64_t now_ms, bool *more);

#endif
