/**
 * The first phase of a solve: the cache key of every vertex the targets need. A key depends on
 * the keys of all inputs, so every needed vertex's content key is asked for, even below a vertex
 * that will turn out to be a cache hit; the calls run in parallel (bounded) since they may be
 * slow (an image's config from a registry, hashing context files), then keys are hashed inputs
 * first.
 */
import { setMaxListeners } from 'node:events';
import type { Graph, VertexId } from '../graph/index.js';
import { cacheKey, type CacheKey } from './cache-key.js';
import { createLimiter } from './limiter.js';
import type { OpAdapter } from './op-adapter.js';

/**
 * Keys of the vertices in `order` (inputs before readers). On the first contentKey failure no
 * further call starts, the ones in flight are waited for, and the failure (passed through
 * `onError` first, which may replace it) is thrown. An abort of `signal` stops it the same way.
 */
export async function computeKeys(
  graph: Graph,
  order: readonly VertexId[],
  adapter: OpAdapter,
  parallelism: number,
  signal: AbortSignal,
  onError: (id: VertexId, err: unknown) => unknown,
): Promise<Map<VertexId, CacheKey>> {
  const local = new AbortController();
  // Each queued contentKey call listens to it until its turn comes.
  setMaxListeners(0, local.signal);
  const forward = (): void => local.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });

  const limiter = createLimiter(parallelism);
  const contents = new Map<VertexId, string | undefined>();
  let first: { error: unknown } | undefined;
  try {
    await Promise.allSettled(
      order.map(async (id) => {
        const release = await limiter.acquire(local.signal);
        try {
          contents.set(id, await adapter.contentKey(graph.vertices[id]!, id));
        } catch (err) {
          if (first === undefined) {
            first = { error: onError(id, err) };
            local.abort(first.error);
          }
        } finally {
          release();
        }
      }),
    );
  } finally {
    signal.removeEventListener('abort', forward);
  }
  if (first !== undefined) throw first.error;
  if (local.signal.aborted) throw local.signal.reason;

  const keys = new Map<VertexId, CacheKey>();
  for (const id of order) {
    const vertex = graph.vertices[id]!;
    keys.set(id, cacheKey(vertex, vertex.inputs.map((input) => keys.get(input)!), contents.get(id)));
  }
  return keys;
}
