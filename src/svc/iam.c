/* iam: the subset trails need: roles (incl. service-linked), users, access keys. */
#include "svc/service.h"

const service_def SVC_IAM = {"iam", "iam.amazonaws.com", true, VSTYLE_QUERY, NULL, 0};
