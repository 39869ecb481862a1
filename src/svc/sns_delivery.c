/* sns_delivery: the sender (svc/sns_delivery.h). Each message is signed when it is sent,
 * from what its row keeps (MessageId and Timestamp included), so every attempt carries
 * the same document: PKCS#1 v1.5 signatures are deterministic. The URLs in it point at
 * this server (base_url), which answers them (svc/sns.h sns_public_*). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "http/http.h"
#include "svc/sns_delivery.h"
#include "svc/sns_sign.h"

#define SNS_CONNECT_TIMEOUT_S 5
#define SNS_TIMEOUT_S 15 /* SNS waits 15 s for an HTTP/S endpoint's answer */

struct sns_sender {
    db_pool *pool;
    char base_url[256];
    double delay_scale;
    sns_key *key;
    CURL *curl;
};

typedef struct sns_row {
    int64_t id, ts_ms, attempts;
    char *type, *topic_arn, *sub_arn, *endpoint, *message_id, *subject, *message, *attributes,
        *token, *signature_version, *retry_policy, *content_type;
} sns_row;

static char *col(sqlite3_stmt *st, int i)
{
    if (db_is_null(st, i)) return NULL;
    char *s = strdup(db_text(st, i));
    if (!s) abort();
    return s;
}

static void row_fill(sqlite3_stmt *st, void *p)
{
    sns_row *r = p;
    r->id = db_int(st, 0);
    r->type = col(st, 1);
    r->topic_arn = col(st, 2);
    r->sub_arn = col(st, 3);
    r->endpoint = col(st, 4);
    r->message_id = col(st, 5);
    r->subject = col(st, 6);
    r->message = col(st, 7);
    r->attributes = col(st, 8);
    r->token = col(st, 9);
    r->signature_version = col(st, 10);
    r->ts_ms = db_int(st, 11);
    r->retry_policy = col(st, 12);
    r->attempts = db_int(st, 13);
    r->content_type = col(st, 14);
}

static void row_clear(sns_row *r)
{
    char **fields[] = {&r->type,       &r->topic_arn,         &r->sub_arn,      &r->endpoint,
                       &r->message_id, &r->subject,           &r->message,      &r->attributes,
                       &r->token,      &r->signature_version, &r->retry_policy, &r->content_type};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        free(*fields[i]);
}

sns_sender *sns_sender_open(db_pool *pool, const char *base_url, double delay_scale, char *err,
                            size_t errlen)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
        snprintf(err, errlen, "cannot initialise libcurl");
        return NULL;
    }
    sns_sender *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->pool = pool;
    snprintf(s->base_url, sizeof s->base_url, "%s", base_url);
    s->delay_scale = delay_scale;
    db_conn *db = db_acquire(pool);
    aws_error e;
    aws_error_clear(&e);
    int rc = sns_key_load_or_create(db, time_now_ms(), &s->key, &e);
    db_release(pool, db);
    s->curl = rc ? NULL : curl_easy_init();
    if (!s->curl) {
        snprintf(err, errlen, "SNS delivery: %s", rc ? e.message : "cannot start libcurl");
        sns_sender_close(s);
        return NULL;
    }
    return s;
}

