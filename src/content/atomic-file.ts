/**
 * Whole-file replacement that a crash cannot tear: readers see the old file or the new one, never
 * a mix or a truncation. Write a temporary file in the same directory (rename is atomic only
 * within a filesystem), fsync it so its data is on disk before its name is, rename it over the
 * target, then fsync the directory so the rename itself survives a power loss.
 */
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstat, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDir, ioError, writevAll } from './fs-util.js';
import { isAbandoned, STALE_AFTER_MS, tempFileName } from './temp-owner.js';

const TEMP_SUFFIX = '.lade-tmp';

export interface AtomicWriteOptions {
  /** Permission bits of the new file; 0o644 by default. */
  mode?: number;
  /**
   * fsync the file and its directory (the default). Without, the replacement is still atomic for
   * every reader and against a kill (the kernel keeps the written pages), but not against a power
   * loss: for state that is cheap to lose, such as a container's, where two fsyncs per write
   * would dominate a `lade run`.
   */
  durable?: boolean;
}

export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, tempFileName(`.${basename(path)}.`, TEMP_SUFFIX));
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fh: FileHandle | undefined;
  let step = 'create';
  try {
    // 'wx' (O_EXCL) so two writers never share a temporary file.
    fh = await open(temp, 'wx', options.mode ?? 0o644);
    step = 'write';
    await writevAll(fh, [bytes], 0);
    step = 'sync';
    if (options.durable !== false) await fh.sync();
    step = 'close';
    await fh.close();
    fh = undefined;
    step = 'rename';
    await rename(temp, path);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw ioError(`${step} temporary file for`, path, err);
  }
  if (options.durable !== false) await fsyncDir(dir);
}

/**
 * writeFileAtomic with durable: false, without leaving the thread: for a small record that is read
 * and replaced several times per build step (the snapshotter's), where three trips through Node's
 * thread pool cost more than the write itself.
 */
export function replaceFileSync(path: string, data: string, mode = 0o644): void {
  const temp = join(dirname(path), tempFileName(`.${basename(path)}.`, TEMP_SUFFIX));
  try {
    writeFileSync(temp, data, { flag: 'wx', mode });
    renameSync(temp, path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or renamed already.
    }
    throw ioError('write temporary file for', path, err);
  }
}

/**
 * Removes temporary files that writeFileAtomic left in `dir` when its process was killed. Files of
 * live writers are kept; files whose owner cannot be judged are removed once older than
 * `staleAfterMs`. Returns the number removed.
 */
export async function cleanAtomicTemps(dir: string, staleAfterMs = STALE_AFTER_MS): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw ioError('list', dir, err);
  }
  let removed = 0;
  const now = Date.now();
  for (const name of names) {
    if (!name.endsWith(TEMP_SUFFIX)) continue;
    const path = join(dir, name);
    try {
      const st = await lstat(path);
      if (!st.isFile() || !isAbandoned(name, st.mtimeMs, now, staleAfterMs)) continue;
      await unlink(path);
      removed++;
    } catch {
      // Gone already: another cleaner or its own writer got there first.
    }
  }
  return removed;
}
