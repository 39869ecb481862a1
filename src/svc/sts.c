/* sts: GetCallerIdentity and AssumeRole (temporary credentials).
 *
 * AssumeRole issues ASIA... keys with a secret and a session token, stored in `sessions`;
 * the front end authenticates them there (auth/identity.c), checking token and expiry.
 * Who may assume a role is decided by the policy engine over the caller's policies and
 * the role's trust policy (check_trust). The call is recorded in the caller's account
 * and, when the role lives in another account, copied to that account. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/ids.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "policy/policy.h"
#include "state/iam_state.h"
#include "state/org_state.h"
#include "svc/service.h"

#define CHAINED_SESSION_MAX_S 3600
#define SESSION_TOKEN_RANDOM_BYTES 264 /* 352 base64 characters, as long as AWS's tokens */
/* Session policies and tags are packed into the token; AWS reports their size as a
 * percentage of the room there is. orgtrail counts their plaintext against this. */
#define PACKED_POLICY_ROOM 2048

static int get_caller_identity(call_ctx *c)
{
    const principal *p = c->caller;
    c->out = json_object();
    const char *user_id = p->kind == PRINCIPAL_ROOT ? p->account_id : p->principal_id;
    json_object_set_new(c->out, "UserId", json_string(user_id));
    json_object_set_new(c->out, "Account", json_string(p->account_id));
    json_object_set_new(c->out, "Arn", json_string(p->arn));
    return 0;
}

/* The condition keys AssumeRole adds to the request's global ones. */
static void assume_role_context(call_ctx *c, const char *session, authz_context *x)
{
    authz_context_add(x, "sts:RoleSessionName", session);
    authz_context_add(x, "sts:ExternalId", in_str(c, "ExternalId"));
    authz_context_add(x, "sts:SourceIdentity", in_str(c, "SourceIdentity"));
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(c->in, "Tags"), i, t)
    {
        const char *k = json_string_value(json_object_get(t, "Key"));
        char key[160];
        snprintf(key, sizeof key, "aws:RequestTag/%s", k);
        authz_context_add(x, key, json_string_value(json_object_get(t, "Value")));
        authz_context_add(x, "aws:TagKeys", k);
    }
}

/* arn:aws:iam::<12 digits>:role<path><name> */
static bool parse_role_arn(const char *arn, char account[13], char path[513], char name[65])
{
    static const char prefix[] = "arn:aws:iam::";
    size_t pl = sizeof prefix - 1;
    if (strncmp(arn, prefix, pl) || strlen(arn) < pl + 13) return false;
    for (size_t i = 0; i < 12; i++)
        if (arn[pl + i] < '0' || arn[pl + i] > '9') return false;
    if (strncmp(arn + pl + 12, ":role/", 6)) return false;
    memcpy(account, arn + pl, 12);
    account[12] = '\0';
    const char *path_start = arn + pl + 17; /* the '/' after "role" */
    const char *last = strrchr(path_start, '/');
    size_t plen = (size_t)(last - path_start) + 1, nlen = strlen(last + 1);
    if (plen >= 513 || nlen == 0 || nlen > 64) return false;
    memcpy(path, path_start, plen);
    path[plen] = '\0';
    memcpy(name, last + 1, nlen + 1);
    return true;
}

/* The trust policy refused: AWS names the role without saying which policy. Otherwise
 * (the caller's own policies, an SCP) the message says which kind denied. */
static int deny(call_ctx *c, const authz_input *in, authz_result r, const char *role_arn)
{
    if (r.by == AUTHZ_BY_RESOURCE || !in)
        return aws_fail(&c->err, 403, "AccessDenied",
                        "User: %s is not authorized to perform: %s on resource: %.700s",
                        c->caller->arn, in ? in->request.action : "sts:AssumeRole", role_arn);
    char msg[2048];
    authz_message(in, r, call_caller_arn(c), msg, sizeof msg);
    return aws_fail(&c->err, 403, "AccessDenied", "%s", msg);
}

/* A role that does not exist (or whose trust policy cannot be read) is refused as one
 * whose trust policy does not allow the caller: AWS does not tell them apart. */
static int deny_role(call_ctx *c, const char *role_arn)
{
    return deny(c, NULL, (authz_result){AUTHZ_IMPLICIT_DENY, AUTHZ_BY_RESOURCE}, role_arn);
}

