#include "auth/sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "core/timeutil.h"

static const char *ALGORITHM = "AWS4-HMAC-SHA256";

/* Copies the text between p and the next ',' (or end), trimmed, into out. */
static const char *field_value(const char *p, char *out, size_t outsz, bool *truncated)
{
    size_t n = strcspn(p, ",");
    while (n > 0 && isspace((unsigned char)p[n - 1]))
        n--;
    *truncated = n >= outsz;
    snprintf(out, outsz, "%.*s", (int)(n < outsz ? n : outsz - 1), p);
    return p + strcspn(p, ",");
}

/* Splits "AKID/yyyymmdd/region/service/aws4_request" into the auth struct. */
static int parse_credential(const char *cred, sigv4_auth *a)
{
    const char *parts[5];
    size_t lens[5];
    const char *p = cred;
    for (int i = 0; i < 5; i++) {
        const char *slash = strchr(p, '/');
        parts[i] = p;
        lens[i] = slash ? (size_t)(slash - p) : strlen(p);
        if (i < 4 && !slash) return -1;
        if (i == 4 && slash) return -1;
        p = slash ? slash + 1 : p + lens[i];
    }
    if (lens[0] == 0 || lens[0] >= sizeof a->access_key || lens[1] != 8 || lens[2] == 0 ||
        lens[2] >= sizeof a->region || lens[3] == 0 || lens[3] >= sizeof a->service ||
        lens[4] != 12 || strncmp(parts[4], "aws4_request", 12))
        return -1;
    memcpy(a->access_key, parts[0], lens[0]);
    a->access_key[lens[0]] = '\0';
    memcpy(a->date, parts[1], 8);
    a->date[8] = '\0';
    memcpy(a->region, parts[2], lens[2]);
    a->region[lens[2]] = '\0';
    memcpy(a->service, parts[3], lens[3]);
    a->service[lens[3]] = '\0';
    return 0;
}

static bool header_listed(const char *signed_headers, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = signed_headers; *p;) {
        size_t k = strcspn(p, ";");
        if (k == n && !strncmp(p, name, n)) return true;
        p += k;
        if (*p == ';') p++;
    }
    return false;
}

static sigv4_failure incomplete(char *detail, size_t dl, const char *msg)
{
    snprintf(detail, dl, "%s", msg);
    return SIGV4_INCOMPLETE;
}

static sigv4_failure parse_header(const char *h, sigv4_auth *a, char *detail, size_t dl)
{
    if (strncmp(h, ALGORITHM, strlen(ALGORITHM)) || !isspace((unsigned char)h[strlen(ALGORITHM)])) {
        snprintf(detail, dl,
                 "Authorization header requires 'Credential' parameter. "
                 "Authorization header requires 'Signature' parameter. "
                 "Authorization header requires 'SignedHeaders' parameter. "
                 "Authorization=%.40s",
                 h);
        return SIGV4_INCOMPLETE;
    }
    bool have_cred = false, have_sig = false, have_sh = false, cred_bad = false;
    const char *p = h + strlen(ALGORITHM);
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (!*p) break;
        bool trunc = false;
        if (!strncmp(p, "Credential=", 11)) {
            char cred[512];
            p = field_value(p + 11, cred, sizeof cred, &trunc);
            have_cred = true;
            if (trunc || parse_credential(cred, a)) cred_bad = true;
        } else if (!strncmp(p, "SignedHeaders=", 14)) {
            p = field_value(p + 14, a->signed_headers, sizeof a->signed_headers, &trunc);
            if (trunc) return incomplete(detail, dl, "SignedHeaders is too long.");
            have_sh = true;
        } else if (!strncmp(p, "Signature=", 10)) {
            char sig[80];
            p = field_value(p + 10, sig, sizeof sig, &trunc);
            if (trunc || strlen(sig) != 64) return incomplete(detail, dl, "Invalid Signature.");
            memcpy(a->signature, sig, 65);
            have_sig = true;
        } else {
            p += strcspn(p, ",");
        }
    }
    if (!have_cred || !have_sig || !have_sh) {
        char m[256] = "";
        if (!have_cred) strcat(m, "Authorization header requires 'Credential' parameter. ");
        if (!have_sig) strcat(m, "Authorization header requires 'Signature' parameter. ");
        if (!have_sh) strcat(m, "Authorization header requires 'SignedHeaders' parameter. ");
        return incomplete(detail, dl, m);
    }
    if (cred_bad)
        return incomplete(detail, dl,
                          "Credential should be scoped to a valid region and service, "
                          "as Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request.");
    return SIGV4_OK;
}

