/* service: what an API operation handler sees, and how services register operations.
 *
 * The front end authenticates, decodes and validates the request, then calls the
 * operation's handler with a call_ctx. A handler reads c->in (the validated input, with
 * the model's member names), does its work in c->db, and either sets c->out (owned by the
 * context; NULL means an empty output) and returns 0, or returns -1 after filling c->err
 * (aws_fail). Whatever it returns, the call is captured as one CloudTrail record before
 * the response is sent.
 *
 * Capture hints a handler may set: c->resources (CloudTrail "resources"),
 * c->response_elements (replaces the default: the output, for write calls), and
 * c->request_parameters (replaces the default: the input). Secrets never go into either;
 * members the model marks sensitive are dropped automatically. */
#ifndef ORGTRAIL_SERVICE_H
#define ORGTRAIL_SERVICE_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/principal.h"
#include "capture/journal.h"
#include "core/awserr.h"
#include "digest/signer_client.h"
#include "http/http.h"
#include "proto/proto.h"
#include "policy/authz_context.h"
#include "policy/authz_cache.h"
#include "policy/authz_subject.h"
#include "policy/iam_data.h"
#include "proto/validate.h"
#include "store/objstore.h"

#define CALL_MAX_EXTRA_RECIPIENTS 4

/* What handlers may use of the server beyond their database connection; the composition
 * layer (app/server.h) fills it. NULL in unit tests that call handlers directly. */
typedef struct svc_env {
    const char *data_dir; /* the store's directory (digest signing keys live below it) */
    journal *journal;     /* ingestion appends captured events; trails read its position */
    objstore *objects;    /* S3 object bytes */
    int signing_key_period_s;
    signer_client *signer; /* makes digest signing keys (ListPublicKeys) */
    const iam_data *iam;   /* AWS managed policies and the action catalogue */
    authz_cache *subjects; /* callers' policies, loaded and compiled once; NULL: none */
} svc_env;

typedef struct call_ctx {
    const svc_env *env;
    db_conn *db;
    const principal *caller;
    const char *region; /* from the credential scope */
    const svc_model *model;
    const char *service; /* signing name, e.g. "cloudtrail" */
    const char *op;      /* operation name */
    const json_t *in;    /* validated input (borrowed) */
    const proto_call *call;
    const http_request *http;
    const char *request_id;
    int64_t now_ms;

    json_t *out;        /* set by the handler; owned by the context */
    proto_raw_body raw; /* REST operations returning raw bytes */
    int http_status;    /* 0 = protocol default (200); S3 uses 204 for deletes */
    aws_error err;

    json_t *resources;          /* owned; NULL = none */
    json_t *request_parameters; /* owned; NULL = derived from the input */
    json_t *response_elements;  /* owned; NULL = derived from the output */
    /* CloudTrail eventName when it differs from the operation's name (S3 records
     * GetObjectLockConfiguration as GetBucketObjectLockConfiguration); NULL = the op. */
    const char *event_name;
    /* S3 object calls are data events (eventCategory "Data", managementEvent false). */
    bool data_event;
    /* The owned buffer behind raw.data, freed after the response is written; NULL when
     * raw.data is static or absent. (raw.has_fd descriptors go to the response.) */
    void *raw_owned;
    /* Other accounts that receive a copy of this call's record (cross-account calls:
     * the copy carries userIdentity type AWSAccount and a shared event id). */
    char extra_recipients[CALL_MAX_EXTRA_RECIPIENTS][13];
    int n_extra_recipients;
    /* Set by call_run: the service being called. */
    const struct service_def *svc;
    /* The caller's policies, loaded by the first authorization of the call (owned; see
     * call_release). */
    /* From env->subjects (authz_cache_get), released by call_release. */
    const authz_subject *subject;
    json_t **session_policies; /* the caller session's, owned; loaded with the subject */
    size_t n_session_policies;
} call_ctx;

typedef int (*op_fn)(call_ctx *c);

/* A top-level input member whose constraint violations get an operation's own error
 * code instead of the generic validation error ("*" matches any member). */
typedef struct validation_override {
    const char *member;  /* model member name, e.g. "MaxResults" */
    const char *code;    /* e.g. "InvalidMaxResultsException" */
    const char *message; /* replaces the generic validation text; NULL keeps it */
} validation_override;

/* What the front end does around a handler (op_def.flags). */
enum op_flags {
    /* Runs in one database transaction, so that a refused request changes nothing:
     * committed when the handler returns 0, rolled back otherwise (call_in_transaction,
     * with the service's fail_db). */
    OP_TX = 1u << 0,
    /* Once it has committed, the trails or their selectors may differ: which data events
     * are worth capturing is recomputed (app/data_events.h). */
    OP_CHANGES_TRAILS = 1u << 1,
    /* Waits, before the request holds a database connection, while delivery is too far
     * behind (delivery/backlog.h): high-volume ingestion that would otherwise outrun it. */
    OP_WAITS_FOR_DELIVERY = 1u << 2,
    /* The handler authorizes the call itself (call_authorize), because its resource, the
     * resource's owner or policy, or its action are known only once it has looked them up
     * (S3's buckets, STS's roles). Otherwise call_run authorizes "<prefix>:<op name>" on the
     * resource service_def.authz_resource names, before the handler runs. */
    OP_AUTHORIZES_ITSELF = 1u << 3,
    /* Any authenticated principal may call it, whatever its policies say (AWS documents
     * sts:GetCallerIdentity so: "No permissions are required"). */
    OP_NO_PERMISSION_NEEDED = 1u << 4,
};

