/* STS across accounts, and temporary credentials that must not authenticate.
 *
 * Drives the real front end (signed requests into frontend_handle) against a store made
 * with store_create, into which a second and third account are inserted directly (the
 * Organizations API is not needed for that). Checks: AssumeRole into a role of another
 * account, its two records (the caller's, and the role owner's AWSAccount copy sharing an
 * event id), trust policies naming other accounts or the organization, role chaining
 * across accounts, identity_resolve on expired, forged and missing session tokens, and the
 * shared IAM state helpers (service-linked roles, principal ARNs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/identity.h"
#include "auth/sigv4.h"
#include "capture/journal.h"
#include "cli/cli.h"
#include "core/ids.h"
#include "core/timeutil.h"
#include "state/iam_state.h"
#include "app/frontend.h"
#include "app/server.h"
#include "testenv.h"

#define MGMT "111111111111"
#define MEMBER "222222222222"
#define OUTSIDER "333333333333"

typedef struct fixture {
    char tmp[64];
    char data[96];
    server srv;
    char alice_key[32], alice_secret[48]; /* IAM user alice in MGMT */
} fixture;

typedef struct creds {
    char key[32], secret[48];
    char *token; /* owned; NULL for long-term keys */
} creds;

static void exec_ok(db_conn *db, int rc)
{
    assert_int_equal(rc, 0);
    (void)db;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    testenv_mkdtemp(f->tmp, sizeof f->tmp, "iamsts");
    snprintf(f->data, sizeof f->data, "%s/data", f->tmp);
    char key[32], secret[48], err[512];
    assert_int_equal(store_create(f->data, MGMT, "us-east-1", key, secret, err, sizeof err), 0);
    assert_int_equal(server_open(&f->srv, f->data, err, sizeof err), 0);

    db_conn *db = db_acquire(&f->srv.db);
    int64_t now = time_now_ms();
    exec_ok(db, db_exec(db, "INSERT INTO accounts(id, name, email, created_ms) VALUES(?, ?, ?, ?)",
                        "sssi", MEMBER, "member", "member@example.com", now));
    exec_ok(db, db_exec(db, "INSERT INTO accounts(id, name, email, created_ms) VALUES(?, ?, ?, ?)",
                        "sssi", OUTSIDER, "outsider", "outsider@example.com", now));
    char user_id[32];
    ids_key_id(user_id, sizeof user_id, "AIDA", 17);
    exec_ok(db, db_exec(db,
                        "INSERT INTO iam_users(account_id, name, user_id, path, created_ms) "
                        "VALUES(?, 'alice', ?, '/', ?)",
                        "ssi", MGMT, user_id, now));
    ids_key_id(f->alice_key, sizeof f->alice_key, "AKIA", 16);
    ids_secret(f->alice_secret);
    exec_ok(db, db_exec(db,
                        "INSERT INTO access_keys(access_key_id, secret, account_id, user_name, "
                        "created_ms) VALUES(?, ?, ?, 'alice', ?)",
                        "sssi", f->alice_key, f->alice_secret, MGMT, now));

    /* The member's OrganizationAccountAccessRole trusts the management account; a second
     * role trusts only the outsider; a third trusts the member role's sessions. */
    aws_error e;
    char role_id[32];
    char *trust_mgmt = iam_trust_account_root_alloc(MGMT);
    char *trust_outsider = iam_trust_account_root_alloc(OUTSIDER);
    assert_int_equal(iam_role_create(db, MEMBER, "OrganizationAccountAccessRole", "/", trust_mgmt,
                                     NULL, 3600, NULL, now, role_id, &e),
                     0);
    assert_int_equal(iam_role_create(db, MEMBER, "OutsiderOnly", "/", trust_outsider, NULL, 3600,
                                     NULL, now, role_id, &e),
                     0);
    const char *trust_chain =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        "\"arn:aws:iam::222222222222:role/OrganizationAccountAccessRole\"},\"Action\":"
        "\"sts:AssumeRole\"}]}";
    assert_int_equal(iam_role_create(db, OUTSIDER, "Downstream", "/", trust_chain, NULL, 43200,
                                     NULL, now, role_id, &e),
                     0);
    /* AssumeRole across accounts needs the caller's own permission too: alice and the
     * member role (as Organizations makes it) hold AdministratorAccess. */
    static const char admin[] = "arn:aws:iam::aws:policy/AdministratorAccess";
    exec_ok(db, db_exec(db,
                        "INSERT INTO iam_user_attached(account_id, user_name, policy_arn) "
                        "VALUES(?, 'alice', ?)",
                        "ss", MGMT, admin));
    assert_int_equal(iam_role_attach_policy(db, MEMBER, "OrganizationAccountAccessRole", admin), 0);
    free(trust_mgmt);
    free(trust_outsider);
    db_release(&f->srv.db, db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    server_close(&f->srv);
    testenv_rmtree(f->tmp);
    free(f);
    return 0;
}

/* Sends one signed Query request; returns the HTTP status and fills *body (caller frees). */
static int call(fixture *f, const creds *c, const char *service, const char *form, char **body)
{
    http_request r;
    http_request_init(&r);
    strcpy(r.method, "POST");
    r.raw_path = strdup("/");
    r.raw_query = strdup("");
    http_request_parse_query(&r);
    http_request_add_header(&r, "Host", "127.0.0.1");
    http_request_add_header(&r, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    buf_puts(&r.body, form);
    snprintf(r.remote_ip, sizeof r.remote_ip, "127.0.0.1");
    sigv4_sign_request(&r, c->key, c->secret, c->token, "us-east-1", service, time_now_ms());
    http_response resp;
    http_response_init(&resp);
    frontend_handle(&f->srv, &r, &resp);
    int status = resp.status;
    *body = strdup(buf_cstr(&resp.body));
    http_response_free(&resp);
    http_request_free(&r);
    return status;
}

/* The text of the first <tag>...</tag> in xml (caller frees), or NULL. */
static char *xml_text(const char *xml, const char *tag)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *s = strstr(xml, open);
    if (!s) return NULL;
    s += strlen(open);
    const char *e = strstr(s, close);
    return e ? strndup(s, (size_t)(e - s)) : NULL;
}

static creds alice(const fixture *f)
{
    creds c = {0};
    snprintf(c.key, sizeof c.key, "%s", f->alice_key);
    snprintf(c.secret, sizeof c.secret, "%s", f->alice_secret);
    return c;
}

/* AssumeRole; on success fills *out with the session's credentials. */
static int assume(fixture *f, const creds *as, const char *role_arn, const char *extra, creds *out,
                  char **body)
{
    char form[1024];
    snprintf(form, sizeof form,
             "Action=AssumeRole&Version=2011-06-15&RoleArn=%s&RoleSessionName=unit-session%s",
             role_arn, extra ? extra : "");
    int status = call(f, as, "sts", form, body);
    if (status == 200 && out) {
        memset(out, 0, sizeof *out);
        char *k = xml_text(*body, "AccessKeyId"), *s = xml_text(*body, "SecretAccessKey");
        assert_non_null(k);
        assert_non_null(s);
        snprintf(out->key, sizeof out->key, "%s", k);
        snprintf(out->secret, sizeof out->secret, "%s", s);
        out->token = xml_text(*body, "SessionToken");
        assert_non_null(out->token);
        free(k);
        free(s);
    }
    return status;
}

/* Every captured record, as an array. */
static json_t *records(fixture *f)
{
    json_t *all = json_array();
    journal_reader jr;
    assert_int_equal(journal_reader_open(&jr, f->data, 1), 0);
    const char *rec;
    size_t len;
    uint64_t seq;
    while (journal_reader_next(&jr, &rec, &len, &seq) == 1)
        json_array_append_new(all, json_loadb(rec, len, 0, NULL));
    journal_reader_close(&jr);
    return all;
}

static void test_cross_account_assume_role(void **state)
{
    fixture *f = *state;
    creds a = alice(f), session;
    char *body;
    int status = assume(f, &a, "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole", NULL,
                        &session, &body);
    assert_int_equal(status, 200);
    assert_non_null(strstr(body, "<Arn>arn:aws:sts::222222222222:assumed-role/"
                                 "OrganizationAccountAccessRole/unit-session</Arn>"));
    free(body);

    /* The session acts in the member account. */
    assert_int_equal(call(f, &session, "sts", "Action=GetCallerIdentity&Version=2011-06-15", &body),
                     200);
    assert_non_null(strstr(body, "<Account>222222222222</Account>"));
    free(body);
    assert_int_equal(
        call(f, &session, "iam",
             "Action=GetRole&Version=2010-05-08&RoleName=OrganizationAccountAccessRole", &body),
        200);
    free(body);

    /* One record for alice's account, one copy for the role's, sharing an event id;
     * neither holds the secret or the token. */
    json_t *all = records(f);
    json_t *mine = NULL, *theirs = NULL;
    size_t i;
    json_t *r;
    json_array_foreach(all, i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "eventName")), "AssumeRole")) continue;
        const char *to = json_string_value(json_object_get(r, "recipientAccountId"));
        if (!strcmp(to, MGMT)) mine = r;
        if (!strcmp(to, MEMBER)) theirs = r;
        char *text = json_dumps(r, 0);
        assert_null(strstr(text, session.secret));
        assert_null(strstr(text, session.token));
        free(text);
    }
    assert_non_null(mine);
    assert_non_null(theirs);
    json_t *ui = json_object_get(mine, "userIdentity");
    assert_string_equal(json_string_value(json_object_get(ui, "type")), "IAMUser");
    assert_string_equal(json_string_value(json_object_get(ui, "arn")),
                        "arn:aws:iam::111111111111:user/alice");
    ui = json_object_get(theirs, "userIdentity");
    assert_string_equal(json_string_value(json_object_get(ui, "type")), "AWSAccount");
    assert_string_equal(json_string_value(json_object_get(ui, "accountId")), MGMT);
    const char *shared = json_string_value(json_object_get(mine, "sharedEventID"));
    assert_non_null(shared);
    assert_string_equal(shared, json_string_value(json_object_get(theirs, "sharedEventID")));
    json_t *res = json_array_get(json_object_get(mine, "resources"), 0);
    assert_string_equal(json_string_value(json_object_get(res, "accountId")), MEMBER);
    assert_string_equal(json_string_value(json_object_get(res, "type")), "AWS::IAM::Role");

    /* Calls made with the session are the member's: AssumedRole with its issuer. */
    json_t *get_role = NULL;
    json_array_foreach(all, i, r) if (!strcmp(json_string_value(json_object_get(r, "eventName")),
                                              "GetRole")) get_role = r;
    assert_non_null(get_role);
    assert_string_equal(json_string_value(json_object_get(get_role, "recipientAccountId")), MEMBER);
    ui = json_object_get(get_role, "userIdentity");
    assert_string_equal(json_string_value(json_object_get(ui, "type")), "AssumedRole");
    json_t *issuer = json_object_get(json_object_get(ui, "sessionContext"), "sessionIssuer");
    assert_string_equal(json_string_value(json_object_get(issuer, "arn")),
                        "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole");
    json_decref(all);
    free(session.token);
}

