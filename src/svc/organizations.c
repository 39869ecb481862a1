/* organizations: the AWS Organizations API — the organization, its root, OUs and
 * accounts, invitations and handshakes, trusted access, delegated administrators, tags,
 * and organization policies (stored and attached here; enforcing SCPs is elsewhere).
 *
 * A store holds one organization at a time (state/org_state.h reads "the" organization):
 * CreateOrganization from another account while one exists is refused.
 *
 * Who may call what follows the API reference: management-only operations answer
 * AccessDeniedException to anyone else; the read operations are open to the management
 * account and to registered delegated administrators (a service's delegated administrator
 * gets read-only access to Organizations data); DescribeOrganization to every account of
 * the organization; accounts outside it get AWSOrganizationsNotInUseException. Handshake
 * operations are for the parties of the handshake, inside or outside the organization.
 *
 * Decisions where AWS's sources disagree or are silent (details in the report):
 * - CreateOrganization(ALL) does not enable SCPs in the root; EnablePolicyType does (the
 *   API reference says they are enabled automatically, but field reports from Terraform
 *   and CloudFormation users, the user guide and moto all show an empty PolicyTypes list).
 * - CreateAccount creates the account at once and answers IN_PROGRESS; the status then
 *   reads SUCCEEDED (or FAILED, e.g. EMAIL_ALREADY_EXISTS).
 * - Enabling all features follows the user guide: EnableAllFeatures returns the
 *   ENABLE_ALL_FEATURES handshake (the management account's, REQUESTED until every invited
 *   member accepted its APPROVE_ALL_FEATURES handshake, then OPEN); accepting it switches
 *   the feature set to ALL.
 * - The waiting period before a created account may leave is not enforced.
 *
 * Mutating operations run in one transaction each, so that a refused request changes
 * nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/ids.h"
#include "core/jsonutil.h"
#include "policy/policy.h"
#include "state/iam_state.h"
#include "state/org_state.h"
#include "svc/service.h"

#define PAGE_DEFAULT 20
#define OU_MAX_DEPTH 5
#define SCP_MAX_CHARS 5120           /* AWS quota for SCP documents */
#define OTHER_POLICY_MAX_CHARS 10000 /* tag, backup and the other management policies */
#define MAX_POLICIES_PER_TYPE 1000
#define MAX_ATTACHED_PER_TYPE 5
#define MAX_TAGS_PER_RESOURCE 50
#define DAY_MS (24LL * 3600 * 1000)
#define INVITE_TTL_MS (15 * DAY_MS)
#define ALL_FEATURES_TTL_MS (90 * DAY_MS)

static const char FULL_ACCESS_ID[] = "p-FullAWSAccess";
static const char FULL_ACCESS_CONTENT[] =
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n"
    "      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";
static const char ADMIN_POLICY_ARN[] = "arn:aws:iam::aws:policy/AdministratorAccess";
static const char DEFAULT_ACCESS_ROLE[] = "OrganizationAccountAccessRole";

/* AWS services that support trusted access with Organizations, and how many delegated
 * administrators each allows (0: none). CloudTrail's 3 is documented; the others follow
 * the services' own guides where known, else 1. */
static const struct trusted_service {
    const char *principal;
    int max_delegated_admins;
} TRUSTED_SERVICES[] = {
    {"access-analyzer.amazonaws.com", 1},
    {"account.amazonaws.com", 1},
    {"auditmanager.amazonaws.com", 1},
    {"aws-artifact-account-sync.amazonaws.com", 0},
    {"backup.amazonaws.com", 1},
    {"cloudtrail.amazonaws.com", 3},
    {"compute-optimizer.amazonaws.com", 1},
    {"config.amazonaws.com", 1},
    {"config-multiaccountsetup.amazonaws.com", 1},
    {"controltower.amazonaws.com", 0},
    {"cost-optimization-hub.bcm.amazonaws.com", 1},
    {"detective.amazonaws.com", 1},
    {"devops-guru.amazonaws.com", 1},
    {"ds.amazonaws.com", 0},
    {"fms.amazonaws.com", 1},
    {"guardduty.amazonaws.com", 1},
    {"health.amazonaws.com", 5},
    {"iam.amazonaws.com", 0},
    {"inspector2.amazonaws.com", 1},
    {"ipam.amazonaws.com", 1},
    {"license-manager.amazonaws.com", 1},
    {"license-manager.member-account.amazonaws.com", 0},
    {"macie.amazonaws.com", 1},
    {"malware-protection.guardduty.amazonaws.com", 0},
    {"member.org.stacksets.cloudformation.amazonaws.com", 5},
    {"ram.amazonaws.com", 0},
    {"reachabilityanalyzer.networkinsights.amazonaws.com", 5},
    {"reporting.trustedadvisor.amazonaws.com", 0},
    {"securityhub.amazonaws.com", 1},
    {"securitylake.amazonaws.com", 1},
    {"servicecatalog.amazonaws.com", 1},
    {"servicequotas.amazonaws.com", 0},
    {"sso.amazonaws.com", 1},
    {"ssm.amazonaws.com", 1},
    {"storage-lens.s3.amazonaws.com", 1},
    {"tagpolicies.tag.amazonaws.com", 0},
    {"wellarchitected.amazonaws.com", 0},
};

static const struct trusted_service *trusted_service(const char *service_principal)
{
    for (size_t i = 0; i < sizeof TRUSTED_SERVICES / sizeof *TRUSTED_SERVICES; i++)
        if (!strcmp(TRUSTED_SERVICES[i].principal, service_principal)) return &TRUSTED_SERVICES[i];
    return NULL;
}

/* ---------------------------------------------------------------------------------------
 * Errors and access */

static int fail_db(call_ctx *c)
{
    return aws_fail(&c->err, 500, "ServiceException", "orgtrail could not update its store: %s",
                    db_errmsg(c->db));
}

static int access_denied(call_ctx *c)
{
    return aws_fail(&c->err, 400, "AccessDeniedException",
                    "You don't have permissions to access this resource.");
}

static int not_in_use(call_ctx *c)
{
    return aws_fail(&c->err, 400, "AWSOrganizationsNotInUseException",
                    "Your account is not a member of an organization.");
}

static int invalid_input(call_ctx *c, const char *reason, const char *msg)
{
    return aws_fail_reason(&c->err, 400, "InvalidInputException", reason, "%s", msg);
}

static int constraint(call_ctx *c, const char *reason, const char *msg)
{
    return aws_fail_reason(&c->err, 400, "ConstraintViolationException", reason, "%s", msg);
}

static int account_not_found(call_ctx *c)
{
    return aws_fail(&c->err, 400, "AccountNotFoundException",
                    "You specified an account that doesn't exist.");
}

static int handshake_not_found(call_ctx *c)
{
    return aws_fail(&c->err, 400, "HandshakeNotFoundException",
                    "We can't find a handshake with the HandshakeId that you specified.");
}

typedef enum caller_need {
    NEED_MEMBER,     /* any account of the organization */
    NEED_READER,     /* the management account or a delegated administrator */
    NEED_MANAGEMENT, /* the management account only */
} caller_need;

static bool is_management(const call_ctx *c, const org_info *o)
{
    return !strcmp(o->master_account, c->caller->account_id);
}

/* Loads the caller's organization and checks the caller may do what `need` says. */
static int org_for_caller(call_ctx *c, org_info *o, caller_need need)
{
    if (!org_of_account(c->db, c->caller->account_id, o)) return not_in_use(c);
    if (need == NEED_MEMBER || is_management(c, o)) return 0;
    if (need == NEED_READER && org_is_any_delegated_admin(c->db, c->caller->account_id)) return 0;
    return access_denied(c);
}

/* ---------------------------------------------------------------------------------------
 * Pagination: handlers build the whole list; one page of it goes out with an opaque
 * NextToken (the operation and the offset), absent on the last page. */

static json_t *token_encode(const char *op, size_t offset)
{
    char text[160];
    int n = snprintf(text, sizeof text, "orgtrail:%s:%zu", op, offset);
    char *b64 = base64_encode_alloc(text, (size_t)n);
    json_t *j = json_string(b64);
    free(b64);
    return j;
}

static bool token_decode(const char *op, const char *token, size_t *offset)
{
    size_t len = 0;
    unsigned char *raw = base64_decode_alloc(token, strlen(token), &len);
    if (!raw) return false;
    char text[160];
    bool ok = len < sizeof text;
    if (ok) {
        memcpy(text, raw, len);
        text[len] = '\0';
        char prefix[128];
        snprintf(prefix, sizeof prefix, "orgtrail:%s:", op);
        size_t pl = strlen(prefix);
        const char *num = text + pl;
        ok = strlen(text) == len && !strncmp(text, prefix, pl) && *num && strlen(num) <= 9 &&
             strspn(num, "0123456789") == strlen(num);
        if (ok) *offset = (size_t)strtoul(num, NULL, 10);
    }
    free(raw);
    return ok;
}

