/**
 * `lade push`: an image's layers and config to a repository, each only when the registry lacks
 * it (HEAD first), uploaded in one PUT of an upload session (or in chunks); then the manifest
 * under the tag. Layers stored uncompressed are compressed first, gzip unless asked otherwise
 * (push-form.ts), and the manifest pushed names those; a layer a build made is read from its
 * snapshot (made, and checked against its digest) as it is compressed or sent.
 */
import { Readable } from 'node:stream';
import { eachLimited, type Digest } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { tagName, type Descriptor, type ImageStore, type LayerCompression } from '../image/index.js';
import { parseImageReference, type ImageReference } from '../reference/index.js';
import { chunkSize, uploadInChunks } from './chunked-upload.js';
import { discard } from './http.js';
import { pushForm } from './push-form.js';
import { responseError, type RegistrySession } from './session.js';

export interface PushEvent {
  /** `compressing` comes before a layer stored uncompressed is compressed for the push. */
  kind: 'compressing' | 'exists' | 'pushing' | 'uploading' | 'pushed' | 'mounted';
  /** The layer's diffID: what Docker's push lines name a layer by, whatever form it is sent in. */
  layer: string;
  /** The blob sent. */
  digest: string;
  size: number;
  /** `uploading`: bytes sent so far. */
  sent?: number;
  /** `mounted`: the repository it was mounted from. */
  from?: string;
}

export interface PushResult {
  tag: string;
  digest: Digest;
  size: number;
  uploaded: number;
  present: number;
}

const PARALLEL_BLOBS = 4;

async function blobExists(session: RegistrySession, ref: ImageReference, d: Descriptor, scopes: string[]): Promise<boolean> {
  const response = await session.request({ method: 'HEAD', path: `/v2/${ref.path}/blobs/${d.digest}`, scopes });
  discard(response);
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  throw await responseError(response, `cannot check for ${d.digest} in ${ref.domain}/${ref.path}`, ref.domain);
}

/**
 * Uploads a blob, or mounts it from `from` (another repository of the same registry known to
 * hold it) when the registry can: 'mounted' then, and nothing is sent.
 */
async function upload(
  session: RegistrySession,
  store: ImageStore,
  ref: ImageReference,
  d: Descriptor,
  scopes: string[],
  from: string | undefined,
  chunk: number,
  onProgress?: (e: Omit<PushEvent, 'layer'>) => void,
): Promise<'mounted' | 'pushed'> {
  const query = from === undefined ? '' : `?mount=${encodeURIComponent(d.digest)}&from=${encodeURIComponent(from)}`;
  // Mounting needs pull access to the source repository too, in the same token.
  const startScopes = from === undefined ? scopes : [...scopes, `repository:${from}:pull`];
  const started = await session.request({ method: 'POST', path: `/v2/${ref.path}/blobs/uploads/${query}`, scopes: startScopes });
  if (started.status !== 202 && started.status !== 201) throw await responseError(started, `cannot start an upload to ${ref.domain}/${ref.path}`, ref.domain);
  discard(started);
  if (started.status === 201) return 'mounted';
  const location = started.headers.location;
  if (location === undefined) throw new LadeError(ErrorCode.RegistryError, `${ref.domain} opened an upload without a Location`);
  const where = `${ref.domain}/${ref.path}`;
  if (d.size > chunk) {
    const blob = await store.content.openRead(d.digest as Digest);
    await uploadInChunks({ session, location: new URL(location, started.url), scopes, where }, d, blob, chunk, (sent) => onProgress?.({ kind: 'uploading', digest: d.digest, size: d.size, sent }));
    return 'pushed';
  }
  const url = new URL(location, started.url);
  url.searchParams.set('digest', d.digest);
  // Made afresh for a retry after a 401; the store checks the bytes against the digest as they go.
  const body = (): Readable =>
    Readable.from(
      (async function* () {
        let sent = 0;
        for await (const chunk of await store.content.openRead(d.digest as Digest)) {
          sent += (chunk as Buffer).length;
          onProgress?.({ kind: 'uploading', digest: d.digest, size: d.size, sent });
          yield chunk as Buffer;
        }
      })(),
      { objectMode: false },
    );
  const done = await session.request({ method: 'PUT', path: url, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(d.size) }, body, scopes });
  if (done.status !== 201) throw await responseError(done, `cannot upload ${d.digest} to ${ref.domain}/${ref.path}`, ref.domain);
  discard(done);
  return 'pushed';
}

