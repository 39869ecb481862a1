/* org_handshakes: invitations (InviteAccountToOrganization), the enable-all-features
 * migration (EnableAllFeatures and its APPROVE_ALL_FEATURES handshakes), and the
 * handshake operations of their parties. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "state/iam_state.h"
#include "state/org_handshake_state.h"
#include "state/org_policy_state.h"
#include "state/tags.h"
#include "svc/org_internal.h"

#define DAY_MS (24LL * 3600 * 1000)
#define INVITE_TTL_MS (15 * DAY_MS)
#define ALL_FEATURES_TTL_MS (90 * DAY_MS)

static int handshake_not_found(call_ctx *c)
{
    return aws_fail(&c->err, 400, "HandshakeNotFoundException",
                    "We can't find a handshake with the HandshakeId that you specified.");
}

/* Open handshakes expire by the clock, without anyone writing it down. */
static const char *handshake_state(const org_handshake *h, int64_t now_ms)
{
    bool open = !strcmp(h->state, "OPEN") || !strcmp(h->state, "REQUESTED");
    return open && now_ms >= h->expiration_ms ? "EXPIRED" : h->state;
}

static bool handshake_open(const org_handshake *h, int64_t now_ms)
{
    const char *s = handshake_state(h, now_ms);
    return !strcmp(s, "OPEN") || !strcmp(s, "REQUESTED");
}

static json_t *handshake_json(const org_info *o, const org_handshake *h, int64_t now_ms)
{
    char action[32], arn[256];
    org_lowercase_copy(action, sizeof action, h->action);
    snprintf(arn, sizeof arn, "arn:aws:organizations::%s:handshake/%s/%s/%s", o->master_account,
             o->id, action, h->id);
    json_t *j = json_object();
    org_set_str(j, "Id", h->id);
    org_set_str(j, "Arn", arn);
    json_t *parties = json_loads(h->parties, 0, NULL);
    json_object_set_new(j, "Parties", parties ? parties : json_array());
    org_set_str(j, "State", handshake_state(h, now_ms));
    json_object_set_new(j, "RequestedTimestamp", json_time(h->requested_ms));
    json_object_set_new(j, "ExpirationTimestamp", json_time(h->expiration_ms));
    org_set_str(j, "Action", h->action);
    json_t *resources = json_loads(h->resources, 0, NULL);
    json_object_set_new(j, "Resources", resources ? resources : json_array());
    return j;
}

/* The PARENT_HANDSHAKE resource of an APPROVE_ALL_FEATURES handshake, or "". */
static void handshake_parent(const org_handshake *h, char out[40])
{
    out[0] = '\0';
    json_t *res = json_loads(h->resources, 0, NULL);
    size_t i;
    json_t *r;
    json_array_foreach(res, i, r)
    {
        const char *type = json_string_value(json_object_get(r, "Type"));
        const char *value = json_string_value(json_object_get(r, "Value"));
        if (type && value && !strcmp(type, "PARENT_HANDSHAKE")) snprintf(out, 40, "%s", value);
    }
    json_decref(res);
}

static json_t *party(const char *id, const char *type)
{
    return json_pack("{s:s, s:s}", "Id", id, "Type", type);
}

static json_t *resource(const char *type, const char *value)
{
    json_t *r = json_object();
    org_set_str(r, "Value", value);
    org_set_str(r, "Type", type);
    return r;
}

/* Stores a new handshake (parties and resources stolen) and fills *h. */
static int handshake_create(call_ctx *c, const char *action, const char *state,
                            const char *recipient, json_t *parties, json_t *resources,
                            int64_t ttl_ms, org_handshake *h)
{
    memset(h, 0, sizeof *h);
    char suffix[16];
    ids_from_alphabet(suffix, 10, IDS_LOWER_ALNUM);
    snprintf(h->id, sizeof h->id, "h-%s", suffix);
    snprintf(h->action, sizeof h->action, "%s", action);
    snprintf(h->state, sizeof h->state, "%s", state);
    snprintf(h->recipient, sizeof h->recipient, "%s", recipient);
    h->parties = json_dumps(parties, JSON_COMPACT);
    h->resources = json_dumps(resources, JSON_COMPACT);
    json_decref(parties);
    json_decref(resources);
    if (!h->parties || !h->resources) abort();
    h->requested_ms = c->now_ms;
    h->expiration_ms = c->now_ms + ttl_ms;
    if (org_handshake_insert(c->db, h)) return org_fail_db(c);
    return 0;
}

