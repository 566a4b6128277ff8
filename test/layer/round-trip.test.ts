// Integration (root): a tree holding every file type and attribute a layer can carry goes
// through packDirectory and applyLayer and comes out the same; the packed tar re-encodes to the
// same bytes. Needs root for devices, odd owners, trusted.* and security.capability.
import assert from 'node:assert/strict';
import {
  chmodSync,
  constants,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { applyLayer, BUILDKIT_ENTRY_OPTIONS, packDirectory, readLayer, writeLayer, type LayerEntry } from '../../src/layer/index.js';
import { lsetxattr, mknod } from '../../src/sys/index.js';
import { repoRoot } from '../helpers/paths.js';
import { assertSameTree, collect, scratch, snapshot, streamOf } from './helpers.js';
import { createTree } from './pack-tree.js';

/** security.capability v2 for cap_net_raw+ep: binary, with bytes ≥ 0x80 elsewhere in real sets. */
const CAPABILITY = Buffer.from('0100000200200000000000000000000000000000', 'hex');
const CAP_SETUID = Buffer.from('0100000280000000800000000000000000000000', 'hex');

function pattern(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Builds the tree; returns the path of a socket, which layers do not record. */
function buildTree(src: string): string {
  mkdirSync(join(src, 'dir', 'sub'), { recursive: true });
  mkdirSync(join(src, 'dev'));
  writeFileSync(join(src, 'empty'), '');
  writeFileSync(join(src, 'small'), 'hello, layer\n');
  writeFileSync(join(src, 'large'), pattern(3 * 1024 * 1024 + 17, 7));
  writeFileSync(join(src, 'setuid'), '#!/bin/sh\n');
  chmodSync(join(src, 'setuid'), 0o4755);
  writeFileSync(join(src, 'setgid'), '');
  chmodSync(join(src, 'setgid'), 0o2711);
  mkdirSync(join(src, 'sticky'));
  chmodSync(join(src, 'sticky'), 0o1777);
  mkdirSync(join(src, 'setgid-dir'));
  chmodSync(join(src, 'setgid-dir'), 0o2770);
  chmodSync(join(src, 'dir', 'sub'), 0o700);
  lchownSync(join(src, 'dir', 'sub'), 1234, 5678);
  writeFileSync(join(src, 'odd-owner'), 'x');
  lchownSync(join(src, 'odd-owner'), 3_000_000, 4_294_967_294);

  symlinkSync('dir/sub/../../small', join(src, 'rel-link'));
  symlinkSync('/etc/passwd', join(src, 'abs-link'));
  symlinkSync('nowhere/at/all', join(src, 'dangling'));
  lchownSync(join(src, 'dangling'), 42, 43);

  linkSync(join(src, 'small'), join(src, 'dir', 'hard-small'));
  linkSync(join(src, 'large'), join(src, 'dir', 'sub', 'large2'));
  linkSync(join(src, 'large'), join(src, 'z-large3'));

  mknod(join(src, 'dev', 'null'), constants.S_IFCHR | 0o666, 1, 3);
  mknod(join(src, 'dev', 'loop'), constants.S_IFBLK | 0o660, 7, 200);
  mknod(join(src, 'dev', 'nvme'), constants.S_IFBLK | 0o600, 259, 1_048_575);
  mknod(join(src, 'fifo'), constants.S_IFIFO | 0o620, 0, 0);

  lsetxattr(join(src, 'small'), 'user.comment', Buffer.from([0, 1, 0xfe, 0xff]));
  lsetxattr(join(src, 'small'), 'user.empty', Buffer.alloc(0));
  lsetxattr(join(src, 'dir'), 'trusted.dir', Buffer.from('d'));
  lsetxattr(join(src, 'rel-link'), 'trusted.on-link', Buffer.from('l'));
  lsetxattr(join(src, 'fifo'), 'trusted.on-fifo', Buffer.from('f'));
  writeFileSync(join(src, 'ping'), 'elf');
  chmodSync(join(src, 'ping'), 0o755);
  lsetxattr(join(src, 'ping'), 'security.capability', CAPABILITY);
  writeFileSync(join(src, 'suid-cap'), '');
  chmodSync(join(src, 'suid-cap'), 0o4750);
  lsetxattr(join(src, 'suid-cap'), 'security.capability', CAP_SETUID);

  const deep = join(src, ...Array.from({ length: 3 }, (_, i) => `${String(i).repeat(100)}`));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'f'.repeat(120)), 'deep');
  writeFileSync(join(src, 'n'.repeat(255)), 'max name');
  mkdirSync(join(src, 'ünïcødé'));
  writeFileSync(join(src, 'ünïcødé', 'ファイル 📦.txt'), 'utf-8');

  utimesSync(join(src, 'small'), 1_600_000_000.123456, 1_600_000_000.123456);
  utimesSync(join(src, 'large'), 1_500_000_000, 1_500_000_000);
  lutimesSync(join(src, 'dangling'), 1_400_000_000.5, 1_400_000_000.5);
  utimesSync(join(src, 'fifo'), 1_300_000_000.25, 1_300_000_000.25);
  utimesSync(join(src, 'dev', 'null'), 1_200_000_000, 1_200_000_000);
  // Directory times last: creating children changes them.
  utimesSync(join(src, 'dir', 'sub'), 1_100_000_000.75, 1_100_000_000.75);
  utimesSync(join(src, 'dir'), 1_000_000_000.5, 1_000_000_000.5);

  // A socket node, as a listening program leaves one behind.
  const socket = join(src, 'socket');
  mknod(socket, constants.S_IFSOCK | 0o755, 0, 0);
  return socket;
}

