/**
 * lade's build cache as OCI content (docs/build-cache.md): an OCI image manifest (or, with
 * `image-manifest=false`, an index, as BuildKit's older form) whose config is a cache config of
 * lade's own media type and whose layers are the cached layers' blobs, each annotated with its
 * diffID. The config maps cache keys to the layers of their results:
 *
 *   { "keyVersion": "lade.cachekey.v1",
 *     "layers": [ { "digest", "mediaType", "size", "diffId", "unpacked"?, "created"? } ],
 *     "records": [ { "key": "sha256:…", "layers": [0, 1, 2], "name"? } ] }
 *
 * A record's layers are indexes into `layers`, bottom to top: the whole tree, base image
 * included, so a cache needs nothing else to be used. Records are sorted by key and layers by
 * first use, so the same cache is the same bytes. Inline, the records go into the image config
 * under `lade.buildcache.v1`, naming the image's own first N layers.
 */
import { canonicalJson } from '../graph/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import type { LayerRef } from '../solver/ops/index.js';

export const CACHE_CONFIG_MEDIA_TYPE = 'application/vnd.lade.buildcache.config.v1+json';
/** The image config key of an inline cache. */
export const INLINE_CACHE_KEY = 'lade.buildcache.v1';
/** What containerd and BuildKit annotate a layer descriptor with: its diffID. */
export const UNCOMPRESSED_ANNOTATION = 'containerd.io/uncompressed';

export interface CacheRecord {
  key: string;
  /** Indexes into the config's layers, bottom to top. */
  layers: number[];
  /** The step that made it, for people reading the cache. */
  name?: string;
}

export interface CacheConfig {
  keyVersion: string;
  layers: LayerRef[];
  records: CacheRecord[];
}

export interface InlineCache {
  keyVersion: string;
  /** For each layer of the image, what its descriptor and diffID do not say. */
  layers: Array<{ unpacked?: number; created?: string }>;
  /** Each record's result is the image's first `layers` layers. */
  records: Array<{ key: string; layers: number; name?: string }>;
}

/** A result to record: a cache key and the layers of its tree. */
export interface CacheEntryOut {
  key: string;
  layers: readonly LayerRef[];
  name?: string | undefined;
}

function layerOf(l: LayerRef): LayerRef {
  const out: LayerRef = { digest: l.digest, mediaType: l.mediaType, size: l.size, diffId: l.diffId };
  if (l.unpacked !== undefined) out.unpacked = l.unpacked;
  if (l.created !== undefined) out.created = l.created;
  return out;
}

