/* fuzz_query_request: AWS Query requests (IAM, STS, SNS): Action= from the query string
 * or the form body, nested member/entry keys decoded by the model, validation in the
 * Query style, and the recorded request parameters. See fuzz_proto.h. */
#include "fuzz_proto.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_proto_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_proto_request(data, size, 1u << PROTO_QUERY);
    return 0;
}
