/**
 * The two ways of finding a snapshot's changes.
 *
 * overlayChanges walks only the upper directory (BuildKit's overlay differ, util/overlay): every
 * path there was touched, and the lower stack says whether it was added, modified or left as it
 * was (copied up but unchanged); a whiteout device is a deletion when it hides something.
 *
 * treeChanges walks the parent's tree and the snapshot's tree side by side (continuity's
 * fs.Changes double walk), for the copy driver, whose snapshots are whole trees.
 */
import { BUILDKIT_ENTRY_OPTIONS, walkTree, type EntryOptions, type WalkedNode } from '../layer/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { lgetxattr } from '../sys/index.js';
import type { Change } from './change-writer.js';
import { isOpaque, isWhiteout, lookupChild, lookupPath, type LayerStack, type Lookup } from './merged-view.js';
import { sameEntry, type DiffOptions } from './same-entry.js';

const MISSING: Lookup = { kind: 'missing' };

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function unsupported(node: { path: string }, what: string): LadeError {
  return new LadeError(ErrorCode.SnapshotIo, `cannot diff "${node.path}": the overlay upper directory holds ${what}`, {
    hint: 'lade mounts overlays with redirect_dir=off and metacopy=off; this layer was written by another mount.',
  });
}

/**
 * BuildKit's entry options for an overlay upper directory's changes, refusing a metadata-only
 * copy-up: its xattr is among the names the entry's xattrs are read from anyway, so finding it
 * costs no call of its own.
 */
export const OVERLAY_ENTRY_OPTIONS: EntryOptions = {
  ...BUILDKIT_ENTRY_OPTIONS,
  includeXattr: (name, path) => {
    if (name === 'trusted.overlay.metacopy') throw unsupported({ path }, 'a metadata-only copy-up');
    return BUILDKIT_ENTRY_OPTIONS.includeXattr!(name, path);
  },
};

function inodeKey(st: { dev: bigint; ino: bigint }): string {
  return `${st.dev}:${st.ino}`;
}

/** How many names each multiply-linked file has inside `root`. */
function namesPerInode(root: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const node of walkTree(root)) {
    if (node.stat.isFile() && node.stat.nlink > 1n) counts.set(inodeKey(node.stat), (counts.get(inodeKey(node.stat)) ?? 0) + 1);
  }
  return counts;
}

/** Changes of the overlay upper directory `upper` over the merged `lower` stack (undefined: none). */
export function* overlayChanges(upper: string, lower: LayerStack | undefined, options: DiffOptions = {}): Generator<Change, void, undefined> {
  let linked: Map<string, number> | undefined;
  // The lower directory behind each upper directory already walked; an empty list stands for
  // "nothing below" (a new or opaque directory).
  const lowerDirs = new Map<string, Lookup>([['', lower === undefined ? MISSING : lookupPath(lower, '')]]);
  for (const node of walkTree(upper)) {
    const parentLower = lowerDirs.get(parentOf(node.path)) ?? MISSING;
    const name = node.path.slice(node.path.lastIndexOf('/') + 1);
    const below = parentLower.kind === 'dir' ? lookupChild(parentLower.dirs, name, true) : MISSING;
    if (isWhiteout(node.stat)) {
      if (below.kind !== 'missing') yield { kind: 'delete', path: node.path };
      continue;
    }
    if (node.stat.isDirectory()) {
      if (lgetxattr(node.abs, 'trusted.overlay.redirect') !== undefined) throw unsupported(node, 'a redirected (renamed) directory');
      const opaque = isOpaque(node.abs);
      lowerDirs.set(node.path, opaque ? MISSING : below);
      if (opaque) yield { kind: 'opaque', node };
      else if (below.kind !== 'dir') yield { kind: below.kind === 'missing' ? 'add' : 'modify', node };
      else if (!sameEntry(below.abs, below.stat, node.abs, node.stat, options)) yield { kind: 'modify', node };
      continue;
    }
    if (below.kind === 'missing') yield { kind: 'add', node };
    // A copied-up file hard-linked to another name in this layer: both names must be in the
    // layer for the link to survive (Docker 20.10's BuildKit writes `f /etc/group` and
    // `h /links/group-hard -> /etc/group`), even though its own attributes did not change. Only
    // names inside this upper directory count: links from other layers (a layer reused by a later
    // copy shares inodes with it) must not change what this layer's diff is.
    else if (below.kind === 'dir' || (node.stat.nlink > 1n && (linked ??= namesPerInode(upper)).get(inodeKey(node.stat))! > 1) || !sameEntry(below.abs, below.stat, node.abs, node.stat, options)) yield { kind: 'modify', node };
  }
}

/** Go's path ordering of a depth-first walk: component by component, each by its bytes. */
function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = Buffer.compare(Buffer.from(pa[i]!, 'utf8'), Buffer.from(pb[i]!, 'utf8'));
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** Changes from tree `lower` (undefined: empty) to tree `upper`. */
export function* treeChanges(lower: string | undefined, upper: string, options: DiffOptions = {}): Generator<Change, void, undefined> {
  const lowerWalk = lower === undefined ? undefined : walkTree(lower);
  const upperWalk = walkTree(upper);
  let l = lowerWalk?.next();
  let u = upperWalk.next();
  const skipLowerBelow = (path: string): void => {
    const prefix = `${path}/`;
    while (l !== undefined && l.done !== true && l.value.path.startsWith(prefix)) l = lowerWalk!.next();
  };
  while (u.done !== true || (l !== undefined && l.done !== true)) {
    const order = l === undefined || l.done === true ? 1 : u.done === true ? -1 : comparePaths(l.value.path, u.value.path);
    if (order < 0) {
      const gone = l!.value as WalkedNode;
      yield { kind: 'delete', path: gone.path };
      l = lowerWalk!.next();
      skipLowerBelow(gone.path);
      continue;
    }
    const node = u.value as WalkedNode;
    u = upperWalk.next();
    if (order > 0) {
      yield { kind: 'add', node };
      continue;
    }
    const before = l!.value as WalkedNode;
    l = lowerWalk!.next();
    if (before.stat.isDirectory() !== node.stat.isDirectory()) {
      // A file replacing a directory removes the directory's tree when applied; a directory
      // replacing a file brings its whole tree as additions.
      if (before.stat.isDirectory()) skipLowerBelow(before.path);
      yield { kind: 'modify', node };
    } else if (!sameEntry(before.abs, before.stat, node.abs, node.stat, options)) {
      yield { kind: 'modify', node };
    }
  }
}
