/**
 * The build's result as an image in the store: the frontend's config with the target's layers
 * as rootfs, history entries the build added stamped with the build's time, an OCI manifest,
 * and the names given with -t. Layers keep the compression they have (base layers as loaded,
 * build layers uncompressed, as Docker keeps the layers it builds).
 */
import { encodeDocument, layerCompression, layerMediaType, MediaType, type Descriptor, type ImageStore, type Manifest } from '../../image/index.js';
import type { Digest } from '../../content/index.js';
import type { RootfsResult } from './results.js';

export interface ExportOptions {
  /** The image config document from the frontend, without rootfs and created times. */
  config: Record<string, unknown>;
  rootfs: RootfsResult;
  names: readonly string[];
  created?: Date;
  /** Docker's size of the base image when the build started from one (sizes of its layers are not kept per layer). */
  baseSize?: number;
}

export interface ExportResult {
  id: Digest;
  manifest: Digest;
}

export async function exportImage(images: ImageStore, options: ExportOptions): Promise<ExportResult> {
  const created = (options.created ?? new Date()).toISOString();
  const layers = options.rootfs.layers;
  const history = (Array.isArray(options.config['history']) ? (options.config['history'] as Record<string, unknown>[]) : []).map((h) =>
    h['created'] === undefined ? { created, ...h } : h,
  );
  const config = {
    ...options.config,
    created,
    history,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  };
  return images.withLease(async (lease) => {
    const configBlob = await images.content.write(encodeDocument(config));
    await lease.add(configBlob.digest);
    const descriptors: Descriptor[] = layers.map((l) => ({
      mediaType: layerMediaType(layerCompression(l.mediaType) ?? 'none', 'oci'),
      digest: l.digest as Digest,
      size: l.size,
    }));
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: configBlob.digest, size: configBlob.size },
      layers: descriptors,
    };
    const manifestBlob = await images.content.write(encodeDocument(manifest));
    await lease.add(manifestBlob.digest);
    const target = { mediaType: MediaType.OciManifest, digest: manifestBlob.digest, size: manifestBlob.size };
    const size = layers.reduce((sum, l) => sum + (l.unpacked ?? l.size), 0);
    await images.add({ target, manifest: target, id: configBlob.digest, size, created }, options.names);
    return { id: configBlob.digest, manifest: manifestBlob.digest };
  });
}
