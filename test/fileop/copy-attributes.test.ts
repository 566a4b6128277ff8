// Integration (root): what copied entries carry, as fsutil's copyFileInfo and copyXAttrs set it:
// owners, modes (setuid included), times, xattrs, hardlinks, device nodes, and the include filter.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, constants, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ErrorCode } from '../../src/errors/index.js';
import { lgetxattr, llistxattr, lsetxattr, mknod } from '../../src/sys/index.js';
import { assertListing, dir, kind, link, mode, mtimeMs, owner, put, rejectsWith, T1, T2, trees } from './helpers.js';

test('modes, setuid/setgid/sticky included, and owners are kept from the source', async (t) => {
  const w = trees(t);
  put(w.src, 'tree/suid', 'x', 0o4755);
  put(w.src, 'tree/sgid', 'x', 0o2711);
  dir(w.src, 'tree/sticky', 0o1777);
  dir(w.src, 'tree/private', 0o700);
  link(w.src, 'tree/link', 'suid');
  chownSync(join(w.src, 'tree/suid'), 1000, 1001);
  chmodSync(join(w.src, 'tree/suid'), 0o4755); // the chown cleared it in the source too
  chownSync(join(w.src, 'tree/private'), 33, 44);
  lchownSync(join(w.src, 'tree/link'), 55, 66);

  await w.copy({ src: '/tree', dest: '/out' });
  assert.equal(mode(w.dest, 'out/suid'), 0o4755, 'setuid survives the chown before the chmod');
  assert.equal(owner(w.dest, 'out/suid'), '1000:1001');
  assert.equal(mode(w.dest, 'out/sgid'), 0o2711);
  assert.equal(mode(w.dest, 'out/sticky'), 0o1777);
  assert.equal(mode(w.dest, 'out/private'), 0o700);
  assert.equal(owner(w.dest, 'out/private'), '33:44');
  assert.equal(owner(w.dest, 'out/link'), '55:66');
});

test('--chown owns every copied entry and every created directory, but not an existing destination directory', async (t) => {
  const w = trees(t);
  put(w.src, 'tree/f');
  put(w.src, 'tree/sub/g', 'g', 0o6755);
  link(w.src, 'tree/l', 'f');
  dir(w.dest, 'existing');
  chownSync(join(w.dest, 'existing'), 3, 3);

  await w.copy({ src: '/tree', dest: '/a/b/', chown: { uid: 1500, gid: 1600 } });
  for (const rel of ['a', 'a/b', 'a/b/f', 'a/b/sub', 'a/b/sub/g', 'a/b/l']) assert.equal(owner(w.dest, rel), '1500:1600', rel);
  assert.equal(mode(w.dest, 'a/b/sub/g'), 0o6755, 'the chown does not cost the setuid bits');
  await w.copy({ src: '/tree', dest: '/existing', chown: { uid: 1500, gid: 1600 } });
  assert.equal(owner(w.dest, 'existing'), '3:3');
  assert.equal(owner(w.dest, 'existing/sub/g'), '1500:1600');
});

test('--chmod sets every copied entry, directories too, but not the directories the copy creates (Docker 20.10)', async (t) => {
  const w = trees(t);
  put(w.src, 'tree/f', 'f', 0o600);
  dir(w.src, 'tree/d', 0o700);
  put(w.src, 'tree/d/g', 'g', 0o644);
  link(w.src, 'tree/l', 'f');

  await w.copy({ src: '/tree', dest: '/made/here/', mode: 0o4751 });
  for (const rel of ['made/here/f', 'made/here/d', 'made/here/d/g']) assert.equal(mode(w.dest, rel), 0o4751, rel);
  assert.equal(kind(w.dest, 'made/here/l'), 'symlink:f');
  // Docker 20.10's BuildKit (the recorded reference) makes them 0755; current BuildKit uses --chmod.
  assert.equal(mode(w.dest, 'made'), 0o755);
  assert.equal(mode(w.dest, 'made/here'), 0o755);
});

test('times: copied entries keep the source atime and mtime; a fixed timestamp replaces them all', async (t) => {
  const w = trees(t);
  put(w.src, 'tree/f');
  put(w.src, 'tree/d/g');
  link(w.src, 'tree/l', 'f');
  utimesSync(join(w.src, 'tree/d'), T2, T2);
  lutimesSync(join(w.src, 'tree/l'), T2, T2);
  // Sub-second precision is kept (to the microsecond: Node's utimes).
  const precise = 1_600_000_000.123456;
  utimesSync(join(w.src, 'tree/f'), precise, precise);

  await w.copy({ src: '/tree', dest: '/kept', dirCopyContents: false });
  assert.equal(lstatSync(join(w.dest, 'kept/f'), { bigint: true }).mtimeNs, 1_600_000_000_123_456_000n);
  assert.equal(lstatSync(join(w.dest, 'kept/f'), { bigint: true }).atimeNs, 1_600_000_000_123_456_000n);
  assert.equal(mtimeMs(w.dest, 'kept/d'), T2.getTime(), 'a directory time is set after its content');
  assert.equal(mtimeMs(w.dest, 'kept/d/g'), T1.getTime());
  assert.equal(mtimeMs(w.dest, 'kept/l'), T2.getTime(), 'a symlink gets its own time');

  const fixed = Date.UTC(2001, 0, 1);
  await w.copy({ src: '/tree', dest: '/p/q/fixed', timestampMs: fixed });
  for (const rel of ['p', 'p/q', 'p/q/fixed', 'p/q/fixed/f', 'p/q/fixed/d', 'p/q/fixed/d/g', 'p/q/fixed/l']) {
    assert.equal(mtimeMs(w.dest, rel), fixed, rel);
  }
});

