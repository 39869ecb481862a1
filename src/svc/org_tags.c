/* org_tags: tags of accounts, OUs, the root and policies (TagResource, UntagResource,
 * ListTagsForResource), and the checks the creating operations share. */
#include <string.h>
#include <strings.h>

#include "state/org_policy_state.h"
#include "state/tags.h"
#include "svc/org_internal.h"

#define MAX_TAGS_PER_RESOURCE 50

int org_check_tags(call_ctx *c, const char *resource_id, const json_t *tags)
{
    size_t i, k;
    json_t *t;
    size_t added = 0;
    json_array_foreach(tags, i, t)
    {
        const char *key = json_string_value(json_object_get(t, "Key"));
        if (!key) return org_invalid_input(c, "INPUT_REQUIRED", "A tag needs a Key.");
        if (!strncasecmp(key, "aws:", 4))
            return org_invalid_input(c, "INVALID_SYSTEM_TAGS_PARAMETER",
                                     "You can't add tags whose keys start with aws:; they are "
                                     "reserved for AWS use.");
        for (k = 0; k < i; k++)
            if (!strcmp(key, json_string_value(json_object_get(json_array_get(tags, k), "Key"))))
                return org_invalid_input(c, "DUPLICATE_TAG_KEY",
                                         "Tag keys must be unique among the tags attached to the "
                                         "same entity.");
        if (!resource_id || !tags_has(c->db, TAGS_ORGANIZATIONS, resource_id, key)) added++;
    }
    int64_t have = resource_id ? tags_count(c->db, TAGS_ORGANIZATIONS, resource_id) : 0;
    if ((size_t)have + added > MAX_TAGS_PER_RESOURCE)
        return org_constraint(c, "MAX_TAG_LIMIT_EXCEEDED",
                              "You have exceeded the number of tags allowed on this resource.");
    return 0;
}

int org_put_tags(call_ctx *c, const char *resource_id, const json_t *tags)
{
    if (tags_put_json(c->db, TAGS_ORGANIZATIONS, resource_id, tags)) return org_fail_db(c);
    return 0;
}

int org_drop_tags(call_ctx *c, const char *resource_id)
{
    if (tags_remove_all(c->db, TAGS_ORGANIZATIONS, resource_id)) return org_fail_db(c);
    return 0;
}

int org_tag_resource(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "ResourceId");
    char kind = org_resolve_target(c->db, &o, id);
    if (!kind) return org_target_not_found(c);
    if (kind == 'p' && !strcmp(id, ORG_FULL_ACCESS_ID)) return org_immutable_policy(c);
    const json_t *tags = json_object_get(c->in, "Tags");
    if (org_check_tags(c, id, tags) || org_put_tags(c, id, tags)) return -1;
    return 0;
}

int org_untag_resource(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    const char *id = in_str(c, "ResourceId");
    if (!org_resolve_target(c->db, &o, id)) return org_target_not_found(c);
    if (tags_remove_keys(c->db, TAGS_ORGANIZATIONS, id, json_object_get(c->in, "TagKeys")))
        return org_fail_db(c);
    return 0;
}

int org_list_tags_for_resource(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    const char *id = in_str(c, "ResourceId");
    if (!org_resolve_target(c->db, &o, id)) return org_target_not_found(c);
    return org_paginate(c, tags_json(c->db, TAGS_ORGANIZATIONS, id), "Tags");
}
