/** The worker side of hashFilesOnThread: files taken from the shared counter, one answer with their outcomes. */
import { parentPort, workerData } from 'node:worker_threads';
import { hashFileSync, READ_CHUNK } from './file-hash.js';
import { nextIndex, type HashOutcome } from './hash-thread.js';

const { paths, counter } = workerData as { paths: string[]; counter: Int32Array };
const buffer = Buffer.allocUnsafe(READ_CHUNK);
const outcomes: Array<[number, HashOutcome]> = [];
for (let i = nextIndex(counter); i < paths.length; i = nextIndex(counter)) {
  try {
    outcomes.push([i, { hash: hashFileSync(paths[i]!, buffer) }]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    outcomes.push([i, { error: (err as Error).message, ...(typeof code === 'string' ? { code } : {}) }]);
  }
}
parentPort!.postMessage(outcomes);
