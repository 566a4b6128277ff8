/**
 * The cache index: cache key → the result a vertex produced, persistent under a directory the
 * caller chooses (`<root>/buildcache`).
 *
 * One file per key, `<dir>/entries/<hex>`, written whole to a temp file in the same directory and
 * renamed over the name. Chosen over an append-only log because:
 * - a kill at any point leaves each name either absent or a whole entry (rename is atomic), and at
 *   worst a temp file that no reader ever opens and the next open removes;
 * - concurrent solves on one root need no lock: readers open the name, writers each own their temp
 *   file, and two writers of one key both write a valid entry (the last rename wins); a log would
 *   need a lock or O_APPEND atomicity that large records do not have;
 * - delete is an unlink and GC a directory walk, with no log compaction.
 * Entries are not fsynced: after a power loss the index may lack entries or hold torn ones, and
 * the checksum in each entry (cache-entry.ts) turns a torn one into a miss. Losing cache entries
 * costs a rebuild, never a wrong result, so two fsyncs per vertex are not worth paying.
 */
import type { Dirent } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, LadeError } from '../errors/index.js';
import { decodeEntry, encodeEntry, type CacheEntry } from './cache-entry.js';
import type { CacheKey } from './cache-key.js';
import type { OpResult } from './op-adapter.js';
import { isAbandonedTemp, isTempName, tempNameFor } from './temp-files.js';

export interface CacheIndex {
  /** The directory given to openCacheIndex. */
  readonly dir: string;
  /** The entry under `key`; undefined when there is none or it cannot be read whole (a miss, never an error). */
  get(key: CacheKey): Promise<CacheEntry | undefined>;
  /** Stores `result` under `key`, replacing any entry there. Throws BUILD_CACHE_IO when it cannot. */
  put(key: CacheKey, result: OpResult, info?: { name?: string | undefined }): Promise<void>;
  /** Removes the entry; false when there was none. */
  delete(key: CacheKey): Promise<boolean>;
  /** Every readable entry, in no particular order (for GC and inspection); unreadable ones are skipped. */
  entries(): AsyncIterable<CacheEntry>;
}

const KEY_RE = /^sha256:([0-9a-f]{64})$/;
const HEX_RE = /^[0-9a-f]{64}$/;

/** The hex of a key. Keys come from cacheKey, so a malformed one is a bug, not a miss. */
function hexOf(key: CacheKey): string {
  const m = KEY_RE.exec(key);
  if (m === null) throw new LadeError(ErrorCode.Internal, `not a cache key: ${JSON.stringify(key)}`);
  return m[1]!;
}

function ioError(what: string, path: string, cause: unknown): LadeError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new LadeError(ErrorCode.BuildCacheIo, `cannot ${what} ${path}: ${detail}`, { cause });
}

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Removes temp files that killed writers left behind; returns how many. */
async function removeAbandonedTemps(entriesDir: string, names: readonly string[]): Promise<number> {
  const now = Date.now();
  let removed = 0;
  for (const name of names) {
    if (!isTempName(name)) continue;
    const path = join(entriesDir, name);
    try {
      const st = await lstat(path);
      if (!isAbandonedTemp(name, st.mtimeMs, now)) continue;
      await unlink(path);
      removed++;
    } catch {
      // Gone already: its writer renamed it, or another opener removed it.
    }
  }
  return removed;
}

/** Writes `bytes` to a fresh temp file (O_EXCL, so no two writers share one) and renames it to `path`. */
async function writeThroughTemp(entriesDir: string, hex: string, bytes: Buffer): Promise<void> {
  const temp = join(entriesDir, tempNameFor(hex));
  const fh = await open(temp, 'wx', 0o600);
  try {
    let offset = 0;
    while (offset < bytes.length) offset += (await fh.write(bytes, offset)).bytesWritten;
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await rename(temp, join(entriesDir, hex));
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

export async function openCacheIndex(dir: string): Promise<CacheIndex> {
  const entriesDir = join(dir, 'entries');
  let names: string[];
  try {
    await mkdir(entriesDir, { recursive: true, mode: 0o700 });
    names = await readdir(entriesDir);
  } catch (err) {
    throw ioError('open the build cache at', dir, err);
  }
  await removeAbandonedTemps(entriesDir, names);

  async function read(hex: string, key: CacheKey): Promise<CacheEntry | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(entriesDir, hex));
    } catch {
      // Missing, or unreadable: either way the vertex runs again, and a put that cannot write
      // reports the real problem.
      return undefined;
    }
    return decodeEntry(key, bytes);
  }

  return {
    dir,
    get: async (key) => read(hexOf(key), key),

    async put(key, result, info = {}) {
      const hex = hexOf(key);
      const entry: CacheEntry = { key, result, createdAt: Date.now() };
      if (info.name !== undefined) entry.name = info.name;
      let bytes: Buffer;
      try {
        bytes = encodeEntry(entry);
      } catch (err) {
        throw new LadeError(ErrorCode.Internal, `a result for ${key} is not JSON data`, { cause: err });
      }
      // ENOENT: the directory was removed (a prune of the whole cache), or an opener in another
      // PID namespace took our temp file for a dead writer's. Both are fixed by writing again.
      for (let attempt = 0; ; attempt++) {
        try {
          await writeThroughTemp(entriesDir, hex, bytes);
          return;
        } catch (err) {
          if (errnoOf(err) === 'ENOENT' && attempt < 2) {
            await mkdir(entriesDir, { recursive: true, mode: 0o700 }).catch(() => undefined);
            continue;
          }
          throw ioError('write the build cache entry', join(entriesDir, hex), err);
        }
      }
    },

    async delete(key) {
      const path = join(entriesDir, hexOf(key));
      try {
        await unlink(path);
        return true;
      } catch (err) {
        if (errnoOf(err) === 'ENOENT') return false;
        throw ioError('remove the build cache entry', path, err);
      }
    },

    async *entries() {
      let dirents: Dirent[];
      try {
        dirents = await readdir(entriesDir, { withFileTypes: true });
      } catch (err) {
        if (errnoOf(err) === 'ENOENT') return;
        throw ioError('list the build cache at', entriesDir, err);
      }
      for (const d of dirents) {
        if (!d.isFile() || !HEX_RE.test(d.name)) continue;
        const entry = await read(d.name, `sha256:${d.name}`);
        if (entry !== undefined) yield entry;
      }
    },
  };
}
