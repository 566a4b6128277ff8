// Credentials kept by a Docker credential helper (credsStore / credHelpers), as the Docker CLI
// keeps them on desktops: lade login stores through the helper, pull and push ask it, logout
// erases; an identity token from a helper is exchanged by OAuth2 at the token server.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type TestContext } from 'node:test';
import { baseStore } from '../build/fixture-cases.js';
import { ladeAsync, type Run } from '../helpers/lade-cli.js';
import { startRegistry } from '../helpers/registry.js';

/** A helper speaking docker-credential-helpers' protocol, keeping its secrets in a JSON file. */
const HELPER = `#!/usr/bin/env python3
import json, os, sys
db = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'secrets.json')
data = json.load(open(db)) if os.path.exists(db) else {}
action = sys.argv[1]
text = sys.stdin.read()
if action == 'store':
    entry = json.loads(text)
    data[entry['ServerURL']] = {'Username': entry['Username'], 'Secret': entry['Secret']}
elif action == 'get':
    if text.strip() not in data:
        print('credentials not found in native keychain'); sys.exit(1)
    print(json.dumps(dict(ServerURL=text.strip(), **data[text.strip()]))); sys.exit(0)
elif action == 'erase':
    if text.strip() not in data:
        print('credentials not found in native keychain'); sys.exit(1)
    del data[text.strip()]
json.dump(data, open(db, 'w'))
`;

function setup(t: TestContext): { dir: string; bin: string; config: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'lade-credhelper-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'docker-credential-fake'), HELPER);
  chmodSync(join(bin, 'docker-credential-fake'), 0o755);
  const config = join(dir, 'docker');
  mkdirSync(config);
  return { dir, bin, config, env: { DOCKER_CONFIG: config, PATH: `${bin}:${process.env['PATH'] ?? ''}` } };
}

function ok(r: Run, what: string): Run {
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

test('credsStore: login stores through the helper (the file keeps an empty entry), push and pull ask it, logout erases', async (t) => {
  const registry = await startRegistry(t, { auth: 'basic' });
  const h = setup(t);
  writeFileSync(join(h.config, 'config.json'), JSON.stringify({ credsStore: 'fake' }));
  const base = baseStore();
  t.after(() => rmSync(join(base.root, '..'), { recursive: true, force: true }));
  const name = `${registry.host}/test/base:v1`;
  assert.equal(base.run(['tag', 'lade-fixture/base:1', name]).status, 0);

  ok(await ladeAsync(['login', '-u', registry.user!, '--password-stdin', registry.host], { env: h.env, input: registry.password! }), 'login');
  const secrets = JSON.parse(readFileSync(join(h.bin, 'secrets.json'), 'utf8')) as Record<string, { Username: string; Secret: string }>;
  assert.deepEqual(secrets[registry.host], { Username: registry.user, Secret: registry.password });
  const config = JSON.parse(readFileSync(join(h.config, 'config.json'), 'utf8')) as { auths: Record<string, object>; credsStore: string };
  assert.deepEqual(config.auths[registry.host], {});
  assert.equal(config.credsStore, 'fake');

  ok(await ladeAsync(['--root', base.root, 'push', name], { env: h.env }), 'push');
  ok(await ladeAsync(['--root', join(h.dir, 'root'), 'pull', '-q', name], { env: h.env }), 'pull');

  ok(await ladeAsync(['logout', registry.host], { env: h.env }), 'logout');
  assert.equal((JSON.parse(readFileSync(join(h.bin, 'secrets.json'), 'utf8')) as Record<string, unknown>)[registry.host], undefined);
  const refused = await ladeAsync(['--root', join(h.dir, 'root2'), 'pull', name], { env: h.env });
  assert.equal(refused.status, 1);
});

test('an identity token from a credential helper is exchanged by OAuth2 (POST to the realm)', async (t) => {
  const registry = await startRegistry(t, { auth: 'token' });
  const h = setup(t);
  writeFileSync(join(h.config, 'config.json'), JSON.stringify({ credHelpers: { [registry.host]: 'fake' } }));
  writeFileSync(join(h.bin, 'secrets.json'), JSON.stringify({ [registry.host]: { Username: '<token>', Secret: registry.identityToken } }));
  const base = baseStore();
  t.after(() => rmSync(join(base.root, '..'), { recursive: true, force: true }));
  const name = `${registry.host}/test/base:v1`;
  assert.equal(base.run(['tag', 'lade-fixture/base:1', name]).status, 0);
  ok(await ladeAsync(['--root', base.root, 'push', name], { env: h.env }), 'push with an identity token');
  const grants = registry.tokenRequests!();
  assert.ok(grants.length > 0 && grants.every((g) => g.authorized), JSON.stringify(grants));

  writeFileSync(join(h.bin, 'secrets.json'), JSON.stringify({ [registry.host]: { Username: '<token>', Secret: 'not-the-token' } }));
  const refused = await ladeAsync(['--root', join(h.dir, 'root'), 'pull', name], { env: h.env });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /token server .* refused a token/);
});

test('a credential helper that is not installed is named, with what to do', async (t) => {
  const registry = await startRegistry(t, { auth: 'basic' });
  const h = setup(t);
  writeFileSync(join(h.config, 'config.json'), JSON.stringify({ credsStore: 'nosuch' }));
  const r = await ladeAsync(['--root', join(h.dir, 'root'), 'pull', `${registry.host}/test/base:v1`], { env: h.env });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /docker-credential-nosuch .*is not installed/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
