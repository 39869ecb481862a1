/* org_delegation: trusted access (Enable/DisableAWSServiceAccess) and delegated
 * administrators, for the AWS services that integrate with Organizations. */
#include <stdlib.h>
#include <string.h>

#include "svc/org_internal.h"

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

static int unrecognized_principal(call_ctx *c)
{
    return org_invalid_input(c, "UNRECOGNIZED_SERVICE_PRINCIPAL",
                             "You specified an unrecognized service principal.");
}

static int not_registered(call_ctx *c)
{
    return aws_fail(&c->err, 400, "AccountNotRegisteredException",
                    "The provided account is not a registered delegated administrator for "
                    "your organization.");
}

/* Takes the rows (freeing them) and answers them as a page of {ServicePrincipal, date}. */
static int page_of_services(call_ctx *c, org_service_date *rows, size_t n, const char *date_key,
                            const char *member)
{
    json_t *all = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_object();
        org_set_str(j, "ServicePrincipal", rows[i].service_principal);
        json_object_set_new(j, date_key, json_time(rows[i].ms));
        json_array_append_new(all, j);
    }
    free(rows);
    return org_paginate(c, all, member);
}

int org_enable_aws_service_access(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *sp = in_str(c, "ServicePrincipal");
    if (!trusted_service(sp)) return unrecognized_principal(c);
    if (strcmp(o.feature_set, "ALL"))
        return org_constraint(c, "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
                              "Trusted access needs an organization with all features enabled.");
    if (org_service_access_enable(c->db, sp, c->now_ms)) return org_fail_db(c);
    /* CloudTrail needs its service-linked role in every account for organization trails. */
    if (!strcmp(sp, "cloudtrail.amazonaws.com") && org_ensure_slr_everywhere(c, sp)) return -1;
    return 0;
}

int org_disable_aws_service_access(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *sp = in_str(c, "ServicePrincipal");
    if (!trusted_service(sp)) return unrecognized_principal(c);
    /* Service-linked roles and delegated administrators stay, as in AWS. */
    if (org_service_access_disable(c->db, sp)) return org_fail_db(c);
    return 0;
}

int org_list_aws_service_access_for_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    size_t n;
    org_service_date *rows = org_service_access_alloc(c->db, &n);
    return page_of_services(c, rows, n, "DateEnabled", "EnabledServicePrincipals");
}

int org_register_delegated_administrator(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "AccountId");
    const char *sp = in_str(c, "ServicePrincipal");
    const struct trusted_service *ts = trusted_service(sp);
    if (!ts || ts->max_delegated_admins == 0) return unrecognized_principal(c);
    org_account a;
    if (!org_account_in(c->db, &o, id, &a)) return org_account_not_found(c);
    if (!strcmp(id, o.master_account))
        return org_constraint(c, "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
                              "You can't register the management account of the organization as "
                              "a delegated administrator.");
    if (!strcmp(a.state, "SUSPENDED"))
        return org_constraint(c, "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
                              "You cannot register a suspended account as a delegated "
                              "administrator.");
    if (org_is_delegated_admin(c->db, id, sp))
        return aws_fail(&c->err, 400, "AccountAlreadyRegisteredException",
                        "The provided account is already a delegated administrator for your "
                        "organization.");
    if (!org_service_access_enabled(c->db, sp))
        return org_constraint(c, "SERVICE_ACCESS_NOT_ENABLED",
                              "You attempted to register a delegated administrator before you "
                              "enabled service access. Call the EnableAWSServiceAccess API "
                              "first.");
    if (org_delegated_admin_count(c->db, sp) >= ts->max_delegated_admins)
        return ts->max_delegated_admins == 1
                   ? org_constraint(c, "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE",
                                    "This service already has a delegated administrator. "
                                    "Deregister it first.")
                   : org_constraint(c, "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED",
                                    "You attempted to register more delegated administrators "
                                    "than allowed for the service principal.");
    if (org_delegated_admin_add(c->db, id, sp, c->now_ms)) return org_fail_db(c);
    return 0;
}

int org_deregister_delegated_administrator(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "AccountId");
    const char *sp = in_str(c, "ServicePrincipal");
    if (!trusted_service(sp)) return unrecognized_principal(c);
    if (!org_account_in(c->db, &o, id, NULL)) return org_account_not_found(c);
    if (!org_is_delegated_admin(c->db, id, sp)) return not_registered(c);
    if (org_delegated_admin_remove(c->db, id, sp)) return org_fail_db(c);
    return 0;
}

int org_list_delegated_administrators(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    json_t *all = json_array();
    size_t n;
    /* One entry per account; its delegation date is its first registration's. */
    org_delegated_admin *rows =
        org_delegated_admins_alloc(c->db, &o, in_str(c, "ServicePrincipal"), &n);
    for (size_t i = 0; i < n; i++) {
        json_t *j = org_account_json(c->db, &o, &rows[i].account, false);
        json_object_set_new(j, "DelegationEnabledDate", json_time(rows[i].delegated_ms));
        json_array_append_new(all, j);
    }
    free(rows);
    return org_paginate(c, all, "DelegatedAdministrators");
}

int org_list_delegated_services_for_account(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    const char *id = in_str(c, "AccountId");
    if (!org_account_in(c->db, &o, id, NULL)) return org_account_not_found(c);
    size_t n;
    org_service_date *rows = org_delegated_services_alloc(c->db, id, &n);
    if (!n) {
        free(rows);
        return not_registered(c);
    }
    return page_of_services(c, rows, n, "DelegationEnabledDate", "DelegatedServices");
}