sigv4_failure sigv4_parse(const http_request *r, int64_t now_ms, sigv4_auth *a, char *detail,
                          size_t dl)
{
    memset(a, 0, sizeof *a);
    detail[0] = '\0';
    const char *auth = http_header_get(r, "authorization");
    int has_alg = 0;
    const char *alg = http_query_get(r, "X-Amz-Algorithm", &has_alg);
    sigv4_failure f;
    const char *date_s = NULL;
    if (auth) {
        if ((f = parse_header(auth, a, detail, dl)) != SIGV4_OK) return f;
        date_s = http_header_get(r, "x-amz-date");
        a->security_token = http_header_get(r, "x-amz-security-token");
    } else if (has_alg) {
        a->presigned = true;
        if (strcmp(alg, ALGORITHM))
            return incomplete(detail, dl, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        const char *cred = http_query_get(r, "X-Amz-Credential", NULL);
        const char *sh = http_query_get(r, "X-Amz-SignedHeaders", NULL);
        const char *sig = http_query_get(r, "X-Amz-Signature", NULL);
        const char *exp = http_query_get(r, "X-Amz-Expires", NULL);
        date_s = http_query_get(r, "X-Amz-Date", NULL);
        if (!cred || !sh || !sig || !date_s || !exp)
            return incomplete(detail, dl,
                              "Query-string authentication requires the X-Amz-Algorithm, "
                              "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, "
                              "X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
        if (strlen(cred) >= 512 || parse_credential(cred, a))
            return incomplete(detail, dl, "Error parsing the X-Amz-Credential parameter.");
        if (strlen(sh) >= sizeof a->signed_headers || strlen(sig) != 64)
            return incomplete(detail, dl, "Invalid X-Amz-SignedHeaders or X-Amz-Signature.");
        snprintf(a->signed_headers, sizeof a->signed_headers, "%s", sh);
        memcpy(a->signature, sig, 65);
        char *end;
        long long e = strtoll(exp, &end, 10);
        if (*end || e < 1 || e > 604800)
            return incomplete(detail, dl, "X-Amz-Expires must be between 1 and 604800 seconds.");
        a->expires_s = e;
        a->security_token = http_query_get(r, "X-Amz-Security-Token", NULL);
    } else {
        snprintf(detail, dl, "Missing Authentication Token");
        return SIGV4_MISSING;
    }
    a->payload_hash = http_header_get(r, "x-amz-content-sha256");

    if (date_s) {
        if (strlen(date_s) != 16 || time_parse_amz(date_s, &a->request_ms))
            return incomplete(detail, dl,
                              "X-Amz-Date must be in the ISO8601 Long Format "
                              "\"yyyyMMdd'T'HHmmss'Z'\"");
        memcpy(a->amz_date, date_s, 17);
    } else if ((date_s = http_header_get(r, "date")) != NULL &&
               !time_parse_http(date_s, &a->request_ms)) {
        time_amz(a->request_ms, a->amz_date, sizeof a->amz_date);
    } else {
        return incomplete(detail, dl,
                          "Authorization header requires existence of either a "
                          "'X-Amz-Date' or a 'Date' header.");
    }
    if (strncmp(a->amz_date, a->date, 8))
        return incomplete(detail, dl,
                          "Date in Credential scope does not match YYYYMMDD from "
                          "ISO-8601 version of date from HTTP.");
    if (!header_listed(a->signed_headers, "host"))
        return incomplete(detail, dl,
                          "'Host' or ':authority' must be a 'SignedHeader' in the "
                          "AWS Authorization.");
    if (!a->presigned && http_header_get(r, "x-amz-date") &&
        !header_listed(a->signed_headers, "x-amz-date"))
        return incomplete(detail, dl,
                          "'X-Amz-Date' must be a 'SignedHeader' in the AWS "
                          "Authorization.");

    if (a->presigned) {
        if (now_ms > a->request_ms + a->expires_s * 1000) {
            char t[32];
            time_iso8601(a->request_ms + a->expires_s * 1000, t, sizeof t);
            snprintf(detail, dl, "Request has expired (expired at %s)", t);
            return SIGV4_PRESIGN_EXPIRED;
        }
        if (a->request_ms > now_ms + SIGV4_MAX_SKEW_MS) {
            snprintf(detail, dl, "Request is not yet valid");
            return SIGV4_SKEW;
        }
    } else if (a->request_ms < now_ms - SIGV4_MAX_SKEW_MS ||
               a->request_ms > now_ms + SIGV4_MAX_SKEW_MS) {
        char req[20], bound[20], now[20];
        time_amz(a->request_ms, req, sizeof req);
        time_amz(now_ms, now, sizeof now);
        if (a->request_ms < now_ms) {
            time_amz(now_ms - SIGV4_MAX_SKEW_MS, bound, sizeof bound);
            snprintf(detail, dl, "Signature expired: %s is now earlier than %s (%s - 15 min.)", req,
                     bound, now);
        } else {
            time_amz(now_ms + SIGV4_MAX_SKEW_MS, bound, sizeof bound);
            snprintf(detail, dl,
                     "Signature not yet current: %s is still later than %s (%s + 15 min.)", req,
                     bound, now);
        }
        return SIGV4_SKEW;
    }
    return SIGV4_OK;
}

/* Appends one header value with leading/trailing spaces trimmed and inner runs of
 * whitespace collapsed, as the canonical form requires. */
static void put_trimmed(buf *b, const char *v)
{
    while (isspace((unsigned char)*v))
        v++;
    bool space = false;
    for (; *v; v++) {
        if (isspace((unsigned char)*v)) {
            space = true;
            continue;
        }
        if (space) buf_putc(b, ' ');
        space = false;
        buf_putc(b, *v);
    }
}

typedef struct qpair {
    buf k, v;
} qpair;

static int qpair_cmp(const void *a, const void *b)
{
    const qpair *x = a, *y = b;
    int c = strcmp(buf_cstr((buf *)&x->k), buf_cstr((buf *)&y->k));
    return c ? c : strcmp(buf_cstr((buf *)&x->v), buf_cstr((buf *)&y->v));
}

void sigv4_canonical_request(const http_request *r, const char *service, const char *signed_headers,
                             const char *payload_hash, bool presigned, buf *out)
{
    buf_puts(out, r->method);
    buf_putc(out, '\n');
    /* Canonical URI: S3 encodes each segment of the decoded path once; every other
     * service encodes the path as sent once more. */
    const char *path = r->raw_path && r->raw_path[0] ? r->raw_path : "/";
    if (!strcmp(service, "s3")) {
        char *dec = url_decode_alloc(path, strlen(path), 0);
        url_encode(out, dec, strlen(dec), 1);
        free(dec);
    } else {
        url_encode(out, path, strlen(path), 1);
    }
    buf_putc(out, '\n');
    /* Canonical query: decoded, re-encoded, sorted by key then value. */
    qpair *pairs = calloc(r->n_params ? r->n_params : 1, sizeof *pairs);
    if (!pairs) abort();
    size_t np = 0;
    for (size_t i = 0; i < r->n_params; i++) {
        if (presigned && !strcmp(r->params[i].key, "X-Amz-Signature")) continue;
        /* Query parameters are decoded without '+'-as-space for signing purposes. */
        char *k = url_decode_alloc(r->params[i].raw_key, strlen(r->params[i].raw_key), 0);
        char *v = r->params[i].raw_value
                      ? url_decode_alloc(r->params[i].raw_value, strlen(r->params[i].raw_value), 0)
                      : strdup("");
        if (!v) abort();
        url_encode(&pairs[np].k, k, strlen(k), 0);
        url_encode(&pairs[np].v, v, strlen(v), 0);
        free(k);
        free(v);
        np++;
    }
    qsort(pairs, np, sizeof *pairs, qpair_cmp);
    for (size_t i = 0; i < np; i++) {
        if (i) buf_putc(out, '&');
        buf_append(out, pairs[i].k.data ? pairs[i].k.data : "", pairs[i].k.len);
        buf_putc(out, '=');
        buf_append(out, pairs[i].v.data ? pairs[i].v.data : "", pairs[i].v.len);
        buf_free(&pairs[i].k);
        buf_free(&pairs[i].v);
    }
    free(pairs);
    buf_putc(out, '\n');
    /* Canonical headers, in SignedHeaders order; repeated headers joined by ','. */
    for (const char *p = signed_headers; *p;) {
        size_t k = strcspn(p, ";");
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(k < sizeof name ? k : sizeof name - 1), p);
        buf_puts(out, name);
        buf_putc(out, ':');
        bool first = true;
        for (size_t i = 0; i < r->n_headers; i++) {
            if (strcmp(r->headers[i].name, name)) continue;
            if (!first) buf_putc(out, ',');
            put_trimmed(out, r->headers[i].value);
            first = false;
        }
        buf_putc(out, '\n');
        p += k;
        if (*p == ';') p++;
    }
    buf_putc(out, '\n');
    buf_puts(out, signed_headers);
    buf_putc(out, '\n');
    buf_puts(out, payload_hash);
}

void sigv4_signing_key(const char *secret, const char *date, const char *region,
                       const char *service, unsigned char out[SHA256_LEN])
{
    /* "AWS4" + secret, whatever the secret's length (a truncated key would silently give
     * a different signature); on the stack for the usual 40-character secrets. */
    size_t sl = strlen(secret);
    char stack[256];
    char *k0 = sl + 5 <= sizeof stack ? stack : malloc(sl + 5);
    if (!k0) abort();
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, sl + 1);
    unsigned char k1[SHA256_LEN], k2[SHA256_LEN], k3[SHA256_LEN];
    hash_hmac_sha256(k0, sl + 4, date, strlen(date), k1);
    OPENSSL_cleanse(k0, sl + 4);
    if (k0 != stack) free(k0);
    hash_hmac_sha256(k1, SHA256_LEN, region, strlen(region), k2);
    hash_hmac_sha256(k2, SHA256_LEN, service, strlen(service), k3);
    hash_hmac_sha256(k3, SHA256_LEN, "aws4_request", 12, out);
}

