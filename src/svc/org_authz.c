/* The resource an Organizations call is authorized on (service_def.authz_resource), as
 * the Service Authorization Reference names Organizations' resource types:
 *
 *   account  arn:aws:organizations::<management>:account/<org>/<account id>
 *   ou       arn:aws:organizations::<management>:ou/<org>/<ou id>
 *   root     arn:aws:organizations::<management>:root/<org>/<root id>
 *   policy   arn:aws:organizations::<management>:policy/<org>/<type>/<policy id>
 *            arn:aws:organizations::aws:policy/<type>/<policy id> (AWS managed)
 *
 * An operation naming several (AttachPolicy: a policy and a target) is authorized on the
 * first the list below holds; one naming none, or outside an organization, on "*".
 * The condition keys Organizations defines for its actions come along
 * (org_condition_keys). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "policy/authz_context.h"
#include "state/org_policy_state.h"
#include "state/org_state.h"
#include "svc/org_internal.h"

static bool account_id_like(const char *s)
{
    size_t n = 0;
    while (s[n] && isdigit((unsigned char)s[n]))
        n++;
    return n == 12 && !s[n];
}

/* The policy's ARN; type in lowercase as the ARN spells it (service_control_policy). */
static void policy_arn(db_conn *db, const org_info *org, const char *id, char *out, size_t n)
{
    org_policy p;
    if (!org_policy_get(db, id, &p)) return;
    char type[48];
    size_t i = 0;
    for (; p.type[i] && i + 1 < sizeof type; i++)
        type[i] = (char)tolower((unsigned char)p.type[i]);
    type[i] = '\0';
    if (p.aws_managed)
        snprintf(out, n, "arn:aws:organizations::aws:policy/%s/%s", type, p.id);
    else
        snprintf(out, n, "arn:aws:organizations::%s:policy/%s/%s/%s", org->master_account, org->id,
                 type, p.id);
    org_policy_clear(&p);
}

void org_resource(const call_ctx *c, char *out, size_t n)
{
    static const char *const members[] = {"PolicyId", "AccountId",  "OrganizationalUnitId",
                                          "RootId",   "TargetId",   "ParentId",
                                          "ChildId",  "ResourceId", "DestinationParentId"};
    const char *id = NULL;
    for (size_t i = 0; !id && i < sizeof members / sizeof *members; i++)
        id = in_str(c, members[i]);
    org_info org;
    if (!id || !org_of_account(c->db, c->caller->account_id, &org)) return;
    const char *kind = !strncmp(id, "r-", 2)    ? "root"
                       : !strncmp(id, "ou-", 3) ? "ou"
                       : account_id_like(id)    ? "account"
                                                : NULL;
    if (!strncmp(id, "p-", 2))
        policy_arn(c->db, &org, id, out, n);
    else if (kind)
        snprintf(out, n, "arn:aws:organizations::%s:%s/%s/%s", org.master_account, kind, org.id,
                 id);
}

void org_condition_keys(const call_ctx *c, authz_context *x)
{
    const char *service = in_str(c, "ServicePrincipal");
    if (service) authz_context_add(x, "organizations:ServicePrincipal", service);
    const char *type = in_str(c, "PolicyType");
    if (!type) type = in_str(c, "Type");   /* CreatePolicy */
    if (!type) type = in_str(c, "Filter"); /* ListPolicies, ListPoliciesForTarget */
    if (type) {
        authz_context_add(x, "organizations:PolicyType", type);
        return;
    }
    const char *id = in_str(c, "PolicyId");
    org_policy p;
    if (id && org_policy_get(c->db, id, &p)) {
        authz_context_add(x, "organizations:PolicyType", p.type);
        org_policy_clear(&p);
    }
}
