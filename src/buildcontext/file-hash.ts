/**
 * Reading a context file for its digest, and the stat fields that say whether it may have
 * changed since. mtime alone is never trusted: a file rewritten and given its old mtime back
 * (utimes, `cp -p`, `tar x`, `rsync -t`) keeps its mtime, but not its ctime (no system call sets
 * ctime) nor, when it was replaced rather than rewritten, its inode. A change within the
 * timestamp granule of the stat taken before reading is the "racy" case; see index-file.ts.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, type BigIntStats } from 'node:fs';

/**
 * What an index entry is keyed on, as one string compared whole:
 * `size:mtimeNs:ctimeNs:ino:dev:mode` (decimal; the whole st_mode, type and permission bits).
 * From a bigint stat, because Node's doubles would round nanoseconds and large inode numbers.
 */
export type StatKey = string;

export function statKey(st: BigIntStats): StatKey {
  return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}:${st.dev}:${st.mode}`;
}

/** The later of mtime and ctime, in nanoseconds (as a double: only compared with a window of seconds). */
export function changedAtNs(key: StatKey): number {
  const m = key.indexOf(':') + 1;
  const c = key.indexOf(':', m) + 1;
  return Math.max(Number(key.slice(m, c - 1)), Number(key.slice(c, key.indexOf(':', c))));
}

/** `size` of a StatKey. */
export function statSize(key: StatKey): bigint {
  return BigInt(key.slice(0, key.indexOf(':')));
}

export interface FileHash {
  /** `sha256:<hex>`. */
  readonly digest: string;
  readonly bytes: number;
  /** The file's stat when it was opened. */
  readonly stat: StatKey;
  /** False when the file changed while it was read: the digest may be of a torn read and must not be kept. */
  readonly stable: boolean;
}

/** Read size: big enough that syscalls do not dominate, small enough to stay in cache. */
export const READ_CHUNK = 1 << 20;

/**
 * Hashes the regular file at `abs` (a symlink put there since the scan is refused, not
 * followed) with `buffer`, the caller's, reused across files.
 *
 * Synchronous on purpose: bench/context.ts measured 10,000 files / 240 MB at ~830 MB/s this
 * way and at 130–270 MB/s through fs/promises (1–8 files in flight), whose per-call cost
 * (open, fstat, read, read, fstat, close: six thread-pool round trips) dwarfs a small file's
 * read. The caller yields to the event loop between files (see scan.ts).
 */
export function hashFileSync(abs: string, buffer: Buffer): FileHash {
  const fd = openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const before = statKey(fstatSync(fd, { bigint: true }));
    const hash = createHash('sha256');
    let bytes = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      bytes += n;
    }
    const after = statKey(fstatSync(fd, { bigint: true }));
    const stable = before === after && BigInt(bytes) === statSize(before);
    return { digest: `sha256:${hash.digest('hex')}`, bytes, stat: before, stable };
  } finally {
    closeSync(fd);
  }
}
