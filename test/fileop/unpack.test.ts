// Integration (root): ADD's archive extraction as BuildKit's unpack and go-archive's Untar do it:
// which sources are archives, where they land, owners with and without --chown, whiteout names
// as ordinary files, replacement and merging, times, and archives that try to escape.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import test from 'node:test';
import { gzipSync } from 'node:zlib';
import { compressStream } from '../../src/content/index.js';
import { ErrorCode } from '../../src/errors/index.js';
import type { CopyAction } from '../../src/fileop/index.js';
import { lgetxattr } from '../../src/sys/index.js';
import { buildTar, collect, type TarSpec } from '../layer/helpers.js';
import { assertListing, dir, kind, link, mode, mtimeMs, owner, put, read, rejectsWith, trees, type Trees } from './helpers.js';

const MTIME = new Date('2019-05-06T07:08:09.000Z');
const file = (name: string, body = `${name}\n`, extra: Partial<TarSpec['header']> = {}): TarSpec => ({ header: { name, mode: 0o644, mtime: MTIME, ...extra }, body });
const directory = (name: string, extra: Partial<TarSpec['header']> = {}): TarSpec => ({ header: { name, type: 'directory', mode: 0o755, mtime: MTIME, ...extra } });
const symlink = (name: string, linkname: string): TarSpec => ({ header: { name, type: 'symlink', linkname, mtime: MTIME } });
const hardlink = (name: string, linkname: string): TarSpec => ({ header: { name, type: 'link', linkname, mtime: MTIME } });

function add(w: Trees, src: string, dest: string, extra: Partial<CopyAction> = {}): Promise<void> {
  return w.copy({ src, dest, attemptUnpack: true, ...extra });
}

function external(program: string, data: Buffer): Buffer {
  const run = spawnSync(program, ['-c'], { input: data, maxBuffer: 1 << 26 });
  assert.equal(run.status, 0, `${program} failed: ${run.stderr.toString()}`);
  return run.stdout;
}

test('tar, tar.gz, tar.bz2, tar.xz and tar.zst sources are extracted into the destination, made a directory', async (t) => {
  const w = trees(t);
  const tar = await buildTar([directory('pkg/'), file('pkg/a'), file('b')]);
  writeFileSync(join(w.src, 'plain.tar'), tar);
  writeFileSync(join(w.src, 'x.tgz'), gzipSync(tar));
  writeFileSync(join(w.src, 'x.tbz'), external('bzip2', tar));
  writeFileSync(join(w.src, 'x.txz'), external('xz', tar));
  writeFileSync(join(w.src, 'x.tzst'), await collect(Readable.from([tar]).pipe(compressStream('zstd'))));
  for (const [name, to] of [['plain.tar', '/plain'], ['x.tgz', '/gz/'], ['x.tbz', '/bz'], ['x.txz', '/xz'], ['x.tzst', '/zst']] as const) {
    await add(w, `/${name}`, to);
  }
  const each = (d: string): string[] => [`${d}/`, `${d}/pkg/`, `${d}/pkg/a`, `${d}/b`];
  assertListing(w.dest, ['plain', 'gz', 'bz', 'xz', 'zst'].flatMap(each));
  assert.equal(read(w.dest, 'xz/pkg/a'), 'pkg/a\n');
  assert.equal(mode(w.dest, 'plain'), 0o755);
});

test('anything else is copied as it is: compressed non-tars, tar-named text, short and empty files, directories', async (t) => {
  const w = trees(t);
  const gz = gzipSync(Buffer.from('just text\n'));
  writeFileSync(join(w.src, 'notes.gz'), gz);
  put(w.src, 'fake.tar', 'not a tar\n'.repeat(100));
  put(w.src, 'empty.tar', '');
  writeFileSync(join(w.src, 'zeros.tar'), Buffer.alloc(2048));
  put(w.src, 'dir.tar/inner');
  writeFileSync(join(w.src, 'broken.tgz'), Buffer.concat([gz.subarray(0, 10), Buffer.from('garbage garbage garbage')]));
  await add(w, '/*', '/out/');
  assertListing(w.dest, ['out/', 'out/notes.gz', 'out/fake.tar', 'out/empty.tar', 'out/zeros.tar', 'out/inner', 'out/broken.tgz']);
  assert.deepEqual(readFileSync(join(w.dest, 'out/notes.gz')), gz);
});