static int handshake_set_state(call_ctx *c, org_handshake *h, const char *state)
{
    if (org_handshake_set_state(c->db, h->id, state)) return org_fail_db(c);
    snprintf(h->state, sizeof h->state, "%s", state);
    return 0;
}

/* Whether some handshake of `action` (for recipient, NULL: anyone's) is open: 1 with a
 * copy in *found (clear it) when found is not NULL, else 0. */
static int open_handshake(call_ctx *c, const char *action, const char *recipient,
                          org_handshake *found)
{
    size_t n;
    org_handshake *hs = org_handshakes_alloc(c->db, action, recipient, true, &n);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!handshake_open(&hs[i], c->now_ms)) continue;
        rc = 1;
        if (found) {
            *found = hs[i];
            hs[i].parties = hs[i].resources = NULL;
        }
    }
    org_handshakes_free(hs, n);
    return rc;
}

/* The pending ENABLE_ALL_FEATURES handshake, if any: 1 with *h (clear it). */
static int pending_all_features(call_ctx *c, org_handshake *h)
{
    return open_handshake(c, "ENABLE_ALL_FEATURES", NULL, h);
}

int org_reevaluate_all_features(call_ctx *c, const org_info *o)
{
    org_handshake parent;
    if (!pending_all_features(c, &parent)) return 0;
    bool waiting = false;
    size_t n;
    org_handshake *hs = org_handshakes_alloc(c->db, "APPROVE_ALL_FEATURES", NULL, false, &n);
    for (size_t i = 0; i < n; i++) {
        char p[40];
        handshake_parent(&hs[i], p);
        if (!strcmp(p, parent.id) && strcmp(hs[i].state, "ACCEPTED") &&
            org_account_in(c->db, o, hs[i].recipient, NULL))
            waiting = true;
    }
    org_handshakes_free(hs, n);
    int rc = handshake_set_state(c, &parent, waiting ? "REQUESTED" : "OPEN");
    org_handshake_clear(&parent);
    return rc;
}

int org_cancel_approvals(call_ctx *c, const char *parent_id, const char *account_id)
{
    size_t n;
    org_handshake *hs = org_handshakes_alloc(c->db, "APPROVE_ALL_FEATURES", NULL, true, &n);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char p[40];
        handshake_parent(&hs[i], p);
        if ((!parent_id || !strcmp(p, parent_id)) &&
            (!account_id || !strcmp(hs[i].recipient, account_id)) &&
            org_handshake_set_state(c->db, hs[i].id, "CANCELED"))
            rc = org_fail_db(c);
    }
    org_handshakes_free(hs, n);
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Invitations */

static int already_in_org(call_ctx *c)
{
    return aws_fail_reason(&c->err, 400, "HandshakeConstraintViolationException",
                           "ALREADY_IN_AN_ORGANIZATION",
                           "The handshake request is invalid because the invited account "
                           "is already a member of an organization.");
}

