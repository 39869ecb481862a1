/* The trimmed AWS API models, embedded at build time (see tools/gen_model.py). */
#include "proto/model.h"

#ifndef MODEL_BLOB_PATH
#error "MODEL_BLOB_PATH must name the generated model JSON"
#endif

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".global orgtrail_model_blob_start\n"
        "orgtrail_model_blob_start:\n"
        ".incbin \"" MODEL_BLOB_PATH "\"\n"
        ".global orgtrail_model_blob_end\n"
        "orgtrail_model_blob_end:\n"
        ".byte 0\n"
        ".previous\n");

extern const char orgtrail_model_blob_start[];
extern const char orgtrail_model_blob_end[];

const char *model_blob(size_t *len)
{
    *len = (size_t)(orgtrail_model_blob_end - orgtrail_model_blob_start);
    return orgtrail_model_blob_start;
}
