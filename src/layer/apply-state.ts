/**
 * The bookkeeping of one applyLayer run: which paths this layer produced (opaque markers and
 * whiteouts must spare them whatever their position in the tar), which directories still need
 * their times set, and the removal of existing paths that keeps those records and the resolver's
 * cache true. Paths are real root-relative paths (see resolve-in-root.ts).
 *
 * Filesystem calls are synchronous on purpose: an apply is a chain of small dependent calls
 * (create, chown, chmod, utimes), each a few microseconds; the async API would add a thread-pool
 * round trip to each without any parallelism to gain, since each entry depends on earlier ones.
 */
import type { Stats } from 'node:fs';
import {
  chmodSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  rmSync,
  unlinkSync,
  utimesSync,
} from 'node:fs';
import { isSysError, lsetxattr } from '../sys/index.js';
import type { LayerEntry } from './entry.js';
import { RootResolver } from './resolve-in-root.js';

export type WhiteoutMode = 'delete' | 'overlay';

export interface ApplyOptions {
  /**
   * `delete` (default): the target is a plain directory holding the lower layers; whiteouts
   * remove files from it. `overlay`: the target is an empty overlayfs upper directory; whiteouts
   * become overlayfs whiteouts (char device 0/0, `trusted.overlay.opaque=y`).
   */
  whiteouts?: WhiteoutMode;
  /** lchown entries to the tar's uid/gid (default true; needs root or a user namespace). */
  chown?: boolean;
  /**
   * Use `root` exactly as given instead of its realpath: for `/proc/PID/root`, the root of a
   * running container, which realpath would collapse to the caller's own `/`. Every path below it
   * is still resolved component by component inside it.
   */
  rootVerbatim?: boolean;
}

/** overlayfs keeps its own metadata under this prefix; a layer must not be able to set it. */
const OVERLAY_XATTR_PREFIX = 'trusted.overlay.';
// Who creates files (the owner a new file gets), asked once.
const CREATOR = { uid: process.geteuid?.() ?? -1, gid: process.getegid?.() ?? -1 } as const;

const NS_PER_S = 1_000_000_000n;

/**
 * A time for Node's utimes family, which goes through a double and libuv, and libuv truncates to
 * whole microseconds. Aiming at the middle of the microsecond makes that truncation land exactly
 * on it, so times are kept to the microsecond, deterministically (whole seconds exactly).
 * Times before 1970 become the epoch, as containerd's boundTime makes them (Node would
 * otherwise substitute the current time for a negative one).
 */
export function toSeconds(ns: bigint): number {
  if (ns < 0n) return 0;
  const seconds = ns / NS_PER_S;
  const micros = Number((ns - seconds * NS_PER_S) / 1000n);
  if (micros === 0) return Number(seconds);
  return Number(seconds) + (micros + 0.5) / 1e6;
}

