// The seed documents' organization trail, set up end to end with the AWS SDK for
// JavaScript v3 against a real `orgtrail serve`: organization with all features, a
// log-archive account and two members, trusted access, an administrator assuming
// OrganizationAccountAccessRole, the log bucket with the documented policy, the
// multi-region organization trail with log file validation; then what members may not do,
// an account created later, and the records all of this produced.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  OrganizationsClient, CreateOrganizationCommand, DescribeOrganizationCommand, CreateAccountCommand,
  DescribeCreateAccountStatusCommand, EnableAWSServiceAccessCommand, ListAccountsCommand,
  RemoveAccountFromOrganizationCommand,
} from '@aws-sdk/client-organizations';
import {
  IAMClient, CreateUserCommand, AttachUserPolicyCommand, CreateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { S3Client, CreateBucketCommand, PutBucketPolicyCommand, GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import {
  CloudTrailClient, CreateTrailCommand, StartLoggingCommand, DescribeTrailsCommand, GetTrailStatusCommand,
  UpdateTrailCommand, DeleteTrailCommand, StopLoggingCommand, ListTrailsCommand, GetEventSelectorsCommand,
} from '@aws-sdk/client-cloudtrail';
import { Orgtrail } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const MGMT = '111111111111';
const REGION = 'us-east-1';
const TRAIL = 'org-trail';
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${MGMT}:trail/${TRAIL}`;

const srv = new Orgtrail();
const ids = {};
let orgId;
let adminCreds;
let bucket;

// Expects `promise` to fail with AWS error `code`; returns the error for further checks.
async function failsWith(promise, code) {
  let err;
  await assert.rejects(promise, (e) => { err = e; return true; });
  assert.equal(err.name, code, `expected ${code}, got ${err.name}: ${err.message}`);
  return err;
}

async function createAccount(org, name) {
  const { CreateAccountStatus: st } = await org.send(new CreateAccountCommand({
    Email: `${name}@example.com`, AccountName: name,
  }));
  for (let i = 0; i < 200; i++) {
    const { CreateAccountStatus: s } = await org.send(new DescribeCreateAccountStatusCommand({
      CreateAccountRequestId: st.Id,
    }));
    if (s.State === 'SUCCEEDED') return s.AccountId;
    assert.notEqual(s.State, 'FAILED', `creating ${name} failed: ${s.FailureReason}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error(`creating ${name} did not finish`);
}

// Temporary credentials for OrganizationAccountAccessRole in `account`, assumed by the
// management account's administrator user (AWS refuses AssumeRole with root keys).
async function memberCreds(account, session = 'js-test') {
  const { Credentials: c } = await srv.client(STSClient, adminCreds).send(new AssumeRoleCommand({
    RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, RoleSessionName: session,
  }));
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

function bucketPolicy() {
  return readFileSync(join(here, '..', 'integration', 'fixtures', 'org-trail-bucket-policy.json'), 'utf8')
    .replaceAll('{bucket}', bucket).replaceAll('{region}', REGION).replaceAll('{management_account}', MGMT)
    .replaceAll('{trail_name}', TRAIL).replaceAll('{org_id}', orgId);
}

before(async () => {
  await srv.start({ accountId: MGMT, region: REGION });
});
after(() => srv.stop());

test('the organization with all features and three accounts', async () => {
  const org = srv.client(OrganizationsClient);
  const { Organization: o } = await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  assert.equal(o.FeatureSet, 'ALL');
  assert.equal(o.MasterAccountId, MGMT);
  orgId = o.Id;
  assert.match(orgId, /^o-[a-z0-9]{10,32}$/);
  for (const name of ['log-archive', 'workload-a', 'workload-b']) ids[name] = await createAccount(org, name);
  const { Accounts } = await org.send(new ListAccountsCommand({}));
  assert.deepEqual(new Set(Accounts.map((a) => a.Id)), new Set([MGMT, ...Object.values(ids)]));
  await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }));
});

test('an administrator user assumes OrganizationAccountAccessRole in a member', async () => {
  const iam = srv.client(IAMClient);
  await iam.send(new CreateUserCommand({ UserName: 'admin' }));
  await iam.send(new AttachUserPolicyCommand({
    UserName: 'admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
  }));
  const { AccessKey: k } = await iam.send(new CreateAccessKeyCommand({ UserName: 'admin' }));
  adminCreds = { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey };
  const creds = await memberCreds(ids['log-archive']);
  assert.match(creds.accessKeyId, /^ASIA/);
  const who = await srv.client(STSClient, creds).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Account, ids['log-archive']);
  assert.equal(who.Arn, `arn:aws:sts::${ids['log-archive']}:assumed-role/OrganizationAccountAccessRole/js-test`);
  // Root keys may not assume roles.
  await failsWith(srv.client(STSClient).send(new AssumeRoleCommand({
    RoleArn: `arn:aws:iam::${ids['log-archive']}:role/OrganizationAccountAccessRole`, RoleSessionName: 'root',
  })), 'AccessDenied');
});

