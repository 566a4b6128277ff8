/**
 * `lade pull`: a reference's manifest (an index resolved to linux/amd64), its config and its
 * layers into the content store, then the image registered under the reference's tag with its
 * repository digest. Every blob is checked against its digest (and size) before it is kept, every
 * layer against the config's diffID; layers download in parallel and blobs the store already has
 * are not fetched again.
 */
import { digestOf, type Digest } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import {
  documentKind,
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
  type Manifest,
} from '../image/index.js';
import { parseImageReference, type ImageReference } from '../reference/index.js';
import type { Snapshotter } from '../snapshotter/index.js';
import { downloadBlob, type BlobSource } from './blob-download.js';
import { fetchLayers, readSmallBlob, storeBlob, type LayerEvent, type OpenBlob } from './fetch-layers.js';
import { readBody } from './http.js';
import { responseError, type RegistrySession } from './session.js';

/** Every manifest type lade reads, for the Accept header (registry:2 rewrites or hides others). */
export const MANIFEST_ACCEPT = [MediaType.OciIndex, MediaType.OciManifest, MediaType.DockerManifestList, MediaType.DockerManifest].join(', ');
/** Registries accept manifests up to 4 MiB. */
const MANIFEST_LIMIT = 4 << 20;

/** `resolved` once the manifest is known; then per layer `exists` or `waiting`, `downloading`, `done`. */
export type PullEvent = { kind: 'resolved'; digest: string } | LayerEvent;

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

/** A manifest or index by tag or digest, checked against the digest asked for or the one the registry names. */
export async function fetchManifest(session: RegistrySession, ref: ImageReference, reference: string, display: string): Promise<{ bytes: Buffer; digest: Digest; mediaType: string }> {
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

function blobSource(session: RegistrySession, ref: ImageReference, d: Descriptor): BlobSource {
  return { session, path: `${repoPath(ref)}/blobs/${d.digest}`, scopes: [`repository:${ref.path}:pull`], where: `${ref.domain}/${ref.path}` };
}

/** The blobs of `ref`'s repository, for fetchLayers. */
export function registryBlobs(session: RegistrySession, ref: ImageReference): OpenBlob {
  return (d, received) => downloadBlob(blobSource(session, ref, d), d, received);
}

type Document = Awaited<ReturnType<typeof fetchManifest>>;

/** The reference's manifest, through its index (linux/amd64) when it names one. */
async function resolveManifest(session: RegistrySession, ref: ImageReference): Promise<{ display: string; top: Document; manifestDoc: Document; documents: Document[]; manifest: Manifest }> {
  const display = ref.digest === undefined ? `${ref.domain}/${ref.path}:${ref.tag ?? 'latest'}` : `${ref.domain}/${ref.path}@${ref.digest}`;
  const top = await fetchManifest(session, ref, ref.digest ?? ref.tag ?? 'latest', display);
  let manifestDoc = top;
  const documents = [top];
  if (documentKind(top.bytes, top.mediaType) === 'index') {
    const chosen = selectManifest(parseIndex(top.bytes), display);
    manifestDoc = await fetchManifest(session, ref, chosen.digest, `${display} (linux/amd64)`);
    documents.push(manifestDoc);
  }
  return { display, top, manifestDoc, documents, manifest: parseManifest(manifestDoc.bytes) };
}

/** Config documents are small; a larger one is not a config. */
const CONFIG_LIMIT = 16 << 20;

/**
 * An image's ID and config as the registry has them, without its layers: what a build needs to
 * know of a base image before it knows whether it needs the image's files at all (BuildKit's
 * metadata resolution). The config is checked against its digest.
 */
export async function fetchImageConfig(session: RegistrySession, reference: string): Promise<{ id: Digest; config: Buffer }> {
  const ref = parseImageReference(reference);
  const { display, manifest } = await resolveManifest(session, ref);
  const d = manifest.config;
  const config = await readSmallBlob(registryBlobs(session, ref), d, CONFIG_LIMIT, `the config of ${display}`);
  return { id: d.digest as Digest, config };
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
  const { display, top, manifestDoc, documents, manifest } = await resolveManifest(session, ref);
  onProgress?.({ kind: 'resolved', digest: top.digest });

  return store.withLease(async (lease) => {
    // The config first: it says what the layers must unpack to.
    let downloaded = 0;
    let present = 0;
    if (await store.content.has(manifest.config.digest as Digest)) present++;
    else {
      await storeBlob(store, manifest.config, downloadBlob(blobSource(session, ref, manifest.config), manifest.config), `${ref.domain}/${ref.path}`);
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

    const fetched = await fetchLayers(store, manifest.layers, diffIds, {
      open: registryBlobs(session, ref),
      where: `${ref.domain}/${ref.path}`,
      lease,
      unpack,
      ...(onProgress === undefined ? {} : { onProgress }),
    });
    present += fetched.present;
    const known = await knownLayerSizes(store, manifest.config.digest as Digest, manifestDoc.digest, manifest.layers.length);
    let size = 0;
    const layerSizes: number[] = [];
    for (const [i, d] of manifest.layers.entries()) {
      let layerSize = fetched.sizes.get(i) ?? known?.[i];
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
    return { id: manifest.config.digest as Digest, digest: top.digest, name, downloaded: downloaded + fetched.downloaded, present };
  });
}
