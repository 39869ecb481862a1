/* cloudtrail_channels: CreateChannel, GetChannel, ListChannels, UpdateChannel,
 * DeleteChannel — the channels through which the organization's own services send events
 * with cloudtrail-data PutAuditEvents (svc/cloudtrail_data.c).
 *
 * Decisions where orgtrail differs from CloudTrail Lake (docs/ingest.md):
 * - Source must be "Custom": orgtrail has no partner integrations, so any other source is
 *   InvalidSourceException.
 * - orgtrail has no event data stores: ingested events become CloudTrail records that every
 *   trail covering the recipient account delivers. Destinations of type EVENT_DATA_STORE
 *   are still required by the API; they are checked to be event-data-store ARNs
 *   (EventDataStoreARNInvalidException) and stored as given, without effect.
 *   AWS_SERVICE destinations belong to channels AWS services create for themselves and
 *   are refused (InvalidParameterException).
 * - At most CHANNEL_MAX_PER_REGION channels per account and region
 *   (ChannelMaxLimitExceededException).
 * - A channel is seen only by its own account, in its own region; anything else is
 *   ChannelNotFoundException, so that other accounts learn nothing of it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "state/tags.h"
#include "svc/cloudtrail_internal.h"

#define CHANNEL_RESOURCE_TYPE "AWS::CloudTrail::Channel"

static bool is_channel_id(const char *s)
{
    size_t n = strlen(s);
    if (n != 36) return false;
    for (size_t i = 0; i < n; i++)
        if (!(isdigit((unsigned char)s[i]) || (s[i] >= 'a' && s[i] <= 'f') || s[i] == '-'))
            return false;
    return true;
}

/* Splits arn:aws:cloudtrail:<region>:<account>:channel/<uuid>; false when it is not one. */
static bool parse_channel_arn(const char *arn, char region[32], char account[13], char id[40])
{
    static const char prefix[] = "arn:aws:cloudtrail:";
    if (strncmp(arn, prefix, sizeof prefix - 1)) return false;
    const char *p = arn + sizeof prefix - 1;
    const char *colon = strchr(p, ':');
    if (!colon || colon == p || (size_t)(colon - p) >= 32) return false;
    for (const char *q = p; q < colon; q++)
        if (!islower((unsigned char)*q) && !isdigit((unsigned char)*q) && *q != '-') return false;
    snprintf(region, 32, "%.*s", (int)(colon - p), p);
    p = colon + 1;
    for (int i = 0; i < 12; i++)
        if (!isdigit((unsigned char)p[i])) return false;
    if (strncmp(p + 12, ":channel/", 9)) return false;
    snprintf(account, 13, "%.12s", p);
    if (!is_channel_id(p + 12 + 9)) return false;
    snprintf(id, 40, "%s", p + 12 + 9);
    return true;
}

int ct_resolve_channel(call_ctx *c, const char *arn_or_id, const char *invalid_code,
                       const char *not_found_code, const char *other_account_code, channel *ch)
{
    char region[32], account[13], id[40];
    int found;
    if (!arn_or_id) arn_or_id = "";
    if (!strncmp(arn_or_id, "arn:", 4)) {
        if (!parse_channel_arn(arn_or_id, region, account, id))
            return aws_fail(&c->err, 400, invalid_code,
                            "The channel ARN %.300s is not valid. A channel ARN has the form "
                            "arn:aws:cloudtrail:<region>:<account id>:channel/<channel id>.",
                            arn_or_id);
        found = channel_get(c->db, arn_or_id, ch);
    } else if (is_channel_id(arn_or_id)) {
        found = channel_get_by_id(c->db, arn_or_id, ch);
    } else {
        return aws_fail(&c->err, 400, invalid_code,
                        "%.300s is neither a channel ARN nor a channel ID.", arn_or_id);
    }
    if (found && strcmp(ch->region, c->region)) {
        channel_clear(ch);
        found = 0;
    }
    if (found && strcmp(ch->account_id, c->caller->account_id)) {
        channel_clear(ch);
        if (other_account_code)
            return aws_fail(&c->err, 400, other_account_code,
                            "The caller's account %s does not own channel %.300s.",
                            c->caller->account_id, arn_or_id);
        found = 0;
    }
    if (!found)
        return aws_fail(&c->err, 400, not_found_code, "Channel %.300s not found.", arn_or_id);
    return 0;
}

