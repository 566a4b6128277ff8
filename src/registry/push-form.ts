/**
 * The form an image is pushed in. Layers lade stores uncompressed (what it builds and imports)
 * are compressed, gzip unless zstd is asked for, as Docker and BuildKit push them; layers that
 * came compressed go as they are, never recompressed. The compressed blobs and the manifest
 * naming them stay in the store with the image (its `pushed` manifests), so that a later push
 * of the same image, to any registry, compresses nothing again.
 */
import type { Digest } from '../content/index.js';
import {
  compressLayer,
  encodeDocument,
  layerCompression,
  MediaType,
  parseManifest,
  withLayers,
  type Descriptor,
  type ImageStore,
  type LayerCompression,
  type LoadedImage,
  type Manifest,
} from '../image/index.js';

export interface PushForm {
  manifest: Manifest;
  descriptor: Descriptor;
  bytes: Buffer;
}

/** Holds blobs against a concurrent prune until the image's record names them. */
interface Lease {
  add(digest: Digest): Promise<void>;
}

function isUncompressed(layer: Descriptor): boolean {
  return layerCompression(layer.mediaType) === 'none';
}

/** A manifest pushed before fits when it differs from the stored one only by the compression asked for. */
async function suits(store: ImageStore, image: LoadedImage, pushed: Manifest, compression: LayerCompression): Promise<boolean> {
  const stored = image.manifest.layers;
  if (pushed.config.digest !== image.manifest.config.digest || pushed.layers.length !== stored.length) return false;
  for (const [i, layer] of stored.entries()) {
    const candidate = pushed.layers[i]!;
    if (!isUncompressed(layer)) {
      if (candidate.digest !== layer.digest) return false;
    } else if (layerCompression(candidate.mediaType) !== compression || !(await store.content.has(candidate.digest as Digest))) {
      return false;
    }
  }
  return true;
}

/**
 * The manifest to push for `image`, with every blob it names in the store and held by `lease`.
 * `compressing` is told about each layer before it is compressed (a large one takes seconds).
 */
export async function pushForm(store: ImageStore, image: LoadedImage, compression: LayerCompression, lease: Lease, compressing?: (layer: Descriptor) => void): Promise<PushForm> {
  const storedDescriptor = image.record.manifest;
  if (compression === 'none' || !image.manifest.layers.some(isUncompressed)) {
    return { manifest: image.manifest, descriptor: storedDescriptor, bytes: await store.content.readBytes(storedDescriptor.digest as Digest) };
  }
  for (const descriptor of image.record.pushed ?? []) {
    if (!(await store.content.has(descriptor.digest as Digest))) continue;
    const bytes = await store.content.readBytes(descriptor.digest as Digest);
    const manifest = parseManifest(bytes);
    if (!(await suits(store, image, manifest, compression))) continue;
    await lease.add(descriptor.digest as Digest);
    for (const layer of manifest.layers) await lease.add(layer.digest as Digest);
    return { manifest, descriptor, bytes };
  }
  // Docker's own manifest type has no zstd layers; zstd makes the manifest OCI, as BuildKit does.
  const family = image.manifest.mediaType === MediaType.DockerManifest && compression === 'gzip' ? 'docker' : 'oci';
  const layers: Descriptor[] = [];
  for (const layer of image.manifest.layers) {
    if (!isUncompressed(layer)) {
      layers.push(layer);
      continue;
    }
    compressing?.(layer);
    const { descriptor } = await compressLayer(store.content, layer, compression, family);
    await lease.add(descriptor.digest as Digest);
    layers.push(descriptor);
  }
  const manifest = withLayers(image.manifest, layers, family);
  const bytes = encodeDocument(manifest);
  const written = await store.content.write(bytes);
  await lease.add(written.digest);
  return { manifest, descriptor: { mediaType: manifest.mediaType!, digest: written.digest, size: bytes.length }, bytes };
}
