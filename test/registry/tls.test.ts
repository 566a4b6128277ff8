// A registry behind TLS with its own CA, on an address that is not loopback (loopback registries
// are insecure by Docker's rule, which would skip the check): refused until the CA is trusted,
// through Docker's certs.d layout or LADE_EXTRA_CA_CERTS, or the registry is named insecure.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { baseStore } from '../build/fixture-cases.js';
import { ladeAsync, type Run } from '../helpers/lade-cli.js';
import { nonLoopbackAddress, startRegistry } from '../helpers/registry.js';

function lade(args: string[], env: Record<string, string>): Promise<Run> {
  // Nothing of this machine's own CA or insecure settings may help or hinder.
  return ladeAsync(args, { env: { LADE_EXTRA_CA_CERTS: undefined, NODE_EXTRA_CA_CERTS: undefined, LADE_INSECURE_REGISTRIES: undefined, ...env } });
}

test('TLS with a private CA: refused with a hint, then trusted through certs.d, LADE_EXTRA_CA_CERTS, or named insecure', async (t) => {
  const registry = await startRegistry(t, { tls: true, address: nonLoopbackAddress() });
  const base = baseStore();
  t.after(() => rmSync(join(base.root, '..'), { recursive: true, force: true }));
  const dir = mkdtempSync(join(tmpdir(), 'lade-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const name = `${registry.host}/test/base:v1`;
  assert.equal(base.run(['tag', 'lade-fixture/base:1', name]).status, 0);
  const noCerts = join(dir, 'no-certs.d');
  mkdirSync(noCerts);

  const refused = await lade(['--root', base.root, 'push', name], { LADE_CERTS_DIR: noCerts });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, new RegExp(`cannot reach the registry ${registry.host.replace(/\./g, '\\.')}: .*(certificate|verify)`, 'i'));
  assert.match(refused.stderr, /certs\.d\/.*ca\.crt/);

  const certsDir = join(dir, 'certs.d');
  mkdirSync(join(certsDir, registry.host), { recursive: true });
  copyFileSync(registry.caFile!, join(certsDir, registry.host, 'ca.crt'));
  const pushed = await lade(['--root', base.root, 'push', name], { LADE_CERTS_DIR: certsDir });
  assert.equal(pushed.status, 0, pushed.stderr);

  const viaEnv = await lade(['--root', join(dir, 'root1'), 'pull', name], { LADE_CERTS_DIR: noCerts, LADE_EXTRA_CA_CERTS: registry.caFile! });
  assert.equal(viaEnv.status, 0, viaEnv.stderr);
  const insecure = await lade(['--root', join(dir, 'root2'), 'pull', name], { LADE_CERTS_DIR: noCerts, LADE_INSECURE_REGISTRIES: registry.host });
  assert.equal(insecure.status, 0, insecure.stderr);
});
