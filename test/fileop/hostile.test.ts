// Integration (root): symlinks in either tree that point outside (absolute, `..` chains, loops)
// are resolved inside their root; nothing outside the roots is read or changed. The sandbox's
// sentinel tree sits beside the roots and untouched() checks it and /etc/passwd afterwards.
// Every write through an escaping link aims at the sentinel, never at a host path: a broken
// resolver must only be able to damage the sandbox (where untouched() sees it).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ErrorCode } from '../../src/errors/index.js';
import { runFileAction } from '../../src/fileop/index.js';
import { assertListing, dir, kind, link, put, read, rejectsWith, trees } from './helpers.js';

test('a source symlink to /etc/passwd or climbing out resolves inside the source root', async (t) => {
  const w = trees(t);
  link(w.src, 'passwd', '/etc/passwd');
  link(w.src, 'up', '../../../../../../../../sentinel/file');
  link(w.src, 'sent', `${w.sentinel}/file`);
  await rejectsWith(w.copy({ src: '/passwd', dest: '/p' }), ErrorCode.FileopNotFound);
  await rejectsWith(w.copy({ src: '/up', dest: '/u' }), ErrorCode.FileopNotFound);
  await rejectsWith(w.copy({ src: '/sent', dest: '/s' }), ErrorCode.FileopNotFound);
  assertListing(w.dest, []);

  // With the same paths present inside the root, those are what is copied.
  put(w.src, 'etc/passwd', 'inside passwd\n');
  put(w.src, 'sentinel/file', 'inside sentinel\n');
  put(w.src, `${w.sentinel.slice(1)}/file`, 'inside abs\n');
  await w.copy({ src: '/passwd', dest: '/p' });
  await w.copy({ src: '/up', dest: '/u' });
  await w.copy({ src: '/sent', dest: '/s' });
  assert.equal(read(w.dest, 'p'), 'inside passwd\n');
  assert.equal(read(w.dest, 'u'), 'inside sentinel\n');
  assert.equal(read(w.dest, 's'), 'inside abs\n');
  w.untouched();
});

test('wildcards and directory copies through an escaping symlink stay inside the source root', async (t) => {
  const w = trees(t);
  link(w.src, 'out', w.sentinel);
  link(w.src, 'tree/escape', '../../..');
  put(w.src, 'tree/f');
  await rejectsWith(w.copy({ src: '/out/*', dest: '/x/' }), ErrorCode.FileopNotFound);
  await w.copy({ src: '/tree', dest: '/t' });
  assert.equal(kind(w.dest, 't/escape'), 'symlink:../../..', 'copied as a link, never followed');
  // A followed link to a directory that exists only outside: nothing is copied from outside.
  await rejectsWith(w.copy({ src: '/out', dest: '/o' }), ErrorCode.FileopNotFound);
  assert.equal(existsSync(join(w.dest, 'o')), false);
  w.untouched();
});

test('a destination through a symlink pointing outside the destination root stays inside it', async (t) => {
  const w = trees(t);
  put(w.src, 'payload', 'pwned\n');
  put(w.src, 'tree/file', 'pwned\n');
  // dest is <base>/root/dest and the sentinel <base>/sentinel: "../../sentinel" reaches it from dest.
  symlinkSync(w.sentinel, join(w.dest, 'abs'));
  symlinkSync('../../sentinel', join(w.dest, 'up'));
  symlinkSync(`${w.sentinel}/file`, join(w.dest, 'sentfile'));

  await w.copy({ src: '/payload', dest: '/abs/file' });
  await w.copy({ src: '/payload', dest: '/up/file' });
  await w.copy({ src: '/payload', dest: '/sentfile' });
  await w.copy({ src: '/tree/', dest: '/abs/dir/' });
  const inside = w.sentinel.slice(1);
  assert.equal(read(w.dest, `${inside}/file`), 'pwned\n');
  assert.equal(read(w.dest, `${inside}/dir/file`), 'pwned\n');
  assert.equal(read(w.dest, 'sentinel/file'), 'pwned\n', '".." stops at the destination root');
  assert.equal(kind(w.dest, 'sentfile'), `symlink:${w.sentinel}/file`, 'the link itself stays');
  assert.equal(readFileSync(join(w.sentinel, 'file'), 'utf8'), 'sentinel\n');
  w.untouched();
});

test('merging into a destination whose subdirectory is a symlink out of the root fails without writing through it', async (t) => {
  const w = trees(t);
  put(w.src, 'tree/dir/inner', 'pwned\n');
  dir(w.dest, 'app');
  symlinkSync(join(w.sentinel, 'dir'), join(w.dest, 'app', 'dir'));
  await rejectsWith(w.copy({ src: '/tree', dest: '/app' }), ErrorCode.FileopFailed, /non-directory "\/app\/dir"/);
  assert.equal(readFileSync(join(w.sentinel, 'dir', 'inner'), 'utf8'), 'inner\n');
  w.untouched();
});

test('symlink loops are errors, in either tree', async (t) => {
  const w = trees(t);
  put(w.src, 'f');
  link(w.src, 'l1', 'l2');
  link(w.src, 'l2', 'l1');
  symlinkSync('self/x', join(w.dest, 'self'));
  await rejectsWith(w.copy({ src: '/l1', dest: '/x' }), ErrorCode.FileopFailed, /too many links/);
  await rejectsWith(w.copy({ src: '/f', dest: '/self/y' }), ErrorCode.FileopFailed, /too many links/);
});

test('mkdir and mkfile through escaping symlinks stay inside the destination root', async (t) => {
  const w = trees(t);
  symlinkSync(w.sentinel, join(w.dest, 'abs'));
  symlinkSync('../../sentinel', join(w.dest, 'up'));
  symlinkSync(`${w.sentinel}/file`, join(w.dest, 'file'));
  const roots = { destRoot: w.dest };
  const inside = w.sentinel.slice(1);
  await runFileAction({ kind: 'mkdir', path: '/abs/newdir', mode: 0o777, makeParents: true }, roots);
  assert.equal(kind(w.dest, `${inside}/newdir`), 'dir');
  // "up" resolves to /sentinel inside the root, which does not exist yet.
  await rejectsWith(runFileAction({ kind: 'mkdir', path: '/up/made', mode: 0o755, makeParents: false }, roots), ErrorCode.FileopNotFound);
  await rejectsWith(runFileAction({ kind: 'mkfile', path: '/up/pwned', mode: 0o644, data: 'pwned\n' }, roots), ErrorCode.FileopNotFound);
  await runFileAction({ kind: 'mkdir', path: '/up/made', mode: 0o755, makeParents: true }, roots);
  await runFileAction({ kind: 'mkfile', path: '/up/pwned', mode: 0o644, data: 'pwned\n' }, roots);
  assert.equal(kind(w.dest, 'sentinel/made'), 'dir');
  assert.equal(read(w.dest, 'sentinel/pwned'), 'pwned\n');
  // A final symlink is followed (fs.RootPath), to the same path inside the root.
  await runFileAction({ kind: 'mkfile', path: '/file', mode: 0o644, data: 'x\n' }, roots);
  assert.equal(read(w.dest, `${inside}/file`), 'x\n');
  assert.equal(kind(w.dest, 'file'), `symlink:${w.sentinel}/file`);
  w.untouched();
});
