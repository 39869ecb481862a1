/* org_policies: policy types of the root, policies, their attachments to roots, OUs and
 * accounts, and the targets they name (enforcing SCPs is elsewhere). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "policy/policy.h"
#include "state/org_policy_state.h"
#include "state/org_unit_state.h"
#include "svc/org_internal.h"

#define SCP_MAX_CHARS 5120           /* AWS quota for SCP documents */
#define OTHER_POLICY_MAX_CHARS 10000 /* tag, backup and the other management policies */
#define MAX_POLICIES_PER_TYPE 1000
#define MAX_ATTACHED_PER_TYPE 5

char org_resolve_target(db_conn *db, const org_info *o, const char *id)
{
    if (!strcmp(id, o->root_id)) return 'r';
    if (!strncmp(id, "ou-", 3)) return org_unit_get(db, id, NULL) ? 'o' : 0;
    if (!strncmp(id, "p-", 2)) return org_policy_exists(db, id) ? 'p' : 0;
    if (strlen(id) == 12 && org_account_in(db, o, id, NULL)) return 'a';
    return 0;
}

int org_attach_default_scp(call_ctx *c, const org_info *o, const char *target)
{
    if (!org_policy_type_enabled(c->db, o->root_id, "SERVICE_CONTROL_POLICY")) return 0;
    if (org_policy_attach_full_access(c->db, target)) return org_fail_db(c);
    return 0;
}

static json_t *policy_summary_json(const org_info *o, const org_policy *p)
{
    char arn[320], type[48];
    org_lowercase_copy(type, sizeof type, p->type);
    if (p->aws_managed)
        snprintf(arn, sizeof arn, "arn:aws:organizations::aws:policy/%s/%s", type, p->id);
    else
        snprintf(arn, sizeof arn, "arn:aws:organizations::%s:policy/%s/%s/%s", o->master_account,
                 o->id, type, p->id);
    json_t *j = json_object();
    org_set_str(j, "Id", p->id);
    org_set_str(j, "Arn", arn);
    org_set_str(j, "Name", p->name);
    org_set_str(j, "Description", p->description);
    org_set_str(j, "Type", p->type);
    json_object_set_new(j, "AwsManaged", json_boolean(p->aws_managed));
    return j;
}

static json_t *policy_json(const org_info *o, const org_policy *p)
{
    json_t *j = json_object();
    json_object_set_new(j, "PolicySummary", policy_summary_json(o, p));
    org_set_str(j, "Content", p->content ? p->content : "");
    return j;
}

/* Takes the policies (freeing them) and answers them as a page of summaries. */
static int page_of_summaries(call_ctx *c, const org_info *o, org_policy *ps, size_t n)
{
    json_t *all = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(all, policy_summary_json(o, &ps[i]));
    org_policies_free(ps, n);
    return org_paginate(c, all, "Policies");
}

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

/* ---------------------------------------------------------------------------------------
 * Policy types */

int org_enable_policy_type(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *type = in_str(c, "PolicyType");
    if (strcmp(in_str(c, "RootId"), o.root_id)) return root_not_found(c);
    if (strcmp(o.feature_set, "ALL")) return policy_type_not_available(c);
    if (org_policy_type_enabled(c->db, o.root_id, type))
        return aws_fail(&c->err, 400, "PolicyTypeAlreadyEnabledException",
                        "The specified policy type is already enabled.");
    if (org_policy_type_enable(c->db, o.root_id, type)) return org_fail_db(c);
    /* Every root, OU and account starts with FullAWSAccess, so that enabling SCPs
     * changes nobody's permissions. */
    if (!strcmp(type, "SERVICE_CONTROL_POLICY") &&
        (org_policy_ensure_full_access(c->db) || org_policy_attach_full_access(c->db, o.root_id) ||
         org_policy_attach_full_access_everywhere(c->db, o.id)))
        return org_fail_db(c);
    c->out = json_pack("{s:o}", "Root", org_root_json(c->db, &o));
    return 0;
}

