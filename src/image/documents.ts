/**
 * Decoding and checking image documents. Every failure is a LadeError naming the document and
 * what is wrong with it; a document is never trusted beyond what is checked here.
 */
import { parseDigest, type Digest } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { isIndexType, isManifestType } from './media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, Manifest, Platform } from './types.js';

function invalid(what: string, message: string): LadeError {
  return new LadeError(ErrorCode.InvalidImage, `invalid ${what}: ${message}`);
}

function decodeJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw invalid(what, `not JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(what, 'not a JSON object');
  return value as Record<string, unknown>;
}

function stringMap(value: unknown, what: string, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(what, `${field} is not an object`);
  for (const v of Object.values(value)) if (typeof v !== 'string') throw invalid(what, `${field} has a non-string value`);
  return value as Record<string, string>;
}

function digestField(value: unknown, what: string, field: string): Digest {
  if (typeof value !== 'string') throw invalid(what, `${field} is missing`);
  try {
    return parseDigest(value);
  } catch (err) {
    throw invalid(what, `${field}: ${(err as Error).message}`);
  }
}

function platformOf(value: unknown, what: string): Platform | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(what, 'platform is not an object');
  const p = value as Record<string, unknown>;
  if (typeof p['architecture'] !== 'string' || typeof p['os'] !== 'string') throw invalid(what, 'platform needs os and architecture');
  return p as unknown as Platform;
}

export function parseDescriptor(value: unknown, what: string): Descriptor {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(what, 'descriptor is not an object');
  const d = value as Record<string, unknown>;
  if (typeof d['mediaType'] !== 'string' || d['mediaType'] === '') throw invalid(what, 'descriptor has no mediaType');
  const size = d['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(what, 'descriptor size is not a non-negative integer');
  const out: Descriptor = { ...(d as object), mediaType: d['mediaType'], digest: digestField(d['digest'], what, 'descriptor digest'), size };
  const annotations = stringMap(d['annotations'], what, 'annotations');
  if (annotations !== undefined) out.annotations = annotations;
  const platform = platformOf(d['platform'], what);
  if (platform !== undefined) out.platform = platform;
  return out;
}

function descriptorList(value: unknown, what: string, field: string): Descriptor[] {
  if (!Array.isArray(value)) throw invalid(what, `${field} is not an array`);
  return value.map((v, i) => parseDescriptor(v, `${what} ${field}[${i}]`));
}

/** Whether the bytes are an index or a manifest, by mediaType, else by shape (old documents omit it). */
export function documentKind(bytes: Uint8Array, declared?: string): 'index' | 'manifest' {
  if (isIndexType(declared)) return 'index';
  if (isManifestType(declared)) return 'manifest';
  const doc = decodeJson(bytes, 'image document');
  const own = doc['mediaType'];
  if (typeof own === 'string' && isIndexType(own)) return 'index';
  if (typeof own === 'string' && isManifestType(own)) return 'manifest';
  if (Array.isArray(doc['manifests'])) return 'index';
  if (doc['config'] !== undefined) return 'manifest';
  throw invalid('image document', 'neither a manifest nor an index');
}

export function parseManifest(bytes: Uint8Array): Manifest {
  const what = 'image manifest';
  const doc = decodeJson(bytes, what);
  if (doc['schemaVersion'] !== 2) {
    throw invalid(what, `schemaVersion ${JSON.stringify(doc['schemaVersion'])} is not supported (only 2: Docker schema1 manifests are obsolete)`);
  }
  const mediaType = doc['mediaType'];
  if (mediaType !== undefined && (typeof mediaType !== 'string' || !isManifestType(mediaType))) {
    throw invalid(what, `mediaType ${JSON.stringify(mediaType)} is not a manifest type`);
  }
  return {
    ...(doc as object),
    schemaVersion: 2,
    config: parseDescriptor(doc['config'], `${what} config`),
    layers: doc['layers'] === undefined || doc['layers'] === null ? [] : descriptorList(doc['layers'], what, 'layers'),
  } as Manifest;
}

export function parseIndex(bytes: Uint8Array): ImageIndex {
  const what = 'image index';
  const doc = decodeJson(bytes, what);
  if (doc['schemaVersion'] !== 2) throw invalid(what, `schemaVersion ${JSON.stringify(doc['schemaVersion'])} is not supported`);
  const mediaType = doc['mediaType'];
  if (mediaType !== undefined && (typeof mediaType !== 'string' || !isIndexType(mediaType))) {
    throw invalid(what, `mediaType ${JSON.stringify(mediaType)} is not an index type`);
  }
  return { ...(doc as object), schemaVersion: 2, manifests: descriptorList(doc['manifests'], what, 'manifests') } as ImageIndex;
}

export function parseConfig(bytes: Uint8Array): ImageConfig {
  const what = 'image config';
  const doc = decodeJson(bytes, what);
  if (typeof doc['architecture'] !== 'string') throw invalid(what, 'architecture is missing');
  if (typeof doc['os'] !== 'string') throw invalid(what, 'os is missing');
  const rootfs = doc['rootfs'];
  if (rootfs === null || typeof rootfs !== 'object' || Array.isArray(rootfs)) throw invalid(what, 'no rootfs');
  const r = rootfs as Record<string, unknown>;
  if (r['type'] !== 'layers') throw invalid(what, `rootfs type ${JSON.stringify(r['type'])} is not "layers"`);
  const ids = r['diff_ids'] ?? [];
  if (!Array.isArray(ids)) throw invalid(what, 'rootfs.diff_ids is not an array');
  const diffIds = ids.map((id, i) => digestField(id, what, `rootfs.diff_ids[${i}]`));
  return { ...(doc as object), rootfs: { ...r, type: 'layers', diff_ids: diffIds } } as ImageConfig;
}

/** Canonical bytes for a document lade creates: compact JSON, as Docker and BuildKit write it. */
export function encodeDocument(doc: object): Buffer {
  return Buffer.from(JSON.stringify(doc));
}
