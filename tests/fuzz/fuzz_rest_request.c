/* fuzz_rest_request: REST requests (S3's REST-XML, CloudTrail Data's REST-JSON): routing
 * by method, path shape and query literals, path labels, header/query/prefix-header
 * members, XML or JSON payloads, validation, and the recorded request parameters.
 * See fuzz_proto.h. */
#include "fuzz_proto.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_proto_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_proto_request(data, size, 1u << PROTO_REST_XML | 1u << PROTO_REST_JSON);
    return 0;
}
