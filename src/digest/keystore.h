/* keystore: the per-region digest signing keys, their validity ranges, and the private
 * key files.
 *
 * Each region has its own keys (the AWS CLI asks ListPublicKeys in the digest's region).
 * A key is valid for [valid_from, valid_to): it signs the digests whose digestEndTime
 * falls in that range. Keys are made on first use: when a digest (or ListPublicKeys for
 * a range that includes now) needs a key for a moment no key of its region covers, a new
 * one is made, valid from that moment (whole seconds) for `period_ms`. That is the
 * rotation: once a key's range is over, the next digest gets a new key. Old keys are
 * kept for good, so digests signed with them stay verifiable.
 *
 * Storage: the public half and the range in the state database (signing_keys); the
 * private half only in the signer (signer.h), which makes each pair and writes its file
 * durably before it answers, so a committed row always has its file; a crash in between
 * leaves a key file that is never used. This module never sees a private key.
 *
 * Callers hold a write transaction (db_begin) around keystore_key_for, so two threads
 * wanting a key at once cannot both make one. */
#ifndef ORGTRAIL_DIGEST_KEYSTORE_H
#define ORGTRAIL_DIGEST_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/awserr.h"
#include "digest/signer_client.h"
#include "digest/signkey.h"
#include "state/db.h"

#define KEYSTORE_DEFAULT_PERIOD_S (30 * 86400) /* AWS's published keys span 30 days */

typedef struct public_key {
    char region[32];
    char fingerprint[SIGNKEY_FINGERPRINT_LEN + 1];
    unsigned char *der; /* owned: PKCS#1 RSAPublicKey */
    size_t der_len;
    int64_t valid_from_ms, valid_to_ms;
} public_key;

/* The key that signs `region`'s digests ending at t_ms, made by the signer when none
 * covers t_ms. Fills *pub (public_key_clear). 0, or -1 with e (InternalError). */
int keystore_key_for(db_conn *db, signer_client *sg, const char *region, int64_t t_ms,
                     int64_t period_ms, int64_t now_ms, public_key *pub, aws_error *e);
/* Keys of `region` whose range overlaps [from_ms, to_ms], newest first. *out malloc'd;
 * public_keys_free. */
size_t keystore_list(db_conn *db, const char *region, int64_t from_ms, int64_t to_ms,
                     public_key **out);
void public_key_clear(public_key *k);
void public_keys_free(public_key *v, size_t n);

/* Region names that may become a directory name: [a-z0-9-], 1..31 characters. */
bool keystore_region_ok(const char *region);

#endif
