/**
 * Source ops: an image from the local store (unpacked into snapshots by chain ID), an empty
 * tree, the build context. Their keys come from content — the image's config digest, the
 * digests of the context files a COPY selects — so they are never stored in the cache index.
 */
import { ErrorCode, LadeError, isLadeError } from '../../errors/index.js';
import type { ImageOp, ContextOp } from '../../graph/index.js';
import type { ImageConfig, LoadedImage } from '../../image/index.js';
import { unpackImage } from '../../snapshotter/index.js';
import type { BuildDeps } from './deps.js';
import type { ContextResult, LayerRef, RootfsResult } from './results.js';

/** Docker's short form of a normalised reference, for messages. */
function familiar(ref: string): string {
  return ref.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

/** One pull per image and build, however many stages and steps ask for it. */
const pulls = new WeakMap<BuildDeps, Map<string, Promise<void>>>();

function pullOnce(deps: BuildDeps, ref: string): Promise<void> {
  let mine = pulls.get(deps);
  if (mine === undefined) pulls.set(deps, (mine = new Map()));
  let pulling = mine.get(ref);
  if (pulling === undefined) {
    pulling = deps.pull!(ref).catch((err: unknown) => {
      const detail = err instanceof Error ? err.message : String(err);
      throw new LadeError(isLadeError(err) ? err.code : ErrorCode.RegistryError, `${familiar(ref)}: pulling the base image failed: ${detail}`, {
        hint: isLadeError(err) && err.hint !== undefined ? err.hint : `Check the name, or put the image in the store first (\`lade load -i IMAGE.tar\`).`,
        cause: err,
      });
    });
    mine.set(ref, pulling);
  }
  return pulling;
}

export async function loadBaseImage(deps: BuildDeps, ref: string): Promise<LoadedImage> {
  if (deps.forcePull === true && deps.pull !== undefined) await pullOnce(deps, ref);
  try {
    return await deps.images.load(await deps.images.find(ref));
  } catch (err) {
    if (!isLadeError(err) || err.code !== ErrorCode.ImageNotFound) throw err;
    if (deps.pull === undefined) {
      throw new LadeError(ErrorCode.ImageNotFound, `${familiar(ref)}: image not found in the local store`, {
        hint: `Pull it (\`lade pull ${familiar(ref)}\`) or load it (\`lade load -i IMAGE.tar\`), then build again.`,
        cause: err,
      });
    }
  }
  await pullOnce(deps, ref);
  return await deps.images.load(await deps.images.find(ref));
}

export interface ResolvedImage {
  id: string;
  config: ImageConfig;
}

/** One resolution per image and build, however many stages ask for it. */
const resolutions = new WeakMap<BuildDeps, Map<string, Promise<ResolvedImage>>>();

async function resolveOnce(deps: BuildDeps, ref: string): Promise<ResolvedImage> {
  const remote = deps.resolve;
  if (deps.forcePull !== true || remote === undefined) {
    try {
      const image = await deps.images.load(await deps.images.find(ref));
      return { id: image.record.id, config: image.config };
    } catch (err) {
      if (!isLadeError(err) || err.code !== ErrorCode.ImageNotFound) throw err;
    }
    if (remote === undefined) {
      // Nothing resolves metadata alone here: the image is pulled whole, or missing says so.
      const image = await loadBaseImage(deps, ref);
      return { id: image.record.id, config: image.config };
    }
  }
  try {
    return await remote(ref);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new LadeError(isLadeError(err) ? err.code : ErrorCode.RegistryError, `${familiar(ref)}: resolving the base image failed: ${detail}`, {
      hint: isLadeError(err) && err.hint !== undefined ? err.hint : `Check the name, or put the image in the store first (\`lade load -i IMAGE.tar\`).`,
      cause: err,
    });
  }
}

/**
 * A base image's ID and config, which is all a build needs of it until a step runs on its files:
 * from the store, else (and, with --pull, always) from its registry, without its layers, as
 * BuildKit resolves image metadata. A stage whose steps are all cached never downloads its base.
 */
export function resolveBaseImage(deps: BuildDeps, ref: string): Promise<ResolvedImage> {
  let mine = resolutions.get(deps);
  if (mine === undefined) resolutions.set(deps, (mine = new Map()));
  let resolving = mine.get(ref);
  if (resolving === undefined) {
    resolving = resolveOnce(deps, ref);
    mine.set(ref, resolving);
  }
  return resolving;
}

export async function imageKey(deps: BuildDeps, op: ImageOp): Promise<string> {
  return (await resolveBaseImage(deps, op.ref)).id;
}

export async function runImage(deps: BuildDeps, op: ImageOp): Promise<RootfsResult> {
  const resolved = await resolveBaseImage(deps, op.ref);
  const image = await loadBaseImage(deps, op.ref);
  if (image.record.id !== resolved.id) {
    // The tag moved between the resolution the cache keys came from and the pull.
    throw new LadeError(ErrorCode.BuildBaseChanged, `${familiar(op.ref)} changed during the build: it was ${resolved.id}, the registry now gives ${image.record.id}`, {
      hint: 'Build again, or name the base image by digest (FROM name@sha256:…).',
    });
  }
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
