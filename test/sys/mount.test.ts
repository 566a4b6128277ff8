// mount(2), umount2(2) and syncfs(2) from the native addon, against the real kernel (root).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import test, { type TestContext } from 'node:test';
import { mount, MountFlag, syncfs, umount, UmountFlag } from '../../src/sys/index.js';
import { scratch, sysError } from './helpers.js';

/** Unmounts at the end of the test even when an assertion failed in between. */
function unmountAfter(t: TestContext, target: string): void {
  t.after(() => {
    try {
      umount(target, UmountFlag.DETACH);
    } catch {
      // Already unmounted by the test itself.
    }
  });
}

function mountedAt(target: string): string | undefined {
  const real = realpathSync(target);
  const line = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === real);
  return line;
}

test('mount a tmpfs with data, see it in mountinfo, unmount it', (t) => {
  const dir = scratch(t, 'lade-mount-');
  const target = join(dir, 'mnt');
  mkdirSync(target);
  mount('tmpfs', target, 'tmpfs', MountFlag.NOSUID, 'size=1m,mode=0710');
  unmountAfter(t, target);
  const line = mountedAt(target);
  assert.ok(line !== undefined, 'the tmpfs is in /proc/self/mountinfo');
  assert.match(line, / - tmpfs tmpfs .*size=1024k/);
  assert.match(line, /nosuid/);
  writeFileSync(join(target, 'f'), 'x');
  umount(target);
  assert.equal(mountedAt(target), undefined);
  assert.deepEqual(readdirSync(target), [], 'the file went with the tmpfs');
});

test('a bind mount, then a read-only remount of it', (t) => {
  const dir = scratch(t, 'lade-mount-');
  const source = join(dir, 'src');
  const target = join(dir, 'dst');
  mkdirSync(source);
  mkdirSync(target);
  writeFileSync(join(source, 'hello'), 'world');
  mount(source, target, '', MountFlag.BIND);
  unmountAfter(t, target);
  assert.equal(readFileSync(join(target, 'hello'), 'utf8'), 'world');
  mount('', target, '', MountFlag.BIND | MountFlag.REMOUNT | MountFlag.RDONLY);
  assert.equal(sysError(() => writeFileSync(join(target, 'new'), '')).code, 'EROFS');
  umount(target);
});

test('cwd: an overlay with relative lowerdirs resolves them there, and the process cwd is untouched', (t) => {
  const dir = scratch(t, 'lade-mount-');
  for (const d of ['l1', 'l2', 'up', 'work', 'mnt']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'l1', 'a'), 'from l1');
  writeFileSync(join(dir, 'l2', 'a'), 'from l2');
  writeFileSync(join(dir, 'l2', 'b'), 'only in l2');
  const before = process.cwd();
  mount('overlay', join(dir, 'mnt'), 'overlay', 0, 'lowerdir=l1:l2,upperdir=up,workdir=work', dir);
  unmountAfter(t, join(dir, 'mnt'));
  assert.equal(process.cwd(), before);
  // The kernel's own view of the process cwd too (Node caches process.cwd()).
  assert.equal(realpathSync('/proc/self/cwd'), realpathSync(before));
  assert.equal(readFileSync(join(dir, 'mnt', 'a'), 'utf8'), 'from l1', 'the first lowerdir is the top one');
  assert.equal(readFileSync(join(dir, 'mnt', 'b'), 'utf8'), 'only in l2');
  writeFileSync(join(dir, 'mnt', 'c'), 'new');
  assert.equal(readFileSync(join(dir, 'up', 'c'), 'utf8'), 'new', 'writes land in the upperdir');
  umount(join(dir, 'mnt'));
});

test('without cwd the same relative lowerdirs do not resolve', (t) => {
  const dir = scratch(t, 'lade-mount-');
  for (const d of ['l1', 'l2', 'mnt']) mkdirSync(join(dir, d));
  const err = sysError(() => mount('overlay', join(dir, 'mnt'), 'overlay', 0, 'lowerdir=l1:l2'));
  assert.equal(err.syscall, 'mount');
  assert.equal(err.code, 'ENOENT');
});

test('failures carry errno, code, syscall and the path concerned', (t) => {
  const dir = scratch(t, 'lade-mount-');
  const missing = join(dir, 'missing');
  const noTarget = sysError(() => mount('tmpfs', missing, 'tmpfs', 0));
  assert.deepEqual([noTarget.code, noTarget.syscall, noTarget.path, noTarget.errno], ['ENOENT', 'mount', missing, -osConstants.errno.ENOENT]);
  assert.match(noTarget.message, new RegExp(`^ENOENT: .+, mount '${missing}'$`));
  const badCwd = sysError(() => mount('tmpfs', 'x', 'tmpfs', 0, '', missing));
  assert.deepEqual([badCwd.code, badCwd.syscall, badCwd.path], ['ENOENT', 'chdir', missing]);
  const notMounted = sysError(() => umount(dir));
  assert.deepEqual([notMounted.code, notMounted.syscall, notMounted.path], ['EINVAL', 'umount2', dir]);
  const badFs = sysError(() => mount('none', dir, 'no-such-fs-type', 0));
  assert.equal(badFs.code, 'ENODEV');
});

test('syncfs syncs the filesystem of a file or directory; a missing path is ENOENT', (t) => {
  const dir = scratch(t, 'lade-mount-');
  writeFileSync(join(dir, 'f'), 'data');
  syncfs(dir);
  syncfs(join(dir, 'f'));
  const err = sysError(() => syncfs(join(dir, 'nope')));
  assert.deepEqual([err.code, err.syscall], ['ENOENT', 'open']);
});

test('mount arguments are checked before any call', () => {
  assert.throws(() => mount('a\0b', '/x', 'tmpfs', 0), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => mount('a', '/x', 'tmpfs', '0' as unknown as number), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => umount(7 as unknown as string), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
});
