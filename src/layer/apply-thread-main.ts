/**
 * The worker side of applyLayerOnThread: the bytes the main thread sends, as the stream
 * applyLayer reads; each batch it takes is acknowledged, so the main thread sends the next.
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { applyLayer } from './apply-layer.js';
import type { ApplyOptions } from './apply-state.js';
import { receiveError, sendError, type FromWorker, type ToWorker } from './apply-thread.js';

const port = parentPort!;
const { root, options, hash: hashing } = workerData as { root: string; options: ApplyOptions; hash: boolean };
const hash = hashing ? createHash('sha256') : undefined;
const queue: Uint8Array[] = [];
let ended = false;
let failure: Error | undefined;
let wake: (() => void) | undefined;

port.on('message', (m: ToWorker) => {
  if ('bytes' in m) queue.push(m.bytes);
  else if ('end' in m) ended = true;
  else failure = receiveError(m.error);
  wake?.();
});

async function* bytes(): AsyncGenerator<Uint8Array> {
  for (;;) {
    const next = queue.shift();
    if (next !== undefined) {
      port.postMessage({ read: true } satisfies FromWorker);
      hash?.update(next);
      yield next;
      continue;
    }
    if (failure !== undefined) throw failure;
    if (ended) return;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
}

applyLayer(root, bytes(), options).then(
  (stats) => port.postMessage({ stats, ...(hash === undefined ? {} : { sha256: hash.digest('hex') }) } satisfies FromWorker),
  (err: unknown) => port.postMessage({ error: sendError(err) } satisfies FromWorker),
);
