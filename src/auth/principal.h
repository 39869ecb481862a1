/* principal: who made a request, as SigV4 authentication established it. */
#ifndef ORGTRAIL_PRINCIPAL_H
#define ORGTRAIL_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

typedef enum principal_kind {
    PRINCIPAL_UNKNOWN = 0, /* not authenticated */
    PRINCIPAL_ROOT,
    PRINCIPAL_IAM_USER,
    PRINCIPAL_ASSUMED_ROLE,
    PRINCIPAL_SERVICE, /* an AWS service principal acting on its own, e.g. CloudTrail */
} principal_kind;

typedef struct principal {
    principal_kind kind;
    char account_id[13];
    char arn[320];
    char principal_id[200]; /* root: account id; user: AIDA...; role: AROA...:session */
    char access_key_id[32];
    char user_name[129]; /* IAM user name */
    /* assumed role */
    char role_name[129];
    char role_id[32];
    char role_arn[320];
    char session_name[65];
    int64_t session_created_ms;
    bool session_policies; /* AssumeRole was given Policy or PolicyArns (state: sessions) */
    char service[64];      /* PRINCIPAL_SERVICE: the service principal */
} principal;

#endif
