#include "svc/iam_managed.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/timeutil.h"
#include "state/iam_state.h"
#include "svc/iam_internal.h"

iam_managed_kind iam_managed_lookup(const iam_data *d, const char *arn)
{
    const json_t *p = iam_data_managed_policy(d, arn);
    if (!p) return IAM_MANAGED_UNKNOWN;
    const char *path = json_string_value(json_object_get(p, "Path"));
    return path && !strcmp(path, "/aws-service-role/") ? IAM_MANAGED_SERVICE_ROLE
                                                       : IAM_MANAGED_ATTACHABLE;
}

/* The policy's PolicyId. AWS gives each managed policy a fixed ANPA... id that the data
 * does not carry: this one is derived from the ARN, so it is stable across stores and
 * releases and has AWS's shape (ANPA and 17 characters of A-Z2-7), but it is not AWS's. */
static void policy_id(const char *arn, char out[22])
{
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned char h[SHA256_LEN];
    hash_sha256(arn, strlen(arn), h);
    memcpy(out, "ANPA", 4);
    for (int i = 0; i < 17; i++)
        out[4 + i] = b32[h[i] & 31];
    out[21] = '\0';
}

static json_t *date_json(const json_t *iso)
{
    int64_t ms = 0;
    const char *s = json_string_value(iso);
    if (s) time_parse_iso8601(s, &ms);
    return json_time(ms);
}

static const json_t *managed_or_fail(call_ctx *c, const char *arn)
{
    const json_t *p = iam_data_managed_policy(c->env->iam, arn);
    if (!p)
        aws_fail(&c->err, 404, "NoSuchEntity", "Policy %.700s does not exist or is not attachable.",
                 arn);
    return p;
}

int iam_get_policy(call_ctx *c)
{
    const char *arn = in_str(c, "PolicyArn");
    if (strncmp(arn, "arn:aws:iam::aws:", 17)) return iam_get_customer_policy(c);
    const json_t *p = managed_or_fail(c, arn);
    if (!p) return -1;
    char id[22];
    policy_id(arn, id);
    bool service_role = iam_managed_lookup(c->env->iam, arn) == IAM_MANAGED_SERVICE_ROLE;
    json_t *policy =
        json_pack("{s:O, s:s, s:O, s:O, s:O, s:I, s:i, s:b, s:o, s:o}", "PolicyName",
                  json_object_get(p, "PolicyName"), "PolicyId", id, "Arn",
                  json_object_get(p, "Arn"), "Path", json_object_get(p, "Path"), "DefaultVersionId",
                  json_object_get(p, "DefaultVersionId"), "AttachmentCount",
                  (json_int_t)iam_policy_attachment_count(c->db, c->caller->account_id, arn),
                  "PermissionsBoundaryUsageCount", 0, "IsAttachable", !service_role, "CreateDate",
                  date_json(json_object_get(p, "CreateDate")), "UpdateDate",
                  date_json(json_object_get(p, "UpdateDate")));
    c->out = json_pack("{s:o}", "Policy", policy);
    return 0;
}

int iam_get_policy_version(call_ctx *c)
{
    const char *arn = in_str(c, "PolicyArn"), *version = in_str(c, "VersionId");
    if (strncmp(arn, "arn:aws:iam::aws:", 17)) return iam_get_customer_policy_version(c);
    const json_t *p = managed_or_fail(c, arn);
    if (!p) return -1;
    /* Only the current version is in the data: older ones are not offered. */
    if (strcmp(version, json_string_value(json_object_get(p, "DefaultVersionId"))))
        return aws_fail(&c->err, 404, "NoSuchEntity",
                        "Policy %.700s version %.64s does not exist or is not attachable.", arn,
                        version);
    char *text = json_dumps(json_object_get(p, "Document"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text) abort();
    json_t *doc = iam_doc_json(text);
    free(text);
    c->out = json_pack("{s:{s:o, s:s, s:b, s:o}}", "PolicyVersion", "Document", doc, "VersionId",
                       version, "IsDefaultVersion", 1, "CreateDate",
                       date_json(json_object_get(p, "UpdateDate")));
    return 0;
}