/* Takes `all` (an array, stolen) and sets c->out to {member: page[, NextToken]}. */
static int paginate(call_ctx *c, json_t *all, const char *member)
{
    size_t n = json_array_size(all), start = 0;
    const char *tok = in_str(c, "NextToken");
    if (tok && !token_decode(c->op, tok, &start)) {
        json_decref(all);
        return invalid_input(c, "INVALID_NEXT_TOKEN", "The provided NextToken is not valid.");
    }
    int64_t max = in_int(c, "MaxResults", PAGE_DEFAULT);
    if (max < 1) max = PAGE_DEFAULT;
    if (start > n) start = n;
    size_t end = n - start > (size_t)max ? start + (size_t)max : n;
    json_t *page = json_array();
    for (size_t i = start; i < end; i++)
        json_array_append(page, json_array_get(all, i));
    json_decref(all);
    c->out = json_object();
    json_object_set_new(c->out, member, page);
    if (end < n) json_object_set_new(c->out, "NextToken", token_encode(c->op, end));
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Shapes */

static void set_str(json_t *obj, const char *key, const char *value)
{
    json_object_set_new(obj, key, json_string_safe(value, strlen(value)));
}

/* Column 0 of every row as a JSON array of strings, so that the caller can run other
 * statements while it walks the list. Finishes st. */
static json_t *column_strings(sqlite3_stmt *st)
{
    json_t *arr = json_array();
    while (db_row(st))
        json_array_append_new(arr, json_string_safe(db_text(st, 0), strlen(db_text(st, 0))));
    db_done(st);
    return arr;
}

static json_t *organization_json(const org_info *o)
{
    json_t *j = json_object();
    char arn[160];
    set_str(j, "Id", o->id);
    snprintf(arn, sizeof arn, "arn:aws:organizations::%s:organization/%s", o->master_account,
             o->id);
    set_str(j, "Arn", arn);
    set_str(j, "FeatureSet", o->feature_set);
    snprintf(arn, sizeof arn, "arn:aws:organizations::%s:account/%s/%s", o->master_account, o->id,
             o->master_account);
    set_str(j, "MasterAccountArn", arn);
    set_str(j, "MasterAccountId", o->master_account);
    set_str(j, "MasterAccountEmail", o->master_email);
    /* Deprecated member: the policy types available to the organization. */
    json_t *types = json_array();
    if (!strcmp(o->feature_set, "ALL"))
        json_array_append_new(
            types, json_pack("{s:s, s:s}", "Type", "SERVICE_CONTROL_POLICY", "Status", "ENABLED"));
    json_object_set_new(j, "AvailablePolicyTypes", types);
    return j;
}

static json_t *policy_types_json(db_conn *db, const org_info *o)
{
    json_t *arr = json_array();
    sqlite3_stmt *st = db_query(db,
                                "SELECT type, status FROM org_policy_types WHERE root_id = ? "
                                "ORDER BY type",
                                "s", o->root_id);
    while (db_row(st))
        json_array_append_new(
            arr, json_pack("{s:s, s:s}", "Type", db_text(st, 0), "Status", db_text(st, 1)));
    db_done(st);
    return arr;
}

static json_t *root_json(db_conn *db, const org_info *o)
{
    char arn[160];
    snprintf(arn, sizeof arn, "arn:aws:organizations::%s:root/%s/%s", o->master_account, o->id,
             o->root_id);
    return json_pack("{s:s, s:s, s:s, s:o}", "Id", o->root_id, "Arn", arn, "Name", "Root",
                     "PolicyTypes", policy_types_json(db, o));
}

/* The OUs from the root down to parent_id (inclusive), as "o-x/r-y/ou-a/ou-b/". Returns
 * the depth of parent_id (0 for the root). */
static int parent_path(db_conn *db, const org_info *o, const char *parent_id, buf *out)
{
    char chain[OU_MAX_DEPTH + 2][72];
    int n = 0;
    char cur[72];
    snprintf(cur, sizeof cur, "%s", parent_id);
    while (n < OU_MAX_DEPTH + 2 && !strncmp(cur, "ou-", 3)) {
        snprintf(chain[n++], sizeof chain[0], "%s", cur);
        if (!db_get_text(db, cur, sizeof cur, "SELECT parent_id FROM org_units WHERE id = ?", "s",
                         chain[n - 1]))
            break;
    }
    if (out) {
        buf_printf(out, "%s/%s/", o->id, o->root_id);
        for (int i = n - 1; i >= 0; i--)
            buf_printf(out, "%s/", chain[i]);
    }
    return n;
}

typedef struct account_row {
    char id[13];
    char name[129];
    char email[129];
    char state[24];
    char joined_method[16];
    int64_t joined_ms;
    char parent_id[72];
} account_row;

#define ACCOUNT_COLUMNS "id, name, email, state, joined_method, joined_ms, parent_id"

static void account_from_row(sqlite3_stmt *st, account_row *a)
{
    snprintf(a->id, sizeof a->id, "%s", db_text(st, 0));
    snprintf(a->name, sizeof a->name, "%s", db_text(st, 1));
    snprintf(a->email, sizeof a->email, "%s", db_text(st, 2));
    snprintf(a->state, sizeof a->state, "%s", db_text(st, 3));
    snprintf(a->joined_method, sizeof a->joined_method, "%s", db_text(st, 4));
    a->joined_ms = db_int(st, 5);
    snprintf(a->parent_id, sizeof a->parent_id, "%s", db_text(st, 6));
}

/* 1 when account_id is an account of organization o (the management account included). */
static int account_in_org(db_conn *db, const org_info *o, const char *account_id, account_row *a)
{
    sqlite3_stmt *st =
        db_query(db, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ? AND org_id = ?", "ss",
                 account_id, o->id);
    int found = db_row(st);
    if (found && a) account_from_row(st, a);
    db_done(st);
    return found;
}

static json_t *account_json(db_conn *db, const org_info *o, const account_row *a, bool paths)
{
    json_t *j = json_object();
    char arn[160];
    snprintf(arn, sizeof arn, "arn:aws:organizations::%s:account/%s/%s", o->master_account, o->id,
             a->id);
    set_str(j, "Id", a->id);
    set_str(j, "Arn", arn);
    set_str(j, "Email", a->email);
    set_str(j, "Name", a->name);
    /* Status (being retired) knows no CLOSED or PENDING_ACTIVATION. */
    const char *status = !strcmp(a->state, "PENDING_CLOSURE") ? "PENDING_CLOSURE"
                         : !strcmp(a->state, "ACTIVE")        ? "ACTIVE"
                                                              : "SUSPENDED";
    set_str(j, "Status", status);
    set_str(j, "State", a->state);
    if (paths) {
        buf p = BUF_INIT;
        parent_path(db, o, a->parent_id, &p);
        buf_printf(&p, "%s/", a->id);
        json_object_set_new(j, "Paths", json_pack("[s]", buf_cstr(&p)));
        buf_free(&p);
    }
    set_str(j, "JoinedMethod", a->joined_method);
    json_object_set_new(j, "JoinedTimestamp", json_time(a->joined_ms));
    return j;
}

static json_t *ou_json(db_conn *db, const org_info *o, const char *id, const char *name,
                       const char *parent_id)
{
    json_t *j = json_object();
    char arn[200];
    snprintf(arn, sizeof arn, "arn:aws:organizations::%s:ou/%s/%s", o->master_account, o->id, id);
    set_str(j, "Id", id);
    set_str(j, "Arn", arn);
    set_str(j, "Name", name);
    buf p = BUF_INIT;
    parent_path(db, o, parent_id, &p);
    buf_printf(&p, "%s/", id);
    set_str(j, "Path", buf_cstr(&p));
    buf_free(&p);
    return j;
}

/* 1 with name and parent when the OU exists. */
static int ou_get(db_conn *db, const char *id, char name[129], char parent[72])
{
    sqlite3_stmt *st = db_query(db, "SELECT name, parent_id FROM org_units WHERE id = ?", "s", id);
    int found = db_row(st);
    if (found) {
        if (name) snprintf(name, 129, "%s", db_text(st, 0));
        if (parent) snprintf(parent, 72, "%s", db_text(st, 1));
    }
    db_done(st);
    return found;
}

static bool parent_exists(db_conn *db, const org_info *o, const char *id)
{
    return !strcmp(id, o->root_id) || (!strncmp(id, "ou-", 3) && ou_get(db, id, NULL, NULL));
}

static void lowercase_copy(char *out, size_t n, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    out[i] = '\0';
}

typedef struct policy_row {
    char id[136];
    char name[129];
    char description[513];
    char type[48];
    bool aws_managed;
    char *content; /* owned: free with policy_row_clear */
} policy_row;

static void policy_row_clear(policy_row *p)
{
    free(p->content);
    p->content = NULL;
}

#define POLICY_COLUMNS "id, name, description, type, aws_managed, content"

static void policy_from_row(sqlite3_stmt *st, policy_row *p, bool with_content)
{
    snprintf(p->id, sizeof p->id, "%s", db_text(st, 0));
    snprintf(p->name, sizeof p->name, "%s", db_text(st, 1));
    snprintf(p->description, sizeof p->description, "%s", db_text(st, 2));
    snprintf(p->type, sizeof p->type, "%s", db_text(st, 3));
    p->aws_managed = db_int(st, 4) != 0;
    p->content = NULL;
    if (with_content) {
        p->content = strdup(db_text(st, 5));
        if (!p->content) abort();
    }
}

/* 1 with *p filled (content included; clear it) when the policy exists. */
static int policy_get(db_conn *db, const char *id, policy_row *p)
{
    sqlite3_stmt *st =
        db_query(db, "SELECT " POLICY_COLUMNS " FROM org_policies WHERE id = ?", "s", id);
    int found = db_row(st);
    if (found) policy_from_row(st, p, true);
    db_done(st);
    return found;
}

static json_t *policy_summary_json(const org_info *o, const policy_row *p)
{
    char arn[320], type[48];
    lowercase_copy(type, sizeof type, p->type);
    if (p->aws_managed)
        snprintf(arn, sizeof arn, "arn:aws:organizations::aws:policy/%s/%s", type, p->id);
    else
        snprintf(arn, sizeof arn, "arn:aws:organizations::%s:policy/%s/%s/%s", o->master_account,
                 o->id, type, p->id);
    json_t *j = json_object();
    set_str(j, "Id", p->id);
    set_str(j, "Arn", arn);
    set_str(j, "Name", p->name);
    set_str(j, "Description", p->description);
    set_str(j, "Type", p->type);
    json_object_set_new(j, "AwsManaged", json_boolean(p->aws_managed));
    return j;
}

static json_t *policy_json(const org_info *o, const policy_row *p)
{
    json_t *j = json_object();
    json_object_set_new(j, "PolicySummary", policy_summary_json(o, p));
    set_str(j, "Content", p->content ? p->content : "");
    return j;
}

/* ---------------------------------------------------------------------------------------
 * Tags (accounts, OUs, the root, policies; an invitation's tags wait under the
 * handshake id until the account joins) */

static int check_tags(call_ctx *c, const char *resource_id, const json_t *tags)
{
    size_t i, k;
    json_t *t;
    size_t added = 0;
    json_array_foreach(tags, i, t)
    {
        const char *key = json_string_value(json_object_get(t, "Key"));
        if (!key) return invalid_input(c, "INPUT_REQUIRED", "A tag needs a Key.");
        if (!strncasecmp(key, "aws:", 4))
            return invalid_input(c, "INVALID_SYSTEM_TAGS_PARAMETER",
                                 "You can't add tags whose keys start with aws:; they are "
                                 "reserved for AWS use.");
        for (k = 0; k < i; k++)
            if (!strcmp(key, json_string_value(json_object_get(json_array_get(tags, k), "Key"))))
                return invalid_input(c, "DUPLICATE_TAG_KEY",
                                     "Tag keys must be unique among the tags attached to the "
                                     "same entity.");
        int64_t exists = 0;
        if (resource_id)
            db_get_int(c->db, &exists,
                       "SELECT COUNT(*) FROM org_tags WHERE resource_id = ? AND key = ?", "ss",
                       resource_id, key);
        if (!exists) added++;
    }
    int64_t have = 0;
    if (resource_id)
        db_get_int(c->db, &have, "SELECT COUNT(*) FROM org_tags WHERE resource_id = ?", "s",
                   resource_id);
    if ((size_t)have + added > MAX_TAGS_PER_RESOURCE)
        return constraint(c, "MAX_TAG_LIMIT_EXCEEDED",
                          "You have exceeded the number of tags allowed on this resource.");
    return 0;
}

static int put_tags(call_ctx *c, const char *resource_id, const json_t *tags)
{
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *value = json_string_value(json_object_get(t, "Value"));
        if (db_exec(c->db,
                    "INSERT OR REPLACE INTO org_tags(resource_id, key, value) VALUES(?, ?, ?)",
                    "sss", resource_id, json_string_value(json_object_get(t, "Key")),
                    value ? value : ""))
            return fail_db(c);
    }
    return 0;
}

static int drop_tags(call_ctx *c, const char *resource_id)
{
    if (db_exec(c->db, "DELETE FROM org_tags WHERE resource_id = ?", "s", resource_id))
        return fail_db(c);
    return 0;
}

/* What an id names in the organization: 'a'ccount, 'o'u, 'r'oot, 'p'olicy, or 0. */
static char resolve_target(db_conn *db, const org_info *o, const char *id)
{
    if (!strcmp(id, o->root_id)) return 'r';
    if (!strncmp(id, "ou-", 3)) return ou_get(db, id, NULL, NULL) ? 'o' : 0;
    if (!strncmp(id, "p-", 2)) {
        int64_t n = 0;
        db_get_int(db, &n, "SELECT COUNT(*) FROM org_policies WHERE id = ?", "s", id);
        return n ? 'p' : 0;
    }
    if (strlen(id) == 12 && account_in_org(db, o, id, NULL)) return 'a';
    return 0;
}

static int target_not_found(call_ctx *c)
{
    return aws_fail(&c->err, 400, "TargetNotFoundException",
                    "We can't find a root, OU, account, or policy with the TargetId that you "
                    "specified.");
}

static int tag_resource(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "ResourceId");
    char kind = resolve_target(c->db, &o, id);
    if (!kind) return target_not_found(c);
    if (kind == 'p' && !strcmp(id, FULL_ACCESS_ID))
        return invalid_input(c, "IMMUTABLE_POLICY",
                             "You specified a policy that is managed by AWS and can't be "
                             "modified.");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (check_tags(c, id, tags) || put_tags(c, id, tags)) return -1;
    return 0;
}

static int untag_resource(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "ResourceId");
    if (!resolve_target(c->db, &o, id)) return target_not_found(c);
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(c->in, "TagKeys"), i, k)
    {
        if (db_exec(c->db, "DELETE FROM org_tags WHERE resource_id = ? AND key = ?", "ss", id,
                    json_string_value(k)))
            return fail_db(c);
    }
    return 0;
}

