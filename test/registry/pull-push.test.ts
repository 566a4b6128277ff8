// lade push and lade pull against a real registry (Debian's docker-registry, distribution 2.8)
// through the real CLI: open, Basic (htpasswd) and token-authenticated registries, and a blob
// corrupted in the registry's storage. Commands run asynchronously: the token server answers
// from this process.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type TestContext } from 'node:test';
import type { Digest } from '../../src/content/index.js';
import { chainIds } from '../../src/snapshotter/index.js';
import { baseStore } from '../build/fixture-cases.js';
import { ladeAsync, type Run } from '../helpers/lade-cli.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

function scratch(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function lade(args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return ladeAsync(args, { env, ...(input === undefined ? {} : { input }) });
}

function ok(r: Run, what: string): Run {
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

interface Inspected {
  Id: string;
  RepoDigests: string[];
  RootFS: { Layers: string[] };
}

async function inspect(root: string, name: string): Promise<Inspected> {
  const r = ok(await lade(['--root', root, 'image', 'inspect', name]), `inspect ${name}`);
  return (JSON.parse(r.stdout) as Inspected[])[0]!;
}

/** A store with the fixture base image tagged for the registry; and an empty second store. */
function stores(t: TestContext, registry: TestRegistry): { from: string; to: string; name: string; config: string } {
  const base = baseStore();
  t.after(() => rmSync(join(base.root, '..'), { recursive: true, force: true }));
  const name = `${registry.host}/test/base:v1`;
  assert.equal(base.run(['tag', 'lade-fixture/base:1', name]).status, 0);
  const dir = scratch(t, 'lade-registry-');
  return { from: base.root, to: join(dir, 'empty-root'), name, config: join(dir, 'docker-config') };
}

test('open registry: push, push again (nothing sent), pull into an empty store: the same image, runnable', async (t) => {
  const registry = await startRegistry(t);
  const s = stores(t, registry);
  const pushed = ok(await lade(['--root', s.from, 'push', s.name]), 'push');
  assert.match(pushed.stdout, new RegExp(`^The push refers to repository \\[${registry.host}/test/base\\]`));
  const digest = /v1: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(pushed.stdout)?.[1];
  assert.ok(digest !== undefined, pushed.stdout);
  assert.match(pushed.stdout, /: Pushed\n/);

  const again = ok(await lade(['--root', s.from, 'push', s.name]), 'second push');
  assert.doesNotMatch(again.stdout, /: Pushed\n/);
  assert.match(again.stdout, /Layer already exists/);

  // Another repository of the same registry: the blobs are mounted from the first, not sent.
  const other = `${registry.host}/test/other:v1`;
  ok(await lade(['--root', s.from, 'tag', s.name, other]), 'tag');
  const mounted = ok(await lade(['--root', s.from, 'push', other]), 'push to another repository');
  assert.match(mounted.stdout, /: Mounted from test\/base\n/);
  assert.doesNotMatch(mounted.stdout, /: Pushed\n/);

  const pulled = ok(await lade(['--root', s.to, 'pull', s.name]), 'pull');
  assert.match(pulled.stdout, new RegExp(`Digest: ${digest}\nStatus: Downloaded newer image for ${registry.host}/test/base:v1\n`));
  const before = await inspect(s.from, s.name);
  const after = await inspect(s.to, s.name);
  assert.equal(after.Id, before.Id);
  assert.deepEqual(after.RootFS.Layers, before.RootFS.Layers);
  assert.deepEqual(after.RepoDigests, [`${registry.host}/test/base@${digest}`]);
  // Unpacked by the pull itself, as Docker's pull does: the top layer's snapshot is committed.
  const records = JSON.parse(readFileSync(join(s.to, 'snapshots', 'overlay', 'metadata.json'), 'utf8')) as { snapshots: Record<string, { kind: string }> };
  const top = chainIds(after.RootFS.Layers as Digest[]).at(-1)!;
  assert.equal(records.snapshots[top]?.kind, 'committed');

  ok(await lade(['--root', s.to, 'pull', '-q', other]), 'pull of the mounted repository');
  assert.equal((await inspect(s.to, other)).Id, before.Id);

  // An image that is up to date is not read again: its layer blobs, blanked here, go unnoticed
  // (reading them took as long as the first pull's unpacking).
  const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
  const manifest = (await (await fetch(`${registry.url}/v2/test/base/manifests/v1`, { headers: { Accept: accept } })).json()) as { layers: Array<{ digest: string }> };
  const blobPath = (d: string) => join(s.to, 'content', 'blobs', 'sha256', d.slice('sha256:'.length));
  const saved = manifest.layers.map((l) => readFileSync(blobPath(l.digest)));
  for (const l of manifest.layers) writeFileSync(blobPath(l.digest), '');
  const up = ok(await lade(['--root', s.to, 'pull', s.name]), 'second pull');
  assert.match(up.stdout, /Already exists/);
  assert.match(up.stdout, /Status: Image is up to date/);
  for (const [i, l] of manifest.layers.entries()) writeFileSync(blobPath(l.digest), saved[i]!);
  // By digest: no tag, the same image.
  ok(await lade(['--root', s.to, 'pull', '-q', `${registry.host}/test/base@${digest}`]), 'pull by digest');

  ok(await lade(['--root', s.to, 'run', '--rm', s.name, 'true']), 'run of the pulled image');

  const missing = await lade(['--root', s.to, 'pull', `${registry.host}/test/nothing:here`]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /manifest for .*test\/nothing:here not found/);
  assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
});

test('Basic auth: refused without login, login checks the password and writes Docker\'s config, then push and pull work', async (t) => {
  const registry = await startRegistry(t, { auth: 'basic' });
  const s = stores(t, registry);
  const env = { DOCKER_CONFIG: s.config };

  const refused = await lade(['--root', s.from, 'push', s.name], env);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /unauthorized/i);
  assert.match(refused.stderr, new RegExp(`lade login ${registry.host.replace(/\./g, '\\.')}`));

  const wrong = await lade(['login', '-u', registry.user!, '--password-stdin', registry.host], env, 'not-the-password\n');
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /incorrect username or password/);
  assert.equal(existsSync(join(s.config, 'config.json')), false, 'a failed login stores nothing');

  const login = ok(await lade(['login', '-u', registry.user!, '--password-stdin', registry.host], env, `${registry.password!}\n`), 'login');
  assert.match(login.stdout, /Login Succeeded/);
  assert.doesNotMatch(login.stdout + login.stderr, new RegExp(registry.password!));
  const config = JSON.parse(readFileSync(join(s.config, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
  assert.equal(Buffer.from(config.auths[registry.host]!.auth, 'base64').toString(), `${registry.user}:${registry.password}`);

  ok(await lade(['--root', s.from, 'push', s.name], env), 'push');
  ok(await lade(['--root', s.to, 'pull', s.name], env), 'pull');
  assert.equal((await inspect(s.to, s.name)).Id, (await inspect(s.from, s.name)).Id);

  const out = ok(await lade(['logout', registry.host], env), 'logout');
  assert.match(out.stdout, new RegExp(`Removing login credentials for ${registry.host.replace(/\./g, '\\.')}`));
  const denied = await lade(['--root', scratch(t, 'lade-registry-') + '/r', 'pull', s.name], env);
  assert.equal(denied.status, 1);
});

test('token auth: Bearer tokens from the realm with the credentials, one per scope set, reused across requests', async (t) => {
  const registry = await startRegistry(t, { auth: 'token' });
  const s = stores(t, registry);
  const env = { DOCKER_CONFIG: s.config };
  ok(await lade(['login', '-u', registry.user!, '--password-stdin', registry.host], env, registry.password!), 'login');
  const pushed = ok(await lade(['--root', s.from, 'push', s.name], env), 'push');
  const pushTokens = registry.tokenRequests!().filter((r) => r.scope.some((sc) => sc.endsWith(',push')));
  // Several blobs were checked and uploaded with one token.
  assert.equal(pushTokens.length, 1, JSON.stringify(registry.tokenRequests!()));
  assert.equal(pushTokens[0]!.account, registry.user);
  assert.match(pushed.stdout, /: Pushed\n/);
  // A mount needs pull on the source repository in the same token as push on the target.
  const other = `${registry.host}/test/other:v1`;
  ok(await lade(['--root', s.from, 'tag', s.name, other]), 'tag');
  const mounted = ok(await lade(['--root', s.from, 'push', other], env), 'push to another repository');
  assert.match(mounted.stdout, /: Mounted from test\/base\n/);
  const mountScopes = registry.tokenRequests!().at(-1)!.scope;
  assert.deepEqual([...mountScopes].sort(), ['repository:test/base:pull', 'repository:test/other:pull,push']);
  ok(await lade(['--root', s.to, 'pull', s.name], env), 'pull');
  assert.equal((await inspect(s.to, s.name)).Id, (await inspect(s.from, s.name)).Id);

  // Anonymous: the token server grants nothing, the registry refuses.
  const anonymous = await lade(['--root', scratch(t, 'lade-registry-') + '/r', 'pull', s.name], { DOCKER_CONFIG: scratch(t, 'lade-noconfig-') });
  assert.equal(anonymous.status, 1);
  assert.match(anonymous.stderr, /lade login/);
});

test('a blob corrupted in the registry is refused on pull and nothing of the image is kept', async (t) => {
  const registry = await startRegistry(t);
  const s = stores(t, registry);
  // Sent as stored (uncompressed), so the blob's digest is its diffID.
  ok(await lade(['--root', s.from, 'push', '--compression', 'none', s.name]), 'push');
  const layer = (await inspect(s.from, s.name)).RootFS.Layers[0]!;
  const path = registry.blobPath(layer);
  const bytes = readFileSync(path);
  const middle = bytes.length >> 1;
  bytes[middle] = bytes[middle]! ^ 0xff;
  writeFileSync(path, bytes);
  const pulled = await lade(['--root', s.to, 'pull', s.name]);
  assert.equal(pulled.status, 1, pulled.stdout);
  assert.match(pulled.stderr, /is not what the manifest names|digest mismatch/i);
  assert.doesNotMatch(pulled.stderr, /\n\s+at /);
  const images = ok(await lade(['--root', s.to, 'images', '-q']), 'images');
  assert.equal(images.stdout, '');
  assert.throws(() => readFileSync(join(s.to, 'content', 'blobs', 'sha256', layer.slice(7))), /ENOENT/);
  // Nor was the layer's snapshot committed: it was unpacked while it downloaded.
  const metadata = join(s.to, 'snapshots', 'overlay', 'metadata.json');
  const committed = existsSync(metadata) ? Object.keys((JSON.parse(readFileSync(metadata, 'utf8')) as { snapshots: object }).snapshots) : [];
  assert.deepEqual(committed, []);
});

test('a blob larger than LADE_PUSH_CHUNK_SIZE goes in chunks (PATCH, then PUT), and pulls back whole', async (t) => {
  const registry = await startRegistry(t, { logLevel: 'info' });
  const s = stores(t, registry);
  const name = `${registry.host}/test/chunked:v1`;
  ok(await lade(['--root', s.from, 'tag', 'lade-fixture/base:1', name]), 'tag');
  ok(await lade(['--root', s.from, 'push', name], { LADE_PUSH_CHUNK_SIZE: String(256 << 10) }), 'chunked push');
  const patches = registry.log().split('\n').filter((line) => /"PATCH \/v2\/test\/chunked\/blobs\/uploads\//.test(line)).length;
  // The fixture's 2 MB layer in 256 KiB chunks.
  assert.ok(patches >= 4, `${patches} PATCH requests in the registry's log`);
  ok(await lade(['--root', s.to, 'pull', name]), 'pull');
  assert.equal((await inspect(s.to, name)).Id, (await inspect(s.from, name)).Id);
  const bad = await lade(['--root', s.from, 'push', name], { LADE_PUSH_CHUNK_SIZE: 'lots' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /LADE_PUSH_CHUNK_SIZE must be a number of bytes/);
});
