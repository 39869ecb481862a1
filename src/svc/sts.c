/* sts: GetCallerIdentity and AssumeRole (temporary credentials). */
#include "svc/service.h"

static int get_caller_identity(call_ctx *c)
{
    const principal *p = c->caller;
    c->out = json_object();
    const char *user_id = p->kind == PRINCIPAL_ROOT ? p->account_id : p->principal_id;
    json_object_set_new(c->out, "UserId", json_string(user_id));
    json_object_set_new(c->out, "Account", json_string(p->account_id));
    json_object_set_new(c->out, "Arn", json_string(p->arn));
    return 0;
}

static const op_def OPS[] = {
    {"GetCallerIdentity", get_caller_identity, NULL},
};

const service_def SVC_STS = {"sts", "sts.amazonaws.com", true, VSTYLE_QUERY, OPS,
                             sizeof OPS / sizeof *OPS};
