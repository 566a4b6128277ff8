/**
 * The build's result as an image in the store: the frontend's config with the target's layers
 * as rootfs, history entries the build added stamped with the build's time, an OCI manifest,
 * and the names given with -t. Layers keep the compression they have (base layers as loaded,
 * build layers uncompressed, as Docker keeps the layers it builds).
 */
import { encodeDocument, layerCompression, layerMediaType, MediaType, type Descriptor, type ImageStore, type Manifest } from '../../image/index.js';
import type { Digest } from '../../content/index.js';
import type { LayerRef, RootfsResult } from './results.js';

export interface ExportOptions {
  /** The image config document from the frontend, without rootfs and created times. */
  config: Record<string, unknown>;
  /** How many history entries come from the base image (they keep their own times). */
  baseHistory: number;
  rootfs: RootfsResult;
  names: readonly string[];
}

export interface ExportResult {
  id: Digest;
  manifest: Digest;
}

type History = Record<string, unknown>;

/**
 * BuildKit's normalizeLayersAndHistory: each new history entry that made a layer takes the time
 * the layer was made (kept with the step's cached result, so a rebuild from the cache gives the
 * same image ID, as Docker's does); the entries without a layer take the time of the layer
 * before them, and those before the first new layer take the first new layer's time. With no
 * new layer, the base's last time; config `created` is the last entry's.
 */
function stampHistory(history: readonly History[], baseHistory: number, newLayers: readonly LayerRef[]): History[] {
  const out = history.map((h) => ({ ...h }));
  const fresh = out.slice(baseHistory);
  const layerTimes = newLayers.map((l) => l.created);
  const withLayer = fresh.filter((h) => h['empty_layer'] !== true);
  const fallback = new Date().toISOString();
  const baseTimes = out.slice(0, baseHistory).map((h) => h['created']).filter((c): c is string => typeof c === 'string');
  let previous = layerTimes.find((t) => t !== undefined) ?? baseTimes.at(-1) ?? fallback;
  let next = 0;
  for (const h of fresh) {
    if (typeof h['created'] === 'string') continue;
    if (h['empty_layer'] !== true && withLayer.length === newLayers.length) {
      previous = layerTimes[next++] ?? fallback;
    }
    h['created'] = previous;
  }
  return out;
}

export async function exportImage(images: ImageStore, options: ExportOptions): Promise<ExportResult> {
  const layers = options.rootfs.layers;
  const historyIn = Array.isArray(options.config['history']) ? (options.config['history'] as History[]) : [];
  const baseLayers = Math.max(0, layers.length - historyIn.slice(options.baseHistory).filter((h) => h['empty_layer'] !== true).length);
  const history = stampHistory(historyIn, options.baseHistory, layers.slice(baseLayers));
  const created = (history.at(-1)?.['created'] as string | undefined) ?? new Date().toISOString();
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
