// Integration (root): OCI whiteouts in both modes, opaque markers before and after the layer's
// own entries, duplicates (last wins), and — on a real overlayfs mount — the check that the two
// modes agree: lower + upper(overlay mode) shows what delete mode leaves in a plain directory.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { applyLayer } from '../../src/layer/index.js';
import { lgetxattr } from '../../src/sys/index.js';
import { buildTar, scratch, snapshot, streamOf, type TarSpec } from './helpers.js';

const dir = (name: string, mode = 0o755, mtime = 1_000_000): TarSpec => ({ header: { name, type: 'directory', mode, mtime: new Date(mtime * 1000) } });
const file = (name: string, body = name, mode = 0o644): TarSpec => ({ header: { name, mode }, body });
const whiteout = (name: string, uid = 0): TarSpec => ({ header: { name, mode: 0, uid, gid: uid }, body: '' });

/** The lower layer: plain directories (mode 0755, root-owned, as implied parents would be). */
const LOWER: TarSpec[] = [
  dir('etc/'),
  file('etc/keep'),
  file('etc/gone'),
  dir('etc/sub/'),
  file('etc/sub/deep'),
  dir('opt/'),
  file('opt/a'),
  dir('opt/d/'),
  file('opt/d/x'),
  dir('var/'),
  dir('var/lib/'),
  file('var/lib/x'),
  file('var/lib/y'),
  dir('usr/'),
  dir('usr/bin/'),
  file('usr/bin/tool', 'old tool'),
  dir('home/'),
  dir('home/user/'),
  file('home/user/old'),
  dir('home2/'),
  dir('home2/user/'),
  file('home2/user/old'),
  dir('srv/'),
  file('srv/file', 'lower srv'),
];

/** The upper layer: whiteouts in every position the spec allows. */
const UPPER: TarSpec[] = [
  whiteout('etc/.wh.gone', 1000),
  whiteout('etc/.wh.sub'),
  whiteout('etc/.wh.never-existed'),
  // Opaque first, then this layer's content.
  whiteout('opt/.wh..wh..opq'),
  file('opt/new'),
  // This layer's content first (including under a lower subdirectory), then opaque.
  file('var/own'),
  file('var/lib/own2'),
  whiteout('var/.wh..wh..opq'),
  // Whiteout, then a new file of the same name.
  whiteout('usr/bin/.wh.tool'),
  file('usr/bin/tool', 'new tool'),
  // Whiteout of a directory, then a new directory of that name; and the other order.
  whiteout('home/.wh.user'),
  dir('home/user/', 0o700),
  file('home/user/new'),
  dir('home2/user/', 0o700),
  file('home2/user/new'),
  whiteout('home2/.wh.user'),
  // A whiteout after this layer's own file applies to lower layers only.
  file('srv/file', 'upper srv'),
  whiteout('srv/.wh.file'),
  // Reserved metadata names are skipped.
  file('.wh..wh.plnk/1234'),
  file('.wh..wh.aufs'),
  file('srv/.wh..wh.meta'),
];

async function applyTar(root: string, specs: TarSpec[], whiteouts: 'delete' | 'overlay'): Promise<void> {
  await applyLayer(root, streamOf(await buildTar(specs)), { whiteouts });
}

function names(path: string): string[] {
  return readdirSync(path).sort();
}

test('delete mode: whiteouts remove lower files and trees; opaque hides lower children in any position', async (t) => {
  const root = join(scratch(t), 'root');
  mkdirSync(root);
  await applyTar(root, LOWER, 'delete');
  await applyTar(root, UPPER, 'delete');
  assert.deepEqual(names(join(root, 'etc')), ['keep']);
  assert.deepEqual(names(join(root, 'opt')), ['new']);
  assert.deepEqual(names(join(root, 'var')), ['lib', 'own']);
  assert.deepEqual(names(join(root, 'var/lib')), ['own2']);
  assert.equal(readFileSync(join(root, 'usr/bin/tool'), 'utf8'), 'new tool');
  assert.deepEqual(names(join(root, 'home/user')), ['new']);
  assert.deepEqual(names(join(root, 'home2/user')), ['new']);
  assert.equal(lstatSync(join(root, 'home2/user')).mode & 0o7777, 0o700);
  assert.equal(readFileSync(join(root, 'srv/file'), 'utf8'), 'upper srv');
  assert.deepEqual(names(root), ['etc', 'home', 'home2', 'opt', 'srv', 'usr', 'var']);
  assert.deepEqual(names(join(root, 'srv')), ['file']);
});