static void compute_signature(const http_request *r, const sigv4_auth *a,
                              const unsigned char key[SHA256_LEN], const char *payload_hash,
                              char out[65])
{
    buf creq = BUF_INIT, sts = BUF_INIT;
    sigv4_canonical_request(r, a->service, a->signed_headers, payload_hash, a->presigned, &creq);
    char creq_hash[65];
    hash_sha256_hex(creq.data, creq.len, creq_hash);
    buf_printf(&sts, "%s\n%s\n%s/%s/%s/aws4_request\n%s", ALGORITHM, a->amz_date, a->date,
               a->region, a->service, creq_hash);
    unsigned char sig[SHA256_LEN];
    hash_hmac_sha256(key, SHA256_LEN, sts.data, sts.len, sig);
    hex_encode(sig, SHA256_LEN, out);
    buf_free(&creq);
    buf_free(&sts);
}

static bool is_special_payload(const char *h)
{
    return !strcmp(h, "UNSIGNED-PAYLOAD") || !strncmp(h, "STREAMING-", 10);
}

sigv4_failure sigv4_verify(const http_request *r, sigv4_auth *a, const char *secret)
{
    return sigv4_verify_cached(r, a, secret, NULL);
}

sigv4_failure sigv4_verify_cached(const http_request *r, sigv4_auth *a, const char *secret,
                                  sigv4_keys *keys)
{
    char body_hash[65];
    const char *payload_hash;
    if (a->presigned && !strcmp(a->service, "s3")) {
        payload_hash = "UNSIGNED-PAYLOAD";
    } else if (a->payload_hash) {
        payload_hash = a->payload_hash;
    } else {
        hash_sha256_hex(r->body.data ? r->body.data : "", r->body.len, body_hash);
        payload_hash = body_hash;
    }
    sigv4_keys_get(keys, a->access_key, secret, a->date, a->region, a->service, a->signing_key);
    char sig[65];
    compute_signature(r, a, a->signing_key, payload_hash, sig);
    if (!hash_equal(sig, a->signature, 64)) return SIGV4_MISMATCH;
    /* A signed content hash must also be the body's, or the body was not what was signed. */
    if (a->payload_hash && !is_special_payload(a->payload_hash)) {
        hash_sha256_hex(r->body.data ? r->body.data : "", r->body.len, body_hash);
        if (strlen(a->payload_hash) != 64 || strcasecmp(a->payload_hash, body_hash))
            return SIGV4_PAYLOAD_MISMATCH;
    }
    return SIGV4_OK;
}

