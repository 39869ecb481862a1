/* sns_internal: what the files of the SNS service share.
 *
 *   sns.c          the operation table (SVC_SNS); topics: CreateTopic, DeleteTopic,
 *                  Get/SetTopicAttributes, ListTopics; tags of topics
 *   sns_subs.c     Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptions(ByTopic),
 *                  GetSubscriptionAttributes, and the unauthenticated GETs (svc/sns.h)
 *   sns_publish.c  Publish, sns_enqueue, sns_publish_as_service, topic policies for
 *                  service principals
 *   sns_retry.c    delivery policies: parsing, validating, the retry schedule
 *   sns_sign.c     message documents and signatures (svc/sns_sign.h)
 *   sns_delivery.c the sender the delivery thread runs (svc/sns_delivery.h)
 *
 * A topic is arn:aws:sns:REGION:ACCOUNT:NAME, found by its ARN in the caller's region
 * (SNS is regional: another region's ARN is NotFound). Access to a topic is decided over
 * its policy (a resource policy, policy/authorize.h): a call from another account is
 * allowed only where the topic policy allows it and the caller's identity policies too.
 * Refusals are 403 AuthorizationError; validation failures 400 InvalidParameter with
 * SNS's "Invalid parameter: ..." texts. Where AWS's wording is not known, the message is
 * orgtrail's. */
#ifndef ORGTRAIL_SNS_INTERNAL_H
#define ORGTRAIL_SNS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "svc/service.h"
#include "svc/sns.h"
#include "svc/sns_sign.h"

#define SNS_PAGE 100               /* ListTopics, ListSubscriptions(ByTopic) */
#define SNS_MAX_TAGS 50            /* tags per topic */
#define SNS_MAX_MESSAGE 262144     /* Publish: 256 KiB */
#define SNS_TOKEN_TTL_MS 259200000 /* a confirmation token is good for three days */
#define SNS_PENDING "pending confirmation"

typedef struct sns_topic {
    char arn[320];
    char account_id[13];
    char region[32];
    char name[257];
    char *display_name, *policy; /* owned */
    char *delivery_policy;       /* owned; NULL: none set */
    char signature_version[4];
    int64_t subs_deleted;
} sns_topic;

/* 0 found, 1 no such topic, -1 database error. */
int sns_topic_load(db_conn *db, const char *arn, sns_topic *t);
void sns_topic_clear(sns_topic *t);
/* Loads the topic a call names (NotFound when it is not in the caller's region) and
 * authorizes action on it over its policy; a cross-account caller's record goes to the
 * owner too. 0, or -1 with c->err (t cleared). */
int sns_topic_for(call_ctx *c, const char *action, const char *arn, sns_topic *t);
/* The topic policy parsed (NULL when it does not parse: then it allows nothing). */
json_t *sns_policy_alloc(const sns_topic *t);

int sns_fail_db(call_ctx *c);
int sns_fail_no_topic(call_ctx *c);
int sns_invalid(call_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Queues one message row (the retry policy the topic has now goes with it). Caller's
 * transaction. 0, or -1 on a database error. */
typedef struct sns_queued {
    sns_msg_type type;
    const char *topic_arn, *subscription_arn, *endpoint, *message_id;
    const char *subject, *message, *attributes_json, *token;
    int64_t ts_ms;
} sns_queued;
int sns_queue(db_conn *db, const sns_topic *t, const sns_queued *q);
/* Queues the SubscriptionConfirmation of a subscription. */
int sns_queue_confirmation(db_conn *db, const sns_topic *t, const char *sub_arn,
                           const char *endpoint, const char *token, int64_t now_ms);

/* The topic's EffectiveDeliveryPolicy (JSON text, malloc'd). */
char *sns_effective_delivery_policy(const sns_topic *t);
/* Checks a DeliveryPolicy attribute; 0, or -1 with the InvalidParameter error. */
int sns_check_delivery_policy(call_ctx *c, const char *text);

int sns_subscribe(call_ctx *c);
int sns_confirm_subscription(call_ctx *c);
int sns_unsubscribe(call_ctx *c);
int sns_list_subscriptions(call_ctx *c);
int sns_list_subscriptions_by_topic(call_ctx *c);
int sns_get_subscription_attributes(call_ctx *c);
int sns_publish(call_ctx *c);
/* DeleteTopic: its subscriptions and undelivered messages go with it. */
__attribute__((warn_unused_result)) int sns_drop_topic_subscriptions(db_conn *db,
                                                                     const char *topic_arn);

#endif
