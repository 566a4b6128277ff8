/**
 * `--cache-from`: only the cache's manifest and config are read first (a registry's, a
 * directory's, or an image's inline cache); a layer comes when a hit needs its content — the
 * final image's layers, or the input of a step that must run (`bring`). Several caches are
 * consulted in the order given. A cache that cannot be used — not there, unreachable, malformed,
 * made with another key version — is reported and left out, and the build goes on without it, as
 * BuildKit's does: a cache only ever saves work.
 */
import type { Digest } from '../content/index.js';
import { ErrorCode, LadeError, isLadeError } from '../errors/index.js';
import { documentKind, parseIndex, parseManifest, selectManifest, type Descriptor, type ImageStore } from '../image/index.js';
import { parseImageReference } from '../reference/index.js';
import { fetchLayers, fetchManifest, openSession, readSmallBlob, registryBlobs, type OpenBlob } from '../registry/index.js';
import type { Snapshotter } from '../snapshotter/index.js';
import { rootfsOf, type CacheLayers, type LayerRef } from '../solver/ops/index.js';
import type { CacheKey, CacheSource, OpResult } from '../solver/index.js';
import { CACHE_CONFIG_MEDIA_TYPE, parseConfig, parseInline, type CacheConfig } from './format.js';
import { findInLayout, layoutBlobs } from './local-layout.js';
import { describeSpec, type CacheImportSpec } from './options.js';

/** Cache configs and image configs are small; anything larger is not one. */
const DOCUMENT_LIMIT = 16 << 20;

export interface ImportedCache {
  /** For messages: the reference or directory. */
  where: string;
  config: CacheConfig;
  /** The blobs it holds, by digest. */
  blobs: Set<string>;
  open: OpenBlob;
}

function collect(open: OpenBlob, d: Descriptor, where: string): Promise<Buffer> {
  return readSmallBlob(open, d, DOCUMENT_LIMIT, where);
}

/** The cache a manifest or index document holds: lade's own form, or an image's inline cache. */
async function fromDocument(bytes: Buffer, mediaType: string, open: OpenBlob, where: string, nested: (d: Descriptor) => Promise<{ bytes: Buffer; mediaType: string }>): Promise<ImportedCache | undefined> {
  if (documentKind(bytes, mediaType) === 'index') {
    const index = parseIndex(bytes);
    const configDescriptor = index.manifests.find((d) => d.mediaType === CACHE_CONFIG_MEDIA_TYPE);
    if (configDescriptor === undefined) {
      // An image index: the platform's image, for its inline cache.
      const chosen = selectManifest(index, where);
      const doc = await nested(chosen);
      return fromDocument(doc.bytes, doc.mediaType || chosen.mediaType, open, where, nested);
    }
    const layers = index.manifests.filter((d) => d !== configDescriptor);
    return { where, config: parseConfig(await collect(open, configDescriptor, where), where), blobs: new Set(layers.map((d) => d.digest)), open };
  }
  const manifest = parseManifest(bytes);
  const configBytes = await collect(open, manifest.config, where);
  const blobs = new Set(manifest.layers.map((d) => d.digest as string));
  if (manifest.config.mediaType === CACHE_CONFIG_MEDIA_TYPE) return { where, config: parseConfig(configBytes, where), blobs, open };
  let imageConfig: unknown;
  try {
    imageConfig = JSON.parse(configBytes.toString('utf8'));
  } catch {
    throw new LadeError(ErrorCode.CacheInvalid, `${where} is neither a build cache nor an image`);
  }
  const inline = parseInline(imageConfig as Record<string, unknown>, manifest.layers, where);
  return inline === undefined ? undefined : { where, config: inline, blobs, open };
}

async function load(spec: CacheImportSpec): Promise<ImportedCache | undefined> {
  const where = describeSpec(spec);
  if (spec.type === 'local') {
    const descriptor = await findInLayout(spec.src, spec.tag);
    if (descriptor === undefined) return undefined;
    const open = layoutBlobs(spec.src);
    const read = async (d: Descriptor) => ({ bytes: await collect(open, d, where), mediaType: d.mediaType });
    const top = await read(descriptor);
    return fromDocument(top.bytes, top.mediaType, open, where, read);
  }
  const ref = parseImageReference(spec.ref);
  const session = openSession(ref.domain);
  const open = registryBlobs(session, ref);
  const top = await fetchManifest(session, ref, ref.digest ?? ref.tag ?? 'latest', where);
  const nested = async (d: Descriptor) => {
    const doc = await fetchManifest(session, ref, d.digest, where);
    return { bytes: doc.bytes, mediaType: doc.mediaType };
  };
  return fromDocument(top.bytes, top.mediaType, open, where, nested);
}

