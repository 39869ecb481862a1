/* aws_services: the facts about AWS services that capture and delivery need, in one table:
 * the SigV4 signing name, the CloudTrail eventSource, and whether CloudTrail treats the
 * service as global (its events are recorded in us-east-1 whatever region was called, and
 * a single-region trail elsewhere only sees them when it includes global service events).
 *
 * The table holds the services orgtrail serves and the other global ones CloudTrail
 * names (CloudFront, sign-in, Route 53), so that selection is right for records ingested
 * from elsewhere too. The operations of each served service are the service layer's
 * (svc/service.h); this is only what the lower layers may know. Entries are static. */
#ifndef ORGTRAIL_AWS_SERVICES_H
#define ORGTRAIL_AWS_SERVICES_H

#include <stdbool.h>

typedef struct aws_service {
    const char *signing_name; /* credential scope service, e.g. "cloudtrail" */
    const char *event_source; /* CloudTrail eventSource, e.g. "cloudtrail.amazonaws.com" */
    bool global;
} aws_service;

/* NULL when the name is not in the table. */
const aws_service *aws_service_by_signing_name(const char *signing_name);
const aws_service *aws_service_by_event_source(const char *event_source);

#endif
