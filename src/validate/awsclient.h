/* awsclient: a minimal SigV4-signing HTTP client for the AWS APIs validate-logs calls —
 * S3 path-style GETs (ListObjectsV2, GetObject) and JSON 1.1 POSTs (CloudTrail
 * DescribeTrails and ListPublicKeys, Organizations DescribeOrganization).
 *
 * One awsc per thread (it owns a libcurl easy handle, which keeps its connection alive
 * between requests). curl_global_init must have run before the first awsc_open.
 * Requests are signed with sigv4_sign_request; transient failures (connection errors,
 * 500/503) are retried three times with a short back-off. */
#ifndef ORGTRAIL_VALIDATE_AWSCLIENT_H
#define ORGTRAIL_VALIDATE_AWSCLIENT_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "validate/awsconfig.h"

typedef struct awsc awsc;

/* endpoint: "http://host:port[/base]". NULL with err when the URL is unusable. */
awsc *awsc_open(const char *endpoint, const aws_config *cfg, char *err, size_t errlen);
void awsc_close(awsc *c);

typedef struct awsc_resp {
    long status;
    buf body;
    json_t *meta;   /* x-amz-meta-* headers, names lower-cased without the prefix */
    char code[128]; /* AWS error code when status >= 300 (from XML <Code> or JSON __type) */
    char message[512];
} awsc_resp;

void awsc_resp_free(awsc_resp *r);

/* One request. path_raw and query_raw are already percent-encoded. Returns 0 when an HTTP
 * response arrived (any status), -1 with err on transport failure. */
int awsc_request(awsc *c, const char *method, const char *service, const char *region,
                 const char *path_raw, const char *query_raw, const char *target, const void *body,
                 size_t len, awsc_resp *r, char *err, size_t errlen);

/* A JSON 1.1 call: target e.g. "CloudTrail_20131101.DescribeTrails". Returns the parsed
 * response (caller decrefs), or NULL with err ("Code: message" for API errors). */
json_t *awsc_json(awsc *c, const char *service, const char *region, const char *target,
                  const json_t *req, char *err, size_t errlen);

/* Appends s percent-encoded for a path (keep '/') or a query value. */
void awsc_encode(buf *b, const char *s, int keep_slash);

#endif
