/**
 * Temporary directories owned by a live process: `<parent>/<name>` with `<parent>/<name>.lock`
 * flock(2)ed by its creator for as long as it works there. The kernel drops the lock when the
 * owner dies, however it dies, so a cleaner can tell debris from work in progress in any PID
 * namespace without guessing from pids or ages. The lock file is created (and locked) before the
 * directory and removed after it, so a directory without a lock file is always debris.
 */
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, rm, rmdir, unlink } from 'node:fs/promises';
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
  await mkdir(parent, { recursive: true });
  const name = randomBytes(8).toString('hex');
  const lockPath = join(parent, name + LOCK_SUFFIX);
  const handle: FileHandle = await open(lockPath, 'wx', 0o600);
  if (!tryFlock(handle.fd)) {
    await handle.close();
    throw new Error(`cannot lock the fresh file ${lockPath}`);
  }
  const path = join(parent, name);
  try {
    await mkdir(path, { mode: 0o700 });
  } catch (err) {
    await handle.close();
    await unlink(lockPath).catch(() => undefined);
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
          if (recursiveRemove) await rm(path, { recursive: true, force: true });
          else await rmdir(path).catch(() => undefined);
        }
        await unlink(lockPath).catch(() => undefined);
      } finally {
        await handle.close();
      }
    },
  };
}

/**
 * Removes the directories under `parent` whose owner is gone. `mountPoints`: they may still be
 * mounted (their owner died before unmounting), so they are detached and removed with rmdir
 * only: a recursive removal through a live mount would delete the snapshot behind it.
 */
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