static json_t *tags_json(db_conn *db, const char *resource_id)
{
    json_t *arr = json_array();
    sqlite3_stmt *st = db_query(
        db, "SELECT key, value FROM org_tags WHERE resource_id = ? ORDER BY key", "s", resource_id);
    while (db_row(st)) {
        json_t *t = json_object();
        set_str(t, "Key", db_text(st, 0));
        set_str(t, "Value", db_text(st, 1));
        json_array_append_new(arr, t);
    }
    db_done(st);
    return arr;
}

static int list_tags_for_resource(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    const char *id = in_str(c, "ResourceId");
    if (!resolve_target(c->db, &o, id)) return target_not_found(c);
    return paginate(c, tags_json(c->db, id), "Tags");
}

/* ---------------------------------------------------------------------------------------
 * Policy attachments */

static bool policy_type_enabled(db_conn *db, const org_info *o, const char *type)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM org_policy_types WHERE root_id = ? AND type = ? AND "
               "status = 'ENABLED'",
               "ss", o->root_id, type);
    return n > 0;
}

/* New roots, OUs and accounts start with FullAWSAccess while SCPs are enabled. */
static int attach_default_scp(call_ctx *c, const org_info *o, const char *target)
{
    if (!policy_type_enabled(c->db, o, "SERVICE_CONTROL_POLICY")) return 0;
    if (db_exec(c->db,
                "INSERT OR IGNORE INTO org_policy_attachments(policy_id, target_id) VALUES(?, ?)",
                "ss", FULL_ACCESS_ID, target))
        return fail_db(c);
    return 0;
}

static int ensure_full_access_policy(call_ctx *c)
{
    if (db_exec(c->db,
                "INSERT OR IGNORE INTO org_policies(id, name, description, type, content, "
                "aws_managed) VALUES(?, 'FullAWSAccess', 'Allows access to every operation', "
                "'SERVICE_CONTROL_POLICY', ?, 1)",
                "ss", FULL_ACCESS_ID, FULL_ACCESS_CONTENT))
        return fail_db(c);
    return 0;
}

static int64_t attached_of_type(db_conn *db, const char *target, const char *type)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM org_policy_attachments a JOIN org_policies p ON "
               "p.id = a.policy_id WHERE a.target_id = ? AND p.type = ?",
               "ss", target, type);
    return n;
}

static int drop_attachments(call_ctx *c, const char *target)
{
    if (db_exec(c->db, "DELETE FROM org_policy_attachments WHERE target_id = ?", "s", target))
        return fail_db(c);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Handshakes */

typedef struct handshake {
    char id[40];
    char action[32];
    char state[16];
    char recipient[13]; /* the account that must accept it */
    char *parties;      /* owned JSON text */
    char *resources;    /* owned JSON text */
    int64_t requested_ms, expiration_ms;
} handshake;

#define HANDSHAKE_COLUMNS                                                                          \
    "id, action, state, account_id, parties, resources, requested_ms, expiration_ms"

static void handshake_clear(handshake *h)
{
    free(h->parties);
    free(h->resources);
    h->parties = h->resources = NULL;
}

static void handshake_from_row(sqlite3_stmt *st, handshake *h)
{
    snprintf(h->id, sizeof h->id, "%s", db_text(st, 0));
    snprintf(h->action, sizeof h->action, "%s", db_text(st, 1));
    snprintf(h->state, sizeof h->state, "%s", db_text(st, 2));
    snprintf(h->recipient, sizeof h->recipient, "%s", db_text(st, 3));
    h->parties = strdup(db_text(st, 4));
    h->resources = strdup(db_text(st, 5));
    if (!h->parties || !h->resources) abort();
    h->requested_ms = db_int(st, 6);
    h->expiration_ms = db_int(st, 7);
}

static int handshake_get(db_conn *db, const char *id, handshake *h)
{
    sqlite3_stmt *st =
        db_query(db, "SELECT " HANDSHAKE_COLUMNS " FROM org_handshakes WHERE id = ?", "s", id);
    int found = db_row(st);
    if (found) handshake_from_row(st, h);
    db_done(st);
    return found;
}

/* Open handshakes expire by the clock, without anyone writing it down. */
static const char *handshake_state(const handshake *h, int64_t now_ms)
{
    bool open = !strcmp(h->state, "OPEN") || !strcmp(h->state, "REQUESTED");
    return open && now_ms >= h->expiration_ms ? "EXPIRED" : h->state;
}

static bool handshake_open(const handshake *h, int64_t now_ms)
{
    const char *s = handshake_state(h, now_ms);
    return !strcmp(s, "OPEN") || !strcmp(s, "REQUESTED");
}

static json_t *handshake_json(const org_info *o, const handshake *h, int64_t now_ms)
{
    char action[32], arn[256];
    lowercase_copy(action, sizeof action, h->action);
    snprintf(arn, sizeof arn, "arn:aws:organizations::%s:handshake/%s/%s/%s", o->master_account,
             o->id, action, h->id);
    json_t *j = json_object();
    set_str(j, "Id", h->id);
    set_str(j, "Arn", arn);
    json_t *parties = json_loads(h->parties, 0, NULL);
    json_object_set_new(j, "Parties", parties ? parties : json_array());
    set_str(j, "State", handshake_state(h, now_ms));
    json_object_set_new(j, "RequestedTimestamp", json_time(h->requested_ms));
    json_object_set_new(j, "ExpirationTimestamp", json_time(h->expiration_ms));
    set_str(j, "Action", h->action);
    json_t *resources = json_loads(h->resources, 0, NULL);
    json_object_set_new(j, "Resources", resources ? resources : json_array());
    return j;
}

/* The PARENT_HANDSHAKE resource of an APPROVE_ALL_FEATURES handshake, or "". */
static void handshake_parent(const handshake *h, char out[40])
{
    out[0] = '\0';
    json_t *res = json_loads(h->resources, 0, NULL);
    size_t i;
    json_t *r;
    json_array_foreach(res, i, r)
    {
        const char *type = json_string_value(json_object_get(r, "Type"));
        const char *value = json_string_value(json_object_get(r, "Value"));
        if (type && value && !strcmp(type, "PARENT_HANDSHAKE")) snprintf(out, 40, "%s", value);
    }
    json_decref(res);
}

static json_t *party(const char *id, const char *type)
{
    return json_pack("{s:s, s:s}", "Id", id, "Type", type);
}

static json_t *resource(const char *type, const char *value)
{
    json_t *r = json_object();
    set_str(r, "Value", value);
    set_str(r, "Type", type);
    return r;
}

/* Stores a new handshake (parties and resources stolen) and fills *h. */
static int handshake_create(call_ctx *c, const char *action, const char *state,
                            const char *recipient, json_t *parties, json_t *resources,
                            int64_t ttl_ms, handshake *h)
{
    memset(h, 0, sizeof *h);
    char suffix[16];
    ids_from_alphabet(suffix, 10, IDS_LOWER_ALNUM);
    snprintf(h->id, sizeof h->id, "h-%s", suffix);
    snprintf(h->action, sizeof h->action, "%s", action);
    snprintf(h->state, sizeof h->state, "%s", state);
    snprintf(h->recipient, sizeof h->recipient, "%s", recipient);
    h->parties = json_dumps(parties, JSON_COMPACT);
    h->resources = json_dumps(resources, JSON_COMPACT);
    json_decref(parties);
    json_decref(resources);
    if (!h->parties || !h->resources) abort();
    h->requested_ms = c->now_ms;
    h->expiration_ms = c->now_ms + ttl_ms;
    if (db_exec(c->db,
                "INSERT INTO org_handshakes(id, action, state, account_id, parties, resources, "
                "requested_ms, expiration_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                "ssssssii", h->id, h->action, h->state, h->recipient, h->parties, h->resources,
                h->requested_ms, h->expiration_ms))
        return fail_db(c);
    return 0;
}

static int handshake_set_state(call_ctx *c, handshake *h, const char *state)
{
    if (db_exec(c->db, "UPDATE org_handshakes SET state = ? WHERE id = ?", "ss", state, h->id))
        return fail_db(c);
    snprintf(h->state, sizeof h->state, "%s", state);
    return 0;
}

/* The pending ENABLE_ALL_FEATURES handshake, if any: 1 with *h (clear it). */
static int pending_all_features(call_ctx *c, handshake *h)
{
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT " HANDSHAKE_COLUMNS " FROM org_handshakes WHERE action = "
                                "'ENABLE_ALL_FEATURES' AND state IN ('OPEN', 'REQUESTED')",
                                "");
    int found = 0;
    while (!found && db_row(st)) {
        handshake_from_row(st, h);
        if (handshake_open(h, c->now_ms))
            found = 1;
        else
            handshake_clear(h);
    }
    db_done(st);
    return found;
}

/* The ENABLE_ALL_FEATURES handshake is OPEN (ready to finalize) once every invited
 * account still in the organization has accepted its APPROVE_ALL_FEATURES handshake. */
static int reevaluate_all_features(call_ctx *c, const org_info *o)
{
    handshake parent;
    if (!pending_all_features(c, &parent)) return 0;
    bool waiting = false;
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT " HANDSHAKE_COLUMNS " FROM org_handshakes WHERE action = "
                                "'APPROVE_ALL_FEATURES'",
                                "");
    while (db_row(st)) {
        handshake h;
        handshake_from_row(st, &h);
        char p[40];
        handshake_parent(&h, p);
        if (!strcmp(p, parent.id) && strcmp(h.state, "ACCEPTED") &&
            account_in_org(c->db, o, h.recipient, NULL))
            waiting = true;
        handshake_clear(&h);
    }
    db_done(st);
    int rc = handshake_set_state(c, &parent, waiting ? "REQUESTED" : "OPEN");
    handshake_clear(&parent);
    return rc;
}

/* Ends the open APPROVE_ALL_FEATURES handshakes of a migration (or of one account). */
static int cancel_approvals(call_ctx *c, const char *parent_id, const char *account_id)
{
    json_t *ids = json_array();
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT " HANDSHAKE_COLUMNS " FROM org_handshakes WHERE action = "
                                "'APPROVE_ALL_FEATURES' AND state IN ('OPEN', 'REQUESTED')",
                                "");
    while (db_row(st)) {
        handshake h;
        handshake_from_row(st, &h);
        char p[40];
        handshake_parent(&h, p);
        if ((!parent_id || !strcmp(p, parent_id)) &&
            (!account_id || !strcmp(h.recipient, account_id)))
            json_array_append_new(ids, json_string(h.id));
        handshake_clear(&h);
    }
    db_done(st);
    int rc = 0;
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        if (!rc && db_exec(c->db, "UPDATE org_handshakes SET state = 'CANCELED' WHERE id = ?", "s",
                           json_string_value(id)))
            rc = fail_db(c);
    }
    json_decref(ids);
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Membership */

/* The account enters organization o under the root. */
static int join_org(call_ctx *c, const org_info *o, const char *account_id, const char *method)
{
    if (db_exec(c->db,
                "UPDATE accounts SET org_id = ?, parent_id = ?, joined_method = ?, joined_ms = ? "
                "WHERE id = ?",
                "sssis", o->id, o->root_id, method, c->now_ms, account_id))
        return fail_db(c);
    if (org_account_joined(c->db, account_id, c->now_ms, &c->err)) return -1;
    return attach_default_scp(c, o, account_id);
}

/* The account becomes standalone: it keeps its roles (so that it can be invited back)
 * and loses its tags, policy attachments and open approval requests. */
static int leave_org(call_ctx *c, const org_info *o, const char *account_id)
{
    if (db_exec(c->db,
                "UPDATE accounts SET org_id = NULL, parent_id = NULL, joined_method = NULL, "
                "joined_ms = NULL WHERE id = ?",
                "s", account_id))
        return fail_db(c);
    if (drop_attachments(c, account_id) || drop_tags(c, account_id) ||
        cancel_approvals(c, NULL, account_id) || org_account_left(c->db, account_id, &c->err) ||
        reevaluate_all_features(c, o))
        return -1;
    return 0;
}

