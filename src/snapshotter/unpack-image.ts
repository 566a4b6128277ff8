/**
 * Unpacking an image's layers into snapshots named by their chain IDs (image-spec config.md,
 * "Layer ChainID"): ChainID(L0) = DiffID(L0), ChainID(L0…Ln) = sha256(ChainID(L0…Ln-1) + " " +
 * DiffID(Ln)). The name says exactly which layers, in which order, a snapshot holds, so images
 * sharing a base share its snapshots, and an unpack interrupted anywhere resumes where it stopped.
 */
import { createHash } from 'node:crypto';
import { openDecompressed, sha256Digest, type Digest } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import type { ImageStore, LoadedImage } from '../image/index.js';
import type { Snapshotter } from './types.js';

/** The chain ID of each prefix of `diffIds`. */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const diffId of diffIds) {
    const previous = out[out.length - 1];
    out.push(previous === undefined ? diffId : sha256Digest(createHash('sha256').update(`${previous} ${diffId}`).digest('hex')));
  }
  return out;
}

/**
 * Makes sure every layer of `image` is unpacked; returns the top layer's snapshot name (its chain
 * ID), or undefined for an image without layers. Layers already unpacked are not read; each
 * unpacked one is checked against the config's diff_id before it is committed.
 */
export async function unpackImage(snapshotter: Snapshotter, images: ImageStore, image: LoadedImage): Promise<string | undefined> {
  const diffIds = image.config.rootfs?.diff_ids ?? [];
  const layers = image.manifest.layers;
  if (diffIds.length !== layers.length) {
    throw new LadeError(ErrorCode.InvalidImage, `image ${image.record.id} lists ${layers.length} layers but its config has ${diffIds.length} diff IDs`, {
      hint: 'The image is malformed; load or pull it again.',
    });
  }
  const chain = chainIds(diffIds);
  let parent: string | undefined;
  for (let i = 0; i < layers.length; i++) {
    const name = chain[i]!;
    const existing = await snapshotter.stat(name);
    if (existing === undefined || existing.kind !== 'committed') {
      const { stream } = await openDecompressed(await images.content.openRead(layers[i]!.digest));
      await snapshotter.apply(name, parent, stream, { diffId: diffIds[i]!, sizeHint: layers[i]!.size });
    }
    parent = name;
  }
  return parent;
}
