#include "digest/signkey.h"

#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

struct signkey {
    EVP_PKEY *pkey;
};

static signkey *wrap(EVP_PKEY *p)
{
    if (!p) return NULL;
    signkey *k = malloc(sizeof *k);
    if (!k) abort();
    k->pkey = p;
    return k;
}

signkey *signkey_generate(void)
{
    /* EVP_RSA_gen uses e = 65537, the exponent of AWS's published keys. */
    return wrap(EVP_RSA_gen(SIGNKEY_BITS));
}

/* Decodes `data` with the given input format and structure into a key of `selection`. */
static EVP_PKEY *decode(const void *data, size_t len, const char *format, const char *structure,
                        int selection)
{
    EVP_PKEY *p = NULL;
    OSSL_DECODER_CTX *d =
        OSSL_DECODER_CTX_new_for_pkey(&p, format, structure, "RSA", selection, NULL, NULL);
    if (!d) return NULL;
    const unsigned char *in = data;
    size_t left = len;
    if (!OSSL_DECODER_from_data(d, &in, &left)) {
        EVP_PKEY_free(p);
        p = NULL;
    }
    OSSL_DECODER_CTX_free(d);
    return p;
}

signkey *signkey_from_pem(const char *pem, size_t len)
{
    return wrap(decode(pem, len, "PEM", NULL, EVP_PKEY_KEYPAIR));
}

static int encode(const EVP_PKEY *p, int selection, const char *format, const char *structure,
                  unsigned char **out, size_t *len)
{
    OSSL_ENCODER_CTX *e = OSSL_ENCODER_CTX_new_for_pkey(p, selection, format, structure, NULL);
    if (!e) return -1;
    unsigned char *data = NULL;
    size_t n = 0;
    int ok = OSSL_ENCODER_to_data(e, &data, &n);
    OSSL_ENCODER_CTX_free(e);
    if (!ok) return -1;
    /* Hand out malloc'd memory so that callers free it like everything else. */
    *out = malloc(n + 1);
    if (!*out) abort();
    memcpy(*out, data, n);
    (*out)[n] = 0;
    *len = n;
    OPENSSL_free(data);
    return 0;
}

int signkey_to_pem(const signkey *k, char **pem, size_t *len)
{
    return encode(k->pkey, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", (unsigned char **)pem, len);
}

int signkey_public_der(const signkey *k, unsigned char **der, size_t *len)
{
    /* "type-specific" is the algorithm's own structure: PKCS#1 RSAPublicKey for RSA. */
    return encode(k->pkey, EVP_PKEY_PUBLIC_KEY, "DER", "type-specific", der, len);
}

void signkey_fingerprint(const unsigned char *der, size_t len,
                         char out[SIGNKEY_FINGERPRINT_LEN + 1])
{
    unsigned char md5[MD5_LEN];
    hash_md5(der, len, md5);
    hex_encode(md5, MD5_LEN, out);
}

int signkey_sign_hex(const signkey *k, const void *msg, size_t n, char out[SIGNKEY_SIG_HEX_LEN + 1])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) return -1;
    unsigned char sig[SIGNKEY_SIG_HEX_LEN / 2];
    size_t siglen = sizeof sig;
    /* The default RSA padding of EVP_DigestSign is PKCS#1 v1.5, which CloudTrail uses. */
    int ok = EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
             EVP_DigestSign(ctx, sig, &siglen, msg, n) == 1 && siglen == sizeof sig;
    EVP_MD_CTX_free(ctx);
    if (!ok) return -1;
    hex_encode(sig, siglen, out);
    return 0;
}

bool signkey_verify_hex(const unsigned char *der, size_t der_len, const void *msg, size_t n,
                        const char *sig_hex)
{
    unsigned char sig[SIGNKEY_SIG_HEX_LEN / 2];
    long siglen = hex_decode(sig_hex, strlen(sig_hex), sig, sizeof sig);
    if (siglen <= 0) return false;
    EVP_PKEY *p = decode(der, der_len, "DER", "type-specific", EVP_PKEY_PUBLIC_KEY);
    if (!p) return false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, p) == 1 &&
              EVP_DigestVerify(ctx, sig, (size_t)siglen, msg, n) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(p);
    return ok;
}

void signkey_free(signkey *k)
{
    if (!k) return;
    EVP_PKEY_free(k->pkey);
    free(k);
}