test('preconditions: the trail refuses a missing bucket and a bucket policy that does not admit it', async () => {
  const ct = srv.client(CloudTrailClient);
  await failsWith(ct.send(new CreateTrailCommand({
    Name: TRAIL, S3BucketName: 'no-such-bucket-anywhere', IsOrganizationTrail: true, IsMultiRegionTrail: true,
  })), 'S3BucketDoesNotExistException');
  bucket = `org-trail-logs-${ids['log-archive']}`;
  const s3 = srv.client(S3Client, await memberCreds(ids['log-archive']), { forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await failsWith(ct.send(new CreateTrailCommand({
    Name: TRAIL, S3BucketName: bucket, IsOrganizationTrail: true, IsMultiRegionTrail: true,
  })), 'InsufficientS3BucketPolicyException');
  await failsWith(ct.send(new CreateTrailCommand({ Name: 'a', S3BucketName: bucket })), 'InvalidTrailNameException');
});

test('the log-archive account owns the bucket and its policy', async () => {
  const s3 = srv.client(S3Client, await memberCreds(ids['log-archive']), { forcePathStyle: true });
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: bucketPolicy() }));
  const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
  assert.equal(JSON.parse(Policy).Statement.length, JSON.parse(bucketPolicy()).Statement.length);
});

test('the organization trail: all regions, log file validation, logging', async () => {
  const ct = srv.client(CloudTrailClient);
  const t = await ct.send(new CreateTrailCommand({
    Name: TRAIL, S3BucketName: bucket, IsOrganizationTrail: true, IsMultiRegionTrail: true,
    EnableLogFileValidation: true,
  }));
  assert.equal(t.TrailARN, TRAIL_ARN);
  assert.equal(t.IsOrganizationTrail, true);
  assert.equal(t.IsMultiRegionTrail, true);
  assert.equal(t.LogFileValidationEnabled, true);
  assert.equal(t.IncludeGlobalServiceEvents, true);
  assert.equal((await ct.send(new GetTrailStatusCommand({ Name: TRAIL }))).IsLogging, false);
  await ct.send(new StartLoggingCommand({ Name: TRAIL }));
  assert.equal((await ct.send(new GetTrailStatusCommand({ Name: TRAIL }))).IsLogging, true);
  const { EventSelectors } = await ct.send(new GetEventSelectorsCommand({ TrailName: TRAIL }));
  assert.equal(EventSelectors[0].ReadWriteType, 'All');
  assert.equal(EventSelectors[0].IncludeManagementEvents, true);
  // A multi-region trail appears in every region, as a shadow outside its home region.
  const other = srv.client(CloudTrailClient, srv.root, { region: 'eu-west-1' });
  const { trailList } = await other.send(new DescribeTrailsCommand({}));
  assert.equal(trailList.length, 1);
  assert.equal(trailList[0].HomeRegion, REGION);
  assert.equal(trailList[0].TrailARN, TRAIL_ARN);
});

test('members see the organization trail and cannot change, stop or delete it', async () => {
  const member = ids['workload-a'];
  const ct = srv.client(CloudTrailClient, await memberCreds(member));
  const { trailList } = await ct.send(new DescribeTrailsCommand({}));
  assert.equal(trailList.length, 1);
  assert.equal(trailList[0].TrailARN, TRAIL_ARN);
  assert.equal(trailList[0].IsOrganizationTrail, true);
  assert.deepEqual((await ct.send(new DescribeTrailsCommand({ includeShadowTrails: false }))).trailList, []);
  const { Trails } = await ct.send(new ListTrailsCommand({}));
  assert.deepEqual(Trails.map((x) => x.TrailARN), [TRAIL_ARN]);

  const e = await failsWith(ct.send(new UpdateTrailCommand({ Name: TRAIL_ARN, EnableLogFileValidation: false })),
    'CloudTrailARNInvalidException');
  assert.equal(e.$metadata.httpStatusCode, 400);
  assert.match(e.message, new RegExp(`AccountID ${member}`));
  await failsWith(ct.send(new DeleteTrailCommand({ Name: TRAIL_ARN })), 'CloudTrailARNInvalidException');
  await failsWith(ct.send(new StopLoggingCommand({ Name: TRAIL_ARN })), 'CloudTrailARNInvalidException');
  await failsWith(ct.send(new UpdateTrailCommand({ Name: TRAIL, EnableLogFileValidation: false })),
    'TrailNotFoundException');
  await failsWith(ct.send(new DeleteTrailCommand({ Name: TRAIL })), 'TrailNotFoundException');
  await failsWith(ct.send(new StopLoggingCommand({ Name: TRAIL })), 'TrailNotFoundException');

  // Nothing changed.
  const mgmt = srv.client(CloudTrailClient);
  assert.equal((await mgmt.send(new GetTrailStatusCommand({ Name: TRAIL }))).IsLogging, true);
  const { trailList: still } = await mgmt.send(new DescribeTrailsCommand({ trailNameList: [TRAIL] }));
  assert.equal(still[0].LogFileValidationEnabled, true);
});

