/* cloudtrail: the CloudTrail control plane — trails, organization trails, selectors,
 * status, tags, delegated administrators (see cloudtrail_internal.h for the files).
 *
 * Every write runs in one transaction, so that a refused request changes nothing (an
 * organization trail's service-linked role appears only with the trail). */
#include "svc/cloudtrail_internal.h"

#define TX(fn)                                                                                     \
    static int fn##_tx(call_ctx *c)                                                                \
    {                                                                                              \
        return call_in_transaction(c, fn, ct_fail_db);                                             \
    }

TX(ct_create_trail)
TX(ct_update_trail)
TX(ct_delete_trail)
TX(ct_start_logging)
TX(ct_stop_logging)
TX(ct_put_event_selectors)
TX(ct_add_tags)
TX(ct_remove_tags)
TX(ct_register_delegated_admin)
TX(ct_deregister_delegated_admin)
TX(ct_create_channel)
TX(ct_update_channel)
TX(ct_delete_channel)
/* ListPublicKeys may make the current key: one transaction, so two callers make one. */
TX(ct_list_public_keys)

/* Constraint violations inside these members get the operation's own error code. */
static const validation_override TAG_OVERRIDES[] = {
    {"TagsList", "InvalidTagParameterException", NULL},
    {NULL, NULL, NULL},
};
static const validation_override SELECTOR_OVERRIDES[] = {
    {"EventSelectors", "InvalidEventSelectorsException", NULL},
    {"AdvancedEventSelectors", "InvalidEventSelectorsException", NULL},
    {NULL, NULL, NULL},
};
static const validation_override ACCOUNT_OVERRIDES[] = {
    {"*", "InvalidParameterException", NULL},
    {NULL, NULL, NULL},
};

static const validation_override CHANNEL_OVERRIDES[] = {
    {"Channel", "ChannelARNInvalidException", NULL},
    {"Tags", "InvalidTagParameterException", NULL},
    {"Destinations", "InvalidParameterException", NULL},
    {"Name", "InvalidParameterException", NULL},
    {NULL, NULL, NULL},
};

static const op_def OPS[] = {
    {"AddTags", ct_add_tags_tx, TAG_OVERRIDES},
    {"CreateChannel", ct_create_channel_tx, CHANNEL_OVERRIDES},
    {"CreateTrail", ct_create_trail_tx, TAG_OVERRIDES},
    {"DeleteChannel", ct_delete_channel_tx, CHANNEL_OVERRIDES},
    {"DeleteTrail", ct_delete_trail_tx, NULL},
    {"DeregisterOrganizationDelegatedAdmin", ct_deregister_delegated_admin_tx, ACCOUNT_OVERRIDES},
    {"DescribeTrails", ct_describe_trails, NULL},
    {"GetChannel", ct_get_channel, CHANNEL_OVERRIDES},
    {"GetEventSelectors", ct_get_event_selectors, NULL},
    {"GetTrail", ct_get_trail, NULL},
    {"GetTrailStatus", ct_get_trail_status, NULL},
    {"ListChannels", ct_list_channels, NULL},
    {"ListPublicKeys", ct_list_public_keys_tx, NULL},
    {"ListTags", ct_list_tags, NULL},
    {"ListTrails", ct_list_trails, NULL},
    {"PutEventSelectors", ct_put_event_selectors_tx, SELECTOR_OVERRIDES},
    {"RegisterOrganizationDelegatedAdmin", ct_register_delegated_admin_tx, ACCOUNT_OVERRIDES},
    {"RemoveTags", ct_remove_tags_tx, TAG_OVERRIDES},
    {"StartLogging", ct_start_logging_tx, NULL},
    {"StopLogging", ct_stop_logging_tx, NULL},
    {"UpdateChannel", ct_update_channel_tx, CHANNEL_OVERRIDES},
    {"UpdateTrail", ct_update_trail_tx, NULL},
};

const service_def SVC_CLOUDTRAIL = {"cloudtrail", VSTYLE_JSON, OPS, sizeof OPS / sizeof *OPS};
