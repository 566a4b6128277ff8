// Shared by the snapshotter tests: layers built from entries, tree descriptions of a mounted
// snapshot, and tar listings.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { isLadeError } from '../../src/errors/index.js';
import { makeEntry, readLayer, writeLayer, type LayerEntry } from '../../src/layer/index.js';
import type { Snapshotter } from '../../src/snapshotter/index.js';
import { collect, snapshot, type NodeInfo } from '../layer/helpers.js';

export { collect, scratch } from '../layer/helpers.js';

export const T0 = 1_700_000_000n * 1_000_000_000n;

export type Spec =
  | string // a directory when it ends with '/', else a whiteout when its name starts with .wh., else an empty file
  | { path: string; data?: string; mode?: number; link?: string; hardlink?: string };

/** An uncompressed layer tar from short specs. */
export async function layer(specs: readonly Spec[]): Promise<Buffer> {
  const entries: Array<{ entry: LayerEntry; body?: Buffer }> = specs.map((spec) => {
    const s = typeof spec === 'string' ? { path: spec } : spec;
    if (s.path.endsWith('/')) return { entry: makeEntry({ path: s.path.slice(0, -1), type: 'dir', mtime: T0, ...(s.mode === undefined ? {} : { mode: s.mode }) }) };
    if (s.link !== undefined) return { entry: makeEntry({ path: s.path, type: 'symlink', linkname: s.link, mode: 0o777, mtime: T0 }) };
    if (s.hardlink !== undefined) return { entry: makeEntry({ path: s.path, type: 'hardlink', linkname: s.hardlink, mtime: T0 }) };
    const body = Buffer.from(s.data ?? '');
    return { entry: makeEntry({ path: s.path, type: 'file', size: body.length, mtime: T0, ...(s.mode === undefined ? {} : { mode: s.mode }) }), body };
  });
  return collect(writeLayer(entries));
}

export async function* chunks(data: Buffer): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += 4093) yield data.subarray(i, i + 4093);
}

/** The entries of a layer tar as `path type` lines (with `-> target` for links). */
export async function listing(tar: AsyncIterable<Uint8Array>): Promise<Array<{ line: string; entry: LayerEntry; data: Buffer }>> {
  const out: Array<{ line: string; entry: LayerEntry; data: Buffer }> = [];
  for await (const { entry, body } of readLayer(tar)) {
    const data = await collect(body);
    const link = entry.linkname === '' ? '' : ` -> ${entry.linkname}`;
    out.push({ line: `${entry.path} ${entry.type}${link}`, entry, data });
  }
  return out;
}

/** A snapshot's merged tree, mounted read-only, with mtimes to the second (layers keep seconds). */
export async function treeOf(s: Snapshotter, key: string): Promise<Map<string, NodeInfo>> {
  return s.withMounted(key, true, async (dir) => {
    const tree = snapshot(dir, { dirTimes: false });
    for (const info of tree.values()) if (info.mtimeNs !== undefined) info.mtimeNs -= info.mtimeNs % 1_000_000_000n;
    return tree;
  });
}

/** The paths of a tree, with a marker for the node type. */
export function pathsOf(tree: Map<string, NodeInfo>): string[] {
  return [...tree.entries()].map(([p, i]) => (i.type === 'dir' ? `${p}/` : i.type === 'symlink' ? `${p} -> ${i.link}` : p));
}

export async function rejectsCode(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isLadeError(err), `expected a LadeError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}