/* The account an invitation's Target names: 0 with account_id, or -1 with c->err. */
static int invitation_target(call_ctx *c, char account_id[13])
{
    const json_t *target = json_object_get(c->in, "Target");
    const char *tid = json_string_value(json_object_get(target, "Id"));
    const char *ttype = json_string_value(json_object_get(target, "Type"));
    if (!strcmp(ttype, "ACCOUNT")) {
        if (strlen(tid) != 12 || strspn(tid, "0123456789") != 12)
            return org_invalid_input(c, "INVALID_PATTERN",
                                     "An ACCOUNT target must be a 12-digit account id.");
        if (!account_exists(c->db, tid)) return org_account_not_found(c);
        snprintf(account_id, 13, "%s", tid);
        return 0;
    }
    if (!strcmp(ttype, "EMAIL")) {
        /* orgtrail knows the email address of every account it holds. */
        if (!account_id_by_email(c->db, tid, account_id))
            return org_invalid_input(c, "INVALID_EMAIL_ADDRESS_TARGET",
                                     "No account with that email address exists in orgtrail; "
                                     "invite the account by its 12-digit id.");
        return 0;
    }
    return org_invalid_input(c, "INVALID_PARTY_TYPE_TARGET",
                             "You specified the wrong type of entity as a party: invite an "
                             "ACCOUNT or an EMAIL.");
}

int org_invite_account_to_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    if (pending_all_features(c, NULL))
        return aws_fail_reason(&c->err, 400, "HandshakeConstraintViolationException",
                               "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES",
                               "You can't issue new invitations to join an organization while "
                               "it's in the process of enabling all features.");
    char account_id[13] = "";
    if (invitation_target(c, account_id)) return -1;
    org_info other;
    if (org_of_account(c->db, account_id, &other)) return already_in_org(c);
    if (open_handshake(c, "INVITE", account_id, NULL))
        return aws_fail(&c->err, 400, "DuplicateHandshakeException",
                        "A handshake with the same action and target already exists.");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (tags && org_check_tags(c, NULL, tags)) return -1;

    org_account mgmt = {0};
    account_get(c->db, o.master_account, &mgmt);
    json_t *org_details = resource("ORGANIZATION", o.id);
    json_t *nested = json_array();
    json_array_append_new(nested, resource("MASTER_EMAIL", o.master_email));
    json_array_append_new(nested, resource("MASTER_NAME", mgmt.name));
    json_array_append_new(nested, resource("ORGANIZATION_FEATURE_SET", o.feature_set));
    json_object_set_new(org_details, "Resources", nested);
    json_t *resources = json_array();
    json_array_append_new(resources, org_details);
    json_array_append_new(resources, resource("ACCOUNT", account_id));
    const char *notes = in_str(c, "Notes");
    if (notes) json_array_append_new(resources, resource("NOTES", notes));
    json_t *parties = json_array();
    json_array_append_new(parties, party(o.id, "ORGANIZATION"));
    json_array_append_new(parties, party(account_id, "ACCOUNT"));
    org_handshake h;
    int rc =
        handshake_create(c, "INVITE", "OPEN", account_id, parties, resources, INVITE_TTL_MS, &h);
    if (!rc && tags) rc = org_put_tags(c, h.id, tags);
    if (!rc) c->out = json_pack("{s:o}", "Handshake", handshake_json(&o, &h, c->now_ms));
    org_handshake_clear(&h);
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Enabling all features */

int org_enable_all_features(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_MANAGEMENT)) return -1;
    if (!strcmp(o.feature_set, "ALL"))
        return aws_fail_reason(&c->err, 400, "HandshakeConstraintViolationException",
                               "ORGANIZATION_ALREADY_HAS_ALL_FEATURES",
                               "The handshake request is invalid because the organization has "
                               "already enabled all features.");
    if (pending_all_features(c, NULL))
        return aws_fail_reason(&c->err, 400, "HandshakeConstraintViolationException",
                               "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION",
                               "The handshake request is invalid because the organization has "
                               "already started the process to enable all features.");
    /* Pending invitations end: none may be accepted while the feature set changes. */
    if (org_handshakes_cancel_open(c->db, "INVITE")) return org_fail_db(c);
    size_t n;
    org_account *invited = org_invited_members_alloc(c->db, &o, &n);

    json_t *parties = json_array();
    json_array_append_new(parties, party(o.id, "ORGANIZATION"));
    json_array_append_new(parties, party(o.master_account, "ACCOUNT"));
    json_t *resources = json_array();
    json_array_append_new(resources, resource("ORGANIZATION", o.id));
    org_handshake parent;
    int rc = handshake_create(c, "ENABLE_ALL_FEATURES", n ? "REQUESTED" : "OPEN", o.master_account,
                              parties, resources, ALL_FEATURES_TTL_MS, &parent);
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *p = json_array();
        json_array_append_new(p, party(o.id, "ORGANIZATION"));
        json_array_append_new(p, party(invited[i].id, "ACCOUNT"));
        json_t *r = json_array();
        json_array_append_new(r, resource("ORGANIZATION", o.id));
        json_array_append_new(r, resource("PARENT_HANDSHAKE", parent.id));
        org_handshake child;
        rc = handshake_create(c, "APPROVE_ALL_FEATURES", "OPEN", invited[i].id, p, r,
                              ALL_FEATURES_TTL_MS, &child);
        org_handshake_clear(&child);
    }
    free(invited);
    if (!rc) c->out = json_pack("{s:o}", "Handshake", handshake_json(&o, &parent, c->now_ms));
    org_handshake_clear(&parent);
    return rc;
}

