/* logs_tags: tags of log groups, in the shared tag store (state/tags.h, TAGS_LOGS_GROUP)
 * under the group's ARN without ":*".
 *
 * TagResource, UntagResource and ListTagsForResource name the group by that ARN; the
 * deprecated TagLogGroup, UntagLogGroup and ListTagsLogGroup by name. The model checks
 * keys (1..128 characters of its pattern), values (up to 256) and at most 50 tags per
 * request (InvalidParameterException, as Logs reports constraint violations); a group
 * holds at most 50 tags, TooManyTagsException past that. */
#include <string.h>

#include "state/tags.h"
#include "svc/logs_internal.h"

#define LOGS_MAX_TAGS 50

/* The group a tagging operation's resourceArn names: its name, or NULL with c->err. */
static const char *resource_group(call_ctx *c, char *out, size_t n)
{
    const char *arn = in_str(c, "resourceArn");
    /* orgtrail's wording for what is not an ARN at all, and for ARNs of what orgtrail
     * does not have (destinations, other accounts or regions). */
    if (strncmp(arn, "arn:", 4)) {
        aws_fail(&c->err, 400, "InvalidParameterException", "Invalid resource ARN: %.300s", arn);
        return NULL;
    }
    const char *group = logs_group_of(c, arn, out, n);
    if (!group) {
        aws_fail(&c->err, 400, "ResourceNotFoundException",
                 "The specified resource does not exist: %.300s", arn);
        return NULL;
    }
    if (!logs_group_exists(c, group)) {
        logs_fail_no_group(c);
        return NULL;
    }
    return group;
}

int logs_tags_add(call_ctx *c, const char *group, const json_t *tags)
{
    char arn[700];
    logs_group_arn(c, group, arn, sizeof arn);
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)tags, key, value)
    {
        if (tags_put(c->db, TAGS_LOGS_GROUP, arn, key, json_string_value(value)))
            return logs_fail_db(c);
    }
    if (tags_count(c->db, TAGS_LOGS_GROUP, arn) > LOGS_MAX_TAGS)
        return aws_fail(&c->err, 400, "TooManyTagsException",
                        "A resource can have no more than %d tags.", LOGS_MAX_TAGS);
    return 0;
}

int logs_tags_drop(call_ctx *c, const char *group)
{
    char arn[700];
    logs_group_arn(c, group, arn, sizeof arn);
    return tags_remove_all(c->db, TAGS_LOGS_GROUP, arn);
}

static int remove_keys(call_ctx *c, const char *group, const json_t *keys)
{
    char arn[700];
    logs_group_arn(c, group, arn, sizeof arn);
    if (tags_remove_keys(c->db, TAGS_LOGS_GROUP, arn, keys)) return logs_fail_db(c);
    c->out = json_object();
    return 0;
}

/* The group's tags as {"tags": {key: value}}. */
static int list_tags(call_ctx *c, const char *group)
{
    char arn[700];
    logs_group_arn(c, group, arn, sizeof arn);
    json_t *list = tags_json(c->db, TAGS_LOGS_GROUP, arn), *map = json_object();
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t)
    {
        json_object_set(map, json_string_value(json_object_get(t, "Key")),
                        json_object_get(t, "Value"));
    }
    json_decref(list);
    c->out = json_pack("{s:o}", "tags", map);
    return 0;
}

int logs_tag_resource(call_ctx *c)
{
    char name_buf[600];
    const char *group = resource_group(c, name_buf, sizeof name_buf);
    if (!group || logs_tags_add(c, group, json_object_get(c->in, "tags"))) return -1;
    c->out = json_object();
    return 0;
}

int logs_untag_resource(call_ctx *c)
{
    char name_buf[600];
    const char *group = resource_group(c, name_buf, sizeof name_buf);
    return group ? remove_keys(c, group, json_object_get(c->in, "tagKeys")) : -1;
}

int logs_list_tags_for_resource(call_ctx *c)
{
    char name_buf[600];
    const char *group = resource_group(c, name_buf, sizeof name_buf);
    return group ? list_tags(c, group) : -1;
}

int logs_tag_log_group(call_ctx *c)
{
    const char *group = in_str(c, "logGroupName");
    if (!logs_group_exists(c, group)) return logs_fail_no_group(c);
    if (logs_tags_add(c, group, json_object_get(c->in, "tags"))) return -1;
    c->out = json_object();
    return 0;
}

int logs_untag_log_group(call_ctx *c)
{
    const char *group = in_str(c, "logGroupName");
    if (!logs_group_exists(c, group)) return logs_fail_no_group(c);
    return remove_keys(c, group, json_object_get(c->in, "tags"));
}

int logs_list_tags_log_group(call_ctx *c)
{
    const char *group = in_str(c, "logGroupName");
    if (!logs_group_exists(c, group)) return logs_fail_no_group(c);
    return list_tags(c, group);
}
