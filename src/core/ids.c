#include "core/ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/hash.h"

const char IDS_LOWER_ALNUM[] = "abcdefghijklmnopqrstuvwxyz0123456789";
const char IDS_ALNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const char IDS_DIGITS[] = "0123456789";

void ids_random_bytes(void *p, size_t n)
{
    unsigned char *c = p;
    while (n > 0) {
        ssize_t r = getrandom(c, n, 0);
        if (r <= 0) abort();
        c += r;
        n -= (size_t)r;
    }
}

void ids_from_alphabet(char *out, size_t n, const char *alphabet)
{
    size_t k = strlen(alphabet);
    /* Rejection sampling keeps every character equally likely. */
    size_t limit = 256 - 256 % k;
    size_t i = 0;
    unsigned char rnd[64];
    while (i < n) {
        ids_random_bytes(rnd, sizeof rnd);
        for (size_t j = 0; j < sizeof rnd && i < n; j++)
            if (rnd[j] < limit) out[i++] = alphabet[rnd[j] % k];
    }
    out[n] = '\0';
}

void ids_uuid(char *out)
{
    unsigned char b[16];
    ids_random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    /* Every request takes one: hex groups 8-4-4-4-12 without a 16-argument snprintf, which
     * cost more than drawing the bytes. */
    static const int group[] = {4, 2, 2, 2, 6};
    const unsigned char *p = b;
    char *w = out;
    for (int g = 0; g < 5; g++) {
        if (g) *w++ = '-';
        hex_encode(p, (size_t)group[g], w); /* NUL-terminates; the next group overwrites */
        p += group[g];
        w += 2 * group[g];
    }
}

void ids_key_id(char *out, size_t outsz, const char *prefix, size_t n)
{
    size_t pl = strlen(prefix);
    if (pl + n + 1 > outsz) abort();
    memcpy(out, prefix, pl);
    ids_from_alphabet(out + pl, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
}

void ids_secret(char *out)
{
    ids_from_alphabet(out, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
}