/* The organization switches to all features once the management account accepts. */
static int finalize_all_features(call_ctx *c, org_info *o)
{
    if (org_set_feature_set(c->db, o->id, "ALL")) return org_fail_db(c);
    snprintf(o->feature_set, sizeof o->feature_set, "ALL");
    if (org_policy_ensure_full_access(c->db)) return org_fail_db(c);
    return org_ensure_slr_everywhere(c, "organizations.amazonaws.com");
}

/* ---------------------------------------------------------------------------------------
 * Handshake operations */

/* Loads a handshake the caller may act on as `role`: 'r'ecipient (accept/decline) or
 * 's'ender (cancel). Someone who is a party in the other role gets AccessDenied; anyone
 * else does not learn that the handshake exists. */
static int handshake_for_caller(call_ctx *c, char role, org_info *o, org_handshake *h)
{
    if (!org_get(c->db, o) || !org_handshake_get(c->db, in_str(c, "HandshakeId"), h))
        return handshake_not_found(c);
    const char *me = c->caller->account_id;
    bool recipient = !strcmp(h->recipient, me);
    bool sender = !strcmp(o->master_account, me);
    if ((role == 'r' && recipient) || (role == 's' && sender)) return 0;
    org_handshake_clear(h);
    return recipient || sender ? org_access_denied(c) : handshake_not_found(c);
}

/* Accept, decline and cancel all need an open handshake. */
static int check_transition(call_ctx *c, const org_handshake *h, const char *to)
{
    const char *state = handshake_state(h, c->now_ms);
    if (!strcmp(state, to))
        return aws_fail(&c->err, 400, "HandshakeAlreadyInStateException",
                        "The specified handshake is already in the requested state.");
    if (strcmp(state, "OPEN") && strcmp(state, "REQUESTED"))
        return aws_fail(&c->err, 400, "InvalidHandshakeTransitionException",
                        "You can't perform the operation on the handshake in its current "
                        "state (%s).",
                        state);
    return 0;
}

int org_accept_handshake(call_ctx *c)
{
    org_info o;
    org_handshake h;
    if (handshake_for_caller(c, 'r', &o, &h)) return -1;
    int rc = check_transition(c, &h, "ACCEPTED");
    const char *me = c->caller->account_id;
    if (!rc && !strcmp(h.action, "INVITE")) {
        org_info mine;
        if (org_of_account(c->db, me, &mine)) rc = already_in_org(c);
        if (!rc) rc = org_join(c, &o, me, "INVITED");
        if (!rc && tags_move(c->db, TAGS_ORGANIZATIONS, h.id, me)) rc = org_fail_db(c);
        if (!rc) rc = handshake_set_state(c, &h, "ACCEPTED");
    } else if (!rc && !strcmp(h.action, "APPROVE_ALL_FEATURES")) {
        rc = iam_ensure_slr(c->db, me, "organizations.amazonaws.com", c->now_ms, &c->err);
        if (!rc) rc = handshake_set_state(c, &h, "ACCEPTED");
        if (!rc) rc = org_reevaluate_all_features(c, &o);
    } else if (!rc && !strcmp(h.action, "ENABLE_ALL_FEATURES")) {
        if (!strcmp(handshake_state(&h, c->now_ms), "REQUESTED"))
            rc = aws_fail(&c->err, 400, "InvalidHandshakeTransitionException",
                          "Every invited member account must approve enabling all features "
                          "before you can finalize it.");
        if (!rc) rc = finalize_all_features(c, &o);
        if (!rc) rc = handshake_set_state(c, &h, "ACCEPTED");
    } else if (!rc) {
        rc = org_invalid_input(c, "INVALID_ENUM", "orgtrail cannot accept this kind of handshake.");
    }
    if (!rc) c->out = json_pack("{s:o}", "Handshake", handshake_json(&o, &h, c->now_ms));
    org_handshake_clear(&h);
    return rc;
}

