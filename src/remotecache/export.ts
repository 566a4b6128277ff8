/**
 * `--cache-to type=registry|local`: the chosen results' layers, compressed where lade stores them
 * uncompressed (gzip unless zstd is asked for; a layer that is compressed already goes as it is),
 * the cache config naming them, and the manifest (or index) holding both, sent where the spec
 * says. A registry gets only the blobs it lacks (HEAD first), a directory only the files it lacks.
 * The compressed form of a layer is remembered (`<root>/buildcache/compressed/`), so a second
 * export of the same layers compresses nothing again while the blob is still in the store.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, type Digest } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { compressLayer, encodeDocument, layerCompression, MediaType, type Descriptor, type ImageStore, type LayerCompression } from '../image/index.js';
import { parseImageReference } from '../reference/index.js';
import { openSession, putManifest, sendBlobs } from '../registry/index.js';
import type { LayerRef } from '../solver/ops/index.js';
import { buildConfig, CACHE_CONFIG_MEDIA_TYPE, encodeConfig, UNCOMPRESSED_ANNOTATION, type CacheEntryOut } from './format.js';
import { writeToLayout } from './local-layout.js';
import type { CacheExportSpec } from './options.js';

export interface ExportContext {
  store: ImageStore;
  /** Where the compressed forms of layers are remembered (`<root>/buildcache/compressed`). */
  memoDir: string;
  keyVersion: string;
  /** Brings into the store the blobs of layers an imported cache holds and the store lacks. */
  fetchBlobs?: ((layers: readonly LayerRef[]) => Promise<void>) | undefined;
  /** A line of progress. */
  log(line: string): void;
}

export interface ExportSummary {
  /** The cache manifest's digest. */
  digest: Digest;
  records: number;
  layers: number;
  /** Blobs sent (or copied), and blobs the target had already. */
  sent: number;
  present: number;
}

type Target = Extract<CacheExportSpec, { type: 'registry' | 'local' }>;

interface Memo {
  digest: Digest;
  size: number;
  mediaType: string;
}

/** The layer as it is exported: compressed (remembered, or made now) when lade stores it uncompressed. */
async function exported(ctx: ExportContext, layer: LayerRef, compression: Exclude<LayerCompression, 'none'>): Promise<LayerRef> {
  if (layerCompression(layer.mediaType) !== 'none') return layer;
  const memoPath = join(ctx.memoDir, `${layer.diffId.slice('sha256:'.length)}.${compression}.json`);
  try {
    const memo = JSON.parse(await readFile(memoPath, 'utf8')) as Memo;
    if (await ctx.store.content.has(memo.digest)) return { ...layer, digest: memo.digest, size: memo.size, mediaType: memo.mediaType };
  } catch {
    // Not compressed before, or its record is unreadable: compress it now.
  }
  const started = Date.now();
  const { descriptor } = await compressLayer(ctx.store.content, { mediaType: layer.mediaType, digest: layer.digest as Digest, size: layer.size }, compression);
  ctx.log(`compressing layer ${layer.diffId} ${((Date.now() - started) / 1000).toFixed(1)}s done`);
  await mkdir(ctx.memoDir, { recursive: true });
  await writeFileAtomic(memoPath, JSON.stringify({ digest: descriptor.digest, size: descriptor.size, mediaType: descriptor.mediaType } satisfies Memo), { durable: false });
  return { ...layer, digest: descriptor.digest, size: descriptor.size, mediaType: descriptor.mediaType };
}

export async function exportCache(spec: Target, entries: readonly CacheEntryOut[], ctx: ExportContext): Promise<ExportSummary | undefined> {
  if (entries.length === 0) {
    ctx.log('no cached results to export');
    return undefined;
  }
  return ctx.store.withLease(async (lease) => {
    ctx.log('preparing build cache for export');
    const unique = new Map<string, LayerRef>();
    for (const e of entries) for (const l of e.layers) unique.set(l.digest, l);
    const missing: LayerRef[] = [];
    for (const l of unique.values()) if (!(await ctx.store.content.has(l.digest as Digest))) missing.push(l);
    if (missing.length > 0) {
      if (ctx.fetchBlobs === undefined) throw new LadeError(ErrorCode.Internal, `layer ${missing[0]!.digest} of a cached result is in no store`);
      await ctx.fetchBlobs(missing);
    }
    const forms = new Map<string, LayerRef>();
    for (const l of unique.values()) {
      const form = await exported(ctx, l, spec.compression);
      await lease.add(form.digest as Digest);
      forms.set(l.digest, form);
    }
    const config = buildConfig(
      ctx.keyVersion,
      entries.map((e) => ({ ...e, layers: e.layers.map((l) => forms.get(l.digest)!) })),
    );
    const configBytes = encodeConfig(config);
    const configBlob = await ctx.store.content.write(configBytes);
    await lease.add(configBlob.digest);
    const configDescriptor: Descriptor = { mediaType: CACHE_CONFIG_MEDIA_TYPE, digest: configBlob.digest, size: configBlob.size };
    const layerDescriptors: Descriptor[] = config.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest as Digest, size: l.size, annotations: { [UNCOMPRESSED_ANNOTATION]: l.diffId } }));
    const doc = spec.imageManifest
      ? { schemaVersion: 2, mediaType: MediaType.OciManifest, config: configDescriptor, layers: layerDescriptors }
      : { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [...layerDescriptors, configDescriptor] };
    const bytes = encodeDocument(doc);
    const written = await ctx.store.content.write(bytes);
    await lease.add(written.digest);
    const manifest: Descriptor = { mediaType: doc.mediaType, digest: written.digest, size: bytes.length };
    const blobs = [...layerDescriptors, configDescriptor];
    let present = 0;
    if (spec.type === 'registry') {
      const ref = parseImageReference(spec.ref);
      if (ref.digest !== undefined) throw new LadeError(ErrorCode.Usage, `--cache-to needs a tag, not a digest: ${spec.ref}`);
      const session = openSession(ref.domain);
      present = await sendBlobs(session, ctx.store, ref, blobs, {
        report: (d) => (e) => {
          const what = d === configDescriptor ? 'config' : 'layer';
          if (e.kind === 'exists') ctx.log(`${what} ${d.digest} exists`);
          else if (e.kind === 'pushed' || e.kind === 'mounted') ctx.log(`writing ${what} ${d.digest} done`);
        },
      });
      await putManifest(session, ref, ref.tag ?? 'latest', manifest.mediaType, bytes, `the build cache ${spec.ref}`);
    } else {
      await writeToLayout(ctx.store, spec.dest, spec.tag, manifest, blobs, (d, copied) => {
        if (!copied) present++;
        else if (d !== manifest) ctx.log(`writing ${d === configDescriptor ? 'config' : 'layer'} ${d.digest} done`);
      });
    }
    ctx.log(`writing manifest ${manifest.digest} done`);
    return { digest: manifest.digest, records: config.records.length, layers: config.layers.length, sent: blobs.length - present, present };
  });
}
