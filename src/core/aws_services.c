#include "core/aws_services.h"

#include <stddef.h>
#include <string.h>

static const aws_service SERVICES[] = {
    {"cloudtrail", "cloudtrail.amazonaws.com", false},
    {"cloudtrail-data", "cloudtrail-data.amazonaws.com", false},
    {"organizations", "organizations.amazonaws.com", true},
    {"sts", "sts.amazonaws.com", true},
    {"iam", "iam.amazonaws.com", true},
    {"s3", "s3.amazonaws.com", false},
    {"logs", "logs.amazonaws.com", false},
    {"monitoring", "monitoring.amazonaws.com", false},
    {"sns", "sns.amazonaws.com", false},
    /* Not served here, but global in CloudTrail's records. */
    {"cloudfront", "cloudfront.amazonaws.com", true},
    {"signin", "signin.amazonaws.com", true},
    {"route53", "route53.amazonaws.com", true},
};

const aws_service *aws_service_by_signing_name(const char *signing_name)
{
    for (size_t i = 0; i < sizeof SERVICES / sizeof *SERVICES; i++)
        if (!strcmp(SERVICES[i].signing_name, signing_name)) return &SERVICES[i];
    return NULL;
}

const aws_service *aws_service_by_event_source(const char *event_source)
{
    for (size_t i = 0; i < sizeof SERVICES / sizeof *SERVICES; i++)
        if (!strcmp(SERVICES[i].event_source, event_source)) return &SERVICES[i];
    return NULL;
}
