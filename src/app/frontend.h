/* frontend: one request, end to end.
 *
 *   authenticate (SigV4) -> decode (protocol) -> validate (model) -> handle (service)
 *   -> capture (one durable CloudTrail record per recipient account) -> encode
 *
 * Every request that reaches this point is captured, accepted or refused, before its
 * response is written; a request whose record cannot be made durable is answered 503. */
#ifndef ORGTRAIL_FRONTEND_H
#define ORGTRAIL_FRONTEND_H

#include "app/server.h"
#include "http/http.h"

void frontend_handle(server *s, http_request *r, http_response *resp);

/* True for operations CloudTrail records as readOnly (Get/List/Describe/Head/Lookup). */
bool frontend_read_only(const char *op_name);

#endif
