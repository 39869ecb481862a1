#include "app/registry.h"

#include <string.h>

extern const service_def SVC_ORGANIZATIONS;
extern const service_def SVC_STS;
extern const service_def SVC_IAM;
extern const service_def SVC_S3;
extern const service_def SVC_CLOUDTRAIL;
extern const service_def SVC_CLOUDTRAIL_DATA;
extern const service_def SVC_LOGS;
extern const service_def SVC_MONITORING;
extern const service_def SVC_SNS;

static const service_def *const SERVICES[] = {
    &SVC_CLOUDTRAIL,      &SVC_ORGANIZATIONS, &SVC_STS,        &SVC_IAM, &SVC_S3,
    &SVC_CLOUDTRAIL_DATA, &SVC_LOGS,          &SVC_MONITORING, &SVC_SNS,
};

const service_def *service_lookup(const char *signing_name)
{
    for (size_t i = 0; i < sizeof SERVICES / sizeof *SERVICES; i++)
        if (!strcmp(SERVICES[i]->signing_name, signing_name)) return SERVICES[i];
    return NULL;
}

const op_def *service_op(const service_def *s, const char *op_name)
{
    for (size_t i = 0; i < s->n_ops; i++)
        if (!strcmp(s->ops[i].name, op_name)) return &s->ops[i];
    return NULL;
}

/* Services whose operations arrive with later issues: their APIs are routed and
 * authenticated already, and answer NotImplemented until then. */
