/**
 * `lade load`: what `docker save` writes (Docker 20.10's layout and Docker 25's OCI layout with
 * `manifest.json`) and OCI image layout tarballs, compressed or not. Nothing from the archive is
 * written anywhere but the content store, under its digest; every layer is checked against the
 * config's diffIDs; on any error the blobs this load added are removed again, so a bad archive
 * leaves the store as it was.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { digestOf, openDecompressed, parseDigest, type ContentStore, type Digest } from '../../content/index.js';
import { ErrorCode, LadeError } from '../../errors/index.js';
import { documentKind, encodeDocument, parseConfig, parseIndex, parseManifest } from '../documents.js';
import { inspectLayerBlob } from '../layer-info.js';
import { isConfigType, isIndexType, isManifestType, layerMediaType, MediaType, type LayerCompression } from '../media-types.js';
import { isHostPlatform, selectManifest } from '../platform.js';
import { normalizeName, type ImageStore, type Lease } from '../store/index.js';
import type { Descriptor, ImageConfig, Manifest } from '../types.js';
import { Annotation, cleanMemberName, resolveMemberLink, type DockerArchiveEntry } from './formats.js';

export interface LoadedArchiveImage {
  id: Digest;
  /** Normalised names the archive gave the image. */
  names: string[];
}

type Member = { kind: 'blob'; digest: Digest; size: number } | { kind: 'data'; data: Buffer } | { kind: 'link'; target: string };

const SMALL_FILE_LIMIT = 32 << 20;
const BLOB_MEMBER = /^blobs\/([a-z0-9]+)\/([a-f0-9]+)$/;

function bad(message: string, hint?: string): LadeError {
  return new LadeError(ErrorCode.InvalidImage, message, { hint });
}