static int refuse_delegated_admin_leaving(call_ctx *c, const char *account_id)
{
    if (org_is_any_delegated_admin(c->db, account_id))
        return constraint(c, "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
                          "You can't remove an account that is a delegated administrator. "
                          "Deregister it as a delegated administrator first.");
    return 0;
}

static int master_cannot_leave(call_ctx *c)
{
    return aws_fail(&c->err, 400, "MasterCannotLeaveOrganizationException",
                    "You can't remove the management account from an organization. You must "
                    "delete the organization instead.");
}

/* ---------------------------------------------------------------------------------------
 * The organization */

static int create_organization(call_ctx *c)
{
    const char *feature_set = in_str(c, "FeatureSet");
    if (!feature_set) feature_set = "ALL";
    const char *me = c->caller->account_id;
    org_info o;
    if (org_of_account(c->db, me, &o))
        return aws_fail(&c->err, 400, "AlreadyInOrganizationException",
                        "The provided account is already a member of an organization.");
    if (org_get(c->db, &o))
        return aws_fail(&c->err, 400, "AccessDeniedException",
                        "orgtrail serves one organization per store, and organization %s "
                        "already exists.",
                        o.id);
    char email[sizeof o.master_email];
    if (!db_get_text(c->db, email, sizeof email, "SELECT email FROM accounts WHERE id = ?", "s",
                     me))
        return aws_fail(&c->err, 500, "ServiceException", "The calling account is not known.");

    memset(&o, 0, sizeof o);
    char suffix[16];
    ids_from_alphabet(suffix, 10, IDS_LOWER_ALNUM);
    snprintf(o.id, sizeof o.id, "o-%s", suffix);
    ids_from_alphabet(suffix, 4, IDS_LOWER_ALNUM);
    snprintf(o.root_id, sizeof o.root_id, "r-%s", suffix);
    snprintf(o.feature_set, sizeof o.feature_set, "%s", feature_set);
    snprintf(o.master_account, sizeof o.master_account, "%s", me);
    snprintf(o.master_email, sizeof o.master_email, "%s", email);
    o.created_ms = c->now_ms;
    if (db_exec(c->db,
                "INSERT INTO organization(id, feature_set, master_account_id, master_email, "
                "root_id, created_ms) VALUES(?, ?, ?, ?, ?, ?)",
                "sssssi", o.id, o.feature_set, o.master_account, o.master_email, o.root_id,
                o.created_ms))
        return fail_db(c);
    /* The management account shows as INVITED, as AWS lists it. */
    if (!strcmp(o.feature_set, "ALL") && ensure_full_access_policy(c)) return -1;
    if (join_org(c, &o, me, "INVITED")) return -1;
    /* AWS creates Organizations' service-linked role in the management account whatever
     * the feature set. */
    if (iam_ensure_slr(c->db, me, "organizations.amazonaws.com", c->now_ms, &c->err)) return -1;
    c->out = json_pack("{s:o}", "Organization", organization_json(&o));
    return 0;
}

static int describe_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MEMBER)) return -1;
    c->out = json_pack("{s:o}", "Organization", organization_json(&o));
    return 0;
}

static int delete_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    int64_t members = 0;
    db_get_int(c->db, &members, "SELECT COUNT(*) FROM accounts WHERE org_id = ? AND id <> ?", "ss",
               o.id, o.master_account);
    if (members)
        return aws_fail(&c->err, 400, "OrganizationNotEmptyException",
                        "To delete an organization you must first remove all member accounts "
                        "(except the management account).");
    if (db_exec(c->db, "DELETE FROM org_policy_attachments", "") ||
        db_exec(c->db, "DELETE FROM org_policies", "") ||
        db_exec(c->db, "DELETE FROM org_policy_types", "") ||
        db_exec(c->db, "DELETE FROM org_units", "") ||
        db_exec(c->db, "DELETE FROM org_service_access", "") ||
        db_exec(c->db, "DELETE FROM org_delegated_admins", "") ||
        db_exec(c->db, "DELETE FROM org_create_account_status", "") ||
        db_exec(c->db, "DELETE FROM org_handshakes", "") ||
        db_exec(c->db, "DELETE FROM org_tags", "") ||
        db_exec(c->db,
                "UPDATE accounts SET org_id = NULL, parent_id = NULL, joined_method = NULL, "
                "joined_ms = NULL WHERE org_id = ?",
                "s", o.id) ||
        db_exec(c->db, "DELETE FROM organization WHERE id = ?", "s", o.id))
        return fail_db(c);
    return 0;
}

static int list_roots(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    json_t *all = json_array();
    json_array_append_new(all, root_json(c->db, &o));
    return paginate(c, all, "Roots");
}

/* ---------------------------------------------------------------------------------------
 * Accounts */

static json_t *create_status_json(sqlite3_stmt *st)
{
    /* columns: id, account_name, state, requested_ms, completed_ms, account_id, failure */
    json_t *j = json_object();
    set_str(j, "Id", db_text(st, 0));
    set_str(j, "AccountName", db_text(st, 1));
    set_str(j, "State", db_text(st, 2));
    json_object_set_new(j, "RequestedTimestamp", json_time(db_int(st, 3)));
    if (!db_is_null(st, 4)) json_object_set_new(j, "CompletedTimestamp", json_time(db_int(st, 4)));
    if (!db_is_null(st, 5)) set_str(j, "AccountId", db_text(st, 5));
    if (!db_is_null(st, 6)) set_str(j, "FailureReason", db_text(st, 6));
    return j;
}

static void new_account_id(db_conn *db, char id[13])
{
    do {
        ids_from_alphabet(id, 12, IDS_DIGITS);
    } while (id[0] == '0' || account_exists(db, id));
}

/* The member account AWS sets up behind CreateAccount. */
static int provision_account(call_ctx *c, const org_info *o, const char *account_id,
                             const char *name, const char *email, const char *role_name)
{
    if (db_exec(c->db,
                "INSERT INTO accounts(id, name, email, state, created_ms) VALUES(?, ?, ?, "
                "'ACTIVE', ?)",
                "sssi", account_id, name, email, c->now_ms))
        return fail_db(c);
    char *trust = iam_trust_account_root_alloc(o->master_account);
    char role_id[32];
    int rc = iam_role_create(c->db, account_id, role_name, "/", trust, NULL, 3600, NULL, c->now_ms,
                             role_id, &c->err);
    free(trust);
    if (rc) return -1;
    if (db_exec(c->db,
                "INSERT INTO iam_role_attached(account_id, role_name, policy_arn) VALUES(?, ?, ?)",
                "sss", account_id, role_name, ADMIN_POLICY_ARN))
        return fail_db(c);
    return join_org(c, o, account_id, "CREATED");
}

static int create_account(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *email = in_str(c, "Email");
    const char *name = in_str(c, "AccountName");
    const char *role = in_str(c, "RoleName");
    if (!role) role = DEFAULT_ACCESS_ROLE;
    if (!strncasecmp(role, "AWSServiceRoleFor", 17))
        return invalid_input(c, "INVALID_ROLE_NAME",
                             "You provided a role name that isn't valid. A role name can't "
                             "begin with the reserved prefix 'AWSServiceRoleFor'.");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (tags && check_tags(c, NULL, tags)) return -1;

    char suffix[16], request_id[24];
    ids_from_alphabet(suffix, 8, IDS_LOWER_ALNUM);
    snprintf(request_id, sizeof request_id, "car-%s", suffix);
    int64_t taken = 0;
    db_get_int(c->db, &taken, "SELECT COUNT(*) FROM accounts WHERE lower(email) = lower(?)", "s",
               email);
    if (taken) {
        if (db_exec(c->db,
                    "INSERT INTO org_create_account_status(id, account_name, state, requested_ms, "
                    "completed_ms, failure_reason) VALUES(?, ?, 'FAILED', ?, ?, "
                    "'EMAIL_ALREADY_EXISTS')",
                    "ssii", request_id, name, c->now_ms, c->now_ms))
            return fail_db(c);
    } else {
        char account_id[13];
        new_account_id(c->db, account_id);
        if (provision_account(c, &o, account_id, name, email, role)) return -1;
        if (tags && put_tags(c, account_id, tags)) return -1;
        if (db_exec(c->db,
                    "INSERT INTO org_create_account_status(id, account_name, state, requested_ms, "
                    "completed_ms, account_id) VALUES(?, ?, 'SUCCEEDED', ?, ?, ?)",
                    "ssiis", request_id, name, c->now_ms, c->now_ms, account_id))
            return fail_db(c);
    }
    /* AWS answers before the account exists; clients poll DescribeCreateAccountStatus. */
    json_t *st = json_object();
    set_str(st, "Id", request_id);
    set_str(st, "AccountName", name);
    set_str(st, "State", "IN_PROGRESS");
    json_object_set_new(st, "RequestedTimestamp", json_time(c->now_ms));
    c->out = json_pack("{s:o}", "CreateAccountStatus", st);
    return 0;
}

static int describe_create_account_status(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT id, account_name, state, requested_ms, completed_ms, "
                                "account_id, failure_reason FROM org_create_account_status "
                                "WHERE id = ?",
                                "s", in_str(c, "CreateAccountRequestId"));
    if (db_row(st)) c->out = json_pack("{s:o}", "CreateAccountStatus", create_status_json(st));
    db_done(st);
    if (!c->out)
        return aws_fail(&c->err, 400, "CreateAccountStatusNotFoundException",
                        "We can't find a create account request with the "
                        "CreateAccountRequestId that you specified.");
    return 0;
}

static bool state_wanted(const json_t *states, const char *state)
{
    if (!json_array_size(states)) return true;
    size_t i;
    json_t *s;
    json_array_foreach(states, i, s) if (!strcmp(json_string_value(s), state)) return true;
    return false;
}

static int list_create_account_status(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    const json_t *states = json_object_get(c->in, "States");
    json_t *all = json_array();
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT id, account_name, state, requested_ms, completed_ms, "
                                "account_id, failure_reason FROM org_create_account_status "
                                "ORDER BY requested_ms, id",
                                "");
    while (db_row(st))
        if (state_wanted(states, db_text(st, 2)))
            json_array_append_new(all, create_status_json(st));
    db_done(st);
    return paginate(c, all, "CreateAccountStatuses");
}

static json_t *accounts_json(db_conn *db, const org_info *o, const char *parent_id)
{
    json_t *all = json_array();
    sqlite3_stmt *st =
        parent_id ? db_query(db,
                             "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE org_id = ? AND "
                             "parent_id = ? ORDER BY joined_ms, id",
                             "ss", o->id, parent_id)
                  : db_query(db,
                             "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE org_id = ? "
                             "ORDER BY joined_ms, id",
                             "s", o->id);
    while (db_row(st)) {
        account_row a;
        account_from_row(st, &a);
        json_array_append_new(all, account_json(db, o, &a, true));
    }
    db_done(st);
    return all;
}

static int list_accounts(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    return paginate(c, accounts_json(c->db, &o, NULL), "Accounts");
}

static int parent_not_found(call_ctx *c)
{
    return aws_fail(&c->err, 400, "ParentNotFoundException",
                    "We can't find a root or OU with the ParentId that you specified.");
}

static int list_accounts_for_parent(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    const char *parent = in_str(c, "ParentId");
    if (!parent_exists(c->db, &o, parent)) return parent_not_found(c);
    return paginate(c, accounts_json(c->db, &o, parent), "Accounts");
}

static int describe_account(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    account_row a;
    if (!account_in_org(c->db, &o, in_str(c, "AccountId"), &a)) return account_not_found(c);
    c->out = json_pack("{s:o}", "Account", account_json(c->db, &o, &a, true));
    return 0;
}

static int remove_account_from_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "AccountId");
    if (!strcmp(id, o.master_account)) return master_cannot_leave(c);
    if (!account_in_org(c->db, &o, id, NULL)) return account_not_found(c);
    if (refuse_delegated_admin_leaving(c, id)) return -1;
    return leave_org(c, &o, id);
}

