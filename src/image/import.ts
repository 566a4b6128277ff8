/**
 * `lade import`: a root filesystem tarball becomes a one-layer image, as `docker import` makes
 * it. The layer is the tarball itself (decompressed if it came compressed), byte for byte, so its
 * diffID is the digest of the input tar, as with Docker.
 */
import type { Readable } from 'node:stream';
import { openDecompressed, type Digest } from '../content/index.js';
import { encodeDocument } from './documents.js';
import { storeScannedLayer } from './store-layer.js';
import { MediaType } from './media-types.js';
import { HOST_PLATFORM } from './platform.js';
import type { ImageStore } from './store/index.js';
import type { ContainerConfig, ImageConfig, Manifest } from './types.js';

export interface ImportOptions {
  /** Names to tag the image with. */
  names?: string[];
  /** The history comment; Docker writes `Imported from -` (or the URL). */
  message?: string;
  /** Execution defaults (from `--change` instructions). */
  config?: ContainerConfig;
  /** For reproducible images: the `created` time. */
  created?: Date;
}

export interface ImportResult {
  id: Digest;
  manifest: Digest;
  size: number;
}

export async function importRootfs(store: ImageStore, source: Readable, options: ImportOptions = {}): Promise<ImportResult> {
  const { stream } = await openDecompressed(source);
  return store.withLease(async (lease) => {
    const stored = await storeScannedLayer(store, stream, 'the imported file');
    const layer = { digest: stored.digest, size: stored.size };
    const scan = stored.scan;
    await lease.add(layer.digest);

    const created = (options.created ?? new Date()).toISOString();
    const comment = options.message ?? 'Imported from -';
    const config: ImageConfig = {
      architecture: HOST_PLATFORM.architecture,
      os: HOST_PLATFORM.os,
      comment,
      config: options.config ?? {},
      created,
      history: [{ created, comment }],
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    };
    const configBytes = encodeDocument(config);
    const configBlob = await store.content.write(configBytes);
    await lease.add(configBlob.digest);
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: configBlob.digest, size: configBlob.size },
      layers: [{ mediaType: MediaType.OciLayer, digest: layer.digest, size: layer.size }],
    };
    const manifestBytes = encodeDocument(manifest);
    const manifestBlob = await store.content.write(manifestBytes);
    await lease.add(manifestBlob.digest);
    const descriptor = { mediaType: MediaType.OciManifest, digest: manifestBlob.digest, size: manifestBlob.size };
    await store.add(
      { target: descriptor, manifest: descriptor, id: configBlob.digest, size: scan.size, layerSizes: [scan.size], created },
      options.names ?? [],
    );
    return { id: configBlob.digest, manifest: manifestBlob.digest, size: scan.size };
  });
}
