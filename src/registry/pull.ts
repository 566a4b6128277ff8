/**
 * `lade pull`: a reference's manifest (an index resolved to linux/amd64), its config and its
 * layers into the content store, then the image registered under the reference's tag with its
 * repository digest. Every blob is checked against its digest (and size) before it is kept, every
 * layer against the config's diffID; layers download in parallel and blobs the store already has
 * are not fetched again.
 */
import { digestOf, eachLimited, openDecompressed, type Digest } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import {
  documentKind,
  isConfigType,
  inspectLayerBlob,
  isIndexType,
  MediaType,
  parseConfig,
  parseIndex,
  parseManifest,
  selectManifest,
  tagName,
  type Descriptor,
  type ImageStore,
} from '../image/index.js';
import { parseImageReference, type ImageReference } from '../reference/index.js';
import { chainIds, type Snapshotter } from '../snapshotter/index.js';
import { downloadBlob } from './blob-download.js';
import { tee } from './tee.js';
import { readBody } from './http.js';
import { responseError, type RegistrySession } from './session.js';

/** Every manifest type lade reads, for the Accept header (registry:2 rewrites or hides others). */
export const MANIFEST_ACCEPT = [MediaType.OciIndex, MediaType.OciManifest, MediaType.DockerManifestList, MediaType.DockerManifest].join(', ');
/** Registries accept manifests up to 4 MiB. */
const MANIFEST_LIMIT = 4 << 20;
const PARALLEL_LAYERS = 4;
const TEE_AHEAD = 256;

export interface PullEvent {
  /** `resolved` once the manifest is known; then per layer `exists` or `waiting`, `downloading`, `done`. */
  kind: 'resolved' | 'exists' | 'waiting' | 'downloading' | 'done';
  digest?: string;
  size?: number;
  /** Bytes received so far (`downloading`). */
  received?: number;
}

export interface PullResult {
  /** The image ID (its config's digest). */
  id: Digest;
  /** The digest the registry names it by (an index's, when the reference named one). */
  digest: Digest;
  /** The tag it was stored under, or undefined for a pull by digest. */
  name: string | undefined;
  /** Layers fetched, and layers the store already had. */
  downloaded: number;
  present: number;
}

function repoPath(ref: ImageReference): string {
  return `/v2/${ref.path}`;
}

async function fetchManifest(session: RegistrySession, ref: ImageReference, reference: string, display: string): Promise<{ bytes: Buffer; digest: Digest; mediaType: string }> {
  const response = await session.request({ method: 'GET', path: `${repoPath(ref)}/manifests/${reference}`, headers: { Accept: MANIFEST_ACCEPT }, scopes: [`repository:${ref.path}:pull`] });
  if (response.status === 404) {
    const detail = await responseError(response, 'x', ref.domain);
    throw new LadeError(ErrorCode.RegistryNotFound, `manifest for ${display} not found: ${detail.message.slice(3)}`, {
      hint: `Check the name and tag; \`lade pull\` needs the repository to exist on ${ref.domain}.`,
    });
  }
  if (response.status !== 200) throw await responseError(response, `cannot get the manifest of ${display}`, ref.domain);
  const bytes = await readBody(response, MANIFEST_LIMIT);
  const digest = digestOf(bytes);
  const claimed = response.headers['docker-content-digest'];
  const expected = reference.includes(':') ? reference : typeof claimed === 'string' ? claimed : undefined;
  if (expected !== undefined && expected !== digest) {
    throw new LadeError(ErrorCode.DigestMismatch, `the manifest of ${display} from ${ref.domain} has digest ${digest}, not ${expected}`, { hint: 'The registry or something between it and lade altered it; nothing was stored.' });
  }
  const contentType = (response.headers['content-type'] ?? '').split(';')[0]!.trim();
  return { bytes, digest, mediaType: contentType };
}

/**
 * One blob into the content store, checked against its digest and size while it is written;
 * with `alsoTo`, the same bytes go to that reader as they arrive (the layer being unpacked).
 */