static int leave_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MEMBER)) return -1;
    if (is_management(c, &o)) return master_cannot_leave(c);
    if (refuse_delegated_admin_leaving(c, c->caller->account_id)) return -1;
    return leave_org(c, &o, c->caller->account_id);
}

static int move_account(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "AccountId");
    const char *src = in_str(c, "SourceParentId");
    const char *dst = in_str(c, "DestinationParentId");
    account_row a;
    if (!account_in_org(c->db, &o, id, &a)) return account_not_found(c);
    if (!parent_exists(c->db, &o, src))
        return aws_fail(&c->err, 400, "SourceParentNotFoundException",
                        "We can't find a source root or OU with the ParentId that you "
                        "specified.");
    if (!parent_exists(c->db, &o, dst))
        return aws_fail(&c->err, 400, "DestinationParentNotFoundException",
                        "We can't find a destination root or OU with the ParentId that you "
                        "specified.");
    if (strcmp(a.parent_id, src))
        return aws_fail(&c->err, 400, "AccountNotFoundException",
                        "The account %s is not in the source parent %s.", id, src);
    if (!strcmp(a.parent_id, dst))
        return aws_fail(&c->err, 400, "DuplicateAccountException",
                        "That account is already present in the specified destination.");
    if (db_exec(c->db, "UPDATE accounts SET parent_id = ? WHERE id = ?", "ss", dst, id))
        return fail_db(c);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Organizational units */

static int ou_not_found(call_ctx *c)
{
    return aws_fail(&c->err, 400, "OrganizationalUnitNotFoundException",
                    "We can't find an OU with the OrganizationalUnitId that you specified.");
}

static int duplicate_ou(call_ctx *c)
{
    return aws_fail(&c->err, 400, "DuplicateOrganizationalUnitException",
                    "An OU with the same name already exists.");
}

static bool ou_name_taken(db_conn *db, const char *parent, const char *name, const char *except)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM org_units WHERE parent_id = ? AND name = ? AND id <> ?", "sss",
               parent, name, except ? except : "");
    return n > 0;
}

static int create_organizational_unit(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *parent = in_str(c, "ParentId");
    const char *name = in_str(c, "Name");
    if (!parent_exists(c->db, &o, parent)) return parent_not_found(c);
    if (parent_path(c->db, &o, parent, NULL) >= OU_MAX_DEPTH)
        return constraint(c, "OU_DEPTH_LIMIT_EXCEEDED",
                          "You attempted to create an OU tree that is too many levels deep.");
    if (ou_name_taken(c->db, parent, name, NULL)) return duplicate_ou(c);
    const json_t *tags = json_object_get(c->in, "Tags");
    if (tags && check_tags(c, NULL, tags)) return -1;
    char suffix[16], id[72];
    ids_from_alphabet(suffix, 8, IDS_LOWER_ALNUM);
    snprintf(id, sizeof id, "ou-%s-%s", o.root_id + 2, suffix);
    if (db_exec(c->db, "INSERT INTO org_units(id, parent_id, name, created_ms) VALUES(?, ?, ?, ?)",
                "sssi", id, parent, name, c->now_ms))
        return fail_db(c);
    if ((tags && put_tags(c, id, tags)) || attach_default_scp(c, &o, id)) return -1;
    c->out = json_pack("{s:o}", "OrganizationalUnit", ou_json(c->db, &o, id, name, parent));
    return 0;
}

static int describe_organizational_unit(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    const char *id = in_str(c, "OrganizationalUnitId");
    char name[129], parent[72];
    if (!ou_get(c->db, id, name, parent)) return ou_not_found(c);
    c->out = json_pack("{s:o}", "OrganizationalUnit", ou_json(c->db, &o, id, name, parent));
    return 0;
}

static int update_organizational_unit(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "OrganizationalUnitId");
    const char *new_name = in_str(c, "Name");
    char name[129], parent[72];
    if (!ou_get(c->db, id, name, parent)) return ou_not_found(c);
    if (new_name) {
        if (ou_name_taken(c->db, parent, new_name, id)) return duplicate_ou(c);
        if (db_exec(c->db, "UPDATE org_units SET name = ? WHERE id = ?", "ss", new_name, id))
            return fail_db(c);
        snprintf(name, sizeof name, "%s", new_name);
    }
    c->out = json_pack("{s:o}", "OrganizationalUnit", ou_json(c->db, &o, id, name, parent));
    return 0;
}

static int delete_organizational_unit(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "OrganizationalUnitId");
    if (!ou_get(c->db, id, NULL, NULL)) return ou_not_found(c);
    int64_t children = 0, accounts = 0;
    db_get_int(c->db, &children, "SELECT COUNT(*) FROM org_units WHERE parent_id = ?", "s", id);
    db_get_int(c->db, &accounts, "SELECT COUNT(*) FROM accounts WHERE parent_id = ?", "s", id);
    if (children || accounts)
        return aws_fail(&c->err, 400, "OrganizationalUnitNotEmptyException",
                        "The specified OU is not empty. Move all accounts to another root or to "
                        "other OUs, remove all child OUs, and try the operation again.");
    if (db_exec(c->db, "DELETE FROM org_units WHERE id = ?", "s", id)) return fail_db(c);
    return drop_attachments(c, id) || drop_tags(c, id) ? -1 : 0;
}

static json_t *ous_json(db_conn *db, const org_info *o, const char *parent)
{
    json_t *all = json_array();
    sqlite3_stmt *st = db_query(db,
                                "SELECT id, name FROM org_units WHERE parent_id = ? ORDER BY "
                                "created_ms, id",
                                "s", parent);
    while (db_row(st)) {
        char id[72], name[129];
        snprintf(id, sizeof id, "%s", db_text(st, 0));
        snprintf(name, sizeof name, "%s", db_text(st, 1));
        json_array_append_new(all, ou_json(db, o, id, name, parent));
    }
    db_done(st);
    return all;
}

static int list_organizational_units_for_parent(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    const char *parent = in_str(c, "ParentId");
    if (!parent_exists(c->db, &o, parent)) return parent_not_found(c);
    return paginate(c, ous_json(c->db, &o, parent), "OrganizationalUnits");
}

static int list_children(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    const char *parent = in_str(c, "ParentId");
    const char *type = in_str(c, "ChildType");
    if (!parent_exists(c->db, &o, parent)) return parent_not_found(c);
    json_t *all = json_array();
    sqlite3_stmt *st =
        !strcmp(type, "ACCOUNT")
            ? db_query(c->db,
                       "SELECT id FROM accounts WHERE org_id = ? AND parent_id = ? ORDER BY "
                       "joined_ms, id",
                       "ss", o.id, parent)
            : db_query(c->db,
                       "SELECT id FROM org_units WHERE parent_id = ? ORDER BY created_ms, id", "s",
                       parent);
    while (db_row(st))
        json_array_append_new(all, json_pack("{s:s, s:s}", "Id", db_text(st, 0), "Type", type));
    db_done(st);
    return paginate(c, all, "Children");
}

static int list_parents(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    const char *child = in_str(c, "ChildId");
    char parent[72] = "";
    account_row a;
    if (!strncmp(child, "ou-", 3)) {
        if (!ou_get(c->db, child, NULL, parent)) parent[0] = '\0';
    } else if (account_in_org(c->db, &o, child, &a)) {
        snprintf(parent, sizeof parent, "%s", a.parent_id);
    }
    if (!parent[0])
        return aws_fail(&c->err, 400, "ChildNotFoundException",
                        "We can't find an organizational unit (OU) or AWS account with the "
                        "ChildId that you specified.");
    json_t *all = json_array();
    json_array_append_new(all,
                          json_pack("{s:s, s:s}", "Id", parent, "Type",
                                    !strncmp(parent, "ou-", 3) ? "ORGANIZATIONAL_UNIT" : "ROOT"));
    return paginate(c, all, "Parents");
}

/* ---------------------------------------------------------------------------------------
 * Invitations and handshakes */

static int invite_account_to_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const json_t *target = json_object_get(c->in, "Target");
    const char *tid = json_string_value(json_object_get(target, "Id"));
    const char *ttype = json_string_value(json_object_get(target, "Type"));
    handshake pending;
    if (pending_all_features(c, &pending)) {
        handshake_clear(&pending);
        return aws_fail_reason(&c->err, 400, "HandshakeConstraintViolationException",
                               "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES",
                               "You can't issue new invitations to join an organization while "
                               "it's in the process of enabling all features.");
    }
    char account_id[13] = "";
    if (!strcmp(ttype, "ACCOUNT")) {
        if (strlen(tid) != 12 || strspn(tid, "0123456789") != 12)
            return invalid_input(c, "INVALID_PATTERN",
                                 "An ACCOUNT target must be a 12-digit account id.");
        if (!account_exists(c->db, tid)) return account_not_found(c);
        snprintf(account_id, sizeof account_id, "%s", tid);
    } else if (!strcmp(ttype, "EMAIL")) {
        /* orgtrail knows the email address of every account it holds. */
        if (!db_get_text(c->db, account_id, sizeof account_id,
                         "SELECT id FROM accounts WHERE lower(email) = lower(?)", "s", tid))
            return invalid_input(c, "INVALID_EMAIL_ADDRESS_TARGET",
                                 "No account with that email address exists in orgtrail; "
                                 "invite the account by its 12-digit id.");
    } else {
        return invalid_input(c, "INVALID_PARTY_TYPE_TARGET",
                             "You specified the wrong type of entity as a party: invite an "
                             "ACCOUNT or an EMAIL.");
    }
    org_info other;
    if (org_of_account(c->db, account_id, &other))
        return aws_fail_reason(&c->err, 400, "HandshakeConstraintViolationException",
                               "ALREADY_IN_AN_ORGANIZATION",
                               "The handshake request is invalid because the invited account "
                               "is already a member of an organization.");
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT " HANDSHAKE_COLUMNS " FROM org_handshakes WHERE action = "
                                "'INVITE' AND account_id = ? AND state IN ('OPEN', 'REQUESTED')",
                                "s", account_id);
    bool duplicate = false;
    while (db_row(st)) {
        handshake h;
        handshake_from_row(st, &h);
        if (handshake_open(&h, c->now_ms)) duplicate = true;
        handshake_clear(&h);
    }
    db_done(st);
    if (duplicate)
        return aws_fail(&c->err, 400, "DuplicateHandshakeException",
                        "A handshake with the same action and target already exists.");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (tags && check_tags(c, NULL, tags)) return -1;

    char mgmt_name[129] = "";
    db_get_text(c->db, mgmt_name, sizeof mgmt_name, "SELECT name FROM accounts WHERE id = ?", "s",
                o.master_account);
    json_t *org_details = resource("ORGANIZATION", o.id);
    json_t *nested = json_array();
    json_array_append_new(nested, resource("MASTER_EMAIL", o.master_email));
    json_array_append_new(nested, resource("MASTER_NAME", mgmt_name));
    json_array_append_new(nested, resource("ORGANIZATION_FEATURE_SET", o.feature_set));
    json_object_set_new(org_details, "Resources", nested);
    json_t *resources = json_array();
    json_array_append_new(resources, org_details);
    json_array_append_new(resources, resource("ACCOUNT", account_id));
    const char *notes = in_str(c, "Notes");
    if (notes) json_array_append_new(resources, resource("NOTES", notes));
    json_t *parties = json_array();
    json_array_append_new(parties, party(o.id, "ORGANIZATION"));
    json_array_append_new(parties, party(account_id, "ACCOUNT"));
    handshake h;
    int rc =
        handshake_create(c, "INVITE", "OPEN", account_id, parties, resources, INVITE_TTL_MS, &h);
    if (!rc && tags) rc = put_tags(c, h.id, tags);
    if (!rc) c->out = json_pack("{s:o}", "Handshake", handshake_json(&o, &h, c->now_ms));
    handshake_clear(&h);
    return rc;
}

