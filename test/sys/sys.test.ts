// The native addon behind src/sys, exercised against the real kernel (as root: mknod of devices
// and trusted.* attributes need CAP_MKNOD and CAP_SYS_ADMIN).
import assert from 'node:assert/strict';
import { constants, lstatSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { ErrorCode, isLadeError } from '../../src/errors/index.js';
import { lgetxattr, llistxattr, lremovexattr, lsetxattr, mknod } from '../../src/sys/index.js';
import { loadAddon } from '../../src/sys/native.js';
import { scratch, sysError } from './helpers.js';

test('mknod creates character and block devices with their numbers, and FIFOs', (t) => {
  const dir = scratch(t);
  mknod(join(dir, 'null'), constants.S_IFCHR | 0o666, 1, 3);
  mknod(join(dir, 'big'), constants.S_IFBLK | 0o600, 259, 1048575);
  mknod(join(dir, 'fifo'), constants.S_IFIFO | 0o640, 0, 0);
  const chr = lstatSync(join(dir, 'null'));
  assert.ok(chr.isCharacterDevice());
  assert.equal(chr.rdev, 0x103);
  const blk = lstatSync(join(dir, 'big'), { bigint: true });
  assert.ok(blk.isBlockDevice());
  // glibc's makedev: minor's high bits go to 12+; major's low 12 bits to 8..19.
  assert.equal(blk.rdev, 0xfff103ffn);
  assert.ok(lstatSync(join(dir, 'fifo')).isFIFO());
});

test('xattrs: set, get, list and remove keep binary values exactly, empty values included', (t) => {
  const dir = scratch(t);
  const file = join(dir, 'f');
  writeFileSync(file, '');
  const binary = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x80, 0xff, 0x00, 0x7f]);
  lsetxattr(file, 'user.bin', binary);
  lsetxattr(file, 'user.empty', Buffer.alloc(0));
  lsetxattr(file, 'trusted.t', new Uint8Array([9, 8, 7]));
  assert.deepEqual(lgetxattr(file, 'user.bin'), binary);
  assert.deepEqual(lgetxattr(file, 'user.empty'), Buffer.alloc(0));
  assert.deepEqual(lgetxattr(file, 'trusted.t'), Buffer.from([9, 8, 7]));
  assert.equal(lgetxattr(file, 'user.absent'), undefined);
  assert.deepEqual(llistxattr(file).sort(), ['trusted.t', 'user.bin', 'user.empty']);
  lremovexattr(file, 'user.bin');
  assert.deepEqual(llistxattr(file).sort(), ['trusted.t', 'user.empty']);
});

test('the l* calls act on a symlink itself, never on its target', (t) => {
  const dir = scratch(t);
  const target = join(dir, 'target');
  const link = join(dir, 'link');
  writeFileSync(target, '');
  symlinkSync(target, link);
  lsetxattr(link, 'trusted.on-link', Buffer.from('x'));
  assert.deepEqual(llistxattr(link), ['trusted.on-link']);
  assert.deepEqual(llistxattr(target), []);
  assert.equal(lgetxattr(target, 'trusted.on-link'), undefined);
});

test('failures are Node-style errors: negative errno, code, syscall, path, message', (t) => {
  const dir = scratch(t);
  const missing = join(dir, 'missing', 'x');
  const enoent = sysError(() => mknod(missing, constants.S_IFIFO | 0o600, 0, 0));
  assert.equal(enoent.code, 'ENOENT');
  assert.equal(enoent.errno, -osConstants.errno.ENOENT);
  assert.equal(enoent.syscall, 'mknod');
  assert.equal(enoent.path, missing);
  assert.match(enoent.message, new RegExp(`^ENOENT: .+, mknod '${missing}'$`));

  const fifo = join(dir, 'fifo');
  mknod(fifo, constants.S_IFIFO | 0o600, 0, 0);
  assert.equal(sysError(() => mknod(fifo, constants.S_IFIFO | 0o600, 0, 0)).code, 'EEXIST');
  const removed = sysError(() => lremovexattr(fifo, 'trusted.none'));
  assert.deepEqual([removed.code, removed.syscall], ['ENODATA', 'lremovexattr']);
  const unsupported = sysError(() => lsetxattr(fifo, 'nonamespace.x', Buffer.from('1')));
  assert.deepEqual([unsupported.code, unsupported.syscall], ['ENOTSUP', 'lsetxattr']);
  assert.equal(sysError(() => llistxattr(missing)).syscall, 'llistxattr');
  assert.equal(sysError(() => lgetxattr(missing, 'user.x')).syscall, 'lgetxattr');
});

test('arguments are checked: a NUL in a path never reaches C, values must be bytes', () => {
  assert.throws(() => mknod('/tmp/a\0b', constants.S_IFIFO, 0, 0), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => lsetxattr('/tmp/x', 'user.a', 'text' as unknown as Uint8Array), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => lgetxattr(42 as unknown as string, 'user.a'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
});

test('a missing addon is a LadeError telling the user how to build it', () => {
  assert.throws(
    () => loadAddon('/nonexistent/lade_sys.node'),
    (err: unknown) => {
      assert.ok(isLadeError(err));
      assert.equal(err.code, ErrorCode.NativeAddonMissing);
      assert.match(err.message, /\/nonexistent\/lade_sys\.node/);
      assert.match(err.hint ?? '', /npm ci/);
      assert.match(err.hint ?? '', /make -C native\/sys/);
      return true;
    },
  );
});
