#include "capture/record.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/ids.h"
#include "core/jsonutil.h"
#include "core/timeutil.h"

void record_time_text(int64_t ms, char *out, size_t n)
{
    static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    int h12 = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
    snprintf(out, n, "%s %d, %d, %d:%02d:%02d %s", mons[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900,
             h12, tm.tm_min, tm.tm_sec, tm.tm_hour < 12 ? "AM" : "PM");
}

static bool secret_name(const char *k)
{
    static const char *const names[] = {"SecretAccessKey", "SessionToken", "Password",
                                        "NewPassword",     "OldPassword",  "PrivateKey"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcasecmp(k, names[i])) return true;
    return false;
}

static json_t *convert(const svc_model *m, const json_t *shape, const json_t *v, int depth)
{
    if (depth > 32) return json_null();
    const char *type = shape ? model_shape_type(shape) : "";
    if (json_is_object(v) && (!shape || !strcmp(type, "structure"))) {
        json_t *o = json_object();
        const json_t *members = json_object_get(shape, "members");
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            if (secret_name(k)) continue;
            const json_t *ref = json_object_get(members, k);
            const json_t *ms = ref ? model_ref_shape(m, ref) : NULL;
            if (ms && json_is_true(json_object_get(ms, "sensitive"))) continue;
            char name[256];
            snprintf(name, sizeof name, "%s", k);
            if (isupper((unsigned char)name[0])) name[0] = (char)tolower((unsigned char)name[0]);
            json_object_set_new(o, name, convert(m, ms, x, depth + 1));
        }
        return o;
    }
    if (json_is_object(v) && !strcmp(type, "map")) {
        json_t *o = json_object();
        const json_t *vs = model_ref_shape(m, json_object_get(shape, "value"));
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
            json_object_set_new(o, k, convert(m, vs, x, depth + 1));
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        const json_t *ms = shape ? model_ref_shape(m, json_object_get(shape, "member")) : NULL;
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) json_array_append_new(a, convert(m, ms, x, depth + 1));
        return a;
    }
    if (json_is_number(v) && !strcmp(type, "timestamp")) {
        char t[64];
        record_time_text((int64_t)llround(json_number_value(v) * 1000.0), t, sizeof t);
        return json_string(t);
    }
    return json_deep_copy(v);
}

json_t *record_params_alloc(const svc_model *m, const json_t *shape, const json_t *value)
{
    if (!value) return NULL;
    json_t *r = convert(m, shape, value, 0);
    char *text = json_dumps(r, JSON_COMPACT);
    size_t len = text ? strlen(text) : 0;
    free(text);
    if (len > RECORD_MAX_PARAMS_BYTES) {
        json_decref(r);
        return json_null(); /* CloudTrail omits parameters above 100 KB */
    }
    return r;
}

