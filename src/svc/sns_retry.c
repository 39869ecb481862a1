/* sns_retry: delivery policies (svc/sns_delivery.h). The limits checked are AWS's for
 * HTTP/S ("Creating an HTTP/S delivery policy"): delays of 1 to 3600 s, minDelayTarget at
 * most maxDelayTarget, at most 100 retries, the phases within numRetries, and at most
 * 3600 s of retrying in all. The texts of the refusals are orgtrail's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/sns_delivery.h"
#include "svc/sns_internal.h"

#define SNS_MAX_RETRIES 100
#define SNS_MAX_DELAY_S 3600
#define SNS_MAX_RETRY_TIME_S 3600

const sns_retry_policy SNS_DEFAULT_RETRY = {
    .min_delay_s = 20,
    .max_delay_s = 20,
    .num_retries = 3,
    .backoff = SNS_BACKOFF_LINEAR,
};

static const char *const BACKOFF_NAMES[] = {
    [SNS_BACKOFF_LINEAR] = "linear",
    [SNS_BACKOFF_ARITHMETIC] = "arithmetic",
    [SNS_BACKOFF_GEOMETRIC] = "geometric",
    [SNS_BACKOFF_EXPONENTIAL] = "exponential",
};

static int int_member(const json_t *o, const char *k, int *out, char *why, size_t n)
{
    const json_t *v = json_object_get(o, k);
    if (!v) return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000) {
        snprintf(why, n, "%s must be a non-negative integer", k);
        return -1;
    }
    *out = (int)json_integer_value(v);
    return 0;
}

int sns_retry_policy_parse(const json_t *healthy, sns_retry_policy *p, char *why, size_t n)
{
    *p = SNS_DEFAULT_RETRY;
    if (!healthy) return 0;
    if (!json_is_object(healthy)) {
        snprintf(why, n, "healthyRetryPolicy must be an object");
        return -1;
    }
    if (int_member(healthy, "minDelayTarget", &p->min_delay_s, why, n) ||
        int_member(healthy, "maxDelayTarget", &p->max_delay_s, why, n) ||
        int_member(healthy, "numRetries", &p->num_retries, why, n) ||
        int_member(healthy, "numNoDelayRetries", &p->num_no_delay, why, n) ||
        int_member(healthy, "numMinDelayRetries", &p->num_min_delay, why, n) ||
        int_member(healthy, "numMaxDelayRetries", &p->num_max_delay, why, n))
        return -1;
    const json_t *b = json_object_get(healthy, "backoffFunction");
    if (b) {
        size_t i;
        for (i = 0; i < sizeof BACKOFF_NAMES / sizeof *BACKOFF_NAMES; i++)
            if (json_is_string(b) && !strcmp(json_string_value(b), BACKOFF_NAMES[i])) break;
        if (i == sizeof BACKOFF_NAMES / sizeof *BACKOFF_NAMES) {
            snprintf(why, n,
                     "backoffFunction must be linear, arithmetic, geometric or exponential");
            return -1;
        }
        p->backoff = (sns_backoff)i;
    }
    if (p->min_delay_s < 1 || p->max_delay_s > SNS_MAX_DELAY_S || p->min_delay_s > p->max_delay_s) {
        snprintf(why, n, "minDelayTarget must be 1..maxDelayTarget and maxDelayTarget at most %d",
                 SNS_MAX_DELAY_S);
        return -1;
    }
    if (p->num_retries > SNS_MAX_RETRIES ||
        p->num_no_delay + p->num_min_delay + p->num_max_delay > p->num_retries) {
        snprintf(why, n, "numRetries must be at most %d and cover the other phases' retries",
                 SNS_MAX_RETRIES);
        return -1;
    }
    int64_t total = 0;
    for (int r = 1; r <= p->num_retries; r++)
        total += sns_retry_delay_ms(p, r);
    if (total > (int64_t)SNS_MAX_RETRY_TIME_S * 1000) {
        snprintf(why, n, "the policy retries for more than %d seconds", SNS_MAX_RETRY_TIME_S);
        return -1;
    }
    return 0;
}

sns_retry_policy sns_retry_policy_of(const char *delivery_policy)
{
    sns_retry_policy p = SNS_DEFAULT_RETRY;
    json_t *doc = delivery_policy ? json_loads(delivery_policy, 0, NULL) : NULL;
    const json_t *healthy =
        json_object_get(json_object_get(doc, "http"), "defaultHealthyRetryPolicy");
    char why[160];
    if (healthy && sns_retry_policy_parse(healthy, &p, why, sizeof why)) p = SNS_DEFAULT_RETRY;
    json_decref(doc);
    return p;
}

#define SNS_DEFAULT_CONTENT_TYPE "text/plain; charset=UTF-8"

/* A headerContentType orgtrail sends: 1..255 printable ASCII characters (no CR or LF
 * can reach the request's headers). */