int sigv4_fail(aws_error *e, sigv4_failure f, sigv4_family fam, const char *detail)
{
    static const char invalid_token[] = "The security token included in the request is invalid.";
    static const char expired_token[] = "The security token included in the request is expired";
    static const char mismatch[] =
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service "
        "documentation for details.";
    switch (f) {
    case SIGV4_MISSING:
        if (fam == FAMILY_S3) return aws_fail(e, 403, "AccessDenied", "Access Denied");
        if (fam == FAMILY_QUERY)
            return aws_fail(e, 403, "MissingAuthenticationToken",
                            "Request is missing Authentication Token");
        return aws_fail(e, 403, "MissingAuthenticationTokenException",
                        "Missing Authentication Token");
    case SIGV4_INCOMPLETE:
        if (fam == FAMILY_S3) return aws_fail(e, 400, "AuthorizationHeaderMalformed", "%s", detail);
        if (fam == FAMILY_QUERY) return aws_fail(e, 400, "IncompleteSignature", "%s", detail);
        return aws_fail(e, 400, "IncompleteSignatureException", "%s", detail);
    case SIGV4_SKEW:
        if (fam == FAMILY_S3)
            return aws_fail(e, 403, "RequestTimeTooSkewed",
                            "The difference between the request time and the current time is "
                            "too large.");
        if (fam == FAMILY_QUERY) return aws_fail(e, 403, "SignatureDoesNotMatch", "%s", detail);
        return aws_fail(e, 400, "InvalidSignatureException", "%s", detail);
    case SIGV4_PRESIGN_EXPIRED:
        if (fam == FAMILY_S3) return aws_fail(e, 403, "AccessDenied", "Request has expired");
        if (fam == FAMILY_QUERY) return aws_fail(e, 403, "SignatureDoesNotMatch", "%s", detail);
        return aws_fail(e, 400, "InvalidSignatureException", "%s", detail);
    case SIGV4_UNKNOWN_KEY:
        if (fam == FAMILY_S3)
            return aws_fail(e, 403, "InvalidAccessKeyId",
                            "The AWS Access Key Id you provided does not exist in our records.");
        if (fam == FAMILY_QUERY) return aws_fail(e, 403, "InvalidClientTokenId", invalid_token);
        return aws_fail(e, 400, "UnrecognizedClientException", invalid_token);
    case SIGV4_BAD_TOKEN:
        if (fam == FAMILY_S3)
            return aws_fail(e, 400, "InvalidToken",
                            "The provided token is malformed or otherwise invalid.");
        if (fam == FAMILY_QUERY) return aws_fail(e, 403, "InvalidClientTokenId", invalid_token);
        return aws_fail(e, 400, "UnrecognizedClientException", invalid_token);
    case SIGV4_EXPIRED_TOKEN:
        if (fam == FAMILY_S3)
            return aws_fail(e, 400, "ExpiredToken", "The provided token has expired.");
        if (fam == FAMILY_QUERY) return aws_fail(e, 403, "ExpiredToken", expired_token);
        return aws_fail(e, 400, "ExpiredTokenException", expired_token);
    case SIGV4_MISMATCH:
        if (fam == FAMILY_JSON) return aws_fail(e, 400, "InvalidSignatureException", mismatch);
        return aws_fail(e, 403, "SignatureDoesNotMatch", mismatch);
    case SIGV4_PAYLOAD_MISMATCH:
        if (fam == FAMILY_S3)
            return aws_fail(e, 400, "XAmzContentSHA256Mismatch",
                            "The provided 'x-amz-content-sha256' header does not match what "
                            "was computed.");
        if (fam == FAMILY_JSON) return aws_fail(e, 400, "InvalidSignatureException", mismatch);
        return aws_fail(e, 403, "SignatureDoesNotMatch", mismatch);
    case SIGV4_OK:
        break;
    }
    return 0;
}

