/* The entry points libFuzzer calls, declared once so that every target is checked
 * against the same prototypes (-Wmissing-prototypes). */
#ifndef ORGTRAIL_FUZZ_TARGET_H
#define ORGTRAIL_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
