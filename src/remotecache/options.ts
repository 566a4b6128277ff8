/**
 * `--cache-to` and `--cache-from` as buildx reads them: comma-separated `key=value` attributes
 * (`type=registry,ref=REF,mode=max`), or a bare reference for `type=registry,ref=REF`.
 */
import { ErrorCode, LadeError } from '../errors/index.js';
import type { LayerCompression } from '../image/index.js';

export type CacheMode = 'min' | 'max';

export type CacheExportSpec =
  | { type: 'registry'; ref: string; mode: CacheMode; compression: Exclude<LayerCompression, 'none'>; imageManifest: boolean; ignoreError: boolean }
  | { type: 'local'; dest: string; tag: string; mode: CacheMode; compression: Exclude<LayerCompression, 'none'>; imageManifest: boolean; ignoreError: boolean }
  | { type: 'inline'; ignoreError: boolean };

export type CacheImportSpec = { type: 'registry'; ref: string } | { type: 'local'; src: string; tag: string };

function usage(flag: string, value: string, why: string): LadeError {
  return new LadeError(ErrorCode.Usage, `invalid argument "${value}" for "--${flag}" flag: ${why}`);
}

function attributes(flag: string, value: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!value.includes('=')) {
    if (value.trim() === '') throw usage(flag, value, 'empty value');
    out.set('type', 'registry');
    out.set('ref', value.trim());
    return out;
  }
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw usage(flag, value, `expected key=value, got "${part}"`);
    out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (!out.has('type')) out.set('type', out.has('ref') ? 'registry' : '');
  return out;
}

function flagValue(flag: string, value: string, attrs: Map<string, string>, key: string, fallback: boolean): boolean {
  const v = attrs.get(key);
  if (v === undefined) return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw usage(flag, value, `${key} must be true or false`);
}

function required(flag: string, value: string, attrs: Map<string, string>, key: string): string {
  const v = attrs.get(key);
  if (v === undefined || v === '') throw usage(flag, value, `type=${attrs.get('type')} needs ${key}=`);
  return v;
}

export function parseCacheTo(value: string): CacheExportSpec {
  const flag = 'cache-to';
  const attrs = attributes(flag, value);
  const type = attrs.get('type')!;
  const ignoreError = flagValue(flag, value, attrs, 'ignore-error', false);
  if (type === 'inline') return { type, ignoreError };
  if (type !== 'registry' && type !== 'local') {
    throw usage(flag, value, `unsupported cache type "${type}" (lade exports to registry, local and inline)`);
  }
  const mode = attrs.get('mode') ?? 'min';
  if (mode !== 'min' && mode !== 'max') throw usage(flag, value, `mode must be min or max, not "${mode}"`);
  const compression = attrs.get('compression') ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'zstd') throw usage(flag, value, `compression must be gzip or zstd, not "${compression}"`);
  const imageManifest = flagValue(flag, value, attrs, 'image-manifest', true);
  if (type === 'registry') return { type, ref: required(flag, value, attrs, 'ref'), mode, compression, imageManifest, ignoreError };
  return { type, dest: required(flag, value, attrs, 'dest'), tag: attrs.get('tag') || 'latest', mode, compression, imageManifest, ignoreError };
}

export function parseCacheFrom(value: string): CacheImportSpec {
  const flag = 'cache-from';
  const attrs = attributes(flag, value);
  const type = attrs.get('type')!;
  if (type === 'registry') return { type, ref: required(flag, value, attrs, 'ref') };
  if (type === 'local') return { type, src: required(flag, value, attrs, 'src'), tag: attrs.get('tag') || 'latest' };
  throw usage(flag, value, `unsupported cache type "${type}" (lade imports from registry and local)`);
}

/** How a cache is named in progress and messages. */
export function describeSpec(spec: CacheExportSpec | CacheImportSpec): string {
  switch (spec.type) {
    case 'registry':
      return spec.ref;
    case 'local':
      return 'dest' in spec ? spec.dest : spec.src;
    case 'inline':
      return 'the image (inline)';
  }
}
