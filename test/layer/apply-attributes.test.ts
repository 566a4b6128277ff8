// Integration (root): how applyLayer sets attributes — times (to the microsecond; directories
// after their content; pre-1970 as the epoch), implied parents, the skipped root entry, the
// chown option, tolerated xattr failures, hardlinks to lower-layer files.
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { applyLayer, writeLayer, type LayerSource } from '../../src/layer/index.js';
import { lgetxattr, lsetxattr } from '../../src/sys/index.js';
import { entry, scratch } from './helpers.js';

async function apply(root: string, sources: LayerSource[], options: Parameters<typeof applyLayer>[2] = {}): ReturnType<typeof applyLayer> {
  return applyLayer(root, writeLayer(sources), options);
}

function mtimeNs(path: string): bigint {
  return lstatSync(path, { bigint: true }).mtimeNs;
}

test('times: whole seconds exact, sub-seconds to the microsecond, directories after their content', async (t) => {
  const root = scratch(t);
  await apply(root, [
    { entry: entry({ path: 'd', type: 'dir', mtime: 1_000_000_000_123_456_789n }) },
    { entry: entry({ path: 'd/f', type: 'file', mtime: 1_600_000_000_999_999_999n }) },
    { entry: entry({ path: 'd/l', type: 'symlink', linkname: 'f', mtime: 1_700_000_000_000_000_001n }) },
    { entry: entry({ path: 'd/old', type: 'file', mtime: -1_500_000_000n }) },
    { entry: entry({ path: 'd/future', type: 'fifo', mtime: 9_000_000_000_000_000_000n }) },
    { entry: entry({ path: 'whole', type: 'file', mtime: 1_234_567_890_000_000_000n }) },
  ]);
  assert.equal(mtimeNs(join(root, 'd')), 1_000_000_000_123_456_000n, 'set after d/f, d/l, … were created');
  assert.equal(mtimeNs(join(root, 'd/f')), 1_600_000_000_999_999_000n);
  assert.equal(mtimeNs(join(root, 'd/l')), 1_700_000_000_000_000_000n, 'the link itself (lutimes)');
  assert.equal(mtimeNs(join(root, 'd/old')), 0n, 'before 1970: the epoch, as containerd bounds it');
  assert.equal(mtimeNs(join(root, 'd/future')), 9_000_000_000_000_000_000n);
  assert.equal(mtimeNs(join(root, 'whole')), 1_234_567_890_000_000_000n);
});

test('implied parents are 0755 and root-owned whatever the umask; the root entry is skipped', async (t) => {
  const root = scratch(t);
  const before = lstatSync(root);
  const umask = process.umask(0o077);
  try {
    await apply(root, [
      { entry: entry({ path: '.', type: 'dir', mode: 0o700, uid: 123, mtime: 0n }) },
      { entry: entry({ path: 'a/b/c', type: 'file', mode: 0o640, uid: 7, gid: 8 }) },
    ]);
  } finally {
    process.umask(umask);
  }
  for (const implied of ['a', 'a/b']) {
    const st = lstatSync(join(root, implied));
    assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [0o755, 0, 0], implied);
  }
  const file = lstatSync(join(root, 'a/b/c'));
  assert.deepEqual([file.mode & 0o7777, file.uid, file.gid], [0o640, 7, 8]);
  const after = lstatSync(root);
  assert.deepEqual([after.mode, after.uid], [before.mode, before.uid], 'the target directory keeps its own attributes');
});

test('chown: false leaves ownership to the process; tolerated xattr failures become warnings', async (t) => {
  const root = scratch(t);
  const stats = await apply(
    root,
    [
      { entry: entry({ path: 'f', type: 'file', uid: 4242, gid: 4242 }) },
      { entry: entry({ path: 'l', type: 'symlink', linkname: 'f', xattrs: new Map([['user.note', Buffer.from('x')]]) }) },
    ],
    { chown: false },
  );
  assert.equal(lstatSync(join(root, 'f')).uid, process.getuid!());
  assert.deepEqual(stats.warnings, ['l: ignored xattr user.note: user.* attributes exist only on files and directories']);
  assert.deepEqual([stats.entries, stats.bytes, stats.whiteouts], [2, 0, 0]);
});

test('a hardlink may point at a file from a lower layer; its header attributes apply to the inode', async (t) => {
  const root = scratch(t);
  mkdirSync(join(root, 'usr'));
  writeFileSync(join(root, 'usr/lower'), 'from below');
  await apply(root, [{ entry: entry({ path: 'bin/upper', type: 'hardlink', linkname: 'usr/lower', mode: 0o751, uid: 9 }) }]);
  const lower = lstatSync(join(root, 'usr/lower'));
  assert.equal(lower.ino, lstatSync(join(root, 'bin/upper')).ino);
  assert.deepEqual([lower.mode & 0o7777, lower.uid, lower.nlink], [0o751, 9, 2]);
});

test('stats count entries, file bytes and whiteouts', async (t) => {
  const root = scratch(t);
  const stats = await apply(root, [
    { entry: entry({ path: 'a', type: 'file', size: 5 }), body: Buffer.from('hello') },
    { entry: entry({ path: 'b', type: 'file', size: 3 }), body: Buffer.from('abc') },
    { entry: entry({ path: '.wh.c', type: 'file' }) },
    { entry: entry({ path: 'd/.wh..wh..opq', type: 'file' }) },
  ]);
  assert.deepEqual([stats.entries, stats.bytes, stats.whiteouts], [4, 8, 2]);
});

test('a hardlink entry that repeats the owner keeps the target capability its header does not carry', async (t) => {
  const root = scratch(t);
  writeFileSync(join(root, 'ping'), 'elf');
  const capability = Buffer.from('0100000200200000000000000000000000000000', 'hex');
  lsetxattr(join(root, 'ping'), 'security.capability', capability);
  await apply(root, [{ entry: entry({ path: 'ping2', type: 'hardlink', linkname: 'ping', mode: 0o755 }) }]);
  assert.deepEqual(lgetxattr(join(root, 'ping'), 'security.capability'), capability);
  assert.equal(lstatSync(join(root, 'ping')).mode & 0o7777, 0o755);
});
