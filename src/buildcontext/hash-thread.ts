/**
 * Context files hashed on a second thread while the calling thread hashes others: a first build
 * (a fresh CI machine) reads and hashes every file a COPY selects, 240 MB in about 0.45 s on one
 * core, and the other core had nothing to do meanwhile. The worker runs the same hashFileSync;
 * it starts when a batch is large enough to pay for its start (about 30 ms) and ends with it.
 * Both threads take the next file to hash from one shared counter, so neither waits for the other
 * at the end, whatever the files' sizes and however often the calling thread stops for its
 * event loop.
 */
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import type { FileHash } from './file-hash.js';

const requireBuiltin = createRequire(import.meta.url);

/** What the worker answers for one path: its hash, or why it could not be read. */
export type HashOutcome = { hash: FileHash } | { error: string; code?: string };

function workerUrl(): URL {
  // Bundled, lade is one script with its workers' scripts beside it (scripts/bundle.mjs);
  // unbundled, the worker is the module beside this one.
  return import.meta.url.endsWith('.cjs') ? new URL('./lade-hash.cjs', import.meta.url) : new URL('./hash-thread-main.js', import.meta.url);
}

/** The shared counter both threads take the next index of `paths` from. */
export function nextIndex(counter: Int32Array): number {
  return Atomics.add(counter, 0, 1);
}

/**
 * Hashes files of `paths` on a worker thread, each index the worker takes from `counter` (an
 * Int32Array over a SharedArrayBuffer, which the caller takes from too); resolves with the
 * outcomes by index, once every index is taken.
 */
export async function hashFilesOnThread(paths: readonly string[], counter: Int32Array): Promise<Map<number, HashOutcome>> {
  const { Worker: WorkerClass } = requireBuiltin('node:worker_threads') as typeof import('node:worker_threads');
  // No flags of this process: --input-type=module, for one, would change how the script loads.
  const worker: Worker = new WorkerClass(workerUrl(), { workerData: { paths, counter }, execArgv: [] });
  try {
    return await new Promise<Map<number, HashOutcome>>((resolve, reject) => {
      worker.once('message', (outcomes: Array<[number, HashOutcome]>) => resolve(new Map(outcomes)));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the hashing thread stopped (${code}) before it answered`)));
    });
  } finally {
    await worker.terminate();
  }
}
