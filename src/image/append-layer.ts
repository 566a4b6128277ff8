/**
 * A new image made of a base image plus one layer: what `lade commit` makes from a container's
 * changes (and each build step will). The layer is stored uncompressed, as Docker stores the
 * layers it creates, so its digest is its diffID.
 */
import type { Readable } from 'node:stream';
import { encodeDocument } from './documents.js';
import { storeScannedLayer } from './store-layer.js';
import { MediaType } from './media-types.js';
import { HOST_PLATFORM } from './platform.js';
import type { ImageStore, LoadedImage } from './store/index.js';
import type { ContainerConfig, Descriptor, HistoryEntry, ImageConfig, Manifest } from './types.js';
import type { Digest } from '../content/index.js';

export interface AppendLayerOptions {
  /** The new image's execution defaults (replaces the base's `config`). */
  readonly config: ContainerConfig;
  /** History entry for the layer; `created` is filled in when absent. */
  readonly history: HistoryEntry;
  readonly names?: readonly string[];
  readonly created?: Date;
  /** Extra top-level config fields Docker writes (`container`, `author`, `comment`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface AppendLayerResult {
  readonly id: Digest;
  readonly manifest: Digest;
  readonly layer: Digest;
  readonly size: number;
}

export async function appendLayer(store: ImageStore, base: LoadedImage | undefined, layerTar: Readable, options: AppendLayerOptions): Promise<AppendLayerResult> {
  return store.withLease(async (lease) => {
    const written = await storeScannedLayer(store, layerTar, 'the new layer');
    const scan = written.scan;
    await lease.add(written.digest);
    const created = (options.created ?? new Date()).toISOString();
    const baseConfig = base?.config;
    const config: ImageConfig = {
      ...(options.extra ?? {}),
      architecture: baseConfig?.architecture ?? HOST_PLATFORM.architecture,
      os: baseConfig?.os ?? HOST_PLATFORM.os,
      config: options.config,
      created,
      history: [...(baseConfig?.history ?? []), { created, ...options.history }],
      rootfs: { type: 'layers', diff_ids: [...(baseConfig?.rootfs.diff_ids ?? []), written.digest] },
    };
    const configBlob = await store.content.write(encodeDocument(config));
    await lease.add(configBlob.digest);
    const layers: Descriptor[] = [...(base?.manifest.layers ?? []), { mediaType: MediaType.OciLayer, digest: written.digest, size: written.size }];
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: configBlob.digest, size: configBlob.size },
      layers,
    };
    const manifestBlob = await store.content.write(encodeDocument(manifest));
    await lease.add(manifestBlob.digest);
    const descriptor = { mediaType: MediaType.OciManifest, digest: manifestBlob.digest, size: manifestBlob.size };
    // Sizes per layer are known only when the base recorded its own.
    const layerSizes = base === undefined ? [scan.size] : base.record.layerSizes === undefined ? undefined : [...base.record.layerSizes, scan.size];
    const size = (base?.record.size ?? 0) + scan.size;
    await store.add({ target: descriptor, manifest: descriptor, id: configBlob.digest, size, ...(layerSizes === undefined ? {} : { layerSizes }), created }, options.names ?? []);
    return { id: configBlob.digest, manifest: manifestBlob.digest, layer: written.digest, size };
  });
}
