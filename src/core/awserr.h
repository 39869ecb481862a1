/* awserr: the error every fallible operation returns.
 *
 * Functions that can fail take an `aws_error *` and return -1 after filling it (or 0 on
 * success). The error carries what the wire needs: HTTP status, AWS error code, message
 * and, for Organizations, a Reason. The protocol layer turns it into AWS's envelope.
 * Messages must never contain secrets. */
#ifndef ORGTRAIL_AWSERR_H
#define ORGTRAIL_AWSERR_H

typedef struct aws_error {
    int status;    /* HTTP status, 0 when unset */
    char code[96]; /* AWS error code, e.g. "TrailNotFoundException" */
    char message[1024];
    char reason[96];     /* Organizations' Reason member, "" when absent */
    char extra_name[32]; /* S3 adds one element such as BucketName; "" when absent */
    char extra_value[256];
} aws_error;

/* Fills e and returns -1, so that `return aws_fail(e, ...)` reads naturally. */
int aws_fail(aws_error *e, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* As aws_fail, with an Organizations Reason. */
int aws_fail_reason(aws_error *e, int status, const char *code, const char *reason, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));
void aws_error_clear(aws_error *e);
int aws_error_set(const aws_error *e);

#endif
