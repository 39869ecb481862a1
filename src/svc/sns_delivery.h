/* sns_delivery: POSTing queued SNS messages (sns_outbox) to their http/https endpoints,
 * and the retry schedule of SNS's delivery policies.
 *
 * Retries ("Amazon SNS message delivery retries"): a failed attempt (no answer in time,
 * or any status but 2xx) is retried as the healthy retry policy says, in
 * four phases: numNoDelayRetries at once, numMinDelayRetries minDelayTarget apart, the
 * backoff phase (numRetries less the other three phases' retries) going from
 * minDelayTarget to maxDelayTarget by backoffFunction, then numMaxDelayRetries
 * maxDelayTarget apart. After numRetries retries the message is discarded, as SNS does
 * without a dead-letter queue. The default for HTTP/S: 3 retries, 20 s apart (linear
 * from 20 to 20 s). SNS adds jitter; orgtrail does not, so that the schedule is a table.
 * The backoff curves are orgtrail's reading of AWS's graph: linear and arithmetic step
 * evenly, geometric and exponential grow by a constant factor from the first delay to
 * the last.
 *
 * Delivery is at least once: a row is deleted only after a 2xx answer, so a crash between
 * the answer and the deletion sends that message again (SNS's guarantee is the same).
 *
 * Threads: the sender is used by one thread, the SNS delivery thread (app/sns_worker.h).
 * It holds a database connection only while it reads due rows or records an outcome,
 * never while it waits for an endpoint, so a slow endpoint holds up no request. */
#ifndef ORGTRAIL_SNS_DELIVERY_H
#define ORGTRAIL_SNS_DELIVERY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"

typedef enum sns_backoff {
    SNS_BACKOFF_LINEAR,
    SNS_BACKOFF_ARITHMETIC,
    SNS_BACKOFF_GEOMETRIC,
    SNS_BACKOFF_EXPONENTIAL,
} sns_backoff;

typedef struct sns_retry_policy {
    int min_delay_s, max_delay_s;
    int num_retries, num_no_delay, num_min_delay, num_max_delay;
    sns_backoff backoff;
} sns_retry_policy;

/* SNS's default for HTTP/S endpoints. */
extern const sns_retry_policy SNS_DEFAULT_RETRY;

/* A healthyRetryPolicy object read over the default (absent members keep it). 0, or -1
 * with why (an InvalidParameter text). */
int sns_retry_policy_parse(const json_t *healthy, sns_retry_policy *p, char *why, size_t n);
/* The retry policy a topic's DeliveryPolicy text (NULL: none) sets for HTTP/S. */
sns_retry_policy sns_retry_policy_of(const char *delivery_policy);
/* The Content-Type a topic's DeliveryPolicy (NULL: none) gives its HTTP/S deliveries:
 * http.defaultRequestPolicy.headerContentType, SNS's "text/plain; charset=UTF-8" when it
 * sets none. Points into a static string or into out. */
const char *sns_content_type_of(const char *delivery_policy, char *out, size_t n);
/* {"minDelayTarget", ..., "backoffFunction"}, as EffectiveDeliveryPolicy shows it. */
json_t *sns_retry_policy_json(const sns_retry_policy *p);
/* The delay before retry number `retry` (1 = the first retry), in ms, or -1 when the
 * policy has no such retry (the message is discarded). */
int64_t sns_retry_delay_ms(const sns_retry_policy *p, int retry);

typedef struct sns_sender sns_sender;

/* A sender for the store behind pool; base_url ("http://127.0.0.1:4566") is where the
 * messages' SigningCertURL, SubscribeURL and UnsubscribeURL point; every retry delay is
 * multiplied by delay_scale (1 = SNS's; tests use less). Loads or makes the signing key.
 * NULL with err on failure. */
sns_sender *sns_sender_open(db_pool *pool, const char *base_url, double delay_scale, char *err,
                            size_t errlen);
/* Sends up to `max` messages due at now_ms; returns how many it attempted. */
size_t sns_sender_run(sns_sender *s, int64_t now_ms, size_t max);
void sns_sender_close(sns_sender *s);

#endif
