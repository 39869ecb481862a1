/* record: one CloudTrail event record, built from a finished API call.
 *
 * Field names, order and value types follow the CloudTrail record contents
 * (../shared/reference/cloudtrail-formats.md, section b): eventVersion, userIdentity,
 * eventTime, eventSource, eventName, awsRegion, sourceIPAddress, userAgent,
 * [errorCode, errorMessage], requestParameters, responseElements, requestID, eventID,
 * readOnly, [resources], eventType, managementEvent, recipientAccountId,
 * [sharedEventID], eventCategory. */
#ifndef ORGTRAIL_RECORD_H
#define ORGTRAIL_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/awserr.h"
#include "proto/model.h"
#include "auth/principal.h"

#define RECORD_EVENT_VERSION "1.11"
#define RECORD_MAX_PARAMS_BYTES (100 * 1024)

typedef struct record_input {
    const principal *caller;   /* kind PRINCIPAL_UNKNOWN when authentication failed */
    const char *presented_key; /* access key id presented by an unauthenticated caller */
    int64_t event_ms;
    const char *event_source;
    const char *event_name;
    const char *region;
    const char *source_ip;
    const char *user_agent;
    const aws_error *err;             /* NULL or unset on success */
    const json_t *request_parameters; /* NULL -> null */
    const json_t *response_elements;  /* NULL -> null */
    const char *request_id;
    bool read_only;
    const json_t *resources; /* NULL -> omitted */
    const char *recipient;
    const char *shared_event_id; /* NULL when only one account gets the event */
    bool cross_account_copy;     /* the resource owner's copy: userIdentity AWSAccount */
    bool data_event;             /* eventCategory Data, managementEvent false */
} record_input;

/* Returns the record as compact JSON (caller frees with free()). */
char *record_build_alloc(const record_input *ri, size_t *len);

/* Converts a request or response value of shape `shape` into the form CloudTrail records
 * use: lowerCamelCase member names, timestamps as "Nov 22, 2026, 5:24:35 AM", members
 * the model marks sensitive and any secret key or session token dropped. Returns a new
 * reference, or NULL when value is NULL. */
json_t *record_params_alloc(const svc_model *m, const json_t *shape, const json_t *value);

/* "Nov 22, 2026, 5:24:35 AM" */
void record_time_text(int64_t ms, char *out, size_t n);

#endif