static int enable_all_features(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    if (!strcmp(o.feature_set, "ALL"))
        return aws_fail_reason(&c->err, 400, "HandshakeConstraintViolationException",
                               "ORGANIZATION_ALREADY_HAS_ALL_FEATURES",
                               "The handshake request is invalid because the organization has "
                               "already enabled all features.");
    handshake parent;
    if (pending_all_features(c, &parent)) {
        handshake_clear(&parent);
        return aws_fail_reason(&c->err, 400, "HandshakeConstraintViolationException",
                               "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION",
                               "The handshake request is invalid because the organization has "
                               "already started the process to enable all features.");
    }
    /* Pending invitations end: none may be accepted while the feature set changes. */
    if (db_exec(c->db,
                "UPDATE org_handshakes SET state = 'CANCELED' WHERE action = 'INVITE' AND state "
                "IN ('OPEN', 'REQUESTED')",
                ""))
        return fail_db(c);
    json_t *invited = column_strings(db_query(c->db,
                                              "SELECT id FROM accounts WHERE org_id = ? AND id <> "
                                              "? AND joined_method = 'INVITED' ORDER BY id",
                                              "ss", o.id, o.master_account));
    size_t n = json_array_size(invited);

    json_t *parties = json_array();
    json_array_append_new(parties, party(o.id, "ORGANIZATION"));
    json_array_append_new(parties, party(o.master_account, "ACCOUNT"));
    json_t *resources = json_array();
    json_array_append_new(resources, resource("ORGANIZATION", o.id));
    int rc = handshake_create(c, "ENABLE_ALL_FEATURES", n ? "REQUESTED" : "OPEN", o.master_account,
                              parties, resources, ALL_FEATURES_TTL_MS, &parent);
    for (size_t i = 0; i < n && !rc; i++) {
        const char *member = json_string_value(json_array_get(invited, i));
        json_t *p = json_array();
        json_array_append_new(p, party(o.id, "ORGANIZATION"));
        json_array_append_new(p, party(member, "ACCOUNT"));
        json_t *r = json_array();
        json_array_append_new(r, resource("ORGANIZATION", o.id));
        json_array_append_new(r, resource("PARENT_HANDSHAKE", parent.id));
        handshake child;
        rc = handshake_create(c, "APPROVE_ALL_FEATURES", "OPEN", member, p, r, ALL_FEATURES_TTL_MS,
                              &child);
        handshake_clear(&child);
    }
    json_decref(invited);
    if (!rc) c->out = json_pack("{s:o}", "Handshake", handshake_json(&o, &parent, c->now_ms));
    handshake_clear(&parent);
    return rc;
}

/* Creates a service's service-linked role in every account of the organization. */
typedef struct slr_walk {
    db_conn *db;
    const char *service;
    int64_t now_ms;
    aws_error *e;
    int rc;
} slr_walk;

static void ensure_slr_in(const char *account_id, void *arg)
{
    slr_walk *w = arg;
    if (!w->rc) w->rc = iam_ensure_slr(w->db, account_id, w->service, w->now_ms, w->e);
}

/* The organization switches to all features once the management account accepts. */
static int finalize_all_features(call_ctx *c, org_info *o)
{
    if (db_exec(c->db, "UPDATE organization SET feature_set = 'ALL' WHERE id = ?", "s", o->id))
        return fail_db(c);
    snprintf(o->feature_set, sizeof o->feature_set, "ALL");
    if (ensure_full_access_policy(c)) return -1;
    slr_walk w = {c->db, "organizations.amazonaws.com", c->now_ms, &c->err, 0};
    org_each_account(c->db, ensure_slr_in, &w);
    return w.rc;
}

/* Loads a handshake the caller may act on as `role`: 'r'ecipient (accept/decline) or
 * 's'ender (cancel). Someone who is a party in the other role gets AccessDenied; anyone
 * else does not learn that the handshake exists. */
static int handshake_for_caller(call_ctx *c, char role, org_info *o, handshake *h)
{
    if (!org_get(c->db, o) || !handshake_get(c->db, in_str(c, "HandshakeId"), h))
        return handshake_not_found(c);
    const char *me = c->caller->account_id;
    bool recipient = !strcmp(h->recipient, me);
    bool sender = !strcmp(o->master_account, me);
    if ((role == 'r' && recipient) || (role == 's' && sender)) return 0;
    handshake_clear(h);
    return recipient || sender ? access_denied(c) : handshake_not_found(c);
}

/* Accept, decline and cancel all need an open handshake. */
static int check_transition(call_ctx *c, const handshake *h, const char *to)
{
    const char *state = handshake_state(h, c->now_ms);
    if (!strcmp(state, to))
        return aws_fail(&c->err, 400, "HandshakeAlreadyInStateException",
                        "The specified handshake is already in the requested state.");
    if (strcmp(state, "OPEN") && strcmp(state, "REQUESTED"))
        return aws_fail(&c->err, 400, "InvalidHandshakeTransitionException",
                        "You can't perform the operation on the handshake in its current "
                        "state (%s).",
                        state);
    return 0;
}

static int accept_handshake(call_ctx *c)
{
    org_info o;
    handshake h;
    if (handshake_for_caller(c, 'r', &o, &h)) return -1;
    int rc = check_transition(c, &h, "ACCEPTED");
    const char *me = c->caller->account_id;
    if (!rc && !strcmp(h.action, "INVITE")) {
        org_info mine;
        if (org_of_account(c->db, me, &mine))
            rc = aws_fail_reason(&c->err, 400, "HandshakeConstraintViolationException",
                                 "ALREADY_IN_AN_ORGANIZATION",
                                 "The handshake request is invalid because the invited account "
                                 "is already a member of an organization.");
        if (!rc) rc = join_org(c, &o, me, "INVITED");
        if (!rc && db_exec(c->db, "UPDATE org_tags SET resource_id = ? WHERE resource_id = ?", "ss",
                           me, h.id))
            rc = fail_db(c);
        if (!rc) rc = handshake_set_state(c, &h, "ACCEPTED");
    } else if (!rc && !strcmp(h.action, "APPROVE_ALL_FEATURES")) {
        rc = iam_ensure_slr(c->db, me, "organizations.amazonaws.com", c->now_ms, &c->err);
        if (!rc) rc = handshake_set_state(c, &h, "ACCEPTED");
        if (!rc) rc = reevaluate_all_features(c, &o);
    } else if (!rc && !strcmp(h.action, "ENABLE_ALL_FEATURES")) {
        if (!strcmp(handshake_state(&h, c->now_ms), "REQUESTED"))
            rc = aws_fail(&c->err, 400, "InvalidHandshakeTransitionException",
                          "Every invited member account must approve enabling all features "
                          "before you can finalize it.");
        if (!rc) rc = finalize_all_features(c, &o);
        if (!rc) rc = handshake_set_state(c, &h, "ACCEPTED");
    } else if (!rc) {
        rc = invalid_input(c, "INVALID_ENUM", "orgtrail cannot accept this kind of handshake.");
    }
    if (!rc) c->out = json_pack("{s:o}", "Handshake", handshake_json(&o, &h, c->now_ms));
    handshake_clear(&h);
    return rc;
}

static int end_handshake(call_ctx *c, char role, const char *to)
{
    org_info o;
    handshake h;
    if (handshake_for_caller(c, role, &o, &h)) return -1;
    int rc = check_transition(c, &h, to);
    if (!rc) rc = handshake_set_state(c, &h, to);
    /* Ending a migration ends the approvals it asked for; ending one approval may leave
     * the migration waiting. */
    if (!rc && !strcmp(h.action, "ENABLE_ALL_FEATURES")) rc = cancel_approvals(c, h.id, NULL);
    if (!rc && !strcmp(h.action, "APPROVE_ALL_FEATURES")) rc = reevaluate_all_features(c, &o);
    if (!rc) c->out = json_pack("{s:o}", "Handshake", handshake_json(&o, &h, c->now_ms));
    handshake_clear(&h);
    return rc;
}

static int decline_handshake(call_ctx *c)
{
    return end_handshake(c, 'r', "DECLINED");
}

static int cancel_handshake(call_ctx *c)
{
    return end_handshake(c, 's', "CANCELED");
}

static int describe_handshake(call_ctx *c)
{
    org_info o;
    handshake h;
    if (!org_get(c->db, &o) || !handshake_get(c->db, in_str(c, "HandshakeId"), &h))
        return handshake_not_found(c);
    const char *me = c->caller->account_id;
    int rc = 0;
    if (strcmp(h.recipient, me) && strcmp(o.master_account, me))
        rc = handshake_not_found(c);
    else
        c->out = json_pack("{s:o}", "Handshake", handshake_json(&o, &h, c->now_ms));
    handshake_clear(&h);
    return rc;
}

static int list_handshakes(call_ctx *c, const char *recipient)
{
    org_info o;
    const json_t *filter = json_object_get(c->in, "Filter");
    const char *action = json_string_value(json_object_get(filter, "ActionType"));
    const char *parent = json_string_value(json_object_get(filter, "ParentHandshakeId"));
    if (action && parent)
        return invalid_input(c, "MAX_LIMIT_EXCEEDED_FILTER",
                             "You can specify only one filter parameter for the operation.");
    json_t *all = json_array();
    if (!org_get(c->db, &o)) return paginate(c, all, "Handshakes");
    sqlite3_stmt *st = recipient
                           ? db_query(c->db,
                                      "SELECT " HANDSHAKE_COLUMNS " FROM org_handshakes WHERE "
                                      "account_id = ? ORDER BY requested_ms, id",
                                      "s", recipient)
                           : db_query(c->db,
                                      "SELECT " HANDSHAKE_COLUMNS " FROM org_handshakes ORDER BY "
                                      "requested_ms, id",
                                      "");
    while (db_row(st)) {
        handshake h;
        handshake_from_row(st, &h);
        char p[40];
        handshake_parent(&h, p);
        if ((!action || !strcmp(action, h.action)) && (!parent || !strcmp(parent, p)))
            json_array_append_new(all, handshake_json(&o, &h, c->now_ms));
        handshake_clear(&h);
    }
    db_done(st);
    return paginate(c, all, "Handshakes");
}

static int list_handshakes_for_account(call_ctx *c)
{
    return list_handshakes(c, c->caller->account_id);
}

static int list_handshakes_for_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    return list_handshakes(c, NULL);
}

/* ---------------------------------------------------------------------------------------
 * Trusted access and delegated administrators */

static int unrecognized_principal(call_ctx *c)
{
    return invalid_input(c, "UNRECOGNIZED_SERVICE_PRINCIPAL",
                         "You specified an unrecognized service principal.");
}

static int enable_aws_service_access(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *sp = in_str(c, "ServicePrincipal");
    if (!trusted_service(sp)) return unrecognized_principal(c);
    if (strcmp(o.feature_set, "ALL"))
        return constraint(c, "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
                          "Trusted access needs an organization with all features enabled.");
    if (db_exec(c->db,
                "INSERT OR IGNORE INTO org_service_access(service_principal, enabled_ms) "
                "VALUES(?, ?)",
                "si", sp, c->now_ms))
        return fail_db(c);
    /* CloudTrail needs its service-linked role in every account for organization trails. */
    if (!strcmp(sp, "cloudtrail.amazonaws.com")) {
        slr_walk w = {c->db, sp, c->now_ms, &c->err, 0};
        org_each_account(c->db, ensure_slr_in, &w);
        if (w.rc) return -1;
    }
    return 0;
}

static int disable_aws_service_access(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *sp = in_str(c, "ServicePrincipal");
    if (!trusted_service(sp)) return unrecognized_principal(c);
    /* Service-linked roles and delegated administrators stay, as in AWS. */
    if (db_exec(c->db, "DELETE FROM org_service_access WHERE service_principal = ?", "s", sp))
        return fail_db(c);
    return 0;
}