static void test_trust_of_another_account_is_refused(void **state)
{
    fixture *f = *state;
    creds a = alice(f);
    char *body;
    assert_int_equal(
        assume(f, &a, "arn:aws:iam::222222222222:role/OutsiderOnly", NULL, NULL, &body), 403);
    assert_non_null(strstr(body, "<Code>AccessDenied</Code>"));
    assert_non_null(strstr(body, "User: arn:aws:iam::111111111111:user/alice is not authorized "
                                 "to perform: sts:AssumeRole on resource: "
                                 "arn:aws:iam::222222222222:role/OutsiderOnly"));
    free(body);
    /* A role in an account orgtrail does not hold is simply not there. */
    assert_int_equal(assume(f, &a, "arn:aws:iam::999999999999:role/Anything", NULL, NULL, &body),
                     403);
    free(body);
    /* The denied attempt is still shown to the role's owner. */
    json_t *all = records(f);
    size_t i;
    json_t *r;
    int copies = 0;
    json_array_foreach(all, i, r)
    {
        const char *code = json_string_value(json_object_get(r, "errorCode"));
        const char *to = json_string_value(json_object_get(r, "recipientAccountId"));
        if (code && !strcmp(code, "AccessDenied") && !strcmp(to, MEMBER)) copies++;
    }
    assert_int_equal(copies, 1);
    json_decref(all);
}

