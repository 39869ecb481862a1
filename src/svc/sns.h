/* sns: what the other layers ask of Amazon SNS without going through HTTP.
 *
 *   sns_enqueue               queues a Notification of a message to every confirmed
 *                             http/https subscription of a topic (no access check: for a
 *                             caller that has checked already, e.g. the alarm-action
 *                             outbox of CloudWatch after its own policy check)
 *   sns_topic_allows_service  whether a topic's policy lets a service principal
 *                             (cloudtrail.amazonaws.com, cloudwatch.amazonaws.com) publish,
 *                             with aws:SourceArn / aws:SourceAccount as that service sets
 *                             them: CreateTrail's InsufficientSnsTopicPolicyException
 *   sns_publish_as_service    both: the check, then the queueing
 *   sns_public_*              the unauthenticated GETs SNS's messages point at:
 *                             SigningCertURL, SubscribeURL, UnsubscribeURL
 *
 * Delivery is asynchronous: a queued message is a row of sns_outbox (state/schema.c, the
 * SNS migration) that the SNS delivery thread (app/sns_worker.h) POSTs. A message queued
 * inside the caller's transaction is delivered only if that transaction commits, and then
 * at least once, also across a crash of the server.
 *
 * Transactions: sns_enqueue writes inside the caller's transaction when one is open (so
 * that the message goes with the change that caused it), in one of its own otherwise;
 * the same for sns_publish_as_service. Errors carry SNS's codes: NotFound (no such
 * topic), AuthorizationError (the policy does not allow), InvalidParameter, InternalError. */
#ifndef ORGTRAIL_SNS_H
#define ORGTRAIL_SNS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/awserr.h"
#include "http/http.h"
#include "state/db.h"

#define SNS_MESSAGE_ID_LEN 37 /* a UUID and its NUL */

/* Queues message (with subject, NULL: none, and attributes in the notification's form
 * {"name": {"Type", "Value"}}, NULL: none) to the confirmed http/https subscriptions of
 * topic_arn, published at now_ms. Writes the message's MessageId into message_id. 0, or
 * -1 with e (NotFound when the topic does not exist). */
int sns_enqueue(db_conn *db, const char *topic_arn, const char *subject, const char *message,
                const json_t *attributes, int64_t now_ms, char message_id[SNS_MESSAGE_ID_LEN],
                aws_error *e);

/* Whether the policy of topic_arn allows service_principal sns:Publish on it, with the
 * condition keys aws:SourceArn = source_arn and aws:SourceAccount = source_account (either
 * NULL: not set). False when the topic does not exist. Reads only. */
bool sns_topic_allows_service(db_conn *db, const char *topic_arn, const char *service_principal,
                              const char *source_arn, const char *source_account);

/* sns_topic_allows_service, then sns_enqueue. -1 with e AuthorizationError (403) when the
 * topic's policy does not allow the service. */
int sns_publish_as_service(db_conn *db, const char *topic_arn, const char *service_principal,
                           const char *source_arn, const char *source_account, const char *subject,
                           const char *message, int64_t now_ms, char message_id[SNS_MESSAGE_ID_LEN],
                           aws_error *e);

/* Publishes the oldest notifications services queued (state/notify_state.h), at most max,
 * each as its service principal in one transaction with its removal from the queue; one
 * the topic's policy refuses (or whose topic is gone) is dropped with a log line, as AWS
 * drops a notification it may not send. Returns how many were taken. */
size_t sns_publish_pending(db_pool *pool, int64_t now_ms, size_t max);

/* Whether r is one of SNS's unauthenticated GETs: /SimpleNotificationService-<id>.pem, or
 * /?Action=ConfirmSubscription&TopicArn=..&Token=.. or /?Action=Unsubscribe&
 * SubscriptionArn=.. without a signature. */
bool sns_public_request(const http_request *r);
/* What a confirmation or unsubscription through its URL was, for its CloudTrail record
 * (the caller is unknown: the URL is the credential). */
typedef struct sns_public_event {
    const char *event_name;     /* "ConfirmSubscription" / "Unsubscribe"; NULL: not an event */
    char account_id[13];        /* the topic's owner, who receives the record; "" unknown */
    char region[32];            /* the topic's region; "" unknown */
    json_t *request_parameters; /* owned by the caller (json_decref); no token in it */
    json_t *response_elements;  /* owned by the caller; NULL on failure */
    aws_error err;              /* unset on success */
    bool changed;               /* a subscription was confirmed or removed */
} sns_public_event;

/* Answers it (the certificate's PEM, or the Query protocol's XML answer or error) and
 * fills *ev. */
void sns_public_serve(db_conn *db, const http_request *r, int64_t now_ms, http_response *resp,
                      sns_public_event *ev);

#endif
