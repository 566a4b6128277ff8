/**
 * What build ops hand each other (OpResult, stored in the cache index as JSON): a root
 * filesystem as a committed snapshot plus the layers that make it, or the build context.
 * Layers a build step makes are stored uncompressed, so their digest is their diffID.
 */
import { MediaType, type ImageStore } from '../../image/index.js';
import { chainIds, layerDiffRecipe, type Snapshotter } from '../../snapshotter/index.js';

/** Layers as Docker 20.10's BuildKit diffs them (see DiffOptions). */
const DIFF = { directoryTimes: true } as const;
import { sha256Digest, type Digest } from '../../content/index.js';
import type { OpResult } from '../op-adapter.js';
import type { CacheLayers } from './deps.js';

export interface LayerRef {
  diffId: string;
  digest: string;
  size: number;
  mediaType: string;
  /** Docker's size of the layer (its files' bytes), when known. */
  unpacked?: number;
  /** When a build step made the layer (RFC 3339): its history entry's time, kept by the cache. */
  created?: string;
}

export interface RootfsResult {
  kind: 'rootfs';
  /** The committed snapshot (named by its chain ID); null for an empty tree. */
  snapshot: string | null;
  layers: LayerRef[];
}

export interface ContextResult {
  kind: 'context';
  dir: string;
}

export type BuildResult = RootfsResult | ContextResult;

export const EMPTY_ROOTFS: RootfsResult = { kind: 'rootfs', snapshot: null, layers: [] };

export function asRootfs(result: OpResult | undefined, what: string): RootfsResult {
  const r = result as BuildResult | undefined;
  if (r?.kind !== 'rootfs') throw new Error(`${what}: expected a root filesystem input, got ${JSON.stringify(r?.kind)}`);
  return r;
}

export function toOpResult(result: BuildResult): OpResult {
  return result as unknown as OpResult;
}

/**
 * Turns the active snapshot `key` (prepared on `parent`) into the next layer: its diff is
 * measured (and recorded as a deferred blob) and the snapshot committed under the new chain ID, so a later
 * `lade run` of the built image finds its layers already unpacked. When that chain ID is already
 * committed (the same step's result from an earlier build), the new one is dropped.
 */
export async function commitLayer(snapshotter: Snapshotter, images: ImageStore, key: string, parent: RootfsResult): Promise<RootfsResult> {
  // Measured, not stored: the committed snapshot is the layer, and its tar is made again only
  // if something reads the blob (lade save, a push), as Docker keeps no tar of built layers.
  const measure = await snapshotter.measureDiff(key, DIFF);
  const measured = { digest: sha256Digest(measure.sha256), size: measure.size };
  const diffIds = [...parent.layers.map((l) => l.diffId as Digest), measured.digest];
  const name = chainIds(diffIds).at(-1)!;
  const existing = await snapshotter.stat(name);
  if (existing?.kind === 'committed') {
    // Made by another build, or unpacked from an image: its blob may not come from this diff.
    if (!(await images.content.has(measured.digest))) await images.content.write(snapshotter.diff(key, DIFF), { digest: measured.digest, size: measured.size });
    await snapshotter.remove(key);
  } else {
    try {
      await snapshotter.commit(name, key);
    } catch (err) {
      // Another build committed the same chain ID in between.
      if ((await snapshotter.stat(name))?.kind !== 'committed') throw err;
      if (!(await images.content.has(measured.digest))) await images.content.write(snapshotter.diff(key, DIFF), { digest: measured.digest, size: measured.size });
      await snapshotter.remove(key);
    }
    await images.content.defer(measured.digest, measured.size, layerDiffRecipe(snapshotter, name, true));
  }
  const layer: LayerRef = { diffId: measured.digest, digest: measured.digest, size: measured.size, mediaType: MediaType.OciLayer, unpacked: measure.unpacked, created: new Date().toISOString() };
  return { kind: 'rootfs', snapshot: name, layers: [...parent.layers, layer] };
}