async function collect(body: Readable, limit: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw bad(`archive member ${name} is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

class ArchiveReader {
  readonly members = new Map<string, Member>();
  /** Blobs this load put into the store that were not there before. */
  readonly added: Digest[] = [];

  constructor(
    private readonly content: ContentStore,
    private readonly lease: Lease,
  ) {}

  async read(stream: Readable): Promise<void> {
    const extract = tar.extract();
    extract.on('entry', (header, body, next) => {
      // A truncated archive fails the entry's stream as well as the extract; the extract's error
      // is the one reported (through pipeline), so the entry's must not go unhandled.
      body.on('error', () => {});
      this.member(header, body as unknown as Readable).then(
        () => next(),
        (err: unknown) => {
          body.resume();
          next(err as Error);
        },
      );
    });
    try {
      await pipeline(stream, extract);
    } catch (err) {
      if (err instanceof LadeError) throw err;
      throw bad(`the archive is not a valid tar file: ${(err as Error).message}`, 'lade load reads what docker save or an OCI image layout export writes.');
    }
  }

  private async store(body: Readable | Buffer, expected: { digest?: Digest; size?: number }): Promise<{ digest: Digest; size: number }> {
    const blob = await this.content.write(body, expected);
    await this.lease.add(blob.digest);
    if (blob.created) this.added.push(blob.digest);
    return { digest: blob.digest, size: blob.size };
  }

  private async member(header: tar.Header, body: Readable): Promise<void> {
    const name = cleanMemberName(header.name);
    if (header.type === 'symlink') {
      this.members.set(name, { kind: 'link', target: resolveMemberLink(name, header.linkname ?? '') });
    } else if (header.type === 'link') {
      this.members.set(name, { kind: 'link', target: cleanMemberName(header.linkname ?? '') });
    }
    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      body.resume();
      return;
    }
    const blob = BLOB_MEMBER.exec(name);
    if (blob !== null) {
      let digest: Digest;
      try {
        digest = parseDigest(`${blob[1]}:${blob[2]}`);
      } catch (err) {
        throw bad(`archive member ${name} is not named after a valid digest: ${(err as Error).message}`);
      }
      this.members.set(name, { kind: 'blob', ...(await this.store(body, { digest, size: header.size ?? 0 })) });
    } else if (name.endsWith('.json') || name === 'oci-layout' || name === 'repositories' || name.endsWith('/VERSION')) {
      this.members.set(name, { kind: 'data', data: await collect(body, SMALL_FILE_LIMIT, name) });
    } else {
      // Layers go by many names: `<id>/layer.tar` (Docker 20.10), `<hex>.tar` (skopeo), anything a
      // manifest.json points at. Each goes to the store as it streams by; what no image ends up
      // using is removed again at the end.
      this.members.set(name, { kind: 'blob', ...(await this.store(body, { size: header.size ?? 0 })) });
    }
  }

  private resolve(name: string): Member | undefined {
    let current = cleanMemberName(name);
    for (let hops = 0; hops < 16; hops++) {
      const member = this.members.get(current);
      if (member?.kind !== 'link') return member;
      current = member.target;
    }
    return undefined;
  }

  /** The member's bytes, for documents. */
  async bytes(name: string, what: string): Promise<Buffer> {
    const member = this.resolve(name);
    if (member === undefined) throw bad(`${what} ${name} is missing from the archive`);
    if (member.kind === 'data') return member.data;
    if (member.kind === 'blob') return this.content.readBytes(member.digest, { maxSize: SMALL_FILE_LIMIT });
    throw bad(`${what} ${name} is missing from the archive`);
  }

  /** The member as a stored blob (a layer). */
  async blob(name: string, what: string): Promise<{ digest: Digest; size: number }> {
    const member = this.resolve(name);
    if (member?.kind === 'blob') return member;
    if (member?.kind === 'data') return this.store(member.data, {});
    throw bad(`${what} ${name} is missing from the archive`);
  }

  async storeStream(stream: Readable): Promise<{ digest: Digest; size: number }> {
    return this.store(stream, {});
  }

  async storeDocument(bytes: Buffer): Promise<{ digest: Digest; size: number }> {
    return this.store(bytes, { digest: digestOf(bytes), size: bytes.length });
  }
}

interface Candidate {
  configBytes: Buffer;
  config: ImageConfig;
  layers: { digest: Digest; size: number; path: string }[];
  /** A manifest from the archive to keep, when it describes exactly this config and these layers. */
  manifest?: { bytes: Buffer; descriptor: Descriptor };
  names: string[];
}

function namesFrom(tags: readonly string[], where: string): string[] {
  return tags.map((tag) => {
    const ref = normalizeName(tag);
    if (ref === undefined || ref.digest !== undefined) throw bad(`invalid tag ${JSON.stringify(tag)} in ${where}`);
    return ref.normalized;
  });
}

function checkPlatform(config: ImageConfig, what: string): void {
  if (config.os !== '' && !isHostPlatform(config.os, config.architecture)) {
    throw bad(`${what} is for ${config.os}/${config.architecture}; lade runs linux/amd64 images only`);
  }
}

export async function loadArchive(store: ImageStore, source: Readable): Promise<LoadedArchiveImage[]> {
  const { stream } = await openDecompressed(source);
  return store.withLease(async (lease) => {
    const reader = new ArchiveReader(store.content, lease);
    try {
      await reader.read(stream);
      const candidates = reader.members.has('manifest.json') ? await fromDockerManifest(reader) : await fromOciLayout(reader);
      const loaded: LoadedArchiveImage[] = [];
      const used = new Set<string>();
      for (const c of candidates) loaded.push(await register(store, reader, c, used));
      for (const digest of reader.added) if (!used.has(digest)) await store.content.delete(digest);
      return loaded;
    } catch (err) {
      for (const digest of reader.added.reverse()) await store.content.delete(digest).catch(() => false);
      throw err;
    }
  });
}

async function fromDockerManifest(reader: ArchiveReader): Promise<Candidate[]> {
  let entries: DockerArchiveEntry[];
  try {
    entries = JSON.parse((await reader.bytes('manifest.json', 'manifest')).toString('utf8')) as DockerArchiveEntry[];
  } catch (err) {
    if (err instanceof LadeError) throw err;
    throw bad(`manifest.json in the archive is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(entries)) throw bad('manifest.json in the archive is not a list of images');
  const archived = await archivedManifests(reader);
  const out: Candidate[] = [];
  for (const [i, entry] of entries.entries()) {
    const where = `image ${i + 1} of manifest.json`;
    if (typeof entry?.Config !== 'string' || !Array.isArray(entry.Layers)) throw bad(`${where} has no Config or Layers`);
    const configBytes = await reader.bytes(entry.Config, 'config');
    const config = parseConfig(configBytes);
    checkPlatform(config, where);
    if (entry.Layers.length !== config.rootfs.diff_ids.length) {
      throw bad(`${where}: ${entry.Layers.length} layers in the archive but ${config.rootfs.diff_ids.length} in the config (layers length mismatch)`);
    }
    const layers: Candidate['layers'] = [];
    for (const path of entry.Layers) layers.push({ ...(await reader.blob(String(path), 'layer')), path: String(path) });
    const configDigest = digestOf(configBytes);
    const kept = archived.find(
      (m) => m.manifest.config.digest === configDigest && m.manifest.layers.map((l) => l.digest).join() === layers.map((l) => l.digest).join(),
    );
    const names = namesFrom(Array.isArray(entry.RepoTags) ? entry.RepoTags.map(String) : [], where);
    const candidate: Candidate = { configBytes, config, layers, names };
    if (kept !== undefined) candidate.manifest = { bytes: kept.bytes, descriptor: kept.descriptor };
    out.push(candidate);
  }
  return out;
}

