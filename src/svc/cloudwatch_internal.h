/* cloudwatch_internal: what the files of the CloudWatch service share.
 *
 *   cloudwatch.c         the operation table (SVC_MONITORING); PutMetricData, ListMetrics,
 *                        GetMetricStatistics (metrics live in state/metricstore.h)
 *   cloudwatch_data.c    GetMetricData: MetricStat queries and metric math expressions
 *   cloudwatch_alarms.c  metric alarms (state/alarms.h): PutMetricAlarm, DescribeAlarms,
 *                        DescribeAlarmsForMetric, DescribeAlarmHistory, SetAlarmState,
 *                        Enable/DisableAlarmActions, DeleteAlarms, and alarm tags
 *
 * The service is spoken in Smithy RPC v2 CBOR, AWS JSON 1.0 and Query (proto/proto.h):
 * handlers see the same JSON input whatever the client spoke. Errors carry CloudWatch's
 * Query codes (InvalidParameterValue, MissingParameter, InvalidParameterCombination,
 * ResourceNotFound, InvalidNextToken, ValidationError), which the JSON and CBOR answers
 * repeat in x-amzn-query-error (awsQueryCompatible). Where AWS's wording of an error is
 * not known, the message is orgtrail's and says so in a comment. */
#ifndef ORGTRAIL_CLOUDWATCH_INTERNAL_H
#define ORGTRAIL_CLOUDWATCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "state/metricstore.h"
#include "svc/service.h"

/* A failed store update: InternalServiceError (500). */
int cw_fail_db(call_ctx *c);
/* InvalidParameterValue / InvalidParameterCombination / MissingParameter with a text. */
int cw_invalid(call_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cw_combination(call_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads a [{"Name","Value"}] list into dims (at most METRICSTORE_MAX_DIMS); returns how
 * many, or -1 after failing the call (a repeated name). `what` names the list in errors. */
int cw_dims(call_ctx *c, const json_t *list, metricstore_dim *dims, const char *what);
/* [{"Name","Value"}] of a metricstore_dims_text text. New reference. */
json_t *cw_dims_json(const char *dims_text);
/* Whether a period is one AWS allows for metric queries: 1, 5, 10, 30 or a multiple of
 * 60 seconds. */
bool cw_period_ok(int64_t period);
/* Epoch milliseconds of a timestamp member (a JSON number of seconds). */
int64_t cw_ms(const json_t *v);

int cw_get_metric_data(call_ctx *c);

int cw_put_metric_alarm(call_ctx *c);
int cw_describe_alarms(call_ctx *c);
int cw_describe_alarms_for_metric(call_ctx *c);
int cw_describe_alarm_history(call_ctx *c);
int cw_set_alarm_state(call_ctx *c);
int cw_enable_alarm_actions(call_ctx *c);
int cw_disable_alarm_actions(call_ctx *c);
int cw_delete_alarms(call_ctx *c);
int cw_tag_resource(call_ctx *c);
int cw_untag_resource(call_ctx *c);
int cw_list_tags_for_resource(call_ctx *c);

#endif
