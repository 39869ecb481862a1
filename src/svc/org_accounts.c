/* org_accounts: CreateAccount and its status, the accounts of the organization, and what
 * joining and leaving do (MoveAccount, RemoveAccountFromOrganization, LeaveOrganization). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/ids.h"
#include "state/iam_state.h"
#include "state/org_policy_state.h"
#include "svc/org_internal.h"

static const char ADMIN_POLICY_ARN[] = "arn:aws:iam::aws:policy/AdministratorAccess";
static const char DEFAULT_ACCESS_ROLE[] = "OrganizationAccountAccessRole";

json_t *org_account_json(db_conn *db, const org_info *o, const org_account *a, bool paths)
{
    json_t *j = json_object();
    char arn[160];
    org_arn(arn, sizeof arn, o, "account", a->id);
    org_set_str(j, "Id", a->id);
    org_set_str(j, "Arn", arn);
    org_set_str(j, "Email", a->email);
    org_set_str(j, "Name", a->name);
    /* Status (being retired) knows no CLOSED or PENDING_ACTIVATION. */
    const char *status = !strcmp(a->state, "PENDING_CLOSURE") ? "PENDING_CLOSURE"
                         : !strcmp(a->state, "ACTIVE")        ? "ACTIVE"
                                                              : "SUSPENDED";
    org_set_str(j, "Status", status);
    org_set_str(j, "State", a->state);
    if (paths) {
        buf p = BUF_INIT;
        org_parent_path(db, o, a->parent_id, &p);
        buf_printf(&p, "%s/", a->id);
        json_object_set_new(j, "Paths", json_pack("[s]", buf_cstr(&p)));
        buf_free(&p);
    }
    org_set_str(j, "JoinedMethod", a->joined_method);
    json_object_set_new(j, "JoinedTimestamp", json_time(a->joined_ms));
    return j;
}

/* ---------------------------------------------------------------------------------------
 * Membership */

int org_join(call_ctx *c, const org_info *o, const char *account_id, const char *method)
{
    if (org_account_join(c->db, o, account_id, method, c->now_ms)) return org_fail_db(c);
    if (org_account_joined(c->db, account_id, c->now_ms, &c->err)) return -1;
    return org_attach_default_scp(c, o, account_id);
}

/* The account becomes standalone: it keeps its roles (so that it can be invited back)
 * and loses its tags, policy attachments and open approval requests. */
static int leave_org(call_ctx *c, const org_info *o, const char *account_id)
{
    if (org_account_leave(c->db, account_id) || org_policy_detach_all(c->db, account_id))
        return org_fail_db(c);
    if (org_drop_tags(c, account_id) || org_cancel_approvals(c, NULL, account_id) ||
        org_account_left(c->db, account_id, &c->err) || org_reevaluate_all_features(c, o))
        return -1;
    return 0;
}