/**
 * Whether every layer of a cached result is in the content store, recording again, as deferred
 * blobs, the layers a step made whose snapshots are still committed. Removing an image removes
 * its blobs, and a build layer's blob is only a record of how to make it from its snapshot; the
 * build cache, as BuildKit's, outlives the image (`lade builder prune` is what drops it), so a
 * rebuild after `lade rmi` is still a hit, with the same image ID. Reading such a blob checks it
 * against its digest, as for any deferred blob. A blob an imported cache holds counts as present:
 * it comes when it is needed (ensureRootfs).
 */
export async function layersPresent(images: ImageStore, snapshotter: Snapshotter, layers: readonly LayerRef[], imported?: CacheLayers): Promise<boolean> {
  const chain = chainIds(layers.map((l) => l.diffId as Digest));
  for (const [i, layer] of layers.entries()) {
    if (await images.content.has(layer.digest as Digest)) continue;
    if (imported?.has(layer.digest) === true) continue;
    if (layer.digest !== layer.diffId || (await snapshotter.stat(chain[i]!))?.kind !== 'committed') return false;
    await images.content.defer(layer.digest as Digest, layer.size, layerDiffRecipe(snapshotter, chain[i]!, true));
  }
  return true;
}

/**
 * Whether a result found in a cache can be used: its snapshot committed and its layers present,
 * or, for a hit of an imported cache, every layer either here or there to be brought.
 */
export async function resultUsable(images: ImageStore, snapshotter: Snapshotter, r: BuildResult, imported?: CacheLayers): Promise<boolean> {
  if (r.kind !== 'rootfs') return false;
  if (r.snapshot === null || (await snapshotter.stat(r.snapshot))?.kind === 'committed') return layersPresent(images, snapshotter, r.layers, imported);
  if (imported === undefined) return false;
  for (const layer of r.layers) {
    if (!imported.has(layer.digest) && !(await images.content.has(layer.digest as Digest))) return false;
  }
  return true;
}

/**
 * The layer in a form the store has already, when it lacks the one named: an imported cache
 * names its layers compressed, and a base image loaded here holds them uncompressed. Either
 * form has the same diffID, so the image made is the same.
 */
async function storedForm(images: ImageStore, layer: LayerRef): Promise<LayerRef> {
  if (layer.digest === layer.diffId || (await images.content.has(layer.digest as Digest))) return layer;
  const plain = await images.content.info(layer.diffId as Digest);
  return plain === undefined ? layer : { ...layer, digest: layer.diffId, size: plain.size, mediaType: MediaType.OciLayer };
}

/**
 * Makes a result's tree and blobs present before a step builds on it or an image names it: a
 * hit of an imported cache is lazy, and its layers come only now (those the store has in
 * another form are not fetched again). Returns the result as it is here. Anything not from an
 * imported cache is here already.
 */
export async function ensureRootfs(images: ImageStore, snapshotter: Snapshotter, r: RootfsResult, imported?: CacheLayers): Promise<RootfsResult> {
  if (r.snapshot === null || imported === undefined) return r;
  const here: RootfsResult = { ...r, layers: await Promise.all(r.layers.map((l) => storedForm(images, l))) };
  if ((await snapshotter.stat(r.snapshot))?.kind === 'committed') {
    let whole = true;
    for (const layer of here.layers) if (!(await images.content.has(layer.digest as Digest))) whole = false;
    if (whole) return here;
  }
  await imported.bring(here.layers);
  return here;
}

/** The layers of a cacheable result (a root filesystem), for an exported cache record. */
export function resultLayers(result: OpResult): LayerRef[] | undefined {
  const r = result as unknown as BuildResult;
  return r.kind === 'rootfs' ? r.layers : undefined;
}

/** The result an imported cache record stands for: the tree its layers make. */
export function rootfsOf(layers: readonly LayerRef[]): OpResult {
  const chain = chainIds(layers.map((l) => l.diffId as Digest));
  return toOpResult({ kind: 'rootfs', snapshot: chain.at(-1) ?? null, layers: [...layers] });
}