int org_disable_policy_type(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *type = in_str(c, "PolicyType");
    if (strcmp(in_str(c, "RootId"), o.root_id)) return root_not_found(c);
    if (!org_policy_type_enabled(c->db, o.root_id, type))
        return aws_fail(&c->err, 400, "PolicyTypeNotEnabledException",
                        "This operation can be performed only for enabled policy types.");
    /* Policies stay; their attachments go (re-enabling starts from FullAWSAccess). */
    if (org_policy_type_disable(c->db, o.root_id, type)) return org_fail_db(c);
    c->out = json_pack("{s:o}", "Root", org_root_json(c->db, &o));
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Policies */

/* Validates a policy document for its type. */
static int check_policy_content(call_ctx *c, const char *type, const char *content)
{
    bool scp = !strcmp(type, "SERVICE_CONTROL_POLICY");
    size_t limit =
        scp || !strcmp(type, "RESOURCE_CONTROL_POLICY") ? SCP_MAX_CHARS : OTHER_POLICY_MAX_CHARS;
    if (strlen(content) > limit)
        return org_constraint(c, "POLICY_CONTENT_LIMIT_EXCEEDED",
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

static int duplicate_policy(call_ctx *c)
{
    return aws_fail(&c->err, 400, "DuplicatePolicyException",
                    "A policy with the same name already exists.");
}

int org_immutable_policy(call_ctx *c)
{
    return org_invalid_input(c, "IMMUTABLE_POLICY",
                             "You specified a policy that is managed by AWS and can't be "
                             "modified.");
}

int org_create_policy(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    if (strcmp(o.feature_set, "ALL")) return policy_type_not_available(c);
    org_policy p = {0};
    snprintf(p.name, sizeof p.name, "%s", in_str(c, "Name"));
    snprintf(p.description, sizeof p.description, "%s", in_str(c, "Description"));
    snprintf(p.type, sizeof p.type, "%s", in_str(c, "Type"));
    const char *content = in_str(c, "Content");
    if (check_policy_content(c, p.type, content)) return -1;
    if (org_policy_name_taken(c->db, p.type, p.name, NULL)) return duplicate_policy(c);
    if (org_policy_count(c->db, p.type) >= MAX_POLICIES_PER_TYPE)
        return org_constraint(c, "POLICY_NUMBER_LIMIT_EXCEEDED",
                              "You attempted to exceed the number of policies that you can have "
                              "in an organization.");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (tags && org_check_tags(c, NULL, tags)) return -1;
    char suffix[16];
    ids_from_alphabet(suffix, 8, IDS_LOWER_ALNUM);
    snprintf(p.id, sizeof p.id, "p-%s", suffix);
    p.content = (char *)content; /* borrowed: p is not cleared */
    if (org_policy_insert(c->db, &p)) return org_fail_db(c);
    if (tags && org_put_tags(c, p.id, tags)) return -1;
    c->out = json_pack("{s:o}", "Policy", policy_json(&o, &p));
    return 0;
}

int org_describe_policy(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    org_policy p;
    if (!org_policy_get(c->db, in_str(c, "PolicyId"), &p)) return policy_not_found(c);
    c->out = json_pack("{s:o}", "Policy", policy_json(&o, &p));
    org_policy_clear(&p);
    return 0;
}

int org_update_policy(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    org_policy p;
    if (!org_policy_get(c->db, in_str(c, "PolicyId"), &p)) return policy_not_found(c);
    const char *name = in_str(c, "Name");
    const char *description = in_str(c, "Description");
    const char *content = in_str(c, "Content");
    int rc = 0;
    if (p.aws_managed) rc = org_immutable_policy(c);
    if (!rc && content) rc = check_policy_content(c, p.type, content);
    if (!rc && name && org_policy_name_taken(c->db, p.type, name, p.id)) rc = duplicate_policy(c);
    if (!rc) {
        if (name) snprintf(p.name, sizeof p.name, "%s", name);
        if (description) snprintf(p.description, sizeof p.description, "%s", description);
        if (content) {
            free(p.content);
            p.content = strdup(content);
            if (!p.content) abort();
        }
        if (org_policy_update(c->db, &p)) rc = org_fail_db(c);
    }
    if (!rc) c->out = json_pack("{s:o}", "Policy", policy_json(&o, &p));
    org_policy_clear(&p);
    return rc;
}

int org_delete_policy(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    org_policy p;
    if (!org_policy_get(c->db, in_str(c, "PolicyId"), &p)) return policy_not_found(c);
    org_policy_clear(&p);
    if (p.aws_managed) return org_immutable_policy(c);
    if (org_policy_attachment_count(c->db, p.id))
        return aws_fail(&c->err, 400, "PolicyInUseException",
                        "The policy is attached to one or more entities. You must detach it from "
                        "all roots, OUs, and accounts before performing this operation.");
    if (org_policy_delete(c->db, p.id)) return org_fail_db(c);
    return org_drop_tags(c, p.id);
}

int org_list_policies(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    size_t n;
    org_policy *ps = org_policies_alloc(c->db, in_str(c, "Filter"), &n);
    return page_of_summaries(c, &o, ps, n);
}

/* ---------------------------------------------------------------------------------------
 * Attachments and targets */

/* Whether `kind` (org_resolve_target) is something policies attach to. */
static bool attachable(char kind)
{
    return kind == 'a' || kind == 'o' || kind == 'r';
}

/* Resolves PolicyId and TargetId of Attach/DetachPolicy. */
static int attachment_parts(call_ctx *c, org_info *o, org_policy *p, const char **target)
{
    if (org_for_caller(c, o, ORG_NEED_MANAGEMENT)) return -1;
    if (!org_policy_get(c->db, in_str(c, "PolicyId"), p)) return policy_not_found(c);
    org_policy_clear(p);
    *target = in_str(c, "TargetId");
    if (!attachable(org_resolve_target(c->db, o, *target))) return org_target_not_found(c);
    return 0;
}

int org_attach_policy(call_ctx *c)
{
    org_info o;
    org_policy p;
    const char *target;
    if (attachment_parts(c, &o, &p, &target)) return -1;
    if (!org_policy_type_enabled(c->db, o.root_id, p.type))
        return aws_fail(&c->err, 400, "PolicyTypeNotEnabledException",
                        "The specified policy type isn't currently enabled in this root. You "
                        "can't attach policies of the specified type to entities in a root "
                        "until you enable that type in the root.");
    if (org_policy_attached(c->db, p.id, target))
        return aws_fail(&c->err, 400, "DuplicatePolicyAttachmentException",
                        "The selected policy is already attached to the specified target.");
    if (org_policy_attached_of_type(c->db, target, p.type) >= MAX_ATTACHED_PER_TYPE)
        return org_constraint(c, "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                              "You attempted to exceed the number of policies of a certain type "
                              "that can be attached to an entity at one time.");
    if (org_policy_attach(c->db, p.id, target)) return org_fail_db(c);
    return 0;
}

int org_detach_policy(call_ctx *c)
{
    org_info o;
    org_policy p;
    const char *target;
    if (attachment_parts(c, &o, &p, &target)) return -1;
    if (!org_policy_attached(c->db, p.id, target))
        return aws_fail(&c->err, 400, "PolicyNotAttachedException",
                        "The policy isn't attached to the specified target in the specified "
                        "root.");
    /* Every root, OU and account keeps at least one SCP: without one, nothing is allowed. */
    if (!strcmp(p.type, "SERVICE_CONTROL_POLICY") &&
        org_policy_attached_of_type(c->db, target, p.type) <= 1)
        return org_constraint(c, "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                              "You attempted to detach a policy from an entity that would cause "
                              "the entity to have fewer than the minimum number of policies of a "
                              "certain type required.");
    if (org_policy_detach(c->db, p.id, target)) return org_fail_db(c);
    return 0;
}

int org_list_policies_for_target(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    const char *target = in_str(c, "TargetId");
    if (!attachable(org_resolve_target(c->db, &o, target))) return org_target_not_found(c);
    size_t n;
    org_policy *ps = org_policies_for_target_alloc(c->db, target, in_str(c, "Filter"), &n);
    return page_of_summaries(c, &o, ps, n);
}

static json_t *target_json(db_conn *db, const org_info *o, const char *t)
{
    char arn[200], name[129] = "";
    const char *type, *kind;
    if (!strcmp(t, o->root_id)) {
        type = "ROOT";
        kind = "root";
        snprintf(name, sizeof name, "Root");
    } else if (!strncmp(t, "ou-", 3)) {
        type = "ORGANIZATIONAL_UNIT";
        kind = "ou";
        org_unit u;
        if (org_unit_get(db, t, &u)) snprintf(name, sizeof name, "%s", u.name);
    } else {
        type = "ACCOUNT";
        kind = "account";
        org_account a;
        if (account_get(db, t, &a)) snprintf(name, sizeof name, "%s", a.name);
    }
    org_arn(arn, sizeof arn, o, kind, t);
    json_t *j = json_object();
    org_set_str(j, "TargetId", t);
    org_set_str(j, "Arn", arn);
    org_set_str(j, "Name", name);
    org_set_str(j, "Type", type);
    return j;
}

int org_list_targets_for_policy(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    org_policy p;
    if (!org_policy_get(c->db, in_str(c, "PolicyId"), &p)) return policy_not_found(c);
    org_policy_clear(&p);
    json_t *targets = org_policy_targets_json(c->db, p.id);
    json_t *all = json_array();
    size_t i;
    json_t *tj;
    json_array_foreach(targets, i, tj)
        json_array_append_new(all, target_json(c->db, &o, json_string_value(tj)));
    json_decref(targets);
    return org_paginate(c, all, "Targets");
}
