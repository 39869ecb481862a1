/* cloudtrail_tags: tags on trails (AddTags, ListTags, RemoveTags, CreateTrail's TagsList).
 *
 * Resources are addressed by trail ARN only; a name is not a resource id. Other CloudTrail
 * resource types (event data stores, channels) do not exist in orgtrail, so their ARNs are
 * ResourceTypeNotSupportedException. Tags are readable and writable by the trail's owner
 * and, for an organization trail, by a delegated administrator (CT_READ / CT_MODIFY). */
#include <string.h>

#include "state/tags.h"
#include "svc/cloudtrail_internal.h"

/* A trail ARN a tag operation may use: -1 with CloudTrail's error otherwise. */
static int resolve_resource(call_ctx *c, const char *id, ct_access access, trail *t)
{
    if (!ct_looks_like_arn(id))
        return aws_fail(&c->err, 400, "CloudTrailARNInvalidException",
                        "Invalid resource ARN: %.300s. Specify the ARN of a trail.", id);
    if (!strncmp(id, "arn:aws:cloudtrail:", 19) && !strstr(id, ":trail/"))
        return aws_fail(&c->err, 400, "ResourceTypeNotSupportedException",
                        "Resource type of %.300s is not supported; orgtrail tags trails only.", id);
    if (ct_resolve(c, id, access, t)) {
        /* Tag operations name a missing resource this way (the model has no
         * TrailNotFoundException for them). */
        if (!strcmp(c->err.code, "TrailNotFoundException"))
            return aws_fail(&c->err, 400, "ResourceNotFoundException", "Resource %.300s not found.",
                            id);
        return -1;
    }
    return 0;
}

int ct_tags_add(call_ctx *c, const char *arn, const json_t *tags)
{
    size_t i;
    const json_t *tag;
    int added = 0;
    json_array_foreach(tags, i, tag)
    {
        const char *key = json_string_value(json_object_get(tag, "Key"));
        const char *value = json_string_value(json_object_get(tag, "Value"));
        if (!key || !*key || strlen(key) > 128 || (value && strlen(value) > 256))
            return aws_fail(&c->err, 400, "InvalidTagParameterException",
                            "Tag keys must be 1 to 128 characters and values at most 256.");
        if (!strncmp(key, "aws:", 4))
            return aws_fail(&c->err, 400, "InvalidTagParameterException",
                            "Tag keys may not start with the reserved prefix aws:.");
        if (!tags_has(c->db, TAGS_TRAIL, arn, key)) added++;
        if (tags_put(c->db, TAGS_TRAIL, arn, key, value)) return ct_fail_db(c);
    }
    if (added && tags_count(c->db, TAGS_TRAIL, arn) > CT_MAX_TAGS)
        return aws_fail(&c->err, 400, "TagsLimitExceededException",
                        "A trail can have at most %d tags.", CT_MAX_TAGS);
    return 0;
}

int ct_add_tags(call_ctx *c)
{
    trail t;
    if (resolve_resource(c, in_str(c, "ResourceId"), CT_MODIFY, &t)) return -1;
    if (ct_tags_add(c, t.arn, json_object_get(c->in, "TagsList"))) return -1;
    ct_add_resource(c, &t);
    return 0;
}

int ct_remove_tags(call_ctx *c)
{
    trail t;
    if (resolve_resource(c, in_str(c, "ResourceId"), CT_MODIFY, &t)) return -1;
    size_t i;
    const json_t *tag;
    json_array_foreach(json_object_get(c->in, "TagsList"), i, tag)
    {
        const char *key = json_string_value(json_object_get(tag, "Key"));
        if (key && tags_remove(c->db, TAGS_TRAIL, t.arn, key)) return ct_fail_db(c);
    }
    ct_add_resource(c, &t);
    return 0;
}

int ct_list_tags(call_ctx *c)
{
    json_t *list = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(c->in, "ResourceIdList"), i, v)
    {
        trail t;
        if (resolve_resource(c, json_string_value(v), CT_READ, &t)) {
            json_decref(list);
            return -1;
        }
        json_array_append_new(list, json_pack("{s:s, s:o}", "ResourceId", t.arn, "TagsList",
                                              tags_json(c->db, TAGS_TRAIL, t.arn)));
        ct_add_resource(c, &t);
    }
    c->out = json_pack("{s:o}", "ResourceTagList", list);
    return 0;
}
