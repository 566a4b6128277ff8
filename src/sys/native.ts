/**
 * The system calls Node's fs lacks (mknod, the l*xattr family, flock, mount, umount, syncfs), from the N-API addon built in
 * native/sys. The addon performs one call per function and throws Node-style errors; this module
 * only loads it (lazily, so code that never needs it runs without it) and types it.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ErrorCode, LadeError } from '../errors/index.js';
import { packageRoot } from '../paths/index.js';

/** A failed system call, shaped like Node's fs errors. `errno` is negative, as libuv reports it. */
export interface SysError extends Error {
  errno: number;
  code: string;
  syscall: string;
  path: string;
}

interface Addon {
  mknod(path: string, mode: number, major: number, minor: number): void;
  lsetxattr(path: string, name: string, value: Uint8Array): void;
  lgetxattr(path: string, name: string): Buffer | undefined;
  llistxattr(path: string): string[];
  lremovexattr(path: string, name: string): void;
  tryflock(fd: number, exclusive: boolean): boolean;
  mount(source: string, target: string, fstype: string, flags: number, data: string, cwd: string): void;
  umount(target: string, flags: number): void;
  syncfs(path: string): void;
}


let loaded: Addon | undefined;

/**
 * Loads the addon from `path` (the build output by default). Exported for tests that check the
 * message a missing addon produces.
 */
export function loadAddon(path: string = join(packageRoot(), 'native', 'sys', 'build', 'lade_sys.node')): Addon {
  try {
    return createRequire(import.meta.url)(path) as Addon;
  } catch (err) {
    throw new LadeError(ErrorCode.NativeAddonMissing, `lade's native addon cannot be loaded from ${path}`, {
      cause: err,
      hint: 'build it with `npm ci` (or `make -C native/sys`)',
    });
  }
}

function addon(): Addon {
  loaded ??= loadAddon();
  return loaded;
}

export function isSysError(err: unknown): err is SysError {
  return err instanceof Error && typeof (err as Partial<SysError>).code === 'string' && typeof (err as Partial<SysError>).errno === 'number';
}

/**
 * mknod(2). `mode` carries the file type (fs.constants.S_IFCHR, S_IFBLK, S_IFIFO) and the
 * permission bits, which the process umask narrows as for any creation.
 */
export function mknod(path: string, mode: number, major: number, minor: number): void {
  addon().mknod(path, mode, major, minor);
}

/** lsetxattr(2) with no flags: creates or replaces; never follows a final symlink. */
export function lsetxattr(path: string, name: string, value: Uint8Array): void {
  addon().lsetxattr(path, name, value);
}

/** lgetxattr(2): the value, or undefined when the attribute is absent (ENODATA). */
export function lgetxattr(path: string, name: string): Buffer | undefined {
  return addon().lgetxattr(path, name);
}

/** llistxattr(2): attribute names in the kernel's order (only those the caller may read). */
export function llistxattr(path: string): string[] {
  return addon().llistxattr(path);
}

/** lremovexattr(2). */
export function lremovexattr(path: string, name: string): void {
  addon().lremovexattr(path, name);
}

/**
 * flock(2) without waiting: true when the lock was taken, false when another holder has it. The
 * lock belongs to the open file: closing the FileHandle, or the process dying, releases it.
 */
export function tryFlock(fd: number, exclusive = true): boolean {
  return addon().tryflock(fd, exclusive);
}

/** mount(2) flags (linux/mount.h) lade passes. */
export const MountFlag = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  REMOUNT: 0x20,
  BIND: 0x1000,
  REC: 0x4000,
  PRIVATE: 0x40000,
} as const;

/** umount2(2) flags. */
export const UmountFlag = {
  FORCE: 0x1,
  DETACH: 0x2,
  NOFOLLOW: 0x8,
} as const;

/**
 * mount(2). `data` is the filesystem's option string ('' for none). With a non-empty `cwd`, the
 * call runs with that working directory, so relative paths in `source`, `target` and `data` (an
 * overlay's short `lowerdir=12/fs:11/fs`, which keeps 200 layers under the kernel's one-page
 * limit on mount data) resolve there. Only the calling thread's view changes: the process's
 * cwd is never touched. A failing chdir reports syscall 'chdir' and the cwd as path.
 */
export function mount(source: string, target: string, fstype: string, flags: number, data = '', cwd = ''): void {
  addon().mount(source, target, fstype, flags, data, cwd);
}

/** umount2(2) with UmountFlag bits. */
export function umount(target: string, flags = 0): void {
  addon().umount(target, flags);
}

/** syncfs(2) on the filesystem holding `path` (a file or a directory). */
export function syncfs(path: string): void {
  addon().syncfs(path);
}
