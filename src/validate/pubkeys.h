/* pubkeys: the CloudTrail public keys a validation may use, and signature checks with them.
 *
 * Keys come as ListPublicKeys returns them (cloudtrail-formats.md d): {"PublicKeyList":
 * [{"Value": base64 of PKCS#1 RSAPublicKey DER, "Fingerprint": hex MD5 of that DER, ...}]},
 * either from the API or from a file holding `aws cloudtrail list-public-keys` output, or
 * one by one from a local store's key table (pubkeys_add).
 * Like the AWS CLI, a key is looked up by the Fingerprint string as given; the DER is only
 * decoded when a digest names it ("Unable to load PKCS #1 key" comes from that step).
 *
 * Verification recovers the DigestInfo from an RSASSA-PKCS1-v1_5 signature and accepts
 * any hash python-rsa accepts (MD5, SHA-1/2/3), because that is the AWS CLI's verdict; it
 * reports which hash was used so the caller can flag a digest that says SHA256withRSA but
 * was signed with another (a check the AWS CLI does not make).
 *
 * Threads: a pubkeys set is filled once, then only read by the chain walk's thread. */
#ifndef ORGTRAIL_VALIDATE_PUBKEYS_H
#define ORGTRAIL_VALIDATE_PUBKEYS_H

#include <jansson.h>
#include <stddef.h>

typedef struct pubkeys {
    json_t *by_fp; /* owned: {"fingerprint": "base64 value"} */
    size_t n;
} pubkeys;

void pubkeys_init(pubkeys *k);
void pubkeys_free(pubkeys *k);
/* Adds the entries of a ListPublicKeys response / CLI output. Returns the number added,
 * or -1 when the text is not such a document (err filled). */
int pubkeys_add_json(pubkeys *k, const char *text, size_t len, char *err, size_t errlen);
/* Adds one key: its fingerprint and the base64 of its PKCS#1 DER (a later value for the
 * same fingerprint replaces the earlier, as in pubkeys_add_json). */
void pubkeys_add(pubkeys *k, const char *fingerprint, const char *b64_value);
/* The base64 Value for a fingerprint, or NULL. */
const char *pubkeys_find(const pubkeys *k, const char *fingerprint);

typedef enum sig_verdict {
    SIG_VALID = 0,
    SIG_BAD_KEY, /* the value is not base64 of a PKCS#1 RSAPublicKey */
    SIG_BAD_HEX, /* the signature is not hex (the CLI reports Python's message) */
    SIG_ODD_HEX,
    SIG_MISMATCH, /* "signature verification failed" */
} sig_verdict;

/* Checks hex_sig over msg with the base64 PKCS#1 key. On SIG_VALID, *hash_name (may be
 * NULL) is the hash the signer used: "SHA-256" for CloudTrail's SHA256withRSA. */
sig_verdict pubkeys_verify(const char *b64_key, const char *hex_sig, const void *msg, size_t len,
                           const char **hash_name);

#endif