/* The Destinations list as orgtrail keeps it; -1 with the error for a refused entry. */
static int check_destinations(call_ctx *c, const json_t *dests)
{
    size_t i;
    const json_t *d;
    json_array_foreach(dests, i, d)
    {
        const char *type = json_string_value(json_object_get(d, "Type"));
        const char *loc = json_string_value(json_object_get(d, "Location"));
        if (!type || !loc)
            return aws_fail(&c->err, 400, "InvalidParameterException",
                            "Every destination needs a Type and a Location.");
        if (!strcmp(type, "AWS_SERVICE"))
            return aws_fail(&c->err, 400, "InvalidParameterException",
                            "Destinations of type AWS_SERVICE are reserved for channels that AWS "
                            "services create; use EVENT_DATA_STORE.");
        static const char eds[] = "arn:aws:cloudtrail:";
        const char *slash = strstr(loc, ":eventdatastore/");
        if (strncmp(loc, eds, sizeof eds - 1) || !slash || !slash[16])
            return aws_fail(&c->err, 400, "EventDataStoreARNInvalidException",
                            "The event data store ARN %.300s is not valid.", loc);
    }
    return 0;
}

static json_t *dests_from_text(const char *text)
{
    json_t *v = json_loads(text ? text : "[]", 0, NULL);
    return v ? v : json_array();
}

static char *dests_text(const json_t *dests)
{
    json_t *norm = json_array();
    size_t i;
    const json_t *d;
    json_array_foreach(dests, i, d) json_array_append_new(
        norm, json_pack("{s:s, s:s}", "Type", json_string_value(json_object_get(d, "Type")),
                        "Location", json_string_value(json_object_get(d, "Location"))));
    char *text = json_dumps(norm, JSON_COMPACT);
    json_decref(norm);
    if (!text) abort();
    return text;
}

static int check_tags(call_ctx *c, const json_t *tags)
{
    size_t i;
    const json_t *tag;
    json_array_foreach(tags, i, tag)
    {
        const char *key = json_string_value(json_object_get(tag, "Key"));
        if (!key || !*key || !strncmp(key, "aws:", 4))
            return aws_fail(&c->err, 400, "InvalidTagParameterException",
                            "Tag keys must be 1 to 128 characters and may not start with aws:.");
    }
    if (json_array_size(tags) > CHANNEL_MAX_TAGS)
        return aws_fail(&c->err, 400, "TagsLimitExceededException",
                        "A channel can have at most %d tags.", CHANNEL_MAX_TAGS);
    return 0;
}

int ct_create_channel(call_ctx *c)
{
    const char *name = in_str(c, "Name");
    const char *source = in_str(c, "Source");
    const json_t *dests = json_object_get(c->in, "Destinations");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (strcmp(source, "Custom"))
        return aws_fail(&c->err, 400, "InvalidSourceException",
                        "Source %.256s is not supported. orgtrail has no partner integrations; "
                        "use Custom.",
                        source);
    if (check_destinations(c, dests) || check_tags(c, tags)) return -1;
    if (channel_name_taken(c->db, c->caller->account_id, c->region, name, NULL))
        return aws_fail(&c->err, 400, "ChannelAlreadyExistsException",
                        "A channel named %s already exists in this account and region.", name);
    if (channel_count(c->db, c->caller->account_id, c->region) >= CHANNEL_MAX_PER_REGION)
        return aws_fail(&c->err, 400, "ChannelMaxLimitExceededException",
                        "This account already has the maximum of %d channels in %s.",
                        CHANNEL_MAX_PER_REGION, c->region);
    channel ch;
    memset(&ch, 0, sizeof ch);
    ids_uuid(ch.id);
    snprintf(ch.account_id, sizeof ch.account_id, "%s", c->caller->account_id);
    snprintf(ch.region, sizeof ch.region, "%s", c->region);
    snprintf(ch.name, sizeof ch.name, "%s", name);
    snprintf(ch.source, sizeof ch.source, "%s", source);
    channel_arn(ch.arn, sizeof ch.arn, ch.region, ch.account_id, ch.id);
    ch.destinations = dests_text(dests);
    ch.created_ms = c->now_ms;
    if (channel_insert(c->db, &ch) || tags_put_json(c->db, TAGS_CHANNEL, ch.arn, tags)) {
        channel_clear(&ch);
        return ct_fail_db(c);
    }
    c->out = json_pack("{s:s, s:s, s:s, s:o}", "ChannelArn", ch.arn, "Name", ch.name, "Source",
                       ch.source, "Destinations", dests_from_text(ch.destinations));
    if (json_array_size(tags))
        json_object_set_new(c->out, "Tags", tags_json(c->db, TAGS_CHANNEL, ch.arn));
    call_add_resource(c, ch.account_id, CHANNEL_RESOURCE_TYPE, ch.arn);
    channel_clear(&ch);
    return 0;
}

