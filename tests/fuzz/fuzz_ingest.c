/* fuzz_ingest: the ingestion parsers — the NDJSON bulk body (ndjson_next,
 * ndjson_check_record, and jscan under it) and PutAuditEvents' eventData check.
 *
 * Properties checked besides memory safety:
 *  - jscan accepts a line exactly when jansson's strict loader (JSON_REJECT_DUPLICATES)
 *    does, and calls it an object exactly when jansson does: the bulk path stores bytes
 *    that any JSON reader downstream will parse the same way. The one exception is a raw
 *    NUL byte, which jansson's buffer reader takes for the end of input in places (found
 *    by this target): jscan must refuse every line that holds one;
 *  - an accepted record's eventID and recipientAccountId are what jansson reads. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "ingest/audit_event.h"
#include "ingest/jscan.h"
#include "ingest/ndjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    ndjson_cursor c;
    ndjson_init(&c, text, size);
    const char *line;
    size_t len;
    while (ndjson_next(&c, &line, &len)) {
        json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
        int want = !j ? -1 : json_is_object(j) ? 0 : -2;
        if (memchr(line, '\0', len)) want = -1;
        int got = jscan_object(line, len, NULL, 0, NULL, 0);
        if (got != want) {
            fprintf(stderr, "jscan %d, jansson %d on line %zu\n", got, want, c.line_no);
            abort();
        }
        ndjson_record_info info;
        ingest_fault f;
        if (ndjson_check_record(line, len, &info, &f) == 0) {
            const char *id = json_string_value(json_object_get(j, "eventID"));
            const char *rcpt = json_string_value(json_object_get(j, "recipientAccountId"));
            if (!id || !rcpt || strcmp(id, info.event_id) || strcmp(rcpt, info.recipient)) abort();
        }
        json_decref(j);
    }
    ingest_fault f;
    json_decref(audit_event_check(text, size, NULL, &f));
    return 0;
}