export function lstatOrUndefined(abs: string): Stats | undefined {
  try {
    return lstatSync(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** What setMetadata needs to know about the node; a Stats fits. */
export interface MetadataTarget {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  uid?: number;
  gid?: number;
  /** Its permission bits (0o7777), when known to be what they are. */
  perm?: number;
}

export class ApplyState {
  readonly resolver: RootResolver;
  readonly mode: WhiteoutMode;
  readonly chown: boolean;
  readonly warnings: string[] = [];
  /** Paths this layer created or replaced. */
  private readonly unpacked = new Set<string>();
  /** Directories above those paths (they hold this layer's content, so they stay too). */
  private readonly ancestors = new Set<string>();
  /** Directory entries whose mtime is set at the end, once nothing is created inside them. */
  readonly dirTimes = new Map<string, bigint>();
  /** overlay: whiteout devices this layer made (a directory replacing one must be opaque). */
  readonly whiteoutDevices = new Set<string>();
  /**
   * Directories that change what a new file inside gets: setgid (the directory's group) or with a
   * default ACL (which replaces the umask).
   */
  readonly specialDirs = new Set<string>();
  /** The umask open(2) applies, read once per layer. */
  readonly umask = process.umask();

  constructor(root: string, options: ApplyOptions) {
    this.resolver = new RootResolver(root);
    this.mode = options.whiteouts ?? 'delete';
    this.chown = options.chown ?? true;
  }

  abs(rel: string): string {
    return this.resolver.abs(rel);
  }

  /** The real path of directory `rel`, created (with implied parents) when missing. */
  parentDir(rel: string): string {
    return this.resolver.resolveDir(rel, { create: true, chown: this.chown })!;
  }

  markUnpacked(rel: string): void {
    this.unpacked.add(rel);
    for (let slash = rel.lastIndexOf('/'); slash > 0; slash = rel.lastIndexOf('/', slash - 1)) {
      const parent = rel.slice(0, slash);
      if (this.ancestors.has(parent)) break;
      this.ancestors.add(parent);
    }
  }

  isUnpacked(rel: string): boolean {
    return this.unpacked.has(rel);
  }

  holdsLayerContent(rel: string): boolean {
    return this.unpacked.has(rel) || this.ancestors.has(rel);
  }

  /** Removes an existing path (a whole tree for a directory) and forgets what was below it. */
  remove(rel: string, stat: Stats): void {
    const abs = this.abs(rel);
    if (stat.isDirectory()) rmSync(abs, { recursive: true, force: true });
    else unlinkSync(abs);
    if (stat.isDirectory() || stat.isSymbolicLink()) this.resolver.invalidate();
    if (stat.isDirectory()) {
      const prefix = `${rel}/`;
      for (const dir of this.dirTimes.keys()) if (dir === rel || dir.startsWith(prefix)) this.dirTimes.delete(dir);
    }
    this.whiteoutDevices.delete(rel);
  }

  /** Sets an xattr from the tar; tolerates what Docker and containerd tolerate, with a warning. */
  setXattr(abs: string, path: string, name: string, value: Buffer, stat: { isFile(): boolean; isDirectory(): boolean }): void {
    if (name.startsWith(OVERLAY_XATTR_PREFIX)) {
      this.warnings.push(`${path}: ignored xattr ${name} (overlayfs metadata cannot come from a layer)`);
      return;
    }
    try {
      lsetxattr(abs, name, value);
    } catch (err) {
      if (isSysError(err) && err.code === 'ENOTSUP') {
        this.warnings.push(`${path}: ignored xattr ${name}: the filesystem does not support it`);
      } else if (isSysError(err) && err.code === 'EPERM' && name.startsWith('user.') && !stat.isFile() && !stat.isDirectory()) {
        // The kernel allows user.* attributes only on regular files and directories.
        this.warnings.push(`${path}: ignored xattr ${name}: user.* attributes exist only on files and directories`);
      } else {
        throw err;
      }
    }
  }

  /**
   * Owner, xattrs, mode and times, in that order: chown clears setuid/setgid bits and
   * security.capability, so both are set after it. `fd` is used when the file is open.
   * Symlinks keep their mode (Linux has no lchmod); directories get their time at the end.
   * A target whose owner is known and already right is not chowned: a hardlink entry would
   * otherwise strip a capability its header does not repeat.
   */
  setMetadata(abs: string, entry: LayerEntry, target: MetadataTarget, fd?: number): void {
    const chown = this.chown && (target.uid !== entry.uid || target.gid !== entry.gid);
    if (chown) {
      if (fd !== undefined) fchownSync(fd, entry.uid, entry.gid);
      else lchownSync(abs, entry.uid, entry.gid);
    }
    for (const [name, value] of entry.xattrs) this.setXattr(abs, entry.path, name, value, target);
    if (!target.isSymbolicLink() && (chown || target.perm !== entry.mode)) {
      if (fd !== undefined) fchmodSync(fd, entry.mode);
      else chmodSync(abs, entry.mode);
    }
    if (target.isDirectory()) return;
    const time = toSeconds(entry.mtime);
    if (fd !== undefined) futimesSync(fd, time, time);
    else if (target.isSymbolicLink()) lutimesSync(abs, time, time);
    else utimesSync(abs, time, time);
  }

  /**
   * Whether a file created in directory `dir` certainly gets this process's owner and the mode
   * open(2) asks for less the umask: in an empty upper directory every directory is this
   * layer's, and only a setgid one or one with a default ACL changes either.
   */
  plainParent(dir: string): boolean {
    return this.mode === 'overlay' && !this.specialDirs.has(dir);
  }

  /** The owner a file this process creates in a plain parent gets. */
  get creator(): { readonly uid: number; readonly gid: number } {
    return CREATOR;
  }

  /** Directory times, last: creating entries inside a directory changes its mtime. */
  finishDirectoryTimes(): void {
    for (const [rel, mtime] of this.dirTimes) {
      // Only a directory still reachable by its real path gets its time (defence in depth: a
      // removal updates dirTimes, so this holds unless the tree changed behind our back).
      if (this.resolver.resolveDir(rel, { create: false }) !== rel) continue;
      const time = toSeconds(mtime);
      lutimesSync(this.abs(rel), time, time);
    }
  }
}
