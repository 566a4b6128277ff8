/**
 * applyLayer: extracts an uncompressed layer tar into a directory, safely (nothing outside the
 * root is ever created, changed or followed) and with Docker's semantics (image-spec layer.md
 * "Applying Changesets"; moby pkg/archive UnpackLayer; containerd archive.Apply):
 *   - names are cleaned; a name climbing out of the root is refused; `/x` means `x`;
 *   - parents resolve inside the root, following symlinks as a chroot would;
 *   - an existing path is replaced, a directory over a directory merged; duplicates: last wins;
 *   - `.wh.NAME` and `.wh..wh..opq` apply to lower layers only, wherever they sit in the tar;
 *   - the root's own entry (`./`) is skipped, as containerd skips it.
 * The first error stops the apply with a LadeError naming the entry; what was extracted so far
 * stays (the caller discards the snapshot).
 */
import { constants, lchownSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { ErrorCode, isLadeError, LadeError } from '../errors/index.js';
import { lsetxattr, mknod } from '../sys/index.js';
import { createEntry } from './apply-entry.js';
import { ApplyState, lstatOrUndefined, type ApplyOptions } from './apply-state.js';
import type { LayerEntry } from './entry.js';
import { readLayer } from './read-layer.js';
import { joinRel } from './resolve-in-root.js';
import { classifyEntry } from './whiteout.js';

export interface ApplyStats {
  /** Tar entries read, whiteouts and skipped entries included. */
  entries: number;
  /** Bytes of regular-file data written. */
  bytes: number;
  /** What the layer unpacks to as Docker counts it (its Size): file bytes and symlink targets. */
  unpacked: number;
  whiteouts: number;
  /** Attributes Docker also drops silently (unsupported xattrs, user.* on symlinks), one line each. */
  warnings: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Children of a directory; a name that is not UTF-8 cannot come from a layer, so it is lower content. */
function removeLowerChildren(state: ApplyState, dir: string): void {
  const abs = state.abs(dir);
  for (const raw of readdirSync(abs, { encoding: 'buffer' })) {
    let name: string;
    try {
      name = utf8.decode(raw);
    } catch {
      rmSync(Buffer.concat([Buffer.from(`${abs}/`), raw]), { recursive: true, force: true });
      state.resolver.invalidate();
      continue;
    }
    removeLower(state, joinRel(dir, name));
  }
}

/** delete mode: removes what lower layers put at `rel`, sparing anything this layer produced. */
function removeLower(state: ApplyState, rel: string): void {
  const stat = lstatOrUndefined(state.abs(rel));
  if (stat === undefined) return;
  if (!state.holdsLayerContent(rel)) {
    state.remove(rel, stat);
    return;
  }
  if (stat.isDirectory()) removeLowerChildren(state, rel);
}

function applyOpaque(state: ApplyState, dir: string): void {
  const real = state.parentDir(dir);
  if (state.mode === 'overlay') {
    lsetxattr(state.abs(real), 'trusted.overlay.opaque', Buffer.from('y'));
    return;
  }
  removeLowerChildren(state, real);
}

function applyWhiteout(state: ApplyState, entry: LayerEntry, dir: string, name: string): void {
  const rel = joinRel(state.parentDir(dir), name);
  if (state.mode === 'delete') {
    removeLower(state, rel);
    return;
  }
  // overlay: a char device 0/0 hides the lower file; this layer's own entry already hides it.
  const abs = state.abs(rel);
  const existing = lstatOrUndefined(abs);
  if (existing !== undefined && state.isUnpacked(rel)) {
    if (existing.isDirectory()) lsetxattr(abs, 'trusted.overlay.opaque', Buffer.from('y'));
    return;
  }
  if (existing !== undefined) state.remove(rel, existing);
  mknod(abs, constants.S_IFCHR, 0, 0);
  // Docker gives the device the whiteout entry's owner.
  if (state.chown) lchownSync(abs, entry.uid, entry.gid);
  state.whiteoutDevices.add(rel);
}

function describe(err: unknown, entry: LayerEntry): LadeError {
  if (isLadeError(err)) {
    if (err.message.includes(`"${entry.path}"`)) return err;
    return new LadeError(err.code, `layer entry "${entry.path}": ${err.message}`, { cause: err, hint: err.hint });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new LadeError(ErrorCode.LayerApply, `cannot apply layer entry "${entry.path}": ${message}`, { cause: err });
}

/**
 * Applies an uncompressed layer tar to the directory `root` (which must exist). Reads the tar to
 * its end, so a digest computed upstream covers every byte.
 */
export async function applyLayer(root: string, tar: AsyncIterable<Uint8Array>, options: ApplyOptions = {}): Promise<ApplyStats> {
  let real: string;
  try {
    real = options.rootVerbatim === true ? root : realpathSync(root);
    if (!statSync(real).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new LadeError(ErrorCode.LayerApply, `cannot apply a layer to ${root}: ${(err as Error).message}`, { cause: err });
  }
  const state = new ApplyState(real, options);
  const stats: ApplyStats = { entries: 0, bytes: 0, unpacked: 0, whiteouts: 0, warnings: state.warnings };

  for await (const { entry, body } of readLayer(tar)) {
    stats.entries++;
    try {
      const role = classifyEntry(entry.path);
      switch (role.kind) {
        case 'root':
        case 'meta':
          break;
        case 'opaque':
          stats.whiteouts++;
          applyOpaque(state, role.dir);
          break;
        case 'whiteout':
          stats.whiteouts++;
          applyWhiteout(state, entry, role.dir, role.name);
          break;
        case 'plain':
          await createEntry(state, entry, body);
          stats.bytes += entry.size;
          stats.unpacked += entry.type === 'symlink' ? Buffer.byteLength(entry.linkname) : entry.size;
          break;
      }
    } catch (err) {
      throw describe(err, entry);
    }
  }
  try {
    state.finishDirectoryTimes();
  } catch (err) {
    throw new LadeError(ErrorCode.LayerApply, `cannot set directory times: ${(err as Error).message}`, { cause: err });
  }
  return stats;
}
