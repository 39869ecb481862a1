#include <math.h>
#include <string.h>

#include "svc/service.h"

const char *in_str(const call_ctx *c, const char *member)
{
    return json_string_value(json_object_get(c->in, member));
}

bool in_bool(const call_ctx *c, const char *member, bool dflt)
{
    const json_t *v = json_object_get(c->in, member);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

int64_t in_int(const call_ctx *c, const char *member, int64_t dflt)
{
    const json_t *v = json_object_get(c->in, member);
    return json_is_number(v) ? (int64_t)json_number_value(v) : dflt;
}

void call_add_resource(call_ctx *c, const char *account_id, const char *type, const char *arn)
{
    if (!c->resources) c->resources = json_array();
    json_t *r = json_object();
    if (account_id && *account_id) json_object_set_new(r, "accountId", json_string(account_id));
    json_object_set_new(r, "type", json_string(type));
    json_object_set_new(r, "ARN", json_string(arn));
    json_array_append_new(c->resources, r);
}

void call_add_recipient(call_ctx *c, const char *account_id)
{
    if (!account_id || !*account_id || !strcmp(account_id, c->caller->account_id)) return;
    for (int i = 0; i < c->n_extra_recipients; i++)
        if (!strcmp(c->extra_recipients[i], account_id)) return;
    if (c->n_extra_recipients == CALL_MAX_EXTRA_RECIPIENTS) return;
    strncpy(c->extra_recipients[c->n_extra_recipients], account_id, 12);
    c->extra_recipients[c->n_extra_recipients][12] = '\0';
    c->n_extra_recipients++;
}

json_t *json_time(int64_t ms)
{
    if (ms % 1000 == 0) return json_integer(ms / 1000);
    return json_real((double)ms / 1000.0);
}

int call_in_transaction(call_ctx *c, op_fn fn, op_fn fail_db)
{
    if (db_begin(c->db)) return fail_db(c);
    int rc = fn(c);
    if (rc == 0 && db_commit(c->db))
        rc = fail_db(c);
    else if (rc != 0)
        db_rollback(c->db);
    if (rc != 0) {
        json_decref(c->out);
        c->out = NULL;
    }
    return rc;
}

/* The authorization of an operation that does not authorize itself: its IAM action on
 * the resource the service names, in the caller's own account. */
static int authorize_op(call_ctx *c, const service_def *svc, const op_def *op)
{
    if (op->flags & (OP_AUTHORIZES_ITSELF | OP_NO_PERMISSION_NEEDED)) return 0;
    char action[160];
    snprintf(action, sizeof action, "%s:%s",
             svc->action_prefix ? svc->action_prefix : svc->signing_name, op->name);
    char resource[1024] = "";
    if (svc->authz_resource) svc->authz_resource(c, resource, sizeof resource);
    authz_context keys = AUTHZ_CONTEXT_INIT;
    if (svc->authz_keys) svc->authz_keys(c, &keys);
    int rc = call_authorize(c, action, resource[0] ? resource : "*", NULL, NULL,
                            authz_context_kv(&keys));
    authz_context_free(&keys);
    return rc;
}

int call_run(call_ctx *c, const service_def *svc, const op_def *op)
{
    c->svc = svc;
    if (authorize_op(c, svc, op)) return -1;
    if (op->flags & OP_TX) return call_in_transaction(c, op->fn, svc->fail_db);
    return op->fn(c);
}