export interface ImportOutcome {
  cache?: ImportedCache;
  /** Why nothing was imported from this spec (it is not there; another key version). */
  skipped?: string;
}

/** Reads one `--cache-from`; a cache that cannot be used is skipped, with the reason. */
export async function importCache(spec: CacheImportSpec, keyVersion: string): Promise<ImportOutcome> {
  let cache: ImportedCache | undefined;
  try {
    cache = await load(spec);
  } catch (err) {
    if (isLadeError(err) && err.code === ErrorCode.RegistryNotFound) return { skipped: `${describeSpec(spec)}: not found` };
    if (isLadeError(err)) return { skipped: err.message };
    throw err;
  }
  if (cache === undefined) return { skipped: `${describeSpec(spec)}: no build cache there` };
  if (cache.config.keyVersion !== keyVersion) return { skipped: `${describeSpec(spec)}: made with cache keys ${cache.config.keyVersion}, this lade uses ${keyVersion}` };
  return { cache };
}

/**
 * The imported caches as the solver and the build's ops see them: results by key (the first
 * cache that has a key wins), and the layers of hits, brought when something needs them.
 */
export class ImportedCaches implements CacheSource, CacheLayers {
  private readonly records = new Map<string, LayerRef[]>();
  private readonly bringing = new Map<string, Promise<void>>();

  constructor(
    private readonly caches: readonly ImportedCache[],
    private readonly store: ImageStore,
    private readonly snapshotter: Snapshotter,
    /** Runs the work of bringing a tree, for progress: how many blobs the store lacks, and where they come from. */
    private readonly onBring?: (downloads: number, where: string, work: () => Promise<void>) => Promise<void>,
  ) {
    for (const cache of caches) {
      for (const record of cache.config.records) {
        if (!this.records.has(record.key)) this.records.set(record.key, record.layers.map((i) => cache.config.layers[i]!));
      }
    }
  }

  async get(key: CacheKey): Promise<OpResult | undefined> {
    const layers = this.records.get(key);
    return layers === undefined ? undefined : rootfsOf(layers);
  }

  has(digest: string): boolean {
    return this.caches.some((c) => c.blobs.has(digest));
  }

  private source(d: Descriptor): ImportedCache {
    const cache = this.caches.find((c) => c.blobs.has(d.digest));
    if (cache === undefined) throw new LadeError(ErrorCode.Internal, `no imported cache holds ${d.digest}`);
    return cache;
  }

  private async fetch(layers: readonly LayerRef[], unpack: boolean): Promise<void> {
    const descriptors = layers.map((l): Descriptor => ({ mediaType: l.mediaType, digest: l.digest as Digest, size: l.size }));
    const missing: Descriptor[] = [];
    for (const d of descriptors) if (!(await this.store.content.has(d.digest))) missing.push(d);
    const where = [...new Set(missing.map((d) => this.source(d).where))].join(', ');
    const work = () =>
      this.store.withLease(async (lease) => {
        await fetchLayers(this.store, descriptors, layers.map((l) => l.diffId as Digest), {
          open: (d, received) => this.source(d).open(d, received),
          where,
          lease,
          unpack: unpack ? this.snapshotter : undefined,
        });
      });
    return this.onBring === undefined ? work() : this.onBring(missing.length, where, work);
  }

  /** The blobs and snapshots of a hit's tree, once per tree however many steps need it. */
  bring(layers: readonly LayerRef[]): Promise<void> {
    const id = layers.map((l) => l.digest).join(',');
    let p = this.bringing.get(id);
    if (p === undefined) {
      p = this.fetch(layers, true);
      this.bringing.set(id, p);
      p.catch(() => this.bringing.delete(id));
    }
    return p;
  }

  /** Only the blobs (an export of results whose trees were never needed here). */
  fetchBlobs(layers: readonly LayerRef[]): Promise<void> {
    return this.fetch(layers, false);
  }
}
