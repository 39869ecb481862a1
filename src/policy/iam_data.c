#include "policy/iam_data.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/policy.h"

static json_t *load_blob(const char *blob, size_t len, const char *what, char *err, size_t n)
{
    json_error_t je;
    json_t *doc = json_loadb(blob, len, 0, &je);
    if (!json_is_object(doc)) {
        snprintf(err, n, "the embedded %s is not readable (line %d: %s)", what, je.line, je.text);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

int iam_data_load(iam_data *d, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    size_t len;
    const char *blob = iam_data_managed_blob(&len);
    json_t *managed = load_blob(blob, len, "managed policies", err, errlen);
    if (!managed) return -1;
    blob = iam_data_actions_blob(&len);
    json_t *actions = load_blob(blob, len, "action catalogue", err, errlen);
    if (!actions) {
        json_decref(managed);
        return -1;
    }
    /* Keyed by ARN for lookups; the file lists them in a stable order for review. */
    d->managed = json_object();
    d->parsed = json_object();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(managed, "policies"), i, p)
    {
        const char *arn = json_string_value(json_object_get(p, "Arn"));
        if (!arn) continue;
        json_object_set(d->managed, arn, p);
        /* Parsed once here: every request of a principal they are attached to reads them. */
        aws_error e;
        aws_error_clear(&e);
        json_t *doc = policy_from_document(json_object_get(p, "Document"), POLICY_IDENTITY,
                                           "MalformedPolicyDocument", &e);
        if (doc) json_object_set_new(d->parsed, arn, doc);
    }
    d->actions = json_incref(json_object_get(actions, "services"));
    const char *ms = json_string_value(json_object_get(managed, "source"));
    const char *as = json_string_value(json_object_get(actions, "source"));
    snprintf(d->managed_source, sizeof d->managed_source, "%s", ms ? ms : "");
    snprintf(d->actions_source, sizeof d->actions_source, "%s", as ? as : "");
    json_decref(managed);
    json_decref(actions);
    if (!json_object_size(d->managed) || !json_is_object(d->actions)) {
        snprintf(err, errlen, "the embedded IAM data is empty");
        iam_data_free(d);
        return -1;
    }
    return 0;
}

void iam_data_free(iam_data *d)
{
    json_decref(d->managed);
    json_decref(d->parsed);
    json_decref(d->actions);
    d->managed = d->parsed = d->actions = NULL;
}

const json_t *iam_data_managed_policy(const iam_data *d, const char *arn)
{
    return d && d->managed ? json_object_get(d->managed, arn) : NULL;
}

const json_t *iam_data_managed_parsed(const iam_data *d, const char *arn)
{
    return d && d->parsed ? json_object_get(d->parsed, arn) : NULL;
}

const json_t *iam_data_action(const iam_data *d, const char *action)
{
    const char *colon = action ? strchr(action, ':') : NULL;
    if (!d || !d->actions || !colon || colon == action) return NULL;
    char prefix[64];
    size_t n = (size_t)(colon - action);
    if (n >= sizeof prefix) return NULL;
    for (size_t i = 0; i < n; i++)
        prefix[i] = (char)tolower((unsigned char)action[i]);
    prefix[n] = '\0';
    const json_t *acts = json_object_get(json_object_get(d->actions, prefix), "actions");
    const char *name;
    json_t *facts;
    json_object_foreach((json_t *)acts, name, facts) if (!strcasecmp(name, colon + 1)) return facts;
    return NULL;
}
