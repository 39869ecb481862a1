/* iam_managed: the AWS managed policies orgtrail offers, by ARN, and IAM's GetPolicy and
 * GetPolicyVersion for them.
 *
 * AWS's own managed policies' documents and version ids come from data/iam/
 * (policy/iam_data.h): ARNs copied from AWS documentation attach, mistyped or retired ones
 * fail as they do on AWS. Customer managed policies are svc/iam_policies.c's. */
#ifndef ORGTRAIL_IAM_MANAGED_H
#define ORGTRAIL_IAM_MANAGED_H

#include "policy/iam_data.h"

typedef enum iam_managed_kind {
    IAM_MANAGED_UNKNOWN = 0,  /* not an AWS managed policy orgtrail offers */
    IAM_MANAGED_ATTACHABLE,   /* attachable to users and roles */
    IAM_MANAGED_SERVICE_ROLE, /* aws-service-role/...: only AWS attaches it, to its SLRs */
} iam_managed_kind;

/* Classifies an AWS managed policy ARN (arn:aws:iam::aws:policy<path><name>). */
iam_managed_kind iam_managed_lookup(const iam_data *d, const char *arn);

#endif
