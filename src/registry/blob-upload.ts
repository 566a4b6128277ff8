/**
 * Blobs and manifests into a repository: each blob only when the registry lacks it (HEAD first),
 * mounted from another repository of the same registry when it is known to be there, else
 * uploaded in one PUT of an upload session (or in chunks); a manifest last, since registries check
 * that everything it names is there. Used by push and by the build cache's export.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { eachLimited, type Digest } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import type { Descriptor, ImageStore } from '../image/index.js';
import type { ImageReference } from '../reference/index.js';
import { chunkSize, uploadInChunks } from './chunked-upload.js';
import { discard } from './http.js';
import { responseError, type RegistrySession } from './session.js';

export interface BlobEvent {
  kind: 'exists' | 'pushing' | 'uploading' | 'pushed' | 'mounted';
  digest: string;
  size: number;
  /** `uploading`: bytes sent so far. */
  sent?: number;
  /** `mounted`: the repository it was mounted from. */
  from?: string;
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
  onProgress?: (e: BlobEvent) => void,
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
export function mountSource(repoDigests: readonly string[] | undefined, ref: ImageReference): string | undefined {
  for (const entry of repoDigests ?? []) {
    const name = entry.split('@')[0]!;
    const slash = name.indexOf('/');
    if (name.slice(0, slash) === ref.domain && name.slice(slash + 1) !== ref.path) return name.slice(slash + 1);
  }
  return undefined;
}

/**
 * Sends each of `blobs` the registry lacks (from the store; four at a time); `report` hears
 * about a blob's progress. Returns how many were there already.
 */
export async function sendBlobs(
  session: RegistrySession,
  store: ImageStore,
  ref: ImageReference,
  blobs: readonly Descriptor[],
  options: { from?: string | undefined; report?: (d: Descriptor, i: number) => ((e: BlobEvent) => void) | undefined } = {},
): Promise<number> {
  const scopes = [`repository:${ref.path}:pull,push`];
  const chunk = chunkSize();
  let present = 0;
  await eachLimited([...blobs.entries()], PARALLEL_BLOBS, async ([i, d]) => {
    const report = options.report?.(d, i);
    if (await blobExists(session, ref, d, scopes)) {
      present++;
      report?.({ kind: 'exists', digest: d.digest, size: d.size });
      return;
    }
    report?.({ kind: 'pushing', digest: d.digest, size: d.size });
    const how = await withUploadRetries(() => upload(session, store, ref, d, scopes, options.from, chunk, report));
    report?.(how === 'mounted' ? { kind: 'mounted', digest: d.digest, size: d.size, from: options.from! } : { kind: 'pushed', digest: d.digest, size: d.size });
  });
  return present;
}

/** Puts a manifest (or index) under `reference` (a tag or its digest); what everything it names must precede. */
export async function putManifest(session: RegistrySession, ref: ImageReference, reference: string, mediaType: string, bytes: Buffer, what: string): Promise<void> {
  const put = await session.request({ method: 'PUT', path: `/v2/${ref.path}/manifests/${reference}`, headers: { 'Content-Type': mediaType }, body: bytes, scopes: [`repository:${ref.path}:pull,push`] });
  if (put.status !== 201) throw await responseError(put, `cannot push ${what}`, ref.domain);
  discard(put);
}

/**
 * Uploads bytes whose digest is not known yet (a layer being compressed as it is sent): one
 * PATCH streams them as they come, hashed on the way, and the PUT that closes the upload names
 * the digest, as Docker's push streams a layer. A broken connection fails it: the bytes are gone,
 * and the caller makes them again.
 */
export async function streamBlob(session: RegistrySession, ref: ImageReference, bytes: AsyncIterable<Uint8Array>): Promise<{ digest: Digest; size: number }> {
  const scopes = [`repository:${ref.path}:pull,push`];
  const where = `${ref.domain}/${ref.path}`;
  const started = await session.request({ method: 'POST', path: `/v2/${ref.path}/blobs/uploads/`, scopes });
  if (started.status !== 202) throw await responseError(started, `cannot start an upload to ${where}`, ref.domain);
  discard(started);
  const location = started.headers.location;
  if (location === undefined) throw new LadeError(ErrorCode.RegistryError, `${ref.domain} opened an upload without a Location`);
  const hash = createHash('sha256');
  let size = 0;
  let used = false;
  const body = (): Readable => {
    if (used) return Readable.from((async function* () { throw new LadeError(ErrorCode.RegistryError, `${where} asked for a streamed upload again`); })());
    used = true;
    return Readable.from(
      (async function* () {
        for await (const chunk of bytes) {
          hash.update(chunk);
          size += chunk.byteLength;
          yield chunk;
        }
      })(),
      { objectMode: false },
    );
  };
  const patched = await session.request({ method: 'PATCH', path: new URL(location, started.url), headers: { 'Content-Type': 'application/octet-stream' }, body, scopes });
  if (patched.status !== 202) throw await responseError(patched, `cannot upload to ${where}`, ref.domain);
  discard(patched);
  const next = patched.headers.location;
  if (next === undefined) throw new LadeError(ErrorCode.RegistryError, `${ref.domain} took an upload without giving the next Location`);
  const digest = `sha256:${hash.digest('hex')}` as Digest;
  const done = new URL(next, patched.url);
  done.searchParams.set('digest', digest);
  const put = await session.request({ method: 'PUT', path: done, scopes });
  if (put.status !== 201) throw await responseError(put, `cannot finish the upload of ${digest} to ${where}`, ref.domain);
  discard(put);
  return { digest, size };
}

/** Whether the repository has the blob. */
export async function hasBlob(session: RegistrySession, ref: ImageReference, d: Descriptor): Promise<boolean> {
  return blobExists(session, ref, d, [`repository:${ref.path}:pull`]);
}

/** Sends one blob from the store unless the registry has it. */
export async function sendBlob(session: RegistrySession, store: ImageStore, ref: ImageReference, d: Descriptor): Promise<void> {
  await sendBlobs(session, store, ref, [d]);
}