/** Attempts at one blob's upload: a connection that breaks during a PUT loses the whole upload. */
const UPLOAD_ATTEMPTS = 3;

/** Runs an upload again, in a new upload session, when its connection broke (as Docker retries). */
async function withUploadRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= UPLOAD_ATTEMPTS || !(err instanceof LadeError) || err.code !== ErrorCode.RegistryUnreachable) throw err;
      await new Promise((r) => setTimeout(r, 250 * i));
    }
  }
}

/** Another repository of the same registry the image is known in (it was pulled from or pushed to it). */
function mountSource(repoDigests: readonly string[] | undefined, ref: ImageReference): string | undefined {
  for (const entry of repoDigests ?? []) {
    const name = entry.split('@')[0]!;
    const slash = name.indexOf('/');
    if (name.slice(0, slash) === ref.domain && name.slice(slash + 1) !== ref.path) return name.slice(slash + 1);
  }
  return undefined;
}

export interface PushOptions {
  /**
   * How layers stored uncompressed are sent: gzip (the default, as Docker and BuildKit), zstd, or
   * `none` (as stored). Layers stored compressed are sent as they are.
   */
  compression?: LayerCompression;
}

export async function pushImage(store: ImageStore, session: RegistrySession, name: string, onProgress?: (e: PushEvent) => void, options: PushOptions = {}): Promise<PushResult> {
  const ref = parseImageReference(name);
  if (ref.digest !== undefined) throw new LadeError(ErrorCode.Usage, `cannot push a digest reference: ${name}`, { hint: 'Tag the image (`lade tag`) and push the tag.' });
  const chunk = chunkSize();
  const image = await store.load(await store.find(tagName(name)));
  const scopes = [`repository:${ref.path}:pull,push`];
  return store.withLease(async (lease) => {
    const diffIds = image.config.rootfs?.diff_ids ?? [];
    const layerOf = (i: number, d: Descriptor) => diffIds[i] ?? d.digest;
    const stored = image.manifest.layers;
    const form = await pushForm(store, image, options.compression ?? 'gzip', lease, (layer) =>
      onProgress?.({ kind: 'compressing', layer: layerOf(stored.indexOf(layer), layer), digest: layer.digest, size: layer.size }),
    );
    const blobs = [...form.manifest.layers, form.manifest.config];
    let present = 0;
    const from = mountSource(image.record.repoDigests, ref);
    await eachLimited([...blobs.entries()], PARALLEL_BLOBS, async ([i, d]) => {
      // Layers are reported, as Docker reports them; the config goes quietly.
      const report = d === form.manifest.config || onProgress === undefined ? undefined : (e: Omit<PushEvent, 'layer'>) => onProgress({ ...e, layer: layerOf(i, d) });
      if (await blobExists(session, ref, d, scopes)) {
        present++;
        report?.({ kind: 'exists', digest: d.digest, size: d.size });
        return;
      }
      report?.({ kind: 'pushing', digest: d.digest, size: d.size });
      const how = await withUploadRetries(() => upload(session, store, ref, d, scopes, from, chunk, report));
      report?.(how === 'mounted' ? { kind: 'mounted', digest: d.digest, size: d.size, from: from! } : { kind: 'pushed', digest: d.digest, size: d.size });
    });
    // The manifest last: registries check that everything it names is there.
    const tag = ref.tag ?? 'latest';
    const put = await session.request({ method: 'PUT', path: `/v2/${ref.path}/manifests/${tag}`, headers: { 'Content-Type': form.descriptor.mediaType }, body: form.bytes, scopes });
    if (put.status !== 201) throw await responseError(put, `cannot push the manifest of ${name}`, ref.domain);
    discard(put);
    const { record } = image;
    const manifest = record.manifest;
    await store.add(
      {
        target: manifest,
        manifest,
        id: record.id,
        size: record.size,
        ...(record.created === undefined ? {} : { created: record.created }),
        ...(record.layerSizes === undefined ? {} : { layerSizes: record.layerSizes }),
        repoDigests: [`${ref.domain}/${ref.path}@${form.descriptor.digest}`],
        ...(form.descriptor.digest === manifest.digest ? {} : { pushed: [form.descriptor] }),
      },
      [],
    );
    return { tag, digest: form.descriptor.digest as Digest, size: form.bytes.length, uploaded: blobs.length - present, present };
  });
}
