// A registry behind TLS with its own CA, on an address that is not loopback (loopback registries
// are insecure by Docker's rule, which would skip the check): refused until the CA is trusted,
// through Docker's certs.d layout or LADE_EXTRA_CA_CERTS, or the registry is named insecure.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { baseStore } from '../build/fixture-cases.js';
import { repoRoot } from '../helpers/paths.js';
import { nonLoopbackAddress, startRegistry } from '../helpers/registry.js';

function lade(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const clean = { ...process.env };
    delete clean['LADE_EXTRA_CA_CERTS'];
    delete clean['NODE_EXTRA_CA_CERTS'];
    delete clean['LADE_INSECURE_REGISTRIES'];
    const child = spawn(join(repoRoot, 'bin', 'lade'), args, { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
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