/* AssumeRole is authorized as AWS does it: the role's trust policy is the resource
 * policy, the role's account the resource's owner (policy/authorize.h: within one
 * account a trust policy naming the caller suffices, one naming the account defers to
 * the caller's identity policies; across accounts both must allow; the trust policy
 * must allow in every case, R10). The trust policy
 * must allow sts:AssumeRole, plus sts:TagSession when the request tags the session and
 * sts:SetSourceIdentity when it sets a source identity. */
static int check_trust(call_ctx *c, const iam_role *role, const char *session)
{
    aws_error ignored;
    json_t *trust =
        policy_parse(role->trust_policy, POLICY_TRUST, "MalformedPolicyDocument", NULL, &ignored);
    if (!trust) return deny_role(c, role->arn);
    authz_context x = AUTHZ_CONTEXT_INIT;
    assume_role_context(c, session, &x);
    const char *actions[3] = {"sts:AssumeRole", NULL, NULL};
    size_t na = 1;
    if (json_array_size(json_object_get(c->in, "Tags"))) actions[na++] = "sts:TagSession";
    if (in_str(c, "SourceIdentity")) actions[na++] = "sts:SetSourceIdentity";
    int rc = 0;
    for (size_t i = 0; i < na && !rc; i++) {
        authz_target t = {
            .action = actions[i],
            .resource = role->arn,
            .resource_account = role->account_id,
            .resource_policy = trust,
            .resource_must_allow = true,
            .context = authz_context_kv(&x),
        };
        authz_input in;
        authz_result r = call_decide(c, &t, &in);
        if (r.decision != AUTHZ_ALLOW) rc = deny(c, &in, r, role->arn);
    }
    authz_context_free(&x);
    json_decref(trust);
    return rc;
}

/* Session policies and tags: validated, and their packed size as a percentage; -1 when
 * none were given. */
static int packed_policy_size(call_ctx *c, int *percent)
{
    *percent = -1;
    const char *policy = in_str(c, "Policy");
    const json_t *arns = json_object_get(c->in, "PolicyArns");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (!policy && !json_array_size(arns) && !json_array_size(tags)) return 0;
    size_t bytes = 0;
    if (policy) {
        json_t *doc =
            policy_parse(policy, POLICY_IDENTITY, "MalformedPolicyDocument", NULL, &c->err);
        if (!doc) return -1;
        char *compact = json_dumps(doc, JSON_COMPACT);
        bytes += compact ? strlen(compact) : 0;
        free(compact);
        json_decref(doc);
    }
    size_t i;
    json_t *v;
    json_array_foreach(arns, i, v) bytes += strlen(json_string_value(json_object_get(v, "arn")));
    json_array_foreach(tags, i, v) bytes += strlen(json_string_value(json_object_get(v, "Key"))) +
                                            strlen(json_string_value(json_object_get(v, "Value")));
    json_array_foreach(json_object_get(c->in, "TransitiveTagKeys"), i, v) bytes +=
        strlen(json_string_value(v));
    *percent = (int)((bytes * 100 + PACKED_POLICY_ROOM - 1) / PACKED_POLICY_ROOM);
    if (*percent > 100)
        return aws_fail(&c->err, 400, "PackedPolicyTooLarge",
                        "Packed policy consumes %d%% of allotted space, please use smaller policy.",
                        *percent);
    return 0;
}

/* The session policies to store with the session (state/iam_state.h), or NULL when the
 * request has none: Policy as its text, each of PolicyArns as {"arn": ...}. */
static char *session_policies_alloc(call_ctx *c)
{
    const char *policy = in_str(c, "Policy");
    const json_t *arns = json_object_get(c->in, "PolicyArns");
    if (!policy && !json_array_size(arns)) return NULL;
    json_t *list = json_array();
    if (policy) json_array_append_new(list, json_string(policy));
    size_t i;
    json_t *v;
    json_array_foreach(arns, i, v)
        json_array_append_new(list, json_pack("{s:O}", "arn", json_object_get(v, "arn")));
    char *text = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    if (!text) abort();
    return text;
}

