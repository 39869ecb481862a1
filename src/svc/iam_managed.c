#include "svc/iam_managed.h"

#include <string.h>

/* Path + name after "arn:aws:iam::aws:policy". */
static const char *const ATTACHABLE[] = {
    "/AdministratorAccess",
    "/PowerUserAccess",
    "/ReadOnlyAccess",
    "/SecurityAudit",
    "/IAMFullAccess",
    "/IAMReadOnlyAccess",
    "/IAMUserChangePassword",
    "/IAMAccessAnalyzerReadOnlyAccess",
    "/AWSCloudTrail_FullAccess",
    "/AWSCloudTrail_ReadOnlyAccess",
    "/AWSOrganizationsFullAccess",
    "/AWSOrganizationsReadOnlyAccess",
    "/AWSAccountManagementFullAccess",
    "/AWSAccountManagementReadOnlyAccess",
    "/AmazonS3FullAccess",
    "/AmazonS3ReadOnlyAccess",
    "/CloudWatchLogsFullAccess",
    "/CloudWatchLogsReadOnlyAccess",
    "/CloudWatchFullAccess",
    "/CloudWatchFullAccessV2",
    "/CloudWatchReadOnlyAccess",
    "/AmazonSNSFullAccess",
    "/AmazonSNSReadOnlyAccess",
    "/AmazonSQSFullAccess",
    "/AmazonSQSReadOnlyAccess",
    "/AWSKeyManagementServicePowerUser",
    "/AmazonEC2FullAccess",
    "/AmazonEC2ReadOnlyAccess",
    "/AmazonVPCFullAccess",
    "/AmazonVPCReadOnlyAccess",
    "/AmazonDynamoDBFullAccess",
    "/AmazonDynamoDBReadOnlyAccess",
    "/AmazonRDSFullAccess",
    "/AmazonRDSReadOnlyAccess",
    "/AmazonRoute53FullAccess",
    "/AmazonRoute53ReadOnlyAccess",
    "/AmazonAthenaFullAccess",
    "/AmazonEC2ContainerRegistryFullAccess",
    "/AmazonEC2ContainerRegistryReadOnly",
    "/AmazonKinesisFullAccess",
    "/AmazonSSMManagedInstanceCore",
    "/AmazonGuardDutyFullAccess",
    "/AmazonGuardDutyReadOnlyAccess",
    "/AWSSecurityHubFullAccess",
    "/AWSSecurityHubReadOnlyAccess",
    "/AWSConfigUserAccess",
    "/AWSCloudFormationFullAccess",
    "/AWSCloudFormationReadOnlyAccess",
    "/AWSLambda_FullAccess",
    "/AWSLambda_ReadOnlyAccess",
    "/AWSSupportAccess",
    "/AWSBillingReadOnlyAccess",
    "/job-function/ViewOnlyAccess",
    "/job-function/Billing",
    "/job-function/SystemAdministrator",
    "/job-function/DatabaseAdministrator",
    "/job-function/NetworkAdministrator",
    "/job-function/DataScientist",
    "/job-function/SupportUser",
    "/service-role/AWS_ConfigRole",
    "/service-role/AWSConfigRole",
    "/service-role/AWSLambdaBasicExecutionRole",
    "/service-role/AWSGlueServiceRole",
    "/service-role/AmazonEC2RoleforSSM",
};

static const char *const SERVICE_ROLE[] = {
    "/aws-service-role/AWSOrganizationsServiceTrustPolicy",
    "/aws-service-role/CloudTrailServiceRolePolicy",
    "/aws-service-role/AWSSSOServiceRolePolicy",
    "/aws-service-role/AWSConfigServiceRolePolicy",
    "/aws-service-role/AmazonGuardDutyServiceRolePolicy",
    "/aws-service-role/AWSSecurityHubServiceRolePolicy",
    "/aws-service-role/AccessAnalyzerServiceRolePolicy",
};

iam_managed_kind iam_managed_lookup(const char *arn)
{
    static const char prefix[] = "arn:aws:iam::aws:policy";
    if (strncmp(arn, prefix, sizeof prefix - 1)) return IAM_MANAGED_UNKNOWN;
    const char *rest = arn + sizeof prefix - 1;
    for (size_t i = 0; i < sizeof ATTACHABLE / sizeof *ATTACHABLE; i++)
        if (!strcmp(rest, ATTACHABLE[i])) return IAM_MANAGED_ATTACHABLE;
    for (size_t i = 0; i < sizeof SERVICE_ROLE / sizeof *SERVICE_ROLE; i++)
        if (!strcmp(rest, SERVICE_ROLE[i])) return IAM_MANAGED_SERVICE_ROLE;
    return IAM_MANAGED_UNKNOWN;
}