test('packDirectory → applyLayer reproduces every type and attribute (root)', async (t) => {
  const dir = scratch(t);
  const src = join(dir, 'src');
  const dst = join(dir, 'dst');
  mkdirSync(src);
  mkdirSync(dst);
  buildTree(src);

  const stats = await applyLayer(dst, packDirectory(src));
  assert.deepEqual(stats.warnings, []);
  const expected = snapshot(src, { exclude: (p) => p === 'socket' });
  assertSameTree(snapshot(dst), expected);
  // The checks above must have something to check.
  assert.equal(expected.get('dir/sub/large2')?.inode, 'dir/sub/large2');
  assert.equal(expected.get('large')?.inode, 'dir/sub/large2');
  assert.equal(expected.get('suid-cap')?.mode, 0o4750);
  assert.ok(expected.get('suid-cap')?.xattrs['security.capability']);
  assert.equal(expected.get('dev/nvme')?.type, 'block');
  assert.equal(expected.get('dir')?.mtimeNs !== undefined, true);
});

test('packDirectory writes entries in walk order, hardlinks after their first path, no sockets', async (t) => {
  const src = join(scratch(t), 'src');
  mkdirSync(src);
  buildTree(src);
  const entries: LayerEntry[] = [];
  for await (const { entry } of readLayer(packDirectory(src))) entries.push(entry);
  const paths = entries.map((e) => e.path);
  assert.ok(!paths.includes('socket'));
  assert.ok(!paths.includes('.'), 'the root is not recorded');
  // filepath.Walk order: a directory's children come right after it, before "dir"'s later siblings.
  assert.ok(paths.indexOf('dir') < paths.indexOf('dir/sub') && paths.indexOf('dir/sub/large2') < paths.indexOf('empty'));
  const byPath = new Map(entries.map((e) => [e.path, e]));
  assert.equal(byPath.get('dir/sub/large2')?.type, 'file', 'first path of the inode in walk order');
  assert.deepEqual([byPath.get('large')?.type, byPath.get('large')?.linkname], ['hardlink', 'dir/sub/large2']);
  assert.deepEqual([byPath.get('z-large3')?.type, byPath.get('z-large3')?.linkname], ['hardlink', 'dir/sub/large2']);
  assert.deepEqual([byPath.get('small')?.type, byPath.get('small')?.linkname], ['hardlink', 'dir/hard-small']);
  assert.deepEqual(byPath.get('ping')?.xattrs.get('security.capability'), CAPABILITY);
  assert.notEqual(byPath.get('dir/hard-small')!.mtime % 1_000_000_000n, 0n, 'sub-second mtime recorded');
  assert.equal(byPath.get('dev/nvme')?.devminor, 1_048_575);
});

test('the packed tar is deterministic and re-encodes to the same bytes from its entries', async (t) => {
  const src = join(scratch(t), 'src');
  mkdirSync(src);
  buildTree(src);
  const first = await collect(packDirectory(src));
  const second = await collect(packDirectory(src));
  assert.ok(first.equals(second), 'two packs of one tree are identical');

  const records: Array<{ entry: LayerEntry; body: Buffer }> = [];
  for await (const { entry, body } of readLayer(streamOf(first))) records.push({ entry, body: await collect(body) });
  const rewritten = await collect(writeLayer(records));
  assert.ok(rewritten.equals(first), 'readLayer → writeLayer reproduces the bytes');

  const truncated = await collect(packDirectory(src, { truncateMtime: true }));
  for await (const { entry } of readLayer(streamOf(truncated))) assert.equal(entry.mtime % 1_000_000_000n, 0n, entry.path);
});

test('with BuildKit options, packDirectory writes the bytes containerd writes for the same tree (Go golden)', async (t) => {
  const root = join(scratch(t), 'root');
  createTree(root);
  const golden = readFileSync(join(repoRoot, 'test', 'layer', 'fixtures', 'go-walk.tar'));
  const ours = await collect(packDirectory(root, BUILDKIT_ENTRY_OPTIONS));
  assert.equal(ours.length, golden.length);
  for (let offset = 0; offset < golden.length; offset += 512) {
    const a = ours.subarray(offset, offset + 512);
    const b = golden.subarray(offset, offset + 512);
    assert.ok(a.equals(b), `block at byte ${offset} differs:\n ours ${JSON.stringify(a.toString('latin1'))}\n   go ${JSON.stringify(b.toString('latin1'))}`);
  }
});
