/* logfile: one CloudTrail log file: its S3 key and its bytes.
 *
 * Key (cloudtrail-formats.md a):
 *   [<prefix>/]AWSLogs/[<o-orgid>/]<account>/CloudTrail/<region>/YYYY/MM/DD/
 *     <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz
 * with the date and minute of delivery (UTC). The 16-character suffix is derived from
 * the file's identity (trail, account, region, first journal record): the same file
 * always gets the same suffix, different files practically never collide, and a crash
 * between planning and writing cannot produce a second name for one file.
 *
 * Body: one gzip member (RFC 1952, mtime 0) of compact JSON {"Records":[...]}, the
 * records exactly as captured, in journal order. */
#ifndef ORGTRAIL_DELIVERY_LOGFILE_H
#define ORGTRAIL_DELIVERY_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define LOGFILE_UNIQUE_LEN 16

/* The suffix for one file's identity. out >= 17 bytes. */
void logfile_unique(const char *trail_arn, const char *account, const char *region,
                    uint64_t first_seq, char out[LOGFILE_UNIQUE_LEN + 1]);
/* The key; prefix and org_id may be "" or NULL. Returns the length, or -1 when it does
 * not fit in n. */
int logfile_key(char *out, size_t n, const char *prefix, const char *org_id, const char *account,
                const char *region, int64_t delivered_ms, const char *unique);

/* The uncompressed JSON being built: logfile_begin, logfile_add per record, logfile_end. */
void logfile_begin(buf *json);
void logfile_add(buf *json, const char *record, size_t len);
void logfile_end(buf *json);
/* gzip of json (one member, mtime 0); malloc'd into *out. 0, or -1. */
int logfile_gzip(const void *json, size_t len, unsigned char **out, size_t *out_len);
/* Inflates a gzip body (tests, self-checks); malloc'd, NUL-terminated. 0, or -1. */
int logfile_gunzip(const void *gz, size_t len, char **out, size_t *out_len);

#endif
