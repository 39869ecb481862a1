/* cloudtrail_org: organization trails' preconditions and CloudTrail's delegated
 * administrators.
 *
 * The checks run in the order the fact sheet recommends (AWS documents none): in an
 * organization, all features, management account or delegated administrator, trusted
 * access for cloudtrail.amazonaws.com, service-linked roles. Where AWS's sources are
 * silent, orgtrail maps "CloudTrail cannot act for the organization" to what a
 * self-hosted server can know: the management account's CloudTrail service-linked role
 * is missing and the caller (a delegated administrator) cannot create it there ->
 * InsufficientDependencyServiceAccessPermissionException, as reported from the field.
 *
 * RegisterOrganizationDelegatedAdmin registers the account with Organizations for
 * cloudtrail.amazonaws.com (so ListDelegatedAdministrators shows it) and makes sure the
 * CloudTrail service-linked role exists in the management account, as AWS does. */
#include <stdio.h>
#include <string.h>

#include "state/iam_state.h"
#include "svc/cloudtrail_internal.h"

#define CT_MAX_DELEGATED_ADMINS 3

static int not_in_use(call_ctx *c)
{
    return aws_fail(&c->err, 400, "OrganizationsNotInUseException",
                    "This account is not a member of an organization.");
}

static int not_all_features(call_ctx *c)
{
    return aws_fail(&c->err, 400, "OrganizationNotInAllFeaturesModeException",
                    "This operation requires that all features are enabled in your "
                    "organization.");
}

static int access_not_enabled(call_ctx *c)
{
    return aws_fail(&c->err, 400, "CloudTrailAccessNotEnabledException",
                    "The request could not be processed because your organization hasn't enabled "
                    "CloudTrail service access. Enable service access for CloudTrail, and then "
                    "try again.");
}

void ct_caller_org_id(call_ctx *c, char *out, size_t n)
{
    org_info o;
    snprintf(out, n, "%s", org_of_account(c->db, c->caller->account_id, &o) ? o.id : "");
}

/* What the creator of an organization trail needs besides cloudtrail:CreateTrail: the
 * CloudTrail User Guide's permission list for organization trails (the seed's example
 * policy), since CloudTrail reads the organization and sets up its service-linked role
 * with the caller's own permissions. */
static int org_trail_permissions(call_ctx *c)
{
    static const char *const actions[] = {
        "iam:GetRole",
        "organizations:EnableAWSServiceAccess",
        "organizations:ListAccounts",
        "iam:CreateServiceLinkedRole",
        "organizations:DisableAWSServiceAccess",
        "organizations:DescribeOrganization",
        "organizations:ListAWSServiceAccessForOrganization",
    };
    char slr[256];
    snprintf(slr, sizeof slr,
             "arn:aws:iam::%s:role/aws-service-role/%s/AWSServiceRoleForCloudTrail",
             c->caller->account_id, CT_PRINCIPAL);
    for (size_t i = 0; i < sizeof actions / sizeof *actions; i++) {
        authz_target t = {
            .action = actions[i],
            .resource = !strncmp(actions[i], "iam:", 4) ? slr : "*",
        };
        authz_input in;
        authz_result r = call_decide(c, &t, &in);
        if (r.decision == AUTHZ_ALLOW) continue;
        char why[2048];
        authz_message(&in, r, call_caller_arn(c), why, sizeof why);
        return aws_fail(&c->err, 400, "InsufficientDependencyServiceAccessPermissionException",
                        "AWS CloudTrail cannot create resources for your organization because "
                        "access to one or more required APIs has been denied: %s. Add %s to the "
                        "caller's permissions (see the organization trail permissions in the "
                        "CloudTrail User Guide).",
                        why, actions[i]);
    }
    return 0;
}

