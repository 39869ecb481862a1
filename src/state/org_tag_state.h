/* org_tag_state: tags of the organization's resources (accounts, OUs, the root,
 * policies), keyed by the resource's id. An invitation's tags wait under the handshake id
 * until the account joins (org_tags_move). Keys are unique per resource, with case.
 * Writers return 0, or -1 on a database error, inside the caller's transaction. */
#ifndef ORGTRAIL_ORG_TAG_STATE_H
#define ORGTRAIL_ORG_TAG_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "state/db.h"

int64_t org_tag_count(db_conn *db, const char *resource_id);
bool org_tag_exists(db_conn *db, const char *resource_id, const char *key);
/* [{"Key","Value"}] in key order; new reference. */
json_t *org_tags_json(db_conn *db, const char *resource_id);

/* Adds the tag, or replaces the value of an existing key. */
__attribute__((warn_unused_result)) int org_tag_put(db_conn *db, const char *resource_id,
                                                    const char *key, const char *value);
__attribute__((warn_unused_result)) int org_tag_remove(db_conn *db, const char *resource_id,
                                                       const char *key);
/* Every tag of the resource goes. */
__attribute__((warn_unused_result)) int org_tags_drop(db_conn *db, const char *resource_id);
/* The tags of `from` become those of `to`. */
__attribute__((warn_unused_result)) int org_tags_move(db_conn *db, const char *from,
                                                      const char *to);
/* Every tag goes (the organization is deleted). */
__attribute__((warn_unused_result)) int org_tag_forget_all(db_conn *db);

#endif
