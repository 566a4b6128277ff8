// Integration (root): hostile layers built with tar-stream. Each one is either refused with a
// LadeError or contained inside the root; in every case the sentinel tree beside the root and
// /etc/passwd must be exactly as before.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ErrorCode } from '../../src/errors/index.js';
import { applyLayer } from '../../src/layer/index.js';
import { llistxattr } from '../../src/sys/index.js';
import { buildTar, rejectsWith, sandbox, streamOf, type TarSpec } from './helpers.js';

async function apply(root: string, specs: TarSpec[], options: Parameters<typeof applyLayer>[2] = {}): Promise<Awaited<ReturnType<typeof applyLayer>>> {
  return applyLayer(root, streamOf(await buildTar(specs)), options);
}

const dir = (name: string, mode = 0o755): TarSpec => ({ header: { name, type: 'directory', mode } });
const file = (name: string, body = 'pwned\n', mode = 0o644): TarSpec => ({ header: { name, mode }, body });
const symlink = (name: string, linkname: string): TarSpec => ({ header: { name, type: 'symlink', linkname } });
const hardlink = (name: string, linkname: string, mode = 0o644): TarSpec => ({ header: { name, type: 'link', linkname, mode } });

test('names climbing out of the root are refused; absolute names land inside', async (t) => {
  const box = sandbox(t);
  await rejectsWith(apply(box.root, [file('../sentinel/file')]), ErrorCode.LayerUnsafePath, /"\.\.\/sentinel\/file" points outside/);
  await rejectsWith(apply(box.root, [file('a/../../sentinel/new')]), ErrorCode.LayerUnsafePath, /points outside/);
  await apply(box.root, [file(`${box.sentinel}/file`), file('/etc/passwd')]);
  assert.equal(readFileSync(join(box.root, box.sentinel, 'file'), 'utf8'), 'pwned\n');
  assert.equal(readFileSync(join(box.root, 'etc/passwd'), 'utf8'), 'pwned\n');
  box.untouched();
});

test('a directory symlink to / or to ../.. cannot carry later entries out of the root', async (t) => {
  const box = sandbox(t);
  const rel = box.sentinel.slice(1); // the sentinel's path below "/"
  await apply(box.root, [
    symlink('to-root', '/'),
    file(`to-root/${rel}/file`),
    file(`to-root/${rel}/dir/inner`),
    symlink('up', '../..'),
    file('up/sentinel/file'),
    dir('up/sentinel/dir', 0o777),
    symlink('abs', box.sentinel),
    file('abs/file'),
    file('abs/created-through-link'),
  ]);
  // Everything landed inside: "/" is the root, ".." stops at the root, absolute targets restart there.
  assert.equal(readFileSync(join(box.root, rel, 'file'), 'utf8'), 'pwned\n');
  assert.equal(readFileSync(join(box.root, 'sentinel/file'), 'utf8'), 'pwned\n');
  assert.equal(lstatSync(join(box.root, 'sentinel/dir')).mode & 0o7777, 0o777);
  assert.ok(existsSync(join(box.root, rel, 'created-through-link')));
  box.untouched();
});

test('symlink chains resolve inside the root; loops are ELOOP errors', async (t) => {
  const box = sandbox(t);
  await apply(box.root, [symlink('a', 'b'), symlink('b', 'c/../d'), symlink('d', '../../../..'), dir('c'), file('a/sentinel-chain')]);
  assert.equal(readFileSync(join(box.root, 'sentinel-chain'), 'utf8'), 'pwned\n');
  await rejectsWith(apply(box.root, [symlink('l1', 'l2'), symlink('l2', 'l1'), file('l1/x')]), ErrorCode.LayerApply, /"l1\/x".*too many levels of symbolic links/);
  await rejectsWith(apply(box.root, [symlink('self', 'self/x'), file('self/y')]), ErrorCode.LayerApply, /too many levels/);
  box.untouched();
});

test('hardlinks resolve inside the root, must exist, and never climb out', async (t) => {
  const box = sandbox(t);
  await rejectsWith(apply(box.root, [hardlink('h', '/etc/passwd')]), ErrorCode.LayerApply, /"h" points at "etc\/passwd", which does not exist/);
  await rejectsWith(apply(box.root, [hardlink('h', '../sentinel/file')]), ErrorCode.LayerUnsafePath, /hardlink target of "h"/);
  await rejectsWith(apply(box.root, [hardlink('h', 'missing')]), ErrorCode.LayerApply, /does not exist/);
  await rejectsWith(apply(box.root, [dir('d'), hardlink('h', 'd')]), ErrorCode.LayerApply, /directory/);
  // Through a symlinked directory: resolved inside, so the sentinel file is not found (and not linked).
  await rejectsWith(apply(box.root, [symlink('out', box.sentinel), hardlink('h', 'out/file')]), ErrorCode.LayerApply, /does not exist/);
  // An inside /etc/passwd is a fine target.
  await apply(box.root, [file('etc/passwd', 'inside\n'), hardlink('copy', '/etc/passwd')]);
  assert.equal(lstatSync(join(box.root, 'copy')).ino, lstatSync(join(box.root, 'etc/passwd')).ino);
  box.untouched();
});

