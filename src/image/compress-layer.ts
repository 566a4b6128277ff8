/**
 * Writing a layer in a given compression: gzip unless zstd is asked for, as BuildKit does for the
 * layers it exports. The diffID does not change (it is the digest of the uncompressed tar); the
 * layer digest and media type do. A layer already in the wanted form is returned as it is: lade
 * never recompresses what it does not have to.
 */
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compressStream, openDecompressed, type ContentStore } from '../content/index.js';
import { layerCompression, layerMediaType, type LayerCompression } from './media-types.js';
import { MediaType } from './media-types.js';
import type { Descriptor, Manifest } from './types.js';

export interface CompressedLayer {
  descriptor: Descriptor;
  /** True when a new blob was written (a caller may want to remove it again). */
  created: boolean;
}

export async function compressLayer(
  content: ContentStore,
  layer: Descriptor,
  compression: LayerCompression = 'gzip',
  family: 'oci' | 'docker' = 'oci',
): Promise<CompressedLayer> {
  const mediaType = layerMediaType(compression, family);
  if (layerCompression(layer.mediaType) === compression) return { descriptor: { ...layer, mediaType }, created: false };
  // A layer a build made is read from its snapshot, not stored uncompressed on the way.
  const { stream } = await openDecompressed(await content.openRead(layer.digest, { keep: false }));
  const writer = content.createWriter();
  try {
    await pipeline(stream, compression === 'none' ? new PassThrough() : compressStream(compression), writer);
    const blob = await writer.commit();
    return { descriptor: { mediaType, digest: blob.digest, size: blob.size }, created: blob.created };
  } catch (err) {
    await writer.abort().catch(() => {});
    throw err;
  }
}

/**
 * The layer's bytes in `compression`, as a stream, for a writer that hashes them itself (a
 * streamed upload): nothing is stored. Reading a layer checks it against its digest, as always.
 */
export async function compressedStream(content: ContentStore, layer: Descriptor, compression: Exclude<LayerCompression, 'none'>): Promise<Readable> {
  const { stream } = await openDecompressed(await content.openRead(layer.digest, { keep: false }));
  const out = compressStream(compression);
  // Failures of either side reach the reader of `out`.
  pipeline(stream, out).catch((err: unknown) => out.destroy(err as Error));
  return out;
}

/**
 * `manifest` naming `layers` (its own, some recompressed) instead: an OCI manifest, or Docker's
 * own type when `family` says so (it has no zstd layers). The config and annotations stay.
 */
export function withLayers(manifest: Manifest, layers: Descriptor[], family: 'oci' | 'docker' = 'oci'): Manifest {
  const { config, annotations } = manifest;
  if (family === 'docker') return { schemaVersion: 2, mediaType: MediaType.DockerManifest, config, layers };
  return {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: config.digest, size: config.size },
    layers,
    ...(annotations === undefined ? {} : { annotations }),
  };
}
