/* ids: random identifiers in the shapes AWS uses.
 *
 * All draw from the kernel's CSPRNG (getrandom), since several of them (secret keys,
 * session tokens) are credentials. Each writes a NUL-terminated string into `out`. */
#ifndef ORGTRAIL_IDS_H
#define ORGTRAIL_IDS_H

#include <stddef.h>

void ids_random_bytes(void *p, size_t n);
/* n characters from `alphabet` followed by NUL; out must hold n + 1. */
void ids_from_alphabet(char *out, size_t n, const char *alphabet);
/* Lowercase UUID v4, 8-4-4-4-12; out must hold 37. */
void ids_uuid(char *out);
/* prefix + n characters of [A-Z2-7] (AKIA..., ASIA..., AIDA..., AROA...). */
void ids_key_id(char *out, size_t outsz, const char *prefix, size_t n);
/* 40 characters of base64-ish secret; out must hold 41. */
void ids_secret(char *out);

extern const char IDS_LOWER_ALNUM[];
extern const char IDS_ALNUM[];
extern const char IDS_DIGITS[];

#endif