static void test_chaining_across_accounts(void **state)
{
    fixture *f = *state;
    creds a = alice(f), first, second;
    char *body;
    assert_int_equal(assume(f, &a, "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole",
                            NULL, &first, &body),
                     200);
    free(body);
    /* alice herself is not the trusted role */
    assert_int_equal(assume(f, &a, "arn:aws:iam::333333333333:role/Downstream", NULL, NULL, &body),
                     403);
    free(body);
    assert_int_equal(assume(f, &first, "arn:aws:iam::333333333333:role/Downstream",
                            "&DurationSeconds=7200", NULL, &body),
                     400);
    assert_non_null(strstr(body, "1 hour session limit for roles assumed by role chaining"));
    free(body);
    assert_int_equal(
        assume(f, &first, "arn:aws:iam::333333333333:role/Downstream", NULL, &second, &body), 200);
    assert_non_null(strstr(body, "arn:aws:sts::333333333333:assumed-role/Downstream/"));
    free(body);
    assert_int_equal(call(f, &second, "sts", "Action=GetCallerIdentity&Version=2011-06-15", &body),
                     200);
    assert_non_null(strstr(body, "<Account>333333333333</Account>"));
    free(body);
    free(first.token);
    free(second.token);
}

static void test_session_tokens_are_checked(void **state)
{
    fixture *f = *state;
    creds a = alice(f), session;
    char *body;
    assert_int_equal(assume(f, &a, "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole",
                            NULL, &session, &body),
                     200);
    free(body);
    db_conn *db = db_acquire(&f->srv.db);
    principal p;
    char secret[128];
    int64_t now = time_now_ms();
    assert_int_equal(
        identity_resolve(db, session.key, session.token, now, &p, secret, sizeof secret), SIGV4_OK);
    assert_int_equal(p.kind, PRINCIPAL_ASSUMED_ROLE);
    assert_string_equal(p.account_id, MEMBER);
    assert_string_equal(secret, session.secret);
    assert_int_equal(identity_resolve(db, session.key, NULL, now, &p, secret, sizeof secret),
                     SIGV4_BAD_TOKEN);
    char forged[1024];
    snprintf(forged, sizeof forged, "%s", session.token);
    forged[10] = forged[10] == 'A' ? 'B' : 'A';
    assert_int_equal(identity_resolve(db, session.key, forged, now, &p, secret, sizeof secret),
                     SIGV4_BAD_TOKEN);
    /* One hour (the default duration) later the session is over. */
    assert_int_equal(identity_resolve(db, session.key, session.token, now + 3601 * 1000, &p, secret,
                                      sizeof secret),
                     SIGV4_EXPIRED_TOKEN);

    /* A session whose expiry has passed is refused at the front end with ExpiredToken. */
    exec_ok(db, db_exec(db,
                        "INSERT INTO sessions(access_key_id, secret, session_token, account_id, "
                        "role_name, role_id, role_path, session_name, created_ms, expires_ms) "
                        "SELECT 'ASIAEXPIREDEXPIRED00', secret, 'expired-token', account_id, "
                        "role_name, role_id, role_path, 'old', created_ms - 7200000, ? "
                        "FROM sessions WHERE access_key_id = ?",
                        "is", now - 1000, session.key));
    char old_secret[48];
    assert_int_equal(db_get_text(db, old_secret, sizeof old_secret,
                                 "SELECT secret FROM sessions WHERE access_key_id = ?", "s",
                                 "ASIAEXPIREDEXPIRED00"),
                     1);
    db_release(&f->srv.db, db);
    creds old = {0};
    snprintf(old.key, sizeof old.key, "ASIAEXPIREDEXPIRED00");
    snprintf(old.secret, sizeof old.secret, "%s", old_secret);
    old.token = "expired-token";
    assert_int_equal(call(f, &old, "sts", "Action=GetCallerIdentity&Version=2011-06-15", &body),
                     403);
    assert_non_null(strstr(body, "<Code>ExpiredToken</Code>"));
    free(body);
    /* The same session with a wrong token is not recognised at all. */
    old.token = "some-other-token";
    assert_int_equal(call(f, &old, "sts", "Action=GetCallerIdentity&Version=2011-06-15", &body),
                     403);
    assert_non_null(strstr(body, "<Code>InvalidClientTokenId</Code>"));
    free(body);
    free(session.token);
}

