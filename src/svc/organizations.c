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
 * nothing. The handlers live in the org_*.c files (svc/org_internal.h lists them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/jsonutil.h"
#include "state/iam_state.h"
#include "state/org_handshake_state.h"
#include "state/org_policy_state.h"
#include "state/org_unit_state.h"
#include "state/tags.h"
#include "svc/org_internal.h"

#define PAGE_DEFAULT 20

/* ---------------------------------------------------------------------------------------
 * Errors and access */

int org_fail_db(call_ctx *c)
{
    return aws_fail(&c->err, 500, "ServiceException", "orgtrail could not update its store: %s",
                    db_errmsg(c->db));
}

int org_access_denied(call_ctx *c)
{
    return aws_fail(&c->err, 400, "AccessDeniedException",
                    "You don't have permissions to access this resource.");
}

static int not_in_use(call_ctx *c)
{
    return aws_fail(&c->err, 400, "AWSOrganizationsNotInUseException",
                    "Your account is not a member of an organization.");
}

int org_invalid_input(call_ctx *c, const char *reason, const char *msg)
{
    return aws_fail_reason(&c->err, 400, "InvalidInputException", reason, "%s", msg);
}

int org_constraint(call_ctx *c, const char *reason, const char *msg)
{
    return aws_fail_reason(&c->err, 400, "ConstraintViolationException", reason, "%s", msg);
}

int org_account_not_found(call_ctx *c)
{
    return aws_fail(&c->err, 400, "AccountNotFoundException",
                    "You specified an account that doesn't exist.");
}

int org_parent_not_found(call_ctx *c)
{
    return aws_fail(&c->err, 400, "ParentNotFoundException",
                    "We can't find a root or OU with the ParentId that you specified.");
}

int org_target_not_found(call_ctx *c)
{
    return aws_fail(&c->err, 400, "TargetNotFoundException",
                    "We can't find a root, OU, account, or policy with the TargetId that you "
                    "specified.");
}

bool org_is_management(const call_ctx *c, const org_info *o)
{
    return !strcmp(o->master_account, c->caller->account_id);
}

int org_for_caller(call_ctx *c, org_info *o, org_caller_need need)
{
    if (!org_of_account(c->db, c->caller->account_id, o)) return not_in_use(c);
    if (need == ORG_NEED_MEMBER || org_is_management(c, o)) return 0;
    if (need == ORG_NEED_READER && org_is_any_delegated_admin(c->db, c->caller->account_id))
        return 0;
    return org_access_denied(c);
}

/* ---------------------------------------------------------------------------------------
 * Pagination */

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
int org_paginate(call_ctx *c, json_t *all, const char *member)
{
    size_t n = json_array_size(all), start = 0;
    const char *tok = in_str(c, "NextToken");
    if (tok && !token_decode(c->op, tok, &start)) {
        json_decref(all);
        return org_invalid_input(c, "INVALID_NEXT_TOKEN", "The provided NextToken is not valid.");
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

int org_list_under_parent(call_ctx *c, org_parent_list_fn build, const char *member)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    const char *parent = in_str(c, "ParentId");
    if (!org_parent_exists(c->db, &o, parent)) return org_parent_not_found(c);
    return org_paginate(c, build(c, &o, parent), member);
}

/* ---------------------------------------------------------------------------------------
 * Shapes */

void org_set_str(json_t *obj, const char *key, const char *value)
{
    json_object_set_new(obj, key, json_string_safe(value, strlen(value)));
}

void org_arn(char *out, size_t n, const org_info *o, const char *kind, const char *id)
{
    snprintf(out, n, "arn:aws:organizations::%s:%s/%s/%s", o->master_account, kind, o->id, id);
}

void org_lowercase_copy(char *out, size_t n, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    out[i] = '\0';
}

static json_t *organization_json(const org_info *o)
{
    json_t *j = json_object();
    char arn[160];
    org_set_str(j, "Id", o->id);
    snprintf(arn, sizeof arn, "arn:aws:organizations::%s:organization/%s", o->master_account,
             o->id);
    org_set_str(j, "Arn", arn);
    org_set_str(j, "FeatureSet", o->feature_set);
    org_arn(arn, sizeof arn, o, "account", o->master_account);
    org_set_str(j, "MasterAccountArn", arn);
    org_set_str(j, "MasterAccountId", o->master_account);
    org_set_str(j, "MasterAccountEmail", o->master_email);
    /* Deprecated member: the policy types available to the organization. */
    json_t *types = json_array();
    if (!strcmp(o->feature_set, "ALL"))
        json_array_append_new(
            types, json_pack("{s:s, s:s}", "Type", "SERVICE_CONTROL_POLICY", "Status", "ENABLED"));
    json_object_set_new(j, "AvailablePolicyTypes", types);
    return j;
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
    org_account mine;
    if (!account_get(c->db, me, &mine))
        return aws_fail(&c->err, 500, "ServiceException", "The calling account is not known.");

    memset(&o, 0, sizeof o);
    char suffix[16];
    ids_from_alphabet(suffix, 10, IDS_LOWER_ALNUM);
    snprintf(o.id, sizeof o.id, "o-%s", suffix);
    ids_from_alphabet(suffix, 4, IDS_LOWER_ALNUM);
    snprintf(o.root_id, sizeof o.root_id, "r-%s", suffix);
    snprintf(o.feature_set, sizeof o.feature_set, "%s", feature_set);
    snprintf(o.master_account, sizeof o.master_account, "%s", me);
    snprintf(o.master_email, sizeof o.master_email, "%s", mine.email);
    o.created_ms = c->now_ms;
    if (org_create(c->db, &o)) return org_fail_db(c);
    /* The management account shows as INVITED, as AWS lists it. */
    if (!strcmp(o.feature_set, "ALL") && org_policy_ensure_full_access(c->db))
        return org_fail_db(c);
    if (org_join(c, &o, me, "INVITED")) return -1;
    /* AWS creates Organizations' service-linked role in the management account whatever
     * the feature set. */
    if (iam_ensure_slr(c->db, me, "organizations.amazonaws.com", c->now_ms, &c->err)) return -1;
    c->out = json_pack("{s:o}", "Organization", organization_json(&o));
    return 0;
}

static int describe_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MEMBER)) return -1;
    c->out = json_pack("{s:o}", "Organization", organization_json(&o));
    return 0;
}

