/* fuzz_json_request: AWS JSON 1.0/1.1 requests (CloudTrail, Organizations, Logs,
 * CloudWatch) through X-Amz-Target routing, body decoding, model validation in each
 * service's error style, and the request parameters a trail records. See fuzz_proto.h. */
#include "fuzz_proto.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_proto_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_proto_request(data, size, 1u << PROTO_JSON);
    return 0;
}
