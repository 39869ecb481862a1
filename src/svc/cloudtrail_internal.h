/* cloudtrail_internal: what the files of the CloudTrail service share.
 *
 *   cloudtrail.c            the operation table (SVC_CLOUDTRAIL), one transaction per write
 *   cloudtrail_names.c      trail-name rules, trail ARNs, and which trail a Name addresses
 *                           for the caller (member, delegated-admin and region rules)
 *   cloudtrail_bucket.c     the log bucket: exists, and its policy admits CloudTrail
 *   cloudtrail_org.c        organization-trail preconditions, delegated administrators
 *   cloudtrail_trails.c     trail lifecycle, views, status, logging
 *   cloudtrail_selectors.c  event selectors (basic and advanced)
 *   cloudtrail_tags.c       AddTags / ListTags / RemoveTags
 *   cloudtrail_channels.c   channels for PutAuditEvents (Create/Get/List/Update/Delete)
 *   cloudtrail_keys.c       ListPublicKeys (digest signing keys)
 *
 * Who sees what (decisions where AWS's sources are silent are marked in the files):
 * an organization trail is owned by the management account; member accounts see it in
 * DescribeTrails/ListTrails and may read it with GetTrail/GetTrailStatus by ARN; any
 * other use of its ARN from a member is CloudTrailARNInvalidException, and its bare name
 * resolves inside the member's own account (TrailNotFoundException). Delegated
 * administrators address it by ARN and may do what the management account does, except
 * converting a trail between organization and single-account. */
#ifndef ORGTRAIL_CLOUDTRAIL_INTERNAL_H
#define ORGTRAIL_CLOUDTRAIL_INTERNAL_H

#include <stdbool.h>

#include "state/channel_state.h"
#include "state/org_state.h"
#include "state/trail_state.h"
#include "svc/service.h"

#define CT_PRINCIPAL "cloudtrail.amazonaws.com"
#define CT_RESOURCE_TYPE "AWS::CloudTrail::Trail"
#define CT_MAX_TAGS 50

int ct_fail_db(call_ctx *c);

/* ---- cloudtrail_names.c ---- */

/* AWS's trail-name rules; -1 with InvalidTrailNameException and AWS's message. */
int ct_check_name(call_ctx *c, const char *name);
bool ct_looks_like_arn(const char *s);
/* Splits arn:aws:cloudtrail:<region>:<account>:trail/<name>; -1 with
 * CloudTrailARNInvalidException when it is not one. */
int ct_parse_arn(call_ctx *c, const char *arn, char region[32], char account[13], char name[129]);

typedef enum ct_access {
    CT_VIEW,   /* GetTrail: members may view the organization trail */
    CT_READ,   /* GetTrailStatus, GetEventSelectors, ListTags: owner or delegated admin */
    CT_MODIFY, /* every write: as CT_READ, and only in the trail's home region */
} ct_access;

/* The trail a Name / TrailName / ResourceId (name or ARN) addresses for the caller, in
 * the calling region. Returns 0 with *t, or -1 with c->err: InvalidTrailNameException,
 * CloudTrailARNInvalidException, TrailNotFoundException, InvalidHomeRegionException. */
int ct_resolve(call_ctx *c, const char *name_or_arn, ct_access access, trail *t);
/* Records the trail as the call's resource, as CloudTrail does. */
void ct_add_resource(call_ctx *c, const trail *t);

/* ---- cloudtrail_bucket.c ---- */

/* The trail's log bucket exists and its policy lets cloudtrail.amazonaws.com check the
 * bucket ACL and write the trail's log files (aws:SourceArn = the trail ARN, etc.).
 * org_id is the owner's organization ("" when none); organization trails also need the
 * AWSLogs/<org id>/ prefix. -1 with S3BucketDoesNotExistException,
 * InvalidS3BucketNameException or InsufficientS3BucketPolicyException. */
int ct_check_bucket(call_ctx *c, const trail *t, const char *org_id);

/* ---- cloudtrail_org.c ---- */

/* The preconditions for the caller to create or keep an organization trail: returns 0
 * with *o (the organization), or -1 with OrganizationsNotInUseException,
 * OrganizationNotInAllFeaturesModeException, NotOrganizationMasterAccountException (also
 * for a delegated administrator when management_only), CloudTrailAccessNotEnabledException,
 * NoManagementAccountSLRExistsException, InsufficientDependencyServiceAccessPermissionException.
 * Creates the CloudTrail service-linked role in the management account when the caller
 * is that account and it is missing. */
int ct_org_preconditions(call_ctx *c, org_info *o, bool management_only);
/* The caller's organization id, or "" (out >= 40 bytes). */
void ct_caller_org_id(call_ctx *c, char *out, size_t n);

int ct_register_delegated_admin(call_ctx *c);
int ct_deregister_delegated_admin(call_ctx *c);

/* ---- cloudtrail_trails.c ---- */
int ct_create_trail(call_ctx *c);
int ct_update_trail(call_ctx *c);
int ct_delete_trail(call_ctx *c);
int ct_get_trail(call_ctx *c);
int ct_describe_trails(call_ctx *c);
int ct_list_trails(call_ctx *c);
int ct_get_trail_status(call_ctx *c);
int ct_start_logging(call_ctx *c);
int ct_stop_logging(call_ctx *c);

/* ---- cloudtrail_selectors.c ---- */
int ct_put_event_selectors(call_ctx *c);
int ct_get_event_selectors(call_ctx *c);

/* ---- cloudtrail_tags.c ---- */
/* Validates a TagsList and adds it to the trail (replacing values of existing keys);
 * -1 with InvalidTagParameterException / TagsLimitExceededException. */
int ct_tags_add(call_ctx *c, const char *arn, const json_t *tags);
int ct_add_tags(call_ctx *c);
int ct_list_tags(call_ctx *c);
int ct_remove_tags(call_ctx *c);

/* ---- cloudtrail_channels.c ---- */
/* The caller's channel that an ARN or channel ID addresses in the calling region: 0 with
 * *ch (channel_clear it), or -1 with invalid_code (not an ARN or ID), not_found_code
 * (absent, or another region's) or other_account_code (another account's; NULL: treated
 * as absent). The codes differ between CloudTrail and cloudtrail-data. */
int ct_resolve_channel(call_ctx *c, const char *arn_or_id, const char *invalid_code,
                       const char *not_found_code, const char *other_account_code, channel *ch);
int ct_create_channel(call_ctx *c);
int ct_get_channel(call_ctx *c);
int ct_list_channels(call_ctx *c);
int ct_update_channel(call_ctx *c);
int ct_delete_channel(call_ctx *c);

/* ---- cloudtrail_keys.c ---- */
int ct_list_public_keys(call_ctx *c);

#endif
