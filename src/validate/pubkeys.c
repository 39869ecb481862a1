#include "validate/pubkeys.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

void pubkeys_init(pubkeys *k)
{
    k->by_fp = json_object();
    k->n = 0;
}

void pubkeys_free(pubkeys *k)
{
    json_decref(k->by_fp);
    k->by_fp = NULL;
    k->n = 0;
}

int pubkeys_add_json(pubkeys *k, const char *text, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    json_t *list = json_object_get(root, "PublicKeyList");
    if (!json_is_array(list)) {
        snprintf(err, errlen, "%s",
                 root ? "no \"PublicKeyList\" array (expected the output of "
                        "'aws cloudtrail list-public-keys')"
                      : je.text);
        json_decref(root);
        return -1;
    }
    int added = 0;
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        const char *fp = json_string_value(json_object_get(e, "Fingerprint"));
        const char *v = json_string_value(json_object_get(e, "Value"));
        if (!fp || !v) continue;
        pubkeys_add(k, fp, v);
        added++;
    }
    json_decref(root);
    return added;
}

void pubkeys_add(pubkeys *k, const char *fingerprint, const char *b64_value)
{
    if (!json_object_get(k->by_fp, fingerprint)) k->n++;
    json_object_set_new(k->by_fp, fingerprint, json_string(b64_value));
}

const char *pubkeys_find(const pubkeys *k, const char *fingerprint)
{
    return fingerprint ? json_string_value(json_object_get(k->by_fp, fingerprint)) : NULL;
}

/* DER DigestInfo prefixes (RFC 8017 section 9.2, note 1; SHA-3 from NIST's OIDs): the
 * hashes python-rsa recognises in a PKCS#1 v1.5 signature. */
static const struct {
    const char *name, *evp;
    unsigned char prefix[19];
    size_t plen;
} DIGEST_INFO[] = {
    {"SHA-256",
     "SHA256",
     {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
      0x05, 0x00, 0x04, 0x20},
     19},
    {"SHA-1",
     "SHA1",
     {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
     15},
    {"SHA-224",
     "SHA224",
     {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04,
      0x05, 0x00, 0x04, 0x1c},
     19},
    {"SHA-384",
     "SHA384",
     {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
      0x05, 0x00, 0x04, 0x30},
     19},
    {"SHA-512",
     "SHA512",
     {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
      0x05, 0x00, 0x04, 0x40},
     19},
    {"SHA3-256",
     "SHA3-256",
     {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x08,
      0x05, 0x00, 0x04, 0x20},
     19},
    {"SHA3-384",
     "SHA3-384",
     {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x09,
      0x05, 0x00, 0x04, 0x30},
     19},
    {"SHA3-512",
     "SHA3-512",
     {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x0a,
      0x05, 0x00, 0x04, 0x40},
     19},
    {"MD5",
     "MD5",
     {0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05,
      0x00, 0x04, 0x10},
     18},
};

static EVP_PKEY *load_pkcs1(const char *b64)
{
    /* The CLI's base64.b64decode is lenient about missing padding only in error; a
     * CloudTrail value is always padded, so strict decoding gives the same keys. */
    size_t n;
    unsigned char *der = base64_decode_alloc(b64, strlen(b64), &n);
    if (!der) return NULL;
    const unsigned char *p = der;
    EVP_PKEY *k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)n);
    free(der);
    return k;
}

sig_verdict pubkeys_verify(const char *b64_key, const char *hex_sig, const void *msg, size_t len,
                           const char **hash_name)
{
    /* Order as the CLI: load the key, then decode the hex signature. */
    EVP_PKEY *k = load_pkcs1(b64_key);
    if (!k) return SIG_BAD_KEY;
    size_t hl = strlen(hex_sig);
    if (hl % 2) {
        EVP_PKEY_free(k);
        return SIG_ODD_HEX;
    }
    unsigned char *sig = malloc(hl / 2 + 1);
    if (!sig) abort();
    if (hex_decode(hex_sig, hl, sig, hl / 2 + 1) < 0) {
        free(sig);
        EVP_PKEY_free(k);
        return SIG_BAD_HEX;
    }
    sig_verdict v = SIG_MISMATCH;
    unsigned char info[1024];
    size_t ilen = sizeof info;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
    if (ctx && EVP_PKEY_verify_recover_init(ctx) > 0 &&
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
        EVP_PKEY_verify_recover(ctx, info, &ilen, sig, hl / 2) > 0) {
        for (size_t i = 0; i < sizeof DIGEST_INFO / sizeof DIGEST_INFO[0]; i++) {
            size_t pl = DIGEST_INFO[i].plen;
            if (ilen <= pl || memcmp(info, DIGEST_INFO[i].prefix, pl)) continue;
            unsigned char md[EVP_MAX_MD_SIZE];
            unsigned int mdl = 0;
            EVP_MD *alg = EVP_MD_fetch(NULL, DIGEST_INFO[i].evp, NULL);
            int ok = alg && EVP_Digest(msg, len, md, &mdl, alg, NULL) && ilen == pl + mdl &&
                     hash_equal(info + pl, md, mdl);
            EVP_MD_free(alg);
            if (ok) {
                v = SIG_VALID;
                if (hash_name) *hash_name = DIGEST_INFO[i].name;
            }
            break;
        }
    }
    EVP_PKEY_CTX_free(ctx);
    free(sig);
    EVP_PKEY_free(k);
    return v;
}