async function fetchBlob(
  session: RegistrySession,
  store: ImageStore,
  ref: ImageReference,
  d: Descriptor,
  onProgress?: (e: PullEvent) => void,
  alsoTo?: (bytes: AsyncIterable<Buffer>, stored: Promise<unknown>) => Promise<void>,
): Promise<void> {
  const source = { session, path: `${repoPath(ref)}/blobs/${d.digest}`, scopes: [`repository:${ref.path}:pull`], where: `${ref.domain}/${ref.path}` };
  const isLayer = !isConfigType(d.mediaType);
  const bytes = downloadBlob(source, d, (received) => {
    if (isLayer) onProgress?.({ kind: 'downloading', digest: d.digest, size: d.size, received });
  });
  // Up to TEE_AHEAD chunks (about 16 MiB) are held for the unpacking side, so the download goes
  // on while the layer before this one is still being unpacked.
  const [toStore, toReader] = alsoTo === undefined ? [bytes, undefined] : tee(bytes, TEE_AHEAD);
  try {
    // Both must succeed; the first failure (the real one) is what is thrown.
    const stored = store.content.write(toStore, { digest: d.digest as Digest, size: d.size });
    await Promise.all([stored, toReader === undefined ? undefined : alsoTo!(toReader, stored)]);
  } catch (err) {
    if (err instanceof LadeError && (err.code === ErrorCode.DigestMismatch || err.code === ErrorCode.SizeMismatch)) {
      throw new LadeError(err.code, `${d.digest} downloaded from ${ref.domain}/${ref.path} is not what the manifest names: ${err.message}`, { hint: 'Nothing of it was kept; pull again.' });
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

/**
 * The layer sizes of an image already in the store under this config and manifest (as pulled,
 * or as lade pushed it): its blobs were checked against their diffIDs when they came in, so a
 * pull of an image that is up to date reads none of them again (Docker answers at once too).
 */
async function knownLayerSizes(store: ImageStore, id: Digest, manifest: Digest, layers: number): Promise<readonly number[] | undefined> {
  for (const { record } of await store.list()) {
    if (record.id !== id || record.layerSizes?.length !== layers) continue;
    if (record.manifest.digest === manifest || record.pushed?.some((p) => p.digest === manifest)) return record.layerSizes;
  }
  return undefined;
}

/**
 * Pulls `reference` into the store. With `unpack`, layers are also unpacked into its snapshots
 * while they download (see Unpacker), as Docker's pull leaves an image ready to run.
 */
export async function pullImage(
  store: ImageStore,
  session: RegistrySession,
  reference: string,
  onProgress?: (e: PullEvent) => void,
  unpack?: Snapshotter,
): Promise<PullResult> {
  const ref = parseImageReference(reference);
  const display = ref.digest === undefined ? `${ref.domain}/${ref.path}:${ref.tag ?? 'latest'}` : `${ref.domain}/${ref.path}@${ref.digest}`;
  const top = await fetchManifest(session, ref, ref.digest ?? ref.tag ?? 'latest', display);
  let manifestDoc = top;
  const documents = [top];
  if (documentKind(top.bytes, top.mediaType) === 'index') {
    const chosen = selectManifest(parseIndex(top.bytes), display);
    manifestDoc = await fetchManifest(session, ref, chosen.digest, `${display} (linux/amd64)`);
    documents.push(manifestDoc);
  }
  const manifest = parseManifest(manifestDoc.bytes);
  onProgress?.({ kind: 'resolved', digest: top.digest });

  return store.withLease(async (lease) => {
    // The config first: it says what the layers must unpack to.
    let downloaded = 0;
    let present = 0;
    if (await store.content.has(manifest.config.digest as Digest)) present++;
    else {
      await fetchBlob(session, store, ref, manifest.config);
      downloaded++;
    }
    await lease.add(manifest.config.digest as Digest);
    const config = parseConfig(await store.content.readBytes(manifest.config.digest as Digest));
    if (config.os !== 'linux' || config.architecture !== 'amd64') {
      throw new LadeError(ErrorCode.InvalidImage, `${display} is for ${config.os}/${config.architecture}; lade runs linux/amd64 images only`);
    }
    const diffIds = config.rootfs.diff_ids as Digest[];
    if (diffIds.length !== manifest.layers.length) {
      throw new LadeError(ErrorCode.InvalidImage, `${display}: the manifest has ${manifest.layers.length} layers, the config ${diffIds.length}`);
    }

    let unpacked = 0;
    if (unpack !== undefined) {
      const chain = chainIds(diffIds);
      while (unpacked < chain.length && (await unpack.stat(chain[unpacked]!))?.kind === 'committed') unpacked++;
    }
    const unpacker = unpack === undefined ? undefined : new Unpacker(unpack, store, manifest.layers, diffIds, unpacked);
    const missing: Array<{ d: Descriptor; i: number }> = [];
    for (const [i, d] of manifest.layers.entries()) {
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
      await fetchBlob(session, store, ref, d, onProgress, unpacker?.liveReader(i));
      await lease.add(d.digest as Digest);
      onProgress?.({ kind: 'done', digest: d.digest, size: d.size });
      await unpacker?.layerStored(i);
    });
    await drained;
    await unpacker?.drain();

    const known = await knownLayerSizes(store, manifest.config.digest as Digest, manifestDoc.digest, manifest.layers.length);
    let size = 0;
    const layerSizes: number[] = [];
    for (const [i, d] of manifest.layers.entries()) {
      let layerSize = unpacker?.sizes.get(i) ?? known?.[i];
      if (layerSize === undefined) {
        // Not unpacked here: its blob is read once to check it and to learn its size.
        const info = await inspectLayerBlob(store.content, d.digest as Digest, `layer ${d.digest}`);
        if (info.diffId !== diffIds[i]) {
          throw new LadeError(ErrorCode.InvalidImage, `${display}: layer ${i + 1} (${d.digest}) unpacks to ${info.diffId}, but the config expects ${diffIds[i]}`);
        }
        layerSize = info.size;
      }
      size += layerSize;
      layerSizes.push(layerSize);
    }
    for (const doc of documents) {
      const stored = await store.content.write(doc.bytes, { digest: doc.digest });
      await lease.add(stored.digest);
    }
    const manifestDescriptor: Descriptor = { mediaType: manifestDoc.mediaType || manifest.mediaType || MediaType.OciManifest, digest: manifestDoc.digest, size: manifestDoc.bytes.length };
    const topMediaType = isIndexType(top.mediaType) ? top.mediaType : MediaType.OciIndex;
    const target: Descriptor = documents.length > 1 ? { mediaType: topMediaType, digest: top.digest, size: top.bytes.length } : manifestDescriptor;
    const name = ref.digest === undefined ? tagName(reference) : undefined;
    const created = typeof config.created === 'string' ? config.created : undefined;
    await store.add(
      { target, manifest: manifestDescriptor, id: manifest.config.digest as Digest, size, layerSizes, ...(created === undefined ? {} : { created }), repoDigests: [`${ref.domain}/${ref.path}@${top.digest}`] },
      name === undefined ? [] : [name],
    );
    return { id: manifest.config.digest as Digest, digest: top.digest, name, downloaded: downloaded + missing.length, present };
  });
}
