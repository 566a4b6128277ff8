/**
 * Blobs into the content store, and an image's layers unpacked while they arrive: what a pull
 * does with the layers of a manifest, and what a build does with the layers of an imported
 * build cache that a cache hit needs. Where the bytes come from (a registry, a directory) is the
 * caller's `open`; every blob is checked against its digest and size before it is kept, every
 * unpacked layer against its diffID before its snapshot is committed.
 */
import { digestOf, eachLimited, openDecompressed, type Digest } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import type { Descriptor, ImageStore } from '../image/index.js';
import { chainIds, type Snapshotter } from '../snapshotter/index.js';
import { tee } from './tee.js';

const PARALLEL_LAYERS = 4;
/** Chunks (about 16 MiB) held for the unpacking side, so a download goes on while the layer before it is unpacked. */
const TEE_AHEAD = 256;

export interface LayerEvent {
  /** Per layer `exists` or `waiting`, then `downloading` and `done`. */
  kind: 'exists' | 'waiting' | 'downloading' | 'done';
  digest: string;
  size: number;
  /** Bytes received so far (`downloading`). */
  received?: number;
}

/** A blob's bytes from wherever they are, in order; `received` is told the running total. */
export type OpenBlob = (d: Descriptor, received: (bytes: number) => void) => AsyncIterable<Buffer>;

/**
 * A small blob (a config, a cache config, a manifest named by digest) read whole into memory and
 * checked against its digest and size; `limit` refuses one too large to be what it claims.
 */
export async function readSmallBlob(open: OpenBlob, d: Descriptor, limit: number, where: string): Promise<Buffer> {
  if (d.size > limit) throw new LadeError(ErrorCode.BlobTooLarge, `${d.digest} in ${where} is ${d.size} bytes, more than the ${limit} such a document may have`);
  const chunks: Buffer[] = [];
  for await (const chunk of open(d, () => undefined)) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  if (bytes.length !== d.size || digestOf(bytes) !== d.digest) {
    throw new LadeError(ErrorCode.DigestMismatch, `${d.digest} from ${where} is not what it was named: the registry or something between altered it`);
  }
  return bytes;
}

/** Holds blobs against a concurrent prune until a record names them. */
export interface BlobLease {
  add(digest: Digest): Promise<void>;
}

/**
 * One blob into the content store, checked against its digest and size while it is written;
 * with `alsoTo`, the same bytes go to that reader as they arrive (the layer being unpacked).
 */
export async function storeBlob(
  store: ImageStore,
  d: Descriptor,
  bytes: AsyncIterable<Buffer>,
  where: string,
  alsoTo?: (bytes: AsyncIterable<Buffer>, stored: Promise<unknown>) => Promise<void>,
): Promise<void> {
  const [toStore, toReader] = alsoTo === undefined ? [bytes, undefined] : tee(bytes, TEE_AHEAD);
  try {
    // Both must succeed; the first failure (the real one) is what is thrown.
    const stored = store.content.write(toStore, { digest: d.digest as Digest, size: d.size });
    await Promise.all([stored, toReader === undefined ? undefined : alsoTo!(toReader, stored)]);
  } catch (err) {
    if (err instanceof LadeError && (err.code === ErrorCode.DigestMismatch || err.code === ErrorCode.SizeMismatch)) {
      throw new LadeError(err.code, `${d.digest} downloaded from ${where} is not what the manifest names: ${err.message}`, { hint: 'Nothing of it was kept; pull again.' });
    }
    throw err;
  }
}

/**
 * Layers unpacked in order while the downloads go on: the next layer to unpack takes its bytes
 * straight from its download when that has not started yet, else from the store once it is
 * there. Each is checked against its diffID before its snapshot is committed.
 */
class Unpacker {
  private readonly chain: Digest[];
  /** Index of the next layer to unpack. */
  private next: number;
  private running: Promise<void> = Promise.resolve();
  private readonly stored = new Set<number>();
  readonly sizes = new Map<number, number>();

  constructor(
    private readonly snapshotter: Snapshotter,
    private readonly store: ImageStore,
    private readonly layers: readonly Descriptor[],
    private readonly diffIds: readonly Digest[],
    alreadyUnpacked: number,
  ) {
    this.chain = chainIds(diffIds);
    this.next = alreadyUnpacked;
  }

  private parent(i: number): string | undefined {
    return i === 0 ? undefined : this.chain[i - 1];
  }

