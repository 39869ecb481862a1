/* org_unit_state: the organizational units of the organization's tree.
 *
 * An OU's parent is the root (r-...) or another OU; accounts hang off the same parents
 * (their parent_id is in org_state). Writers return 0, or -1 on a database error, inside
 * the caller's transaction. org_units_alloc returns a malloc'd array the caller frees. */
#ifndef ORGTRAIL_ORG_UNIT_STATE_H
#define ORGTRAIL_ORG_UNIT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"

typedef struct org_unit {
    char id[72]; /* ou-<root suffix>-<suffix> */
    char parent_id[72];
    char name[129];
} org_unit;

/* 1 with *u (may be NULL) when the OU exists, else 0. */
int org_unit_get(db_conn *db, const char *id, org_unit *u);
/* Whether another OU under parent_id (other than `except`, NULL: none) is called name. */
bool org_unit_name_taken(db_conn *db, const char *parent_id, const char *name, const char *except);
/* No OU and no account has the OU as parent. */
bool org_unit_is_empty(db_conn *db, const char *id);
/* The OUs directly under parent_id, oldest first. */
org_unit *org_units_alloc(db_conn *db, const char *parent_id, size_t *n);

__attribute__((warn_unused_result)) int org_unit_create(db_conn *db, const org_unit *u,
                                                        int64_t now_ms);
__attribute__((warn_unused_result)) int org_unit_rename(db_conn *db, const char *id,
                                                        const char *name);
__attribute__((warn_unused_result)) int org_unit_delete(db_conn *db, const char *id);
/* Every OU goes (the organization is deleted). */
__attribute__((warn_unused_result)) int org_unit_forget_all(db_conn *db);

#endif
