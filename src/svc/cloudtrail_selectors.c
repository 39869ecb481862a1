/* cloudtrail_selectors: PutEventSelectors / GetEventSelectors, basic and advanced.
 *
 * A trail carries either basic or advanced selectors; putting one kind replaces the
 * other. What is stored is the normalised form the API returns (basic selectors with
 * their defaults filled in), so GetEventSelectors and the capture pipeline read one
 * shape. A trail that never had selectors put logs all management events: AWS shows
 * that as one basic selector (ReadWriteType All, management events, no data resources).
 *
 * Limits and rules (AWS's, as documented): 1-5 basic selectors, at most 250 data
 * resources over all of them; data resource types AWS::S3::Object, AWS::Lambda::Function,
 * AWS::DynamoDB::Table with ARN (prefix) values of that service; management-event source
 * exclusions only kms/rdsdata. Advanced: 1-500 selectors, each with an eventCategory
 * field (Equals only), known fields, at most 500 values in all. Anything else is
 * InvalidEventSelectorsException. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/delivery_state.h"
#include "svc/cloudtrail_internal.h"

#define MAX_BASIC 5
#define MAX_DATA_RESOURCES 250
#define MAX_ADVANCED 500
#define MAX_ADVANCED_VALUES 500

static int invalid(call_ctx *c, const char *msg)
{
    return aws_fail(&c->err, 400, "InvalidEventSelectorsException", "%s", msg);
}

static bool one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (!strcmp(s, *set)) return true;
    return false;
}

static const char *const DATA_TYPES[] = {"AWS::S3::Object", "AWS::Lambda::Function",
                                         "AWS::DynamoDB::Table", NULL};
/* The ARN prefix every value of the matching DATA_TYPES entry must start with. */
static const char *const DATA_PREFIXES[] = {"arn:aws:s3", "arn:aws:lambda", "arn:aws:dynamodb"};
static const char *const EXCLUDABLE[] = {"kms.amazonaws.com", "rdsdata.amazonaws.com", NULL};

static json_t *default_selectors(void)
{
    return json_pack("[{s:s, s:b, s:[], s:[]}]", "ReadWriteType", "All", "IncludeManagementEvents",
                     1, "DataResources", "ExcludeManagementEventSources");
}

static json_t *normalise_data_resource(call_ctx *c, const json_t *dr, int *count)
{
    const char *type = json_string_value(json_object_get(dr, "Type"));
    int k = 0;
    while (DATA_TYPES[k] && (!type || strcmp(DATA_TYPES[k], type)))
        k++;
    if (!DATA_TYPES[k]) {
        invalid(c, "Value of DataResources.Type is not valid: use AWS::S3::Object, "
                   "AWS::Lambda::Function or AWS::DynamoDB::Table.");
        return NULL;
    }
    const json_t *values = json_object_get(dr, "Values");
    size_t i;
    const json_t *v;
    json_array_foreach(values, i, v)
    {
        const char *s = json_string_value(v);
        if (!s || strncmp(s, DATA_PREFIXES[k], strlen(DATA_PREFIXES[k]))) {
            invalid(c, "Value of DataResources.Values is not valid: give ARNs or ARN prefixes "
                       "of the resource type.");
            return NULL;
        }
        (*count)++;
    }
    return json_pack("{s:s, s:o}", "Type", type, "Values",
                     values ? json_incref((json_t *)values) : json_array());
}

