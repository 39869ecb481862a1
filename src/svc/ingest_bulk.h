/* ingest_bulk: POST /_orgtrail/ingest, orgtrail's own endpoint for high-volume ingestion
 * of complete CloudTrail records (docs/ingest.md).
 *
 * SigV4-signed like every request, with service cloudtrail-data; the body is NDJSON
 * (ingest/ndjson.h). Every line is checked, then every record's recipientAccountId is
 * authorised for the caller (ingest/recipients.h), and an eventID repeated within the
 * request is refused; the good records are appended to the journal in one group commit
 * (journal_append_batch) before the response, bytes unchanged. The response is 200 with
 *   {"accepted": N, "rejected": M,
 *    "errors": [{"line": L, "errorCode": "...", "errorMessage": "..."}, ...]}
 * listing at most INGEST_BULK_MAX_ERRORS errors ("errorsTruncated": true past that).
 * A journal failure refuses the request as a whole (503 ServiceUnavailable): nothing of
 * it was stored. The request itself is captured as one record, eventName IngestRecords. */
#ifndef ORGTRAIL_INGEST_BULK_H
#define ORGTRAIL_INGEST_BULK_H

#include "svc/service.h"

#define INGEST_BULK_PATH "/_orgtrail/ingest"
#define INGEST_BULK_EVENT_NAME "IngestRecords"
#define INGEST_BULK_MAX_ERRORS 1000
/* How long a bulk request waits for delivery to catch up before it gives up (503). */
#define INGEST_BACKLOG_WAIT_MS 20000

/* The handler: reads c->http->body, sets c->out (the response object) and the capture
 * hints, or returns -1 with c->err. */
int ingest_bulk(call_ctx *c);

#endif
