// What push sends: layers lade stores uncompressed go gzip-compressed (as Docker and BuildKit push
// them), zstd on request, or as stored with `--compression none`; compressed once, kept with the
// image, and not compressed again. And a layer large enough to unpack on a worker thread, pulled
// compressed and uncompressed, whole or damaged. Real registry, real CLI.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type TestContext } from 'node:test';
import { gunzipSync } from 'node:zlib';
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

async function ok(args: string[]): Promise<Run> {
  const r = await ladeAsync(args);
  assert.equal(r.status, 0, `lade ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

function base(t: TestContext): ReturnType<typeof baseStore> {
  const store = baseStore();
  t.after(() => rmSync(join(store.root, '..'), { recursive: true, force: true }));
  return store;
}

interface Pushed {
  mediaType: string;
  layers: Array<{ mediaType: string; digest: string; size: number }>;
}

async function registryManifest(registry: TestRegistry, repo: string, tag: string): Promise<Pushed> {
  const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
  const response = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, { headers: { Accept: accept } });
  assert.equal(response.status, 200);
  return (await response.json()) as Pushed;
}

async function diffIds(root: string, name: string): Promise<string[]> {
  const r = await ok(['--root', root, 'image', 'inspect', name]);
  return (JSON.parse(r.stdout) as Array<{ RootFS: { Layers: string[] } }>)[0]!.RootFS.Layers;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

test('push gzips layers stored uncompressed, once: another push, even after a prune, compresses nothing again', async (t) => {
  const first = await startRegistry(t);
  const from = base(t);
  const name = `${first.host}/test/base:v1`;
  await ok(['--root', from.root, 'tag', 'lade-fixture/base:1', name]);
  const pushed = await ok(['--root', from.root, 'push', name]);
  const layers = await diffIds(from.root, name);
  // Docker's lines name the layer by its diffID, whatever form is sent.
  assert.match(pushed.stdout, new RegExp(`${layers[0]!.slice(7, 19)}: Pushed`));
  const manifest = await registryManifest(first, 'test/base', 'v1');
  assert.equal(manifest.layers[0]!.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  const blob = readFileSync(first.blobPath(manifest.layers[0]!.digest));
  assert.equal(sha256(gunzipSync(blob)), layers[0], 'the registry holds the layer, gzipped');
  const digest = /v1: digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)![1]!;

  await ok(['--root', from.root, 'image', 'prune', '-f']);
  // The uncompressed layer made unreadable: a push that compressed it again would fail on it.
  const stored = join(from.root, 'content', 'blobs', 'sha256', layers[0]!.slice(7));
  writeFileSync(stored, Buffer.alloc(statSync(stored).size));
  const second = await startRegistry(t);
  const other = `${second.host}/test/base:v1`;
  await ok(['--root', from.root, 'tag', name, other]);
  const again = await ok(['--root', from.root, 'push', other]);
  assert.match(again.stdout, new RegExp(`v1: digest: ${digest} `), 'the same manifest, so the same compressed layers');
  const root = join(scratch(t, 'lade-compression-'), 'root');
  await ok(['--root', root, 'pull', '-q', other]);
  assert.deepEqual(await diffIds(root, other), layers);
  await ok(['--root', root, 'run', '--rm', other, 'true']);
});

test('--compression zstd sends zstd layers in an OCI manifest, and a pull unpacks them', async (t) => {
  const registry = await startRegistry(t);
  const from = base(t);
  const name = `${registry.host}/test/zstd:v1`;
  await ok(['--root', from.root, 'tag', 'lade-fixture/base:1', name]);
  await ok(['--root', from.root, 'push', '--compression', 'zstd', name]);
  const manifest = await registryManifest(registry, 'test/zstd', 'v1');
  assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.deepEqual(manifest.layers.map((l) => l.mediaType), ['application/vnd.oci.image.layer.v1.tar+zstd']);
  const root = join(scratch(t, 'lade-compression-'), 'root');
  await ok(['--root', root, 'pull', '-q', name]);
  assert.deepEqual(await diffIds(root, name), await diffIds(from.root, name));
  await ok(['--root', root, 'run', '--rm', name, 'true']);
});

test('a layer large enough to unpack on a thread pulls whole, gzipped or as stored; damaged, nothing is committed', async (t) => {
  const registry = await startRegistry(t);
  const from = base(t);
  const context = scratch(t, 'lade-big-context-');
  const big = Buffer.alloc(20 << 20);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  writeFileSync(join(context, 'big'), big);
  writeFileSync(join(context, 'Dockerfile'), 'FROM lade-fixture/base:1\nCOPY big /big\n');
  const name = `${registry.host}/test/big:v1`;
  await ok(['--root', from.root, 'build', '-q', '-t', name, context]);
  await ok(['--root', from.root, 'push', name]);
  const root = join(scratch(t, 'lade-compression-'), 'root');
  await ok(['--root', root, 'pull', '-q', name]);
  const sum = await ok(['--root', root, 'run', '--rm', name, 'sha256sum', '/big']);
  assert.equal(sum.stdout.split(' ')[0], sha256(big).slice(7));

  // As stored, the layer's blob is its diffID, and the unpack relies on the store's check.
  const raw = `${registry.host}/test/raw:v1`;
  await ok(['--root', from.root, 'tag', name, raw]);
  await ok(['--root', from.root, 'push', '--compression', 'none', raw]);
  const layers = await diffIds(from.root, name);
  const path = registry.blobPath(layers.at(-1)!);
  const bytes = readFileSync(path);
  bytes[bytes.length - 4096] = bytes[bytes.length - 4096]! ^ 0xff;
  writeFileSync(path, bytes);
  const damaged = join(scratch(t, 'lade-compression-'), 'root');
  const refused = await ladeAsync(['--root', damaged, 'pull', raw]);
  assert.equal(refused.status, 1, refused.stdout);
  assert.match(refused.stderr, /is not what the manifest names/);
  const records = JSON.parse(readFileSync(join(damaged, 'snapshots', 'overlay', 'metadata.json'), 'utf8')) as { snapshots: Record<string, { kind: string }> };
  assert.equal(records.snapshots[chainIds(layers as Digest[]).at(-1)!], undefined, 'the damaged layer was not committed');
});
