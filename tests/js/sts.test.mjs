// STS through the AWS SDK for JavaScript v3: identity and SigV4 failures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { Orgtrail } from './harness.mjs';

const srv = new Orgtrail();
before(() => srv.start());
after(() => srv.stop());

test('GetCallerIdentity returns the management root', async () => {
  const out = await srv.client(STSClient).send(new GetCallerIdentityCommand({}));
  assert.equal(out.Account, '111111111111');
  assert.equal(out.Arn, 'arn:aws:iam::111111111111:root');
});

test('a wrong secret is SignatureDoesNotMatch and is recorded', async () => {
  const bad = { accessKeyId: srv.root.accessKeyId, secretAccessKey: 'x'.repeat(40) };
  await assert.rejects(srv.client(STSClient, bad).send(new GetCallerIdentityCommand({})),
    (e) => e.name === 'SignatureDoesNotMatch' && e.$metadata.httpStatusCode === 403);
  const recs = srv.events().filter((r) => r.errorCode === 'SignatureDoesNotMatch');
  assert.ok(recs.length >= 1);
  assert.equal(recs.at(-1).eventSource, 'sts.amazonaws.com');
  assert.equal(recs.at(-1).eventName, 'GetCallerIdentity');
});

test('an unknown key is InvalidClientTokenId', async () => {
  const bad = { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) };
  await assert.rejects(srv.client(STSClient, bad).send(new GetCallerIdentityCommand({})),
    (e) => e.name === 'InvalidClientTokenId');
});
