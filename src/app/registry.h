/* registry: every service orgtrail serves, by signing name. The composition layer is the
 * only one that knows them all; each service file defines its own service_def. */
#ifndef ORGTRAIL_REGISTRY_H
#define ORGTRAIL_REGISTRY_H

#include "svc/service.h"

/* NULL when orgtrail does not serve it. */
const service_def *service_lookup(const char *signing_name);
const op_def *service_op(const service_def *s, const char *op_name);

#endif
