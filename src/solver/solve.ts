/**
 * The scheduler. A solve first computes every needed vertex's cache key (solve-keys.ts), then
 * resolves the targets lazily, top-down, as BuildKit does: a vertex whose key is in the cache
 * index is a hit and nothing below it is visited; otherwise its inputs are resolved the same way
 * (in parallel) and then it runs. So a rebuild with nothing changed runs no op at all, and a stage
 * no target needs is never touched (if it would fail, the build does not).
 *
 * Work is shared by cache key, not only by vertex id: a vertex read by several consumers, and two
 * vertices that hash to one key, run once. At most `maxParallelism` `run` calls are in flight.
 * The first failure aborts the signal every running op holds, no new op starts, and the solve
 * rejects with that failure only once everything it started has settled — so the caller never
 * races leftover work (a temp dir removed under a still-running op, an unhandled rejection).
 */
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { ErrorCode, LadeError } from '../errors/index.js';
import { topologicalOrder, type Graph, type Vertex, type VertexId } from '../graph/index.js';
import type { CacheIndex } from './cache-index.js';
import type { CacheKey } from './cache-key.js';
import type { SolveEvent, VertexEvent, VertexState } from './events.js';
import { attributeFailure, messageOf } from './failure.js';
import { createLimiter } from './limiter.js';
import type { OpAdapter, OpContext, OpResult } from './op-adapter.js';
import { computeKeys } from './solve-keys.js';

export interface SolveOptions {
  graph: Graph;
  /** The vertices whose results the caller wants. */
  targets: readonly VertexId[];
  adapter: OpAdapter;
  /** Without an index nothing is looked up or stored: every needed vertex runs. */
  cache?: CacheIndex | undefined;
  /**
   * Results to look up after the index (an imported build cache): a hit there counts as a cache
   * hit, and is recorded in the index too. `adapter.usable` decides, as for the index's.
   */
  imported?: CacheSource | undefined;
  /** Told every needed vertex's cache key, once they are all known (before anything runs). */
  onKeys?: ((keys: ReadonlyMap<VertexId, CacheKey>) => void) | undefined;
  /** Told each result the solve obtains: run here, or found in the index or the imported cache. */
  onResult?: ((id: VertexId, key: CacheKey, result: OpResult, how: ResultSource) => void) | undefined;
  /** The most `run` calls (and, separately, `contentKey` calls) in flight at once; the CPU count by default. */
  maxParallelism?: number | undefined;
  /** `--no-cache`: look nothing up, but still store results so the next build can use them. */
  noCache?: boolean | undefined;
  /** Progress. A listener that throws fails the solve (as an internal error). */
  onEvent?: ((event: SolveEvent) => void) | undefined;
  /** Cancels the solve: running ops see their signal aborted and the solve rejects with BUILD_CANCELED. */
  signal?: AbortSignal | undefined;
}

/** A read-only cache of results by key (an imported build cache). */
export interface CacheSource {
  get(key: CacheKey): Promise<OpResult | undefined>;
}

/** Where a vertex's result came from. */
export type ResultSource = 'run' | 'cache' | 'imported';

const noop = (): void => undefined;

/** The needed vertices, inputs first; a malformed graph is the frontend's bug. */
function neededOrder(graph: Graph, targets: readonly VertexId[]): VertexId[] {
  try {
    return topologicalOrder(graph, targets);
  } catch (err) {
    throw new LadeError(ErrorCode.Internal, `invalid build graph: ${messageOf(err)}`, { cause: err });
  }
}

/**
 * Keys that must not be looked up: those of vertices marked ignoreCache (or all, with noCache),
 * and of everything that reads from one. A vertex that runs again may produce a different result,
 * and its readers' keys do not show that, so a reader found in the cache would be built on the old
 * result — and, solving top-down, would even keep the vertex from running at all.
 */