export function buildConfig(keyVersion: string, entries: readonly CacheEntryOut[]): CacheConfig {
  const layers: LayerRef[] = [];
  const index = new Map<string, number>();
  const records: CacheRecord[] = [];
  for (const entry of [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    if (records.at(-1)?.key === entry.key) continue;
    const indexes = entry.layers.map((l) => {
      const layer = layerOf(l);
      const id = canonicalJson(layer);
      let i = index.get(id);
      if (i === undefined) {
        i = layers.push(layer) - 1;
        index.set(id, i);
      }
      return i;
    });
    records.push({ key: entry.key, layers: indexes, ...(entry.name === undefined ? {} : { name: entry.name }) });
  }
  return { keyVersion, layers, records };
}

export function encodeConfig(config: CacheConfig): Buffer {
  return Buffer.from(canonicalJson(config), 'utf8');
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

function invalid(where: string, why: string): LadeError {
  return new LadeError(ErrorCode.CacheInvalid, `the build cache in ${where} is not one lade can read: ${why}`, {
    hint: 'Export it again with this version of lade (--cache-to), or leave this --cache-from out.',
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkLayer(v: unknown, where: string, what: string): LayerRef {
  if (!isObject(v)) throw invalid(where, `${what} is not an object`);
  const { digest, mediaType, size, diffId, unpacked, created } = v;
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw invalid(where, `${what} has no sha256 digest`);
  if (typeof diffId !== 'string' || !DIGEST.test(diffId)) throw invalid(where, `${what} has no sha256 diffId`);
  if (typeof mediaType !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(where, `${what} has no media type or size`);
  const layer: LayerRef = { digest, mediaType, size, diffId };
  if (typeof unpacked === 'number') layer.unpacked = unpacked;
  if (typeof created === 'string') layer.created = created;
  return layer;
}

/** Parses a cache config; throws CACHE_INVALID naming `where` for anything malformed. */
export function parseConfig(bytes: Buffer, where: string): CacheConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw invalid(where, `its config is not JSON (${(err as Error).message})`);
  }
  if (!isObject(doc) || typeof doc['keyVersion'] !== 'string' || !Array.isArray(doc['layers']) || !Array.isArray(doc['records'])) {
    throw invalid(where, 'its config lacks keyVersion, layers or records');
  }
  const layers = doc['layers'].map((l, i) => checkLayer(l, where, `layer ${i}`));
  const records = doc['records'].map((r, i): CacheRecord => {
    if (!isObject(r) || typeof r['key'] !== 'string' || !DIGEST.test(r['key']) || !Array.isArray(r['layers'])) throw invalid(where, `record ${i} is malformed`);
    const indexes = r['layers'].map((x) => {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= layers.length) throw invalid(where, `record ${i} names a layer that is not there`);
      return x;
    });
    return { key: r['key'], layers: indexes, ...(typeof r['name'] === 'string' ? { name: r['name'] } : {}) };
  });
  return { keyVersion: doc['keyVersion'], layers, records };
}

/** The inline form of `entries`, all of whose trees are the first layers of `image`. */
export function buildInline(keyVersion: string, image: readonly LayerRef[], entries: readonly CacheEntryOut[]): InlineCache {
  const records = [...entries]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .filter((e, i, all) => i === 0 || all[i - 1]!.key !== e.key)
    .map((e) => ({ key: e.key, layers: e.layers.length, ...(e.name === undefined ? {} : { name: e.name }) }));
  const layers = image.map((l) => ({ ...(l.unpacked === undefined ? {} : { unpacked: l.unpacked }), ...(l.created === undefined ? {} : { created: l.created }) }));
  return { keyVersion, layers, records };
}

/**
 * The cache an image config carries inline, as a CacheConfig over the image's layers (their
 * descriptors from its manifest, diffIDs from its config); undefined when it carries none.
 */
export function parseInline(config: Record<string, unknown>, layers: ReadonlyArray<{ digest: string; mediaType: string; size: number }>, where: string): CacheConfig | undefined {
  const inline = config[INLINE_CACHE_KEY];
  if (inline === undefined) return undefined;
  const rootfs = config['rootfs'];
  const diffIds = isObject(rootfs) && Array.isArray(rootfs['diff_ids']) ? rootfs['diff_ids'] : [];
  if (!isObject(inline) || typeof inline['keyVersion'] !== 'string' || !Array.isArray(inline['layers']) || !Array.isArray(inline['records'])) {
    throw invalid(where, 'its inline cache lacks keyVersion, layers or records');
  }
  if (diffIds.length !== layers.length || inline['layers'].length !== layers.length) throw invalid(where, 'its inline cache does not match its layers');
  const refs = layers.map((d, i) => {
    const extra = inline['layers'] as unknown[];
    const e = isObject(extra[i]) ? extra[i] : {};
    return checkLayer({ digest: d.digest, mediaType: d.mediaType, size: d.size, diffId: diffIds[i], unpacked: e['unpacked'], created: e['created'] }, where, `layer ${i}`);
  });
  const records = inline['records'].map((r, i): CacheRecord => {
    if (!isObject(r) || typeof r['key'] !== 'string' || !DIGEST.test(r['key'])) throw invalid(where, `inline record ${i} is malformed`);
    const n = r['layers'];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > layers.length) throw invalid(where, `inline record ${i} names layers that are not there`);
    return { key: r['key'], layers: [...Array(n).keys()], ...(typeof r['name'] === 'string' ? { name: r['name'] } : {}) };
  });
  return { keyVersion: inline['keyVersion'], layers: refs, records };
}