static int delete_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    if (org_member_count(c->db, &o))
        return aws_fail(&c->err, 400, "OrganizationNotEmptyException",
                        "To delete an organization you must first remove all member accounts "
                        "(except the management account).");
    if (org_policy_forget_all(c->db) || org_unit_forget_all(c->db) ||
        org_handshake_forget_all(c->db) || tags_forget_namespace(c->db, TAGS_ORGANIZATIONS) ||
        org_delete(c->db, &o))
        return org_fail_db(c);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Registration */

/* Every write runs in one transaction (OP_TX): a refused request changes nothing. */
static const op_def OPS[] = {
    {"AcceptHandshake", org_accept_handshake, NULL, OP_TX},
    {"AttachPolicy", org_attach_policy, NULL, OP_TX},
    {"CancelHandshake", org_cancel_handshake, NULL, OP_TX},
    {"CreateAccount", org_create_account, NULL, OP_TX},
    {"CreateOrganization", create_organization, NULL, OP_TX},
    {"CreateOrganizationalUnit", org_create_organizational_unit, NULL, OP_TX},
    {"CreatePolicy", org_create_policy, NULL, OP_TX},
    {"DeclineHandshake", org_decline_handshake, NULL, OP_TX},
    {"DeleteOrganization", delete_organization, NULL, OP_TX},
    {"DeleteOrganizationalUnit", org_delete_organizational_unit, NULL, OP_TX},
    {"DeletePolicy", org_delete_policy, NULL, OP_TX},
    {"DeregisterDelegatedAdministrator", org_deregister_delegated_administrator, NULL, OP_TX},
    {"DescribeAccount", org_describe_account, NULL, 0},
    {"DescribeCreateAccountStatus", org_describe_create_account_status, NULL, 0},
    {"DescribeHandshake", org_describe_handshake, NULL, 0},
    {"DescribeOrganization", describe_organization, NULL, 0},
    {"DescribeOrganizationalUnit", org_describe_organizational_unit, NULL, 0},
    {"DescribePolicy", org_describe_policy, NULL, 0},
    {"DetachPolicy", org_detach_policy, NULL, OP_TX},
    {"DisableAWSServiceAccess", org_disable_aws_service_access, NULL, OP_TX},
    {"DisablePolicyType", org_disable_policy_type, NULL, OP_TX},
    {"EnableAWSServiceAccess", org_enable_aws_service_access, NULL, OP_TX},
    {"EnableAllFeatures", org_enable_all_features, NULL, OP_TX},
    {"EnablePolicyType", org_enable_policy_type, NULL, OP_TX},
    {"InviteAccountToOrganization", org_invite_account_to_organization, NULL, OP_TX},
    {"LeaveOrganization", org_leave_organization, NULL, OP_TX},
    {"ListAWSServiceAccessForOrganization", org_list_aws_service_access_for_organization, NULL, 0},
    {"ListAccounts", org_list_accounts, NULL, 0},
    {"ListAccountsForParent", org_list_accounts_for_parent, NULL, 0},
    {"ListChildren", org_list_children, NULL, 0},
    {"ListCreateAccountStatus", org_list_create_account_status, NULL, 0},
    {"ListDelegatedAdministrators", org_list_delegated_administrators, NULL, 0},
    {"ListDelegatedServicesForAccount", org_list_delegated_services_for_account, NULL, 0},
    {"ListHandshakesForAccount", org_list_handshakes_for_account, NULL, 0},
    {"ListHandshakesForOrganization", org_list_handshakes_for_organization, NULL, 0},
    {"ListOrganizationalUnitsForParent", org_list_organizational_units_for_parent, NULL, 0},
    {"ListParents", org_list_parents, NULL, 0},
    {"ListPolicies", org_list_policies, NULL, 0},
    {"ListPoliciesForTarget", org_list_policies_for_target, NULL, 0},
    {"ListRoots", org_list_roots, NULL, 0},
    {"ListTagsForResource", org_list_tags_for_resource, NULL, 0},
    {"ListTargetsForPolicy", org_list_targets_for_policy, NULL, 0},
    {"MoveAccount", org_move_account, NULL, OP_TX},
    {"RegisterDelegatedAdministrator", org_register_delegated_administrator, NULL, OP_TX},
    {"RemoveAccountFromOrganization", org_remove_account_from_organization, NULL, OP_TX},
    {"TagResource", org_tag_resource, NULL, OP_TX},
    {"UntagResource", org_untag_resource, NULL, OP_TX},
    {"UpdateOrganizationalUnit", org_update_organizational_unit, NULL, OP_TX},
    {"UpdatePolicy", org_update_policy, NULL, OP_TX},
};

const service_def SVC_ORGANIZATIONS = {.signing_name = "organizations",
                                       .style = VSTYLE_ORGS,
                                       .ops = OPS,
                                       .n_ops = sizeof OPS / sizeof *OPS,
                                       .fail_db = org_fail_db,
                                       .authz_resource = org_resource,
                                       .authz_keys = org_condition_keys};
