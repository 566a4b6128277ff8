/**
 * Walking a directory tree in the order Docker and BuildKit write layers (Go's filepath.Walk:
 * depth first, each directory's names sorted by their bytes), and turning what lstat reports into
 * layer entries. Packing uses it directly; a diff of two trees can walk both in step.
 */
import type { BigIntStats } from 'node:fs';
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { ErrorCode, LadeError } from '../errors/index.js';
import { isSysError, lgetxattr, llistxattr } from '../sys/index.js';
import type { EntryType, LayerEntry } from './entry.js';

export interface WalkedNode {
  /** Clean root-relative path. */
  path: string;
  abs: string;
  stat: BigIntStats;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function packError(path: string, err: unknown): LadeError {
  if (err instanceof LadeError) return err;
  return new LadeError(ErrorCode.LayerPack, `cannot pack "${path}": ${(err as Error).message}`, { cause: err });
}

/** Names of a directory, sorted by bytes (a JS string sort orders UTF-16 units, not UTF-8 bytes). */
function sortedNames(abs: string, rel: string): string[] {
  const raw = readdirSync(abs, { encoding: 'buffer' });
  raw.sort(Buffer.compare);
  return raw.map((name) => {
    try {
      return utf8.decode(name);
    } catch {
      throw new LadeError(ErrorCode.LayerPack, `cannot pack "${rel}/${name.toString('latin1')}": the name is not valid UTF-8 (lade handles UTF-8 names only)`);
    }
  });
}

/**
 * Yields every node under `root` (not the root itself), parents before children. `root` must
 * be a directory; symlinks are reported, never followed.
 */
export function* walkTree(root: string): Generator<WalkedNode, void, undefined> {
  const stack: Array<{ rel: string; abs: string; names: string[]; next: number }> = [];
  try {
    stack.push({ rel: '', abs: root, names: sortedNames(root, '.'), next: 0 });
  } catch (err) {
    throw packError('.', err);
  }
  while (stack.length > 0) {
    const dir = stack[stack.length - 1]!;
    if (dir.next >= dir.names.length) {
      stack.pop();
      continue;
    }
    const name = dir.names[dir.next++]!;
    const path = dir.rel === '' ? name : `${dir.rel}/${name}`;
    const abs = `${dir.abs}/${name}`;
    let stat: BigIntStats;
    try {
      stat = lstatSync(abs, { bigint: true });
    } catch (err) {
      throw packError(path, err);
    }
    yield { path, abs, stat };
    if (stat.isDirectory()) {
      try {
        stack.push({ rel: path, abs, names: sortedNames(abs, path), next: 0 });
      } catch (err) {
        throw packError(path, err);
      }
    }
  }
}

/** Linux's dev_t layout (glibc gnu_dev_major/gnu_dev_minor). */
export function deviceNumbers(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major & 0xffffffffn), minor: Number(minor & 0xffffffffn) };
}

export function entryType(stat: BigIntStats): EntryType | undefined {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'dir';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isCharacterDevice()) return 'char';
  if (stat.isBlockDevice()) return 'block';
  if (stat.isFIFO()) return 'fifo';
  return undefined; // sockets: no producer records them
}

/**
 * The node's extended attributes whose names pass `include`. A filesystem without xattr
 * support has none.
 */
export function readXattrs(abs: string, include: (name: string) => boolean): Map<string, Buffer> {
  const xattrs = new Map<string, Buffer>();
  let names: string[];
  try {
    names = llistxattr(abs);
  } catch (err) {
    if (isSysError(err) && err.code === 'ENOTSUP') return xattrs;
    throw err;
  }
  for (const name of names.filter(include).sort()) {
    const value = lgetxattr(abs, name);
    if (value !== undefined) xattrs.set(name, value);
  }
  return xattrs;
}

export interface EntryOptions {
  /** Whole-second mtimes, as Docker and BuildKit record them (default: keep nanoseconds). */
  truncateMtime?: boolean;
  /**
   * Which xattrs to record; default: all but overlayfs metadata and SELinux labels. Sees every
   * name the node has (with its path), so it may also refuse one by throwing.
   */
  includeXattr?: (name: string, path: string) => boolean;
}

/**
 * What BuildKit and Docker record: whole-second mtimes and, of all xattrs, only
 * security.capability. With these, packDirectory's bytes equal BuildKit's for the same tree.
 */
export const BUILDKIT_ENTRY_OPTIONS: Readonly<EntryOptions> = {
  truncateMtime: true,
  includeXattr: (name) => name === 'security.capability',
};

/** Host-specific attributes that are not content: overlayfs bookkeeping and SELinux labels. */
export function defaultIncludeXattr(name: string): boolean {
  return !name.startsWith('trusted.overlay.') && name !== 'security.selinux';
}

function decodeLink(node: WalkedNode): string {
  const target = readlinkSync(node.abs, { encoding: 'buffer' });
  try {
    return utf8.decode(target);
  } catch {
    throw new LadeError(ErrorCode.LayerPack, `cannot pack "${node.path}": its symlink target is not valid UTF-8`);
  }
}

/** The entry a walked node stands for (a plain file even when it has other links); undefined for sockets. */
export function entryFromNode(node: WalkedNode, options: EntryOptions = {}): LayerEntry | undefined {
  const type = entryType(node.stat);
  if (type === undefined) return undefined;
  const { stat } = node;
  const device = type === 'char' || type === 'block' ? deviceNumbers(stat.rdev) : { major: 0, minor: 0 };
  let mtime = stat.mtimeNs;
  if (options.truncateMtime === true) mtime -= ((mtime % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  try {
    return {
      path: node.path,
      type,
      mode: Number(stat.mode & 0o7777n),
      uid: Number(stat.uid),
      gid: Number(stat.gid),
      uname: '',
      gname: '',
      size: type === 'file' ? Number(stat.size) : 0,
      mtime,
      linkname: type === 'symlink' ? decodeLink(node) : '',
      devmajor: device.major,
      devminor: device.minor,
      xattrs: readXattrs(node.abs, options.includeXattr === undefined ? defaultIncludeXattr : (name) => options.includeXattr!(name, node.path)),
    };
  } catch (err) {
    throw packError(node.path, err);
  }
}

/**
 * Hardlink detection as BuildKit's ChangeWriter does it: the first path seen for a
 * (device, inode) with more than one link is written as a file, later ones as hardlinks to it.
 */
export class HardlinkTracker {
  private readonly first = new Map<string, string>();

  /** The earlier path this node is a hardlink to, or undefined (and it is remembered). */
  linkTarget(node: WalkedNode): string | undefined {
    if (node.stat.isDirectory() || node.stat.nlink < 2n) return undefined;
    const key = `${node.stat.dev}:${node.stat.ino}`;
    const seen = this.first.get(key);
    if (seen !== undefined) return seen;
    this.first.set(key, node.path);
    return undefined;
  }
}