test('owners come from the archive (--chown owns only the destination it makes); implied parents are 0755 root; --chmod does not apply', async (t) => {
  const w = trees(t);
  const tar = await buildTar([
    directory('d/', { uid: 7, gid: 70, mode: 0o750 }),
    file('d/suid', 'x', { uid: 8, gid: 80, mode: 0o4755 }),
    file('implied/deep/f', 'f', { uid: 9, gid: 90, mode: 0o600 }),
    symlink('d/l', 'suid'),
  ]);
  writeFileSync(join(w.src, 'a.tar'), tar);
  await add(w, '/a.tar', '/plain');
  assert.equal(owner(w.dest, 'plain/d'), '7:70');
  assert.equal(mode(w.dest, 'plain/d'), 0o750);
  assert.equal(owner(w.dest, 'plain/d/suid'), '8:80');
  assert.equal(mode(w.dest, 'plain/d/suid'), 0o4755);
  assert.equal(owner(w.dest, 'plain/implied/deep/f'), '9:90');
  assert.equal(owner(w.dest, 'plain/implied/deep'), '0:0');
  assert.equal(mode(w.dest, 'plain/implied'), 0o755);

  await add(w, '/a.tar', '/owned/here', { chown: { uid: 1500, gid: 1600 }, mode: 0o600 });
  // Docker 20.10's BuildKit (the recorded reference): --chown owns the destination it makes; the
  // archive's entries keep their own owners.
  for (const rel of ['owned', 'owned/here']) assert.equal(owner(w.dest, rel), '1500:1600', rel);
  for (const [rel, who] of [['owned/here/d', '7:70'], ['owned/here/d/suid', '8:80'], ['owned/here/implied/deep/f', '9:90']] as const) {
    assert.equal(owner(w.dest, rel), who, rel);
  }
  assert.equal(owner(w.dest, 'owned/here/implied'), '0:0', 'implied directories stay root-owned');
  assert.equal(mode(w.dest, 'owned/here'), 0o755, 'the destination is made 0755 whatever --chmod says');
  assert.equal(mode(w.dest, 'owned/here/d/suid'), 0o4755, 'the archive mode, after the chown');
  assert.equal(mode(w.dest, 'owned/here/implied/deep/f'), 0o600);
});

test('whiteout names are ordinary files: nothing already in the destination is removed', async (t) => {
  const w = trees(t);
  put(w.dest, 'out/keep', 'keep\n');
  put(w.dest, 'out/dir/old', 'old\n');
  const tar = await buildTar([file('.wh.keep', ''), directory('dir/'), file('dir/.wh..wh..opq', ''), file('.wh..wh.plnk/1', 'x')]);
  writeFileSync(join(w.src, 'w.tar'), tar);
  await add(w, '/w.tar', '/out');
  assertListing(w.dest, ['out/', 'out/keep', 'out/.wh.keep', 'out/dir/', 'out/dir/old', 'out/dir/.wh..wh..opq', 'out/.wh..wh.plnk/', 'out/.wh..wh.plnk/1']);
});

