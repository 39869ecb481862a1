/* s3: buckets and bucket policies (objects arrive with delivery). */
#include "svc/service.h"

const service_def SVC_S3 = {"s3", "s3.amazonaws.com", false, VSTYLE_S3, NULL, 0};