int ct_get_channel(call_ctx *c)
{
    channel ch;
    if (ct_resolve_channel(c, in_str(c, "Channel"), "ChannelARNInvalidException",
                           "ChannelNotFoundException", NULL, &ch))
        return -1;
    json_t *status = json_object();
    if (ch.last_success_ms) {
        json_object_set_new(status, "LatestIngestionSuccessTime", json_time(ch.last_success_ms));
        json_object_set_new(status, "LatestIngestionSuccessEventID",
                            json_string(ch.last_success_event_id));
    }
    if (ch.last_attempt_ms) {
        json_object_set_new(status, "LatestIngestionAttemptTime", json_time(ch.last_attempt_ms));
        json_object_set_new(status, "LatestIngestionAttemptEventID",
                            json_string(ch.last_attempt_event_id));
    }
    if (ch.last_error_code[0])
        json_object_set_new(status, "LatestIngestionErrorCode", json_string(ch.last_error_code));
    c->out = json_pack("{s:s, s:s, s:s, s:o, s:o}", "ChannelArn", ch.arn, "Name", ch.name, "Source",
                       ch.source, "Destinations", dests_from_text(ch.destinations),
                       "IngestionStatus", status);
    call_add_resource(c, ch.account_id, CHANNEL_RESOURCE_TYPE, ch.arn);
    channel_clear(&ch);
    return 0;
}

#define TOKEN_PREFIX "ch1:"

int ct_list_channels(call_ctx *c)
{
    int limit = (int)in_int(c, "MaxResults", 1000);
    const char *token = in_str(c, "NextToken");
    const char *after = "";
    if (token) {
        if (strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)))
            return aws_fail(&c->err, 400, "InvalidNextTokenException",
                            "The NextToken is not valid.");
        after = token + strlen(TOKEN_PREFIX);
    }
    bool more;
    json_t *list = channel_list_json(c->db, c->caller->account_id, c->region, after, limit, &more);
    c->out = json_pack("{s:o}", "Channels", list);
    if (more) {
        char next[300];
        const json_t *last = json_array_get(list, json_array_size(list) - 1);
        snprintf(next, sizeof next, "%s%s", TOKEN_PREFIX,
                 json_string_value(json_object_get(last, "ChannelArn")));
        json_object_set_new(c->out, "NextToken", json_string(next));
    }
    return 0;
}

int ct_update_channel(call_ctx *c)
{
    channel ch;
    if (ct_resolve_channel(c, in_str(c, "Channel"), "ChannelARNInvalidException",
                           "ChannelNotFoundException", NULL, &ch))
        return -1;
    const char *name = in_str(c, "Name");
    const json_t *dests = json_object_get(c->in, "Destinations");
    int rc = 0;
    if (dests && check_destinations(c, dests)) rc = -1;
    if (!rc && name && channel_name_taken(c->db, ch.account_id, ch.region, name, ch.arn))
        rc = aws_fail(&c->err, 400, "ChannelAlreadyExistsException",
                      "A channel named %s already exists in this account and region.", name);
    if (!rc) {
        if (name) snprintf(ch.name, sizeof ch.name, "%s", name);
        if (dests) {
            free(ch.destinations);
            ch.destinations = dests_text(dests);
        }
        if (channel_update(c->db, ch.arn, ch.name, ch.destinations)) rc = ct_fail_db(c);
    }
    if (!rc) {
        c->out = json_pack("{s:s, s:s, s:s, s:o}", "ChannelArn", ch.arn, "Name", ch.name, "Source",
                           ch.source, "Destinations", dests_from_text(ch.destinations));
        call_add_resource(c, ch.account_id, CHANNEL_RESOURCE_TYPE, ch.arn);
    }
    channel_clear(&ch);
    return rc;
}

int ct_delete_channel(call_ctx *c)
{
    channel ch;
    if (ct_resolve_channel(c, in_str(c, "Channel"), "ChannelARNInvalidException",
                           "ChannelNotFoundException", NULL, &ch))
        return -1;
    int rc = channel_delete(c->db, ch.arn) ? ct_fail_db(c) : 0;
    if (!rc) call_add_resource(c, ch.account_id, CHANNEL_RESOURCE_TYPE, ch.arn);
    channel_clear(&ch);
    return rc;
}
