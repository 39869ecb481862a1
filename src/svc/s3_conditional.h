/* s3_conditional: the conditional headers of GetObject and HeadObject, as S3 applies
 * RFC 7232 (section 6's order):
 *
 *   1. If-Match: the object's ETag is one of the listed entity tags (or "*"); else 412.
 *      When it holds, If-Unmodified-Since is not looked at (S3: "If-Match true and
 *      If-Unmodified-Since false: 200 OK").
 *   2. Otherwise If-Unmodified-Since: modified after the date: 412.
 *   3. If-None-Match: the ETag is one of the listed tags (or "*"): 304. When it does not
 *      match, If-Modified-Since is not looked at.
 *   4. Otherwise If-Modified-Since: not modified after the date: 304.
 *
 * Entity tags compare by their opaque value: quotes and a weak "W/" prefix are ignored,
 * since clients send S3's ETag with or without its quotes. Dates have whole seconds, as
 * Last-Modified does: an object is modified after T when its second is later than T's. */
#ifndef ORGTRAIL_S3_CONDITIONAL_H
#define ORGTRAIL_S3_CONDITIONAL_H

#include <stdbool.h>
#include <stdint.h>

typedef struct s3_conditions {
    const char *if_match, *if_none_match; /* NULL when absent */
    bool has_modified_since, has_unmodified_since;
    int64_t modified_since_s, unmodified_since_s; /* epoch seconds */
} s3_conditions;

typedef enum s3_cond_result {
    S3_COND_PASS = 200,
    S3_COND_NOT_MODIFIED = 304,
    S3_COND_FAILED = 412,
} s3_cond_result;

/* Evaluates the conditions against an object's ETag (as stored, quoted) and modification
 * time. For S3_COND_FAILED, *failed names the header that failed ("If-Match" or
 * "If-Unmodified-Since"), for the error's Condition element. */
s3_cond_result s3_conditions_eval(const s3_conditions *c, const char *etag,
                                  int64_t last_modified_ms, const char **failed);

/* Whether the comma-separated entity tag list names etag ("*" names any). */
bool s3_etag_listed(const char *list, const char *etag);

#endif