function forcedKeys(graph: Graph, order: readonly VertexId[], keys: Map<VertexId, CacheKey>, noCache: boolean): Set<CacheKey> {
  const forcedIds = new Set<VertexId>();
  for (const id of order) {
    const v = graph.vertices[id]!;
    if (noCache || v.meta.ignoreCache === true || v.inputs.some((i) => forcedIds.has(i))) forcedIds.add(id);
  }
  return new Set([...forcedIds].map((id) => keys.get(id)!));
}

export async function solve(options: SolveOptions): Promise<Map<VertexId, OpResult>> {
  const { graph, targets, adapter, cache } = options;
  const parallelism = options.maxParallelism ?? availableParallelism();
  const runLimiter = createLimiter(parallelism);
  const order = neededOrder(graph, targets);

  const controller = new AbortController();
  // Every running op and every queued one listens to this signal; many is expected, not a leak.
  setMaxListeners(0, controller.signal);
  let failure: { error: unknown } | undefined;
  /** Records the solve's failure (the first one wins) and stops everything else. */
  const fail = (error: unknown): void => {
    if (failure !== undefined) return;
    failure = { error };
    controller.abort(error);
  };
  const onCallerAbort = (): void => fail(new LadeError(ErrorCode.BuildCanceled, 'build canceled', { cause: options.signal?.reason }));
  if (options.signal?.aborted === true) onCallerAbort();
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const emit = (event: SolveEvent): void => {
    if (options.onEvent === undefined) return;
    try {
      options.onEvent(event);
    } catch (err) {
      fail(new LadeError(ErrorCode.Internal, `a progress listener threw: ${messageOf(err)}`, { cause: err }));
    }
  };
  const vertexEvent = (id: VertexId, vertex: Vertex, state: VertexState, error?: unknown): void => {
    const event: VertexEvent = { type: 'vertex', id, name: vertex.meta.name, state, time: Date.now() };
    if (error !== undefined) event.error = messageOf(error);
    emit(event);
  };

  /** Every resolution started; the solve settles only when all of them have. */
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    const forget = (): void => void pending.delete(p);
    p.then(forget, forget);
    return p;
  };
  const settle = async (): Promise<void> => {
    // Settling one resolution can start another (a miss resolving its inputs), hence the loop.
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  const throwIfStopped = (): void => {
    if (controller.signal.aborted) throw controller.signal.reason;
  };

  let keys: Map<VertexId, CacheKey>;
  try {
    keys = await computeKeys(graph, order, adapter, parallelism, controller.signal, (id, err) => {
      const vertex = graph.vertices[id]!;
      const error = attributeFailure(err, id, vertex);
      vertexEvent(id, vertex, 'error', error);
      return error;
    });
  } catch (err) {
    fail(err);
    options.signal?.removeEventListener('abort', onCallerAbort);
    throw failure!.error;
  }
  const forced = forcedKeys(graph, order, keys, options.noCache === true);
  options.onKeys?.(keys);

  async function run(id: VertexId, vertex: Vertex, key: CacheKey, inputs: OpResult[]): Promise<OpResult> {
    let release: (() => void) | undefined = await runLimiter.acquire(controller.signal);
    if (controller.signal.aborted) {
      // The slot was granted just before a failure: it must not start an op any more.
      release();
      throw controller.signal.reason;
    }
    const done = (): void => {
      release?.();
      release = undefined;
    };
    let running = true;
    const ctx: OpContext = {
      signal: controller.signal,
      log: (stream, data) => {
        if (running) emit({ type: 'log', id, stream, data, time: Date.now() });
      },
    };
    let result: OpResult;
    try {
      vertexEvent(id, vertex, 'started');
      // A synchronous throw from run() is a rejection like any other.
      result = await Promise.resolve().then(() => adapter.run(vertex, id, inputs, ctx));
      running = false;
      done();
      // A result that arrives after an abort is still good: keep it for the next build.
      if (cache !== undefined && adapter.cacheable(vertex)) await cache.put(key, result, { name: vertex.meta.name });
    } catch (err) {
      running = false;
      // Failing after the solve was stopped is (most likely) the op obeying its signal.
      const canceled = controller.signal.aborted;
      const error = attributeFailure(err, id, vertex);
      vertexEvent(id, vertex, canceled ? 'canceled' : 'error', error);
      // Abort before the slot is released: releasing hands it straight to a queued op.
      fail(error);
      done();
      throw error;
    }
    vertexEvent(id, vertex, 'done');
    options.onResult?.(id, key, result, 'run');
    return result;
  }

  /** The usable result the cache index (or else the imported cache) holds for `key`, if the vertex may be looked up at all. */
  async function lookup(vertex: Vertex, key: CacheKey): Promise<{ result: OpResult; how: ResultSource } | undefined> {
    if (forced.has(key) || !adapter.cacheable(vertex)) return undefined;
    const entry = await cache?.get(key);
    if (entry !== undefined && (await adapter.usable(entry.result))) return { result: entry.result, how: 'cache' };
    const imported = await options.imported?.get(key);
    if (imported === undefined || !(await adapter.usable(imported))) return undefined;
    // Kept, so that once its layers are here a build without the imported cache finds it too.
    await cache?.put(key, imported, { name: vertex.meta.name });
    return { result: imported, how: 'imported' };
  }

  /** The result for `key`, produced by vertex `id` (the first vertex with that key to be resolved). */
  async function resolveKey(id: VertexId, vertex: Vertex, key: CacheKey): Promise<OpResult> {
    throwIfStopped();
    let hit: { result: OpResult; how: ResultSource } | undefined;
    try {
      hit = await lookup(vertex, key);
    } catch (err) {
      const error = attributeFailure(err, id, vertex);
      vertexEvent(id, vertex, 'error', error);
      fail(error);
      throw error;
    }
    if (hit !== undefined) {
      // Reported with the steps below it, in build order, once the solve is done.
      hits.add(id);
      options.onResult?.(id, key, hit.result, hit.how);
      return hit.result;
    }
    throwIfStopped();
    const inputs = await Promise.all(vertex.inputs.map(resolve));
    return run(id, vertex, key, inputs);
  }

  const hits = new Set<VertexId>();
  const byKey = new Map<CacheKey, Promise<OpResult>>();
  const byId = new Map<VertexId, Promise<OpResult>>();

  function resolve(id: VertexId): Promise<OpResult> {
    let p = byId.get(id);
    if (p !== undefined) return p;
    const vertex = graph.vertices[id]!;
    const key = keys.get(id)!;
    const shared = byKey.get(key);
    if (shared === undefined) {
      p = track(resolveKey(id, vertex, key));
      byKey.set(key, p);
    } else {
      // Another vertex with this key is being (or was) resolved: its result is this one's.
      p = track(
        shared.then((result) => {
          vertexEvent(id, vertex, 'cached');
          options.onResult?.(id, key, result, 'cache');
          return result;
        }),
      );
    }
    // Consumers may stop listening once a sibling input has failed; the failure itself is
    // reported through fail(), so this promise's rejection is never unhandled.
    p.catch(noop);
    byId.set(id, p);
    return p;
  }

  let results: OpResult[] | undefined;
  try {
    results = await Promise.all(targets.map(resolve));
  } catch (err) {
    // Already recorded by whichever step failed (or the cancellation); fail() keeps the first.
    fail(err);
  }
  options.signal?.removeEventListener('abort', onCallerAbort);
  await settle();
  if (failure !== undefined || results === undefined) throw failure!.error;
  // What lies below a cache hit was never visited: its result is part of the hit. BuildKit lists
  // those steps as CACHED too, so a rebuild shows every step, not just the last one.
  for (const id of order) {
    if (hits.has(id) || !byId.has(id)) vertexEvent(id, graph.vertices[id]!, 'cached');
  }
  const out = new Map<VertexId, OpResult>();
  targets.forEach((t, i) => out.set(t, results[i]!));
  return out;
}
