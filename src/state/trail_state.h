/* trail_state: CloudTrail trails as stored, and which trails an account sees.
 *
 * A trail row belongs to its owner account: the creator for ordinary trails, the
 * organization's management account for organization trails (whoever created them, as
 * AWS does: the ARN carries the management account id). Nothing is copied into member
 * accounts or other regions: "shadow" trails (a multi-region trail seen from another
 * region, an organization trail seen from a member account) are computed when listed,
 * so accounts that join later see the organization trail at once and accounts that leave
 * stop seeing it, with no bookkeeping.
 *
 * An organization trail whose owner stops being the management account of an
 * organization (the organization is deleted) reads as an ordinary trail (is_org false).
 *
 * Event selectors are stored as the JSON the API returns (normalised by the service);
 * NULL means "never set" (the default selector applies). */
#ifndef ORGTRAIL_TRAIL_STATE_H
#define ORGTRAIL_TRAIL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"

#define TRAIL_MAX_PER_REGION 5

typedef struct trail {
    char arn[256]; /* arn:aws:cloudtrail:<home region>:<owner>:trail/<name> */
    char account_id[13];
    char name[129];
    char home_region[32];
    char s3_bucket[64];
    char s3_prefix[201]; /* "" when none */
    char sns_topic[257]; /* "" when none */
    bool include_global;
    bool multi_region;
    bool log_validation;
    char cwl_group_arn[512]; /* "" when none */
    char cwl_role_arn[512];
    char kms_key_id[512];
    bool is_org;
    char created_by[13];   /* the account that called CreateTrail */
    bool custom_selectors; /* event or advanced selectors were ever put */
    bool logging;
    int64_t start_logging_ms; /* 0 = never */
    int64_t stop_logging_ms;
    int64_t created_ms;
} trail;

/* The ARN of the trail's SNS topic: sns_topic as given when it is an ARN, else the topic
 * of that name in the trail's account and home region (CloudTrail's SnsTopicARN). */
void trail_sns_topic_arn(const trail *t, char *out, size_t n);

/* Builds a trail ARN. */
void trail_arn(char *out, size_t n, const char *region, const char *account_id, const char *name);

/* Loads a trail by ARN: 1 found, 0 not. */
int trail_get(db_conn *db, const char *arn, trail *t);
/* A deleted trail's settings, kept for its last digests (digest/digester.h): DeleteTrail
 * keeps them (call before trail_delete), the digester loads them (1 found, 0 not) and
 * forgets them once the trail's last digest is written. */
__attribute__((warn_unused_result)) int trail_keep_deleted(db_conn *db, const char *arn);
int trail_get_deleted(db_conn *db, const char *arn, trail *t);
/* The trail, or else a deleted trail's kept settings: 1 live, 2 deleted, 0 neither. */
int trail_get_or_deleted(db_conn *db, const char *arn, trail *t);
__attribute__((warn_unused_result)) int trail_forget_deleted(db_conn *db, const char *arn);
/* The trail of `account_id` named `name` that is visible in `region`: its home region is
 * `region`, or (when `multi_region_ok`) it is a multi-region trail. 1 found, 0 not. */
int trail_find_by_name(db_conn *db, const char *account_id, const char *name, const char *region,
                       bool multi_region_ok, trail *t);
/* Whether account_id already has a trail that a new trail `name` in `region` would clash
 * with: one of that name homed in the region, or a multi-region one (whose shadow is
 * everywhere), or any of that name when the new one is multi-region. */
bool trail_name_taken(db_conn *db, const char *account_id, const char *name, const char *region,
                      bool new_multi_region);
/* Trails of account_id that count in `region`: homed there or multi-region. */
int trail_count_in_region(db_conn *db, const char *account_id, const char *region);

/* Insert / replace the configuration columns / delete (with its tags, state/tags.h
 * TAGS_TRAIL). 0, or -1 (db error). */
__attribute__((warn_unused_result)) int trail_insert(db_conn *db, const trail *t);
__attribute__((warn_unused_result)) int trail_update_config(db_conn *db, const trail *t);
__attribute__((warn_unused_result)) int trail_delete(db_conn *db, const char *arn);
__attribute__((warn_unused_result)) int trail_set_logging(db_conn *db, const char *arn,
                                                          bool logging, int64_t now_ms);

/* Selectors: exactly one of basic / advanced is stored (the other becomes NULL). The JSON
 * texts are copied. */
__attribute__((warn_unused_result)) int trail_set_selectors(db_conn *db, const char *arn,
                                                            const char *basic_json,
                                                            const char *advanced_json);
/* Loads the stored selector texts (malloc'd, NULL when unset; caller frees). */
void trail_get_selectors(db_conn *db, const char *arn, char **basic_json, char **advanced_json);

/* Whether fn holds for the stored selector texts (NULL when unset) of some trail, any
 * account, any region. */
typedef bool (*trail_selectors_fn)(const char *basic_json, const char *advanced_json, void *ctx);
bool trail_any_selectors(db_conn *db, trail_selectors_fn fn, void *ctx);

/* Trails visible to account_id in region, in a stable order (owner, home region, name).
 * *out is malloc'd (caller frees), shadow[i] tells whether trail i is a shadow there:
 * homed in another region, or an organization trail owned by another account.
 * Organization trails of the organization account_id belongs to are included when the
 * owner is still its management account. Returns the count. */
size_t trail_list_visible(db_conn *db, const char *account_id, const char *region, trail **out,
                          bool **shadow);

/* Whether org trail t applies to account_id: t is an organization trail, its owner is the
 * management account of the organization account_id is in. */
bool trail_org_covers(db_conn *db, const trail *t, const char *account_id);

#endif
