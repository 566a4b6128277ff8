// Integration (root): where copied entries land, as BuildKit's docopy and fsutil's copy.Copy
// place them: trailing slashes, existing directories, directory contents, merges, overwrites.
import assert from 'node:assert/strict';
import { chownSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ErrorCode } from '../../src/errors/index.js';
import { assertListing, dir, kind, link, mode, mtimeMs, owner, put, read, rejectsWith, T1, T2, trees } from './helpers.js';

test('a single file goes inside a destination ending in "/" or naming a directory, else becomes it', async (t) => {
  const w = trees(t);
  put(w.src, 'a.txt', 'A\n');
  dir(w.dest, 'existing');
  put(w.dest, 'old.txt', 'old\n');

  await w.copy({ src: '/a.txt', dest: '/new/' });
  await w.copy({ src: '/a.txt', dest: '/existing' });
  await w.copy({ src: '/a.txt', dest: '/renamed.txt' });
  await w.copy({ src: '/a.txt', dest: '/old.txt' });
  await w.copy({ src: 'a.txt', dest: 'deep/er/named' });

  assertListing(w.dest, ['new/', 'new/a.txt', 'existing/', 'existing/a.txt', 'renamed.txt', 'old.txt', 'deep/', 'deep/er/', 'deep/er/named']);
  assert.equal(read(w.dest, 'old.txt'), 'A\n', 'an existing file is replaced');
  // Created directories: 0755, owned by root, as MkdirAll makes them.
  assert.equal(mode(w.dest, 'new'), 0o755);
  assert.equal(mode(w.dest, 'deep/er'), 0o755);
  assert.equal(owner(w.dest, 'deep'), '0:0');
  w.untouched();
});

test('without createDestPath the destination parent must exist; a trailing "/" onto a file fails', async (t) => {
  const w = trees(t);
  put(w.src, 'a.txt');
  put(w.dest, 'file');
  await rejectsWith(w.copy({ src: '/a.txt', dest: '/missing/a.txt', createDestPath: false }), ErrorCode.FileopNotFound, /"\/missing" does not exist/);
  await w.copy({ src: '/a.txt', dest: '/b.txt', createDestPath: false });
  assert.equal(kind(w.dest, 'b.txt'), 'file');
  await rejectsWith(w.copy({ src: '/a.txt', dest: '/file/' }), ErrorCode.FileopFailed, /not a directory/);
  await rejectsWith(w.copy({ src: '/a.txt', dest: '/file/x' }), ErrorCode.FileopFailed, /not a directory/);
});

test('a directory with dirCopyContents fills a new destination made 0755 and root-owned, timed like the source', async (t) => {
  const w = trees(t);
  dir(w.src, 'app', 0o700);
  put(w.src, 'app/main.js');
  put(w.src, 'app/lib/util.js');
  utimesSync(join(w.src, 'app'), T2, T2);
  chownSync(join(w.src, 'app'), 1234, 4321);

  await w.copy({ src: '/app', dest: '/srv/app' });
  assertListing(w.dest, ['srv/', 'srv/app/', 'srv/app/main.js', 'srv/app/lib/', 'srv/app/lib/util.js']);
  assert.equal(mode(w.dest, 'srv/app'), 0o755, "MkdirAll's mode, not the source directory's 0700");
  assert.equal(owner(w.dest, 'srv/app'), '0:0', "MkdirAll's owner, not the source directory's");
  assert.equal(mtimeMs(w.dest, 'srv/app'), T2.getTime(), 'the source directory time');
  assert.equal(mtimeMs(w.dest, 'srv/app/main.js'), T1.getTime());
});

test('dirCopyContents merges into an existing directory: files overwritten, directories merged, the rest kept', async (t) => {
  const w = trees(t);
  put(w.src, 'conf/a', 'new a\n');
  put(w.src, 'conf/sub/b', 'new b\n');
  utimesSync(join(w.src, 'conf'), T2, T2);
  dir(w.dest, 'etc', 0o711);
  put(w.dest, 'etc/a', 'old a\n');
  put(w.dest, 'etc/keep', 'keep\n');
  put(w.dest, 'etc/sub/c', 'c\n');
  chownSync(join(w.dest, 'etc'), 7, 8);

  await w.copy({ src: '/conf/', dest: '/etc/' });
  assertListing(w.dest, ['etc/', 'etc/a', 'etc/keep', 'etc/sub/', 'etc/sub/b', 'etc/sub/c']);
  assert.equal(read(w.dest, 'etc/a'), 'new a\n');
  assert.equal(read(w.dest, 'etc/keep'), 'keep\n');
  // The existing top directory keeps its owner, mode and times (Docker 20.10's BuildKit).
  assert.equal(mode(w.dest, 'etc'), 0o711);
  assert.equal(owner(w.dest, 'etc'), '7:8');
  assert.notEqual(mtimeMs(w.dest, 'etc'), T2.getTime());
});

