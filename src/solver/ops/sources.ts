/**
 * Source ops: an image from the local store (unpacked into snapshots by chain ID), an empty
 * tree, the build context. Their keys come from content — the image's config digest, the
 * digests of the context files a COPY selects — so they are never stored in the cache index.
 */
import { ErrorCode, LadeError, isLadeError } from '../../errors/index.js';
import type { ImageOp, ContextOp } from '../../graph/index.js';
import type { LoadedImage } from '../../image/index.js';
import { unpackImage } from '../../snapshotter/index.js';
import type { BuildDeps } from './deps.js';
import type { ContextResult, LayerRef, RootfsResult } from './results.js';

/** Docker's short form of a normalised reference, for messages. */
function familiar(ref: string): string {
  return ref.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

export async function loadBaseImage(deps: BuildDeps, ref: string): Promise<LoadedImage> {
  try {
    return await deps.images.load(await deps.images.find(ref));
  } catch (err) {
    if (isLadeError(err) && err.code === ErrorCode.ImageNotFound) {
      throw new LadeError(ErrorCode.ImageNotFound, `${familiar(ref)}: image not found in the local store, and lade cannot pull from registries yet`, {
        hint: `Put the image in the store first (\`lade load -i IMAGE.tar\` or \`lade import ROOTFS.tar ${familiar(ref)}\`), then build again.`,
        cause: err,
      });
    }
    throw err;
  }
}

export async function imageKey(deps: BuildDeps, op: ImageOp): Promise<string> {
  return (await loadBaseImage(deps, op.ref)).record.id;
}

export async function runImage(deps: BuildDeps, op: ImageOp): Promise<RootfsResult> {
  const image = await loadBaseImage(deps, op.ref);
  const top = await unpackImage(deps.snapshotter, deps.images, image);
  const diffIds = image.config.rootfs?.diff_ids ?? [];
  const sizes = image.record.layerSizes;
  const layers: LayerRef[] = image.manifest.layers.map((l, i) => ({ diffId: diffIds[i]!, digest: l.digest, size: l.size, mediaType: l.mediaType, ...(sizes?.[i] === undefined ? {} : { unpacked: sizes[i] }) }));
  return { kind: 'rootfs', snapshot: top ?? null, layers };
}

export async function contextKey(deps: BuildDeps, op: ContextOp): Promise<string> {
  const scan = await deps.context();
  return scan.contentKey(op.include);
}

export async function runContext(deps: BuildDeps): Promise<ContextResult> {
  return { kind: 'context', dir: (await deps.context()).dir };
}
