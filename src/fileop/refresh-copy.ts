/**
 * A whole-directory copy done again when only some of the source changed: the tree an earlier
 * copy of the same directory onto the same parent produced (a committed layer, immutable) is
 * cloned with hard links into the new layer, and only what differs is written — what a full copy
 * would have written for it, with the copier's own rules for owners, modes, times and xattrs. A
 * rebuild after one file of a large context changed then writes that file, not the context.
 *
 * Sharing inodes between layers is safe because layers are never written once committed: a later
 * step that changes a file gets an overlay copy-up of it. The caller checks what makes the reuse
 * exact (the same copy action onto the same parent snapshot, one source directory without hard
 * links) and falls back to a full copy when this throws.
 */
import {
  chmodSync,
  copyFileSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  type BigIntStats,
} from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, LadeError } from '../errors/index.js';
import { copyXattrs, setOwner, setTimes, type Owner } from './attributes.js';

/** What a copy made of one source entry depends on (times excepted for directories' contents). */
export interface CopiedEntry {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  /** Decimal nanoseconds. */
  mtimeNs: string;
  digest?: string;
  linkTarget?: string;
}

export interface RefreshOptions {
  /** The earlier layer's own directory (read only). */
  previous: string;
  /** The new layer's own directory: empty, not mounted anywhere. */
  target: string;
  /** Where the copied directory's contents are in both layers, relative to their root ('' for the root). */
  destRel: string;
  /** The source directory being copied (a host path). */
  source: string;
  /** Entries below the source directory (relative paths, walk order), then and now. */
  before: ReadonlyMap<string, CopiedEntry>;
  after: ReadonlyMap<string, CopiedEntry>;
  /** `--chown`, or undefined to keep the source's owners. */
  owner: Owner | undefined;
  /**
   * The copy made the top directory (it was not in the parent): it has the source directory's
   * times, as the copier gives a directory it creates. Otherwise it keeps the earlier layer's.
   */
  topCreated: boolean;
}

export interface RefreshStats {
  written: number;
  removed: number;
  linked: number;
}

function unsupported(what: string): LadeError {
  return new LadeError(ErrorCode.FileopFailed, `cannot reuse the earlier copy: ${what}`);
}

function same(a: CopiedEntry, b: CopiedEntry): boolean {
  return a.type === b.type && a.mode === b.mode && a.size === b.size && a.mtimeNs === b.mtimeNs && a.digest === b.digest && a.linkTarget === b.linkTarget;
}

/**
 * Clones a layer tree: directories recreated with their attributes, files hard-linked, symlinks
 * copied. Files need no stat of their own (a link shares the inode's attributes), which is most
 * of a large tree's entries.
 */
function cloneTree(from: string, to: string, stats: RefreshStats): void {
  const st = lstatSync(from, { bigint: true });
  if (!st.isDirectory()) throw unsupported(`${from} is not a directory`);
  mkdirSync(to);
  cloneChildren(from, to, stats);
  cloneAttributes(from, to, st);
}

function cloneChildren(from: string, to: string, stats: RefreshStats): void {
  for (const child of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, child.name);
    const dst = join(to, child.name);
    if (child.isFile()) {
      linkSync(src, dst);
      stats.linked++;
    } else if (child.isDirectory()) {
      cloneTree(src, dst, stats);
    } else if (child.isSymbolicLink()) {
      symlinkSync(readlinkSync(src, { encoding: 'buffer' }), dst);
      cloneAttributes(src, dst, lstatSync(src, { bigint: true }));
    } else {
      // Whiteouts, devices, fifos: a layer a plain copy made holds none.
      throw unsupported(`${src} is neither a file, a directory nor a symlink`);
    }
  }
}

function cloneAttributes(from: string, to: string, st: BigIntStats): void {
  setOwner(to, { uid: Number(st.uid), gid: Number(st.gid) });
  if (!st.isSymbolicLink()) chmodSync(to, Number(st.mode & 0o7777n));
  copyXattrs(from, to);
  setTimes(to, st.atimeNs, st.mtimeNs);
}

/** The copier's copyInfo for one entry: owner, mode (not for a symlink), times, then xattrs. */
function copyAttributes(src: string, dst: string, owner: Owner | undefined): void {
  const st = lstatSync(src, { bigint: true });
  setOwner(dst, owner ?? { uid: Number(st.uid), gid: Number(st.gid) });
  if (!st.isSymbolicLink()) chmodSync(dst, Number(st.mode & 0o7777n));
  setTimes(dst, st.atimeNs, st.mtimeNs);
  copyXattrs(src, dst);
}

function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

export function refreshDirectoryCopy(options: RefreshOptions): RefreshStats {
  const stats: RefreshStats = { written: 0, removed: 0, linked: 0 };
  const top = options.destRel === '' ? options.target : join(options.target, options.destRel);
  cloneChildren(options.previous, options.target, stats);
  const topStat = lstatSync(top, { bigint: true });
  if (!topStat.isDirectory()) throw unsupported(`${options.destRel} is not a directory in the earlier layer`);

  const touchedDirs = new Set<string>();
  const touch = (rel: string): void => {
    for (let dir = parentOf(rel); ; dir = parentOf(dir)) {
      touchedDirs.add(dir);
      if (dir === '') break;
    }
  };

  for (const [rel, entry] of options.before) {
    const now = options.after.get(rel);
    if (now !== undefined && (now.type === entry.type || (now.type === 'dir') === (entry.type === 'dir'))) continue;
    // Gone, or a directory became a non-directory (or the reverse): its old tree goes.
    rmSync(join(top, rel), { recursive: true, force: true });
    stats.removed++;
    touch(rel);
  }

  for (const [rel, entry] of options.after) {
    const was = options.before.get(rel);
    if (was !== undefined && same(was, entry)) continue;
    const src = join(options.source, rel);
    const dst = join(top, rel);
    touch(rel);
    if (entry.type === 'dir') {
      if (was?.type !== 'dir') mkdirSync(dst);
      copyAttributes(src, dst, options.owner);
      continue;
    }
    rmSync(dst, { force: true });
    if (entry.type === 'file') copyFileSync(src, dst);
    else symlinkSync(readlinkSync(src, { encoding: 'buffer' }), dst);
    copyAttributes(src, dst, options.owner);
    stats.written++;
  }

  // Writing in a directory moved its mtime: the copier sets a directory's times after its
  // contents, so they are the source's again, deepest first.
  const dirs = [...touchedDirs].sort((a, b) => b.length - a.length);
  for (const rel of dirs) {
    // A directory removed with its contents has no times to restore.
    if (rel === '' || options.after.get(rel)?.type !== 'dir') continue;
    const st = lstatSync(join(options.source, rel), { bigint: true });
    setTimes(join(top, rel), st.atimeNs, st.mtimeNs);
  }
  if (options.topCreated) {
    const st = lstatSync(options.source, { bigint: true });
    setTimes(top, st.atimeNs, st.mtimeNs);
  } else {
    setTimes(top, topStat.atimeNs, topStat.mtimeNs);
  }
  return stats;
}