test('an account created after the trail is covered at once; a removed one is not', async () => {
  const org = srv.client(OrganizationsClient);
  const late = await createAccount(org, 'workload-late');
  const ct = srv.client(CloudTrailClient, await memberCreds(late));
  const { trailList } = await ct.send(new DescribeTrailsCommand({}));
  assert.deepEqual(trailList.map((x) => x.TrailARN), [TRAIL_ARN]);

  const leaving = ids['workload-b'];
  const before = srv.client(CloudTrailClient, await memberCreds(leaving));
  assert.equal((await before.send(new DescribeTrailsCommand({}))).trailList.length, 1);
  await org.send(new RemoveAccountFromOrganizationCommand({ AccountId: leaving }));
  assert.deepEqual((await before.send(new DescribeTrailsCommand({}))).trailList, []);
});

test('SigV4 failures are refused with AWS errors and change nothing', async () => {
  const base = await memberCreds(ids['workload-a']);
  const ct = (creds) => srv.client(CloudTrailClient, creds);
  await failsWith(ct({ ...base, sessionToken: `${base.sessionToken}x` }).send(new DescribeTrailsCommand({})),
    'UnrecognizedClientException');
  await failsWith(ct({ ...base, sessionToken: undefined }).send(new DescribeTrailsCommand({})),
    'UnrecognizedClientException');
  await failsWith(ct({ ...srv.root, secretAccessKey: 'y'.repeat(40) }).send(new DeleteTrailCommand({ Name: TRAIL })),
    'InvalidSignatureException');
  const { trailList } = await ct(srv.root).send(new DescribeTrailsCommand({}));
  assert.equal(trailList.length, 1);
  const org = srv.client(OrganizationsClient, { ...srv.root, secretAccessKey: 'z'.repeat(40) });
  await failsWith(org.send(new DescribeOrganizationCommand({})), 'InvalidSignatureException');
});

test('every call above left its record in the right account', async () => {
  const mgmt = srv.events(MGMT);
  const create = mgmt.filter((r) => r.eventName === 'CreateTrail' && !r.errorCode);
  assert.equal(create.length, 1);
  assert.equal(create[0].eventSource, 'cloudtrail.amazonaws.com');
  assert.equal(create[0].userIdentity.type, 'Root');
  assert.equal(create[0].requestParameters.name, TRAIL);
  assert.ok(mgmt.some((r) => r.eventName === 'CreateTrail' && r.errorCode === 'InsufficientS3BucketPolicyException'));
  assert.ok(mgmt.some((r) => r.eventName === 'DeleteTrail' && r.errorCode === 'InvalidSignatureException'));
  const org = mgmt.filter((r) => r.eventSource === 'organizations.amazonaws.com');
  assert.ok(org.length > 0 && org.every((r) => r.awsRegion === 'us-east-1'));

  const member = srv.events(ids['workload-a']);
  const refused = member.filter((r) => r.eventSource === 'cloudtrail.amazonaws.com' && r.errorCode);
  assert.deepEqual(new Set(refused.map((r) => r.errorCode)),
    new Set(['CloudTrailARNInvalidException', 'TrailNotFoundException']));
  // A session key with a wrong token proves nothing about its account: the refusal is
  // recorded in the management account, with the key but no identity.
  const badToken = mgmt.filter((r) => r.eventName === 'DescribeTrails' && r.errorCode === 'UnrecognizedClientException');
  assert.equal(badToken.length, 2);
  assert.equal(badToken[0].userIdentity.type, 'Unknown');
  const upd = refused.find((r) => r.eventName === 'UpdateTrail');
  assert.equal(upd.userIdentity.type, 'AssumedRole');
  assert.equal(upd.userIdentity.sessionContext.sessionIssuer.userName, 'OrganizationAccountAccessRole');
  const la = srv.events(ids['log-archive']);
  const put = la.find((r) => r.eventName === 'PutBucketPolicy');
  assert.equal(put.eventSource, 's3.amazonaws.com');
  // Secrets never reach a record.
  const all = JSON.stringify(srv.events());
  assert.ok(!all.includes(adminCreds.secretAccessKey));
  assert.ok(!all.includes(srv.root.secretAccessKey));
});
