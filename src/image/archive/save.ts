/**
 * `lade save`: images to a tar that `docker load` (20.10 and later) and OCI tools accept. The
 * layout is Docker 25's: an OCI image layout (`oci-layout`, `index.json`, `blobs/`) plus
 * `manifest.json` and `repositories`. Blobs are written exactly as stored, so the manifests and
 * configs keep their digests through save and load. Member times are the epoch, so saving the
 * same images twice gives the same bytes.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { digestOf, type Digest } from '../../content/index.js';
import { compressLayer, withLayers } from '../compress-layer.js';
import { encodeDocument } from '../documents.js';
import { parseImageReference } from '../../reference/index.js';
import { MediaType, type LayerCompression } from '../media-types.js';
import { displayName, tagName, type ImageStore, type LoadedImage } from '../store/index.js';
import type { Descriptor, ImageIndex, Manifest } from '../types.js';
import { Annotation, blobPath, OCI_LAYOUT, type DockerArchiveEntry } from './formats.js';

interface SaveItem {
  image: LoadedImage;
  /** Normalised names to record, in the order given. */
  names: string[];
}

const EPOCH = new Date(0);

/** Resolves the names first, so a bad name fails before any output is written. */
export async function resolveForSave(store: ImageStore, names: readonly string[]): Promise<SaveItem[]> {
  const items = new Map<string, SaveItem>();
  for (const name of names) {
    const found = await store.find(name);
    const key = found.record.manifest.digest;
    let item = items.get(key);
    if (item === undefined) {
      item = { image: await store.load(found), names: [] };
      items.set(key, item);
    }
    // A name that is a tag is recorded; an ID or digest saves the image without a name, as Docker.
    const tag = found.tags.find((t) => t === tagFor(name));
    if (tag !== undefined && !item.names.includes(tag)) item.names.push(tag);
  }
  return [...items.values()];
}

/** The normalised tag a name stands for; undefined for an ID or a digest reference. */
function tagFor(name: string): string | undefined {
  try {
    return tagName(name);
  } catch {
    return undefined;
  }
}

export interface SaveOptions {
  /**
   * Layers in this compression instead of as stored (gzip and zstd archives are smaller; Docker
   * 20.10 loads gzip layers but not zstd ones). The images keep their IDs; their manifests, which
   * name the layers, are new.
   */
  compression?: LayerCompression;
}

/** The image as it goes into the archive: its stored manifest, or one naming recompressed layers. */
async function archivedForm(store: ImageStore, image: LoadedImage, compression: LayerCompression | undefined, created: Digest[]) {
  const stored = { manifest: image.manifest, descriptor: image.record.manifest as Descriptor, bytes: undefined as Buffer | undefined };
  if (compression === undefined) return stored;
  const layers: Descriptor[] = [];
  for (const layer of image.manifest.layers) {
    const result = await compressLayer(store.content, layer, compression);
    if (result.created) created.push(result.descriptor.digest);
    layers.push(result.descriptor);
  }
  if (layers.every((l, i) => l.digest === image.manifest.layers[i]?.digest && l.mediaType === image.manifest.layers[i]?.mediaType)) return stored;
  const manifest = withLayers(image.manifest, layers);
  const bytes = encodeDocument(manifest);
  return { manifest, bytes, descriptor: { mediaType: MediaType.OciManifest, digest: digestOf(bytes), size: bytes.length } };
}

export async function writeArchive(store: ImageStore, items: readonly SaveItem[], out: Writable, options: SaveOptions = {}): Promise<void> {
  // Recompressed layers are written to the store first (their size must be known for the tar
  // header), held by a lease while the archive is written, and removed afterwards.
  const created: Digest[] = [];
  try {
    await store.withLease(async (lease) => {
      const forms = [];
      for (const item of items) {
        const before = created.length;
        const form = await archivedForm(store, item.image, options.compression, created);
        for (const d of created.slice(before)) await lease.add(d);
        forms.push({ ...item, form });
      }
      await writeTar(store, forms, out);
    });
  } finally {
    for (const digest of created) await store.content.delete(digest).catch(() => false);
  }
}

interface ArchivedItem extends SaveItem {
  form: { manifest: Manifest; descriptor: Descriptor; bytes: Buffer | undefined };
}

async function writeTar(store: ImageStore, items: readonly ArchivedItem[], out: Writable): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, out);
  const written = new Set<string>();
  const addDir = (name: string) =>
    new Promise<void>((resolve, reject) => {
      pack.entry({ name, type: 'directory', mode: 0o755, mtime: EPOCH }, (err) => (err ? reject(err) : resolve()));
    });
  const addFile = (name: string, data: Buffer | string) =>
    new Promise<void>((resolve, reject) => {
      pack.entry({ name, mode: 0o644, mtime: EPOCH }, typeof data === 'string' ? Buffer.from(data) : data, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  const addBlob = async (descriptor: { digest: Digest; size: number }) => {
    if (written.has(descriptor.digest)) return;
    written.add(descriptor.digest);
    const source = await store.content.openRead(descriptor.digest);
    const entry = pack.entry({ name: blobPath(descriptor.digest), size: descriptor.size, mode: 0o644, mtime: EPOCH });
    await pipeline(source, entry);
  };
  try {
    await addDir('blobs');
    await addDir('blobs/sha256');
    const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
    const manifestJson: DockerArchiveEntry[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const { image, names, form } of items) {
      const m = form.descriptor;
      await addBlob(form.manifest.config);
      for (const layer of form.manifest.layers) await addBlob(layer);
      if (form.bytes === undefined) await addBlob(m);
      else if (!written.has(m.digest)) {
        written.add(m.digest);
        await addFile(blobPath(m.digest), form.bytes);
      }
      const base: Descriptor = { mediaType: m.mediaType, digest: m.digest, size: m.size };
      if (names.length === 0) index.manifests.push(base);
      for (const name of names) {
        const ref = parseImageReference(name);
        index.manifests.push({ ...base, annotations: { [Annotation.ImageName]: name, [Annotation.RefName]: ref.tag ?? 'latest' } });
        const familiar = displayName(name);
        const colon = familiar.lastIndexOf(':');
        (repositories[familiar.slice(0, colon)] ??= {})[familiar.slice(colon + 1)] = image.record.id.slice(7);
      }
      manifestJson.push({
        Config: blobPath(image.manifest.config.digest),
        RepoTags: names.length === 0 ? null : names.map(displayName),
        Layers: form.manifest.layers.map((l) => blobPath(l.digest)),
      });
    }
    await addFile('oci-layout', JSON.stringify(OCI_LAYOUT));
    await addFile('index.json', JSON.stringify(index));
    await addFile('manifest.json', JSON.stringify(manifestJson));
    if (Object.keys(repositories).length > 0) await addFile('repositories', JSON.stringify(repositories));
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    await done.catch(() => {});
    throw err;
  }
  await done;
}