test('overlay mode: whiteouts become char 0/0 devices and opaque markers trusted.overlay.opaque=y', async (t) => {
  const upper = join(scratch(t), 'upper');
  mkdirSync(upper);
  await applyTar(upper, UPPER, 'overlay');
  const gone = lstatSync(join(upper, 'etc/gone'));
  assert.ok(gone.isCharacterDevice());
  assert.equal(gone.rdev, 0);
  assert.equal(gone.uid, 1000, 'the device takes the whiteout entry owner, as Docker does');
  assert.ok(lstatSync(join(upper, 'etc/sub')).isCharacterDevice());
  assert.ok(lstatSync(join(upper, 'etc/never-existed')).isCharacterDevice());
  for (const opaque of ['opt', 'var', 'home/user', 'home2/user']) {
    assert.deepEqual(lgetxattr(join(upper, opaque), 'trusted.overlay.opaque'), Buffer.from('y'), opaque);
  }
  assert.equal(lgetxattr(join(upper, 'etc'), 'trusted.overlay.opaque'), undefined);
  assert.ok(lstatSync(join(upper, 'usr/bin/tool')).isFile());
  assert.equal(readFileSync(join(upper, 'srv/file'), 'utf8'), 'upper srv');
  assert.ok(!existsSync(join(upper, '.wh..wh.plnk')));
  assert.deepEqual(names(join(upper, 'srv')), ['file']);
});

test('overlayfs over the overlay-mode upper shows exactly what delete mode produces (real mount)', async (t) => {
  // On a tmpfs of its own: overlayfs needs an upper filesystem with trusted.* xattrs, which the
  // scratch directory's filesystem (itself an overlay in many CI containers) may not offer.
  const base = scratch(t);
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', base]);
  try {
    const [lower, upper, work, merged, plain] = ['lower', 'upper', 'work', 'merged', 'plain'].map((n) => join(base, n)) as [string, string, string, string, string];
    for (const d of [lower, upper, work, merged, plain]) mkdirSync(d);
    await applyTar(lower, LOWER, 'delete');
    await applyTar(upper, UPPER, 'overlay');
    await applyTar(plain, LOWER, 'delete');
    await applyTar(plain, UPPER, 'delete');
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged]);
    try {
      // Directory times differ by construction (implied directories are made "now" in both).
      assert.deepEqual(snapshot(merged, { dirTimes: false }), snapshot(plain, { dirTimes: false }));
    } finally {
      execFileSync('umount', [merged]);
    }
  } finally {
    execFileSync('umount', [base]);
  }
});

test('duplicate entries: the last one wins, as in Docker', async (t) => {
  const root = join(scratch(t), 'root');
  mkdirSync(root);
  await applyTar(
    root,
    [
      file('dup/file', 'one'),
      file('dup/file', 'two', 0o600),
      dir('dup/dir/', 0o700, 1_000),
      file('dup/dir/child'),
      dir('dup/dir/', 0o750, 2_000),
      file('dup/x', 'file first'),
      dir('dup/x/', 0o711),
      dir('dup/y/'),
      file('dup/y/c'),
      file('dup/y', 'file last'),
      { header: { name: 'dup/l', type: 'symlink', linkname: 'a' } },
      { header: { name: 'dup/l', type: 'symlink', linkname: 'b' } },
      // A hardlink entry's attributes apply to the shared inode (Docker), so they match here.
      { header: { name: 'dup/h', type: 'link', linkname: 'dup/file', mode: 0o600 } },
      { header: { name: 'dup/h', type: 'link', linkname: 'dup/file', mode: 0o600 } },
    ],
    'delete',
  );
  assert.equal(readFileSync(join(root, 'dup/file'), 'utf8'), 'two');
  assert.equal(lstatSync(join(root, 'dup/file')).mode & 0o7777, 0o600);
  const dupDir = lstatSync(join(root, 'dup/dir'));
  assert.deepEqual([dupDir.mode & 0o7777, dupDir.mtimeMs], [0o750, 2_000_000]);
  assert.deepEqual(names(join(root, 'dup/dir')), ['child'], 'a directory over a directory merges');
  assert.ok(lstatSync(join(root, 'dup/x')).isDirectory());
  assert.equal(readFileSync(join(root, 'dup/y'), 'utf8'), 'file last');
  assert.equal(readlinkSync(join(root, 'dup/l')), 'b');
  assert.equal(lstatSync(join(root, 'dup/h')).ino, lstatSync(join(root, 'dup/file')).ino);
});

test('opaque markers also remove lower names that are not UTF-8 (no layer can have made them)', async (t) => {
  const root = join(scratch(t), 'root');
  mkdirSync(join(root, 'd'), { recursive: true });
  writeFileSync(Buffer.from(`${root}/d/latin1-\xe9`, 'latin1'), 'lower');
  mkdirSync(Buffer.from(`${root}/d/dir-\xff`, 'latin1'));
  writeFileSync(join(root, 'd', 'plain'), 'lower');
  await applyTar(root, [file('d/new'), whiteout('d/.wh..wh..opq')], 'delete');
  assert.deepEqual(readdirSync(join(root, 'd'), { encoding: 'buffer' }).map((b) => b.toString('latin1')), ['new']);
});