  /**
   * With `stored` (the content store's check of the same bytes against the layer's digest), an
   * uncompressed layer whose digest is its diffID is not hashed a second time.
   */
  private async apply(i: number, bytes: AsyncIterable<Uint8Array>, stored?: Promise<unknown>): Promise<void> {
    const { compression, stream } = await openDecompressed(bytes);
    const diffId = this.diffIds[i]!;
    const sameBytes = stored !== undefined && compression === 'none' && this.layers[i]!.digest === diffId;
    const sizeHint = this.layers[i]!.size;
    const result = await this.snapshotter.apply(this.chain[i]!, this.parent(i), stream, sameBytes ? { diffId, verifiedBy: stored, sizeHint } : { diffId, sizeHint });
    if (result !== undefined) this.sizes.set(i, result.unpacked);
  }

  /**
   * The reader a download of layer `i` should feed, when every layer before it still to unpack
   * is in the store already (a live reader waiting on another download would hold its own back):
   * it starts once the layer before it is in (the tee holds the download back meanwhile).
   */
  liveReader(i: number): ((bytes: AsyncIterable<Buffer>, stored: Promise<unknown>) => Promise<void>) | undefined {
    void this.drain();
    if (i !== this.next) return undefined;
    this.next++;
    const done = this.running.then(() => undefined);
    let release!: () => void;
    this.running = new Promise<void>((resolve) => (release = resolve));
    return async (bytes, stored) => {
      await done;
      try {
        await this.apply(i, bytes, stored);
      } finally {
        release();
      }
    };
  }

  /** Layer `i` was in the store from the start. */
  markStored(i: number): void {
    this.stored.add(i);
  }

  /** Layer `i` is in the store now: unpack it, and those after it that are there too, in order. */
  layerStored(i: number): Promise<void> {
    this.stored.add(i);
    return this.drain();
  }

  /**
   * Queues, from the store, every next layer already there; settles when the queue is done. The
   * queue is extended at once, so that a download starting next knows where unpacking will be.
   */
  drain(): Promise<void> {
    while (this.next < this.layers.length && this.stored.has(this.next)) {
      const i = this.next++;
      this.running = this.running.then(async () => this.apply(i, await this.store.content.openRead(this.layers[i]!.digest as Digest)));
      // A failure reaches whoever awaits the queue (a drain, or the live reader after it); until
      // then it must not count as unhandled.
      this.running.catch(() => undefined);
    }
    return this.running;
  }
}

export interface FetchLayersOptions {
  open: OpenBlob;
  /** For messages: where the blobs come from (`registry/repository`, a directory). */
  where: string;
  lease: BlobLease;
  /** When given, the layers are unpacked into its snapshots (named by chain ID) as they arrive. */
  unpack?: Snapshotter | undefined;
  onProgress?: ((e: LayerEvent) => void) | undefined;
}

export interface FetchedLayers {
  /** Layers downloaded, and layers the store already had. */
  downloaded: number;
  present: number;
  /** What each layer unpacked here unpacks to, in bytes, by index. */
  sizes: Map<number, number>;
}

/** The blobs of `layers` into the store (those it lacks, in parallel) and, with `unpack`, their snapshots. */
export async function fetchLayers(store: ImageStore, layers: readonly Descriptor[], diffIds: readonly Digest[], options: FetchLayersOptions): Promise<FetchedLayers> {
  const { unpack, onProgress, lease } = options;
  let unpacked = 0;
  if (unpack !== undefined) {
    const chain = chainIds(diffIds);
    while (unpacked < chain.length && (await unpack.stat(chain[unpacked]!))?.kind === 'committed') unpacked++;
  }
  const unpacker = unpack === undefined ? undefined : new Unpacker(unpack, store, layers, diffIds, unpacked);
  let present = 0;
  const missing: Array<{ d: Descriptor; i: number }> = [];
  for (const [i, d] of layers.entries()) {
    if (await store.content.has(d.digest as Digest)) {
      present++;
      await lease.add(d.digest as Digest);
      onProgress?.({ kind: 'exists', digest: d.digest, size: d.size });
      unpacker?.markStored(i);
    } else {
      missing.push({ d, i });
      onProgress?.({ kind: 'waiting', digest: d.digest, size: d.size });
    }
  }
  const drained = unpacker?.drain();
  // Awaited below, once the downloads are done; a failure meanwhile must not go unhandled.
  drained?.catch(() => undefined);
  await eachLimited(missing, PARALLEL_LAYERS, async ({ d, i }) => {
    const bytes = options.open(d, (received) => onProgress?.({ kind: 'downloading', digest: d.digest, size: d.size, received }));
    await storeBlob(store, d, bytes, options.where, unpacker?.liveReader(i));
    await lease.add(d.digest as Digest);
    onProgress?.({ kind: 'done', digest: d.digest, size: d.size });
    await unpacker?.layerStored(i);
  });
  await drained;
  await unpacker?.drain();
  return { downloaded: missing.length, present, sizes: unpacker?.sizes ?? new Map() };
}
