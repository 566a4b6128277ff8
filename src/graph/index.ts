/** The build graph: plain data between the frontend and the solver. */
export type {
  ChownSpec,
  ContextOp,
  CopyAction,
  ExecOp,
  FileAction,
  FileOp,
  Graph,
  ImageOp,
  MkdirAction,
  MkfileAction,
  Op,
  OpKind,
  ScratchOp,
  Vertex,
  VertexId,
  VertexLocation,
  VertexMeta,
} from './types.js';
export { GRAPH_VERSION } from './types.js';
export { canonicalJson, idOf, sha256Of, vertexId } from './digest.js';
export { createGraphBuilder, topologicalOrder } from './builder.js';
export type { GraphBuilder } from './builder.js';
