/* cloudtrail: trails, organization trails, selectors, status, tags, delegated admins. */
#include "svc/service.h"

const service_def SVC_CLOUDTRAIL = {"cloudtrail", "cloudtrail.amazonaws.com", false, VSTYLE_JSON,
                                    NULL, 0};
