/* organizations: the organization, its accounts, OUs, policies and delegations. */
#include "svc/service.h"

const service_def SVC_ORGANIZATIONS = {"organizations", "organizations.amazonaws.com", true,
                                       VSTYLE_ORGS, NULL, 0};
