/* channel_state: CloudTrail channels as stored.
 *
 * A channel belongs to one account and one region (its ARN carries both:
 * arn:aws:cloudtrail:<region>:<account>:channel/<uuid>); names are unique per account and
 * region. Destinations are kept as the JSON list the API returns ([{"Type","Location"}]),
 * validated by the service. The ingestion status columns are what GetChannel reports as
 * IngestionStatus; PutAuditEvents updates them after its events are durable. */
#ifndef ORGTRAIL_CHANNEL_STATE_H
#define ORGTRAIL_CHANNEL_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"

#define CHANNEL_MAX_PER_REGION 25
#define CHANNEL_MAX_TAGS 50

typedef struct channel {
    char arn[256];
    char id[40]; /* the UUID at the end of the ARN */
    char account_id[13];
    char region[32];
    char name[129];
    char source[257];
    char *destinations; /* JSON text, malloc'd: channel_clear frees it */
    int64_t created_ms;
    int64_t last_success_ms; /* 0 = never */
    char last_success_event_id[40];
    int64_t last_attempt_ms;
    char last_attempt_event_id[40];
    char last_error_code[129];
} channel;

void channel_clear(channel *ch);
/* arn:aws:cloudtrail:<region>:<account>:channel/<id> */
void channel_arn(char *out, size_t n, const char *region, const char *account_id, const char *id);

/* Loads by ARN or by id (the UUID): 1 found (caller calls channel_clear), 0 not. */
int channel_get(db_conn *db, const char *arn, channel *ch);
int channel_get_by_id(db_conn *db, const char *id, channel *ch);
bool channel_name_taken(db_conn *db, const char *account_id, const char *region, const char *name,
                        const char *except_arn);
int channel_count(db_conn *db, const char *account_id, const char *region);

/* 0, or -1 (db error). */
__attribute__((warn_unused_result)) int channel_insert(db_conn *db, const channel *ch);
__attribute__((warn_unused_result)) int channel_update(db_conn *db, const char *arn,
                                                       const char *name, const char *destinations);
/* Deletes the channel with its tags (state/tags.h, TAGS_CHANNEL). */
__attribute__((warn_unused_result)) int channel_delete(db_conn *db, const char *arn);
/* Records an ingestion attempt; success_event_id NULL when nothing was ingested, and
 * error_code NULL when the attempt had no failure. */
__attribute__((warn_unused_result)) int
channel_note_ingestion(db_conn *db, const char *arn, int64_t now_ms, const char *attempt_id,
                       const char *success_event_id, const char *error_code);

/* The account's channels of a region ordered by ARN, after `after_arn` ("" = from the
 * start), at most `limit`: [{"ChannelArn","Name"}]; *more tells whether others follow. */
json_t *channel_list_json(db_conn *db, const char *account_id, const char *region,
                          const char *after_arn, int limit, bool *more);

#endif
