/* notify_state: the notifications AWS services send through SNS on their own behalf —
 * CloudTrail's "a log file was delivered", CloudWatch's alarm actions — waiting to be
 * published.
 *
 * The producers live below SNS (delivery, metric alarms) and queue a row in the
 * transaction that made the event happen (a log file stored, an alarm's state changed),
 * so a notification is neither sent for what did not commit nor lost with a crash. The
 * SNS delivery thread (app/sns_worker.h) takes the rows oldest first and publishes each
 * as its service principal (svc/sns.h sns_publish_as_service: the topic policy decides,
 * with aws:SourceArn and aws:SourceAccount), deleting it in the transaction that queues
 * the SNS deliveries: each notification is published once. */
#ifndef ORGTRAIL_NOTIFY_STATE_H
#define ORGTRAIL_NOTIFY_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "state/db.h"

typedef struct notify_item {
    int64_t id;
    char topic_arn[300];
    char service[64];        /* e.g. cloudtrail.amazonaws.com */
    char source_arn[320];    /* the trail or alarm; "" when none */
    char source_account[13]; /* "" when none */
    char *subject;           /* owned; NULL when none */
    char *message;           /* owned */
} notify_item;

/* Queues one notification (joins the caller's transaction). 0, or -1. */
__attribute__((warn_unused_result)) int
notify_queue(db_conn *db, const char *topic_arn, const char *service, const char *source_arn,
             const char *source_account, const char *subject, const char *message, int64_t now_ms);
/* Up to max of the oldest into *out (malloc'd; notify_items_free). */
size_t notify_take(db_conn *db, size_t max, notify_item **out);
void notify_items_free(notify_item *v, size_t n);
__attribute__((warn_unused_result)) int notify_done(db_conn *db, int64_t id);

#endif
