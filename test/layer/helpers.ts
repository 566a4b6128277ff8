// Shared by the layer tests: scratch directories, tars built with tar-stream (an independent
// writer, so hostile archives are not shaped by our own encoder), and tree snapshots that record
// every attribute a layer carries.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { TestContext } from 'node:test';
import tar, { type Header } from 'tar-stream';
import { isLadeError } from '../../src/errors/index.js';
import { makeEntry, type LayerEntry } from '../../src/layer/index.js';
import { lgetxattr, llistxattr } from '../../src/sys/index.js';

/** A fresh directory removed when the test ends. */
export function scratch(t: TestContext, prefix = 'lade-layer-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TarSpec {
  header: Partial<Header> & { name: string };
  body?: string | Buffer;
}

/** A tar built by tar-stream's pack. */
export async function buildTar(specs: TarSpec[]): Promise<Buffer> {
  const pack = tar.pack();
  // Read while writing: pack holds back entry callbacks once its buffer is full.
  const output = collect(pack as AsyncIterable<Uint8Array>);
  for (const { header, body } of specs) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ mtime: new Date(1_600_000_000_000), ...header }, body ?? '', (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  return output;
}

export function streamOf(data: Buffer, chunkSize = 7919): Readable {
  // An odd chunk size makes headers and bodies straddle chunk boundaries.
  function* chunks(): Generator<Buffer> {
    for (let i = 0; i < data.length; i += chunkSize) yield data.subarray(i, i + chunkSize);
  }
  return Readable.from(chunks(), { objectMode: false });
}

export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export interface NodeInfo {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtimeNs?: bigint;
  size?: number;
  sha256?: string;
  link?: string;
  rdev?: number;
  /** Index of the first path sharing this inode, for hardlinked non-directories. */
  inode?: string;
  xattrs: Record<string, string>;
}

export interface SnapshotOptions {
  dirTimes?: boolean;
  times?: boolean;
  exclude?: (path: string) => boolean;
}

/** Every node under `root` with the attributes a layer records. */
export function snapshot(root: string, options: SnapshotOptions = {}): Map<string, NodeInfo> {
  const out = new Map<string, NodeInfo>();
  const inodes = new Map<string, string>();
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (options.exclude?.(path) === true) continue;
      const abs = join(dir, name);
      const st = lstatSync(abs, { bigint: true });
      const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isCharacterDevice() ? 'char' : st.isBlockDevice() ? 'block' : st.isFIFO() ? 'fifo' : 'other';
      const info: NodeInfo = { type, mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid), xattrs: {} };
      if (options.times !== false && (type !== 'dir' || options.dirTimes !== false)) info.mtimeNs = st.mtimeNs;
      if (type === 'file') {
        info.size = Number(st.size);
        info.sha256 = createHash('sha256').update(readFileSync(abs)).digest('hex');
      }
      if (type === 'symlink') info.link = readlinkSync(abs);
      if (type === 'char' || type === 'block') info.rdev = Number(st.rdev);
      if (type !== 'dir' && st.nlink > 1n) {
        const key = `${st.dev}:${st.ino}`;
        if (!inodes.has(key)) inodes.set(key, path);
        info.inode = inodes.get(key)!;
      }
      for (const x of llistxattr(abs).sort()) info.xattrs[x] = lgetxattr(abs, x)!.toString('hex');
      out.set(path, info);
      if (type === 'dir') walk(abs, path);
    }
  };
  walk(root, '');
  return out;
}

/**
 * A target root beside a sentinel tree. `untouched()` asserts that nothing outside the root
 * changed: the sentinel tree and the parent directory listing are as they were.
 */
export function sandbox(t: TestContext): { base: string; root: string; sentinel: string; untouched(): void } {
  const base = scratch(t, 'lade-sandbox-');
  const root = join(base, 'root');
  const sentinel = join(base, 'sentinel');
  mkdirSync(root);
  mkdirSync(join(sentinel, 'dir'), { recursive: true });
  writeFileSync(join(sentinel, 'file'), 'sentinel\n', { mode: 0o644 });
  writeFileSync(join(sentinel, 'dir', 'inner'), 'inner\n', { mode: 0o600 });
  const before = snapshot(base, { exclude: (p) => p === 'root' || p.startsWith('root/') });
  const passwd = lstatSync('/etc/passwd', { bigint: true });
  return {
    base,
    root,
    sentinel,
    untouched() {
      const after = snapshot(base, { exclude: (p) => p === 'root' || p.startsWith('root/') });
      assert.deepEqual(after, before, 'nothing outside the root may change');
      const now = lstatSync('/etc/passwd', { bigint: true });
      assert.equal(now.nlink, passwd.nlink, '/etc/passwd gained no link');
      assert.equal(now.mtimeNs, passwd.mtimeNs, '/etc/passwd is unmodified');
      assert.equal(now.mode, passwd.mode, '/etc/passwd keeps its mode');
    },
  };
}

/**
 * Asserts two snapshots hold the same nodes with the same attributes. Times may differ by
 * `toleranceNs`: Node sets times through a double (about 240 ns resolution today).
 */
export function assertSameTree(actual: Map<string, NodeInfo>, expected: Map<string, NodeInfo>, toleranceNs = 1000n): void {
  assert.deepEqual([...actual.keys()], [...expected.keys()], 'the same paths');
  for (const [path, want] of expected) {
    const got = actual.get(path)!;
    const { mtimeNs: gotTime, ...gotRest } = got;
    const { mtimeNs: wantTime, ...wantRest } = want;
    assert.deepEqual(gotRest, wantRest, path);
    if (wantTime !== undefined && gotTime !== undefined) {
      const delta = gotTime > wantTime ? gotTime - wantTime : wantTime - gotTime;
      assert.ok(delta <= toleranceNs, `${path}: mtime ${gotTime} vs ${wantTime}`);
    } else {
      assert.equal(gotTime, wantTime, `${path}: mtime recorded on one side only`);
    }
  }
}

/** Asserts `promise` rejects with a LadeError of `code` whose message matches `message`. */
export async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isLadeError(err), `expected a LadeError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}

/** An entry with test defaults: makeEntry's, at a fixed time. */
export function entry(fields: Partial<LayerEntry> & Pick<LayerEntry, 'path' | 'type'>): LayerEntry {
  return makeEntry({ mtime: 1_600_000_000_000_000_000n, ...fields });
}
