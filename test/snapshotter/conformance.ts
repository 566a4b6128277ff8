// The behaviour every snapshotter driver must have, written once and run for each driver by
// overlay.test.ts and copy.test.ts (BuildKit's cachestorage_testsuite pattern). Needs root:
// mounts, whiteout devices, trusted.* and security.* xattrs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import test, { type TestContext } from 'node:test';
import { sha256Digest } from '../../src/content/index.js';
import { ErrorCode } from '../../src/errors/index.js';
import type { Snapshotter } from '../../src/snapshotter/index.js';
import { lsetxattr, tryFlock } from '../../src/sys/index.js';
import { chunks, collect, layer, listing, pathsOf, rejectsCode, scratch, treeOf } from './helpers.js';

export type SnapshotterFactory = (root: string) => Promise<Snapshotter>;

/** A valid security.capability value (vfs_cap_data revision 2: cap_net_bind_service permitted). */
export const CAPABILITY = Buffer.from([0x00, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

const BASE = [
  'bin/',
  { path: 'bin/tool', data: '#!/bin/sh\necho tool\n', mode: 0o755 },
  { path: 'bin/cap', data: 'cap', mode: 0o755 },
  'data/',
  { path: 'data/old1', data: 'one' },
  { path: 'data/old2', data: 'two' },
  'etc/',
  { path: 'etc/config', data: 'key=value\n' },
  { path: 'etc/old', data: 'to be deleted' },
  { path: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\n' },
  { path: 'etc/link', link: 'passwd' },
  { path: 'etc/abs', link: '/etc/passwd' },
  { path: 'etc/up', link: '../../../etc/passwd' },
  { path: 'etc/loop1', link: 'loop2' },
  { path: 'etc/loop2', link: 'loop1' },
  { path: 'lib', link: 'etc' },
];

async function setup(t: TestContext, factory: SnapshotterFactory): Promise<{ s: Snapshotter; root: string }> {
  const root = scratch(t, 'lade-snap-');
  return { s: await factory(root), root };
}

/** The owner part of a temp file name (src/content/temp-owner.ts) naming a process that is gone. */
function deadOwnerTag(): string {
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').replace(/[^0-9a-f]/g, '').slice(0, 12);
  const pidns = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))![1]!;
  // Above any pid_max the kernel allows, so no such process runs.
  return `${boot}-${pidns}-4194304-1`;
}

export function snapshotterConformance(name: string, factory: SnapshotterFactory): void {
  test(`${name}: prepare, write, commit, chains, views, remove`, async (t) => {
    const { s } = await setup(t, factory);
    const mounts = await s.prepare('work', undefined, { purpose: 'test' });
    assert.ok(mounts.length >= 1);
    await s.withMounted('work', false, async (dir) => {
      writeFileSync(join(dir, 'hello'), 'world');
    });
    assert.deepEqual((await s.stat('work'))?.labels, { purpose: 'test' });
    assert.equal((await s.stat('work'))?.kind, 'active');
    await s.commit('c1', 'work', { extra: 'x' });
    assert.equal(await s.stat('work'), undefined, 'the active key is gone after commit');
    const c1 = await s.stat('c1');
    assert.deepEqual([c1?.kind, c1?.parent, c1?.labels], ['committed', undefined, { purpose: 'test', extra: 'x' }]);

    await s.prepare('child', 'c1');
    await s.withMounted('child', false, async (dir) => {
      assert.equal(readFileSync(join(dir, 'hello'), 'utf8'), 'world', 'the parent shows through');
      writeFileSync(join(dir, 'hello'), 'changed');
      writeFileSync(join(dir, 'second'), '2');
    });
    await s.commit('c2', 'child');
    await s.view('look', 'c2');
    assert.equal((await s.stat('look'))?.kind, 'view');
    assert.equal((await s.stat('c2'))?.parent, 'c1');
    await s.withMounted('look', false, async (dir) => {
      assert.deepEqual(readdirSync(dir).sort(), ['hello', 'second']);
      assert.equal(readFileSync(join(dir, 'hello'), 'utf8'), 'changed');
      assert.throws(() => writeFileSync(join(dir, 'x'), ''), { code: 'EROFS' });
    });
    assert.equal((await s.readFile('c1', 'hello'))?.toString(), 'world', 'the committed parent is unchanged');
    assert.deepEqual((await s.list()).map((i) => i.name).sort(), ['c1', 'c2', 'look']);

    await rejectsCode(s.remove('c1'), ErrorCode.SnapshotInUse, /"c2"/);
    await rejectsCode(s.prepare('c2', undefined), ErrorCode.SnapshotExists);
    await rejectsCode(s.prepare('x', 'nope'), ErrorCode.SnapshotNotFound, /"nope"/);
    await s.prepare('act', 'c2');
    await rejectsCode(s.prepare('y', 'act'), ErrorCode.SnapshotWrongKind);
    await rejectsCode(s.commit('z', 'look'), ErrorCode.SnapshotWrongKind);
    await rejectsCode(s.commit('c1', 'act'), ErrorCode.SnapshotExists);
    await rejectsCode(s.remove('missing'), ErrorCode.SnapshotNotFound);

    await s.remove('act');
    await s.remove('look');
    await s.remove('c2');
    await s.remove('c1');
    assert.deepEqual(await s.list(), []);
    const ids = readdirSync(s.dir).filter((n) => /^\d+$/.test(n));
    assert.deepEqual(ids, [], 'removed snapshots leave no directory');
  });

  test(`${name}: an empty view and an empty active snapshot`, async (t) => {
    const { s } = await setup(t, factory);
    await s.view('v', undefined);
    await s.withMounted('v', false, async (dir) => assert.deepEqual(readdirSync(dir), []));
    await s.prepare('a', undefined);
    const tar = await collect(s.diff('a'));
    assert.deepEqual(await listing(chunks(tar)), [], 'no changes, no entries');
  });

  test(`${name}: apply, then read back; whiteouts and opaque directories hide lower content`, async (t) => {
    const { s } = await setup(t, factory);
    await s.apply('l1', undefined, chunks(await layer(BASE)));
    await s.apply('l2', 'l1', chunks(await layer(['etc/', 'etc/.wh.old', 'data/', 'data/.wh..wh..opq', { path: 'data/new', data: 'fresh' }, { path: 'added', data: 'a' }])));
    assert.equal((await s.stat('l2'))?.parent, 'l1');
    const tree = await treeOf(s, 'l2');
    assert.deepEqual(pathsOf(tree), [
      'added', 'bin/', 'bin/cap', 'bin/tool', 'data/', 'data/new', 'etc/', 'etc/abs -> /etc/passwd', 'etc/config',
      'etc/link -> passwd', 'etc/loop1 -> loop2', 'etc/loop2 -> loop1', 'etc/passwd', 'etc/up -> ../../../etc/passwd', 'lib -> etc',
    ]);
    assert.equal(tree.get('bin/tool')?.mode, 0o755);
    assert.equal(tree.get('bin/tool')?.mtimeNs, 1_700_000_000n * 1_000_000_000n);
    assert.equal(await s.readFile('l2', 'etc/old'), undefined, 'a whiteout hides the file');
    assert.equal(await s.readFile('l2', 'data/old1'), undefined, 'an opaque directory hides the lower one');
    assert.equal((await s.readFile('l2', 'data/new'))?.toString(), 'fresh');
    assert.equal((await s.readFile('l1', 'etc/old'))?.toString(), 'to be deleted', 'the parent keeps it');
  });

  test(`${name}: readFile resolves symlinks inside the snapshot, as a chroot would`, async (t) => {
    const { s } = await setup(t, factory);
    await s.apply('l1', undefined, chunks(await layer(BASE)));
    const passwd = 'root:x:0:0:root:/root:/bin/sh\n';
    for (const path of ['etc/passwd', '/etc/passwd', 'etc/link', '/etc/abs', 'etc/up', 'lib/passwd', '/lib/link', '../../etc/./passwd', 'bin/../lib/abs']) {
      assert.equal((await s.readFile('l1', path))?.toString(), passwd, path);
    }
    assert.equal(await s.readFile('l1', 'etc/nope'), undefined);
    assert.equal(await s.readFile('l1', 'etc/passwd/x'), undefined, 'a file is not a directory');
    await rejectsCode(s.readFile('l1', 'etc'), ErrorCode.SnapshotIo, /directory/);
    await rejectsCode(s.readFile('l1', 'etc/loop1'), ErrorCode.SnapshotIo, /symbolic links/);
    // An active snapshot: what was written through its mount.
    await s.prepare('a', 'l1');
    await s.withMounted('a', false, async (dir) => {
      writeFileSync(join(dir, 'etc', 'passwd'), 'changed\n');
      unlinkSync(join(dir, 'etc', 'config'));
    });
    assert.equal((await s.readFile('a', '/lib/link'))?.toString(), 'changed\n');
    assert.equal(await s.readFile('a', 'etc/config'), undefined);
    await s.view('v', 'l1');
    assert.equal((await s.readFile('v', 'etc/abs'))?.toString(), passwd);
  });

  test(`${name}: diff of an active snapshot lists its changes as BuildKit would, and applying it reproduces the tree`, async (t) => {
    const { s } = await setup(t, factory);
    await s.apply('base', undefined, chunks(await layer(BASE)));
    await s.prepare('work', 'base');
    const stamp = 1_750_000_000;
    await s.withMounted('work', false, async (dir) => {
      writeFileSync(join(dir, 'etc', 'config'), 'key=other\n'); // modified
      unlinkSync(join(dir, 'etc', 'old')); // deleted
      rmSync(join(dir, 'data'), { recursive: true }); // a directory replaced
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'data', 'new'), 'new');
      chmodSync(join(dir, 'bin', 'tool'), 0o700); // chmod only
      symlinkSync('tool', join(dir, 'bin', 'link')); // added symlink
      writeFileSync(join(dir, 'etc', 'hard'), 'linked'); // added, and hardlinked below
      linkSync(join(dir, 'etc', 'hard'), join(dir, 'new.txt'));
      lsetxattr(join(dir, 'bin', 'cap'), 'security.capability', CAPABILITY); // xattr only
      for (const p of ['etc/config', 'etc/hard', 'data/new']) utimesSync(join(dir, p), stamp, stamp);
    });
    const tar = await collect(s.diff('work'));
    const entries = await listing(chunks(tar));
    const replaced =
      s.driver === 'overlay'
        ? ['data dir', 'data/.wh..wh..opq file', 'data/new file']
        : ['data dir', 'data/new file', 'data/.wh.old1 file', 'data/.wh.old2 file'];
    assert.deepEqual(
      entries.map((e) => e.line),
      [
        'bin dir', 'bin/cap file', 'bin/link symlink -> tool', 'bin/tool file',
        ...replaced,
        'etc dir', 'etc/config file', 'etc/hard file', 'etc/.wh.old file',
        'new.txt hardlink -> etc/hard',
      ],
    );
    const byPath = new Map(entries.map((e) => [e.entry.path, e]));
    assert.equal(byPath.get('etc/config')?.data.toString(), 'key=other\n');
    assert.equal(byPath.get('etc/config')?.entry.mtime, BigInt(stamp) * 1_000_000_000n);
    assert.equal(byPath.get('bin/tool')?.entry.mode, 0o700);
    assert.equal(byPath.get('bin/tool')?.data.toString(), '#!/bin/sh\necho tool\n', 'a chmod still carries the content');
    assert.deepEqual(byPath.get('bin/cap')?.entry.xattrs.get('security.capability'), CAPABILITY);
    const whiteout = byPath.get('etc/.wh.old')!.entry;
    assert.deepEqual([whiteout.mode, whiteout.uid, whiteout.size, whiteout.mtime], [0, 0, 0, 0n]);
    for (const e of entries) {
      for (const x of e.entry.xattrs.keys()) assert.equal(x, 'security.capability', `${e.entry.path}: only capabilities are recorded`);
      assert.equal(e.entry.mtime % 1_000_000_000n, 0n, `${e.entry.path}: whole-second mtimes`);
    }

    await s.apply('replay', 'base', chunks(tar));
    const [expected, actual] = [await treeOf(s, 'work'), await treeOf(s, 'replay')];
    assert.deepEqual(actual, expected);
    assert.equal(actual.get('new.txt')?.inode, 'etc/hard', 'the hardlink survives');
    assert.equal(actual.get('bin/cap')?.xattrs['security.capability'], CAPABILITY.toString('hex'));

    // The committed snapshot's diff is the same layer.
    await s.commit('done', 'work');
    const again = await collect(s.diff('done'));
    assert.equal(createHash('sha256').update(again).digest('hex'), createHash('sha256').update(tar).digest('hex'));
  });

  test(`${name}: a file copied up but unchanged, or a directory whose only change is its mtime, is not a change`, async (t) => {
    const { s } = await setup(t, factory);
    await s.apply('base', undefined, chunks(await layer(BASE)));
    await s.prepare('work', 'base');
    await s.withMounted('work', false, async (dir) => {
      // Opening for writing copies the file up; nothing changes.
      const fh = await open(join(dir, 'etc', 'passwd'), 'r+');
      await fh.close();
      writeFileSync(join(dir, 'bin', 'tmp'), 'x');
      unlinkSync(join(dir, 'bin', 'tmp'));
    });
    assert.deepEqual((await listing(chunks(await collect(s.diff('work'))))).map((e) => e.line), []);
  });

  test(`${name}: apply is idempotent, checks the diff ID and leaves nothing behind on failure`, async (t) => {
    const { s } = await setup(t, factory);
    const tar = await layer(['a/', { path: 'a/b', data: 'b' }]);
    const diffId = sha256Digest(createHash('sha256').update(tar).digest('hex'));
    await s.apply('l1', undefined, chunks(tar), { diffId });
    let read = false;
    async function* untouched(): AsyncGenerator<Uint8Array> {
      read = true;
      yield tar;
    }
    await s.apply('l1', undefined, untouched());
    assert.equal(read, false, 'an existing snapshot does not read its layer again');
    await rejectsCode(s.apply('l1', 'l1', chunks(tar)), ErrorCode.SnapshotExists);

    const wrong = sha256Digest('0'.repeat(64));
    await rejectsCode(s.apply('l2', 'l1', chunks(tar), { diffId: wrong }), ErrorCode.DigestMismatch, /sha256:0000/);
    // The same on the unpacking thread (a layer said to be large), which hashes what it unpacks.
    await rejectsCode(s.apply('l2', 'l1', chunks(tar), { diffId: wrong, sizeHint: 64 << 20 }), ErrorCode.DigestMismatch, /sha256:0000/);
    await s.apply('l1b', undefined, chunks(tar), { diffId, sizeHint: 64 << 20 });
    await s.remove('l1b');
    await rejectsCode(s.apply('l3', 'l1', chunks(Buffer.from('not a tar at all, not even close'.repeat(40)))), ErrorCode.LayerFormat);
    assert.deepEqual((await s.list()).map((i) => i.name), ['l1']);
    assert.deepEqual(readdirSync(join(s.dir, 'staging')), [], 'no staging tree is left');
    assert.deepEqual(readdirSync(s.dir).filter((n) => /^\d+$/.test(n)).length, 1);
  });

  test(`${name}: concurrent applies and prepares share the records without losing any`, async (t) => {
    const { s, root } = await setup(t, factory);
    const other = await factory(root); // a second instance: its own lock file descriptor
    await s.apply('base', undefined, chunks(await layer(['d/'])));
    const sameTar = await layer(['d/', { path: 'd/same', data: 'same' }]);
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 8; i++) {
      const tar = await layer(['d/', { path: `d/f${i}`, data: String(i) }]);
      work.push((i % 2 === 0 ? s : other).apply(`l${i}`, 'base', chunks(tar)));
      work.push((i % 2 === 0 ? other : s).prepare(`p${i}`, 'base'));
      work.push((i % 2 === 0 ? s : other).apply('same', 'base', chunks(sameTar))); // one wins, the others are no-ops
    }
    await Promise.all(work);
    const names = (await other.list()).map((i) => i.name).sort();
    assert.equal(names.length, 1 + 8 + 8 + 1);
    assert.ok(names.includes('same'));
    assert.equal((await s.readFile('l5', 'd/f5'))?.toString(), '5');
  });

  test(`${name}: reopening after a crash removes debris and keeps every recorded snapshot`, async (t) => {
    const { s, root } = await setup(t, factory);
    await s.apply('l1', undefined, chunks(await layer([{ path: 'f', data: 'kept' }])));
    await s.prepare('a', 'l1');
    const dir = s.dir;
    // Debris of killed processes: an unrecorded layer directory, staging trees and mount points
    // whose owners are gone (lock file not held, or none), a metadata temp file.
    mkdirSync(join(dir, '77', 'fs'), { recursive: true });
    writeFileSync(join(dir, '77', 'fs', 'junk'), 'x');
    mkdirSync(join(dir, 'staging', 'dead', 'fs'), { recursive: true });
    writeFileSync(join(dir, 'staging', 'dead.lock'), '');
    mkdirSync(join(dir, 'staging', 'nolock'), { recursive: true });
    mkdirSync(join(dir, 'mounts', 'gone'), { recursive: true });
    writeFileSync(join(dir, 'mounts', 'gone.lock'), '');
    writeFileSync(join(dir, `.metadata.json.${deadOwnerTag()}.0123456789abcdef.lade-tmp`), '{');
    // A live owner's staging tree must survive.
    mkdirSync(join(dir, 'staging', 'live'));
    const live = await open(join(dir, 'staging', 'live.lock'), 'w');
    t.after(() => live.close());
    assert.ok(tryFlock(live.fd));

    const reopened = await factory(root);
    assert.deepEqual(readdirSync(join(dir, 'staging')).sort(), ['live', 'live.lock']);
    assert.deepEqual(readdirSync(join(dir, 'mounts')), []);
    assert.ok(!readdirSync(dir).includes('77'));
    assert.ok(!readdirSync(dir).some((n) => n.endsWith('.lade-tmp')));
    assert.deepEqual((await reopened.list()).map((i) => i.name).sort(), ['a', 'l1']);
    assert.equal((await reopened.readFile('a', 'f'))?.toString(), 'kept');
  });

  test(`${name}: usage counts the snapshot's own blocks and inodes`, async (t) => {
    const { s } = await setup(t, factory);
    await s.apply('l1', undefined, chunks(await layer(['d/', { path: 'd/big', data: 'x'.repeat(100_000) }, { path: 'd/hard', hardlink: 'd/big' }])));
    const usage = await s.usage('l1');
    assert.equal(usage.inodes, 3, 'the root, d and one inode for both links');
    assert.ok(usage.size >= 100_000 && usage.size < 200_000, `size ${usage.size}`);
  });
}
