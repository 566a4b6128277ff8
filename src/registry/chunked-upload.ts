/**
 * A blob sent in chunks (PATCH with Content-Range, then a PUT with the digest): for blobs larger
 * than LADE_PUSH_CHUNK_SIZE bytes (256 MiB by default), so that no single request carries more
 * than that through proxies that cap them. Each chunk is held in memory until the registry has
 * it, and the most recent upload Location is always the one used (registry:2 signs its state in
 * it).
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

export async function uploadInChunks(up: ChunkedUpload, d: Descriptor, blob: AsyncIterable<Uint8Array>, size: number, sent?: (bytes: number) => void): Promise<void> {
  let url = up.location;
  let offset = 0;
  let pending: Buffer[] = [];
  let pendingSize = 0;
  const patch = async (body: Buffer): Promise<void> => {
    const response = await up.session.request({
      method: 'PATCH',
      path: url,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${offset + body.length - 1}` },
      body,
      scopes: up.scopes,
    });
    if (response.status !== 202) throw await responseError(response, `cannot upload ${d.digest} to ${up.where} (chunk at byte ${offset})`, up.session.endpoint.name);
    discard(response);
    const next = response.headers.location;
    if (next === undefined) throw new LadeError(ErrorCode.RegistryError, `${up.where} took a chunk of ${d.digest} without giving the next Location`);
    url = new URL(next, url);
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
