/**
 * A whole directory of the build context copied into a directory the copy creates, built in the
 * layer's own (unmounted) directory with hard links to immutable copies of the context's files:
 * a store of files named by content digest, mode and mtime, owned by root. A file the store
 * already holds costs a link(2), not a copy; only files new to the store are written, once.
 *
 * The result is what the copier makes for the same copy onto a new destination (owners 0:0 as
 * the Docker CLI sends the context, the source's modes and times, directory times set after their
 * contents, the destination 0755 with the source directory's times). A store file is never
 * written after its rename into place, and layers never change once committed — a later step that
 * changes such a file gets an overlay copy-up — so sharing inodes is safe. The caller makes sure of
 * the rest (see copy-reuse.ts): overlay layers, no `--chown`/`--chmod`, no hard links or xattrs
 * in the source, a destination no lower layer has.
 */
import { chmodSync, constants, linkSync, lstatSync, mkdirSync, readlinkSync, symlinkSync, type BigIntStats } from 'node:fs';
import { copyFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { eachLimited } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { llistxattr } from '../sys/index.js';
import { copyXattrs, setOwner, setTimes, storedTimeNs } from './attributes.js';
import type { CopiedEntry } from './refresh-copy.js';

const ROOT = { uid: 0, gid: 0 };
const STORE_CONCURRENCY = 8;

export interface LinkedCopyOptions {
  /** The new layer's own directory: not mounted anywhere. */
  target: string;
  /** The directory the copy creates, directly below the root of the layer. */
  destRel: string;
  /** The copied source directory (a host path). */
  source: string;
  /** Entries below the source directory, relative paths in walk order (parents first), with digests. */
  entries: ReadonlyMap<string, CopiedEntry>;
  /** The file store (`<root>/buildcontext/files`). */
  store: string;
}

export interface LinkedCopyStats {
  linked: number;
  /** Files new to the store, copied into it. */
  stored: number;
}

function refuse(what: string): LadeError {
  return new LadeError(ErrorCode.FileopFailed, `cannot link the copy: ${what}`);
}

function storePath(store: string, entry: CopiedEntry, src: string): string {
  const digest = entry.digest;
  if (digest === undefined || !digest.startsWith('sha256:')) throw refuse(`${src} has no digest`);
  return join(store, `${digest.slice(7)}-${entry.mode.toString(8)}-${entry.mtimeNs}`);
}

/** Whether the store file at `path` is the one its name promises. */
function whole(path: string, entry: CopiedEntry): boolean {
  const st = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  if (st === undefined) return false;
  return st.isFile() && st.size === BigInt(entry.size) && st.mtimeNs === storedTimeNs(BigInt(entry.mtimeNs)) && Number(st.mode & 0o7777n) === entry.mode && st.uid === 0n && st.gid === 0n;
}

let temps = 0;

function sameStat(a: BigIntStats, b: BigIntStats): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino && a.dev === b.dev;
}

/**
 * Copies a source file into the store under `path`: written to a temporary name, given its
 * attributes, then renamed into place, so a store file is whole or absent whatever kills the
 * build, and builds filling the store at once never see each other's half-written files. The
 * source must be the file the scan hashed (size and mtime as scanned) and must not change while
 * it is copied (its stat the same before and after): the trust the context's hash index gives a
 * file it does not read again.
 */
async function storeFile(path: string, src: string, entry: CopiedEntry): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${temps++}`;
  const changed = (): LadeError =>
    new LadeError(ErrorCode.FileRead, `${src} changed while the build was reading it`, { hint: 'Build again once the context is no longer being written.' });
  try {
    const before = lstatSync(src, { bigint: true });
    if (!before.isFile() || before.size !== BigInt(entry.size) || before.mtimeNs !== BigInt(entry.mtimeNs)) throw changed();
    await copyFile(src, tmp, constants.COPYFILE_EXCL);
    if (!sameStat(before, lstatSync(src, { bigint: true }))) throw changed();
    setOwner(tmp, ROOT);
    chmodSync(tmp, entry.mode);
    setTimes(tmp, before.atimeNs, before.mtimeNs);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Files new to the store are copied in first, several at a time (the waits on the disk overlap). */
async function fillStore(store: string, source: string, entries: ReadonlyMap<string, CopiedEntry>): Promise<number> {
  const missing: [string, string, CopiedEntry][] = [];
  const seen = new Set<string>();
  for (const [rel, entry] of entries) {
    if (entry.type !== 'file') continue;
    const src = join(source, rel);
    const path = storePath(store, entry, src);
    if (seen.has(path) || whole(path, entry)) continue;
    seen.add(path);
    missing.push([path, src, entry]);
  }
  await eachLimited(missing, STORE_CONCURRENCY, ([path, src, entry]) => storeFile(path, src, entry));
  return missing.length;
}

export async function linkedDirectoryCopy(options: LinkedCopyOptions): Promise<LinkedCopyStats> {
  if (options.destRel === '' || options.destRel.includes('/')) throw refuse(`${options.destRel} is not a directory below the root`);
  mkdirSync(options.store, { recursive: true, mode: 0o700 });
  const stats: LinkedCopyStats = { linked: 0, stored: await fillStore(options.store, options.source, options.entries) };
  const top = join(options.target, options.destRel);
  mkdirSync(top, 0o755);
  setOwner(top, ROOT);
  const dirs: [string, string][] = [];
  for (const [rel, entry] of options.entries) {
    const src = join(options.source, rel);
    const dst = join(top, rel);
    const st = lstatSync(src, { bigint: true });
    if (llistxattr(src).length > 0 && entry.type !== 'dir') throw refuse(`${src} has extended attributes`);
    if (entry.type === 'dir') {
      if (!st.isDirectory()) throw refuse(`${src} is no longer a directory`);
      mkdirSync(dst);
      setOwner(dst, ROOT);
      chmodSync(dst, entry.mode);
      copyXattrs(src, dst);
      dirs.push([src, dst]);
    } else if (entry.type === 'file') {
      if (!st.isFile() || st.nlink > 1n) throw refuse(`${src} is not a plain file`);
      linkSync(storePath(options.store, entry, src), dst);
      stats.linked++;
    } else {
      if (!st.isSymbolicLink()) throw refuse(`${src} is no longer a symlink`);
      symlinkSync(readlinkSync(src, { encoding: 'buffer' }), dst);
      setOwner(dst, ROOT);
      setTimes(dst, st.atimeNs, st.mtimeNs);
    }
  }
  // The copier times a directory after its contents; children before parents here too.
  for (const [src, dst] of dirs.reverse()) {
    const st = lstatSync(src, { bigint: true });
    setTimes(dst, st.atimeNs, st.mtimeNs);
  }
  const root = lstatSync(options.source, { bigint: true });
  setTimes(top, root.atimeNs, root.mtimeNs);
  return stats;
}
