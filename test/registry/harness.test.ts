// The registry harness itself, checked with plain node:http(s) so that a failure here points at
// the harness (or docker-registry), never at lade's registry client.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import test from 'node:test';
import { startRegistry } from '../helpers/registry.js';

interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function fetchRaw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer; ca?: Buffer } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const https = url.startsWith('https:');
    const req = (https ? httpsRequest : httpRequest)(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false, ...(options.ca ? { ca: options.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

test('open registry: /v2/ answers 200, and a blob uploaded in one PUT reads back from storage', async (t) => {
  const started = Date.now();
  const registry = await startRegistry(t);
  t.diagnostic(`started in ${Date.now() - started} ms`);
  assert.match(registry.host, /^127\.0\.0\.1:\d+$/);
  assert.equal(registry.url, `http://${registry.host}`);

  const ping = await fetchRaw(`${registry.url}/v2/`);
  assert.equal(ping.status, 200, registry.log());
  assert.equal(ping.headers['docker-distribution-api-version'], 'registry/2.0');

  const blob = Buffer.from('hello from the lade registry harness\n');
  const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  const start = await fetchRaw(`${registry.url}/v2/test/x/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202, start.body.toString());
  // The Location is absolute (built from our Host header) and carries the upload's _state.
  const location = new URL(start.headers.location!, registry.url);
  location.searchParams.set('digest', digest);
  const put = await fetchRaw(location.href, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) },
    body: blob,
  });
  assert.equal(put.status, 201, put.body.toString());
  assert.equal(put.headers['docker-content-digest'], digest);

  const get = await fetchRaw(`${registry.url}/v2/test/x/blobs/${digest}`);
  assert.equal(get.status, 200);
  assert.deepEqual(get.body, blob);
  // blobPath() names the file a test would corrupt.
  assert.deepEqual(readFileSync(registry.blobPath(digest)), blob);
});

test('basic auth: /v2/ challenges with Basic and accepts only the right password', async (t) => {
  const registry = await startRegistry(t, { auth: 'basic' });
  assert.ok(registry.user !== undefined && registry.password !== undefined);

  const anonymous = await fetchRaw(`${registry.url}/v2/`);
  assert.equal(anonymous.status, 401);
  assert.match(String(anonymous.headers['www-authenticate']), /^Basic realm="[^"]+"/);

  const wrong = await fetchRaw(`${registry.url}/v2/`, { headers: { authorization: basic(registry.user, 'wrong') } });
  assert.equal(wrong.status, 401);

  const right = await fetchRaw(`${registry.url}/v2/`, { headers: { authorization: basic(registry.user, registry.password) } });
  assert.equal(right.status, 200, registry.log());
});

test('token auth: Bearer challenge, token from the realm with credentials, /v2/ with it answers 200', async (t) => {
  const registry = await startRegistry(t, { auth: 'token' });
  assert.ok(registry.user !== undefined && registry.password !== undefined && registry.tokenRequests !== undefined);

  const challenge = await fetchRaw(`${registry.url}/v2/`);
  assert.equal(challenge.status, 401);
  const header = String(challenge.headers['www-authenticate']);
  const parsed = /^Bearer realm="([^"]+)",service="([^"]+)"/.exec(header);
  assert.ok(parsed, header);
  const [, realm, service] = parsed;
  assert.equal(realm, registry.tokenRealm);
  assert.equal(service, registry.tokenService);

  const tokenFor = async (authorization?: string) => {
    const url = new URL(realm!);
    url.searchParams.set('service', service!);
    url.searchParams.append('scope', 'repository:test/x:pull,push');
    url.searchParams.set('account', registry.user!);
    const res = await fetchRaw(url.href, authorization ? { headers: { authorization } } : {});
    return { status: res.status, body: res.status === 200 ? (JSON.parse(res.body.toString()) as { token: string; access_token: string; expires_in: number; issued_at: string }) : undefined };
  };
  const granted = await tokenFor(basic(registry.user, registry.password));
  assert.equal(granted.status, 200);
  const token = granted.body!.token;
  assert.equal(granted.body!.access_token, token);
  assert.ok(granted.body!.expires_in >= 60);
  assert.ok(!Number.isNaN(Date.parse(granted.body!.issued_at)));

  const bearer = { authorization: `Bearer ${token}` };
  const ping = await fetchRaw(`${registry.url}/v2/`, { headers: bearer });
  assert.equal(ping.status, 200, registry.log());
  // The token's access list is what the registry checks per repository: granted here, so the
  // answer is "no such repository", not a challenge.
  const tags = await fetchRaw(`${registry.url}/v2/test/x/tags/list`, { headers: bearer });
  assert.equal(tags.status, 404, tags.body.toString());

  // Without credentials the token grants nothing: /v2/ still accepts it, a repository does not.
  const anonymous = await tokenFor();
  assert.equal(anonymous.status, 200);
  const refused = await fetchRaw(`${registry.url}/v2/test/x/tags/list`, { headers: { authorization: `Bearer ${anonymous.body!.token}` } });
  assert.equal(refused.status, 401);
  assert.match(String(refused.headers['www-authenticate']), /error="insufficient_scope"/);

  assert.equal((await tokenFor(basic(registry.user, 'wrong'))).status, 401);

  assert.deepEqual(
    registry.tokenRequests().map((r) => [r.scope, r.account, r.authorized]),
    [
      [['repository:test/x:pull,push'], registry.user, true],
      [['repository:test/x:pull,push'], registry.user, false],
      [['repository:test/x:pull,push'], registry.user, false],
    ],
  );
});

test('tls: https works with the harness CA and fails certificate verification without it', async (t) => {
  const registry = await startRegistry(t, { tls: true });
  assert.equal(registry.url, `https://${registry.host}`);
  assert.ok(registry.caFile !== undefined);

  const ping = await fetchRaw(`${registry.url}/v2/`, { ca: readFileSync(registry.caFile) });
  assert.equal(ping.status, 200);

  await assert.rejects(fetchRaw(`${registry.url}/v2/`), (err: NodeJS.ErrnoException) => {
    assert.equal(err.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', err.message);
    return true;
  });
});

test('stop() kills the registry and removes its files, and may be called twice', async (t) => {
  const registry = await startRegistry(t);
  await registry.stop();
  await registry.stop();
  assert.throws(() => process.kill(registry.pid, 0), { code: 'ESRCH' });
  assert.equal(existsSync(registry.dataDir), false);
  await assert.rejects(fetchRaw(`${registry.url}/v2/`), { code: 'ECONNREFUSED' });
});