static json_t *user_identity(const record_input *ri)
{
    const principal *p = ri->caller;
    json_t *u = json_object();
    if (ri->cross_account_copy) {
        json_object_set_new(u, "type", json_string("AWSAccount"));
        json_object_set_new(u, "principalId", json_string(p->principal_id));
        json_object_set_new(u, "accountId", json_string(p->account_id));
        return u;
    }
    switch (p->kind) {
    case PRINCIPAL_ROOT:
        json_object_set_new(u, "type", json_string("Root"));
        json_object_set_new(u, "principalId", json_string(p->account_id));
        json_object_set_new(u, "arn", json_string(p->arn));
        json_object_set_new(u, "accountId", json_string(p->account_id));
        json_object_set_new(u, "accessKeyId", json_string(p->access_key_id));
        break;
    case PRINCIPAL_IAM_USER:
        json_object_set_new(u, "type", json_string("IAMUser"));
        json_object_set_new(u, "principalId", json_string(p->principal_id));
        json_object_set_new(u, "arn", json_string(p->arn));
        json_object_set_new(u, "accountId", json_string(p->account_id));
        json_object_set_new(u, "accessKeyId", json_string(p->access_key_id));
        json_object_set_new(u, "userName", json_string(p->user_name));
        break;
    case PRINCIPAL_ASSUMED_ROLE: {
        json_object_set_new(u, "type", json_string("AssumedRole"));
        json_object_set_new(u, "principalId", json_string(p->principal_id));
        json_object_set_new(u, "arn", json_string(p->arn));
        json_object_set_new(u, "accountId", json_string(p->account_id));
        json_object_set_new(u, "accessKeyId", json_string(p->access_key_id));
        char created[32];
        time_iso8601(p->session_created_ms, created, sizeof created);
        json_t *ctx =
            json_pack("{s:{s:s, s:s, s:s, s:s, s:s}, s:{}, s:{s:s, s:s}}", "sessionIssuer", "type",
                      "Role", "principalId", p->role_id, "arn", p->role_arn, "accountId",
                      p->account_id, "userName", p->role_name, "webIdFederationData", "attributes",
                      "creationDate", created, "mfaAuthenticated", "false");
        json_object_set_new(u, "sessionContext", ctx);
        break;
    }
    case PRINCIPAL_SERVICE:
        json_object_set_new(u, "type", json_string("AWSService"));
        json_object_set_new(u, "invokedBy", json_string(p->service));
        break;
    default:
        json_object_set_new(u, "type", json_string("Unknown"));
        if (ri->presented_key && *ri->presented_key)
            json_object_set_new(u, "accessKeyId", json_string(ri->presented_key));
        break;
    }
    return u;
}

char *record_build_alloc(const record_input *ri, size_t *len)
{
    json_t *r = json_object();
    char t[32], id[40];
    time_iso8601(ri->event_ms, t, sizeof t);
    ids_uuid(id);
    json_object_set_new(r, "eventVersion", json_string(RECORD_EVENT_VERSION));
    json_object_set_new(r, "userIdentity", user_identity(ri));
    json_object_set_new(r, "eventTime", json_string(t));
    json_object_set_new(r, "eventSource", json_string(ri->event_source));
    json_object_set_new(r, "eventName", json_string(ri->event_name));
    json_object_set_new(r, "awsRegion", json_string(ri->region));
    json_object_set_new(r, "sourceIPAddress",
                        json_string_safe(ri->source_ip ? ri->source_ip : "",
                                         ri->source_ip ? strlen(ri->source_ip) : 0));
    if (ri->user_agent) {
        size_t n = strlen(ri->user_agent);
        json_object_set_new(r, "userAgent", json_string_safe(ri->user_agent, n > 1024 ? 1024 : n));
    }
    if (ri->err && aws_error_set(ri->err)) {
        json_object_set_new(r, "errorCode", json_string(ri->err->code));
        json_object_set_new(r, "errorMessage",
                            json_string_safe(ri->err->message, strlen(ri->err->message)));
    }
    json_object_set_new(r, "requestParameters",
                        ri->request_parameters ? json_deep_copy(ri->request_parameters)
                                               : json_null());
    json_object_set_new(r, "responseElements",
                        ri->response_elements ? json_deep_copy(ri->response_elements)
                                              : json_null());
    if (ri->request_id) json_object_set_new(r, "requestID", json_string(ri->request_id));
    json_object_set_new(r, "eventID", json_string(id));
    json_object_set_new(r, "readOnly", json_boolean(ri->read_only));
    if (ri->resources && json_array_size(ri->resources))
        json_object_set_new(r, "resources", json_deep_copy(ri->resources));
    json_object_set_new(r, "eventType", json_string("AwsApiCall"));
    json_object_set_new(r, "managementEvent", json_boolean(!ri->data_event));
    json_object_set_new(r, "recipientAccountId", json_string(ri->recipient));
    if (ri->shared_event_id)
        json_object_set_new(r, "sharedEventID", json_string(ri->shared_event_id));
    json_object_set_new(r, "eventCategory", json_string(ri->data_event ? "Data" : "Management"));
    char *text = json_dumps(r, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(r);
    if (!text) abort();
    *len = strlen(text);
    return text;
}
