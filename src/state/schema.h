/* schema: the ordered list of migrations that build the state store.
 *
 * Migration N (0-based) moves a store from user_version N to N+1. Migrations are only
 * ever appended: a released migration is never edited, so every store can be brought
 * forward from whatever version it has. */
#ifndef ORGTRAIL_SCHEMA_H
#define ORGTRAIL_SCHEMA_H

int schema_migration_count(void);
const char *schema_migration(int index);

#endif
