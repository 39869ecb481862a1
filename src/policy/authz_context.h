/* authz_context: the condition context of a request, as policies see it: key/value
 * pairs (a key repeats for a multi-valued key), in the form policy_request.context takes.
 *
 * authz_context_add_globals adds AWS's global condition keys whose values orgtrail knows
 * for every request: who the principal is (aws:PrincipalArn, aws:PrincipalAccount,
 * aws:PrincipalType, aws:userid, aws:username, aws:PrincipalOrgID, aws:PrincipalTag/KEY,
 * aws:PrincipalIsAWSService), where and when the request came (aws:SourceIp,
 * aws:RequestedRegion, aws:CurrentTime, aws:EpochTime), aws:ViaAWSService (false: the
 * caller called orgtrail itself) and aws:MultiFactorAuthPresent for temporary
 * credentials (false: orgtrail has no MFA; AWS leaves the key out for long-term keys).
 * aws:SecureTransport is left out on purpose: orgtrail may sit behind a TLS proxy it
 * cannot see, and a "deny unless TLS" policy must not lock its users out (an absent key
 * makes a Bool condition not match).
 *
 * The context owns copies of its strings. */
#ifndef ORGTRAIL_AUTHZ_CONTEXT_H
#define ORGTRAIL_AUTHZ_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "auth/principal.h"
#include "policy/authz_subject.h"

typedef struct authz_context {
    char **kv; /* key, value, ..., NULL */
    size_t n, cap;
} authz_context;

#define AUTHZ_CONTEXT_INIT                                                                         \
    {                                                                                              \
        0                                                                                          \
    }

/* Adds key = value (copied); a NULL value adds nothing. */
void authz_context_add(authz_context *x, const char *key, const char *value);
/* Adds pairs from a NULL-terminated key, value, ... list (NULL: none). */
void authz_context_add_list(authz_context *x, const char *const *kv);

typedef struct authz_request_facts {
    const char *source_ip; /* NULL: unknown */
    const char *region;    /* the region the request was signed for */
    int64_t now_ms;
} authz_request_facts;

void authz_context_add_globals(authz_context *x, const principal *p, const authz_subject *s,
                               const authz_request_facts *f);

/* The pairs, NULL-terminated (never NULL itself). Borrowed from x. */
const char *const *authz_context_kv(const authz_context *x);
void authz_context_free(authz_context *x);

#endif
