/* audit_event: one PutAuditEvents event — its eventData checked against the CloudTrail Lake
 * integrations event schema, and turned into the CloudTrail record orgtrail stores.
 *
 * eventData is a JSON object text with the members
 *   version (string, required, <= 256)          userIdentity (object, required):
 *   eventSource (string, required, <= 1024)       type (string, required, <= 128)
 *   eventName (string, required, <= 1024)         principalId (string, required, <= 1024)
 *   eventTime (string, required, ISO-8601 UTC)    details (object, optional)
 *   UID (string, required, <= 1024)             userAgent (string, <= 1024)
 *   requestParameters, responseElements,        errorCode (string, <= 1024)
 *   additionalEventData (objects, optional)     errorMessage (string, <= 4096)
 *   sourceIPAddress (string, <= 1024)           recipientAccountId (12 digits)
 * and nothing else. The whole text is at most AUDIT_EVENT_MAX_DATA bytes. Failures carry
 * the per-event error codes of the cloudtrail-data model: FieldNotFound, FieldTooLong,
 * InvalidData, InvalidChecksum, InvalidEventSource. (InvalidRecipient, whether the caller
 * may write for the recipient account, is the service's to decide.)
 *
 * orgtrail refuses an eventSource ending in "amazonaws.com": a record from outside AWS
 * must not pass for one an AWS service wrote.
 *
 * The record (audit_event_record_alloc) is a complete CloudTrail record, so that trails
 * deliver it like any other: eventVersion, userIdentity {type, principalId[, details]},
 * eventTime, eventSource, eventName, awsRegion (the PutAuditEvents region),
 * [sourceIPAddress], [userAgent], [errorCode, errorMessage], requestParameters,
 * responseElements, [additionalEventData], requestID, eventID (assigned here),
 * eventType "ActivityLog", recipientAccountId, eventCategory "ActivityAuditLog",
 * eventData {version, UID} (the two members CloudTrail records have no field for),
 * metadata {ingestionTime, channelARN} as CloudTrail Lake adds them. */
#ifndef ORGTRAIL_AUDIT_EVENT_H
#define ORGTRAIL_AUDIT_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIT_EVENT_MAX_DATA (256 * 1024)
#define AUDIT_EVENTS_MAX_TOTAL (1024 * 1024)
#define AUDIT_EVENTS_MAX_COUNT 100

typedef struct ingest_fault {
    char code[40];
    char message[512];
} ingest_fault;

/* Checks one event. `checksum` (NULL when absent) is the base64 SHA-256 of eventData, as
 * the model documents; the lowercase hex form is accepted too. Returns the parsed
 * eventData (new reference) or NULL with *f filled. */
json_t *audit_event_check(const char *event_data, size_t len, const char *checksum,
                          ingest_fault *f);

/* The recipient the eventData names, or NULL when it names none (borrowed). */
const char *audit_event_recipient(const json_t *event_data);

typedef struct audit_record_ctx {
    const char *event_id;  /* assigned by the caller (a UUID) */
    const char *region;    /* where PutAuditEvents was called */
    const char *recipient; /* the account the record belongs to */
    const char *channel_arn;
    const char *request_id; /* the PutAuditEvents request */
    int64_t ingestion_ms;
} audit_record_ctx;

/* The CloudTrail record for a checked eventData, as compact JSON (caller frees). */
char *audit_event_record_alloc(const json_t *event_data, const audit_record_ctx *ctx, size_t *len);

#endif
