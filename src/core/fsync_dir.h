/* fsync_dir: makes a directory's entries durable.
 *
 * A file created, renamed or linked into a directory survives a power loss only once the
 * directory itself is synced: fsync on the file covers its bytes, not its name. Every
 * module that makes a name durable (the journal, the object store, the signing keys) calls
 * this after the rename or link. */
#ifndef ORGTRAIL_FSYNC_DIR_H
#define ORGTRAIL_FSYNC_DIR_H

/* 0, or -1 with errno set. */
int fsync_dir(const char *path);

#endif
