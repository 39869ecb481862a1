/* validate: checks a decoded request against its input shape in the AWS model.
 *
 * Checks what AWS's front ends check and botocore/JS clients do not: required members,
 * JSON types, string length (in code points), patterns, enums, numeric ranges, list and
 * map sizes. Unknown members are ignored, as AWS does. The error code and wording follow
 * the service family:
 *   VSTYLE_JSON  ValidationException "1 validation error detected: Value 'x' at 'name' ..."
 *   VSTYLE_ORGS  InvalidInputException with Reason (INPUT_REQUIRED, INVALID_PATTERN, ...)
 *   VSTYLE_QUERY ValidationError (IAM, STS, SNS)
 *   VSTYLE_S3    InvalidArgument
 * A JSON value of the wrong type is a SerializationException in every style.
 *
 * Patterns are compiled once (PCRE2, anchored at both ends like AWS's validators) in
 * validator_new; the validator is then read-only and shared by all threads. */
#ifndef ORGTRAIL_VALIDATE_H
#define ORGTRAIL_VALIDATE_H

#include "core/awserr.h"
#include "proto/model.h"

typedef enum vstyle { VSTYLE_JSON, VSTYLE_ORGS, VSTYLE_QUERY, VSTYLE_S3 } vstyle;

typedef struct validator validator;

/* Returns a new validator (caller frees with validator_free). */
validator *validator_new(const model_set *ms);
void validator_free(validator *v);

/* Returns 0 when `value` satisfies shape `shape_name`; else -1 with e filled. When
 * top_member is non-NULL it receives the top-level member the first violation is in
 * (so an operation can map it to its own, more specific exception). */
int validate_input(const validator *v, const svc_model *m, const char *shape_name,
                   const json_t *value, vstyle style, aws_error *e, char *top_member,
                   size_t top_len);

/* Whole-string match of `s` against an AWS model pattern; true when the pattern is
 * unknown to the validator (it compiles every pattern of the loaded models). */
bool validator_match(const validator *v, const char *pattern, const char *s, size_t len);

#endif