void sigv4_sign_request(http_request *r, const char *access_key, const char *secret,
                        const char *token, const char *region, const char *service, int64_t now_ms)
{
    sigv4_sign_request_cached(r, access_key, secret, token, region, service, now_ms, NULL);
}

void sigv4_sign_request_cached(http_request *r, const char *access_key, const char *secret,
                               const char *token, const char *region, const char *service,
                               int64_t now_ms, sigv4_keys *keys)
{
    sigv4_auth a;
    memset(&a, 0, sizeof a);
    time_amz(now_ms, a.amz_date, sizeof a.amz_date);
    memcpy(a.date, a.amz_date, 8);
    snprintf(a.region, sizeof a.region, "%s", region);
    snprintf(a.service, sizeof a.service, "%s", service);
    http_request_add_header(r, "X-Amz-Date", a.amz_date);
    char payload_hash[65];
    hash_sha256_hex(r->body.data ? r->body.data : "", r->body.len, payload_hash);
    if (!strcmp(service, "s3")) http_request_add_header(r, "X-Amz-Content-SHA256", payload_hash);
    if (token) http_request_add_header(r, "X-Amz-Security-Token", token);
    /* Sign every header present, sorted by name. */
    char *names[64];
    size_t n = 0;
    for (size_t i = 0; i < r->n_headers && n < 64; i++) {
        bool dup = false;
        for (size_t j = 0; j < n; j++)
            dup |= !strcmp(names[j], r->headers[i].name);
        if (!dup) names[n++] = r->headers[i].name;
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    buf sh = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(&sh, ';');
        buf_puts(&sh, names[i]);
    }
    snprintf(a.signed_headers, sizeof a.signed_headers, "%s", buf_cstr(&sh));
    unsigned char key[SHA256_LEN];
    sigv4_keys_get(keys, access_key, secret, a.date, region, service, key);
    char sig[65];
    compute_signature(r, &a, key, payload_hash, sig);
    buf auth = BUF_INIT;
    buf_printf(&auth, "%s Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
               ALGORITHM, access_key, a.date, region, service, a.signed_headers, sig);
    http_request_add_header(r, "Authorization", buf_cstr(&auth));
    buf_free(&auth);
    buf_free(&sh);
}