test('xattrs are copied after the owner (a capability survives the chown); overlayfs attributes are not', async (t) => {
  const w = trees(t);
  const capability = Buffer.from('0100000200040000000000000000000000000000', 'hex');
  put(w.src, 'tree/ping', 'x', 0o755);
  dir(w.src, 'tree/d');
  lsetxattr(join(w.src, 'tree/ping'), 'security.capability', capability);
  lsetxattr(join(w.src, 'tree/ping'), 'user.note', Buffer.from('hello'));
  lsetxattr(join(w.src, 'tree/d'), 'user.dir', Buffer.from('d'));
  lsetxattr(join(w.src, 'tree/d'), 'trusted.overlay.opaque', Buffer.from('y'));

  await w.copy({ src: '/tree', dest: '/out', chown: { uid: 10, gid: 10 } });
  assert.deepEqual(lgetxattr(join(w.dest, 'out/ping'), 'security.capability'), capability);
  assert.deepEqual(lgetxattr(join(w.dest, 'out/ping'), 'user.note'), Buffer.from('hello'));
  assert.deepEqual(lgetxattr(join(w.dest, 'out/d'), 'user.dir'), Buffer.from('d'));
  assert.ok(!llistxattr(join(w.dest, 'out/d')).includes('trusted.overlay.opaque'));
});

test('hardlinks within one source stay hardlinks; separate sources of one action get separate files', async (t) => {
  const w = trees(t);
  put(w.src, 'tree/a', 'same\n');
  mkdirSync(join(w.src, 'tree/sub'));
  linkSync(join(w.src, 'tree/a'), join(w.src, 'tree/sub/b'));
  put(w.src, 'x1', 'x\n');
  linkSync(join(w.src, 'x1'), join(w.src, 'x2'));

  await w.copy({ src: '/tree', dest: '/t' });
  const a = lstatSync(join(w.dest, 't/a'));
  assert.equal(lstatSync(join(w.dest, 't/sub/b')).ino, a.ino);
  assert.equal(a.nlink, 2);
  await w.copy({ src: '/x*', dest: '/xs/' });
  assert.notEqual(lstatSync(join(w.dest, 'xs/x1')).ino, lstatSync(join(w.dest, 'xs/x2')).ino);
});

test('device nodes and FIFOs are recreated; a block device becomes a character device and a socket a file, as in BuildKit', async (t) => {
  const w = trees(t);
  mkdirSync(join(w.src, 'dev'));
  mknod(join(w.src, 'dev/null'), constants.S_IFCHR | 0o666, 1, 3);
  mknod(join(w.src, 'dev/loop'), constants.S_IFBLK | 0o660, 7, 200);
  mknod(join(w.src, 'dev/fifo'), constants.S_IFIFO | 0o640, 0, 0);
  mknod(join(w.src, 'dev/sock'), constants.S_IFSOCK | 0o755, 0, 0);
  // mknod is narrowed by the umask.
  chmodSync(join(w.src, 'dev/null'), 0o666);
  chmodSync(join(w.src, 'dev/fifo'), 0o640);

  await w.copy({ src: '/dev', dest: '/dev' });
  const nul = lstatSync(join(w.dest, 'dev/null'));
  assert.ok(nul.isCharacterDevice());
  assert.equal(nul.rdev, lstatSync(join(w.src, 'dev/null')).rdev);
  assert.equal(nul.mode & 0o7777, 0o666);
  const loop = lstatSync(join(w.dest, 'dev/loop'));
  assert.ok(loop.isCharacterDevice(), 'fsutil clears S_IFSOCK, which shares a bit with S_IFBLK');
  assert.equal(loop.rdev, lstatSync(join(w.src, 'dev/loop')).rdev);
  assert.ok(lstatSync(join(w.dest, 'dev/fifo')).isFIFO());
  assert.equal(mode(w.dest, 'dev/fifo'), 0o640);
  const sock = lstatSync(join(w.dest, 'dev/sock'));
  assert.ok(sock.isFile(), 'a socket is copied as a stub');
  assert.equal(sock.size, 0);
});

test('entries the include filter rejects are absent: not copied, not matched, not found', async (t) => {
  const w = trees(t);
  put(w.src, 'app/keep.js');
  put(w.src, 'app/secret.env');
  put(w.src, 'app/node_modules/m/index.js');
  put(w.src, 'top.env');
  link(w.src, 'alias', 'top.env');
  const excluded = new Set(['app/secret.env', 'app/node_modules', 'top.env']);
  const include = (rel: string): boolean => !excluded.has(rel);

  await w.copy({ src: '/app', dest: '/app' }, { include });
  assertListing(w.dest, ['app/', 'app/keep.js']);
  await w.copy({ src: '/*.env', dest: '/envs/' }, { include });
  assertListing(w.dest, ['app/', 'app/keep.js'], 'a wildcard matching only excluded files copies nothing');
  await rejectsWith(w.copy({ src: '/top.env', dest: '/x' }, { include }), ErrorCode.FileopNotFound);
  await rejectsWith(w.copy({ src: '/alias', dest: '/x' }, { include }), ErrorCode.FileopNotFound, /not found/);
  await rejectsWith(w.copy({ src: '/app/node_modules/m/index.js', dest: '/x' }, { include }), ErrorCode.FileopNotFound);
});
