/**
 * The layer entry model: one tar entry as plain data, independent of how it is encoded, and the
 * name rules every reader and writer shares (image-spec layer.md; Docker's pkg/archive).
 */
import { posix } from 'node:path';
import { ErrorCode, LadeError } from '../errors/index.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface LayerEntry {
  /**
   * Clean, relative, `/`-separated, without a trailing slash (`usr/bin/env`). The root directory
   * itself, which `tar -C dir .` records as `./`, is `.`.
   */
  path: string;
  type: EntryType;
  /** Permission bits including setuid, setgid and sticky (at most 0o7777); no file-type bits. */
  mode: number;
  uid: number;
  gid: number;
  /** Informational only: extraction uses uid/gid, as Docker does. Empty when not recorded. */
  uname: string;
  gname: string;
  /** Body length in bytes; 0 for every type but `file`. */
  size: number;
  /** Modification time in nanoseconds since the Unix epoch (PAX records carry sub-seconds). */
  mtime: bigint;
  /**
   * `symlink`: the target, verbatim. `hardlink`: the clean root-relative path of an earlier
   * entry (or of a lower-layer file). Otherwise empty.
   */
  linkname: string;
  /** Device numbers of `char` and `block` entries; 0 otherwise. */
  devmajor: number;
  devminor: number;
  /** Extended attributes (tar `SCHILY.xattr.<name>` records), name → raw value. */
  xattrs: Map<string, Buffer>;
}

/** An entry with default attributes, for producers that fill in only what they know. */
export function makeEntry(fields: Pick<LayerEntry, 'path' | 'type'> & Partial<LayerEntry>): LayerEntry {
  return {
    mode: fields.type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    size: 0,
    mtime: 0n,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
    ...fields,
  };
}

const DOT_COMPONENT = /(?:^|\/)\.{1,2}(?:\/|$)/;

/** Already clean: relative, no empty, `.` or `..` components, no trailing slash. */
function isClean(name: string): boolean {
  return !name.startsWith('/') && !name.endsWith('/') && !name.includes('//') && !DOT_COMPONENT.test(name);
}

/** What a name means once cleaned: the layer root, or a path below it. */
export type CleanedName = { root: true; path: '.' } | { root: false; path: string };

/**
 * Cleans a tar name the way Docker does (`path.Clean`, then joined under the root): `a//b/./c/`
 * → `a/b/c`; a leading `/` is dropped, so `/etc/x` and `/../etc/x` mean `etc/x`; a relative name
 * that climbs out (`../x`, `a/../../x`) is refused, as Docker's breakout check refuses it.
 * `what` names the field in messages ("entry name", "hardlink target").
 */
export function cleanName(raw: string, what: string): CleanedName {
  if (raw === '') throw new LadeError(ErrorCode.LayerUnsafePath, `empty ${what}`);
  if (raw.includes('\0')) throw new LadeError(ErrorCode.LayerUnsafePath, `${what} ${JSON.stringify(raw)} contains a NUL byte`);
  if (isClean(raw)) return { root: false, path: raw };
  let path = posix.normalize(raw);
  if (path === '..' || path.startsWith('../')) {
    throw new LadeError(ErrorCode.LayerUnsafePath, `${what} ${JSON.stringify(raw)} points outside the layer root`);
  }
  path = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (path === '' || path === '.') return { root: true, path: '.' };
  return { root: false, path };
}

/** Splits a clean path into its parent (`''` for the root) and its last component. */
export function splitPath(path: string): { parent: string; base: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { parent: '', base: path } : { parent: path.slice(0, slash), base: path.slice(slash + 1) };
}

/** The mode bits a tar header may carry into an entry. */
export const PERMISSION_MASK = 0o7777;
