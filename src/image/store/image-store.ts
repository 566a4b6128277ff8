/**
 * The image store: images are manifests in the content store, and names point at them. Reads
 * need no lock (the records file is replaced atomically); every change holds the store lock, and
 * blobs are written before the records that reference them, so a kill leaves at worst blobs that
 * nothing references, which prune removes.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openContentStore, type ContentStore, type Digest } from '../../content/index.js';
import { ErrorCode, LadeError } from '../../errors/index.js';
import { familiarString, parseImageReference } from '../../reference/index.js';
import { parseConfig, parseIndex, parseManifest } from '../documents.js';
import { isIndexType } from '../media-types.js';
import type { Descriptor, ImageConfig, Manifest } from '../types.js';
import { leasedDigests, withLease, type Lease } from './leases.js';
import { withFileLock } from './lock.js';
import { readRecords, writeRecords, type ImageRecord, type StoreRecords } from './records.js';
import { findImage, normalizeName, notFound, tagsOf } from './resolve.js';

export interface StoredImage {
  record: ImageRecord;
  /** Normalised names pointing at the image. */
  tags: string[];
  /** When a name was last pointed at the image (Docker's Metadata.LastTagTime). */
  lastTagTime?: string;
}

export interface LoadedImage extends StoredImage {
  manifest: Manifest;
  config: ImageConfig;
  configBytes: Buffer;
}

export interface NewImage {
  /** What the names point at: the manifest, or an index containing it. */
  target: Descriptor;
  manifest: Descriptor;
  id: Digest;
  size: number;
  layerSizes?: number[];
  created?: string;
  repoDigests?: string[];
  /** Manifests it was pushed as (see ImageRecord.pushed); added to those already recorded. */
  pushed?: Descriptor[];
}

export interface RemoveOptions {
  force?: boolean;
  /** Containers using images, by manifest digest: such an image is not deleted without force, nor with it while the container runs (Docker's rule). */
  usedBy?: ReadonlyMap<string, { id: string; running: boolean }>;
}

export interface RemoveResult {
  untagged: string[];
  deleted: Digest[];
}

export interface PruneResult {
  /** Names removed with the images, normalised. */
  untagged: string[];
  deletedImages: Digest[];
  deletedBlobs: number;
  reclaimedBytes: number;
}

export interface ImageStore {
  readonly content: ContentStore;
  list(): Promise<StoredImage[]>;
  /** Throws IMAGE_NOT_FOUND (`No such image: NAME`) or IMAGE_CONFLICT for an ambiguous ID prefix. */
  find(name: string): Promise<StoredImage>;
  load(image: StoredImage): Promise<LoadedImage>;
  /** Registers an image whose blobs are all in the content store, and points `names` at it. */
  add(image: NewImage, names: readonly string[]): Promise<ImageRecord>;
  tag(source: string, name: string): Promise<void>;
  remove(name: string, options?: RemoveOptions): Promise<RemoveResult>;
  /** Dangling (untagged) images, or every image with `all`, then every blob nothing references. */
  prune(options?: { all?: boolean; only?: ReadonlySet<string> }): Promise<PruneResult>;
  /** Runs an operation whose freshly written blobs must survive a concurrent prune. */
  withLease<T>(fn: (lease: Lease) => Promise<T>): Promise<T>;
}

function now(): string {
  return new Date().toISOString();
}

/** The normalised tag for a name given to tag/import/load; a digest or an ID is refused. */
export function tagName(name: string): string {
  const ref = parseImageReference(name);
  if (ref.digest !== undefined) {
    throw new LadeError(ErrorCode.Usage, `refusing to create a tag with a digest reference: ${name}`);
  }
  return `${ref.domain}/${ref.path}:${ref.tag ?? 'latest'}`;
}

/** `docker.io/library/busybox:latest` → `busybox:latest`. */
export function displayName(normalized: string): string {
  return familiarString(parseImageReference(normalized));
}