static void test_trust_by_organization(void **state)
{
    fixture *f = *state;
    db_conn *db = db_acquire(&f->srv.db);
    aws_error e;
    char role_id[32];
    const char *trust =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
        "\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":"
        "{\"aws:PrincipalOrgID\":\"o-unit123456\"}}}]}";
    assert_int_equal(iam_role_create(db, OUTSIDER, "OrgMembersOnly", "/", trust, NULL, 3600, NULL,
                                     time_now_ms(), role_id, &e),
                     0);
    db_release(&f->srv.db, db);
    creds a = alice(f);
    char *body;
    const char *arn = "arn:aws:iam::333333333333:role/OrgMembersOnly";
    assert_int_equal(assume(f, &a, arn, NULL, NULL, &body), 403);
    free(body);
    db = db_acquire(&f->srv.db);
    exec_ok(db, db_exec(db,
                        "INSERT INTO organization(id, feature_set, master_account_id, "
                        "master_email, root_id, created_ms) VALUES('o-unit123456', 'ALL', ?, "
                        "'m@example.com', 'r-unit', 0)",
                        "s", MGMT));
    db_release(&f->srv.db, db);
    creds session;
    assert_int_equal(assume(f, &a, arn, NULL, &session, &body), 200);
    free(body);
    free(session.token);
}

