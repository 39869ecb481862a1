/* jsonutil: jansson helpers. */
#ifndef ORGTRAIL_JSONUTIL_H
#define ORGTRAIL_JSONUTIL_H

#include <jansson.h>
#include <stddef.h>

/* A JSON string from bytes that may not be valid UTF-8 (client-supplied text, or text
 * cut at a byte limit): invalid sequences become U+FFFD. Never NULL. */
json_t *json_string_safe(const char *s, size_t n);

#endif
