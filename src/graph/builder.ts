/**
 * Assembles a graph: adding an op returns its id, and adding the same op on the same inputs
 * again returns the same id (the first meta wins, as the first occurrence is the one a user
 * reads about in progress).
 */
import { vertexId } from './digest.js';
import { GRAPH_VERSION, type Graph, type Op, type VertexId, type VertexMeta } from './types.js';

export interface GraphBuilder {
  add(op: Op, inputs: readonly VertexId[], meta: VertexMeta): VertexId;
  /** Marks a vertex (already added) to bypass the cache. */
  ignoreCache(id: VertexId): void;
  graph(): Graph;
}

export function createGraphBuilder(): GraphBuilder {
  const vertices: Graph['vertices'] = {};
  return {
    add(op, inputs, meta) {
      const id = vertexId(op, inputs);
      if (!Object.hasOwn(vertices, id)) vertices[id] = { op, inputs: [...inputs], meta: { ...meta } };
      return id;
    },
    ignoreCache(id) {
      const v = vertices[id];
      if (v !== undefined) v.meta.ignoreCache = true;
    },
    graph: () => ({ version: GRAPH_VERSION, vertices }),
  };
}

/** The vertices `targets` need, inputs before the vertices that read them. */
export function topologicalOrder(graph: Graph, targets: readonly VertexId[]): VertexId[] {
  const order: VertexId[] = [];
  const state = new Map<VertexId, 'visiting' | 'done'>();
  const visit = (id: VertexId): void => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`build graph has a cycle through ${id}`);
    const v = graph.vertices[id];
    if (v === undefined) throw new Error(`build graph has no vertex ${id}`);
    state.set(id, 'visiting');
    for (const input of v.inputs) visit(input);
    state.set(id, 'done');
    order.push(id);
  };
  for (const t of targets) visit(t);
  return order;
}
