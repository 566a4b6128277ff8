/**
 * The contract between the solver and the code that does the work (src/solver/ops). The solver
 * schedules and caches; an adapter binds each op kind to the snapshotter, executor and image
 * store, which the solver core never sees.
 */
import type { Vertex, VertexId } from '../graph/index.js';

/**
 * A vertex's output, opaque to the solver (e.g. `{snapshot, layers}`). It must survive
 * `JSON.stringify`/`JSON.parse` unchanged: cacheable results are stored in the cache index.
 */
export type OpResult = Record<string, unknown>;

export interface OpContext {
  /** Aborted when another vertex failed or the caller cancelled the solve. */
  signal: AbortSignal;
  /** The op's output, forwarded as `log` progress events while the op runs (dropped after). */
  log(stream: 1 | 2, data: Buffer): void;
}

export interface OpAdapter {
  /**
   * Key material the definition does not show: an image's config digest, the content key of the
   * context files a ContextOp selects. Called once per needed vertex per solve, before anything
   * runs (so it may be slow, and may throw a LadeError such as "image not found"). Undefined when
   * the definition says everything.
   */
  contentKey(vertex: Vertex, id: VertexId): Promise<string | undefined>;
  /** Runs the op on its inputs' results (in `vertex.inputs` order). */
  run(vertex: Vertex, id: VertexId, inputs: OpResult[], ctx: OpContext): Promise<OpResult>;
  /** Whether a result found in the cache index can still be used (its snapshot still exists). */
  usable(result: OpResult): Promise<boolean>;
  /**
   * Whether results of this op kind are stored in and looked up from the cache index. Sources
   * that are cheap to recompute from their content key (`image`, `context`, `scratch`) say false.
   */
  cacheable(vertex: Vertex): boolean;
}
