/* ndjson: the bulk ingestion body — newline-delimited complete CloudTrail records.
 *
 * One JSON object per line ("\n", an optional "\r" before it is ignored); blank lines are
 * skipped and not counted as records, but line numbers count every line from 1. A record
 * is accepted as written (its bytes are stored unchanged) when it is a JSON object of at
 * most NDJSON_MAX_RECORD bytes, without duplicate keys, with
 *   eventVersion   "<major>.<minor>" digits
 *   eventTime      "yyyy-mm-ddThh:mm:ssZ" (ISO-8601, UTC)
 *   eventSource, eventName      non-empty strings of at most 1024 bytes
 *   awsRegion      [a-z0-9-], 1 to 32 characters
 *   eventID        non-empty string of at most 128 bytes
 *   recipientAccountId          12 digits
 *   userIdentity   an object with a non-empty string "type"
 * Failures use the per-event codes of PutAuditEvents where one fits (FieldNotFound,
 * FieldTooLong, InvalidData) and InvalidJson for a line that is not a JSON object. */
#ifndef ORGTRAIL_NDJSON_H
#define ORGTRAIL_NDJSON_H

#include <stddef.h>

#include "ingest/audit_event.h"

#define NDJSON_MAX_RECORD (256 * 1024)

typedef struct ndjson_cursor {
    const char *p, *end;
    size_t line_no; /* of the line last returned */
} ndjson_cursor;

void ndjson_init(ndjson_cursor *c, const char *data, size_t len);
/* The next non-blank line (without its end of line): 1 with *line and *len set, 0 at the end. */
int ndjson_next(ndjson_cursor *c, const char **line, size_t *len);

typedef struct ndjson_record_info {
    char recipient[13];
    char event_id[129];
} ndjson_record_info;

/* Checks one record line: 0 with *info, or -1 with *f. */
int ndjson_check_record(const char *line, size_t len, ndjson_record_info *info, ingest_fault *f);

#endif
