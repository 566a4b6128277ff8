/**
 * The solver core: cache keys, the cache index, the scheduler and its progress events. It knows
 * nothing of files, mounts or images; src/solver/ops binds op kinds to them through OpAdapter.
 */
export type { OpAdapter, OpContext, OpResult } from './op-adapter.js';
export { KEY_VERSION, cacheKey } from './cache-key.js';
export type { CacheKey } from './cache-key.js';
export { openCacheIndex } from './cache-index.js';
export type { CacheIndex } from './cache-index.js';
export type { CacheEntry } from './cache-entry.js';
export type { LogEvent, SolveEvent, VertexEvent, VertexState } from './events.js';
export { solve } from './solve.js';
export type { CacheSource, ResultSource, SolveOptions } from './solve.js';
export { failedVertexOf } from './failure.js';
export type { FailedVertex } from './failure.js';
