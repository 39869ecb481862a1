/* layout: where CloudTrail puts digests and log files of one trail, account and region,
 * and how `aws cloudtrail validate-logs` finds them (cloudtrail-formats.md a and e.5).
 *
 *   [P/]AWSLogs/[o-ORG/]ACCT/CloudTrail-Digest/REGION/YYYY/MM/DD/
 *       ACCT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHMMSSZ[_backfill].json.gz
 *   [P/]AWSLogs/[o-ORG/]ACCT/CloudTrail/REGION/YYYY/MM/DD/ACCT_CloudTrail_REGION_YYYYMMDDTHHmmZ_U.json.gz
 *
 * Digest keys are matched exactly as the AWS CLI's regular expression does, and their
 * time is cut out by fixed position (the 16 characters before ".json.gz" or
 * "_backfill.json.gz"), because that is what decides which digests are walked: a
 * stricter parser would walk a different set than AWS's validator. */
#ifndef ORGTRAIL_VALIDATE_LAYOUT_H
#define ORGTRAIL_VALIDATE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vlayout {
    const char *prefix;      /* key prefix without trailing '/', NULL or "" = none */
    const char *org_id;      /* "o-..." for an organization trail's layout, else NULL */
    const char *account_id;  /* whose chain */
    const char *region;      /* source region: the digest folder */
    const char *home_region; /* from the trail ARN */
    const char *trail_name;  /* from the trail ARN */
} vlayout;

/* "P/AWSLogs/[o-ORG/]ACCT/CloudTrail-Digest/REGION" (no trailing '/', as the CLI lists). */
void layout_digest_prefix(const vlayout *l, char *out, size_t n);
/* The key a digest ending at t_ms would have: the listing starts after it. */
void layout_digest_key(const vlayout *l, int64_t t_ms, char *out, size_t n);
/* Whether key is a digest of this trail, account and region (the CLI's regex). */
bool layout_is_digest_key(const vlayout *l, const char *key);
bool layout_is_backfill_key(const char *key);
/* The 16-character time of a digest key ("20240501T101237Z"); out holds 17. "" when the
 * key is too short. */
void layout_digest_key_time(const char *key, char out[17]);
/* "P/AWSLogs/[o-ORG/]ACCT/CloudTrail/REGION/YYYY/MM/DD/" for the UTC day of t_ms. */
void layout_log_day_prefix(const vlayout *l, int64_t t_ms, char *out, size_t n);
/* The delivery minute of a log file key (…_YYYYMMDDTHHmmZ_UNIQUE.json.gz) in ms; -1 when
 * the key is not a log file name. */
int64_t layout_log_key_time(const char *key);

/* "YYYYMMDDTHHMMSSZ" (the CLI's DATE_FORMAT); out holds 17. */
void layout_format_compact(int64_t ms, char out[17]);
/* Parses "YYYYMMDDTHHMMSSZ"; -1 when malformed. */
int layout_parse_compact(const char *s, int64_t *ms);

#endif
