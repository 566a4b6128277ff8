/**
 * Materialising one ordinary (non-whiteout) entry inside the root. The parent is resolved
 * through RootResolver, so only the last component is new; it is created exclusively (O_EXCL,
 * mkdir, symlink, link, mknod never follow a final symlink), and when something is already there
 * it is replaced — except that a directory over a directory is merged, keeping its content and
 * taking the entry's attributes (Docker's rule; duplicate entries therefore resolve to the last).
 */
import type { Stats } from 'node:fs';
import { closeSync, constants, linkSync, mkdirSync, openSync, symlinkSync, writeSync } from 'node:fs';
import { ErrorCode, LadeError } from '../errors/index.js';
import { lsetxattr, mknod } from '../sys/index.js';
import { ApplyState, lstatOrUndefined } from './apply-state.js';
import { splitPath, type LayerEntry } from './entry.js';
import type { LayerBody } from './read-layer.js';
import { joinRel } from './resolve-in-root.js';

const CREATE_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const NODE_TYPE = { char: constants.S_IFCHR, block: constants.S_IFBLK, fifo: constants.S_IFIFO } as const;

const IS_DIR = { isFile: () => false, isDirectory: () => true, isSymbolicLink: () => false };
const IS_FILE = { isFile: () => true, isDirectory: () => false, isSymbolicLink: () => false };
const IS_SYMLINK = { isFile: () => false, isDirectory: () => false, isSymbolicLink: () => true };
const IS_NODE = { isFile: () => false, isDirectory: () => false, isSymbolicLink: () => false };

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === code;
}

/** Runs `create`; if the name is taken, removes what is there and runs it again. */
function replacing<T>(state: ApplyState, rel: string, create: () => T): T {
  try {
    return create();
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
  }
  const existing = lstatOrUndefined(state.abs(rel));
  if (existing !== undefined) state.remove(rel, existing);
  return create();
}

/**
 * In a plain parent (see ApplyState.plainParent), a file is created with its final mode when the
 * umask leaves that whole and it has no setuid/setgid/sticky bit (a chown would clear those), and
 * then needs no chmod; and its owner is known, so it needs no chown when that is the entry's: two
 * syscalls of six per file.
 */
async function writeFile(state: ApplyState, dir: string, rel: string, entry: LayerEntry, body: LayerBody): Promise<void> {
  const abs = state.abs(rel);
  const plain = state.plainParent(dir);
  const exact = plain && (entry.mode & 0o7000) === 0 && (entry.mode & state.umask) === 0;
  const fd = replacing(state, rel, () => openSync(abs, CREATE_FILE, exact ? entry.mode : 0o600));
  try {
    for await (const chunk of body) {
      let offset = 0;
      while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset);
    }
    state.setMetadata(abs, entry, { ...IS_FILE, ...(plain ? state.creator : {}), ...(exact ? { perm: entry.mode } : {}) }, fd);
  } finally {
    closeSync(fd);
  }
}

function makeDirectory(state: ApplyState, rel: string, entry: LayerEntry): void {
  const abs = state.abs(rel);
  const replacesWhiteout = state.whiteoutDevices.has(rel);
  try {
    mkdirSync(abs, 0o700);
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
    const existing = lstatOrUndefined(abs);
    if (existing === undefined || !existing.isDirectory()) {
      if (existing !== undefined) state.remove(rel, existing);
      mkdirSync(abs, 0o700);
    }
  }
  state.setMetadata(abs, entry, IS_DIR);
  if ((entry.mode & 0o2000) !== 0 || entry.xattrs.has('system.posix_acl_default')) state.specialDirs.add(rel);
  else state.specialDirs.delete(rel);
  if (replacesWhiteout) {
    // The layer deleted the lower directory and made a new one: in overlayfs terms, opaque.
    lsetxattr(abs, 'trusted.overlay.opaque', Buffer.from('y'));
  }
  state.dirTimes.delete(rel);
  state.dirTimes.set(rel, entry.mtime);
}

/** The hardlink target, resolved inside the root; its last component is not followed (link(2) semantics). */
function hardlinkTarget(state: ApplyState, entry: LayerEntry): { abs: string; stat: Stats } {
  const { parent, base } = splitPath(entry.linkname);
  const dir = state.resolver.resolveDir(parent, { create: false });
  const rel = dir === undefined ? undefined : joinRel(dir, base);
  const stat = rel === undefined ? undefined : lstatOrUndefined(state.abs(rel));
  if (rel === undefined || stat === undefined) {
    throw new LadeError(ErrorCode.LayerApply, `hardlink "${entry.path}" points at "${entry.linkname}", which does not exist`);
  }
  if (stat.isDirectory()) {
    throw new LadeError(ErrorCode.LayerApply, `hardlink "${entry.path}" points at directory "${entry.linkname}"`);
  }
  return { abs: state.abs(rel), stat };
}

/** Creates `entry` (not a whiteout, not the root) and returns its real root-relative path. */
export async function createEntry(state: ApplyState, entry: LayerEntry, body: LayerBody): Promise<string> {
  const { parent, base } = splitPath(entry.path);
  const dir = state.parentDir(parent);
  const rel = joinRel(dir, base);
  const abs = state.abs(rel);
  switch (entry.type) {
    case 'file':
      await writeFile(state, dir, rel, entry, body);
      break;
    case 'dir':
      makeDirectory(state, rel, entry);
      break;
    case 'symlink':
      replacing(state, rel, () => symlinkSync(entry.linkname, abs));
      state.setMetadata(abs, entry, IS_SYMLINK);
      break;
    case 'hardlink': {
      // Resolved before anything at the link's own path is removed: it may be the same file.
      const target = hardlinkTarget(state, entry);
      replacing(state, rel, () => linkSync(target.abs, abs));
      state.setMetadata(abs, entry, target.stat);
      break;
    }
    case 'char':
    case 'block':
    case 'fifo': {
      const type = NODE_TYPE[entry.type];
      replacing(state, rel, () => mknod(abs, type | entry.mode, entry.devmajor, entry.devminor));
      state.setMetadata(abs, entry, IS_NODE);
      break;
    }
  }
  state.markUnpacked(rel);
  return rel;
}