function stored(records: StoreRecords, record: ImageRecord): StoredImage {
  const tags = tagsOf(records, record.manifest.digest);
  const times = tags.map((t) => records.tags[t]!.lastTagTime).sort();
  const image: StoredImage = { record, tags };
  if (times.length > 0) image.lastTagTime = times[times.length - 1]!;
  return image;
}

class Store implements ImageStore {
  readonly content: ContentStore;
  private readonly recordsPath: string;
  private readonly lockPath: string;
  private readonly leaseDir: string;

  constructor(private readonly dir: string, content: ContentStore) {
    this.content = content;
    this.recordsPath = join(dir, 'images.json');
    this.lockPath = join(dir, 'lock');
    this.leaseDir = join(dir, 'leases');
  }

  private read(): Promise<StoreRecords> {
    return readRecords(this.recordsPath);
  }

  private async change<T>(fn: (records: StoreRecords) => Promise<T> | T): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    return withFileLock(this.lockPath, async () => {
      const records = await this.read();
      const result = await fn(records);
      await writeRecords(this.recordsPath, records);
      return result;
    });
  }

  async list(): Promise<StoredImage[]> {
    const records = await this.read();
    return Object.values(records.images).map((record) => stored(records, record));
  }

  async find(name: string): Promise<StoredImage> {
    const records = await this.read();
    const found = findImage(records, name);
    if (found === undefined) throw notFound(name);
    return stored(records, found.record);
  }

  async load(image: StoredImage): Promise<LoadedImage> {
    const manifest = parseManifest(await this.content.readBytes(image.record.manifest.digest, { maxSize: 4 << 20 }));
    const configBytes = await this.content.readBytes(manifest.config.digest, { maxSize: 8 << 20 });
    return { ...image, manifest, config: parseConfig(configBytes), configBytes };
  }

  add(image: NewImage, names: readonly string[]): Promise<ImageRecord> {
    const tags = names.map(tagName);
    return this.change((records) => {
      const key = image.manifest.digest;
      const previous = records.images[key];
      const record: ImageRecord = {
        manifest: { mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.size },
        id: image.id,
        size: image.size,
        added: previous?.added ?? now(),
      };
      if (image.created !== undefined) record.created = image.created;
      if (image.layerSizes !== undefined) record.layerSizes = [...image.layerSizes];
      const repoDigests = [...new Set([...(previous?.repoDigests ?? []), ...(image.repoDigests ?? [])])];
      if (repoDigests.length > 0) record.repoDigests = repoDigests;
      const pushed = [...(previous?.pushed ?? [])];
      for (const d of image.pushed ?? []) if (!pushed.some((p) => p.digest === d.digest)) pushed.push({ mediaType: d.mediaType, digest: d.digest, size: d.size });
      if (pushed.length > 0) record.pushed = pushed;
      records.images[key] = record;
      const target = { mediaType: image.target.mediaType, digest: image.target.digest, size: image.target.size };
      for (const tag of tags) records.tags[tag] = { target, manifest: key, lastTagTime: now() };
      return record;
    });
  }

  tag(source: string, name: string): Promise<void> {
    const normalized = tagName(name);
    return this.change((records) => {
      const found = findImage(records, source);
      if (found === undefined) throw notFound(source);
      const existing = found.tag === undefined ? undefined : records.tags[found.tag];
      const target = existing?.target ?? found.record.manifest;
      records.tags[normalized] = { target, manifest: found.record.manifest.digest, lastTagTime: now() };
    });
  }

  remove(name: string, options: RemoveOptions = {}): Promise<RemoveResult> {
    return this.change(async (records) => {
      const found = findImage(records, name);
      if (found === undefined) throw notFound(name);
      const key = found.record.manifest.digest;
      const result: RemoveResult = { untagged: [], deleted: [] };
      const tags = tagsOf(records, key);
      // Docker: removing by name only untags while other names remain; by ID it needs -f when
      // the image has several names.
      if (found.tag !== undefined && tags.length > 1) {
        delete records.tags[found.tag];
        result.untagged.push(found.tag);
        return result;
      }
      if (found.tag === undefined && tags.length > 1 && options.force !== true) {
        throw new LadeError(
          ErrorCode.ImageConflict,
          `conflict: unable to delete ${found.record.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
        );
      }
      const user = options.usedBy?.get(key);
      if (user !== undefined && (options.force !== true || user.running)) {
        const short = found.record.id.slice(7, 19);
        const container = user.id.slice(0, 12);
        throw new LadeError(
          ErrorCode.ImageConflict,
          user.running
            ? `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${container}`
            : found.tag !== undefined
              ? `conflict: unable to remove repository reference "${displayName(found.tag)}" (must force) - container ${container} is using its referenced image ${short}`
              : `conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${container}`,
          { hint: user.running ? `Stop and remove the container first: lade rm -f ${container}` : `Remove the container first (lade rm ${container}), or use rmi -f.` },
        );
      }
      for (const tag of tags) {
        delete records.tags[tag];
        result.untagged.push(tag);
      }
      delete records.images[key];
      result.deleted.push(found.record.id);
      await this.collect(records);
      return result;
    });
  }

  prune(options: { all?: boolean; only?: ReadonlySet<string> } = {}): Promise<PruneResult> {
    return this.change(async (records) => {
      const deletedImages: Digest[] = [];
      const untagged: string[] = [];
      for (const [key, record] of Object.entries(records.images)) {
        if (options.only !== undefined && !options.only.has(key)) continue;
        if (options.all === true || tagsOf(records, key).length === 0) {
          for (const tag of tagsOf(records, key)) {
            delete records.tags[tag];
            untagged.push(tag);
          }
          delete records.images[key];
          deletedImages.push(record.id);
        }
      }
      const { blobs, bytes } = await this.collect(records);
      return { untagged, deletedImages, deletedBlobs: blobs, reclaimedBytes: bytes };
    });
  }

  /** Deletes every blob that no image, tag or live lease references. Runs under the lock. */
  private async collect(records: StoreRecords): Promise<{ blobs: number; bytes: number }> {
    const keep = await leasedDigests(this.leaseDir);
    const mark = async (digest: string) => {
      if (keep.has(digest) || !(await this.content.has(digest as Digest))) return false;
      keep.add(digest);
      return true;
    };
    for (const tag of Object.values(records.tags)) {
      if (isIndexType(tag.target.mediaType) && (await mark(tag.target.digest))) {
        // The index itself is kept; of its manifests only those stored are reachable.
        const index = parseIndex(await this.content.readBytes(tag.target.digest, { maxSize: 4 << 20 }));
        for (const m of index.manifests) await mark(m.digest);
      }
    }
    for (const record of Object.values(records.images)) {
      for (const descriptor of [record.manifest, ...(record.pushed ?? [])]) {
        if (!(await mark(descriptor.digest))) continue;
        const manifest = parseManifest(await this.content.readBytes(descriptor.digest, { maxSize: 4 << 20 }));
        await mark(manifest.config.digest);
        for (const layer of manifest.layers) await mark(layer.digest);
      }
    }
    let blobs = 0;
    let bytes = 0;
    for await (const info of this.content.list()) {
      if (keep.has(info.digest)) continue;
      if (await this.content.delete(info.digest)) {
        blobs++;
        bytes += info.size;
      }
    }
    await this.content.cleanIngest();
    return { blobs, bytes };
  }

  withLease<T>(fn: (lease: Lease) => Promise<T>): Promise<T> {
    return withLease(this.leaseDir, fn);
  }
}

/** The image store under a lade root: `<root>/content` for blobs, `<root>/images` for names. */
export async function openImageStore(root: string): Promise<ImageStore> {
  return new Store(join(root, 'images'), await openContentStore(join(root, 'content')));
}

export { normalizeName };
