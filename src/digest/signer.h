/* signer: the only code that touches the digest signing keys' private halves, and the
 * guard of every digest chain's head.
 *
 * Privilege separation in the manner of OpenSSH's monitor: `orgtrail serve` runs this in a
 * process of its own (`orgtrail signer`, started and restarted by signer_client.h), which
 * alone reads DATA/signing-keys/; the serving process, which parses every untrusted byte,
 * confines itself so that it cannot (app/confine.h). Through a socketpair the signer
 * answers two narrow requests, one JSON object per message (signer_client.c builds them):
 *
 *   new_key  make a key pair for a region: the private half goes into
 *            DATA/signing-keys/REGION/FINGERPRINT.pem (0600, durable before the answer),
 *            the public half (PKCS#1 DER) and its fingerprint are the answer;
 *   sign     sign the digest of one chain (trail ARN, account, region). The signer builds
 *            CloudTrail's signing string itself (digestfile.h) from the digest's end time,
 *            S3 location, SHA-256 and the previous signature, and signs only when that
 *            moves the chain forward: the end time is after the chain head's, and the
 *            previous signature is the head's (or "null": a chain that restarts). The new
 *            head is durable (DATA/signing-keys/chains.db) before the signature is
 *            returned. The same request again (same end, hash and previous signature as
 *            the head) gets the same signature: a retry after a lost answer or a restarted
 *            signer, not a second signature. Anything else is refused, so even a
 *            compromised server cannot re-sign the past.
 *
 * A chain the signer has never seen is adopted as the request gives it (a store signed
 * before the signer existed): trust on first use, after which it only moves forward.
 *
 * Key bytes in memory are wiped with OPENSSL_cleanse. Unit tests run the same code in
 * process (signer_client.h's local mode); the separate process is integration-tested. */
#ifndef ORGTRAIL_DIGEST_SIGNER_H
#define ORGTRAIL_DIGEST_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define SIGNER_MAX_MESSAGE 65536 /* bytes of one request or answer */

typedef struct signer signer;

/* Opens the signer's state under data_dir/signing-keys (made when missing). NULL with err
 * filled when it cannot. Owned by the caller: signer_close. */
signer *signer_open(const char *data_dir, char *err, size_t errlen);
void signer_close(signer *s);

/* Answers one request (signer_proto.h) into *reply (reset first). Never fails: a bad
 * request gets an error answer. */
void signer_handle(signer *s, const char *req, size_t len, buf *reply);

/* The signer process: answers requests on fd (a SOCK_SEQPACKET socket) until the other
 * end closes it. Returns the exit status (0 on a clean end). */
int signer_serve(const char *data_dir, int fd);

#endif
