#include "state/schema.h"

/* Times are integer milliseconds since the epoch (UTC) throughout. */
static const char *const MIGRATIONS[] = {
    /* 1: accounts, credentials, Organizations, IAM subset, S3 buckets, CloudTrail trails */
    "CREATE TABLE meta("
    "  key TEXT PRIMARY KEY, value TEXT NOT NULL);"

    "CREATE TABLE accounts("
    "  id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'ACTIVE',"
    "  org_id TEXT, parent_id TEXT, joined_method TEXT, joined_ms INTEGER,"
    "  created_ms INTEGER NOT NULL);"

    /* long-term keys: the account root's (user_name NULL) and IAM users' */
    "CREATE TABLE access_keys("
    "  access_key_id TEXT PRIMARY KEY, secret TEXT NOT NULL, account_id TEXT NOT NULL,"
    "  user_name TEXT, status TEXT NOT NULL DEFAULT 'Active', created_ms INTEGER NOT NULL);"
    "CREATE INDEX access_keys_user ON access_keys(account_id, user_name);"

    /* temporary credentials issued by sts:AssumeRole */
    "CREATE TABLE sessions("
    "  access_key_id TEXT PRIMARY KEY, secret TEXT NOT NULL, session_token TEXT NOT NULL,"
    "  account_id TEXT NOT NULL, role_name TEXT NOT NULL, role_id TEXT NOT NULL,"
    "  role_path TEXT NOT NULL, session_name TEXT NOT NULL, source_identity TEXT,"
    "  issuer_account_id TEXT, issuer_arn TEXT,"
    "  created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL);"

    "CREATE TABLE organization("
    "  id TEXT PRIMARY KEY, feature_set TEXT NOT NULL, master_account_id TEXT NOT NULL,"
    "  master_email TEXT NOT NULL, root_id TEXT NOT NULL, created_ms INTEGER NOT NULL);"
    "CREATE TABLE org_policy_types("
    "  root_id TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,"
    "  PRIMARY KEY(root_id, type));"
    "CREATE TABLE org_units("
    "  id TEXT PRIMARY KEY, parent_id TEXT NOT NULL, name TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL);"
    "CREATE TABLE org_policies("
    "  id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',"
    "  type TEXT NOT NULL, content TEXT NOT NULL, aws_managed INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE org_policy_attachments("
    "  policy_id TEXT NOT NULL, target_id TEXT NOT NULL, PRIMARY KEY(policy_id, target_id));"
    "CREATE TABLE org_service_access("
    "  service_principal TEXT PRIMARY KEY, enabled_ms INTEGER NOT NULL);"
    "CREATE TABLE org_delegated_admins("
    "  account_id TEXT NOT NULL, service_principal TEXT NOT NULL, enabled_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(account_id, service_principal));"
    "CREATE TABLE org_create_account_status("
    "  id TEXT PRIMARY KEY, account_name TEXT NOT NULL, state TEXT NOT NULL,"
    "  requested_ms INTEGER NOT NULL, completed_ms INTEGER, account_id TEXT,"
    "  failure_reason TEXT);"
    "CREATE TABLE org_handshakes("
    "  id TEXT PRIMARY KEY, action TEXT NOT NULL, state TEXT NOT NULL,"
    "  account_id TEXT NOT NULL, parties TEXT NOT NULL, resources TEXT NOT NULL,"
    "  requested_ms INTEGER NOT NULL, expiration_ms INTEGER NOT NULL);"
    "CREATE TABLE org_tags("
    "  resource_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY(resource_id, key));"

    "CREATE TABLE iam_users("
    "  account_id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, user_id TEXT NOT NULL UNIQUE,"
    "  path TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY(account_id, name));"
    "CREATE TABLE iam_roles("
    "  account_id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, role_id TEXT NOT NULL UNIQUE,"
    "  path TEXT NOT NULL, trust_policy TEXT NOT NULL, description TEXT,"
    "  max_session_s INTEGER NOT NULL DEFAULT 3600, service_principal TEXT,"
    "  created_ms INTEGER NOT NULL, PRIMARY KEY(account_id, name));"
    "CREATE TABLE iam_role_policies("
    "  account_id TEXT NOT NULL, role_name TEXT NOT NULL COLLATE NOCASE,"
    "  policy_name TEXT NOT NULL, document TEXT NOT NULL,"
    "  PRIMARY KEY(account_id, role_name, policy_name));"
    "CREATE TABLE iam_role_attached("
    "  account_id TEXT NOT NULL, role_name TEXT NOT NULL COLLATE NOCASE,"
    "  policy_arn TEXT NOT NULL, PRIMARY KEY(account_id, role_name, policy_arn));"
    "CREATE TABLE iam_tags("
    "  account_id TEXT NOT NULL, resource TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY(account_id, resource, key));"

    "CREATE TABLE s3_buckets("
    "  name TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL, object_lock INTEGER NOT NULL DEFAULT 0,"
    "  versioning TEXT, policy TEXT, encryption TEXT);"

    "CREATE TABLE trails("
    "  arn TEXT PRIMARY KEY, account_id TEXT NOT NULL, name TEXT NOT NULL,"
    "  home_region TEXT NOT NULL, s3_bucket TEXT NOT NULL, s3_prefix TEXT,"
    "  sns_topic TEXT, include_global INTEGER NOT NULL DEFAULT 1,"
    "  multi_region INTEGER NOT NULL DEFAULT 0, log_validation INTEGER NOT NULL DEFAULT 0,"
    "  cwl_group_arn TEXT, cwl_role_arn TEXT, kms_key_id TEXT,"
    "  is_org INTEGER NOT NULL DEFAULT 0, created_by TEXT NOT NULL,"
    "  event_selectors TEXT, advanced_event_selectors TEXT, insight_selectors TEXT,"
    "  logging INTEGER NOT NULL DEFAULT 0, start_logging_ms INTEGER, stop_logging_ms INTEGER,"
    "  created_ms INTEGER NOT NULL, UNIQUE(account_id, home_region, name));"
    "CREATE TABLE trail_tags("
    "  trail_arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY(trail_arn, key));",

    /* 2: IAM users' policies (the management account's admin users need them) */
    "CREATE TABLE iam_user_policies("
    "  account_id TEXT NOT NULL, user_name TEXT NOT NULL COLLATE NOCASE,"
    "  policy_name TEXT NOT NULL, document TEXT NOT NULL,"
    "  PRIMARY KEY(account_id, user_name, policy_name));"
    "CREATE TABLE iam_user_attached("
    "  account_id TEXT NOT NULL, user_name TEXT NOT NULL COLLATE NOCASE,"
    "  policy_arn TEXT NOT NULL, PRIMARY KEY(account_id, user_name, policy_arn));",

    /* 3: S3 objects on the embedded store (store/objstore.h). One row per version or
     * delete marker; id orders versions (newest = highest). The partial index serves
     * ListObjectsV2, which only sees current, non-marker versions. */
    "CREATE TABLE s3_objects("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  bucket TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT NOT NULL,"
    "  is_latest INTEGER NOT NULL, delete_marker INTEGER NOT NULL DEFAULT 0,"
    "  blob TEXT, size INTEGER NOT NULL DEFAULT 0, etag TEXT NOT NULL DEFAULT '',"
    "  content_type TEXT, metadata TEXT, checksum_alg TEXT, checksum TEXT,"
    "  parts_count INTEGER NOT NULL DEFAULT 0, owner TEXT NOT NULL,"
    "  lock_mode TEXT, retain_until_ms INTEGER, legal_hold INTEGER NOT NULL DEFAULT 0,"
    "  sse TEXT, created_ms INTEGER NOT NULL,"
    "  UNIQUE(bucket, key, version_id));"
    "CREATE INDEX s3_objects_versions ON s3_objects(bucket, key, id);"
    "CREATE INDEX s3_objects_current ON s3_objects(bucket, key)"
    "  WHERE is_latest = 1 AND delete_marker = 0;"
    "CREATE INDEX s3_objects_blob ON s3_objects(blob);"
    "CREATE TABLE s3_uploads("
    "  upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL,"
    "  owner TEXT NOT NULL, options TEXT NOT NULL, created_ms INTEGER NOT NULL);"
    "CREATE INDEX s3_uploads_key ON s3_uploads(bucket, key, created_ms);"
    "CREATE TABLE s3_parts("
    "  upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, blob TEXT NOT NULL,"
    "  size INTEGER NOT NULL, etag TEXT NOT NULL, checksum TEXT,"
    "  created_ms INTEGER NOT NULL, PRIMARY KEY(upload_id, part_number));"
    "CREATE INDEX s3_parts_blob ON s3_parts(blob);"
    /* Object Lock default retention: {"Mode","Days"|"Years"}; NULL = none. */
    "ALTER TABLE s3_buckets ADD COLUMN lock_default TEXT;",

    /* 4: CloudTrail channels (PutAuditEvents ingestion from the organization's services) */
    "CREATE TABLE channels("
    "  arn TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, account_id TEXT NOT NULL,"
    "  region TEXT NOT NULL, name TEXT NOT NULL, source TEXT NOT NULL,"
    "  destinations TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    "  last_success_ms INTEGER, last_success_event_id TEXT,"
    "  last_attempt_ms INTEGER, last_attempt_event_id TEXT, last_error_code TEXT,"
    "  UNIQUE(account_id, region, name));"
    "CREATE TABLE channel_tags("
    "  channel_arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY(channel_arn, key));",

    /* 5: log-file delivery (src/delivery/deliver.h explains how these tables make it
     * exactly-once). Logging spans, selector history and membership history let delivery,
     * which reads the journal later, decide as of the moment each record was captured. */
    "CREATE TABLE trail_logging_spans("
    "  trail_arn TEXT NOT NULL, from_seq INTEGER NOT NULL, to_seq INTEGER,"
    "  PRIMARY KEY(trail_arn, from_seq));"
    "INSERT INTO trail_logging_spans(trail_arn, from_seq)"
    "  SELECT arn, 0 FROM trails WHERE logging = 1;"
    "CREATE TABLE trail_selector_history("
    "  trail_arn TEXT NOT NULL, from_seq INTEGER NOT NULL, basic TEXT, advanced TEXT,"
    "  PRIMARY KEY(trail_arn, from_seq));"
    "INSERT INTO trail_selector_history(trail_arn, from_seq, basic, advanced)"
    "  SELECT arn, 0, event_selectors, advanced_event_selectors FROM trails"
    "  WHERE event_selectors IS NOT NULL OR advanced_event_selectors IS NOT NULL;"
    "CREATE TABLE org_membership_history("
    "  account_id TEXT NOT NULL, org_id TEXT NOT NULL, from_ms INTEGER NOT NULL,"
    "  to_ms INTEGER);"
    "CREATE INDEX org_membership_history_org ON org_membership_history(org_id, account_id);"
    "INSERT INTO org_membership_history(account_id, org_id, from_ms)"
    "  SELECT id, org_id, COALESCE(joined_ms, 0) FROM accounts WHERE org_id IS NOT NULL;"
    "CREATE TRIGGER org_membership_insert AFTER INSERT ON accounts WHEN NEW.org_id IS NOT NULL"
    " BEGIN INSERT INTO org_membership_history(account_id, org_id, from_ms)"
    "  VALUES(NEW.id, NEW.org_id,"
    "         CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)); END;"
    "CREATE TRIGGER org_membership_update AFTER UPDATE OF org_id ON accounts"
    " WHEN OLD.org_id IS NOT NEW.org_id"
    " BEGIN"
    "  UPDATE org_membership_history"
    "   SET to_ms = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
    "   WHERE account_id = OLD.id AND to_ms IS NULL;"
    "  INSERT INTO org_membership_history(account_id, org_id, from_ms)"
    "   SELECT NEW.id, NEW.org_id,"
    "          CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
    "   WHERE NEW.org_id IS NOT NULL;"
    " END;"
    "CREATE TABLE delivery_cursor("
    "  id INTEGER PRIMARY KEY CHECK(id = 1), next_seq INTEGER NOT NULL);"
    "CREATE TABLE delivery_files("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, trail_arn TEXT NOT NULL, bucket TEXT NOT NULL,"
    "  key TEXT NOT NULL UNIQUE, account_id TEXT NOT NULL, region TEXT NOT NULL,"
    "  first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, records INTEGER NOT NULL,"
    "  body BLOB NOT NULL, planned_ms INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE delivery_status("
    "  trail_arn TEXT PRIMARY KEY, latest_delivery_ms INTEGER, latest_attempt_ms INTEGER,"
    "  latest_error TEXT);",

    /* 6: integrity — digest signing keys (digest/keystore.h), digest chains, the log files
     * waiting for their digest, planned digests (digest/digester.h explains how these make
     * digests exactly-once), and what a log file's digest entry needs, computed when the
     * file is planned. */
    "CREATE TABLE signing_keys("
    "  fingerprint TEXT PRIMARY KEY, region TEXT NOT NULL, public_der BLOB NOT NULL,"
    "  valid_from_ms INTEGER NOT NULL, valid_to_ms INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL);"
    "CREATE INDEX signing_keys_region ON signing_keys(region, valid_from_ms);"
    "ALTER TABLE delivery_files ADD COLUMN json_sha256 TEXT;"
    "ALTER TABLE delivery_files ADD COLUMN oldest_event_ms INTEGER;"
    "ALTER TABLE delivery_files ADD COLUMN newest_event_ms INTEGER;"
    "CREATE TABLE digest_chains("
    "  trail_arn TEXT NOT NULL, account_id TEXT NOT NULL, region TEXT NOT NULL,"
    "  running INTEGER NOT NULL, start_ms INTEGER NOT NULL, last_end_ms INTEGER NOT NULL,"
    "  prev_bucket TEXT, prev_key TEXT, prev_hash TEXT, prev_signature TEXT,"
    "  PRIMARY KEY(trail_arn, account_id, region));"
    "CREATE TABLE digest_pending_logs("
    "  trail_arn TEXT NOT NULL, account_id TEXT NOT NULL, region TEXT NOT NULL,"
    "  bucket TEXT NOT NULL, key TEXT NOT NULL, sha256 TEXT NOT NULL,"
    "  oldest_event_ms INTEGER, newest_event_ms INTEGER, delivered_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(trail_arn, bucket, key));"
    "CREATE INDEX digest_pending_chain ON digest_pending_logs(trail_arn, account_id, region);"
    "CREATE TABLE digest_files("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, trail_arn TEXT NOT NULL,"
    "  account_id TEXT NOT NULL, region TEXT NOT NULL, bucket TEXT NOT NULL,"
    "  key TEXT NOT NULL, body BLOB NOT NULL, signature TEXT NOT NULL,"
    "  end_ms INTEGER NOT NULL, planned_ms INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0);"
    "ALTER TABLE delivery_status ADD COLUMN latest_digest_ms INTEGER;"
    "ALTER TABLE delivery_status ADD COLUMN latest_digest_attempt_ms INTEGER;"
    "ALTER TABLE delivery_status ADD COLUMN latest_digest_error TEXT;",

    /* 7: a deleted trail's settings, kept until its digest chains have ended with their
     * last digests (DeleteTrail, like StopLogging, ends each running chain with a digest
     * of what was delivered; digest/digester.h). The same columns as trails: a migration
     * that adds a column to trails adds it here too. */
    "CREATE TABLE deleted_trails AS SELECT * FROM trails WHERE 0;",

    /* 8: one tag table for every service (state/tags.h) instead of one each. The rows
     * move over, each table's in its rowid order so that IAM's tags, listed in the order
     * they were set, keep their order; id is an alias of the rowid so that VACUUM keeps
     * it. An IAM entity's tags were keyed by (account, entity id): the account is folded
     * into the resource id as "<account>/<entity id>" (iam_tag_resource_id). The
     * namespace texts are those of state/tags.c. */
    "CREATE TABLE tags("
    "  id INTEGER PRIMARY KEY, namespace TEXT NOT NULL, resource_id TEXT NOT NULL,"
    "  key TEXT NOT NULL, value TEXT NOT NULL, UNIQUE(namespace, resource_id, key));"
    "INSERT INTO tags(namespace, resource_id, key, value)"
    "  SELECT 'organizations', resource_id, key, value FROM org_tags ORDER BY rowid;"
    "INSERT INTO tags(namespace, resource_id, key, value)"
    "  SELECT 'iam', account_id || '/' || resource, key, value FROM iam_tags ORDER BY rowid;"
    "INSERT INTO tags(namespace, resource_id, key, value)"
    "  SELECT 'cloudtrail.trail', trail_arn, key, value FROM trail_tags ORDER BY rowid;"
    "INSERT INTO tags(namespace, resource_id, key, value)"
    "  SELECT 'cloudtrail.channel', channel_arn, key, value FROM channel_tags ORDER BY rowid;"
    "DROP TABLE org_tags;"
    "DROP TABLE iam_tags;"
    "DROP TABLE trail_tags;"
    "DROP TABLE channel_tags;",
    /* 9: one outbox for log files and digests (state/outbox_state.h): the rows of
     * delivery_files and digest_files move across, each table in its planning order (id),
     * with their attempts and next attempt times, so that what was planned still goes out
     * once and in order. A log file's key stays unique among log files. */
    "CREATE TABLE outbox("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL CHECK(kind IN ('log', 'digest')),"
    "  trail_arn TEXT NOT NULL, account_id TEXT NOT NULL, region TEXT NOT NULL,"
    "  bucket TEXT NOT NULL, key TEXT NOT NULL, body BLOB NOT NULL, planned_ms INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0,"
    "  first_seq INTEGER NOT NULL DEFAULT 0, last_seq INTEGER NOT NULL DEFAULT 0,"
    "  records INTEGER NOT NULL DEFAULT 0, json_sha256 TEXT, oldest_event_ms INTEGER,"
    "  newest_event_ms INTEGER, signature TEXT, end_ms INTEGER NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX outbox_log_key ON outbox(key) WHERE kind = 'log';"
    "CREATE INDEX outbox_kind ON outbox(kind, id);"
    "INSERT INTO outbox(kind, trail_arn, account_id, region, bucket, key, body, planned_ms,"
    "  attempts, next_attempt_ms, first_seq, last_seq, records, json_sha256, oldest_event_ms,"
    "  newest_event_ms)"
    "  SELECT 'log', trail_arn, account_id, region, bucket, key, body, planned_ms, attempts,"
    "  next_attempt_ms, first_seq, last_seq, records, json_sha256, oldest_event_ms,"
    "  newest_event_ms FROM delivery_files ORDER BY id;"
    "INSERT INTO outbox(kind, trail_arn, account_id, region, bucket, key, body, planned_ms,"
    "  attempts, next_attempt_ms, signature, end_ms)"
    "  SELECT 'digest', trail_arn, account_id, region, bucket, key, body, planned_ms, attempts,"
    "  next_attempt_ms, signature, end_ms FROM digest_files ORDER BY id;"
    "DROP TABLE delivery_files;"
    "DROP TABLE digest_files;",
    /* 10: a counter that every change to what authorization reads about a caller moves
     * (its IAM policies and attachments, its tags, the organization, its OUs, SCPs and
     * their attachments), so that a caller's policies, loaded and compiled once, are
     * reused until it moves (policy/authz_cache.h). Triggers, so that no write path can
     * forget it. */
    "CREATE TABLE authz_epoch(id INTEGER PRIMARY KEY CHECK(id = 1), n INTEGER NOT NULL);"
    "INSERT INTO authz_epoch(id, n) VALUES(1, 0);"
    "CREATE TRIGGER authz_epoch_accounts_i AFTER INSERT ON accounts BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_accounts_u AFTER UPDATE ON accounts BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_accounts_d AFTER DELETE ON accounts BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_organization_i AFTER INSERT ON organization BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_organization_u AFTER UPDATE ON organization BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_organization_d AFTER DELETE ON organization BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_org_policy_types_i AFTER INSERT ON org_policy_types BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_org_policy_types_u AFTER UPDATE ON org_policy_types BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_org_policy_types_d AFTER DELETE ON org_policy_types BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_org_units_i AFTER INSERT ON org_units BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_org_units_u AFTER UPDATE ON org_units BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_org_units_d AFTER DELETE ON org_units BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_org_policies_i AFTER INSERT ON org_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_org_policies_u AFTER UPDATE ON org_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_org_policies_d AFTER DELETE ON org_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_org_policy_attachments_i AFTER INSERT ON org_policy_attachments "
    "BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_org_policy_attachments_u AFTER UPDATE ON org_policy_attachments "
    "BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_org_policy_attachments_d AFTER DELETE ON org_policy_attachments "
    "BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_users_i AFTER INSERT ON iam_users BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_users_u AFTER UPDATE ON iam_users BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_users_d AFTER DELETE ON iam_users BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_roles_i AFTER INSERT ON iam_roles BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_roles_u AFTER UPDATE ON iam_roles BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_roles_d AFTER DELETE ON iam_roles BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_role_policies_i AFTER INSERT ON iam_role_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_role_policies_u AFTER UPDATE ON iam_role_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_role_policies_d AFTER DELETE ON iam_role_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_role_attached_i AFTER INSERT ON iam_role_attached BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_role_attached_u AFTER UPDATE ON iam_role_attached BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_role_attached_d AFTER DELETE ON iam_role_attached BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_user_policies_i AFTER INSERT ON iam_user_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_user_policies_u AFTER UPDATE ON iam_user_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_user_policies_d AFTER DELETE ON iam_user_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_user_attached_i AFTER INSERT ON iam_user_attached BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_user_attached_u AFTER UPDATE ON iam_user_attached BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_user_attached_d AFTER DELETE ON iam_user_attached BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_tags_i AFTER INSERT ON tags BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_tags_u AFTER UPDATE ON tags BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_tags_d AFTER DELETE ON tags BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;",
    /* 11: permissions boundaries of users and roles (the managed policy's ARN; NULL:
     * none), and the session policies AssumeRole was given (a JSON array of documents and
     * {"arn": ...} objects; NULL: none), which limit what the session may do. */
    "ALTER TABLE iam_users ADD COLUMN permissions_boundary TEXT;"
    "ALTER TABLE iam_roles ADD COLUMN permissions_boundary TEXT;"
    "ALTER TABLE sessions ADD COLUMN policies TEXT;",
    /* 12: IAM groups, their members and their policies: a user's identity policies are
     * its own and those of every group it is in. Each table moves the authorization
     * epoch (migration 10). */
    "CREATE TABLE iam_groups("
    "  account_id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, group_id TEXT NOT NULL,"
    "  path TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY(account_id, name));"
    "CREATE TABLE iam_group_members("
    "  account_id TEXT NOT NULL, group_name TEXT NOT NULL COLLATE NOCASE,"
    "  user_name TEXT NOT NULL COLLATE NOCASE, PRIMARY KEY(account_id, group_name, user_name));"
    "CREATE INDEX iam_group_members_user ON iam_group_members(account_id, user_name);"
    "CREATE TABLE iam_group_policies("
    "  account_id TEXT NOT NULL, group_name TEXT NOT NULL COLLATE NOCASE,"
    "  policy_name TEXT NOT NULL, document TEXT NOT NULL,"
    "  PRIMARY KEY(account_id, group_name, policy_name));"
    "CREATE TABLE iam_group_attached("
    "  account_id TEXT NOT NULL, group_name TEXT NOT NULL COLLATE NOCASE,"
    "  policy_arn TEXT NOT NULL, PRIMARY KEY(account_id, group_name, policy_arn));"
    "CREATE TRIGGER authz_epoch_iam_groups_i AFTER INSERT ON iam_groups BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_groups_u AFTER UPDATE ON iam_groups BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_groups_d AFTER DELETE ON iam_groups BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_group_members_i AFTER INSERT ON iam_group_members BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_group_members_u AFTER UPDATE ON iam_group_members BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_group_members_d AFTER DELETE ON iam_group_members BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_group_policies_i AFTER INSERT ON iam_group_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_group_policies_u AFTER UPDATE ON iam_group_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_group_policies_d AFTER DELETE ON iam_group_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_group_attached_i AFTER INSERT ON iam_group_attached BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_group_attached_u AFTER UPDATE ON iam_group_attached BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_group_attached_d AFTER DELETE ON iam_group_attached BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;",
    /* 13: customer managed policies and their versions (state/iam_policy_state.h); the
     * default version is the one in force. Both move the authorization epoch. */
    "CREATE TABLE iam_policies("
    "  arn TEXT PRIMARY KEY, account_id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE,"
    "  policy_id TEXT NOT NULL, path TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',"
    "  default_version TEXT NOT NULL, next_version INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, UNIQUE(account_id, name));"
    "CREATE TABLE iam_policy_versions("
    "  policy_arn TEXT NOT NULL, version_id TEXT NOT NULL, document TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL, PRIMARY KEY(policy_arn, version_id));"
    "CREATE TRIGGER authz_epoch_iam_policies_i AFTER INSERT ON iam_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_policies_u AFTER UPDATE ON iam_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_policies_d AFTER DELETE ON iam_policies BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_policy_versions_i AFTER INSERT ON iam_policy_versions BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_policy_versions_u AFTER UPDATE ON iam_policy_versions BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;"
    "CREATE TRIGGER authz_epoch_iam_policy_versions_d AFTER DELETE ON iam_policy_versions BEGIN"
    "  UPDATE authz_epoch SET n = n + 1; END;",
    /* 14: CloudWatch Logs log groups and their log streams (svc/logs.c), per account and
     * region; names compare exactly, as in CloudWatch Logs. */
    "CREATE TABLE log_groups("
    "  account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL, retention_days INTEGER,"
    "  PRIMARY KEY(account_id, region, name));"
    "CREATE TABLE log_streams("
    "  account_id TEXT NOT NULL, region TEXT NOT NULL, group_name TEXT NOT NULL,"
    "  name TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(account_id, region, group_name, name));",
    /* 15: CloudWatch Logs log events (state/logstore.h). Groups and streams get integer ids
     * (the tables are rebuilt with their rows and the same columns), so that an event row
     * names its group and stream in a few bytes; the streams gain what DescribeLogStreams
     * reports of their events, the groups their stored bytes. An event's seq is its
     * ingestion order, never reused (AUTOINCREMENT): reads resume from (timestamp, seq),
     * and one index per reader keeps that order: a group's events for FilterLogEvents, a
     * stream's for GetLogEvents. */
    "CREATE TABLE log_groups_v15("
    "  id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL,"
    "  name TEXT NOT NULL, created_ms INTEGER NOT NULL, retention_days INTEGER,"
    "  stored_bytes INTEGER NOT NULL DEFAULT 0, UNIQUE(account_id, region, name));"
    "INSERT INTO log_groups_v15(account_id, region, name, created_ms, retention_days)"
    "  SELECT account_id, region, name, created_ms, retention_days FROM log_groups;"
    "DROP TABLE log_groups;"
    "ALTER TABLE log_groups_v15 RENAME TO log_groups;"
    "CREATE TABLE log_streams_v15("
    "  id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, account_id TEXT NOT NULL,"
    "  region TEXT NOT NULL, group_name TEXT NOT NULL, name TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL, first_event_ms INTEGER, last_event_ms INTEGER,"
    "  last_ingest_ms INTEGER, last_seq INTEGER,"
    "  UNIQUE(account_id, region, group_name, name));"
    "INSERT INTO log_streams_v15(group_id, account_id, region, group_name, name, created_ms)"
    "  SELECT g.id, s.account_id, s.region, s.group_name, s.name, s.created_ms"
    "  FROM log_streams s JOIN log_groups g ON g.account_id = s.account_id AND"
    "  g.region = s.region AND g.name = s.group_name;"
    "DROP TABLE log_streams;"
    "ALTER TABLE log_streams_v15 RENAME TO log_streams;"
    "CREATE INDEX log_streams_group ON log_streams(group_id, name);"
    "CREATE TABLE log_events("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL,"
    "  stream_id INTEGER NOT NULL, ts INTEGER NOT NULL, ingest_ms INTEGER NOT NULL,"
    "  message BLOB NOT NULL);"
    "CREATE INDEX log_events_group_order ON log_events(group_id, ts, seq);"
    "CREATE INDEX log_events_stream_order ON log_events(stream_id, ts, seq);",
    /* 16: CloudWatch Logs metric filters (svc/logs_filters.c): the pattern's text and its one
     * metric transformation as the API's JSON; has_regex counts toward the five
     * regex-bearing filters a group may have. They go with their group. */
    "CREATE TABLE metric_filters("
    "  group_id INTEGER NOT NULL, name TEXT NOT NULL, pattern TEXT NOT NULL,"
    "  transformation TEXT NOT NULL, has_regex INTEGER NOT NULL, created_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(group_id, name));",
    /* 17: trails streaming to CloudWatch Logs (delivery/cwl_stream.h): the first journal
     * seq not yet streamed, and GetTrailStatus's LatestCloudWatchLogsDeliveryTime / Error
     * beside the other delivery kinds' columns. */
    "CREATE TABLE cwl_cursor(id INTEGER PRIMARY KEY CHECK(id = 1), next_seq INTEGER NOT NULL);"
    "ALTER TABLE delivery_status ADD COLUMN latest_cwl_ms INTEGER;"
    "ALTER TABLE delivery_status ADD COLUMN latest_cwl_attempt_ms INTEGER;"
    "ALTER TABLE delivery_status ADD COLUMN latest_cwl_error TEXT;",
    /* 18: SNS (svc/sns_internal.h). Topics keep their attributes as AWS's strings; the
     * deleted-subscription count is GetTopicAttributes' SubscriptionsDeleted. A
     * subscription's arn is made at Subscribe (pending ones too, ReturnSubscriptionArn), its
     * token is the confirmation's. sns_outbox holds every message still to be POSTed to an
     * http/https endpoint, written in the transaction of the Publish (or Subscribe) that
     * made it, so that a pending delivery survives a crash; the retry policy in force at
     * publication travels with the row, and so does its Content-Type. sns_signing_keys: the
     * server's message signing key and its self-signed certificate (svc/sns_sign.h says why it is
     * not in the signer). */
    "CREATE TABLE sns_topics("
    "  arn TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL,"
    "  name TEXT NOT NULL, display_name TEXT NOT NULL DEFAULT '', policy TEXT NOT NULL,"
    "  delivery_policy TEXT, signature_version TEXT NOT NULL DEFAULT '1',"
    "  subs_deleted INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL);"
    "CREATE INDEX sns_topics_owner ON sns_topics(account_id, region, arn);"
    "CREATE TABLE sns_subscriptions("
    "  arn TEXT PRIMARY KEY, topic_arn TEXT NOT NULL, account_id TEXT NOT NULL,"
    "  region TEXT NOT NULL, protocol TEXT NOT NULL, endpoint TEXT NOT NULL,"
    "  token TEXT NOT NULL, confirmed INTEGER NOT NULL DEFAULT 0,"
    "  authenticated INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL);"
    "CREATE INDEX sns_subscriptions_topic ON sns_subscriptions(topic_arn, arn);"
    "CREATE INDEX sns_subscriptions_owner ON sns_subscriptions(account_id, region, arn);"
    "CREATE TABLE sns_outbox("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, topic_arn TEXT NOT NULL,"
    "  subscription_arn TEXT NOT NULL, endpoint TEXT NOT NULL, message_id TEXT NOT NULL,"
    "  subject TEXT, message TEXT NOT NULL, attributes TEXT, token TEXT,"
    "  signature_version TEXT NOT NULL, ts_ms INTEGER NOT NULL, retry_policy TEXT NOT NULL,"
    "  content_type TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_ms INTEGER NOT NULL, last_error TEXT);"
    "CREATE INDEX sns_outbox_due ON sns_outbox(next_ms, id);"
    "CREATE TABLE sns_signing_keys("
    "  id TEXT PRIMARY KEY, key_pem TEXT NOT NULL, cert_pem TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL);",
    /* 19: notifications services send through SNS on their own behalf (state/notify_state.h):
     * CloudTrail's for delivered log files, CloudWatch's alarm actions. */
    "CREATE TABLE notify_outbox("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, topic_arn TEXT NOT NULL, service TEXT NOT NULL,"
    "  source_arn TEXT, source_account TEXT, subject TEXT, message TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL);",
    /* 20: CloudWatch metrics (state/metricstore.h): one row per metric (account, region,
     * namespace, name and its dimension set as canonical JSON text), and its datapoints as
     * statistic sets with the raw (value, count) pairs as a blob of doubles when the caller
     * had them (percentiles). Alarms (state/alarms.h): their settings as the API's JSON
     * plus the columns evaluation and DescribeAlarms filter on; their history; and the
     * outbox of alarm actions that the SNS service delivers (alarm_actions, documented in
     * state/alarms.h). */
    "CREATE TABLE metrics("
    "  id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL,"
    "  namespace TEXT NOT NULL, name TEXT NOT NULL, dims TEXT NOT NULL,"
    "  last_put_ms INTEGER NOT NULL, UNIQUE(account_id, region, namespace, name, dims));"
    "CREATE TABLE metric_points("
    "  metric_id INTEGER NOT NULL, ts INTEGER NOT NULL, unit TEXT NOT NULL,"
    "  count REAL NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,"
    "  vals BLOB NOT NULL);"
    "CREATE INDEX metric_points_order ON metric_points(metric_id, ts);"
    "CREATE TABLE alarms("
    "  account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,"
    "  namespace TEXT NOT NULL, metric_name TEXT NOT NULL, dims TEXT NOT NULL,"
    "  config TEXT NOT NULL, state TEXT NOT NULL, state_reason TEXT NOT NULL,"
    "  state_reason_data TEXT, state_updated_ms INTEGER NOT NULL,"
    "  config_updated_ms INTEGER NOT NULL, actions_enabled INTEGER NOT NULL,"
    "  PRIMARY KEY(account_id, region, name));"
    "CREATE INDEX alarms_metric ON alarms(account_id, region, namespace, metric_name);"
    "CREATE TABLE alarm_history("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT, account_id TEXT NOT NULL, region TEXT NOT NULL,"
    "  alarm_name TEXT NOT NULL, ts INTEGER NOT NULL, item_type TEXT NOT NULL,"
    "  summary TEXT NOT NULL, data TEXT NOT NULL);"
    "CREATE INDEX alarm_history_alarm ON alarm_history(account_id, region, alarm_name, ts);"
    "CREATE TABLE alarm_actions("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT, account_id TEXT NOT NULL, region TEXT NOT NULL,"
    "  alarm_name TEXT NOT NULL, alarm_arn TEXT NOT NULL, action_arn TEXT NOT NULL,"
    "  new_state TEXT NOT NULL, message TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    "  delivered_ms INTEGER);",
    /* 21: log events stored in compressed chunks (state/logstore.c): a batch's messages
     * are deflated together, up to LOGSTORE_CHUNK_RAW bytes a chunk, and each event row
     * points into its chunk (chunk_id, chunk_off, len) with an empty message. A chunk is
     * one stream's and goes when its last event can have gone: its stream or group is
     * deleted, or max_ts falls behind the retention. Rows from before keep their message
     * inline (chunk_id NULL); len is their length(message). */
    "CREATE TABLE log_chunks("
    "  id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, stream_id INTEGER NOT NULL,"
    "  max_ts INTEGER NOT NULL, raw_len INTEGER NOT NULL, data BLOB NOT NULL);"
    "CREATE INDEX log_chunks_group ON log_chunks(group_id, max_ts);"
    "CREATE INDEX log_chunks_stream ON log_chunks(stream_id);"
    "ALTER TABLE log_events ADD COLUMN chunk_id INTEGER;"
    "ALTER TABLE log_events ADD COLUMN chunk_off INTEGER;"
    "ALTER TABLE log_events ADD COLUMN len INTEGER;"
    "UPDATE log_events SET len = length(message);",
};

int schema_migration_count(void)
{
    return (int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]);
}

const char *schema_migration(int index)
{
    return MIGRATIONS[index];
}
