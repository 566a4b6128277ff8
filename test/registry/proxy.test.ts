// Downloads through a proxy that misbehaves between lade and a real registry: a connection cut
// half-way through a layer is resumed where it stopped (Range), bytes altered on the way are
// refused with nothing kept, and a layer held half-way is already being unpacked.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type TestContext } from 'node:test';
import { baseStore } from '../build/fixture-cases.js';
import { ladeAsync, type Run } from '../helpers/lade-cli.js';
import { startRegistry } from '../helpers/registry.js';

type Tamper = 'cut' | 'corrupt' | 'pause' | undefined;

interface Proxy {
  host: string;
  /** Blob requests seen: path and Range header. */
  requests: Array<{ path: string; range: string | undefined }>;
  /** Lets bodies held half-way ('pause') go on. */
  release(): void;
}

/**
 * A forwarding proxy; `tamper` decides, per blob GET, whether to cut or alter its body; the first
 * `cutUploads` blob PUTs, and the PATCHes numbered in `cutPatches` (from 1), are cut half-way
 * through their bodies, before any of it reaches the registry.
 */
async function startProxy(t: TestContext, target: string, tamper: (path: string, nth: number) => Tamper, cutUploads = 0, cutPatches: number[] = []): Promise<Proxy> {
  const requests: Proxy['requests'] = [];
  const seen = new Map<string, number>();
  let patches = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    if (/\/blobs\/uploads\//.test(path) && req.method !== 'PUT') {
      requests.push({ path: `${req.method} ${path}`, range: req.headers['content-range'] });
    }
    if ((req.method === 'PUT' && /\/blobs\/uploads\//.test(path)) || (req.method === 'PATCH' && cutPatches.includes(++patches))) {
      if (req.method === 'PUT') requests.push({ path: `PUT ${path}`, range: undefined });
      if (req.method === 'PATCH' || cutUploads > 0) {
        if (req.method === 'PUT') cutUploads--;
        const half = Number(req.headers['content-length'] ?? 0) / 2;
        let got = 0;
        req.on('data', (chunk: Buffer) => {
          got += chunk.length;
          if (got >= half) req.socket.destroy();
        });
        return;
      }
    }
    const blob = req.method === 'GET' && /\/blobs\/sha256:/.test(path);
    const nth = blob ? (seen.get(path) ?? 0) + 1 : 0;
    if (blob) {
      seen.set(path, nth);
      requests.push({ path, range: req.headers.range });
    }
    let how = blob ? tamper(path, nth) : undefined;
    const upstream = request(new URL(path, target), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (how === undefined) {
        up.pipe(res);
        return;
      }
      const total = Number(up.headers['content-length'] ?? 0);
      let sent = 0;
      up.on('data', (chunk: Buffer) => {
        if (how === 'pause' && sent + chunk.length > total / 2) {
          // Held from the middle on, until the test releases it.
          how = undefined;
          up.pause();
          void released.then(() => {
            res.write(chunk);
            up.resume();
          });
          return;
        }
        if (how === 'cut' && sent + chunk.length > total / 2) {
          res.write(chunk.subarray(0, Math.max(0, Math.floor(total / 2) - sent)));
          res.socket?.destroy();
          up.destroy();
          return;
        }
        if (how === 'corrupt' && sent <= total / 2 && total / 2 < sent + chunk.length) {
          const copy = Buffer.from(chunk);
          const at = Math.floor(total / 2) - sent;
          copy[at] = copy[at]! ^ 0x01;
          chunk = copy;
        }
        sent += chunk.length;
        res.write(chunk);
      });
      up.on('end', () => res.end());
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.closeAllConnections?.();
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests, release };
}

function lade(args: string[]): Promise<Run> {
  return ladeAsync(args);
}

async function pushedBase(t: TestContext): Promise<{ registry: string; url: string; layer: string }> {
  const registry = await startRegistry(t);
  const base = baseStore();
  t.after(() => rmSync(join(base.root, '..'), { recursive: true, force: true }));
  const name = `${registry.host}/test/base:v1`;
  assert.equal(base.run(['tag', 'lade-fixture/base:1', name]).status, 0);
  // As stored: the layer's blob digest is then its diffID, which the proxy looks for.
  const pushed = await lade(['--root', base.root, 'push', '--compression', 'none', name]);
  assert.equal(pushed.status, 0, pushed.stderr);
  const inspected = base.run(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', name]);
  return { registry: registry.host, url: registry.url, layer: (JSON.parse(inspected.stdout) as string[])[0]! };
}

function emptyRoot(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'lade-proxy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'root');
}

test('a layer download cut half-way is resumed from where it stopped, and the image is whole', async (t) => {
  const { url, layer } = await pushedBase(t);
  const proxy = await startProxy(t, url, (path, nth) => (path.endsWith(layer) && nth === 1 ? 'cut' : undefined));
  const root = emptyRoot(t);
  const pulled = await lade(['--root', root, 'pull', `${proxy.host}/test/base:v1`]);
  assert.equal(pulled.status, 0, pulled.stderr);
  const tries = proxy.requests.filter((r) => r.path.endsWith(layer));
  assert.equal(tries.length, 2, JSON.stringify(proxy.requests));
  assert.equal(tries[0]!.range, undefined);
  assert.match(tries[1]!.range ?? '', /^bytes=[1-9]\d*-$/, 'the second request resumes, not restarts');
  const ran = await lade(['--root', root, 'run', '--rm', `${proxy.host}/test/base:v1`, 'true']);
  assert.equal(ran.status, 0, ran.stderr);
});

test('bytes altered on the way are refused, and nothing of the image is kept', async (t) => {
  const { url, layer } = await pushedBase(t);
  const proxy = await startProxy(t, url, (path) => (path.endsWith(layer) ? 'corrupt' : undefined));
  const root = emptyRoot(t);
  const pulled = await lade(['--root', root, 'pull', `${proxy.host}/test/base:v1`]);
  assert.equal(pulled.status, 1);
  assert.match(pulled.stderr, new RegExp(`${layer} downloaded from .* is not what the manifest names`));
  const images = await lade(['--root', root, 'images', '-q']);
  assert.equal(images.stdout, '');
});

test('a layer is unpacked while it downloads, also after a layer the store already has', async (t) => {
  const registry = await startRegistry(t);
  const base = baseStore();
  t.after(() => rmSync(join(base.root, '..'), { recursive: true, force: true }));
  // 8 MB in 64 files on top of the fixture base, which the pulling store holds already.
  const context = mkdtempSync(join(tmpdir(), 'lade-live-'));
  t.after(() => rmSync(context, { recursive: true, force: true }));
  mkdirSync(join(context, 'data'));
  const body = Buffer.alloc(128 << 10);
  for (let f = 0; f < 64; f++) {
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE((i * 2654435761 + f) >>> 0, i);
    writeFileSync(join(context, 'data', `f${f}.bin`), body);
  }
  writeFileSync(join(context, 'Dockerfile'), 'FROM lade-fixture/base:1\nCOPY data /data\n');
  const name = `${registry.host}/test/live:v1`;
  assert.equal(base.run(['build', '-q', '-t', name, context]).status, 0);
  assert.equal((await lade(['--root', base.root, 'push', '--compression', 'none', name])).status, 0);
  const inspected = base.run(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', name]);
  const layer = (JSON.parse(inspected.stdout) as string[]).at(-1)!;

  const proxy = await startProxy(t, registry.url, (path) => (path.endsWith(layer) ? 'pause' : undefined));
  const root = emptyRoot(t);
  assert.equal(base.run(['save', '-o', join(context, 'base.tar'), 'lade-fixture/base:1']).status, 0);
  assert.equal((await lade(['--root', root, 'load', '-i', join(context, 'base.tar')])).status, 0);
  const pulling = lade(['--root', root, 'pull', '-q', `${proxy.host}/test/live:v1`]);
  let done = false;
  void pulling.finally(() => (done = true));
  // With half of the layer held back, its first files are already in the tree being unpacked.
  const staging = join(root, 'snapshots', 'overlay', 'staging');
  const unpacking = () => existsSync(staging) && readdirSync(staging).some((d) => existsSync(join(staging, d, 'fs', 'data', 'f0.bin')));
  for (let i = 0; i < 200 && !done && !unpacking(); i++) await new Promise((r) => setTimeout(r, 50));
  const seen = unpacking();
  proxy.release();
  const pulled = await pulling;
  assert.equal(pulled.status, 0, pulled.stderr);
  assert.ok(seen, 'files of the layer were unpacked before its download ended');
  const ran = await lade(['--root', root, 'run', '--rm', `${proxy.host}/test/live:v1`, 'ls', '/data/f63.bin']);
  assert.equal(ran.status, 0, ran.stderr);
});

test('a chunk whose connection breaks is sent again in the same upload session, from what the registry holds', async (t) => {
  const registry = await startRegistry(t);
  // The second chunk is cut.
  const proxy = await startProxy(t, registry.url, () => undefined, 0, [2]);
  const base = baseStore();
  t.after(() => rmSync(join(base.root, '..'), { recursive: true, force: true }));
  const name = `${proxy.host}/test/chunks:v1`;
  assert.equal(base.run(['tag', 'lade-fixture/base:1', name]).status, 0);
  const pushed = await ladeAsync(['--root', base.root, 'push', '--compression', 'none', name], { env: { LADE_PUSH_CHUNK_SIZE: String(256 << 10) } });
  assert.equal(pushed.status, 0, pushed.stderr);
  const upload = proxy.requests.filter((r) => r.path.startsWith('POST ') || r.path.startsWith('PATCH ') || r.path.startsWith('GET '));
  const layerSession = upload.findIndex((r) => r.path.startsWith('PATCH '));
  const seq = upload.slice(layerSession, layerSession + 4).map((r) => `${r.path.split(' ')[0]} ${r.range ?? ''}`.trim());
  const chunk = 256 << 10;
  assert.deepEqual(seq, [`PATCH 0-${chunk - 1}`, `PATCH ${chunk}-${2 * chunk - 1}`, 'GET', `PATCH ${chunk}-${2 * chunk - 1}`], JSON.stringify(upload));
  assert.equal(upload.filter((r) => r.path.startsWith('POST ')).length, 2, 'one upload session for the layer, one for the config');
  const root = emptyRoot(t);
  const pulled = await lade(['--root', root, 'pull', '-q', `${registry.host}/test/chunks:v1`]);
  assert.equal(pulled.status, 0, pulled.stderr);
  const ran = await lade(['--root', root, 'run', '--rm', `${registry.host}/test/chunks:v1`, 'true']);
  assert.equal(ran.status, 0, ran.stderr);
});

test('a blob upload whose connection breaks is sent again in a new upload session', async (t) => {
  const registry = await startRegistry(t);
  const proxy = await startProxy(t, registry.url, () => undefined, 1);
  const base = baseStore();
  t.after(() => rmSync(join(base.root, '..'), { recursive: true, force: true }));
  const name = `${proxy.host}/test/base:v1`;
  assert.equal(base.run(['tag', 'lade-fixture/base:1', name]).status, 0);
  // As stored: the layer's blob digest is then its diffID, which the proxy looks for.
  const pushed = await lade(['--root', base.root, 'push', '--compression', 'none', name]);
  assert.equal(pushed.status, 0, pushed.stderr);
  const puts = proxy.requests.filter((r) => r.path.startsWith('PUT '));
  assert.ok(puts.length >= 3, `${puts.length} upload PUTs: the layer (twice) and the config`);
  // What the registry holds is whole: pulled straight from it, the image is the same.
  const root = emptyRoot(t);
  const pulled = await lade(['--root', root, 'pull', '-q', `${registry.host}/test/base:v1`]);
  assert.equal(pulled.status, 0, pulled.stderr);
  const ran = await lade(['--root', root, 'run', '--rm', `${registry.host}/test/base:v1`, 'true']);
  assert.equal(ran.status, 0, ran.stderr);
});