int ct_org_preconditions(call_ctx *c, org_info *o, bool management_only)
{
    const char *me = c->caller->account_id;
    if (!org_of_account(c->db, me, o)) return not_in_use(c);
    if (strcmp(o->feature_set, "ALL")) return not_all_features(c);
    bool management = !strcmp(o->master_account, me);
    if (!management && management_only)
        return aws_fail(&c->err, 400, "NotOrganizationMasterAccountException",
                        "Only the management account of the organization can convert a trail "
                        "to or from an organization trail.");
    if (!management && !org_is_delegated_admin(c->db, me, CT_PRINCIPAL))
        return aws_fail(&c->err, 400, "NotOrganizationMasterAccountException",
                        "The account %s is not the management account or a delegated "
                        "administrator of its organization.",
                        me);
    if (org_trail_permissions(c)) return -1;
    if (!org_service_access_enabled(c->db, CT_PRINCIPAL)) return access_not_enabled(c);
    if (!iam_slr_exists(c->db, o->master_account, "organizations.amazonaws.com"))
        return aws_fail(&c->err, 400, "NoManagementAccountSLRExistsException",
                        "The management account %s has no service-linked role for AWS "
                        "Organizations (AWSServiceRoleForOrganizations).",
                        o->master_account);
    if (!iam_slr_exists(c->db, o->master_account, CT_PRINCIPAL)) {
        if (!management)
            return aws_fail(&c->err, 400, "InsufficientDependencyServiceAccessPermissionException",
                            "AWS CloudTrail cannot create resources for your organization "
                            "because access to one or more required APIs has been denied: the "
                            "management account has no AWSServiceRoleForCloudTrail role.");
        if (iam_ensure_slr(c->db, me, CT_PRINCIPAL, c->now_ms, &c->err)) return -1;
    }
    return 0;
}

/* The organization checks both delegated-admin operations share. */
static int management_caller(call_ctx *c, org_info *o)
{
    const char *me = c->caller->account_id;
    if (!org_of_account(c->db, me, o)) return not_in_use(c);
    if (strcmp(o->feature_set, "ALL")) return not_all_features(c);
    if (strcmp(o->master_account, me))
        return aws_fail(&c->err, 400, "NotOrganizationManagementAccountException",
                        "This operation can be performed only by the management account of the "
                        "organization.");
    if (!org_service_access_enabled(c->db, CT_PRINCIPAL)) return access_not_enabled(c);
    return 0;
}

static int account_not_found(call_ctx *c, const char *id)
{
    return aws_fail(&c->err, 400, "AccountNotFoundException",
                    "The account %s was not found in your organization.", id);
}

int ct_register_delegated_admin(call_ctx *c)
{
    org_info o;
    if (management_caller(c, &o)) return -1;
    const char *id = in_str(c, "MemberAccountId");
    if (!strcmp(id, o.master_account))
        return aws_fail(&c->err, 400, "CannotDelegateManagementAccountException",
                        "You cannot register the management account as a delegated "
                        "administrator.");
    if (!org_of_account(c->db, id, &o)) return account_not_found(c, id);
    if (org_is_delegated_admin(c->db, id, CT_PRINCIPAL))
        return aws_fail(&c->err, 400, "AccountRegisteredException",
                        "Account %s is already registered as a delegated administrator.", id);
    int64_t n = 0;
    db_get_int(c->db, &n, "SELECT COUNT(*) FROM org_delegated_admins WHERE service_principal = ?",
               "s", CT_PRINCIPAL);
    if (n >= CT_MAX_DELEGATED_ADMINS)
        return aws_fail(&c->err, 400, "DelegatedAdminAccountLimitExceededException",
                        "The organization already has %d delegated administrators for "
                        "CloudTrail.",
                        CT_MAX_DELEGATED_ADMINS);
    if (org_delegated_admin_add(c->db, id, CT_PRINCIPAL, c->now_ms)) return ct_fail_db(c);
    if (iam_ensure_slr(c->db, o.master_account, CT_PRINCIPAL, c->now_ms, &c->err)) return -1;
    return 0;
}

int ct_deregister_delegated_admin(call_ctx *c)
{
    org_info o;
    if (management_caller(c, &o)) return -1;
    const char *id = in_str(c, "DelegatedAdminAccountId");
    if (!org_of_account(c->db, id, &o)) return account_not_found(c, id);
    if (!org_is_delegated_admin(c->db, id, CT_PRINCIPAL))
        return aws_fail(&c->err, 400, "AccountNotRegisteredException",
                        "Account %s is not registered as a delegated administrator.", id);
    if (org_delegated_admin_remove(c->db, id, CT_PRINCIPAL)) return ct_fail_db(c);
    return 0;
}