static bool content_type_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 255) return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e) return false;
    return true;
}

const char *sns_content_type_of(const char *delivery_policy, char *out, size_t n)
{
    json_t *doc = delivery_policy ? json_loads(delivery_policy, 0, NULL) : NULL;
    const char *ct = json_string_value(
        json_object_get(json_object_get(json_object_get(doc, "http"), "defaultRequestPolicy"),
                        "headerContentType"));
    const char *r = SNS_DEFAULT_CONTENT_TYPE;
    if (ct && content_type_ok(ct)) {
        snprintf(out, n, "%s", ct);
        r = out;
    }
    json_decref(doc);
    return r;
}

json_t *sns_retry_policy_json(const sns_retry_policy *p)
{
    return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:s}", "minDelayTarget", p->min_delay_s,
                     "maxDelayTarget", p->max_delay_s, "numRetries", p->num_retries,
                     "numMaxDelayRetries", p->num_max_delay, "numNoDelayRetries", p->num_no_delay,
                     "numMinDelayRetries", p->num_min_delay, "backoffFunction",
                     BACKOFF_NAMES[p->backoff]);
}

/* Delay k (0-based) of n in the backoff phase, in seconds. */
static double backoff_delay(const sns_retry_policy *p, int k, int n)
{
    double lo = p->min_delay_s, hi = p->max_delay_s;
    if (n <= 1 || lo == hi) return lo;
    double x = (double)k / (n - 1);
    switch (p->backoff) {
    case SNS_BACKOFF_ARITHMETIC: /* steps that grow evenly: x(x+1)/2 normalised */
        return lo + (hi - lo) * ((double)k * (k + 1)) / ((double)(n - 1) * n);
    case SNS_BACKOFF_GEOMETRIC:
    case SNS_BACKOFF_EXPONENTIAL:
        return lo * pow(hi / lo, x);
    default:
        return lo + (hi - lo) * x;
    }
}

int64_t sns_retry_delay_ms(const sns_retry_policy *p, int retry)
{
    if (retry < 1 || retry > p->num_retries) return -1;
    if (retry <= p->num_no_delay) return 0;
    int r = retry - p->num_no_delay;
    if (r <= p->num_min_delay) return (int64_t)p->min_delay_s * 1000;
    r -= p->num_min_delay;
    int backoff = p->num_retries - p->num_no_delay - p->num_min_delay - p->num_max_delay;
    if (r <= backoff) return (int64_t)llround(backoff_delay(p, r - 1, backoff) * 1000.0);
    return (int64_t)p->max_delay_s * 1000;
}

int sns_check_delivery_policy(call_ctx *c, const char *text)
{
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    char why[200] = "";
    const json_t *http = json_object_get(doc, "http");
    if (!json_is_object(doc))
        snprintf(why, sizeof why, "not a JSON object");
    else if (http && !json_is_object(http))
        snprintf(why, sizeof why, "http must be an object");
    sns_retry_policy p;
    if (!*why)
        sns_retry_policy_parse(json_object_get(http, "defaultHealthyRetryPolicy"), &p, why,
                               sizeof why);
    const json_t *request = json_object_get(http, "defaultRequestPolicy");
    const json_t *ct = json_object_get(request, "headerContentType");
    if (!*why &&
        (request && (!json_is_object(request) ||
                     (ct && (!json_is_string(ct) || !content_type_ok(json_string_value(ct)))))))
        snprintf(why, sizeof why, "defaultRequestPolicy.headerContentType must be a header value");
    json_decref(doc);
    if (*why) return sns_invalid(c, "Invalid parameter: DeliveryPolicy: %s", why);
    return 0;
}

char *sns_effective_delivery_policy(const sns_topic *t)
{
    sns_retry_policy p = sns_retry_policy_of(t->delivery_policy);
    json_t *doc = t->delivery_policy ? json_loads(t->delivery_policy, 0, NULL) : NULL;
    json_t *http = json_object_get(doc, "http");
    json_t *out_http = json_object();
    json_object_set_new(out_http, "defaultHealthyRetryPolicy", sns_retry_policy_json(&p));
    json_t *dso = json_object_get(http, "disableSubscriptionOverrides");
    json_object_set_new(out_http, "disableSubscriptionOverrides", json_boolean(json_is_true(dso)));
    json_t *throttle = json_object_get(http, "defaultThrottlePolicy");
    if (throttle) json_object_set(out_http, "defaultThrottlePolicy", throttle);
    char ct[256];
    json_object_set_new(out_http, "defaultRequestPolicy",
                        json_pack("{s:s}", "headerContentType",
                                  sns_content_type_of(t->delivery_policy, ct, sizeof ct)));
    json_t *out = json_pack("{s:o}", "http", out_http);
    char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(out);
    json_decref(doc);
    if (!text) abort();
    return text;
}
