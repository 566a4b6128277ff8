/**
 * The build context as the builder sees it: what BuildKit's context transfer (tonistiigi/fsutil)
 * would put in the local source's snapshot, and what a COPY/ADD source selects from it.
 */
import type { IgnoreMatcher } from '../frontend/index.js';

/**
 * Every kind fsutil sends. It sends a stat packet for every entry its walk meets, whatever its
 * type, and data only for regular files; the receiver creates fifos and devices with mknod
 * (devices need privilege, so a context holding one fails an unprivileged build) and turns a
 * socket into an empty regular file. They are kept here so that selection and keys see what
 * BuildKit sees; what to do with them when copying is the copier's decision.
 */
export type ContextFileType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char-device' | 'block-device';

export interface ContextFile {
  /** Context-relative, '/'-separated, no leading './' or trailing '/'. */
  readonly path: string;
  readonly type: ContextFileType;
  /** Permission bits with setuid, setgid and sticky: `st_mode & 0o7777`. */
  readonly mode: number;
  /** Bytes, from lstat (for a directory the filesystem's own figure, never part of a key). */
  readonly size: number;
  /** From lstat, in milliseconds; never part of a key (fsutil sends it, COPY keeps it). */
  readonly mtimeMs: number;
  /** From lstat, exact; absent for the context root. */
  readonly mtimeNs?: bigint;
  /** Links to the inode (a COPY keeps hard links between the files it copies). */
  readonly nlink?: number;
  /** Symlinks: the target exactly as stored. */
  readonly linkTarget?: string;
  /** Devices: the numbers Linux's `major()`/`minor()` give. */
  readonly devMajor?: number;
  readonly devMinor?: number;
  /**
   * Regular files: `sha256:<hex>` of the content, once known. Scanning reads no content;
   * `ContextScan.hash` (which `contentKey` calls) fills it in, from the index where the index
   * vouches for the file, else by reading it.
   */
  readonly digest?: string;
}

/** One thing a COPY source names, as fsutil's `copy.Copy` would copy it. */
export interface ContextMatch {
  /**
   * The context path BuildKit's `ResolveWildcards` returns: the source as written (cleaned) when
   * it has no wildcard, else the path of a matching entry under the wildcard's base, with
   * symlinks in that base already resolved. '.' is the context root.
   */
  readonly path: string;
  /**
   * What is copied: the entry at `path`, or, when that is a symlink, the entry it resolves to
   * (COPY follows a symlink named as its source; the resolution stays inside the context).
   */
  readonly source: ContextFile;
  /** `source`, then for a directory everything the context holds below it, in walk order. */
  readonly entries: readonly ContextFile[];
}

export interface ScanOptions {
  /** The .dockerignore rules (the frontend's matcher); excluded entries are not in the scan. */
  ignore?: IgnoreMatcher;
  /**
   * Where this context's index lives (`contextIndexDir(root, dir)` gives lade's place for it).
   * Without one, every file a key needs is read.
   */
  indexDir?: string;
  /**
   * Index entries whose file changed less than this before the index was written are not
   * trusted (git's "racy" entries). Default 2000 ms; a filesystem with a coarser clock, or a
   * network one whose clock drifts from this machine's, may want more.
   */
  racyWindowMs?: number;
}

export interface ScanStats {
  /** Entries in the context (after .dockerignore). */
  entries: number;
  /** Regular files whose content was read and hashed. */
  hashed: number;
  hashedBytes: number;
  /** Of those, the files a second thread hashed (a large batch is split between two). */
  hashedOnThread: number;
  /** Digests taken from the index without reading the file. */
  reused: number;
  /**
   * The index as loaded: none asked for, missing, loaded, or `invalid` (torn, garbage, another
   * version or another context's) and therefore ignored.
   */
  index: 'none' | 'missing' | 'loaded' | 'invalid';
  /** Index entries dropped at load because their file changed too close to the index write. */
  racy: number;
}

export interface SaveIndexResult {
  written: boolean;
  entries: number;
  /** Why the index could not be written; a build goes on without it. */
  error?: Error;
}

export interface ContextScan {
  /** The realpath of the context directory. */
  readonly dir: string;
  /**
   * Every entry the context sends, by path, iterating in walk order (depth first, names in byte
   * order, as fsutil sends them). The root is not an entry.
   */
  readonly files: ReadonlyMap<string, ContextFile>;
  readonly stats: Readonly<ScanStats>;
  /**
   * What a COPY source selects, one match per path BuildKit's `ResolveWildcards` returns. The
   * source may contain Go `filepath.Match` wildcards (`*`, `?`, `[...]`, `\` escapes) in any
   * component. Returns [] when nothing matches (including a plain source that does not exist,
   * or names a symlink whose target does not: the caller reports "not found"). Throws a
   * LadeError (FILE_READ) where BuildKit's copy fails instead: a wildcard whose base directory
   * does not exist, a wildcard match that is a dangling symlink, more than 255 symlinks on the
   * way. The context root ('.', '/', '..') selects the root entry (path '.', a 0755 directory:
   * fsutil never sends the root, so the receiving snapshot's own root is what COPY sees) and
   * every entry.
   */
  matches(source: string): ContextMatch[];
  /** The entries of `matches(source)`, flattened. Digests are not read here; see `hash`. */
  select(source: string): ContextFile[];
  /** Fills in the digest of each regular file given, reading only what the index cannot vouch for. */
  hash(files: Iterable<ContextFile>): Promise<void>;
  /**
   * `sha256:<hex>` over the sources listed (the list itself included, in order): for each match
   * its path relative to the source's wildcard base, and for each of its entries, in walk order,
   * the path below the match, type, mode, size (regular files), link target, device numbers and
   * content digest. Never mtimes, inode numbers, owners or where the context is, so the same
   * content in another directory or on another machine gives the same key.
   */
  contentKey(sources: readonly string[]): Promise<string>;
  /**
   * Writes the index for the next scan (temp file + rename; concurrent writers: the last one
   * wins): every digest this scan read, and every loaded entry whose file still has its stat.
   * Call it once the build's keys are computed; it skips the write when nothing changed. Never
   * throws: a build does not fail over its cache.
   */
  saveIndex(): Promise<SaveIndexResult>;
}
