/* signkey: CloudTrail's digest signing keys and signatures (OpenSSL underneath).
 *
 * Contract (cloudtrail-formats.md d):
 *   - keys are RSA 2048-bit with public exponent 65537;
 *   - the public key is published as the DER of a PKCS#1 RSAPublicKey (not
 *     SubjectPublicKeyInfo: the AWS CLI loads it with a PKCS#1 parser);
 *   - the fingerprint is the lowercase hex MD5 of that DER;
 *   - a signature is RSASSA-PKCS1-v1_5 with SHA-256 ("SHA256withRSA") over the signing
 *     string, written as 512 lowercase hex characters.
 * PKCS#1 v1.5 signing is deterministic: the same key and string give the same bytes,
 * which is what lets the unit tests reproduce the test vectors' signatures.
 *
 * A signkey holds a private key; it is owned by whoever created it (signkey_free). The
 * private half never leaves this module except as PEM for the key store's 0600 file. */
#ifndef ORGTRAIL_DIGEST_SIGNKEY_H
#define ORGTRAIL_DIGEST_SIGNKEY_H

#include <stdbool.h>
#include <stddef.h>

#define SIGNKEY_BITS 2048
#define SIGNKEY_SIG_HEX_LEN 512
#define SIGNKEY_FINGERPRINT_LEN 32
#define SIGNKEY_ALGORITHM "SHA256withRSA"

typedef struct signkey signkey;

/* A new key pair; NULL when OpenSSL fails. */
signkey *signkey_generate(void);
/* Loads a private key from PEM (PKCS#8 or PKCS#1); NULL when it is not an RSA key. */
signkey *signkey_from_pem(const char *pem, size_t len);
/* PKCS#8 PEM of the private key, malloc'd and NUL-terminated (caller frees). 0, or -1. */
int signkey_to_pem(const signkey *k, char **pem, size_t *len);
/* DER of the PKCS#1 RSAPublicKey, malloc'd (caller frees). 0, or -1. */
int signkey_public_der(const signkey *k, unsigned char **der, size_t *len);
/* Lowercase hex MD5 of the public DER. */
void signkey_fingerprint(const unsigned char *der, size_t len,
                         char out[SIGNKEY_FINGERPRINT_LEN + 1]);
/* SHA256withRSA over msg, as hex. 0, or -1. */
int signkey_sign_hex(const signkey *k, const void *msg, size_t n,
                     char out[SIGNKEY_SIG_HEX_LEN + 1]);
/* Whether sig_hex is a valid SHA256withRSA signature of msg by the public key in der
 * (PKCS#1 RSAPublicKey DER). */
bool signkey_verify_hex(const unsigned char *der, size_t der_len, const void *msg, size_t n,
                        const char *sig_hex);
void signkey_free(signkey *k);

#endif
