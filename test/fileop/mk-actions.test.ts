// Integration (root): the mkdir and mkfile actions as BuildKit's backend performs them (modes exact
// whatever the process umask, owners only when given, existing paths left or truncated).
import assert from 'node:assert/strict';
import { chownSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ErrorCode } from '../../src/errors/index.js';
import { runFileAction, type MkdirAction, type MkfileAction } from '../../src/fileop/index.js';
import { dir, kind, mode, mtimeMs, owner, put, read, rejectsWith, trees } from './helpers.js';

const mkdir = (destRoot: string, fields: Partial<MkdirAction> & Pick<MkdirAction, 'path'>): Promise<void> =>
  runFileAction({ kind: 'mkdir', mode: 0o755, makeParents: true, ...fields }, { destRoot });
const mkfile = (destRoot: string, fields: Partial<MkfileAction> & Pick<MkfileAction, 'path'>): Promise<void> =>
  runFileAction({ kind: 'mkfile', mode: 0o644, data: '', ...fields }, { destRoot });

test('mkdir -p gives every directory it creates the mode and owner; existing ones are left alone', async (t) => {
  const w = trees(t);
  dir(w.dest, 'usr', 0o700);
  chownSync(join(w.dest, 'usr'), 5, 5);
  await mkdir(w.dest, { path: '/usr/local/app', mode: 0o777, chown: { uid: 1000, gid: 1000 } });
  assert.equal(mode(w.dest, 'usr/local'), 0o777, 'parents take the same mode (MkdirAll), whatever the umask');
  assert.equal(mode(w.dest, 'usr/local/app'), 0o777);
  assert.equal(owner(w.dest, 'usr/local'), '1000:1000');
  assert.equal(mode(w.dest, 'usr'), 0o700);
  assert.equal(owner(w.dest, 'usr'), '5:5');
  await mkdir(w.dest, { path: '/usr/local/app', mode: 0o700 });
  assert.equal(mode(w.dest, 'usr/local/app'), 0o777, 'an existing directory keeps its mode');
  await mkdir(w.dest, { path: '/plain', mode: 0o4755 });
  assert.equal(mode(w.dest, 'plain'), 0o755, 'only the permission bits are used');
  assert.equal(owner(w.dest, 'plain'), '0:0');
  put(w.dest, 'afile');
  await rejectsWith(mkdir(w.dest, { path: '/afile/sub' }), ErrorCode.FileopFailed, /not a directory/);
  await rejectsWith(mkdir(w.dest, { path: '/afile' }), ErrorCode.FileopFailed, /not a directory/);
});

test('mkdir without parents: a missing parent fails, any existing path is success and untouched', async (t) => {
  const w = trees(t);
  await rejectsWith(mkdir(w.dest, { path: '/a/b', makeParents: false }), ErrorCode.FileopNotFound, /"\/a\/b"/);
  await mkdir(w.dest, { path: '/a', makeParents: false, mode: 0o711, timestampMs: 1_000_000_000_000 });
  assert.equal(mode(w.dest, 'a'), 0o711);
  assert.equal(mtimeMs(w.dest, 'a'), 1_000_000_000_000);
  put(w.dest, 'f', 'f\n', 0o600);
  await mkdir(w.dest, { path: '/f', makeParents: false, mode: 0o777, chown: { uid: 1, gid: 1 } });
  assert.equal(kind(w.dest, 'f'), 'file');
  assert.equal(owner(w.dest, 'f'), '0:0');
});

test('mkdir follows symlinks in the destination, the last one included, inside the root', async (t) => {
  const w = trees(t);
  // An absolute target names the sentinel: were it followed on the host, untouched() would see it.
  symlinkSync(`${w.sentinel}/workdir`, join(w.dest, 'wd'));
  await mkdir(w.dest, { path: '/wd' });
  assert.equal(kind(w.dest, `${w.sentinel.slice(1)}/workdir`), 'dir');
  assert.equal(kind(w.dest, 'wd'), `symlink:${w.sentinel}/workdir`);
  w.untouched();
});

test('mkfile writes a new file with the exact mode; an existing file is truncated and keeps its mode', async (t) => {
  const w = trees(t);
  dir(w.dest, 'etc');
  await mkfile(w.dest, { path: '/etc/new', data: 'hello\n', mode: 0o666, chown: { uid: 42, gid: 43 }, timestampMs: 1_234_567_890_000 });
  assert.equal(read(w.dest, 'etc/new'), 'hello\n');
  assert.equal(mode(w.dest, 'etc/new'), 0o666, 'not narrowed by the umask');
  assert.equal(owner(w.dest, 'etc/new'), '42:43');
  assert.equal(mtimeMs(w.dest, 'etc/new'), 1_234_567_890_000);

  put(w.dest, 'etc/old', 'a much longer previous content\n', 0o600);
  chownSync(join(w.dest, 'etc/old'), 7, 7);
  await mkfile(w.dest, { path: '/etc/old', data: Buffer.from('short\n'), mode: 0o777 });
  assert.equal(read(w.dest, 'etc/old'), 'short\n');
  assert.equal(mode(w.dest, 'etc/old'), 0o600, 'os.WriteFile leaves an existing file its mode');
  assert.equal(owner(w.dest, 'etc/old'), '7:7');
  await rejectsWith(mkfile(w.dest, { path: '/etc' }), ErrorCode.FileopFailed, /is a directory/);
});

test('mkfile on a missing parent is FILEOP_NOT_FOUND', async (t) => {
  const w = trees(t);
  await rejectsWith(mkfile(w.dest, { path: '/no/such/file', data: 'x' }), ErrorCode.FileopNotFound, /"\/no\/such\/file"/);
});
