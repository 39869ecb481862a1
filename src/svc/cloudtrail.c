/* cloudtrail: the CloudTrail control plane — trails, organization trails, selectors,
 * status, tags, delegated administrators (see cloudtrail_internal.h for the files).
 *
 * Every write runs in one transaction (OP_TX), so that a refused request changes nothing
 * (an organization trail's service-linked role appears only with the trail).
 * ListPublicKeys may make the current key: one transaction too, so two callers make one. */
#include <string.h>

#include "svc/cloudtrail_internal.h"

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
    {"AddTags", ct_add_tags, TAG_OVERRIDES, OP_TX},
    {"CreateChannel", ct_create_channel, CHANNEL_OVERRIDES, OP_TX},
    {"CreateTrail", ct_create_trail, TAG_OVERRIDES, OP_TX | OP_CHANGES_TRAILS},
    {"DeleteChannel", ct_delete_channel, CHANNEL_OVERRIDES, OP_TX},
    {"DeleteTrail", ct_delete_trail, NULL, OP_TX | OP_CHANGES_TRAILS},
    {"DeregisterOrganizationDelegatedAdmin", ct_deregister_delegated_admin, ACCOUNT_OVERRIDES,
     OP_TX},
    {"DescribeTrails", ct_describe_trails, NULL, 0},
    {"GetChannel", ct_get_channel, CHANNEL_OVERRIDES, 0},
    {"GetEventSelectors", ct_get_event_selectors, NULL, 0},
    {"GetTrail", ct_get_trail, NULL, 0},
    {"GetTrailStatus", ct_get_trail_status, NULL, 0},
    {"ListChannels", ct_list_channels, NULL, 0},
    {"ListPublicKeys", ct_list_public_keys, NULL, OP_TX},
    {"ListTags", ct_list_tags, NULL, 0},
    {"ListTrails", ct_list_trails, NULL, 0},
    {"PutEventSelectors", ct_put_event_selectors, SELECTOR_OVERRIDES, OP_TX | OP_CHANGES_TRAILS},
    {"RegisterOrganizationDelegatedAdmin", ct_register_delegated_admin, ACCOUNT_OVERRIDES, OP_TX},
    {"RemoveTags", ct_remove_tags, TAG_OVERRIDES, OP_TX},
    {"StartLogging", ct_start_logging, NULL, OP_TX | OP_CHANGES_TRAILS},
    {"StopLogging", ct_stop_logging, NULL, OP_TX | OP_CHANGES_TRAILS},
    {"UpdateChannel", ct_update_channel, CHANNEL_OVERRIDES, OP_TX},
    {"UpdateTrail", ct_update_trail, NULL, OP_TX | OP_CHANGES_TRAILS},
};

/* The trail (or channel, or tagged resource) an operation names, as an ARN: a name is a
 * trail of the caller's account in the region called. "*" for the others. */
static void ct_resource(const call_ctx *c, char *out, size_t n)
{
    static const char *const members[] = {"Name", "TrailName", "Channel", "ResourceId"};
    for (size_t i = 0; i < sizeof members / sizeof *members; i++) {
        const char *v = in_str(c, members[i]);
        if (!v) continue;
        if (!strncmp(v, "arn:", 4))
            snprintf(out, n, "%s", v);
        else if (i < 2)
            snprintf(out, n, "arn:aws:cloudtrail:%s:%s:trail/%s", c->region, c->caller->account_id,
                     v);
        return;
    }
}

const service_def SVC_CLOUDTRAIL = {.signing_name = "cloudtrail",
                                    .style = VSTYLE_JSON,
                                    .ops = OPS,
                                    .n_ops = sizeof OPS / sizeof *OPS,
                                    .fail_db = ct_fail_db,
                                    .authz_resource = ct_resource};
