// Starts a real `orgtrail serve` for the JavaScript SDK tests (the Node twin of
// tests/integration/harness.py). The binary is $ORGTRAIL_BIN.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BINARY = process.env.ORGTRAIL_BIN || join(root, 'build', 'orgtrail');

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

export class Orgtrail {
  async start({ accountId = '111111111111', region = 'us-east-1' } = {}) {
    this.tmp = mkdtempSync(join(tmpdir(), 'orgtrail-js-'));
    this.data = join(this.tmp, 'data');
    this.region = region;
    const info = JSON.parse(execFileSync(BINARY, ['init', '--data', this.data, '--account-id', accountId,
      '--region', region]).toString());
    this.root = { accessKeyId: info.AccessKeyId, secretAccessKey: info.SecretAccessKey };
    this.accountId = info.AccountId;
    this.port = await freePort();
    this.endpoint = `http://127.0.0.1:${this.port}`;
    this.log = '';
    this.proc = spawn(BINARY, ['serve', '--data', this.data, '--listen', `127.0.0.1:${this.port}`]);
    this.proc.stdout.on('data', (d) => { this.log += d; });
    this.proc.stderr.on('data', (d) => { this.log += d; });
    for (let i = 0; i < 600; i++) {
      try {
        const r = await fetch(`${this.endpoint}/_orgtrail/health`);
        if (r.ok) return this;
      } catch { /* not up yet */ }
      await new Promise((ok) => setTimeout(ok, 50));
    }
    throw new Error(`orgtrail did not start:\n${this.log}`);
  }

  // An SDK client of class C for these credentials (the root key by default).
  client(C, credentials = this.root, extra = {}) {
    return new C({ endpoint: this.endpoint, region: this.region, credentials, maxAttempts: 1, ...extra });
  }

  events(account) {
    const args = ['events', '--data', this.data];
    if (account) args.push('--account', account);
    return execFileSync(BINARY, args).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }

  async stop() {
    const exited = new Promise((ok) => this.proc.on('exit', (code) => ok(code)));
    this.proc.kill('SIGTERM');
    const code = await exited;
    rmSync(this.tmp, { recursive: true, force: true });
    if (code !== 0) throw new Error(`orgtrail serve exited with ${code}:\n${this.log}`);
  }
}
