/**
 * Progress events, modelled on BuildKit's SolveStatus: vertex state changes and the ops' output.
 * Times are wall-clock ms since the epoch (Date.now()), as BuildKit stamps its vertices.
 *
 * Per visited vertex the states are: `cached` alone (a cache hit, or a vertex whose key was
 * already being resolved under another id), or `started` then one of `done`, `error`,
 * `canceled` (aborted because another vertex failed or the solve was cancelled). A vertex
 * whose content key cannot be computed gets `error` without `started`. Vertices the solve never
 * needed to visit (inputs of a cache hit) get no event at all.
 */
import type { VertexId } from '../graph/index.js';

export type VertexState = 'started' | 'cached' | 'done' | 'error' | 'canceled';

export interface VertexEvent {
  type: 'vertex';
  id: VertexId;
  /** The vertex's `meta.name`. */
  name: string;
  state: VertexState;
  time: number;
  /** The failure's message, with state `error`. */
  error?: string;
}

export interface LogEvent {
  type: 'log';
  id: VertexId;
  stream: 1 | 2;
  data: Buffer;
  time: number;
}

export type SolveEvent = VertexEvent | LogEvent;
