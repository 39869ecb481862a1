/* confine: the serving process gives up the file system it does not need, above all the
 * digest signing keys, before it serves a single request.
 *
 * With Landlock (Linux 5.13+, root or not) the process allows itself every file access
 * everywhere except DATA/signing-keys: for DATA and each directory above it, every
 * subdirectory but the one on the way down to DATA/signing-keys is allowed, and in DATA
 * the state database's files; DATA/signing-keys itself, other files in those directories
 * and any new entry of them are not. What the server writes at run time is inside allowed
 * entries (the journal's and object store's directories, the state database and its WAL
 * files, opened at start-up). Files get no rule of their own otherwise, because a rule
 * keeps its inode: a deleted file would keep its space. Landlock rules bind the calling thread
 * and the threads and children it starts afterwards, so this runs before the first thread;
 * the signer's supervisor was forked before it (digest/signer_client.h) and stays free to
 * restart the signer. Executing programs stays allowed (the sanitizers' symbolizer).
 *
 * Without Landlock (an old or a configured-out kernel) the server still starts, and says
 * that its process can read the keys. */
#ifndef ORGTRAIL_CONFINE_H
#define ORGTRAIL_CONFINE_H

#include <stddef.h>

/* 1 confined; 0 when the kernel offers no Landlock (err says so); -1 on failure (err). */
int confine_serving_process(const char *data_dir, char *err, size_t errlen);

#endif
