/* tags: the one store of resource tags for every service that tags (Organizations, IAM,
 * CloudTrail trails and channels, CloudWatch Logs log groups), one table over (namespace, resource
 * id, key, value).
 *
 * A namespace is a service's set of resources; a resource id means something only inside
 * its namespace (an Organizations resource id, a trail ARN, ...). IAM entities are tagged
 * under iam_tag_resource_id(): the account folded into the id (state/iam_state.h).
 *
 * The namespace decides what is storage, the same for every caller of that service: how
 * keys compare and how tags are listed. Organizations, CloudTrail and Logs compare keys with
 * case and list in key order; IAM compares keys without case and lists in the order the
 * keys were last set (putting an existing key moves it to the end), as AWS does. What a
 * service accepts (key and value syntax, quotas, its errors) is the service's: this
 * module stores what it is given.
 *
 * A namespace's text is stored in every row (and written by the migration that made the
 * table, state/schema.c): it never changes once released.
 *
 * Readers return what they find ([] / 0 / false on a database error). Writers return 0,
 * or -1 on a database error, inside the caller's transaction when there is one. A NULL
 * value is stored as "". */
#ifndef ORGTRAIL_TAGS_H
#define ORGTRAIL_TAGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "state/db.h"

typedef enum tags_ns {
    TAGS_ORGANIZATIONS, /* accounts, OUs, the root, policies, invitations (handshakes) */
    TAGS_IAM,           /* roles and users */
    TAGS_TRAIL,         /* CloudTrail trails, by ARN */
    TAGS_CHANNEL,       /* CloudTrail channels, by ARN */
    TAGS_LOGS_GROUP,    /* CloudWatch Logs log groups, by ARN (without ":*") */
    TAGS_SNS_TOPIC,     /* SNS topics, by ARN */
    TAGS_CW_ALARM,      /* CloudWatch alarms, by ARN */
} tags_ns;

int64_t tags_count(db_conn *db, tags_ns ns, const char *resource_id);
/* Whether the resource has a tag with this key (compared as the namespace does). */
bool tags_has(db_conn *db, tags_ns ns, const char *resource_id, const char *key);
/* The resource's tags as [{"Key","Value"}] in the namespace's order. New reference. */
json_t *tags_json(db_conn *db, tags_ns ns, const char *resource_id);

/* Sets one tag: adds it, or replaces the tag with the same key. */
__attribute__((warn_unused_result)) int tags_put(db_conn *db, tags_ns ns, const char *resource_id,
                                                 const char *key, const char *value);
/* tags_put for each {"Key","Value"} of the array, in its order. */
__attribute__((warn_unused_result)) int tags_put_json(db_conn *db, tags_ns ns,
                                                      const char *resource_id, const json_t *tags);
/* Removes the tag with this key, if any. */
__attribute__((warn_unused_result)) int tags_remove(db_conn *db, tags_ns ns,
                                                    const char *resource_id, const char *key);
/* tags_remove for each key of an array of strings. */
__attribute__((warn_unused_result)) int
tags_remove_keys(db_conn *db, tags_ns ns, const char *resource_id, const json_t *keys);
/* Every tag of the resource goes (the resource is deleted). */
__attribute__((warn_unused_result)) int tags_remove_all(db_conn *db, tags_ns ns,
                                                        const char *resource_id);
/* The tags of `from` become those of `to` (which has none). */
__attribute__((warn_unused_result)) int tags_move(db_conn *db, tags_ns ns, const char *from,
                                                  const char *to);
/* Every tag of the namespace goes (Organizations: the organization is deleted). */
__attribute__((warn_unused_result)) int tags_forget_namespace(db_conn *db, tags_ns ns);

#endif
