/** The worker side of hashFilesOnThread: every path hashed, one answer with all outcomes. */
import { parentPort, workerData } from 'node:worker_threads';
import { hashFileSync, READ_CHUNK } from './file-hash.js';
import type { HashOutcome } from './hash-thread.js';

const { paths } = workerData as { paths: string[] };
const buffer = Buffer.allocUnsafe(READ_CHUNK);
const outcomes: HashOutcome[] = paths.map((path) => {
  try {
    return { hash: hashFileSync(path, buffer) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: (err as Error).message, ...(typeof code === 'string' ? { code } : {}) };
  }
});
parentPort!.postMessage(outcomes);