static int list_aws_service_access_for_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    json_t *all = json_array();
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT service_principal, enabled_ms FROM org_service_access "
                                "ORDER BY service_principal",
                                "");
    while (db_row(st)) {
        json_t *j = json_object();
        set_str(j, "ServicePrincipal", db_text(st, 0));
        json_object_set_new(j, "DateEnabled", json_time(db_int(st, 1)));
        json_array_append_new(all, j);
    }
    db_done(st);
    return paginate(c, all, "EnabledServicePrincipals");
}

static int register_delegated_administrator(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "AccountId");
    const char *sp = in_str(c, "ServicePrincipal");
    const struct trusted_service *ts = trusted_service(sp);
    if (!ts || ts->max_delegated_admins == 0) return unrecognized_principal(c);
    account_row a;
    if (!account_in_org(c->db, &o, id, &a)) return account_not_found(c);
    if (!strcmp(id, o.master_account))
        return constraint(c, "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
                          "You can't register the management account of the organization as a "
                          "delegated administrator.");
    if (!strcmp(a.state, "SUSPENDED"))
        return constraint(c, "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
                          "You cannot register a suspended account as a delegated "
                          "administrator.");
    if (org_is_delegated_admin(c->db, id, sp))
        return aws_fail(&c->err, 400, "AccountAlreadyRegisteredException",
                        "The provided account is already a delegated administrator for your "
                        "organization.");
    if (!org_service_access_enabled(c->db, sp))
        return constraint(c, "SERVICE_ACCESS_NOT_ENABLED",
                          "You attempted to register a delegated administrator before you "
                          "enabled service access. Call the EnableAWSServiceAccess API first.");
    int64_t n = 0;
    db_get_int(c->db, &n, "SELECT COUNT(*) FROM org_delegated_admins WHERE service_principal = ?",
               "s", sp);
    if (n >= ts->max_delegated_admins)
        return ts->max_delegated_admins == 1
                   ? constraint(c, "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE",
                                "This service already has a delegated administrator. Deregister "
                                "it first.")
                   : constraint(c, "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED",
                                "You attempted to register more delegated administrators than "
                                "allowed for the service principal.");
    if (db_exec(c->db,
                "INSERT INTO org_delegated_admins(account_id, service_principal, enabled_ms) "
                "VALUES(?, ?, ?)",
                "ssi", id, sp, c->now_ms))
        return fail_db(c);
    return 0;
}

static int deregister_delegated_administrator(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "AccountId");
    const char *sp = in_str(c, "ServicePrincipal");
    if (!trusted_service(sp)) return unrecognized_principal(c);
    if (!account_in_org(c->db, &o, id, NULL)) return account_not_found(c);
    if (!org_is_delegated_admin(c->db, id, sp))
        return aws_fail(&c->err, 400, "AccountNotRegisteredException",
                        "The provided account is not a registered delegated administrator for "
                        "your organization.");
    if (db_exec(c->db,
                "DELETE FROM org_delegated_admins WHERE account_id = ? AND service_principal = ?",
                "ss", id, sp))
        return fail_db(c);
    return 0;
}

static int list_delegated_administrators(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    const char *sp = in_str(c, "ServicePrincipal");
    json_t *all = json_array();
    /* One entry per account; its delegation date is its first registration's. */
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT a.id, a.name, a.email, a.state, a.joined_method, "
                                "a.joined_ms, a.parent_id, MIN(d.enabled_ms) FROM "
                                "org_delegated_admins d JOIN accounts a ON a.id = d.account_id "
                                "WHERE a.org_id = ? AND (? IS NULL OR d.service_principal = ?) "
                                "GROUP BY a.id ORDER BY MIN(d.enabled_ms), a.id",
                                "sss", o.id, sp, sp);
    while (db_row(st)) {
        account_row a;
        account_from_row(st, &a);
        json_t *j = account_json(c->db, &o, &a, false);
        json_object_set_new(j, "DelegationEnabledDate", json_time(db_int(st, 7)));
        json_array_append_new(all, j);
    }
    db_done(st);
    return paginate(c, all, "DelegatedAdministrators");
}

static int list_delegated_services_for_account(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    const char *id = in_str(c, "AccountId");
    if (!account_in_org(c->db, &o, id, NULL)) return account_not_found(c);
    json_t *all = json_array();
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT service_principal, enabled_ms FROM org_delegated_admins "
                                "WHERE account_id = ? ORDER BY enabled_ms, service_principal",
                                "s", id);
    while (db_row(st)) {
        json_t *j = json_object();
        set_str(j, "ServicePrincipal", db_text(st, 0));
        json_object_set_new(j, "DelegationEnabledDate", json_time(db_int(st, 1)));
        json_array_append_new(all, j);
    }
    db_done(st);
    if (!json_array_size(all)) {
        json_decref(all);
        return aws_fail(&c->err, 400, "AccountNotRegisteredException",
                        "The provided account is not a registered delegated administrator for "
                        "your organization.");
    }
    return paginate(c, all, "DelegatedServices");
}

/* ---------------------------------------------------------------------------------------
 * Policy types and policies */

static int root_not_found(call_ctx *c)
{
    return aws_fail(&c->err, 400, "RootNotFoundException",
                    "We can't find a root with the RootId that you specified.");
}

static int policy_type_not_available(call_ctx *c)
{
    return aws_fail(&c->err, 400, "PolicyTypeNotAvailableForOrganizationException",
                    "You can't use organization policies in an organization that supports only "
                    "consolidated billing features.");
}

static int policy_not_found(call_ctx *c)
{
    return aws_fail(&c->err, 400, "PolicyNotFoundException",
                    "We can't find a policy with the PolicyId that you specified.");
}

static int enable_policy_type(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *type = in_str(c, "PolicyType");
    if (strcmp(in_str(c, "RootId"), o.root_id)) return root_not_found(c);
    if (strcmp(o.feature_set, "ALL")) return policy_type_not_available(c);
    if (policy_type_enabled(c->db, &o, type))
        return aws_fail(&c->err, 400, "PolicyTypeAlreadyEnabledException",
                        "The specified policy type is already enabled.");
    if (db_exec(c->db,
                "INSERT OR REPLACE INTO org_policy_types(root_id, type, status) VALUES(?, ?, "
                "'ENABLED')",
                "ss", o.root_id, type))
        return fail_db(c);
    /* Every root, OU and account starts with FullAWSAccess, so that enabling SCPs
     * changes nobody's permissions. */
    if (!strcmp(type, "SERVICE_CONTROL_POLICY") &&
        (ensure_full_access_policy(c) || attach_default_scp(c, &o, o.root_id) ||
         db_exec(c->db,
                 "INSERT OR IGNORE INTO org_policy_attachments(policy_id, target_id) SELECT ?, id "
                 "FROM org_units",
                 "s", FULL_ACCESS_ID) ||
         db_exec(c->db,
                 "INSERT OR IGNORE INTO org_policy_attachments(policy_id, target_id) SELECT ?, id "
                 "FROM accounts WHERE org_id = ?",
                 "ss", FULL_ACCESS_ID, o.id)))
        return aws_error_set(&c->err) ? -1 : fail_db(c);
    c->out = json_pack("{s:o}", "Root", root_json(c->db, &o));
    return 0;
}

static int disable_policy_type(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    const char *type = in_str(c, "PolicyType");
    if (strcmp(in_str(c, "RootId"), o.root_id)) return root_not_found(c);
    if (!policy_type_enabled(c->db, &o, type))
        return aws_fail(&c->err, 400, "PolicyTypeNotEnabledException",
                        "This operation can be performed only for enabled policy types.");
    /* Policies stay; their attachments go (re-enabling starts from FullAWSAccess). */
    if (db_exec(c->db,
                "DELETE FROM org_policy_attachments WHERE policy_id IN (SELECT id FROM "
                "org_policies WHERE type = ?)",
                "s", type) ||
        db_exec(c->db, "DELETE FROM org_policy_types WHERE root_id = ? AND type = ?", "ss",
                o.root_id, type))
        return fail_db(c);
    c->out = json_pack("{s:o}", "Root", root_json(c->db, &o));
    return 0;
}

/* Validates a policy document for its type. */
static int check_policy_content(call_ctx *c, const char *type, const char *content)
{
    bool scp = !strcmp(type, "SERVICE_CONTROL_POLICY");
    size_t limit =
        scp || !strcmp(type, "RESOURCE_CONTROL_POLICY") ? SCP_MAX_CHARS : OTHER_POLICY_MAX_CHARS;
    if (strlen(content) > limit)
        return constraint(c, "POLICY_CONTENT_LIMIT_EXCEEDED",
                          "You attempted to create a policy that is larger than the maximum "
                          "size.");
    if (scp) {
        json_t *doc =
            policy_parse(content, POLICY_SCP, "MalformedPolicyDocumentException", NULL, &c->err);
        if (!doc) return -1;
        json_decref(doc);
        return 0;
    }
    json_t *doc = json_loads(content, JSON_REJECT_DUPLICATES, NULL);
    bool ok = json_is_object(doc);
    json_decref(doc);
    if (!ok)
        return aws_fail(&c->err, 400, "MalformedPolicyDocumentException",
                        "The provided policy document doesn't meet the requirements of the "
                        "specified policy type.");
    return 0;
}

static bool policy_name_taken(db_conn *db, const char *type, const char *name, const char *except)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM org_policies WHERE type = ? AND name = ? AND id <> ?",
               "sss", type, name, except ? except : "");
    return n > 0;
}

static int duplicate_policy(call_ctx *c)
{
    return aws_fail(&c->err, 400, "DuplicatePolicyException",
                    "A policy with the same name already exists.");
}

static int create_policy(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    if (strcmp(o.feature_set, "ALL")) return policy_type_not_available(c);
    policy_row p = {0};
    snprintf(p.name, sizeof p.name, "%s", in_str(c, "Name"));
    snprintf(p.description, sizeof p.description, "%s", in_str(c, "Description"));
    snprintf(p.type, sizeof p.type, "%s", in_str(c, "Type"));
    const char *content = in_str(c, "Content");
    if (check_policy_content(c, p.type, content)) return -1;
    if (policy_name_taken(c->db, p.type, p.name, NULL)) return duplicate_policy(c);
    int64_t n = 0;
    db_get_int(c->db, &n, "SELECT COUNT(*) FROM org_policies WHERE type = ?", "s", p.type);
    if (n >= MAX_POLICIES_PER_TYPE)
        return constraint(c, "POLICY_NUMBER_LIMIT_EXCEEDED",
                          "You attempted to exceed the number of policies that you can have in "
                          "an organization.");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (tags && check_tags(c, NULL, tags)) return -1;
    char suffix[16];
    ids_from_alphabet(suffix, 8, IDS_LOWER_ALNUM);
    snprintf(p.id, sizeof p.id, "p-%s", suffix);
    if (db_exec(c->db,
                "INSERT INTO org_policies(id, name, description, type, content, aws_managed) "
                "VALUES(?, ?, ?, ?, ?, 0)",
                "sssss", p.id, p.name, p.description, p.type, content))
        return fail_db(c);
    if (tags && put_tags(c, p.id, tags)) return -1;
    p.content = (char *)content;
    c->out = json_pack("{s:o}", "Policy", policy_json(&o, &p));
    return 0;
}

static int describe_policy(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    policy_row p;
    if (!policy_get(c->db, in_str(c, "PolicyId"), &p)) return policy_not_found(c);
    c->out = json_pack("{s:o}", "Policy", policy_json(&o, &p));
    policy_row_clear(&p);
    return 0;
}

static int immutable_policy(call_ctx *c)
{
    return invalid_input(c, "IMMUTABLE_POLICY",
                         "You specified a policy that is managed by AWS and can't be modified.");
}

