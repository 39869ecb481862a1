#include "validate/layout.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"

static void base(const vlayout *l, const char *folder, char *out, size_t n)
{
    bool pfx = l->prefix && *l->prefix;
    snprintf(out, n, "%s%sAWSLogs/%s%s%s/%s/%s", pfx ? l->prefix : "", pfx ? "/" : "",
             l->org_id ? l->org_id : "", l->org_id ? "/" : "", l->account_id, folder, l->region);
}

void layout_digest_prefix(const vlayout *l, char *out, size_t n)
{
    base(l, "CloudTrail-Digest", out, n);
}

void layout_format_compact(int64_t ms, char out[17])
{
    time_t t = (time_t)(ms / 1000 - (ms < 0 && ms % 1000 ? 1 : 0));
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

int layout_parse_compact(const char *s, int64_t *ms)
{
    if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
    for (int i = 0; i < 15; i++)
        if (i != 8 && !isdigit((unsigned char)s[i])) return -1;
    struct tm tm = {0};
    tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') - 1900;
    tm.tm_mon = (s[4] - '0') * 10 + (s[5] - '0') - 1;
    tm.tm_mday = (s[6] - '0') * 10 + (s[7] - '0');
    tm.tm_hour = (s[9] - '0') * 10 + (s[10] - '0');
    tm.tm_min = (s[11] - '0') * 10 + (s[12] - '0');
    tm.tm_sec = (s[13] - '0') * 10 + (s[14] - '0');
    /* As the AWS CLI's datetime.strptime(key time, "%Y%m%dT%H%M%SZ"): month 00, a day past
     * the end of its month and second 60 are refused. */
    if (tm.tm_mday < 1 || tm.tm_mday > time_days_in_month(tm.tm_year + 1900, tm.tm_mon + 1) ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
        return -1;
    *ms = (int64_t)timegm(&tm) * 1000;
    return 0;
}

void layout_digest_key(const vlayout *l, int64_t t_ms, char *out, size_t n)
{
    char folder[1024], ts[17], ymd[11];
    base(l, "CloudTrail-Digest", folder, sizeof folder);
    layout_format_compact(t_ms, ts);
    snprintf(ymd, sizeof ymd, "%.4s/%.2s/%.2s", ts, ts + 4, ts + 6);
    snprintf(out, n, "%s/%s/%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz", folder, ymd, l->account_id,
             l->region, l->trail_name, l->home_region, ts);
}

static bool eat(const char **p, const char *lit)
{
    size_t k = strlen(lit);
    if (strncmp(*p, lit, k)) return false;
    *p += k;
    return true;
}

static bool eat_digits_slash(const char **p)
{
    const char *s = *p;
    while (isdigit((unsigned char)*s))
        s++;
    if (s == *p || *s != '/') return false;
    *p = s + 1;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !memcmp(s + a - b, suffix, b);
}

bool layout_is_digest_key(const vlayout *l, const char *key)
{
    char folder[1024];
    base(l, "CloudTrail-Digest", folder, sizeof folder);
    const char *p = key;
    if (!eat(&p, folder) || !eat(&p, "/")) return false;
    for (int i = 0; i < 3; i++)
        if (!eat_digits_slash(&p)) return false;
    /* The rest is matched as the regex's literal name stem, then `.+` and ".json.gz".
     * Python's '.' does not match a newline. */
    if (!eat(&p, l->account_id) || !eat(&p, "_CloudTrail-Digest_") || !eat(&p, l->region) ||
        !eat(&p, "_") || !eat(&p, l->trail_name) || !eat(&p, "_") || !eat(&p, l->home_region) ||
        !eat(&p, "_"))
        return false;
    if (strchr(p, '\n')) return false;
    return strlen(p) > strlen(".json.gz") && ends_with(p, ".json.gz");
}

bool layout_is_backfill_key(const char *key)
{
    return ends_with(key, "_backfill.json.gz");
}

void layout_digest_key_time(const char *key, char out[17])
{
    size_t n = strlen(key);
    size_t end = layout_is_backfill_key(key) ? 17 : 8;
    out[0] = 0;
    if (n < end + 16) return;
    memcpy(out, key + n - end - 16, 16);
    out[16] = 0;
}

void layout_log_day_prefix(const vlayout *l, int64_t t_ms, char *out, size_t n)
{
    char folder[1024], ts[17];
    base(l, "CloudTrail", folder, sizeof folder);
    layout_format_compact(t_ms, ts);
    snprintf(out, n, "%s/%.4s/%.2s/%.2s/", folder, ts, ts + 4, ts + 6);
}

int64_t layout_log_key_time(const char *key)
{
    const char *name = strrchr(key, '/');
    name = name ? name + 1 : key;
    const char *m = strstr(name, "_CloudTrail_");
    if (!m || !ends_with(name, ".json.gz")) return -1;
    /* After the region: "_YYYYMMDDTHHmmZ_" — find it from the right, the region holds '-'. */
    for (const char *p = name + strlen(name) - 8; p > m; p--) {
        if (*p != '_' || p - name < 15) continue;
        const char *t = p - 14; /* "_YYYYMMDDTHHmmZ" starts at p - 14 - 1 */
        if (t[-1] != '_' || t[8] != 'T' || t[13] != 'Z') continue;
        char compact[17];
        memcpy(compact, t, 13);
        memcpy(compact + 13, "00Z", 4);
        int64_t ms;
        if (layout_parse_compact(compact, &ms) == 0) return ms;
    }
    return -1;
}
