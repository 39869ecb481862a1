#include "core/timeutil.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void to_tm(int64_t ms, struct tm *tm)
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    gmtime_r(&t, tm);
}

void time_iso8601(int64_t ms, char *out, size_t n)
{
    struct tm tm;
    to_tm(ms, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_iso8601_ms(int64_t ms, char *out, size_t n)
{
    struct tm tm;
    to_tm(ms, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    int frac = (int)(((ms % 1000) + 1000) % 1000);
    snprintf(out, n, "%s.%03dZ", base, frac);
}

void time_amz(int64_t ms, char *out, size_t n)
{
    struct tm tm;
    to_tm(ms, &tm);
    strftime(out, n, "%Y%m%dT%H%M%SZ", &tm);
}

void time_http(int64_t ms, char *out, size_t n)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    to_tm(ms, &tm);
    snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
             mons[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int time_days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

static int64_t from_fields(int y, int mo, int d, int h, int mi, int s)
{
    /* A day past the end of its month is refused, not rolled into the next (timegm would). */
    if (d < 1 || d > time_days_in_month(y, mo) || h > 23 || mi > 59 || s > 60) return INT64_MIN;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm) * 1000;
}

int time_parse_amz(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, se;
    if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
    if (digits(s, 4, &y) || digits(s + 4, 2, &mo) || digits(s + 6, 2, &d) || digits(s + 9, 2, &h) ||
        digits(s + 11, 2, &mi) || digits(s + 13, 2, &se))
        return -1;
    int64_t v = from_fields(y, mo, d, h, mi, se);
    if (v == INT64_MIN) return -1;
    *ms = v;
    return 0;
}

int time_parse_iso8601(const char *s, int64_t *ms)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    size_t n = strlen(s);
    if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d))
        return -1;
    const char *p = s + 10;
    int64_t frac_ms = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (strlen(p) < 5 || digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi)) return -1;
        p += 5;
        if (*p == ':') {
            if (digits(p + 1, 2, &se)) return -1;
            p += 3;
        }
        if (*p == '.') {
            p++;
            int scale = 100, k = 0;
            while (isdigit((unsigned char)*p)) {
                if (k < 3) frac_ms += (*p - '0') * scale;
                scale /= 10;
                k++;
                p++;
            }
            if (k == 0) return -1;
        }
    }
    int64_t off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        int sign = *p == '-' ? -1 : 1;
        if (strlen(p) < 6 || digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
            return -1;
        off = sign * ((int64_t)oh * 3600 + om * 60) * 1000;
        p += 6;
    }
    if (*p) return -1;
    int64_t v = from_fields(y, mo, d, h, mi, se);
    if (v == INT64_MIN) return -1;
    *ms = v + frac_ms - off;
    return 0;
}

int time_parse_http(const char *s, int64_t *ms)
{
    static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char mon[4];
    int d, y, h, mi, se;
    if (sscanf(s, "%*3s, %2d %3s %4d %2d:%2d:%2d GMT", &d, mon, &y, &h, &mi, &se) != 6) return -1;
    for (int i = 0; i < 12; i++) {
        if (strcmp(mon, mons[i]) == 0) {
            int64_t v = from_fields(y, i + 1, d, h, mi, se);
            if (v == INT64_MIN) return -1;
            *ms = v;
            return 0;
        }
    }
    return -1;
}
