/**
 * applyLayer on a worker thread: the thread that reads the layer (a download, with its hashing
 * and its copy into the content store) goes on while another creates the files, whose syscalls
 * are most of an unpack's time. For large layers only: starting the thread costs about 30 ms.
 *
 * Bytes go over in batches of at least BATCH, each a fresh buffer handed over without a second
 * copy, with at most IN_FLIGHT not yet read by the worker (the reader waits meanwhile). Errors
 * come back as what they were: a LadeError with its code and hint, an errno error with its code.
 */
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { ErrorCode, isLadeError, LadeError } from '../errors/index.js';
import type { ApplyStats } from './apply-layer.js';
import type { ApplyOptions } from './apply-state.js';

const requireBuiltin = createRequire(import.meta.url);

const BATCH = 512 << 10;
const IN_FLIGHT = 16;

/** What crosses between the threads in place of an Error. */
export interface SentError {
  message: string;
  lade?: { code: string; hint?: string };
  errno?: string;
}

/** Worker to main: one batch read, or the result. Main to worker: bytes, the end, or a failure. */
export type FromWorker = { read: true } | { stats: ApplyStats; sha256?: string } | { error: SentError };

export interface ThreadOptions {
  /** Also hash the bytes (sha256, hex), on the worker: the caller's thread is the busier one. */
  hash?: boolean;
}
export type ToWorker = { bytes: Uint8Array } | { end: true } | { error: SentError };

export function sendError(err: unknown): SentError {
  if (isLadeError(err)) return { message: err.message, lade: { code: err.code, ...(err.hint === undefined ? {} : { hint: err.hint }) } };
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  return { message: err instanceof Error ? err.message : String(err), ...(typeof errno === 'string' ? { errno } : {}) };
}

export function receiveError(sent: SentError): Error {
  if (sent.lade !== undefined) return new LadeError(sent.lade.code, sent.message, sent.lade.hint === undefined ? {} : { hint: sent.lade.hint });
  return sent.errno === undefined ? new Error(sent.message) : Object.assign(new Error(sent.message), { code: sent.errno });
}

/** The chunks in a buffer of their own (never one of Buffer's pool, which a transfer would take away). */
function joined(chunks: readonly Uint8Array[], length: number): Uint8Array {
  // Not zeroed (every byte is written next), and never from the pool.
  const out = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function workerUrl(): URL {
  // Bundled, lade is one script with its worker's script beside it (scripts/bundle.mjs);
  // unbundled, the worker is the module beside this one.
  return import.meta.url.endsWith('.cjs') ? new URL('./lade-apply.cjs', import.meta.url) : new URL('./apply-thread-main.js', import.meta.url);
}

export async function applyLayerOnThread(root: string, tar: AsyncIterable<Uint8Array>, options: ApplyOptions = {}, thread: ThreadOptions = {}): Promise<ApplyStats & { sha256?: string }> {
  const { Worker: WorkerClass } = requireBuiltin('node:worker_threads') as typeof import('node:worker_threads');
  // No flags of this process: --input-type=module, for one, would change how the script loads.
  const worker: Worker = new WorkerClass(workerUrl(), { workerData: { root, options, hash: thread.hash === true }, execArgv: [] });
  let settled = false;
  let credit = IN_FLIGHT;
  let wake: (() => void) | undefined;
  const result = new Promise<ApplyStats & { sha256?: string }>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      if ('read' in m) {
        credit++;
        wake?.();
      } else if ('stats' in m) resolve(m.sha256 === undefined ? m.stats : { ...m.stats, sha256: m.sha256 });
      else reject(receiveError(m.error));
    });
    worker.on('error', (err) => reject(new LadeError(ErrorCode.LayerApply, `the unpacking thread failed: ${err.message}`, { cause: err })));
    worker.on('exit', () => reject(new LadeError(ErrorCode.LayerApply, 'the unpacking thread stopped before the layer was unpacked')));
  });
  void result.then(
    () => (settled = true),
    () => (settled = true),
  ).finally(() => wake?.());

  const send = async (bytes: Uint8Array): Promise<boolean> => {
    while (credit === 0 && !settled) await new Promise<void>((resolve) => (wake = resolve));
    if (settled) return false;
    credit--;
    worker.postMessage({ bytes } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
    return true;
  };
  const feed = (async () => {
    try {
      let batch: Uint8Array[] = [];
      let length = 0;
      for await (const chunk of tar) {
        batch.push(chunk);
        length += chunk.byteLength;
        if (length < BATCH) continue;
        if (!(await send(joined(batch, length)))) return;
        batch = [];
        length = 0;
      }
      if (length > 0 && !(await send(joined(batch, length)))) return;
      if (!settled) worker.postMessage({ end: true } satisfies ToWorker);
    } catch (err) {
      if (!settled) worker.postMessage({ error: sendError(err) } satisfies ToWorker);
    }
  })();
  try {
    return await result;
  } finally {
    await feed;
    await worker.terminate();
  }
}
