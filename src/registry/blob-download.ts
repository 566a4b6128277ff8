/**
 * A blob's bytes from a registry, resumed where they stopped: when the connection breaks or the
 * body ends short, the download goes on from the last byte received with `Range: bytes=N-` (206
 * Partial Content); a registry that ignores the range and sends everything again has its first
 * N bytes skipped. The caller hashes what it gets, so resuming can never splice in wrong bytes
 * unnoticed.
 */
import type { Descriptor } from '../image/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import type { HttpResponse } from './http.js';
import { responseError, type RegistrySession } from './session.js';

/** Resumptions allowed per blob before the download fails. */
const MAX_RESUMES = 5;

export interface BlobSource {
  session: RegistrySession;
  /** `/v2/<name>/blobs/<digest>` */
  path: string;
  scopes: string[];
  /** For messages: `registry/repository`. */
  where: string;
}

async function open(source: BlobSource, d: Descriptor, from: number): Promise<HttpResponse> {
  const headers: Record<string, string> = from > 0 ? { Range: `bytes=${from}-` } : {};
  const response = await source.session.request({ method: 'GET', path: source.path, headers, scopes: source.scopes });
  if (response.status !== 200 && response.status !== 206) throw await responseError(response, `cannot download ${d.digest} from ${source.where}`, source.session.endpoint.name);
  return response;
}

/** The blob's bytes, in order, `received` called with the running total. */
export async function* downloadBlob(source: BlobSource, d: Descriptor, received?: (bytes: number) => void): AsyncGenerator<Buffer> {
  let got = 0;
  let response = await open(source, d, 0);
  for (let resumes = 0; ; resumes++) {
    // A full answer to a range request: skip what was already delivered.
    let skip = response.status === 200 ? got : 0;
    if (response.status === 206) {
      const start = /^bytes (\d+)-/.exec(String(response.headers['content-range'] ?? ''))?.[1];
      if (start === undefined || Number(start) !== got) {
        response.body.destroy();
        throw new LadeError(ErrorCode.RegistryError, `${source.where} answered a request for ${d.digest} from byte ${got} with ${String(response.headers['content-range'])}`);
      }
    }
    let failure: unknown;
    try {
      for await (const raw of response.body) {
        let chunk = raw as Buffer;
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.length);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
          if (chunk.length === 0) continue;
        }
        got += chunk.length;
        received?.(got);
        yield chunk;
      }
    } catch (err) {
      failure = err;
    }
    // All bytes are in (a break after the last one does not matter: the digest decides).
    if (got >= d.size) return;
    if (resumes >= MAX_RESUMES) {
      const why = failure instanceof Error ? failure.message : `the body ended after ${got} of ${d.size} bytes`;
      throw new LadeError(ErrorCode.RegistryUnreachable, `the download of ${d.digest} from ${source.where} broke off ${resumes + 1} times: ${why}`, { hint: 'Check the network and pull again: the blobs already downloaded are kept.' });
    }
    await new Promise((r) => setTimeout(r, 100 * (resumes + 1)));
    response = await open(source, d, got);
  }
}
