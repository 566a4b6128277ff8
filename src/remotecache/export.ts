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
import { Readable } from 'node:stream';
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
    send: (d) => sendBlob(session, store, ref, d),
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

function descriptorOf(l: { digest: string; size: number; mediaType: string }): Descriptor {
  return { mediaType: l.mediaType, digest: l.digest as Digest, size: l.size };
}

/**
 * One export. Layers may be started early, while the build goes on (`layer`, once each: a step's
 * new layer as soon as the step is done); `finish` sends the rest, the config and the manifest.
 * Progress lines written before `finish` are kept and replayed into its step.
 */
export class CacheExporter {
  private readonly target: Target;
  private readonly layers = new Map<string, Promise<LayerRef>>();
  private sent = 0;
  private present = 0;
  private readonly early: string[] = [];
  private log: (line: string) => void = (line) => this.early.push(line);
  private cancelled = false;

  constructor(
    private readonly spec: Spec,
    private readonly ctx: Omit<ExportContext, 'log'>,
  ) {
    this.target = targetOf(spec, ctx.store);
  }

  private memoPath(layer: LayerRef): string {
    return join(this.ctx.memoDir, `${layer.diffId.slice('sha256:'.length)}.${this.spec.compression}.json`);
  }

  private async readMemo(layer: LayerRef): Promise<Memo | undefined> {
    try {
      return JSON.parse(await readFile(this.memoPath(layer), 'utf8')) as Memo;
    } catch {
      return undefined;
    }
  }

  /** Stops what is being sent (the build failed): a streamed layer ends with an error. */
  cancel(): void {
    this.cancelled = true;
  }

  /** Starts sending a layer (once); resolves with the form it is exported in. */
  layer(l: LayerRef): Promise<LayerRef> {
    let p = this.layers.get(l.digest);
    if (p === undefined) {
      p = this.send(l);
      // Awaited by finish(); a failure meanwhile must not count as unhandled.
      p.catch(() => undefined);
      this.layers.set(l.digest, p);
    }
    return p;
  }

  private async send(layer: LayerRef): Promise<LayerRef> {
    const { store } = this.ctx;
    if (layerCompression(layer.mediaType) !== 'none') {
      const d = descriptorOf(layer);
      if (await this.target.has(d)) this.present++;
      else {
        if (!(await store.content.has(d.digest))) {
          if (this.ctx.fetchBlobs === undefined) throw new LadeError(ErrorCode.Internal, `layer ${d.digest} of a cached result is in no store`);
          await this.ctx.fetchBlobs([layer]);
        }
        await this.target.send(d);
        this.sent++;
        this.log(`writing layer ${d.digest} done`);
      }
      return layer;
    }
    const memo = await this.readMemo(layer);
    if (memo !== undefined) {
      const d = descriptorOf(memo);
      if (await this.target.has(d)) {
        this.present++;
        return { ...layer, ...memo };
      }
      if (await store.content.has(d.digest)) {
        await this.target.send(d);
        this.sent++;
        this.log(`writing layer ${d.digest} done`);
        return { ...layer, ...memo };
      }
    }
    const started = Date.now();
    const mediaType = layerMediaType(this.spec.compression, 'oci');
    const compressed = await compressedStream(store.content, descriptorOf(layer), this.spec.compression);
    const exporter = this;
    async function* unlessCancelled(): AsyncGenerator<Uint8Array> {
      for await (const chunk of compressed) {
        if (exporter.cancelled) {
          compressed.destroy();
          throw new LadeError(ErrorCode.BuildCanceled, 'the build failed: the cache export stopped');
        }
        yield chunk as Uint8Array;
      }
    }
    const { digest, size } = await this.target.stream(Readable.from(unlessCancelled(), { objectMode: false }));
    this.sent++;
    this.log(`compressing and writing layer ${layer.diffId} as ${digest} ${((Date.now() - started) / 1000).toFixed(1)}s done`);
    await mkdir(this.ctx.memoDir, { recursive: true });
    await writeFileAtomic(this.memoPath(layer), JSON.stringify({ digest, size, mediaType } satisfies Memo), { durable: false });
    return { ...layer, digest, size, mediaType };
  }

  /** Every layer of `entries` sent, then the config and the manifest; progress into `log`. */
  async finish(entries: readonly CacheEntryOut[], log: (line: string) => void): Promise<ExportSummary | undefined> {
    for (const line of this.early.splice(0)) log(line);
    this.log = log;
    if (entries.length === 0) {
      log('no cached results to export');
      return undefined;
    }
    const { store } = this.ctx;
    const target = this.target;
    return store.withLease(async (lease) => {
      log('preparing build cache for export');
      const unique = new Map<string, LayerRef>();
      for (const e of entries) for (const l of e.layers) unique.set(l.digest, l);
      const forms = new Map<string, LayerRef>();
      await eachLimited([...unique.values()], PARALLEL_LAYERS, async (l) => {
        forms.set(l.digest, await this.layer(l));
      });
      // Each record keeps its own layer's times and sizes; only the blob is the exported one.
      const exported = (l: LayerRef): LayerRef => {
        const form = forms.get(l.digest)!;
        return { ...l, digest: form.digest, size: form.size, mediaType: form.mediaType };
      };
      const config = buildConfig(
        this.ctx.keyVersion,
        entries.map((e) => ({ ...e, layers: e.layers.map(exported) })),
      );
      const configBlob = await store.content.write(encodeConfig(config));
      await lease.add(configBlob.digest);
      const configDescriptor: Descriptor = { mediaType: CACHE_CONFIG_MEDIA_TYPE, digest: configBlob.digest, size: configBlob.size };
      if (await target.has(configDescriptor)) this.present++;
      else {
        await target.send(configDescriptor);
        this.sent++;
        log(`writing config ${configDescriptor.digest} done`);
      }
      const layerDescriptors: Descriptor[] = config.layers.map((l) => ({ ...descriptorOf(l), annotations: { [UNCOMPRESSED_ANNOTATION]: l.diffId } }));
      const doc = this.spec.imageManifest
        ? { schemaVersion: 2, mediaType: MediaType.OciManifest, config: configDescriptor, layers: layerDescriptors }
        : { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [...layerDescriptors, configDescriptor] };
      const bytes = encodeDocument(doc);
      const written = await store.content.write(bytes);
      await lease.add(written.digest);
      const manifest: Descriptor = { mediaType: doc.mediaType, digest: written.digest, size: bytes.length };
      await target.finish(manifest, bytes);
      log(`writing manifest ${manifest.digest} done`);
      return { digest: manifest.digest, records: config.records.length, layers: config.layers.length, sent: this.sent, present: this.present };
    });
  }
}

/** The whole export at once (nothing started early). */
export async function exportCache(spec: Spec, entries: readonly CacheEntryOut[], ctx: ExportContext): Promise<ExportSummary | undefined> {
  const { log, ...rest } = ctx;
  return new CacheExporter(spec, rest).finish(entries, log);
}
