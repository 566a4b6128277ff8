/**
 * Temporary directories owned by a live process: `<parent>/<name>` with `<parent>/<name>.lock`
 * flock(2)ed by its creator for as long as it works there. The kernel drops the lock when the
 * owner dies, however it dies, so a cleaner can tell debris from work in progress in any PID
 * namespace without guessing from pids or ages. The lock file is created (and locked) before the
 * directory and removed after it, so a directory without a lock file is always debris.
 */
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { closeSync, mkdirSync, openSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { open, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isSysError, tryFlock, umount, UmountFlag } from '../sys/index.js';

const LOCK_SUFFIX = '.lock';

export interface OwnedDir {
  readonly path: string;
  /** Removes the directory (recursively unless it was a mount point) and drops the lock. */
  release(options?: { keepContent?: boolean }): Promise<void>;
}

/** Creates `<parent>/<random>` owned by this process. */
export async function createOwnedDir(parent: string, recursiveRemove = true): Promise<OwnedDir> {
  // Synchronous calls: a build makes and removes several of these per step, and each trip through
  // Node's thread pool costs more than the syscall.
  mkdirSync(parent, { recursive: true });
  const name = randomBytes(8).toString('hex');
  const lockPath = join(parent, name + LOCK_SUFFIX);
  const fd = openSync(lockPath, 'wx', 0o600);
  if (!tryFlock(fd)) {
    closeSync(fd);
    throw new Error(`cannot lock the fresh file ${lockPath}`);
  }
  const path = join(parent, name);
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (err) {
    closeSync(fd);
    ignoreErrors(() => unlinkSync(lockPath));
    throw err;
  }
  let released = false;
  return {
    path,
    async release(options = {}) {
      if (released) return;
      released = true;
      try {
        if (options.keepContent !== true) {
          if (recursiveRemove) rmSync(path, { recursive: true, force: true });
          else ignoreErrors(() => rmdirSync(path));
        }
        ignoreErrors(() => unlinkSync(lockPath));
      } finally {
        closeSync(fd);
      }
    },
  };
}

function ignoreErrors(fn: () => void): void {
  try {
    fn();
  } catch {
    // Gone already, or not ours to remove.
  }
}

export async function cleanOwnedDirs(parent: string, mountPoints = false): Promise<number> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const present = new Set(names);
  let removed = 0;
  const removeDir = async (path: string): Promise<void> => {
    if (!mountPoints) {
      await rm(path, { recursive: true, force: true });
      return;
    }
    try {
      umount(path, UmountFlag.DETACH | UmountFlag.NOFOLLOW);
    } catch (err) {
      // EINVAL: not a mount point (any more); anything else leaves the directory alone.
      if (!(isSysError(err) && (err.code === 'EINVAL' || err.code === 'ENOENT'))) return;
    }
    await rmdir(path).catch(() => undefined);
  };
  for (const name of names) {
    if (name.endsWith(LOCK_SUFFIX)) {
      const lockPath = join(parent, name);
      let handle: FileHandle;
      try {
        handle = await open(lockPath, 'r');
      } catch {
        continue; // released meanwhile
      }
      try {
        if (!tryFlock(handle.fd)) continue; // its owner is alive
        await removeDir(join(parent, name.slice(0, -LOCK_SUFFIX.length)));
        await unlink(lockPath).catch(() => undefined);
        removed++;
      } finally {
        await handle.close();
      }
    } else if (!present.has(name + LOCK_SUFFIX)) {
      // Created after our listing? Its lock file came first, so a fresh listing would show it.
      const again = await readdir(parent);
      if (again.includes(name + LOCK_SUFFIX)) continue;
      await removeDir(join(parent, name));
      removed++;
    }
  }
  return removed;
}