/** Manifests an OCI layout in the archive offers (Docker 25+, lade), with their names. */
async function archivedManifests(reader: ArchiveReader): Promise<{ manifest: Manifest; bytes: Buffer; descriptor: Descriptor; names: string[] }[]> {
  if (!reader.members.has('index.json')) return [];
  const index = parseIndex(await reader.bytes('index.json', 'index'));
  const out = [];
  for (const d of index.manifests) {
    let descriptor = d;
    let bytes = await reader.bytes(`blobs/${d.digest.replace(':', '/')}`, 'manifest').catch(() => undefined);
    if (bytes === undefined) continue;
    if (isIndexType(d.mediaType) || (!isManifestType(d.mediaType) && documentKind(bytes) === 'index')) {
      descriptor = selectManifest(parseIndex(bytes), `index ${d.digest}`);
      bytes = await reader.bytes(`blobs/${descriptor.digest.replace(':', '/')}`, 'manifest');
    }
    if (digestOf(bytes) !== descriptor.digest) throw bad(`manifest ${descriptor.digest} in the archive does not match its digest`);
    const name = d.annotations?.[Annotation.ImageName] ?? d.annotations?.[Annotation.RefName];
    out.push({ manifest: parseManifest(bytes), bytes, descriptor: { mediaType: descriptor.mediaType, digest: descriptor.digest, size: bytes.length }, names: name === undefined ? [] : [name] });
  }
  return out;
}

async function fromOciLayout(reader: ArchiveReader): Promise<Candidate[]> {
  if (!reader.members.has('index.json')) {
    throw bad('the archive has neither manifest.json nor index.json', 'lade load reads what docker save or an OCI image layout export writes.');
  }
  const byManifest = new Map<string, Candidate>();
  for (const m of await archivedManifests(reader)) {
    const existing = byManifest.get(m.descriptor.digest);
    const names = m.names.flatMap((n) => {
      // org.opencontainers.image.ref.name is often a bare tag (`latest`), which names no
      // repository: such an image loads untagged, as with Docker.
      const ref = /[/:]/.test(n) ? normalizeName(n) : undefined;
      return ref === undefined || ref.digest !== undefined ? [] : [ref.normalized];
    });
    if (existing !== undefined) {
      existing.names.push(...names);
      continue;
    }
    if (!isConfigType(m.manifest.config.mediaType)) throw bad(`manifest ${m.descriptor.digest} is not an image (config type ${m.manifest.config.mediaType})`);
    const configBytes = await reader.bytes(`blobs/${m.manifest.config.digest.replace(':', '/')}`, 'config');
    const config = parseConfig(configBytes);
    checkPlatform(config, `image ${m.descriptor.digest}`);
    const layers: Candidate['layers'] = [];
    for (const l of m.manifest.layers) layers.push({ ...(await reader.blob(`blobs/${l.digest.replace(':', '/')}`, 'layer')), path: l.digest });
    byManifest.set(m.descriptor.digest, { configBytes, config, layers, manifest: { bytes: m.bytes, descriptor: m.descriptor }, names });
  }
  return [...byManifest.values()];
}

async function register(store: ImageStore, reader: ArchiveReader, c: Candidate, used: Set<string>): Promise<LoadedArchiveImage> {
  const config = await reader.storeDocument(c.configBytes);
  used.add(config.digest);
  let size = 0;
  let converted = false;
  const layerSizes: number[] = [];
  const layerDescriptors: Descriptor[] = [];
  for (const [i, original] of c.layers.entries()) {
    let layer = original;
    let info = await inspectLayerBlob(store.content, layer.digest, `layer ${layer.path}`);
    if (info.compression !== 'none' && info.compression !== 'gzip' && info.compression !== 'zstd') {
      // docker load takes bzip2- and xz-compressed layers; OCI has no media type for them, so the
      // layer is kept uncompressed (its digest becomes its diffID).
      const { stream } = await openDecompressed(await store.content.openRead(layer.digest));
      layer = { ...(await reader.storeStream(stream)), path: layer.path };
      converted = true;
      info = await inspectLayerBlob(store.content, layer.digest, `layer ${layer.path}`);
    }
    const expected = c.config.rootfs.diff_ids[i];
    if (info.diffId !== expected) {
      throw bad(`layer ${i + 1} (${layer.path}) unpacks to ${info.diffId}, but the config expects ${expected}`, 'The archive is corrupt or was modified.');
    }
    size += info.size;
    layerSizes.push(info.size);
    used.add(layer.digest);
    layerDescriptors.push({ mediaType: layerMediaType(info.compression as LayerCompression, 'oci'), digest: layer.digest, size: layer.size });
  }
  let manifest = converted ? undefined : c.manifest;
  if (manifest === undefined) {
    const doc: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: config.digest, size: config.size },
      layers: layerDescriptors,
    };
    const bytes = encodeDocument(doc);
    manifest = { bytes, descriptor: { mediaType: MediaType.OciManifest, digest: digestOf(bytes), size: bytes.length } };
  } else {
    const parsed = parseManifest(manifest.bytes);
    if (parsed.config.digest !== config.digest) throw bad(`manifest ${manifest.descriptor.digest} names another config`);
  }
  const stored = await reader.storeDocument(manifest.bytes);
  used.add(stored.digest);
  const descriptor = { ...manifest.descriptor, digest: stored.digest, size: stored.size };
  const created = typeof c.config.created === 'string' ? c.config.created : undefined;
  // A name already used by another image moves to this one, as with Docker's load.
  await store.add({ target: descriptor, manifest: descriptor, id: config.digest, size, layerSizes, ...(created === undefined ? {} : { created }) }, c.names);
  return { id: config.digest, names: c.names };
}