static int update_policy(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    policy_row p;
    if (!policy_get(c->db, in_str(c, "PolicyId"), &p)) return policy_not_found(c);
    const char *name = in_str(c, "Name");
    const char *description = in_str(c, "Description");
    const char *content = in_str(c, "Content");
    int rc = 0;
    if (p.aws_managed) rc = immutable_policy(c);
    if (!rc && content) rc = check_policy_content(c, p.type, content);
    if (!rc && name && policy_name_taken(c->db, p.type, name, p.id)) rc = duplicate_policy(c);
    if (!rc) {
        if (name) snprintf(p.name, sizeof p.name, "%s", name);
        if (description) snprintf(p.description, sizeof p.description, "%s", description);
        if (content) {
            free(p.content);
            p.content = strdup(content);
            if (!p.content) abort();
        }
        if (db_exec(c->db,
                    "UPDATE org_policies SET name = ?, description = ?, content = ? WHERE id = ?",
                    "ssss", p.name, p.description, p.content, p.id))
            rc = fail_db(c);
    }
    if (!rc) c->out = json_pack("{s:o}", "Policy", policy_json(&o, &p));
    policy_row_clear(&p);
    return rc;
}

static int delete_policy(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_MANAGEMENT)) return -1;
    policy_row p;
    if (!policy_get(c->db, in_str(c, "PolicyId"), &p)) return policy_not_found(c);
    bool managed = p.aws_managed;
    policy_row_clear(&p);
    if (managed) return immutable_policy(c);
    int64_t n = 0;
    db_get_int(c->db, &n, "SELECT COUNT(*) FROM org_policy_attachments WHERE policy_id = ?", "s",
               p.id);
    if (n)
        return aws_fail(&c->err, 400, "PolicyInUseException",
                        "The policy is attached to one or more entities. You must detach it from "
                        "all roots, OUs, and accounts before performing this operation.");
    if (db_exec(c->db, "DELETE FROM org_policies WHERE id = ?", "s", p.id)) return fail_db(c);
    return drop_tags(c, p.id);
}

/* Resolves PolicyId and TargetId of Attach/DetachPolicy. */
static int attachment_parts(call_ctx *c, org_info *o, policy_row *p, const char **target)
{
    if (org_for_caller(c, o, NEED_MANAGEMENT)) return -1;
    if (!policy_get(c->db, in_str(c, "PolicyId"), p)) return policy_not_found(c);
    policy_row_clear(p);
    *target = in_str(c, "TargetId");
    char kind = resolve_target(c->db, o, *target);
    if (kind != 'a' && kind != 'o' && kind != 'r') return target_not_found(c);
    return 0;
}

static bool attached(db_conn *db, const char *policy, const char *target)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM org_policy_attachments WHERE policy_id = ? AND target_id = ?",
               "ss", policy, target);
    return n > 0;
}

static int attach_policy(call_ctx *c)
{
    org_info o;
    policy_row p;
    const char *target;
    if (attachment_parts(c, &o, &p, &target)) return -1;
    if (!policy_type_enabled(c->db, &o, p.type))
        return aws_fail(&c->err, 400, "PolicyTypeNotEnabledException",
                        "The specified policy type isn't currently enabled in this root. You "
                        "can't attach policies of the specified type to entities in a root "
                        "until you enable that type in the root.");
    if (attached(c->db, p.id, target))
        return aws_fail(&c->err, 400, "DuplicatePolicyAttachmentException",
                        "The selected policy is already attached to the specified target.");
    if (attached_of_type(c->db, target, p.type) >= MAX_ATTACHED_PER_TYPE)
        return constraint(c, "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                          "You attempted to exceed the number of policies of a certain type that "
                          "can be attached to an entity at one time.");
    if (db_exec(c->db, "INSERT INTO org_policy_attachments(policy_id, target_id) VALUES(?, ?)",
                "ss", p.id, target))
        return fail_db(c);
    return 0;
}

static int detach_policy(call_ctx *c)
{
    org_info o;
    policy_row p;
    const char *target;
    if (attachment_parts(c, &o, &p, &target)) return -1;
    if (!attached(c->db, p.id, target))
        return aws_fail(&c->err, 400, "PolicyNotAttachedException",
                        "The policy isn't attached to the specified target in the specified "
                        "root.");
    /* Every root, OU and account keeps at least one SCP: without one, nothing is allowed. */
    if (!strcmp(p.type, "SERVICE_CONTROL_POLICY") && attached_of_type(c->db, target, p.type) <= 1)
        return constraint(c, "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                          "You attempted to detach a policy from an entity that would cause the "
                          "entity to have fewer than the minimum number of policies of a certain "
                          "type required.");
    if (db_exec(c->db, "DELETE FROM org_policy_attachments WHERE policy_id = ? AND target_id = ?",
                "ss", p.id, target))
        return fail_db(c);
    return 0;
}

static int list_policies(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    json_t *all = json_array();
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT " POLICY_COLUMNS " FROM org_policies WHERE type = ? "
                                "ORDER BY aws_managed DESC, name, id",
                                "s", in_str(c, "Filter"));
    while (db_row(st)) {
        policy_row p;
        policy_from_row(st, &p, false);
        json_array_append_new(all, policy_summary_json(&o, &p));
    }
    db_done(st);
    return paginate(c, all, "Policies");
}

static int list_policies_for_target(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    const char *target = in_str(c, "TargetId");
    char kind = resolve_target(c->db, &o, target);
    if (kind != 'a' && kind != 'o' && kind != 'r') return target_not_found(c);
    json_t *all = json_array();
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT p.id, p.name, p.description, p.type, p.aws_managed, "
                                "p.content FROM org_policies p JOIN org_policy_attachments a ON "
                                "a.policy_id = p.id WHERE a.target_id = ? AND p.type = ? ORDER "
                                "BY p.aws_managed DESC, p.name, p.id",
                                "ss", target, in_str(c, "Filter"));
    while (db_row(st)) {
        policy_row p;
        policy_from_row(st, &p, false);
        json_array_append_new(all, policy_summary_json(&o, &p));
    }
    db_done(st);
    return paginate(c, all, "Policies");
}

static int list_targets_for_policy(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, NEED_READER)) return -1;
    policy_row p;
    if (!policy_get(c->db, in_str(c, "PolicyId"), &p)) return policy_not_found(c);
    policy_row_clear(&p);
    json_t *targets = column_strings(db_query(c->db,
                                              "SELECT target_id FROM org_policy_attachments "
                                              "WHERE policy_id = ? ORDER BY target_id",
                                              "s", p.id));
    json_t *all = json_array();
    size_t i;
    json_t *tj;
    json_array_foreach(targets, i, tj)
    {
        const char *t = json_string_value(tj);
        json_t *j = json_object();
        char arn[200], name[129] = "";
        const char *type;
        if (!strcmp(t, o.root_id)) {
            type = "ROOT";
            snprintf(name, sizeof name, "Root");
            snprintf(arn, sizeof arn, "arn:aws:organizations::%s:root/%s/%s", o.master_account,
                     o.id, t);
        } else if (!strncmp(t, "ou-", 3)) {
            type = "ORGANIZATIONAL_UNIT";
            ou_get(c->db, t, name, NULL);
            snprintf(arn, sizeof arn, "arn:aws:organizations::%s:ou/%s/%s", o.master_account, o.id,
                     t);
        } else {
            type = "ACCOUNT";
            db_get_text(c->db, name, sizeof name, "SELECT name FROM accounts WHERE id = ?", "s", t);
            snprintf(arn, sizeof arn, "arn:aws:organizations::%s:account/%s/%s", o.master_account,
                     o.id, t);
        }
        set_str(j, "TargetId", t);
        set_str(j, "Arn", arn);
        set_str(j, "Name", name);
        set_str(j, "Type", type);
        json_array_append_new(all, j);
    }
    json_decref(targets);
    return paginate(c, all, "Targets");
}

/* ---------------------------------------------------------------------------------------
 * Registration */

#define TX(fn)                                                                                     \
    static int fn##_tx(call_ctx *c)                                                                \
    {                                                                                              \
        return call_in_transaction(c, fn, fail_db);                                                \
    }

TX(create_organization)
TX(delete_organization)
TX(create_account)
TX(remove_account_from_organization)
TX(leave_organization)
TX(move_account)
TX(create_organizational_unit)
TX(update_organizational_unit)
TX(delete_organizational_unit)
TX(invite_account_to_organization)
TX(enable_all_features)
TX(accept_handshake)
TX(decline_handshake)
TX(cancel_handshake)
TX(enable_aws_service_access)
TX(disable_aws_service_access)
TX(register_delegated_administrator)
TX(deregister_delegated_administrator)
TX(enable_policy_type)
TX(disable_policy_type)
TX(create_policy)
TX(update_policy)
TX(delete_policy)
TX(attach_policy)
TX(detach_policy)
TX(tag_resource)
TX(untag_resource)

static const op_def OPS[] = {
    {"AcceptHandshake", accept_handshake_tx, NULL},
    {"AttachPolicy", attach_policy_tx, NULL},
    {"CancelHandshake", cancel_handshake_tx, NULL},
    {"CreateAccount", create_account_tx, NULL},
    {"CreateOrganization", create_organization_tx, NULL},
    {"CreateOrganizationalUnit", create_organizational_unit_tx, NULL},
    {"CreatePolicy", create_policy_tx, NULL},
    {"DeclineHandshake", decline_handshake_tx, NULL},
    {"DeleteOrganization", delete_organization_tx, NULL},
    {"DeleteOrganizationalUnit", delete_organizational_unit_tx, NULL},
    {"DeletePolicy", delete_policy_tx, NULL},
    {"DeregisterDelegatedAdministrator", deregister_delegated_administrator_tx, NULL},
    {"DescribeAccount", describe_account, NULL},
    {"DescribeCreateAccountStatus", describe_create_account_status, NULL},
    {"DescribeHandshake", describe_handshake, NULL},
    {"DescribeOrganization", describe_organization, NULL},
    {"DescribeOrganizationalUnit", describe_organizational_unit, NULL},
    {"DescribePolicy", describe_policy, NULL},
    {"DetachPolicy", detach_policy_tx, NULL},
    {"DisableAWSServiceAccess", disable_aws_service_access_tx, NULL},
    {"DisablePolicyType", disable_policy_type_tx, NULL},
    {"EnableAWSServiceAccess", enable_aws_service_access_tx, NULL},
    {"EnableAllFeatures", enable_all_features_tx, NULL},
    {"EnablePolicyType", enable_policy_type_tx, NULL},
    {"InviteAccountToOrganization", invite_account_to_organization_tx, NULL},
    {"LeaveOrganization", leave_organization_tx, NULL},
    {"ListAWSServiceAccessForOrganization", list_aws_service_access_for_organization, NULL},
    {"ListAccounts", list_accounts, NULL},
    {"ListAccountsForParent", list_accounts_for_parent, NULL},
    {"ListChildren", list_children, NULL},
    {"ListCreateAccountStatus", list_create_account_status, NULL},
    {"ListDelegatedAdministrators", list_delegated_administrators, NULL},
    {"ListDelegatedServicesForAccount", list_delegated_services_for_account, NULL},
    {"ListHandshakesForAccount", list_handshakes_for_account, NULL},
    {"ListHandshakesForOrganization", list_handshakes_for_organization, NULL},
    {"ListOrganizationalUnitsForParent", list_organizational_units_for_parent, NULL},
    {"ListParents", list_parents, NULL},
    {"ListPolicies", list_policies, NULL},
    {"ListPoliciesForTarget", list_policies_for_target, NULL},
    {"ListRoots", list_roots, NULL},
    {"ListTagsForResource", list_tags_for_resource, NULL},
    {"ListTargetsForPolicy", list_targets_for_policy, NULL},
    {"MoveAccount", move_account_tx, NULL},
    {"RegisterDelegatedAdministrator", register_delegated_administrator_tx, NULL},
    {"RemoveAccountFromOrganization", remove_account_from_organization_tx, NULL},
    {"TagResource", tag_resource_tx, NULL},
    {"UntagResource", untag_resource_tx, NULL},
    {"UpdateOrganizationalUnit", update_organizational_unit_tx, NULL},
    {"UpdatePolicy", update_policy_tx, NULL},
};

const service_def SVC_ORGANIZATIONS = {"organizations", VSTYLE_ORGS, OPS, sizeof OPS / sizeof *OPS};