void sns_sender_close(sns_sender *s)
{
    if (!s) return;
    if (s->curl) curl_easy_cleanup(s->curl);
    sns_key_free(s->key);
    free(s);
    curl_global_cleanup();
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static void url_param(buf *b, const char *name, const char *value)
{
    buf_printf(b, "%s=", name);
    url_encode(b, value, strlen(value), 0);
}

/* POSTs the row's signed document. The HTTP status (0: none), and a reason in why. */
static long post(sns_sender *s, const sns_row *r, char *why, size_t why_n)
{
    sns_message m = {.message_id = r->message_id,
                     .topic_arn = r->topic_arn,
                     .message = r->message,
                     .subject = r->subject,
                     .token = r->token,
                     .signature_version =
                         r->signature_version && !strcmp(r->signature_version, "2") ? 2 : 1};
    if (sns_msg_type_parse(r->type, &m.type)) {
        snprintf(why, why_n, "unknown message type %.40s", r->type);
        return 0;
    }
    char ts[40], cert_url[400];
    time_iso8601_ms(r->ts_ms, ts, sizeof ts);
    m.timestamp = ts;
    snprintf(cert_url, sizeof cert_url, "%s/SimpleNotificationService-%s.pem", s->base_url,
             sns_key_id(s->key));
    m.signing_cert_url = cert_url;
    buf sub_url = BUF_INIT, unsub_url = BUF_INIT;
    buf_printf(&sub_url, "%s/?Action=ConfirmSubscription&", s->base_url);
    url_param(&sub_url, "TopicArn", r->topic_arn);
    buf_puts(&sub_url, "&");
    url_param(&sub_url, "Token", r->token ? r->token : "");
    buf_printf(&unsub_url, "%s/?Action=Unsubscribe&", s->base_url);
    url_param(&unsub_url, "SubscriptionArn", r->sub_arn);
    m.subscribe_url = buf_cstr(&sub_url);
    m.unsubscribe_url = buf_cstr(&unsub_url);
    json_t *attrs = r->attributes ? json_loads(r->attributes, 0, NULL) : NULL;
    m.attributes = attrs;
    buf to_sign = BUF_INIT;
    sns_string_to_sign(&m, &to_sign);
    char *sig = sns_key_sign(s->key, m.signature_version, to_sign.data, to_sign.len);
    char *doc = sig ? sns_document_alloc(&m, sig) : NULL;
    buf_free(&to_sign);
    free(sig);
    json_decref(attrs);
    buf_free(&sub_url);
    buf_free(&unsub_url);
    if (!doc) {
        snprintf(why, why_n, "cannot sign the message");
        return 0;
    }
    char h[5][600];
    snprintf(h[0], sizeof h[0], "x-amz-sns-message-type: %s", r->type);
    snprintf(h[1], sizeof h[1], "x-amz-sns-message-id: %s", r->message_id);
    snprintf(h[2], sizeof h[2], "x-amz-sns-topic-arn: %s", r->topic_arn);
    snprintf(h[3], sizeof h[3], "x-amz-sns-subscription-arn: %s", r->sub_arn);
    struct curl_slist *hl = NULL;
    hl = curl_slist_append(hl, h[0]);
    hl = curl_slist_append(hl, h[1]);
    hl = curl_slist_append(hl, h[2]);
    /* SNS names the subscription on notifications (and unsubscribe confirmations), not
     * on the confirmation of a subscription that is not one yet. */
    if (m.type != SNS_SUBSCRIPTION_CONFIRMATION) hl = curl_slist_append(hl, h[3]);
    snprintf(h[4], sizeof h[4], "Content-Type: %s", r->content_type);
    hl = curl_slist_append(hl, h[4]);
    hl = curl_slist_append(hl, "User-Agent: Amazon Simple Notification Service Agent");
    hl = curl_slist_append(hl, "Expect:");
    CURL *cu = s->curl;
    curl_easy_reset(cu);
    curl_easy_setopt(cu, CURLOPT_URL, r->endpoint);
    curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(cu, CURLOPT_POST, 1L);
    curl_easy_setopt(cu, CURLOPT_POSTFIELDS, doc);
    curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE, (long)strlen(doc));
    curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT, (long)SNS_CONNECT_TIMEOUT_S);
    curl_easy_setopt(cu, CURLOPT_TIMEOUT, (long)SNS_TIMEOUT_S);
    curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, discard);
    CURLcode cc = curl_easy_perform(cu);
    long status = 0;
    if (cc == CURLE_OK) {
        curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &status);
        snprintf(why, why_n, "HTTP %ld", status);
    } else {
        snprintf(why, why_n, "%s", curl_easy_strerror(cc));
    }
    curl_slist_free_all(hl);
    free(doc);
    return status;
}

/* Records an attempt's outcome: delivered (the row goes), retried later, or discarded
 * once the policy has no retry left. */
static void record(sns_sender *s, const sns_row *r, long status, const char *why, int64_t now_ms)
{
    db_conn *db = db_acquire(s->pool);
    int rc;
    if (status >= 200 && status < 300) {
        rc = db_exec(db, "DELETE FROM sns_outbox WHERE id = ?", "i", r->id);
    } else {
        sns_retry_policy p;
        json_t *pj = r->retry_policy ? json_loads(r->retry_policy, 0, NULL) : NULL;
        char ignored[160];
        if (sns_retry_policy_parse(pj, &p, ignored, sizeof ignored)) p = SNS_DEFAULT_RETRY;
        json_decref(pj);
        int retry = (int)r->attempts + 1;
        int64_t delay = sns_retry_delay_ms(&p, retry);
        if (delay < 0) {
            ot_log("SNS: %s to %s discarded after %d attempts (%s)", r->message_id, r->endpoint,
                   retry, why);
            rc = db_exec(db, "DELETE FROM sns_outbox WHERE id = ?", "i", r->id);
        } else {
            int64_t next = now_ms + (int64_t)((double)delay * s->delay_scale);
            rc = db_exec(db,
                         "UPDATE sns_outbox SET attempts = ?, next_ms = ?, last_error = ? WHERE "
                         "id = ?",
                         "iisi", (int64_t)retry, next, why, r->id);
        }
    }
    /* A failed update leaves the row due: it is sent again, which at-least-once allows. */
    if (rc) ot_log("SNS: cannot record a delivery attempt: %s", db_errmsg(db));
    db_release(s->pool, db);
}

size_t sns_sender_run(sns_sender *s, int64_t now_ms, size_t max)
{
    db_conn *db = db_acquire(s->pool);
    size_t n = 0;
    sqlite3_stmt *st = db_query(db,
                                "SELECT id, type, topic_arn, subscription_arn, endpoint, "
                                "message_id, subject, message, attributes, token, "
                                "signature_version, ts_ms, retry_policy, attempts, content_type "
                                "FROM sns_outbox "
                                "WHERE next_ms <= ? ORDER BY next_ms, id LIMIT ?",
                                "ii", now_ms, (int64_t)max);
    sns_row *rows = st ? db_rows_alloc(st, sizeof *rows, row_fill, &n) : NULL;
    db_release(s->pool, db);
    for (size_t i = 0; i < n; i++) {
        char why[256] = "";
        long status = post(s, &rows[i], why, sizeof why);
        record(s, &rows[i], status, why, time_now_ms());
        row_clear(&rows[i]);
    }
    free(rows);
    return n;
}