/* Basic selectors with defaults filled in; NULL with c->err when invalid. */
static json_t *normalise_basic(call_ctx *c, const json_t *sels)
{
    if (json_array_size(sels) < 1 || json_array_size(sels) > MAX_BASIC) {
        invalid(c, "A trail can have 1 to 5 event selectors.");
        return NULL;
    }
    json_t *out = json_array();
    int resources = 0;
    size_t i;
    const json_t *s;
    json_array_foreach(sels, i, s)
    {
        const char *rw = json_string_value(json_object_get(s, "ReadWriteType"));
        static const char *const RW[] = {"ReadOnly", "WriteOnly", "All", NULL};
        if (rw && !one_of(rw, RW)) {
            invalid(c, "Value of ReadWriteType is not valid: use ReadOnly, WriteOnly or All.");
            goto fail;
        }
        const json_t *incl = json_object_get(s, "IncludeManagementEvents");
        json_t *drs = json_array();
        size_t j;
        const json_t *dr;
        json_array_foreach(json_object_get(s, "DataResources"), j, dr)
        {
            json_t *n = normalise_data_resource(c, dr, &resources);
            if (!n) {
                json_decref(drs);
                goto fail;
            }
            json_array_append_new(drs, n);
        }
        const json_t *excl = json_object_get(s, "ExcludeManagementEventSources");
        json_array_foreach(excl, j, dr)
        {
            if (!one_of(json_string_value(dr), EXCLUDABLE)) {
                json_decref(drs);
                invalid(c, "ExcludeManagementEventSources can only hold kms.amazonaws.com and "
                           "rdsdata.amazonaws.com.");
                goto fail;
            }
        }
        json_array_append_new(out,
                              json_pack("{s:s, s:b, s:o, s:o}", "ReadWriteType", rw ? rw : "All",
                                        "IncludeManagementEvents", incl ? json_is_true(incl) : 1,
                                        "DataResources", drs, "ExcludeManagementEventSources",
                                        excl ? json_incref((json_t *)excl) : json_array()));
    }
    if (resources > MAX_DATA_RESOURCES) {
        invalid(c, "A trail can have at most 250 data resources across its event selectors.");
        goto fail;
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

static const char *const OPERATORS[] = {"Equals",    "StartsWith",    "EndsWith",
                                        "NotEquals", "NotStartsWith", "NotEndsWith"};
static const char *const FIELDS[] = {
    "eventCategory",    "eventSource",    "eventName",     "eventType",
    "readOnly",         "resources.type", "resources.ARN", "sessionCredentialFromConsole",
    "userIdentity.arn", "errorCode",      "vpcEndpointId", NULL};
static const char *const CATEGORIES[] = {"Management", "Data", "NetworkActivity", NULL};

/* One advanced selector: known fields, an eventCategory that uses Equals with known
 * categories, and at least one operator per field. Adds its values to *values. */
static int check_advanced(call_ctx *c, const json_t *sel, int *values)
{
    bool category = false;
    size_t i;
    const json_t *fs;
    json_array_foreach(json_object_get(sel, "FieldSelectors"), i, fs)
    {
        const char *field = json_string_value(json_object_get(fs, "Field"));
        if (!one_of(field, FIELDS))
            return invalid(c, "Advanced event selectors for trails can only use the fields "
                              "eventCategory, eventSource, eventName, eventType, readOnly, "
                              "resources.type, resources.ARN, sessionCredentialFromConsole, "
                              "userIdentity.arn, errorCode and vpcEndpointId.");
        int ops = 0;
        for (size_t k = 0; k < sizeof OPERATORS / sizeof *OPERATORS; k++) {
            const json_t *list = json_object_get(fs, OPERATORS[k]);
            if (!list) continue;
            ops++;
            *values += (int)json_array_size(list);
            size_t j;
            const json_t *v;
            json_array_foreach(list, j, v)
            {
                if (strchr(json_string_value(v), '*'))
                    return invalid(c, "Advanced event selector values cannot use wildcards (*).");
            }
        }
        if (!ops) return invalid(c, "Each field selector needs at least one operator.");
        if (!strcmp(field, "eventCategory")) {
            const json_t *eq = json_object_get(fs, "Equals");
            size_t j;
            const json_t *v;
            if (!eq || ops != 1)
                return invalid(c, "The eventCategory field only supports the Equals operator.");
            json_array_foreach(eq, j, v)
            {
                if (!one_of(json_string_value(v), CATEGORIES))
                    return invalid(c, "eventCategory must be Management, Data or "
                                      "NetworkActivity for trails.");
            }
            category = true;
        }
    }
    if (!category) return invalid(c, "Each advanced event selector needs an eventCategory field.");
    return 0;
}

int ct_put_event_selectors(call_ctx *c)
{
    trail t;
    if (ct_resolve(c, in_str(c, "TrailName"), CT_MODIFY, &t)) return -1;
    const json_t *basic = json_object_get(c->in, "EventSelectors");
    const json_t *adv = json_object_get(c->in, "AdvancedEventSelectors");
    if ((basic != NULL) == (adv != NULL))
        return invalid(c, "Specify either EventSelectors or AdvancedEventSelectors, not both.");
    json_t *stored;
    const char *key;
    if (basic) {
        stored = normalise_basic(c, basic);
        if (!stored) return -1;
        key = "EventSelectors";
    } else {
        if (json_array_size(adv) < 1 || json_array_size(adv) > MAX_ADVANCED)
            return invalid(c, "A trail can have 1 to 500 advanced event selectors.");
        int values = 0;
        size_t i;
        const json_t *s;
        json_array_foreach(adv, i, s)
        {
            if (check_advanced(c, s, &values)) return -1;
        }
        if (values > MAX_ADVANCED_VALUES)
            return invalid(c, "Advanced event selectors can have at most 500 values in all.");
        stored = json_deep_copy(adv);
        key = "AdvancedEventSelectors";
    }
    char *text = json_dumps(stored, JSON_COMPACT);
    /* Delivery applies selectors as of each record's capture: this change from here on. */
    uint64_t position = c->env ? journal_position(c->env->journal) : 1;
    int rc = trail_set_selectors(c->db, t.arn, basic ? text : NULL, basic ? NULL : text) ||
             delivery_selectors_changed(c->db, t.arn, position, basic ? text : NULL,
                                        basic ? NULL : text);
    free(text);
    if (rc) {
        json_decref(stored);
        return ct_fail_db(c);
    }
    ct_add_resource(c, &t);
    c->out = json_pack("{s:s, s:o}", "TrailARN", t.arn, key, stored);
    return 0;
}

int ct_get_event_selectors(call_ctx *c)
{
    trail t;
    if (ct_resolve(c, in_str(c, "TrailName"), CT_READ, &t)) return -1;
    char *basic, *adv;
    trail_get_selectors(c->db, t.arn, &basic, &adv);
    json_t *o = json_pack("{s:s}", "TrailARN", t.arn);
    if (adv)
        json_object_set_new(o, "AdvancedEventSelectors", json_loads(adv, 0, NULL));
    else
        json_object_set_new(o, "EventSelectors",
                            basic ? json_loads(basic, 0, NULL) : default_selectors());
    free(basic);
    free(adv);
    ct_add_resource(c, &t);
    c->out = o;
    return 0;
}