test('a hardlink to a symlink pointing outside changes the link, not its target', async (t) => {
  const box = sandbox(t);
  await apply(box.root, [symlink('s', join(box.sentinel, 'file')), hardlink('h', 's', 0o777)]);
  assert.equal(readlinkSync(join(box.root, 'h')), join(box.sentinel, 'file'));
  // And writing a file where the link is replaces the link.
  await apply(box.root, [file('h', 'replaced\n', 0o600)]);
  assert.equal(readFileSync(join(box.root, 'h'), 'utf8'), 'replaced\n');
  box.untouched();
});

test('entries replacing a symlink to outside replace the link itself', async (t) => {
  const box = sandbox(t);
  await apply(box.root, [
    symlink('f', join(box.sentinel, 'file')),
    file('f', 'new\n', 0o777),
    symlink('d', join(box.sentinel, 'dir')),
    dir('d', 0o700),
    symlink('n', join(box.sentinel, 'file')),
    { header: { name: 'n', type: 'fifo', mode: 0o666 } },
  ]);
  assert.ok(lstatSync(join(box.root, 'f')).isFile());
  assert.ok(lstatSync(join(box.root, 'd')).isDirectory());
  assert.ok(lstatSync(join(box.root, 'n')).isFIFO());
  box.untouched();
});

test('a directory replaced by a symlink later gets no deferred mtime through that symlink', async (t) => {
  const box = sandbox(t);
  await apply(box.root, [
    { header: { name: 'd/', type: 'directory', mode: 0o755, mtime: new Date(0) } },
    // Same name as a sentinel directory: a deferred utimes through the symlink would reach it.
    { header: { name: 'd/dir/', type: 'directory', mode: 0o755, mtime: new Date(0) } },
    symlink('d', box.sentinel),
  ]);
  assert.equal(readlinkSync(join(box.root, 'd')), box.sentinel);
  box.untouched();
});

test('whiteouts cannot escape: .wh.., .wh... and .wh. are refused; whiteouts through symlinks stay inside', async (t) => {
  const box = sandbox(t);
  for (const name of ['.wh..', '.wh...', 'a/.wh...', '.wh.']) {
    for (const whiteouts of ['delete', 'overlay'] as const) {
      await rejectsWith(apply(box.root, [file(name, '')], { whiteouts }), ErrorCode.LayerUnsafePath, /invalid whiteout/);
    }
  }
  // The link's target exists inside the root: the whiteouts act there.
  await apply(box.root, [file(`${box.sentinel}/file`), file(`${box.sentinel}/dir/inner`), symlink('out', box.sentinel)]);
  await apply(box.root, [file('out/.wh.file', ''), file('out/dir/.wh..wh..opq', '')]);
  assert.ok(!existsSync(join(box.root, box.sentinel, 'file')));
  assert.ok(!existsSync(join(box.root, box.sentinel, 'dir/inner')));
  await apply(box.root, [symlink('up', '../../..'), file('up/sentinel/.wh.file', ''), file('up/.wh..wh..opq', '')]);
  // A dangling link on the way is refused rather than followed or invented.
  await rejectsWith(apply(box.root, [symlink('dangling', `${box.sentinel}-missing`), file('dangling/.wh.file', '')]), ErrorCode.LayerApply, /dangles/);
  box.untouched();
});

test('overlay mode through hostile symlinks stays inside too', async (t) => {
  const box = sandbox(t);
  await apply(box.root, [dir(box.sentinel), symlink('out', box.sentinel), file('out/.wh.file', ''), file('out/dir/.wh..wh..opq', '')], { whiteouts: 'overlay' });
  assert.ok(lstatSync(join(box.root, box.sentinel, 'file')).isCharacterDevice());
  assert.deepEqual(llistxattr(join(box.root, box.sentinel, 'dir')), ['trusted.overlay.opaque']);
  box.untouched();
});

test('xattrs that would steer overlayfs are dropped with a warning', async (t) => {
  const box = sandbox(t);
  const pax = { 'SCHILY.xattr.trusted.overlay.redirect': '/etc', 'SCHILY.xattr.trusted.overlay.opaque': 'y', 'SCHILY.xattr.user.kept': '1' };
  for (const whiteouts of ['delete', 'overlay'] as const) {
    const stats = await apply(box.root, [{ header: { name: 'y/', type: 'directory', pax } }], { whiteouts });
    assert.match(stats.warnings.join('\n'), /y: ignored xattr trusted\.overlay\.redirect/);
    assert.deepEqual(llistxattr(join(box.root, 'y')), ['user.kept']);
  }
  box.untouched();
});

test('truncated and corrupt layers stop the apply with a LadeError', async (t) => {
  const box = sandbox(t);
  const data = await buildTar([file('a', 'x'.repeat(2000)), file('b')]);
  await rejectsWith(applyLayer(box.root, streamOf(data.subarray(0, 1000))), ErrorCode.LayerTruncated, /"a" stops after/);
  await rejectsWith(applyLayer(box.root, streamOf(data.subarray(0, data.length - 1024))), ErrorCode.LayerTruncated, /end-of-archive/);
  const corrupt = Buffer.from(data);
  corrupt[512 * 5 + 3] = corrupt[512 * 5 + 3]! ^ 0x40;
  await rejectsWith(applyLayer(box.root, streamOf(corrupt)), ErrorCode.LayerFormat, /checksum/);
  box.untouched();
});
