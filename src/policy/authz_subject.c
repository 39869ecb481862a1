#include "policy/authz_subject.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "policy/policy.h"
#include "state/iam_policy_state.h"
#include "state/iam_state.h"
#include "state/org_policy_state.h"
#include "state/org_state.h"
#include "state/org_unit_state.h"
#include "state/tags.h"

static const char SCP_TYPE[] = "SERVICE_CONTROL_POLICY";

static void push(json_t ***v, size_t *n, size_t *cap, json_t *doc)
{
    *v = xgrow(*v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = doc;
}

/* What stands in for a policy that can no longer be read (a boundary or session policy
 * whose managed policy is gone): it allows nothing, so the limit stays. */
static json_t *allows_nothing(void)
{
    return json_pack("{s:s, s:[]}", "Version", "2012-10-17", "Statement");
}

static json_t *identity_document(const char *text)
{
    aws_error ignored;
    aws_error_clear(&ignored);
    return policy_parse(text, POLICY_IDENTITY, "MalformedPolicyDocument", NULL, &ignored);
}

/* A managed policy's document in force (new reference): an AWS managed policy's from the
 * data, a customer managed policy's default version from the store; NULL when neither. */
static json_t *managed_document(db_conn *db, const iam_data *iam, const char *arn)
{
    if (!strncmp(arn, "arn:aws:iam::aws:", 17)) {
        const json_t *doc = iam ? iam_data_managed_parsed(iam, arn) : NULL;
        return doc ? json_incref((json_t *)doc) : NULL;
    }
    char *text = iam_policy_document_alloc(db, arn, NULL, NULL);
    json_t *doc = text ? identity_document(text) : NULL;
    free(text);
    return doc;
}

typedef struct identity_loader {
    authz_subject *s;
    db_conn *db;
    const iam_data *iam;
} identity_loader;

static void add_identity_policy(const char *document, const char *arn, void *arg)
{
    identity_loader *l = arg;
    json_t *doc = document ? identity_document(document)
                  : arn    ? managed_document(l->db, l->iam, arn)
                           : NULL;
    if (doc) push(&l->s->identity, &l->s->n_identity, &l->s->cap_identity, doc);
}

/* The targets from the organization root down to the account: ids[0] is the root. */
static size_t org_path(db_conn *db, const char *account_id, char ids[][72], size_t max)
{
    org_account a;
    if (!account_get(db, account_id, &a) || !a.parent_id[0]) return 0;
    char chain[AUTHZ_MAX_SCP_LEVELS][72];
    size_t n = 0;
    snprintf(chain[n++], sizeof chain[0], "%s", account_id);
    char parent[72];
    snprintf(parent, sizeof parent, "%s", a.parent_id);
    while (n < max && parent[0]) {
        snprintf(chain[n++], sizeof chain[0], "%s", parent);
        org_unit u;
        if (strncmp(parent, "ou-", 3) || !org_unit_get(db, parent, &u)) break;
        snprintf(parent, sizeof parent, "%s", u.parent_id);
    }
    for (size_t i = 0; i < n; i++)
        memcpy(ids[i], chain[n - 1 - i], sizeof ids[i]);
    return n;
}

static void load_scps(db_conn *db, const char *account_id, authz_subject *s)
{
    char ids[AUTHZ_MAX_SCP_LEVELS][72];
    size_t nlevels = org_path(db, account_id, ids, AUTHZ_MAX_SCP_LEVELS);
    size_t start[AUTHZ_MAX_SCP_LEVELS];
    for (size_t l = 0; l < nlevels; l++) {
        start[l] = s->n_scp_docs;
        size_t n = 0;
        org_policy *ps = org_policies_for_target_alloc(db, ids[l], SCP_TYPE, &n);
        for (size_t i = 0; i < n; i++) {
            org_policy full;
            if (!org_policy_get(db, ps[i].id, &full)) continue;
            aws_error ignored;
            aws_error_clear(&ignored);
            json_t *doc = full.content
                              ? policy_parse(full.content, POLICY_SCP,
                                             "MalformedPolicyDocumentException", NULL, &ignored)
                              : NULL;
            org_policy_clear(&full);
            if (doc) push(&s->scp_docs, &s->n_scp_docs, &s->cap_scp_docs, doc);
        }
        org_policies_free(ps, n);
    }
    /* The levels point into scp_docs only now that it no longer moves. */
    for (size_t l = 0; l < nlevels; l++) {
        size_t end = l + 1 < nlevels ? start[l + 1] : s->n_scp_docs;
        s->levels[l].policies = (const json_t *const *)s->scp_docs + start[l];
        s->levels[l].n = end - start[l];
    }
    s->n_levels = nlevels;
}

/* R7: the user's or role's permissions boundary. One whose policy orgtrail no longer
 * has allows nothing, as AWS treats a boundary whose policy was deleted. */
static void load_boundary(db_conn *db, const iam_data *iam, const principal *p, bool role,
                          authz_subject *s)
{
    char arn[2048] = "";
    if (role) {
        iam_role r;
        if (iam_role_get(db, p->account_id, p->role_name, &r)) {
            snprintf(arn, sizeof arn, "%s", r.permissions_boundary);
            iam_role_clear(&r);
        }
    } else {
        iam_user u;
        if (iam_user_get(db, p->account_id, p->user_name, &u))
            snprintf(arn, sizeof arn, "%s", u.permissions_boundary);
    }
    if (!arn[0]) return;
    s->boundary = managed_document(db, iam, arn);
    if (!s->boundary) s->boundary = allows_nothing();
}

static bool service_linked_role(const principal *p)
{
    return p->kind == PRINCIPAL_ASSUMED_ROLE && strstr(p->role_arn, ":role/aws-service-role/");
}

/* The subject's own policies compiled, as authorize will read them (authz_compile). */
static void compile(authz_subject *s)
{
    authz_input mine = {
        .identity = (const json_t *const *)s->identity,
        .n_identity = s->n_identity,
        .boundary = s->boundary,
        .scp = s->levels,
        .n_scp_levels = s->n_levels,
    };
    authz_compile(&mine, &s->compiled);
}

static void load(db_conn *db, const iam_data *iam, const principal *p, authz_subject *s);

int authz_subject_load(db_conn *db, const iam_data *iam, const principal *p, authz_subject *s)
{
    load(db, iam, p, s);
    compile(s);
    return 0;
}

static void load(db_conn *db, const iam_data *iam, const principal *p, authz_subject *s)
{
    memset(s, 0, sizeof *s);
    switch (p->kind) {
    case PRINCIPAL_IAM_USER:
        s->type = AUTHZ_USER;
        break;
    case PRINCIPAL_ASSUMED_ROLE:
        s->type = AUTHZ_ROLE_SESSION;
        break;
    case PRINCIPAL_SERVICE:
        s->type = AUTHZ_SERVICE;
        return;
    default:
        s->type = AUTHZ_ROOT;
        break;
    }
    org_info org;
    if (org_of_account(db, p->account_id, &org)) {
        snprintf(s->org_id, sizeof s->org_id, "%s", org.id);
        /* R2: members only, and only once the organization uses SCPs. */
        s->scps_apply = strcmp(org.master_account, p->account_id) && !service_linked_role(p) &&
                        org_policy_type_enabled(db, org.root_id, SCP_TYPE);
        if (s->scps_apply) load_scps(db, p->account_id, s);
    }
    if (s->type == AUTHZ_ROOT) return;
    identity_loader l = {s, db, iam};
    bool role = s->type == AUTHZ_ROLE_SESSION;
    iam_entity_policies_each(db, p->account_id, role, role ? p->role_name : p->user_name,
                             add_identity_policy, &l);
    load_boundary(db, iam, p, role, s);
    char tag_id[IAM_TAG_RESOURCE_ID_LEN];
    iam_tag_resource_id(tag_id, p->account_id, role ? p->role_id : p->principal_id);
    json_t *tags = tags_json(db, TAGS_IAM, tag_id);
    if (json_array_size(tags))
        s->tags = tags;
    else
        json_decref(tags);
}

void authz_subject_clear(authz_subject *s)
{
    authz_compiled_clear(&s->compiled);
    for (size_t i = 0; i < s->n_identity; i++)
        json_decref(s->identity[i]);
    for (size_t i = 0; i < s->n_scp_docs; i++)
        json_decref(s->scp_docs[i]);
    free(s->identity);
    free(s->scp_docs);
    json_decref(s->tags);
    json_decref(s->boundary);
    memset(s, 0, sizeof *s);
}

authz_result authz_subject_decide(const authz_subject *s, const principal *p, const authz_target *t,
                                  authz_input *in)
{
    bool service = s->type == AUTHZ_SERVICE;
    bool role = s->type == AUTHZ_ROLE_SESSION;
    memset(in, 0, sizeof *in);
    in->request = (policy_request){
        .action = t->action,
        .resource = t->resource,
        .principal_account = service ? NULL : p->account_id,
        .principal_arn = service ? NULL
                         : role  ? p->role_arn
                                 : p->arn,
        .principal_session_arn = role ? p->arn : NULL,
        .principal_service = service ? p->service : NULL,
        .context = t->context,
    };
    in->principal_type = s->type;
    in->resource_account = t->resource_account;
    in->scps_apply = s->scps_apply;
    in->identity = (const json_t *const *)s->identity;
    in->n_identity = s->n_identity;
    in->resource_policy = t->resource_policy;
    in->resource_must_allow = t->resource_must_allow;
    in->scp = s->levels;
    in->n_scp_levels = s->n_levels;
    in->boundary = s->boundary;
    in->session = t->session;
    in->n_session = t->n_session;
    in->compiled = &s->compiled;
    return authorize(in);
}

size_t authz_session_policies_load(db_conn *db, const iam_data *iam, const principal *p,
                                   json_t ***out)
{
    *out = NULL;
    if (p->kind != PRINCIPAL_ASSUMED_ROLE || !p->session_policies) return 0;
    char *text = iam_session_policies_alloc(db, p->access_key_id);
    json_t *list = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    size_t n = 0, cap = 0, i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        json_t *doc = NULL;
        if (json_is_string(v)) {
            doc = identity_document(json_string_value(v));
        } else {
            const char *arn = json_string_value(json_object_get(v, "arn"));
            doc = arn ? managed_document(db, iam, arn) : NULL;
        }
        /* A session policy that cannot be read allows nothing: the session keeps the
         * limit it was given. */
        if (!doc) doc = allows_nothing();
        push(out, &n, &cap, doc);
    }
    json_decref(list);
    if (!n) /* the column said it has some: never fewer limits than stored */
        push(out, &n, &cap, allows_nothing());
    return n;
}