static int refuse_delegated_admin_leaving(call_ctx *c, const char *account_id)
{
    if (org_is_any_delegated_admin(c->db, account_id))
        return org_constraint(c, "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
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

int org_ensure_slr_everywhere(call_ctx *c, const char *service_principal)
{
    slr_walk w = {c->db, service_principal, c->now_ms, &c->err, 0};
    org_each_account(c->db, ensure_slr_in, &w);
    return w.rc;
}

/* ---------------------------------------------------------------------------------------
 * CreateAccount */

static json_t *create_status_json(const org_create_status *s)
{
    json_t *j = json_object();
    org_set_str(j, "Id", s->id);
    org_set_str(j, "AccountName", s->account_name);
    org_set_str(j, "State", s->state);
    json_object_set_new(j, "RequestedTimestamp", json_time(s->requested_ms));
    if (s->completed) json_object_set_new(j, "CompletedTimestamp", json_time(s->completed_ms));
    if (s->account_id[0]) org_set_str(j, "AccountId", s->account_id);
    if (s->failure_reason[0]) org_set_str(j, "FailureReason", s->failure_reason);
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
    if (account_create(c->db, account_id, name, email, c->now_ms)) return org_fail_db(c);
    char *trust = iam_trust_account_root_alloc(o->master_account);
    char role_id[32];
    int rc = iam_role_create(c->db, account_id, role_name, "/", trust, NULL, 3600, NULL, c->now_ms,
                             role_id, &c->err);
    free(trust);
    if (rc) return -1;
    if (iam_role_attach_policy(c->db, account_id, role_name, ADMIN_POLICY_ARN))
        return org_fail_db(c);
    return org_join(c, o, account_id, "CREATED");
}

int org_create_account(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *email = in_str(c, "Email");
    const char *name = in_str(c, "AccountName");
    const char *role = in_str(c, "RoleName");
    if (!role) role = DEFAULT_ACCESS_ROLE;
    if (!strncasecmp(role, "AWSServiceRoleFor", 17))
        return org_invalid_input(c, "INVALID_ROLE_NAME",
                                 "You provided a role name that isn't valid. A role name can't "
                                 "begin with the reserved prefix 'AWSServiceRoleFor'.");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (tags && org_check_tags(c, NULL, tags)) return -1;

    org_create_status s = {0};
    char suffix[16];
    ids_from_alphabet(suffix, 8, IDS_LOWER_ALNUM);
    snprintf(s.id, sizeof s.id, "car-%s", suffix);
    snprintf(s.account_name, sizeof s.account_name, "%s", name);
    s.requested_ms = s.completed_ms = c->now_ms;
    s.completed = true;
    char taken[13];
    if (account_id_by_email(c->db, email, taken)) {
        snprintf(s.state, sizeof s.state, "FAILED");
        snprintf(s.failure_reason, sizeof s.failure_reason, "EMAIL_ALREADY_EXISTS");
    } else {
        new_account_id(c->db, s.account_id);
        if (provision_account(c, &o, s.account_id, name, email, role)) return -1;
        if (tags && org_put_tags(c, s.account_id, tags)) return -1;
        snprintf(s.state, sizeof s.state, "SUCCEEDED");
    }
    if (org_create_status_add(c->db, &s)) return org_fail_db(c);
    /* AWS answers before the account exists; clients poll DescribeCreateAccountStatus. */
    json_t *st = json_object();
    org_set_str(st, "Id", s.id);
    org_set_str(st, "AccountName", name);
    org_set_str(st, "State", "IN_PROGRESS");
    json_object_set_new(st, "RequestedTimestamp", json_time(c->now_ms));
    c->out = json_pack("{s:o}", "CreateAccountStatus", st);
    return 0;
}

int org_describe_create_account_status(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    org_create_status s;
    if (!org_create_status_get(c->db, in_str(c, "CreateAccountRequestId"), &s))
        return aws_fail(&c->err, 400, "CreateAccountStatusNotFoundException",
                        "We can't find a create account request with the "
                        "CreateAccountRequestId that you specified.");
    c->out = json_pack("{s:o}", "CreateAccountStatus", create_status_json(&s));
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

int org_list_create_account_status(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    const json_t *states = json_object_get(c->in, "States");
    json_t *all = json_array();
    size_t n;
    org_create_status *rows = org_create_status_alloc(c->db, &n);
    for (size_t i = 0; i < n; i++)
        if (state_wanted(states, rows[i].state))
            json_array_append_new(all, create_status_json(&rows[i]));
    free(rows);
    return org_paginate(c, all, "CreateAccountStatuses");
}

/* ---------------------------------------------------------------------------------------
 * Accounts */

static json_t *accounts_json(db_conn *db, const org_info *o, const char *parent_id)
{
    json_t *all = json_array();
    size_t n;
    org_account *rows = org_accounts_alloc(db, o, parent_id, &n);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(all, org_account_json(db, o, &rows[i], true));
    free(rows);
    return all;
}

int org_list_accounts(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    return org_paginate(c, accounts_json(c->db, &o, NULL), "Accounts");
}

static json_t *accounts_under(call_ctx *c, const org_info *o, const char *parent_id)
{
    return accounts_json(c->db, o, parent_id);
}

int org_list_accounts_for_parent(call_ctx *c)
{
    return org_list_under_parent(c, accounts_under, "Accounts");
}

int org_describe_account(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    org_account a;
    if (!org_account_in(c->db, &o, in_str(c, "AccountId"), &a)) return org_account_not_found(c);
    c->out = json_pack("{s:o}", "Account", org_account_json(c->db, &o, &a, true));
    return 0;
}

int org_remove_account_from_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "AccountId");
    if (!strcmp(id, o.master_account)) return master_cannot_leave(c);
    if (!org_account_in(c->db, &o, id, NULL)) return org_account_not_found(c);
    if (refuse_delegated_admin_leaving(c, id)) return -1;
    return leave_org(c, &o, id);
}

int org_leave_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MEMBER)) return -1;
    if (org_is_management(c, &o)) return master_cannot_leave(c);
    if (refuse_delegated_admin_leaving(c, c->caller->account_id)) return -1;
    return leave_org(c, &o, c->caller->account_id);
}

int org_move_account(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "AccountId");
    const char *src = in_str(c, "SourceParentId");
    const char *dst = in_str(c, "DestinationParentId");
    org_account a;
    if (!org_account_in(c->db, &o, id, &a)) return org_account_not_found(c);
    if (!org_parent_exists(c->db, &o, src))
        return aws_fail(&c->err, 400, "SourceParentNotFoundException",
                        "We can't find a source root or OU with the ParentId that you "
                        "specified.");
    if (!org_parent_exists(c->db, &o, dst))
        return aws_fail(&c->err, 400, "DestinationParentNotFoundException",
                        "We can't find a destination root or OU with the ParentId that you "
                        "specified.");
    if (strcmp(a.parent_id, src))
        return aws_fail(&c->err, 400, "AccountNotFoundException",
                        "The account %s is not in the source parent %s.", id, src);
    if (!strcmp(a.parent_id, dst))
        return aws_fail(&c->err, 400, "DuplicateAccountException",
                        "That account is already present in the specified destination.");
    if (org_account_move(c->db, id, dst)) return org_fail_db(c);
    return 0;
}
