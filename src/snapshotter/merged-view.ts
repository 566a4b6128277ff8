/**
 * The merged view of a stack of layer directories, computed without mounting, by overlayfs's own
 * lookup rules (Documentation/filesystems/overlayfs.rst): the top-most entry of a name wins; a
 * char device 0/0 is a whiteout (the name is gone); a directory merges with the directories of
 * the same name below it until one is opaque (trusted.overlay.opaque=y) or a layer holds a
 * non-directory there. A copy-driver tree is a stack of one plain directory (no whiteouts).
 */
import type { BigIntStats } from 'node:fs';
import { lstatSync, readlinkSync } from 'node:fs';
import { ErrorCode, LadeError } from '../errors/index.js';
import { lgetxattr } from '../sys/index.js';

export interface LayerStack {
  /** Absolute layer directories, top-most first. */
  readonly layers: readonly string[];
  /** Overlay semantics (whiteouts, opaque directories); false for a plain tree. */
  readonly overlay: boolean;
}

export type Lookup =
  | { kind: 'missing' }
  | { kind: 'node'; abs: string; stat: BigIntStats }
  /** `dirs`: the directory in each layer that contributes to it, top-most first. */
  | { kind: 'dir'; abs: string; stat: BigIntStats; dirs: string[] };

/** Symlinks followed in one resolution before giving up (Linux's MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

function lstatOrUndefined(abs: string): BigIntStats | undefined {
  try {
    return lstatSync(abs, { bigint: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

export function isWhiteout(stat: BigIntStats): boolean {
  return stat.isCharacterDevice() && stat.rdev === 0n;
}

export function isOpaque(abs: string): boolean {
  return lgetxattr(abs, 'trusted.overlay.opaque')?.toString('latin1') === 'y';
}

/** The entry `name` inside a merged directory given by its contributing layer directories. */
export function lookupChild(dirs: readonly string[], name: string, overlay: boolean): Lookup {
  const merged: string[] = [];
  let top: BigIntStats | undefined;
  for (const dir of dirs) {
    const abs = `${dir}/${name}`;
    const stat = lstatOrUndefined(abs);
    if (stat === undefined) continue;
    if (top === undefined) {
      if (overlay && isWhiteout(stat)) return { kind: 'missing' };
      if (!stat.isDirectory()) return { kind: 'node', abs, stat };
      top = stat;
    } else if (!stat.isDirectory()) {
      break; // a lower non-directory or whiteout ends the merge
    }
    merged.push(abs);
    if (!overlay || isOpaque(abs)) break;
  }
  return top === undefined ? { kind: 'missing' } : { kind: 'dir', abs: merged[0]!, stat: top, dirs: merged };
}

function rootOf(stack: LayerStack): Lookup {
  const stat = lstatSync(stack.layers[0]!, { bigint: true });
  return { kind: 'dir', abs: stack.layers[0]!, stat, dirs: stack.overlay ? [...stack.layers] : [stack.layers[0]!] };
}

/** The entry at clean relative path `rel` ('' for the root), following no symlink. */
export function lookupPath(stack: LayerStack, rel: string): Lookup {
  let current = rootOf(stack);
  if (rel === '') return current;
  for (const name of rel.split('/')) {
    if (current.kind !== 'dir') return { kind: 'missing' };
    current = lookupChild(current.dirs, name, stack.overlay);
  }
  return current;
}

/**
 * Resolves `path` inside the merged view as a chroot would: absolute symlinks start again at the
 * view's root, `..` never climbs above it, every symlink (the last component's too) is followed.
 */
export function resolvePath(stack: LayerStack, path: string): Lookup {
  const root = rootOf(stack);
  const pending = path.split('/').reverse();
  let trail: Lookup[] = [root];
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (name === '' || name === '.') continue;
    if (name === '..') {
      if (trail.length > 1) trail.pop();
      continue;
    }
    const dir = trail[trail.length - 1]!;
    if (dir.kind !== 'dir') return { kind: 'missing' };
    const found = lookupChild(dir.dirs, name, stack.overlay);
    if (found.kind === 'missing') return found;
    if (found.kind === 'node' && found.stat.isSymbolicLink()) {
      if (++hops > MAX_SYMLINKS) {
        throw new LadeError(ErrorCode.SnapshotIo, `too many levels of symbolic links resolving ${JSON.stringify(path)} in a snapshot`);
      }
      const target = readlinkSync(found.abs);
      if (target.startsWith('/')) trail = [root];
      pending.push(...target.split('/').reverse());
      continue;
    }
    trail.push(found);
  }
  return trail[trail.length - 1]!;
}