test('a directory without dirCopyContents goes inside an existing destination, or becomes a new one', async (t) => {
  const w = trees(t);
  dir(w.src, 'pkg', 0o750);
  put(w.src, 'pkg/f');
  dir(w.dest, 'opt');
  await w.copy({ src: '/pkg', dest: '/opt', dirCopyContents: false });
  await w.copy({ src: '/pkg', dest: '/fresh', dirCopyContents: false });
  assertListing(w.dest, ['opt/', 'opt/pkg/', 'opt/pkg/f', 'fresh/', 'fresh/f']);
  assert.equal(mode(w.dest, 'opt/pkg'), 0o750, 'a directory created by the copy takes the source mode');
  assert.equal(mode(w.dest, 'fresh'), 0o750);
});

test('a file never replaces a directory, and a directory never merges into a non-directory', async (t) => {
  const w = trees(t);
  put(w.src, 'tree/name/inner');
  put(w.src, 'flat/name');
  put(w.dest, 'out/name');
  dir(w.dest, 'busy/name');
  put(w.dest, 'busy/name/stays');
  await rejectsWith(w.copy({ src: '/tree', dest: '/out' }), ErrorCode.FileopFailed, /cannot copy a directory onto non-directory "\/out\/name"/);
  await rejectsWith(w.copy({ src: '/flat', dest: '/busy' }), ErrorCode.FileopFailed, /cannot replace directory "\/busy\/name" with a file/);
  assert.equal(read(w.dest, 'busy/name/stays'), 'busy/name/stays\n');
});

test('several sources are copied one by one onto the same destination: without "/" the last one wins', async (t) => {
  const w = trees(t);
  put(w.src, 'a.txt', 'A\n');
  put(w.src, 'b.txt', 'B\n');
  await w.copy({ src: '/*.txt', dest: '/one' });
  assert.equal(read(w.dest, 'one'), 'B\n');
  await w.copy({ src: '/*.txt', dest: '/many/' });
  assertListing(w.dest, ['one', 'many/', 'many/a.txt', 'many/b.txt']);
});

test('a symlink named as the source is followed with followSymlinks, else copied as a symlink; nested ones are copied', async (t) => {
  const w = trees(t);
  put(w.src, 'real/data', 'data\n');
  link(w.src, 'alias', 'real/data');
  link(w.src, 'real/rel', 'data');
  link(w.src, 'real/abs', '/etc/shadow');
  link(w.src, 'real/dangling', 'nowhere');
  link(w.src, 'dirlink', 'real');

  await w.copy({ src: '/alias', dest: '/followed' });
  await w.copy({ src: '/alias', dest: '/kept', followSymlinks: false });
  await w.copy({ src: '/dirlink', dest: '/viadir' });
  assert.equal(kind(w.dest, 'followed'), 'file');
  assert.equal(read(w.dest, 'followed'), 'data\n');
  assert.equal(kind(w.dest, 'kept'), 'symlink:real/data');
  assert.equal(kind(w.dest, 'viadir/rel'), 'symlink:data');
  assert.equal(kind(w.dest, 'viadir/abs'), 'symlink:/etc/shadow');
  assert.equal(kind(w.dest, 'viadir/dangling'), 'symlink:nowhere');
  // An existing destination directory: the followed source keeps the link's name.
  dir(w.dest, 'in');
  await w.copy({ src: '/alias', dest: '/in' });
  assert.equal(read(w.dest, 'in/alias'), 'data\n');
});

test('the destination resolves through symlinks in the destination tree, the last component included', async (t) => {
  const w = trees(t);
  put(w.src, 'f', 'F\n');
  dir(w.dest, 'real');
  symlinkSync('real', join(w.dest, 'dirlink'));
  put(w.dest, 'real/target', 'old\n');
  symlinkSync('real/target', join(w.dest, 'filelink'));
  // Absolute targets point at the sentinel: were they followed on the host, untouched() would see it.
  symlinkSync(`${w.sentinel}/made/by/copy`, join(w.dest, 'dangling'));

  await w.copy({ src: '/f', dest: '/dirlink/' });
  await w.copy({ src: '/f', dest: '/filelink' });
  await w.copy({ src: '/f', dest: '/dangling' });
  assert.equal(read(w.dest, 'real/f'), 'F\n');
  assert.equal(read(w.dest, 'real/target'), 'F\n', 'written through the link');
  assert.equal(kind(w.dest, 'filelink'), 'symlink:real/target', 'the link itself stays');
  assert.equal(read(w.dest, `${w.sentinel.slice(1)}/made/by/copy`), 'F\n', "a dangling link's target is created, inside the root");
  // But a symlink met inside a copied tree is replaced, never written through.
  put(w.src, 'tree/real', 'tree\n');
  symlinkSync(`${w.sentinel}/file`, join(w.dest, 'real', 'real'));
  await w.copy({ src: '/tree', dest: '/real' });
  assert.equal(kind(w.dest, 'real/real'), 'file');
  w.untouched();
});

test('a missing source is FILEOP_NOT_FOUND; without allowWildcard, "*" is a name', async (t) => {
  const w = trees(t);
  put(w.src, 'star*');
  put(w.src, 'starX');
  await rejectsWith(w.copy({ src: '/nope', dest: '/x' }), ErrorCode.FileopNotFound, /"\/nope" not found/);
  await w.copy({ src: '/star*', dest: '/lit', allowWildcard: false });
  assert.equal(read(w.dest, 'lit'), 'star*\n');
});
