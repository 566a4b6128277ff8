/**
 * `lade push`: an image's layers and config to a repository, each only when the registry lacks
 * it (HEAD first), uploaded in one PUT of an upload session (or in chunks); then the manifest
 * under the tag. Layers stored uncompressed are compressed first, gzip unless asked otherwise
 * (push-form.ts), and the manifest pushed names those; a layer a build made is read from its
 * snapshot (made, and checked against its digest) as it is compressed or sent.
 */
import type { Digest } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { tagName, type Descriptor, type ImageStore, type LayerCompression } from '../image/index.js';
import { parseImageReference } from '../reference/index.js';
import { mountSource, putManifest, sendBlobs, type BlobEvent } from './blob-upload.js';
import { pushForm } from './push-form.js';
import type { RegistrySession } from './session.js';

export interface PushEvent extends Omit<BlobEvent, 'kind'> {
  /** `compressing` comes before a layer stored uncompressed is compressed for the push. */
  kind: BlobEvent['kind'] | 'compressing';
  /** The layer's diffID: what Docker's push lines name a layer by, whatever form it is sent in. */
  layer: string;
}

export interface PushResult {
  tag: string;
  digest: Digest;
  size: number;
  uploaded: number;
  present: number;
}

export interface PushOptions {
  /**
   * How layers stored uncompressed are sent: gzip (the default, as Docker and BuildKit), zstd, or
   * `none` (as stored). Layers stored compressed are sent as they are.
   */
  compression?: LayerCompression;
}

export async function pushImage(store: ImageStore, session: RegistrySession, name: string, onProgress?: (e: PushEvent) => void, options: PushOptions = {}): Promise<PushResult> {
  const ref = parseImageReference(name);
  if (ref.digest !== undefined) throw new LadeError(ErrorCode.Usage, `cannot push a digest reference: ${name}`, { hint: 'Tag the image (`lade tag`) and push the tag.' });
  const image = await store.load(await store.find(tagName(name)));
  return store.withLease(async (lease) => {
    const diffIds = image.config.rootfs?.diff_ids ?? [];
    const layerOf = (i: number, d: Descriptor) => diffIds[i] ?? d.digest;
    const stored = image.manifest.layers;
    const form = await pushForm(store, image, options.compression ?? 'gzip', lease, (layer) =>
      onProgress?.({ kind: 'compressing', layer: layerOf(stored.indexOf(layer), layer), digest: layer.digest, size: layer.size }),
    );
    const blobs = [...form.manifest.layers, form.manifest.config];
    const present = await sendBlobs(session, store, ref, blobs, {
      from: mountSource(image.record.repoDigests, ref),
      // Layers are reported, as Docker reports them; the config goes quietly.
      report: (d, i) => (d === form.manifest.config || onProgress === undefined ? undefined : (e) => onProgress({ ...e, layer: layerOf(i, d) })),
    });
    const tag = ref.tag ?? 'latest';
    await putManifest(session, ref, tag, form.descriptor.mediaType, form.bytes, `the manifest of ${name}`);
    const { record } = image;
    const manifest = record.manifest;
    await store.add(
      {
        target: manifest,
        manifest,
        id: record.id,
        size: record.size,
        ...(record.created === undefined ? {} : { created: record.created }),
        ...(record.layerSizes === undefined ? {} : { layerSizes: record.layerSizes }),
        repoDigests: [`${ref.domain}/${ref.path}@${form.descriptor.digest}`],
        ...(form.descriptor.digest === manifest.digest ? {} : { pushed: [form.descriptor] }),
      },
      [],
    );
    return { tag, digest: form.descriptor.digest as Digest, size: form.bytes.length, uploaded: blobs.length - present, present };
  });
}
