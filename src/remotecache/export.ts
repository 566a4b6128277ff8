/**
 * `--cache-to type=registry|local`: the chosen results' layers, the cache config naming them and
 * the manifest (or index) holding both, sent where the spec says, each blob only when the target
 * lacks it. A layer lade stores uncompressed is compressed as it is sent (gzip unless zstd is asked
 * for), hashed on the way and not stored: compression, sending and the target's writing overlap.
 * Its compressed form is remembered (`<root>/buildcache/compressed/`), so that a second export
 * finds the blob at the target by digest and compresses nothing again. A layer that is compressed
 * already goes as it is.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { eachLimited, writeFileAtomic, type Digest } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { compressedStream, encodeDocument, layerCompression, layerMediaType, MediaType, type Descriptor, type ImageStore } from '../image/index.js';
import { parseImageReference } from '../reference/index.js';
import { hasBlob, openSession, putManifest, sendBlob, streamBlob } from '../registry/index.js';
import type { LayerRef } from '../solver/ops/index.js';
import { buildConfig, CACHE_CONFIG_MEDIA_TYPE, encodeConfig, UNCOMPRESSED_ANNOTATION, type CacheEntryOut } from './format.js';
import { copyToLayout, layoutHas, streamToLayout, tagInLayout } from './local-layout.js';
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
  /** Blobs sent, and blobs the target had already. */
  sent: number;
  present: number;
}

type Spec = Extract<CacheExportSpec, { type: 'registry' | 'local' }>;

/** Where an export goes: a registry's repository or an OCI layout directory. */
interface Target {
  has(d: Descriptor): Promise<boolean>;
  /** Sends a blob of the store. */
  send(d: Descriptor): Promise<void>;
  /** Sends bytes whose digest is learnt as they go. */
  stream(bytes: Readable): Promise<{ digest: Digest; size: number }>;
  /** Names the manifest (the last thing written). */
  finish(manifest: Descriptor, bytes: Buffer): Promise<void>;
}

function targetOf(spec: Spec, store: ImageStore): Target {
  if (spec.type === 'local') {
    return {
      has: (d) => layoutHas(spec.dest, d),
      send: (d) => copyToLayout(store, spec.dest, d),
      stream: (bytes) => streamToLayout(spec.dest, bytes),
      finish: (manifest, bytes) => tagInLayout(spec.dest, spec.tag, manifest, bytes),
    };
  }
  const ref = parseImageReference(spec.ref);
  if (ref.digest !== undefined) throw new LadeError(ErrorCode.Usage, `--cache-to needs a tag, not a digest: ${spec.ref}`);
  const session = openSession(ref.domain);
  return {
    has: (d) => hasBlob(session, ref, d),
    send: async (d) => void (await sendBlob(session, store, ref, d)),
    stream: (bytes) => streamBlob(session, ref, bytes),
    finish: (manifest, bytes) => putManifest(session, ref, ref.tag ?? 'latest', manifest.mediaType, bytes, `the build cache ${spec.ref}`),
  };
}

interface Memo {
  digest: Digest;
  size: number;
  mediaType: string;
}

const PARALLEL_LAYERS = 3;

export async function exportCache(spec: Spec, entries: readonly CacheEntryOut[], ctx: ExportContext): Promise<ExportSummary | undefined> {
  if (entries.length === 0) {
    ctx.log('no cached results to export');
    return undefined;
  }
  const target = targetOf(spec, ctx.store);
  let sent = 0;
  let present = 0;
  const memoPath = (layer: LayerRef) => join(ctx.memoDir, `${layer.diffId.slice('sha256:'.length)}.${spec.compression}.json`);
  const readMemo = async (layer: LayerRef): Promise<Memo | undefined> => {
    try {
      return JSON.parse(await readFile(memoPath(layer), 'utf8')) as Memo;
    } catch {
      return undefined;
    }
  };
  const descriptorOf = (l: { digest: string; size: number; mediaType: string }): Descriptor => ({ mediaType: l.mediaType, digest: l.digest as Digest, size: l.size });

  /** The layer at the target, in the form it is exported in. */
  const exportLayer = async (layer: LayerRef): Promise<LayerRef> => {
    if (layerCompression(layer.mediaType) !== 'none') {
      const d = descriptorOf(layer);
      if (await target.has(d)) present++;
      else {
        if (!(await ctx.store.content.has(d.digest))) {
          if (ctx.fetchBlobs === undefined) throw new LadeError(ErrorCode.Internal, `layer ${d.digest} of a cached result is in no store`);
          await ctx.fetchBlobs([layer]);
        }
        await target.send(d);
        sent++;
        ctx.log(`writing layer ${d.digest} done`);
      }
      return layer;
    }
    const memo = await readMemo(layer);
    if (memo !== undefined) {
      const d = descriptorOf(memo);
      if (await target.has(d)) {
        present++;
        return { ...layer, ...memo };
      }
      if (await ctx.store.content.has(d.digest)) {
        await target.send(d);
        sent++;
        ctx.log(`writing layer ${d.digest} done`);
        return { ...layer, ...memo };
      }
    }
    const started = Date.now();
    const mediaType = layerMediaType(spec.compression, 'oci');
    const { digest, size } = await target.stream(await compressedStream(ctx.store.content, descriptorOf(layer), spec.compression));
    sent++;
    ctx.log(`compressing and writing layer ${layer.diffId} as ${digest} ${((Date.now() - started) / 1000).toFixed(1)}s done`);
    await mkdir(ctx.memoDir, { recursive: true });
    await writeFileAtomic(memoPath(layer), JSON.stringify({ digest, size, mediaType } satisfies Memo), { durable: false });
    return { ...layer, digest, size, mediaType };
  };

  return ctx.store.withLease(async (lease) => {
    ctx.log('preparing build cache for export');
    const unique = new Map<string, LayerRef>();
    for (const e of entries) for (const l of e.layers) unique.set(l.digest, l);
    const forms = new Map<string, LayerRef>();
    await eachLimited([...unique.values()], PARALLEL_LAYERS, async (l) => {
      forms.set(l.digest, await exportLayer(l));
    });
    const config = buildConfig(
      ctx.keyVersion,
      entries.map((e) => ({ ...e, layers: e.layers.map((l) => forms.get(l.digest)!) })),
    );
    const configBlob = await ctx.store.content.write(encodeConfig(config));
    await lease.add(configBlob.digest);
    const configDescriptor: Descriptor = { mediaType: CACHE_CONFIG_MEDIA_TYPE, digest: configBlob.digest, size: configBlob.size };
    if (await target.has(configDescriptor)) present++;
    else {
      await target.send(configDescriptor);
      sent++;
      ctx.log(`writing config ${configDescriptor.digest} done`);
    }
    const layerDescriptors: Descriptor[] = config.layers.map((l) => ({ ...descriptorOf(l), annotations: { [UNCOMPRESSED_ANNOTATION]: l.diffId } }));
    const doc = spec.imageManifest
      ? { schemaVersion: 2, mediaType: MediaType.OciManifest, config: configDescriptor, layers: layerDescriptors }
      : { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [...layerDescriptors, configDescriptor] };
    const bytes = encodeDocument(doc);
    const written = await ctx.store.content.write(bytes);
    await lease.add(written.digest);
    const manifest: Descriptor = { mediaType: doc.mediaType, digest: written.digest, size: bytes.length };
    await target.finish(manifest, bytes);
    ctx.log(`writing manifest ${manifest.digest} done`);
    return { digest: manifest.digest, records: config.records.length, layers: config.layers.length, sent, present };
  });
}
