/* iam_policy_state: customer managed policies, each with up to five versions of which one
 * is the default (the one in force), as IAM keeps them.
 *
 * A policy is found by its ARN (arn:aws:iam::<account>:policy<path><name>); its name is
 * unique in its account without regard to case. */
#ifndef ORGTRAIL_IAM_POLICY_STATE_H
#define ORGTRAIL_IAM_POLICY_STATE_H

#include <stdint.h>

#include "state/db.h"

typedef struct iam_policy {
    char account_id[13];
    char name[129];
    char policy_id[32]; /* ANPA... */
    char path[513];
    char arn[700];
    char description[1001];
    char default_version[8]; /* "v1" */
    int64_t next_version;    /* the number the next version gets */
    int64_t created_ms, updated_ms;
} iam_policy;

/* Loads the policy with this ARN. Returns 1 found, 0 not. */
int iam_policy_get(db_conn *db, const char *arn, iam_policy *out);

/* The document of a version (NULL: the default one) of the policy with this ARN, or NULL
 * when there is none (caller frees). *created_ms (may be NULL) gets the version's date. */
char *iam_policy_document_alloc(db_conn *db, const char *arn, const char *version,
                                int64_t *created_ms);

#endif
