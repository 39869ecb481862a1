/* source_s3: the S3 API source of validate-logs (see source.h). */
#ifndef ORGTRAIL_VALIDATE_SOURCE_S3_H
#define ORGTRAIL_VALIDATE_SOURCE_S3_H

#include "validate/awsconfig.h"
#include "validate/source.h"

typedef struct vs_s3_ctx {
    const char *endpoint;
    const aws_config *cfg;
    const char *region; /* the region requests are signed for */
} vs_s3_ctx;

extern const vs_ops VS_S3_OPS;

#endif
