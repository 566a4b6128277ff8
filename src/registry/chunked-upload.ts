/**
 * A blob sent in chunks (PATCH with Content-Range, then a PUT with the digest): for blobs larger
 * than LADE_PUSH_CHUNK_SIZE bytes (256 MiB by default), so that no single request carries more
 * than that through proxies that cap them. Each chunk is held in memory until the registry has
 * it, and the most recent upload Location is always the one used (registry:2 signs its state in
 * it). A chunk whose connection breaks is sent again, from what the registry says it holds, in
 * the same upload: only that chunk is lost, not the blob.
 */
import { ErrorCode, LadeError } from '../errors/index.js';
import type { Descriptor } from '../image/index.js';
import { discard } from './http.js';
import { responseError, type RegistrySession } from './session.js';

export const DEFAULT_CHUNK_SIZE = 256 << 20;

/** LADE_PUSH_CHUNK_SIZE, else the default; at least 1 MiB (registries ask for at least 5 MB). */
export function chunkSize(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['LADE_PUSH_CHUNK_SIZE'];
  if (raw === undefined || raw === '') return DEFAULT_CHUNK_SIZE;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new LadeError(ErrorCode.Usage, `LADE_PUSH_CHUNK_SIZE must be a number of bytes, not ${JSON.stringify(raw)}`);
  return n;
}

export interface ChunkedUpload {
  session: RegistrySession;
  /** The Location the upload session was opened with. */
  location: URL;
  scopes: readonly string[];
  /** For messages: `registry/repository`. */
  where: string;
}

/** Chunks sent again, per blob, after their connection broke. */
const MAX_CHUNK_RESUMES = 3;

/** The `Range: 0-N` an upload reports as a byte count (registry:2 says `0-0` for none). */
function rangeEnd(header: string | string[] | undefined): number | undefined {
  const match = /^0-(\d+)$/.exec(typeof header === 'string' ? header.trim() : '');
  return match === null ? undefined : Number(match[1]);
}

export async function uploadInChunks(up: ChunkedUpload, d: Descriptor, blob: AsyncIterable<Uint8Array>, size: number, sent?: (bytes: number) => void): Promise<void> {
  let url = up.location;
  let offset = 0;
  let resumes = 0;
  let pending: Buffer[] = [];
  let pendingSize = 0;
  const next = (location: string | undefined, what: string): void => {
    if (location === undefined) throw new LadeError(ErrorCode.RegistryError, `${up.where} ${what} of ${d.digest} without giving the next Location`);
    url = new URL(location, url);
  };
  /**
   * How much of the upload the registry holds, asked after a chunk's connection broke (upload
   * status, end-13); undefined when it cannot say, or no longer knows the upload.
   */
  const held = async (): Promise<number | undefined> => {
    const response = await up.session.request({ method: 'GET', path: url, scopes: up.scopes });
    discard(response);
    if (response.status !== 204) return undefined;
    const end = rangeEnd(response.headers.range);
    if (end === undefined) return undefined;
    next(response.headers.location, 'answered for the upload');
    // `0-0` is what registry:2 says for nothing as well as for one byte; only the first is
    // possible at a chunk boundary beyond zero, and at zero nothing is lost by sending it again.
    return end === 0 ? 0 : end + 1;
  };
  const patch = async (body: Buffer): Promise<void> => {
    // Sent from `from` (bytes of this chunk the registry already has) until it is all there.
    for (let from = 0; from < body.length; ) {
      try {
        const response = await up.session.request({
          method: 'PATCH',
          path: url,
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset + from}-${offset + body.length - 1}` },
          body: from === 0 ? body : body.subarray(from),
          scopes: up.scopes,
        });
        if (response.status !== 202) throw await responseError(response, `cannot upload ${d.digest} to ${up.where} (chunk at byte ${offset + from})`, up.session.endpoint.name);
        discard(response);
        next(response.headers.location, 'took a chunk');
        from = body.length;
      } catch (err) {
        // A broken connection: the registry says what it kept of this chunk, and the rest goes
        // in the same upload. When it cannot say, the caller starts a new upload.
        if (!(err instanceof LadeError) || err.code !== ErrorCode.RegistryUnreachable || ++resumes > MAX_CHUNK_RESUMES) throw err;
        const have = await held().catch(() => undefined);
        if (have === undefined || have < offset || have > offset + body.length) throw err;
        from = have - offset;
      }
    }
    offset += body.length;
    sent?.(offset);
  };
  for await (const chunk of blob) {
    pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    pendingSize += chunk.byteLength;
    while (pendingSize >= size) {
      const all = Buffer.concat(pending, pendingSize);
      await patch(all.subarray(0, size));
      pending = pendingSize > size ? [all.subarray(size)] : [];
      pendingSize -= size;
    }
  }
  if (pendingSize > 0) await patch(Buffer.concat(pending, pendingSize));
  const done = new URL(url);
  done.searchParams.set('digest', d.digest);
  const put = await up.session.request({ method: 'PUT', path: done, scopes: up.scopes });
  if (put.status !== 201) throw await responseError(put, `cannot finish the upload of ${d.digest} to ${up.where}`, up.session.endpoint.name);
  discard(put);
}
