/* cloudtrail_names: trail names, trail ARNs, and resolving what a request addresses. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "svc/cloudtrail_internal.h"

int ct_fail_db(call_ctx *c)
{
    return aws_fail(&c->err, 500, "InternalFailure", "orgtrail could not update its store: %s",
                    db_errmsg(c->db));
}

static bool punct(char ch)
{
    return ch == '.' || ch == '_' || ch == '-';
}

/* Four dot-separated runs of 1-3 digits: AWS refuses names that read as an IPv4 address. */
static bool looks_like_ipv4(const char *s)
{
    int parts = 0, digits = 0;
    for (const char *p = s;; p++) {
        if (isdigit((unsigned char)*p)) {
            if (++digits > 3) return false;
        } else if (*p == '.' || *p == '\0') {
            if (digits == 0) return false;
            parts++;
            digits = 0;
            if (*p == '\0') break;
        } else {
            return false;
        }
    }
    return parts == 4;
}

static int bad_name(call_ctx *c, const char *msg)
{
    return aws_fail(&c->err, 400, "InvalidTrailNameException", "%s", msg);
}

int ct_check_name(call_ctx *c, const char *name)
{
    size_t n = strlen(name);
    if (n < 3)
        return aws_fail(&c->err, 400, "InvalidTrailNameException",
                        "Trail name too short. Minimum allowed length: 3 characters. Specified "
                        "name length: %zu characters.",
                        n);
    if (n > 128)
        return aws_fail(&c->err, 400, "InvalidTrailNameException",
                        "Trail name too long. Maximum allowed length: 128 characters. Specified "
                        "name length: %zu characters.",
                        n);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !punct(name[i]))
            return bad_name(c, "Trail name or ARN can only contain uppercase letters, lowercase "
                               "letters, numbers, periods (.), hyphens (-), and underscores (_).");
    if (!isalnum((unsigned char)name[0]))
        return bad_name(c, "Trail name must starts with a letter or number.");
    if (!isalnum((unsigned char)name[n - 1]))
        return bad_name(c, "Trail name must ends with a letter or number.");
    for (size_t i = 1; i < n; i++)
        if (punct(name[i]) && punct(name[i - 1]))
            return bad_name(c, "Trail name cannot contain adjacent periods (.), hyphens (-) or "
                               "underscores (_).");
    if (looks_like_ipv4(name))
        return bad_name(c, "Trail name cannot be formatted as an IP address.");
    return 0;
}

bool ct_looks_like_arn(const char *s)
{
    return !strncmp(s, "arn:", 4);
}

static int bad_arn(call_ctx *c, const char *arn)
{
    return aws_fail(&c->err, 400, "CloudTrailARNInvalidException",
                    "Invalid trail ARN: %.300s. A trail ARN has the form "
                    "arn:aws:cloudtrail:<region>:<account id>:trail/<name>.",
                    arn);
}

int ct_parse_arn(call_ctx *c, const char *arn, char region[32], char account[13], char name[129])
{
    static const char prefix[] = "arn:aws:cloudtrail:";
    if (strncmp(arn, prefix, sizeof prefix - 1)) return bad_arn(c, arn);
    const char *p = arn + sizeof prefix - 1;
    const char *colon = strchr(p, ':');
    if (!colon || colon == p || (size_t)(colon - p) >= 32) return bad_arn(c, arn);
    for (const char *q = p; q < colon; q++)
        if (!islower((unsigned char)*q) && !isdigit((unsigned char)*q) && *q != '-')
            return bad_arn(c, arn);
    snprintf(region, 32, "%.*s", (int)(colon - p), p);
    p = colon + 1;
    for (int i = 0; i < 12; i++)
        if (!isdigit((unsigned char)p[i])) return bad_arn(c, arn);
    if (strncmp(p + 12, ":trail/", 7)) return bad_arn(c, arn);
    snprintf(account, 13, "%.12s", p);
    const char *nm = p + 12 + 7;
    if (strlen(nm) > 128) return bad_arn(c, arn);
    snprintf(name, 129, "%s", nm);
    aws_error saved = c->err;
    if (ct_check_name(c, name)) {
        c->err = saved;
        return bad_arn(c, arn);
    }
    return 0;
}

static int not_found(call_ctx *c, const char *arn)
{
    return aws_fail(&c->err, 400, "TrailNotFoundException", "Unknown trail: %s for the user: %s",
                    arn, c->caller->account_id);
}

static int wrong_account(call_ctx *c)
{
    return aws_fail(&c->err, 400, "CloudTrailARNInvalidException",
                    "AccountID in ARN is wrong, you can only access resources with AccountID %s.",
                    c->caller->account_id);
}

/* An ARN naming another account: only the organization trail of the caller's
 * organization is reachable that way (to members for viewing, to delegated
 * administrators for everything). */
static int resolve_foreign(call_ctx *c, const char *arn, const char *owner, ct_access access,
                           trail *t)
{
    const char *me = c->caller->account_id;
    org_info o;
    bool admin = org_of_account(c->db, me, &o) && !strcmp(o.master_account, owner) &&
                 org_is_delegated_admin(c->db, me, CT_PRINCIPAL);
    if (!trail_get(c->db, arn, t)) return admin ? not_found(c, arn) : wrong_account(c);
    if (!trail_org_covers(c->db, t, me)) return wrong_account(c);
    if (!admin && access != CT_VIEW) return wrong_account(c);
    return 0;
}

int ct_resolve(call_ctx *c, const char *name_or_arn, ct_access access, trail *t)
{
    const char *me = c->caller->account_id;
    if (ct_looks_like_arn(name_or_arn)) {
        char region[32], account[13], name[129];
        if (ct_parse_arn(c, name_or_arn, region, account, name)) return -1;
        if (strcmp(account, me)) {
            if (resolve_foreign(c, name_or_arn, account, access, t)) return -1;
        } else if (!trail_get(c->db, name_or_arn, t)) {
            return not_found(c, name_or_arn);
        }
        /* A single-region trail exists only in its home region. */
        if (strcmp(t->home_region, c->region) && !t->multi_region) return not_found(c, name_or_arn);
    } else {
        if (ct_check_name(c, name_or_arn)) return -1;
        if (!trail_find_by_name(c->db, me, name_or_arn, c->region, true, t)) {
            char arn[256];
            trail_arn(arn, sizeof arn, c->region, me, name_or_arn);
            return not_found(c, arn);
        }
    }
    if (access == CT_MODIFY && strcmp(t->home_region, c->region))
        return aws_fail(&c->err, 400, "InvalidHomeRegionException",
                        "This operation must be called from the trail's home region, %s.",
                        t->home_region);
    return 0;
}

void ct_add_resource(call_ctx *c, const trail *t)
{
    call_add_resource(c, t->account_id, CT_RESOURCE_TYPE, t->arn);
}