static int issue_session(call_ctx *c, const iam_role *role, const char *session, int64_t duration_s,
                         int packed)
{
    const principal *p = c->caller;
    char akid[32], secret[48];
    ids_key_id(akid, sizeof akid, "ASIA", 16);
    ids_secret(secret);
    unsigned char rnd[SESSION_TOKEN_RANDOM_BYTES];
    ids_random_bytes(rnd, sizeof rnd);
    char *token = base64_encode_alloc(rnd, sizeof rnd);
    explicit_bzero(rnd, sizeof rnd);
    /* AWS states expirations in whole seconds. */
    int64_t expires_ms = (c->now_ms / 1000 + duration_s) * 1000;
    const char *source_identity = in_str(c, "SourceIdentity");
    char *policies = session_policies_alloc(c);
    int rc = db_exec(c->db,
                     "INSERT INTO sessions(access_key_id, secret, session_token, account_id, "
                     "role_name, role_id, role_path, session_name, source_identity, "
                     "issuer_account_id, issuer_arn, created_ms, expires_ms, policies) "
                     "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "sssssssssssiis", akid, secret, token, role->account_id, role->name,
                     role->role_id, role->path, session, source_identity, p->account_id, p->arn,
                     c->now_ms, expires_ms, policies);
    free(policies);
    if (rc) {
        aws_fail(&c->err, 500, "InternalFailure", "cannot store the session: %s", db_errmsg(c->db));
    } else {
        char assumed_id[128], assumed_arn[400];
        snprintf(assumed_id, sizeof assumed_id, "%s:%s", role->role_id, session);
        snprintf(assumed_arn, sizeof assumed_arn, "arn:aws:sts::%s:assumed-role/%s/%s",
                 role->account_id, role->name, session);
        c->out = json_pack("{s:{s:s, s:s, s:s, s:o}, s:{s:s, s:s}}", "Credentials", "AccessKeyId",
                           akid, "SecretAccessKey", secret, "SessionToken", token, "Expiration",
                           json_time(expires_ms), "AssumedRoleUser", "AssumedRoleId", assumed_id,
                           "Arn", assumed_arn);
        if (packed >= 0) json_object_set_new(c->out, "PackedPolicySize", json_integer(packed));
        if (source_identity)
            json_object_set_new(c->out, "SourceIdentity", json_string(source_identity));
    }
    explicit_bzero(secret, sizeof secret);
    explicit_bzero(token, strlen(token));
    free(token);
    return rc ? -1 : 0;
}

static int assume_role(call_ctx *c)
{
    const principal *p = c->caller;
    const char *role_arn = in_str(c, "RoleArn"), *session = in_str(c, "RoleSessionName");
    if (p->kind == PRINCIPAL_ROOT)
        return aws_fail(&c->err, 403, "AccessDenied", "Roles may not be assumed by root accounts.");
    int packed;
    if (packed_policy_size(c, &packed)) return -1;
    char account[13], path[513], name[65];
    if (strncmp(role_arn, "arn:", 4))
        return aws_fail(&c->err, 400, "ValidationError", "%.700s is not a valid ARN.", role_arn);
    if (!parse_role_arn(role_arn, account, path, name)) return deny_role(c, role_arn);
    call_add_resource(c, account, "AWS::IAM::Role", role_arn);
    iam_role role;
    if (!iam_role_get(c->db, account, name, &role)) return deny_role(c, role_arn);
    int rc = -1;
    call_add_recipient(c, account);
    if (strcmp(role.path, path)) {
        deny_role(c, role_arn);
    } else if (in_str(c, "SerialNumber") || in_str(c, "TokenCode")) {
        /* orgtrail has no MFA devices, so no code can be valid. */
        aws_fail(&c->err, 403, "AccessDenied",
                 "MultiFactorAuthentication failed, unable to validate MFA code. Please verify "
                 "your MFA serial number is valid and associated with this user.");
    } else if (!check_trust(c, &role, session)) {
        int64_t duration = in_int(c, "DurationSeconds", 3600);
        if (duration > role.max_session_s)
            aws_fail(&c->err, 400, "ValidationError",
                     "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                     "role.");
        else if (p->kind == PRINCIPAL_ASSUMED_ROLE && duration > CHAINED_SESSION_MAX_S)
            aws_fail(&c->err, 400, "ValidationError",
                     "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                     "assumed by role chaining.");
        else
            rc = issue_session(c, &role, session, duration, packed);
    }
    iam_role_clear(&role);
    return rc;
}

static const op_def OPS[] = {
    {"GetCallerIdentity", get_caller_identity, NULL, OP_NO_PERMISSION_NEEDED},
    {"AssumeRole", assume_role, NULL, OP_AUTHORIZES_ITSELF},
};

const service_def SVC_STS = {.signing_name = "sts",
                             .style = VSTYLE_QUERY,
                             .ops = OPS,
                             .n_ops = sizeof OPS / sizeof *OPS,
                             .denied_status = 403,
                             .denied_code = "AccessDenied"};