static int end_handshake(call_ctx *c, char role, const char *to)
{
    org_info o;
    org_handshake h;
    if (handshake_for_caller(c, role, &o, &h)) return -1;
    int rc = check_transition(c, &h, to);
    if (!rc) rc = handshake_set_state(c, &h, to);
    /* Ending a migration ends the approvals it asked for; ending one approval may leave
     * the migration waiting. */
    if (!rc && !strcmp(h.action, "ENABLE_ALL_FEATURES")) rc = org_cancel_approvals(c, h.id, NULL);
    if (!rc && !strcmp(h.action, "APPROVE_ALL_FEATURES")) rc = org_reevaluate_all_features(c, &o);
    if (!rc) c->out = json_pack("{s:o}", "Handshake", handshake_json(&o, &h, c->now_ms));
    org_handshake_clear(&h);
    return rc;
}

int org_decline_handshake(call_ctx *c)
{
    return end_handshake(c, 'r', "DECLINED");
}

int org_cancel_handshake(call_ctx *c)
{
    return end_handshake(c, 's', "CANCELED");
}

int org_describe_handshake(call_ctx *c)
{
    org_info o;
    org_handshake h;
    if (!org_get(c->db, &o) || !org_handshake_get(c->db, in_str(c, "HandshakeId"), &h))
        return handshake_not_found(c);
    const char *me = c->caller->account_id;
    int rc = 0;
    if (strcmp(h.recipient, me) && strcmp(o.master_account, me))
        rc = handshake_not_found(c);
    else
        c->out = json_pack("{s:o}", "Handshake", handshake_json(&o, &h, c->now_ms));
    org_handshake_clear(&h);
    return rc;
}

static int list_handshakes(call_ctx *c, const char *recipient)
{
    org_info o;
    const json_t *filter = json_object_get(c->in, "Filter");
    const char *action = json_string_value(json_object_get(filter, "ActionType"));
    const char *parent = json_string_value(json_object_get(filter, "ParentHandshakeId"));
    if (action && parent)
        return org_invalid_input(c, "MAX_LIMIT_EXCEEDED_FILTER",
                                 "You can specify only one filter parameter for the operation.");
    json_t *all = json_array();
    if (!org_get(c->db, &o)) return org_paginate(c, all, "Handshakes");
    size_t n;
    org_handshake *hs = org_handshakes_alloc(c->db, NULL, recipient, false, &n);
    for (size_t i = 0; i < n; i++) {
        char p[40];
        handshake_parent(&hs[i], p);
        if ((!action || !strcmp(action, hs[i].action)) && (!parent || !strcmp(parent, p)))
            json_array_append_new(all, handshake_json(&o, &hs[i], c->now_ms));
    }
    org_handshakes_free(hs, n);
    return org_paginate(c, all, "Handshakes");
}

int org_list_handshakes_for_account(call_ctx *c)
{
    return list_handshakes(c, c->caller->account_id);
}

int org_list_handshakes_for_organization(call_ctx *c)
{
    org_info o;
    if (org_for_caller(c, &o, ORG_NEED_READER)) return -1;
    return list_handshakes(c, NULL);
}
