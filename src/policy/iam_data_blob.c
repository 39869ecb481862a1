/* The two files of data/iam/, embedded at build time (tools/gen_iam_data.py makes them). */
#include "policy/iam_data.h"

#if !defined(IAM_MANAGED_PATH) || !defined(IAM_ACTIONS_PATH)
#error "IAM_MANAGED_PATH and IAM_ACTIONS_PATH must name data/iam/*.json"
#endif

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".global orgtrail_iam_managed_start\n"
        "orgtrail_iam_managed_start:\n"
        ".incbin \"" IAM_MANAGED_PATH "\"\n"
        ".global orgtrail_iam_managed_end\n"
        "orgtrail_iam_managed_end:\n"
        ".byte 0\n"
        ".balign 16\n"
        ".global orgtrail_iam_actions_start\n"
        "orgtrail_iam_actions_start:\n"
        ".incbin \"" IAM_ACTIONS_PATH "\"\n"
        ".global orgtrail_iam_actions_end\n"
        "orgtrail_iam_actions_end:\n"
        ".byte 0\n"
        ".previous\n");

extern const char orgtrail_iam_managed_start[], orgtrail_iam_managed_end[];
extern const char orgtrail_iam_actions_start[], orgtrail_iam_actions_end[];

const char *iam_data_managed_blob(size_t *len)
{
    *len = (size_t)(orgtrail_iam_managed_end - orgtrail_iam_managed_start);
    return orgtrail_iam_managed_start;
}

const char *iam_data_actions_blob(size_t *len)
{
    *len = (size_t)(orgtrail_iam_actions_end - orgtrail_iam_actions_start);
    return orgtrail_iam_actions_start;
}