static void test_service_linked_role_outside_a_transaction(void **state)
{
    fixture *f = *state;
    db_conn *db = db_acquire(&f->srv.db);
    aws_error e;
    aws_error_clear(&e);
    assert_int_equal(iam_ensure_slr(db, MEMBER, "cloudtrail.amazonaws.com", 1000, &e), 0);
    assert_int_equal(iam_ensure_slr(db, MEMBER, "cloudtrail.amazonaws.com", 2000, &e), 0);
    assert_false(db->in_tx);
    iam_role r;
    assert_int_equal(iam_role_get(db, MEMBER, "AWSServiceRoleForCloudTrail", &r), 1);
    assert_string_equal(r.path, "/aws-service-role/cloudtrail.amazonaws.com/");
    assert_string_equal(r.service_principal, "cloudtrail.amazonaws.com");
    assert_int_equal(r.created_ms, 1000);
    iam_role_clear(&r);
    char arn[256];
    assert_int_equal(db_get_text(db, arn, sizeof arn,
                                 "SELECT policy_arn FROM iam_role_attached WHERE account_id = ? "
                                 "AND role_name = 'AWSServiceRoleForCloudTrail'",
                                 "s", MEMBER),
                     1);
    assert_string_equal(arn,
                        "arn:aws:iam::aws:policy/aws-service-role/CloudTrailServiceRolePolicy");
    assert_int_equal(iam_ensure_slr(db, MEMBER, "nosuch.amazonaws.com", 1000, &e), -1);
    assert_string_equal(e.code, "InvalidInput");
    assert_false(iam_slr_exists(db, MEMBER, "nosuch.amazonaws.com"));
    assert_true(iam_principal_arn_exists(db,
                                         "arn:aws:iam::222222222222:role/aws-service-role/"
                                         "cloudtrail.amazonaws.com/AWSServiceRoleForCloudTrail"));
    assert_false(iam_principal_arn_exists(db, "arn:aws:iam::222222222222:role/"
                                              "AWSServiceRoleForCloudTrail"));
    assert_true(iam_principal_arn_exists(db, "arn:aws:iam::111111111111:user/ALICE"));
    assert_false(iam_principal_arn_exists(db, "arn:aws:iam::222222222222:user/alice"));
    assert_false(iam_principal_arn_exists(db, "arn:aws:iam::111111111111:root"));
    db_release(&f->srv.db, db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cross_account_assume_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trust_of_another_account_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chaining_across_accounts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_tokens_are_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trust_by_organization, setup, teardown),
        cmocka_unit_test_setup_teardown(test_service_linked_role_outside_a_transaction, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