test('existing paths are replaced, directories merged, a symlink in the way replaced rather than followed; times and xattrs kept', async (t) => {
  const w = trees(t);
  put(w.dest, 'out/x/inside', 'gone\n');
  put(w.dest, 'out/m/old', 'old\n');
  put(w.dest, 'elsewhere', 'untouched\n');
  symlinkSync('/elsewhere', join(w.dest, 'out/s'));
  const tar = await buildTar([
    file('x', 'now a file\n'),
    directory('m/', { mode: 0o700 }),
    file('m/new'),
    file('s', 'replaced link\n'),
    file('noted', 'n', { pax: { 'SCHILY.xattr.user.note': 'hi' } }),
    symlink('ln', 'x'),
    hardlink('hl', 'x'),
  ]);
  writeFileSync(join(w.src, 'r.tar'), tar);
  await add(w, '/r.tar', '/out/');
  assert.equal(read(w.dest, 'out/x'), 'now a file\n');
  assertListing(w.dest, ['elsewhere', 'out/', 'out/x', 'out/m/', 'out/m/old', 'out/m/new', 'out/s', 'out/noted', 'out/ln', 'out/hl']);
  assert.equal(mode(w.dest, 'out/m'), 0o700);
  assert.equal(kind(w.dest, 'out/s'), 'file');
  assert.equal(read(w.dest, 'elsewhere'), 'untouched\n');
  assert.equal(lstatSync(join(w.dest, 'out/hl')).ino, lstatSync(join(w.dest, 'out/x')).ino);
  assert.deepEqual(lgetxattr(join(w.dest, 'out/noted'), 'user.note'), Buffer.from('hi'));
  for (const rel of ['out/x', 'out/m', 'out/m/new', 'out/ln']) assert.equal(mtimeMs(w.dest, rel), MTIME.getTime(), rel);
});

test('a symlink to an archive is extracted whatever followSymlinks says; other sources are copied', async (t) => {
  const w = trees(t);
  writeFileSync(join(w.src, 'real.tar'), await buildTar([file('inner')]));
  link(w.src, 'alias.tar', 'real.tar');
  dir(w.src, 'plain');
  put(w.src, 'plain/p');
  await add(w, '/alias.tar', '/ex', { followSymlinks: false });
  await add(w, '/plain', '/copied');
  assertListing(w.dest, ['ex/', 'ex/inner', 'copied/', 'copied/p']);
});

test('archive entries cannot escape the destination: climbing names are refused, links resolve inside it', async (t) => {
  const w = trees(t);
  // Every name and link aims at the sentinel beside the roots, so a broken resolver would damage
  // only the sandbox, where untouched() notices.
  const inside = w.sentinel.slice(1);
  const cases: Array<[string, TarSpec[]]> = [
    ['climb.tar', [file('../../../sentinel/escaped', 'pwned\n')]],
    ['hardlink.tar', [hardlink('h', `${w.sentinel}/file`)]],
  ];
  for (const [name, specs] of cases) writeFileSync(join(w.src, name), await buildTar(specs));
  await rejectsWith(add(w, '/climb.tar', '/c'), ErrorCode.LayerUnsafePath, /cannot extract "\/climb\.tar"/);
  await rejectsWith(add(w, '/hardlink.tar', '/h'), ErrorCode.FileopNotFound, /which does not exist/);

  const tar = await buildTar([
    file(`${w.sentinel}/file`, 'pwned\n'),
    symlink('root', '/'),
    file(`root/${inside}/viaroot`, 'pwned\n'),
    // From <dest>/x, "../../../sentinel" is the sentinel beside the roots; chrooted it is /x/sentinel.
    directory('sentinel/'),
    symlink('up', '../../../sentinel'),
    file('up/viaup', 'pwned\n'),
    symlink('sent', w.sentinel),
    file('sent/viasent', 'pwned\n'),
    directory('sent/dir/', { mode: 0o777 }),
  ]);
  writeFileSync(join(w.src, 'evil.tar'), tar);
  await add(w, '/evil.tar', '/x');
  // The extraction is chrooted at /x: "/" and ".." stop there.
  assert.equal(read(w.dest, `x/${inside}/file`), 'pwned\n');
  assert.equal(read(w.dest, `x/${inside}/viaroot`), 'pwned\n');
  assert.equal(read(w.dest, 'x/sentinel/viaup'), 'pwned\n');
  assert.equal(read(w.dest, `x/${inside}/viasent`), 'pwned\n');
  assert.equal(mode(w.dest, `x/${inside}/dir`), 0o777);
  w.untouched();
});
