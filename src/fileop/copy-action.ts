/**
 * The copy action: BuildKit's docopy (solver/llbsolver/file/backend.go) and, for each source, its
 * unpack (unpack.go) or fsutil's copy.Copy and prepareTargetDir (copy/copy.go):
 *   - without createDestPath, the parent of the (resolved) destination must exist;
 *   - wildcards are resolved first; no match is an error unless allowEmptyWildcard;
 *   - every source is copied on its own, against the same destination, in match order: there
 *     is no "several sources make the destination a directory" rule in the backend, so two files
 *     copied to a destination without a trailing "/" leave the last one there, as in BuildKit;
 *   - the destination's directory is made first (MkdirAll with mode = --chmod or 0755, the
 *     --chown owner, the fixed time): the parent of `dest`, or `dest` itself when it ends in "/"
 *     (or "/."), which is how a trailing slash makes a directory;
 *   - a source goes inside the destination when the destination is an existing directory (a
 *     directory source without dirCopyContents also goes inside any existing destination, and
 *     fails later if that is not a directory); otherwise it becomes the destination;
 *   - with dirCopyContents, a missing destination is made by MkdirAll (so it gets the 0755 or
 *     --chmod mode and the --chown owner, not the source directory's), then filled;
 *   - ADD: a source that is an archive is extracted into the destination instead (see unpack).
 */
import { ErrorCode, LadeError } from '../errors/index.js';
import { openArchive } from './archive-detect.js';
import { mkdirAll, restampCreated, type Owner } from './attributes.js';
import { TreeCopier, type CopyStamp } from './copier.js';
import { buildkitCleanPath, goBase, goClean, goSplit } from '../gopath/index.js';
import { absOf, childRel, lstatIn, parentRel, resolveIn, shown, type Scope } from './scope.js';
import type { CopyAction } from './types.js';
import { extractArchive } from './untar.js';
import { resolveWildcards } from './wildcards.js';

const DEFAULT_DIRECTORY_MODE = 0o755;

function ownerOf(action: CopyAction): Owner | undefined {
  return action.chown === undefined ? undefined : { uid: action.chown.uid, gid: action.chown.gid };
}

/**
 * BuildKit's unpack: resolves the source fully (whatever followSymlinks says), and when it is an
 * archive makes the destination with MkdirAll (0755, --chmod does not apply; --chown and the
 * fixed time do) and extracts into it. Returns false for a source to copy instead.
 */
async function unpack(src: Scope, source: string, dest: Scope, destPath: string, stamp: CopyStamp): Promise<boolean> {
  const srcRel = resolveIn(src, source, true);
  const stat = lstatIn(src, srcRel);
  if (stat === undefined || !stat.isFile()) return false;
  const archive = await openArchive(absOf(src, srcRel));
  if (archive === undefined) return false;
  try {
    const destRel = resolveIn(dest, destPath, true);
    mkdirAll(dest, destRel, DEFAULT_DIRECTORY_MODE, stamp);
    // Docker 20.10's BuildKit (the recorded reference) gives --chown to the destination it
    // creates only; the archive's entries keep the owners written in it.
    await extractArchive(absOf(dest, destRel), archive.tar, undefined, shown(srcRel));
  } finally {
    archive.close();
  }
  return true;
}

/** fsutil's copy.Copy for one source (spelled as BuildKit passes it) onto `destPath`. */
async function copyOne(src: Scope, source: string, dest: Scope, destPath: string, action: CopyAction, stamp: CopyStamp): Promise<void> {
  // Directories made for the destination are 0755 whatever --chmod says: Docker 20.10's BuildKit
  // (the recorded reference; current BuildKit applies --chmod to them too, fsutil#228).
  const perm = DEFAULT_DIRECTORY_MODE;
  const created: string[] = [];
  try {
    const { dir, file } = goSplit(destPath);
    const ensure = file !== '' && file !== '.' ? dir : destPath;
    created.push(...mkdirAll(dest, resolveIn(dest, ensure, true), perm, stamp));

    const dstRel = resolveIn(dest, goClean(destPath), true);
    const srcRel = resolveIn(src, source, action.followSymlinks);
    const srcStat = lstatIn(src, srcRel);
    if (srcStat === undefined) throw new LadeError(ErrorCode.FileopNotFound, `"${goClean(`/${source}`)}" not found`);
    const destStat = lstatIn(dest, dstRel);
    const srcIsDir = srcStat.isDirectory();

    let targetRel = dstRel;
    if ((!action.dirCopyContents && srcIsDir && destStat !== undefined) || (!srcIsDir && destStat?.isDirectory() === true)) {
      targetRel = childRel(dstRel, goBase(source));
    }
    // The directory the target goes into, or the target itself when a directory's contents go to a new place.
    const container = action.dirCopyContents && srcIsDir && destStat === undefined ? targetRel : targetRel === '' ? undefined : parentRel(targetRel);
    const existedBefore = targetRel === dstRel ? destStat !== undefined : lstatIn(dest, targetRel) !== undefined;
    if (container !== undefined) created.push(...mkdirAll(dest, container, perm, stamp));

    await new TreeCopier(src, dest, stamp).copy(srcRel, targetRel, false, existedBefore && !created.includes(targetRel));
  } finally {
    restampCreated(dest, created, stamp);
  }
}

export async function runCopy(action: CopyAction, src: Scope, dest: Scope): Promise<void> {
  const srcPath = buildkitCleanPath(action.src);
  const destPath = buildkitCleanPath(action.dest);
  const stamp: CopyStamp = {
    owner: ownerOf(action),
    timeNs: action.timestampMs === undefined ? undefined : BigInt(Math.trunc(action.timestampMs)) * 1_000_000n,
    mode: action.mode,
  };

  if (!action.createDestPath) {
    const resolved = resolveIn(dest, action.dest, true);
    if (resolved !== '' && lstatIn(dest, parentRel(resolved)) === undefined) {
      throw new LadeError(ErrorCode.FileopNotFound, `cannot copy to "${destPath}": "${shown(parentRel(resolved))}" does not exist`);
    }
  }

  let sources: string[];
  if (!action.allowWildcard) {
    sources = [srcPath];
  } else {
    sources = resolveWildcards(src, srcPath, action.followSymlinks);
    if (sources.length === 0) {
      if (action.allowEmptyWildcard) return;
      throw new LadeError(ErrorCode.FileopNotFound, `"${srcPath}" not found: no file matches the pattern`);
    }
  }

  for (const source of sources) {
    if (action.attemptUnpack && (await unpack(src, source, dest, destPath, stamp))) continue;
    await copyOne(src, source, dest, destPath, action, stamp);
  }
}
