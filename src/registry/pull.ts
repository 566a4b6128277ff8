/**
 * `lade pull`: a reference's manifest (an index resolved to linux/amd64), its config and its
 * layers into the content store, then the image registered under the reference's tag with its
 * repository digest. Every blob is checked against its digest (and size) before it is kept, every
 * layer against the config's diffID; layers download in parallel and blobs the store already has
 * are not fetched again.
 */
import { createHash } from 'node:crypto';
import type { Digest } from '../content/index.js';
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
} from '../image/index.js';
import { parseImageReference, type ImageReference } from '../reference/index.js';
import { downloadBlob } from './blob-download.js';
import { eachLimited } from './parallel.js';
import { readBody } from './http.js';
import { responseError, type RegistrySession } from './session.js';

/** Every manifest type lade reads, for the Accept header (registry:2 rewrites or hides others). */
export const MANIFEST_ACCEPT = [MediaType.OciIndex, MediaType.OciManifest, MediaType.DockerManifestList, MediaType.DockerManifest].join(', ');
/** Registries accept manifests up to 4 MiB. */
const MANIFEST_LIMIT = 4 << 20;
const PARALLEL_LAYERS = 4;

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

function sha256(bytes: Buffer): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
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
  const digest = sha256(bytes);
  const claimed = response.headers['docker-content-digest'];
  const expected = reference.includes(':') ? reference : typeof claimed === 'string' ? claimed : undefined;
  if (expected !== undefined && expected !== digest) {
    throw new LadeError(ErrorCode.DigestMismatch, `the manifest of ${display} from ${ref.domain} has digest ${digest}, not ${expected}`, { hint: 'The registry or something between it and lade altered it; nothing was stored.' });
  }
  const contentType = (response.headers['content-type'] ?? '').split(';')[0]!.trim();
  return { bytes, digest, mediaType: contentType };
}

/** One blob into the content store, checked against its digest and size while it is written. */
async function fetchBlob(session: RegistrySession, store: ImageStore, ref: ImageReference, d: Descriptor, onProgress?: (e: PullEvent) => void): Promise<void> {
  const source = { session, path: `${repoPath(ref)}/blobs/${d.digest}`, scopes: [`repository:${ref.path}:pull`], where: `${ref.domain}/${ref.path}` };
  const isLayer = d.mediaType !== MediaType.OciConfig && d.mediaType !== MediaType.DockerConfig;
  const bytes = downloadBlob(source, d, (received) => {
    if (isLayer) onProgress?.({ kind: 'downloading', digest: d.digest, size: d.size, received });
  });
  try {
    await store.content.write(bytes, { digest: d.digest as Digest, size: d.size });
  } catch (err) {
    if (err instanceof LadeError && (err.code === ErrorCode.DigestMismatch || err.code === ErrorCode.SizeMismatch)) {
      throw new LadeError(err.code, `${d.digest} downloaded from ${ref.domain}/${ref.path} is not what the manifest names: ${err.message}`, { hint: 'Nothing of it was kept; pull again.' });
    }
    throw err;
  }
}

export async function pullImage(store: ImageStore, session: RegistrySession, reference: string, onProgress?: (e: PullEvent) => void): Promise<PullResult> {
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
    const blobs = [manifest.config, ...manifest.layers];
    let present = 0;
    const missing: Descriptor[] = [];
    for (const d of blobs) {
      if (await store.content.has(d.digest as Digest)) {
        present++;
        await lease.add(d.digest as Digest);
        if (d !== manifest.config) onProgress?.({ kind: 'exists', digest: d.digest, size: d.size });
      } else {
        missing.push(d);
        if (d !== manifest.config) onProgress?.({ kind: 'waiting', digest: d.digest, size: d.size });
      }
    }
    await eachLimited(missing, PARALLEL_LAYERS, async (d) => {
      await fetchBlob(session, store, ref, d, onProgress);
      await lease.add(d.digest as Digest);
      if (d !== manifest.config) onProgress?.({ kind: 'done', digest: d.digest, size: d.size });
    });
    const config = parseConfig(await store.content.readBytes(manifest.config.digest as Digest));
    if (config.os !== 'linux' || config.architecture !== 'amd64') {
      throw new LadeError(ErrorCode.InvalidImage, `${display} is for ${config.os}/${config.architecture}; lade runs linux/amd64 images only`);
    }
    if (config.rootfs.diff_ids.length !== manifest.layers.length) {
      throw new LadeError(ErrorCode.InvalidImage, `${display}: the manifest has ${manifest.layers.length} layers, the config ${config.rootfs.diff_ids.length}`);
    }
    let size = 0;
    const layerSizes: number[] = [];
    for (const [i, d] of manifest.layers.entries()) {
      const info = await inspectLayerBlob(store.content, d.digest as Digest, `layer ${d.digest}`);
      if (info.diffId !== config.rootfs.diff_ids[i]) {
        throw new LadeError(ErrorCode.InvalidImage, `${display}: layer ${i + 1} (${d.digest}) unpacks to ${info.diffId}, but the config expects ${config.rootfs.diff_ids[i]}`);
      }
      size += info.size;
      layerSizes.push(info.size);
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
    return { id: manifest.config.digest as Digest, digest: top.digest, name, downloaded: missing.length, present };
  });
}