typedef struct op_def {
    const char *name;
    op_fn fn;
    const validation_override *overrides; /* NULL-terminated by member == NULL; may be NULL */
    unsigned flags;                       /* enum op_flags */
} op_def;

/* What the front end does around every call of a service (service_def.flags). */
enum service_flags {
    /* A call whose input names an object (member Key) is a data event, also when it is
     * refused before its handler runs; the handler classifies the rest (s3_call_object). */
    SVC_KEY_MAKES_DATA_EVENT = 1u << 0,
    /* Refusals quote the resource ARN, as S3's do (policy/authorize.h authz_message_s3). */
    SVC_DENIAL_QUOTES_RESOURCE = 1u << 1,
};

/* An endpoint of a service outside its API model (orgtrail's own, such as bulk
 * ingestion): matched by its exact path, it bypasses the protocol decoder and input
 * validation; op.fn leaves its answer in c->out, sent as a JSON document with status 200.
 * op.name is the record's eventName. */
typedef struct service_route {
    const char *path;
    const char *method; /* the one method it accepts; others get 405 */
    op_def op;
} service_route;

/* A served service. Its eventSource and whether it is global are not here: they are facts
 * the lower layers need too, in core/aws_services.h under the same signing name. */
typedef struct service_def {
    const char *signing_name; /* credential scope service */
    /* The IAM action prefix when it differs from the signing name (CloudWatch signs as
     * "monitoring", its actions are "cloudwatch:PutMetricData"); NULL: the signing name. */
    const char *action_prefix;
    vstyle style;
    const op_def *ops;
    size_t n_ops;
    op_fn fail_db;              /* the error of a failed begin/commit for OP_TX operations */
    unsigned flags;             /* enum service_flags */
    const service_route *route; /* NULL when the service has no endpoint of its own */
    /* The ARN an operation acts on, for its authorization; NULL, or "" written: "*". */
    void (*authz_resource)(const call_ctx *c, char *out, size_t n);
    /* The service's own condition keys of an operation (organizations:PolicyType ...),
     * added to its authorization's context; NULL: none. */
    void (*authz_keys)(const call_ctx *c, authz_context *x);
    /* A refusal's error: the service's status and code (AWS's differ: IAM, STS and S3
     * answer 403 AccessDenied, the JSON services 400 AccessDeniedException). 0/NULL: the
     * latter. */
    int denied_status;
    const char *denied_code;
} service_def;

/* Helpers for handlers. */
const char *in_str(const call_ctx *c, const char *member); /* NULL when absent */
bool in_bool(const call_ctx *c, const char *member, bool dflt);
int64_t in_int(const call_ctx *c, const char *member, int64_t dflt);
/* Adds {"accountId","type","ARN"} to c->resources. */
void call_add_resource(call_ctx *c, const char *account_id, const char *type, const char *arn);
/* Adds an account that receives a copy of the record (ignored when it is the caller's). */
void call_add_recipient(call_ctx *c, const char *account_id);
/* Runs fn inside one database transaction, so that a refused request changes nothing:
 * commits when fn returns 0, rolls back (and drops c->out) otherwise. A failing
 * begin/commit becomes fail_db(c). */
int call_in_transaction(call_ctx *c, op_fn fn, op_fn fail_db);
/* Runs op's handler as its flags say (OP_TX: in a transaction). The front end and the
 * unit tests that call handlers directly both go through here. */
int call_run(call_ctx *c, const service_def *svc, const op_def *op);
/* Authorization (svc/call_authz.c). Decides whether the caller may do t->action on
 * t->resource (NULL: "*") owned by t->resource_account (NULL: the caller's account) whose
 * resource policy is t->resource_policy (NULL: none), with the request's global condition
 * keys and t->context's (key, value, ..., NULL; may be NULL). call_decide returns the
 * decision and fills *in for authz_message; call_authorize returns 0 when allowed, or -1
 * with c->err set to the service's refusal, naming who, what and which kind of policy. */
authz_result call_decide(call_ctx *c, const authz_target *t, authz_input *in);
int call_authorize(call_ctx *c, const char *action, const char *resource,
                   const char *resource_account, const json_t *resource_policy,
                   const char *const *extra);
/* The caller's policies (loaded on first use; owned by c). */
const authz_subject *call_subject(call_ctx *c);
/* Adds the request's global condition keys (policy/authz_context.h) to x. */
void call_context_globals(call_ctx *c, authz_context *x);
/* The caller's ARN as refusals name it (the session's for a role). */
const char *call_caller_arn(const call_ctx *c);
/* Releases what the call context owns besides out/resources/params (the subject). */
void call_release(call_ctx *c);

/* Epoch seconds (with milliseconds) as the JSON number timestamps use. */
json_t *json_time(int64_t ms);

#endif
