// Ingestion through the AWS SDK for JavaScript v3: a channel made with the CloudTrail
// client, then PutAuditEvents and the bulk endpoint as SigV4-signed requests (the SDK's own
// signer; the cloudtrail-data client is not in the registry this project installs from).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { CloudTrailClient, CreateChannelCommand, GetChannelCommand } from '@aws-sdk/client-cloudtrail';
import { SignatureV4 } from '@smithy/signature-v4';
import { Orgtrail } from './harness.mjs';

const srv = new Orgtrail();
before(() => srv.start());
after(() => srv.stop());

// The Checksum interface SignatureV4 expects, over node:crypto.
class Sha256 {
  constructor(secret) { this.h = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(data) { this.h.update(data); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

async function signedFetch(path, query, body, contentType) {
  const url = new URL(srv.endpoint);
  const signer = new SignatureV4({ service: 'cloudtrail-data', region: srv.region,
    credentials: srv.root, sha256: Sha256 });
  const req = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname,
    port: Number(url.port), path, query,
    headers: { host: url.host, 'content-type': contentType }, body });
  const qs = new URLSearchParams(query).toString();
  const r = await fetch(`${srv.endpoint}${path}${qs ? `?${qs}` : ''}`,
    { method: 'POST', headers: req.headers, body });
  return { status: r.status, type: r.headers.get('x-amzn-errortype'), body: await r.json() };
}

function eventData(over = {}) {
  return JSON.stringify({ version: '1.0', userIdentity: { type: 'Service', principalId: 'js-app' },
    eventSource: 'js.internal.example', eventName: 'Deploy', eventTime: '2026-05-01T09:35:00Z',
    UID: randomUUID(), ...over });
}

test('PutAuditEvents through a channel lands in the account as ActivityAuditLog', async () => {
  const ct = srv.client(CloudTrailClient);
  const { ChannelArn } = await ct.send(new CreateChannelCommand({ Name: 'js-app', Source: 'Custom',
    Destinations: [{ Type: 'EVENT_DATA_STORE',
      Location: `arn:aws:cloudtrail:${srv.region}:${srv.accountId}:eventdatastore/eds` }] }));
  const good = eventData();
  const sum = createHash('sha256').update(good).digest('base64');
  const r = await signedFetch('/PutAuditEvents', { channelArn: ChannelArn }, JSON.stringify({
    auditEvents: [{ id: 'a', eventData: good, eventDataChecksum: sum },
      { id: 'b', eventData: good, eventDataChecksum: 'AAAA' }] }), 'application/json');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.successful.map((e) => e.id), ['a']);
  assert.equal(r.body.failed[0].errorCode, 'InvalidChecksum');
  const rec = srv.events(srv.accountId).find((e) => e.eventID === r.body.successful[0].eventID);
  assert.equal(rec.eventCategory, 'ActivityAuditLog');
  assert.equal(rec.eventName, 'Deploy');
  assert.equal(rec.metadata.channelARN, ChannelArn);
  const got = await ct.send(new GetChannelCommand({ Channel: ChannelArn }));
  assert.equal(got.IngestionStatus.LatestIngestionSuccessEventID, r.body.successful[0].eventID);

  const missing = ChannelArn.replace(/[0-9a-f-]{36}$/, randomUUID());
  const nf = await signedFetch('/PutAuditEvents', { channelArn: missing },
    JSON.stringify({ auditEvents: [{ id: 'c', eventData: good }] }), 'application/json');
  assert.equal(nf.type, 'ChannelNotFound');
});

test('the bulk endpoint stores good lines and names the bad ones', async () => {
  const rec = (over = {}) => JSON.stringify({ eventVersion: '1.11', userIdentity: { type: 'IAMUser' },
    eventTime: '2026-05-01T09:35:00Z', eventSource: 'js.internal.example', eventName: 'Op',
    awsRegion: 'us-east-1', eventID: randomUUID(), recipientAccountId: srv.accountId, ...over });
  const good = [rec(), rec()];
  const r = await signedFetch('/_orgtrail/ingest', {}, [...good, rec({ awsRegion: 'Nowhere' })].join('\n'),
    'application/x-ndjson');
  assert.equal(r.status, 200);
  assert.equal(r.body.accepted, 2);
  assert.deepEqual(r.body.errors.map((e) => [e.line, e.errorCode]), [[3, 'InvalidData']]);
  const ids = new Set(good.map((l) => JSON.parse(l).eventID));
  assert.equal(srv.events(srv.accountId).filter((e) => ids.has(e.eventID)).length, 2);
});
