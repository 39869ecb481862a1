/* select: does a trail deliver a captured record? The decision, as CloudTrail makes it.
 *
 * A trail delivers a record when all of these hold:
 *   logging   the record was captured while the trail was logging: its journal seq lies
 *             in one of the trail's logging spans (StartLogging/StopLogging mark them with
 *             journal positions, so records captured while stopped are never delivered,
 *             even after a restart of logging). A successful StopLogging of the trail is
 *             itself delivered (AWS logs it; CIS alarms watch for it) when the trail's
 *             last change before it was a stop.
 *   account   the recipient is the trail's own account; for an organization trail also
 *             any account that was a member of the owner's organization when the event
 *             happened (membership history, to the second: an account is covered in the
 *             second it joins and the second it leaves).
 *   region    the record's awsRegion is the trail's home region, or any region for a
 *             multi-region trail; a global service's event (IAM, STS, Organizations:
 *             recorded in us-east-1 since 2021) also needs IncludeGlobalServiceEvents.
 *   selectors basic: some selector matches. Management events: IncludeManagementEvents,
 *             ReadWriteType against readOnly, ExcludeManagementEventSources. Data events:
 *             a DataResources entry of the resource's type whose value is an ARN prefix
 *             of it ("arn:aws:s3" = every object; "arn:aws:s3:::bucket" means the
 *             bucket's objects, "bucket/"), and ReadWriteType. Advanced: some selector
 *             whose every field selector matches; within a field selector every operator
 *             holds (Equals/StartsWith/EndsWith: one value matches; NotEquals/
 *             NotStartsWith/NotEndsWith: no value matches). No selectors ever put = all
 *             management events. Events from PutAuditEvents (eventCategory
 *             ActivityAuditLog) count as management events. Selectors apply as of capture: a
 * PutEventSelectors marks its journal position, and a record uses the version in force then.
 *
 * Journal positions order a configuration change against records: the handler takes the
 * position before its transaction commits, so a request running concurrently with
 * StartLogging / StopLogging / PutEventSelectors may fall on either side (as in AWS, the
 * order of concurrent calls is not defined); its own record always falls after.
 *
 * Everything here but select_trail_load is pure; the loader snapshots what the decision
 * needs from the state database (configuration, spans, membership history). */
#ifndef ORGTRAIL_DELIVERY_SELECT_H
#define ORGTRAIL_DELIVERY_SELECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "state/db.h"
#include "state/delivery_state.h"
#include "state/trail_state.h"

/* What select_event_scan keeps of a record between uses: the decoded fields, and the
 * record's tree, built only for the rules that read more than those fields (resources,
 * userIdentity.arn and the other advanced-selector fields; StopLogging). Owned by the
 * caller and reused across records (SELECT_SCRATCH_INIT, select_scratch_free). */
typedef struct select_scratch {
    buf strings;      /* the decoded fields, NUL-terminated one after the other */
    const char *text; /* the record (the caller's) */
    size_t len;
    json_t *tree; /* the record, on first use */
    bool tree_read;
} select_scratch;

#define SELECT_SCRATCH_INIT                                                                        \
    {                                                                                              \
        BUF_INIT, NULL, 0, NULL, false                                                             \
    }
void select_scratch_free(select_scratch *sc);

/* A record, as the selection reads it. From select_event_parse: pointers into rec, which
 * the caller keeps. From select_event_scan: pointers into the scratch and the text, which
 * the caller keeps until the next scan with that scratch. */
typedef struct select_event {
    const json_t *rec;   /* select_event_parse */
    select_scratch *raw; /* select_event_scan (the selection may fill its lazy members) */
    const char *source, *name, *region, *recipient, *category, *error_code;
    bool read_only;
    bool has_read_only;
    int64_t event_ms; /* eventTime, whole seconds */
} select_event;

/* Reads the fields; -1 when rec is not a CloudTrail record. */
int select_event_parse(const json_t *rec, select_event *e);
/* The same from a record's text without building a tree (delivery's hot path: the text
 * is a journal record, valid JSON; see jscan_fields). Every decision on the result is the
 * one select_event_parse's would give. */
int select_event_scan(const char *text, size_t len, select_scratch *sc, select_event *e);

/* Selectors from a journal position on (parsed; NULL and NULL = the default). */
typedef struct select_version {
    uint64_t from;
    json_t *basic;
    json_t *advanced;
} select_version;

/* A trail with everything needed to decide (owned; select_trail_free). */
typedef struct select_trail {
    trail t;
    char org_id[40]; /* the owner's organization for an organization trail, else "" */
    /* Selectors by journal position: the last version with from <= seq applies, the
     * default before the first. Without versions, basic/advanced apply to every record. */
    select_version *versions;
    size_t n_versions;
    json_t *basic; /* stored basic selectors; NULL with advanced NULL = default */
    json_t *advanced;
    logging_span *spans;
    size_t n_spans;
    membership_span *members; /* org trails: membership history of org_id */
    size_t n_members;
} select_trail;

int select_trail_load(db_conn *db, const trail *t, select_trail *out);
void select_trail_free(select_trail *st);

bool select_logging_at(const select_trail *st, uint64_t seq, const select_event *e);
bool select_account_covered(const select_trail *st, const select_event *e);
bool select_region_covered(const trail *t, const select_event *e);
bool select_global_source(const char *event_source);
bool select_selectors_match(const json_t *basic, const json_t *advanced, const select_event *e);
/* Could these selectors select some data event? False only when none can (no
 * DataResources; every advanced selector rules eventCategory Data out): capture may then
 * skip data events altogether (app/data_events.h). */
bool select_may_select_data(const json_t *basic, const json_t *advanced);
/* All four. */
bool select_record(const select_trail *st, const select_event *e, uint64_t seq);

#endif
