/* org_units: the root and the organizational units below it (ListRoots, the OU
 * operations, ListChildren, ListParents) and the paths AWS gives accounts and OUs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/ids.h"
#include "state/org_policy_state.h"
#include "state/org_unit_state.h"
#include "svc/org_internal.h"

#define OU_MAX_DEPTH 5

bool org_parent_exists(db_conn *db, const org_info *o, const char *id)
{
    return !strcmp(id, o->root_id) || (!strncmp(id, "ou-", 3) && org_unit_get(db, id, NULL));
}

int org_parent_path(db_conn *db, const org_info *o, const char *parent_id, buf *out)
{
    char chain[OU_MAX_DEPTH + 2][72];
    int n = 0;
    org_unit u;
    snprintf(u.parent_id, sizeof u.parent_id, "%s", parent_id);
    while (n < OU_MAX_DEPTH + 2 && !strncmp(u.parent_id, "ou-", 3)) {
        snprintf(chain[n++], sizeof chain[0], "%s", u.parent_id);
        if (!org_unit_get(db, chain[n - 1], &u)) break;
    }
    if (out) {
        buf_printf(out, "%s/%s/", o->id, o->root_id);
        for (int i = n - 1; i >= 0; i--)
            buf_printf(out, "%s/", chain[i]);
    }
    return n;
}

static json_t *policy_types_json(db_conn *db, const org_info *o)
{
    json_t *arr = json_array();
    size_t n;
    org_policy_type *types = org_policy_types_alloc(db, o->root_id, &n);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:s}", "Type", types[i].type, "Status", types[i].status));
    free(types);
    return arr;
}

json_t *org_root_json(db_conn *db, const org_info *o)
{
    char arn[160];
    org_arn(arn, sizeof arn, o, "root", o->root_id);
    return json_pack("{s:s, s:s, s:s, s:o}", "Id", o->root_id, "Arn", arn, "Name", "Root",
                     "PolicyTypes", policy_types_json(db, o));
}

int org_list_roots(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    json_t *all = json_array();
    json_array_append_new(all, org_root_json(c->db, &o));
    return org_paginate(c, all, "Roots");
}

/* ---------------------------------------------------------------------------------------
 * Organizational units */

static json_t *ou_json(db_conn *db, const org_info *o, const org_unit *u)
{
    json_t *j = json_object();
    char arn[200];
    org_arn(arn, sizeof arn, o, "ou", u->id);
    org_set_str(j, "Id", u->id);
    org_set_str(j, "Arn", arn);
    org_set_str(j, "Name", u->name);
    buf p = BUF_INIT;
    org_parent_path(db, o, u->parent_id, &p);
    buf_printf(&p, "%s/", u->id);
    org_set_str(j, "Path", buf_cstr(&p));
    buf_free(&p);
    return j;
}

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

int org_create_organizational_unit(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *parent = in_str(c, "ParentId");
    const char *name = in_str(c, "Name");
    if (!org_parent_exists(c->db, &o, parent)) return org_parent_not_found(c);
    if (org_parent_path(c->db, &o, parent, NULL) >= OU_MAX_DEPTH)
        return org_constraint(c, "OU_DEPTH_LIMIT_EXCEEDED",
                              "You attempted to create an OU tree that is too many levels deep.");
    if (org_unit_name_taken(c->db, parent, name, NULL)) return duplicate_ou(c);
    const json_t *tags = json_object_get(c->in, "Tags");
    if (tags && org_check_tags(c, NULL, tags)) return -1;
    org_unit u;
    char suffix[16];
    ids_from_alphabet(suffix, 8, IDS_LOWER_ALNUM);
    snprintf(u.id, sizeof u.id, "ou-%s-%s", o.root_id + 2, suffix);
    snprintf(u.parent_id, sizeof u.parent_id, "%s", parent);
    snprintf(u.name, sizeof u.name, "%s", name);
    if (org_unit_create(c->db, &u, c->now_ms)) return org_fail_db(c);
    if ((tags && org_put_tags(c, u.id, tags)) || org_attach_default_scp(c, &o, u.id)) return -1;
    c->out = json_pack("{s:o}", "OrganizationalUnit", ou_json(c->db, &o, &u));
    return 0;
}

int org_describe_organizational_unit(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    org_unit u;
    if (!org_unit_get(c->db, in_str(c, "OrganizationalUnitId"), &u)) return ou_not_found(c);
    c->out = json_pack("{s:o}", "OrganizationalUnit", ou_json(c->db, &o, &u));
    return 0;
}

int org_update_organizational_unit(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "OrganizationalUnitId");
    const char *new_name = in_str(c, "Name");
    org_unit u;
    if (!org_unit_get(c->db, id, &u)) return ou_not_found(c);
    if (new_name) {
        if (org_unit_name_taken(c->db, u.parent_id, new_name, id)) return duplicate_ou(c);
        if (org_unit_rename(c->db, id, new_name)) return org_fail_db(c);
        snprintf(u.name, sizeof u.name, "%s", new_name);
    }
    c->out = json_pack("{s:o}", "OrganizationalUnit", ou_json(c->db, &o, &u));
    return 0;
}

int org_delete_organizational_unit(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "OrganizationalUnitId");
    if (!org_unit_get(c->db, id, NULL)) return ou_not_found(c);
    if (!org_unit_is_empty(c->db, id))
        return aws_fail(&c->err, 400, "OrganizationalUnitNotEmptyException",
                        "The specified OU is not empty. Move all accounts to another root or to "
                        "other OUs, remove all child OUs, and try the operation again.");
    if (org_unit_delete(c->db, id) || org_policy_detach_all(c->db, id)) return org_fail_db(c);
    return org_drop_tags(c, id);
}

static json_t *ous_under(call_ctx *c, const org_info *o, const char *parent_id)
{
    json_t *all = json_array();
    size_t n;
    org_unit *units = org_units_alloc(c->db, parent_id, &n);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(all, ou_json(c->db, o, &units[i]));
    free(units);
    return all;
}

int org_list_organizational_units_for_parent(call_ctx *c)
{
    return org_list_under_parent(c, ous_under, "OrganizationalUnits");
}

static json_t *children_under(call_ctx *c, const org_info *o, const char *parent_id)
{
    const char *type = in_str(c, "ChildType");
    json_t *all = json_array();
    size_t n;
    if (!strcmp(type, "ACCOUNT")) {
        org_account *accounts = org_accounts_alloc(c->db, o, parent_id, &n);
        for (size_t i = 0; i < n; i++)
            json_array_append_new(all, json_pack("{s:s, s:s}", "Id", accounts[i].id, "Type", type));
        free(accounts);
    } else {
        org_unit *units = org_units_alloc(c->db, parent_id, &n);
        for (size_t i = 0; i < n; i++)
            json_array_append_new(all, json_pack("{s:s, s:s}", "Id", units[i].id, "Type", type));
        free(units);
    }
    return all;
}

int org_list_children(call_ctx *c)
{
    return org_list_under_parent(c, children_under, "Children");
}

int org_list_parents(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    const char *child = in_str(c, "ChildId");
    char parent[72] = "";
    org_unit u;
    org_account a;
    if (!strncmp(child, "ou-", 3)) {
        if (org_unit_get(c->db, child, &u)) snprintf(parent, sizeof parent, "%s", u.parent_id);
    } else if (org_account_in(c->db, &o, child, &a)) {
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
    return org_paginate(c, all, "Parents");
}
