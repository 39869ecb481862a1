/* timeutil: wall-clock time and the text forms AWS uses.
 *
 * Times are int64 milliseconds since the epoch (UTC) unless a name says otherwise. */
#ifndef ORGTRAIL_TIMEUTIL_H
#define ORGTRAIL_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

int64_t time_now_ms(void);
/* "2026-11-22T05:24:35Z" (whole seconds, as CloudTrail eventTime). out >= 21 bytes. */
void time_iso8601(int64_t ms, char *out, size_t n);
/* "2026-11-22T05:24:35.123Z" (as STS Expiration and Query timestamps). out >= 25 bytes. */
void time_iso8601_ms(int64_t ms, char *out, size_t n);
/* "20261122T052435Z" (SigV4 X-Amz-Date). out >= 17 bytes. */
void time_amz(int64_t ms, char *out, size_t n);
/* RFC 7231 "Sun, 22 Nov 2026 05:24:35 GMT". out >= 30 bytes. */
void time_http(int64_t ms, char *out, size_t n);
/* Days in month (1-12) of year, Gregorian; 0 for a month out of range. */
int time_days_in_month(int year, int month);
/* Parses X-Amz-Date "yyyymmddTHHMMSSZ"; returns -1 when malformed. */
int time_parse_amz(const char *s, int64_t *ms);
/* Parses ISO-8601 "yyyy-mm-ddTHH:MM:SS[.fff][Z|+hh:mm]" or a plain date; -1 on error. */
int time_parse_iso8601(const char *s, int64_t *ms);
/* Parses RFC 7231 dates (the Date header); -1 on error. */
int time_parse_http(const char *s, int64_t *ms);

#endif
