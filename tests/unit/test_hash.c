/* core/hash and core/ids: SHA-256 and HMAC-SHA256 against published vectors (FIPS 180-2
 * examples, RFC 4231), and the shape of request ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/hash.h"
#include "core/ids.h"

static void hmac_hex(const void *key, size_t keylen, const void *msg, size_t n, char hex[65])
{
    unsigned char mac[SHA256_LEN];
    hash_hmac_sha256(key, keylen, msg, n, mac);
    hex_encode(mac, SHA256_LEN, hex);
}

static void test_sha256_vectors(void **state)
{
    (void)state;
    char hex[65];
    hash_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hash_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hash_sha256_hex(two_blocks, strlen(two_blocks), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* RFC 4231 test cases 1, 2, 3, 6 and 7: short, ASCII, all-0xaa/0xdd, and keys longer than
 * the 64-byte block (hashed first). */
static void test_hmac_sha256_rfc4231(void **state)
{
    (void)state;
    char hex[65];
    unsigned char key[131];

    memset(key, 0x0b, 20);
    hmac_hex(key, 20, "Hi There", 8, hex);
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

    hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    unsigned char data[50];
    memset(key, 0xaa, 20);
    memset(data, 0xdd, sizeof data);
    hmac_hex(key, 20, data, sizeof data, hex);
    assert_string_equal(hex, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");

    memset(key, 0xaa, 131);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    hmac_hex(key, 131, m6, strlen(m6), hex);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");

    const char *m7 = "This is a test using a larger than block-size key and a larger than "
                     "block-size data. The key needs to be hashed before being used by the "
                     "HMAC algorithm.";
    hmac_hex(key, 131, m7, strlen(m7), hex);
    assert_string_equal(hex, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");

    /* Exactly one block of key: used as is, not hashed. */
    unsigned char k64[64], a[SHA256_LEN], b[SHA256_LEN];
    memset(k64, 0x42, sizeof k64);
    hash_hmac_sha256(k64, 64, "m", 1, a);
    hash_hmac_sha256(k64, 63, "m", 1, b);
    assert_memory_not_equal(a, b, SHA256_LEN);
}

static void test_uuid_shape(void **state)
{
    (void)state;
    char a[40], b[40];
    ids_uuid(a);
    ids_uuid(b);
    assert_int_equal(strlen(a), 36);
    assert_string_not_equal(a, b);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(a[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", a[i]));
    }
    assert_int_equal(a[14], '4');           /* version 4 */
    assert_non_null(strchr("89ab", a[19])); /* RFC 4122 variant */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_hmac_sha256_rfc4231),
        cmocka_unit_test(test_uuid_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
