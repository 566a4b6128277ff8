// Integration (root): applyLayerOnThread makes what applyLayer makes (same tree, same stats),
// across many batches; errors come back with their codes; a failing source fails the apply and
// leaves no thread behind. Also the attributes a file gets in overlay mode when chown and chmod
// are skipped (the umask, a setgid parent).
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ErrorCode } from '../../src/errors/index.js';
import { applyLayer, applyLayerOnThread, writeLayer, type LayerSource } from '../../src/layer/index.js';
import { assertSameTree, buildTar, collect, entry, rejectsWith, scratch, snapshot, streamOf } from './helpers.js';

function variedLayer(): LayerSource[] {
  const big = Buffer.alloc(3 << 20);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  const sources: LayerSource[] = [
    { entry: entry({ path: 'etc', type: 'dir', mode: 0o755 }) },
    { entry: entry({ path: 'etc/plain', type: 'file', mode: 0o644, size: 5 }), body: Buffer.from('plain') },
    { entry: entry({ path: 'etc/open', type: 'file', mode: 0o666, size: 4 }), body: Buffer.from('open') },
    { entry: entry({ path: 'etc/suid', type: 'file', mode: 0o4755, size: 4 }), body: Buffer.from('suid') },
    { entry: entry({ path: 'etc/owned', type: 'file', mode: 0o600, uid: 1000, gid: 1001, size: 5 }), body: Buffer.from('owned') },
    { entry: entry({ path: 'shared', type: 'dir', mode: 0o2775, gid: 1234 }) },
    { entry: entry({ path: 'shared/root-file', type: 'file', mode: 0o644, size: 1 }), body: Buffer.from('r') },
    { entry: entry({ path: 'shared/group-file', type: 'file', mode: 0o644, gid: 1234, size: 1 }), body: Buffer.from('g') },
    { entry: entry({ path: 'link', type: 'symlink', linkname: 'etc/plain' }) },
    { entry: entry({ path: 'hard', type: 'hardlink', linkname: 'etc/plain' }) },
    { entry: entry({ path: 'gone', type: 'dir', mode: 0o755 }) },
    { entry: entry({ path: 'gone/.wh.file', type: 'file' }) },
    { entry: entry({ path: 'data', type: 'dir', mode: 0o755 }) },
  ];
  // Enough bytes for many batches (and the reader to wait on the thread), in many files.
  for (let i = 0; i < 12; i++) sources.push({ entry: entry({ path: `data/f${i}`, type: 'file', mode: 0o644, size: big.length }), body: big });
  return sources;
}

test('on a thread, a layer unpacks to the same tree and stats as in the calling thread', async (t) => {
  const tar = await collect(writeLayer(variedLayer()));
  const here = join(scratch(t), 'here');
  const there = join(scratch(t), 'there');
  mkdirSync(here);
  mkdirSync(there);
  const a = await applyLayer(here, streamOf(tar, 65_536), { whiteouts: 'overlay' });
  const b = await applyLayerOnThread(there, streamOf(tar, 65_536), { whiteouts: 'overlay' });
  assert.deepEqual(b, a);
  // A whiteout device gets no time from the tar: compared by kind only.
  const whiteout = (p: string) => p === 'gone/file';
  assertSameTree(snapshot(there, { exclude: whiteout }), snapshot(here, { exclude: whiteout }));
  assert.ok(lstatSync(join(there, 'gone/file')).isCharacterDevice());
  // What the skipped chown and chmod must still give.
  const mode = (p: string) => lstatSync(join(there, p)).mode & 0o7777;
  assert.equal(mode('etc/open'), 0o666, 'the umask does not narrow a mode the tar gives');
  assert.equal(mode('etc/suid'), 0o4755);
  assert.deepEqual([lstatSync(join(there, 'etc/owned')).uid, lstatSync(join(there, 'etc/owned')).gid], [1000, 1001]);
  assert.equal(lstatSync(join(there, 'shared/root-file')).gid, 0, "a setgid parent's group does not override the tar's");
  assert.equal(lstatSync(join(there, 'shared/group-file')).gid, 1234);

  // Asked to, the thread also hashes the bytes it unpacked (a layer's diffID, off the caller's thread).
  const third = join(scratch(t), 'third');
  mkdirSync(third);
  const c = await applyLayerOnThread(third, streamOf(tar, 65_536), { whiteouts: 'overlay' }, { hash: true });
  assert.equal(c.sha256, createHash('sha256').update(tar).digest('hex'));
  assert.deepEqual({ ...c, sha256: undefined }, { ...a, sha256: undefined });
});

test('a umask set before the apply is honoured: the mode is set, not assumed', async (t) => {
  const root = scratch(t);
  const tar = await collect(writeLayer([{ entry: entry({ path: 'f', type: 'file', mode: 0o640, size: 1 }), body: Buffer.from('x') }]));
  const umask = process.umask(0o077);
  try {
    await applyLayer(root, streamOf(tar), { whiteouts: 'overlay' });
  } finally {
    process.umask(umask);
  }
  assert.equal(lstatSync(join(root, 'f')).mode & 0o7777, 0o640);
});

test('errors from the thread keep their code and message', async (t) => {
  const tar = await buildTar([{ header: { name: 'a', type: 'link', linkname: 'missing' } }]);
  const root = scratch(t);
  await rejectsWith(applyLayerOnThread(root, streamOf(tar), { whiteouts: 'overlay' }), ErrorCode.LayerApply, /hardlink "a" points at "missing", which does not exist/);
  await rejectsWith(applyLayerOnThread(join(root, 'nowhere'), streamOf(tar)), ErrorCode.LayerApply, /cannot apply a layer to/);
});

test('a source that fails half-way fails the apply, and no thread is left running', async (t) => {
  const tar = await collect(writeLayer(variedLayer()));
  const root = scratch(t);
  async function* failing(): AsyncGenerator<Uint8Array> {
    yield tar.subarray(0, 5 << 20);
    throw new Error('the connection broke');
  }
  await assert.rejects(applyLayerOnThread(root, failing(), { whiteouts: 'overlay' }), /the connection broke/);
  // A thread still running would keep the test process alive past its end (the runner's timeout).
});
