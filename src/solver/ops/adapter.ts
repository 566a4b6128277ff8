/** The build's OpAdapter: each op kind bound to the snapshotter, executor and stores. */
import type { Vertex, VertexId } from '../../graph/index.js';
import type { OpAdapter, OpContext, OpResult } from '../op-adapter.js';
import type { BuildDeps } from './deps.js';
import { runExec } from './exec.js';
import { runFile } from './file.js';
import { asRootfs, EMPTY_ROOTFS, resultUsable, toOpResult, type BuildResult } from './results.js';
import { contextKey, imageKey, runContext, runImage } from './sources.js';

export function createBuildAdapter(deps: BuildDeps): OpAdapter {
  return {
    async contentKey(vertex: Vertex): Promise<string | undefined> {
      switch (vertex.op.kind) {
        case 'image':
          return imageKey(deps, vertex.op);
        case 'context':
          return contextKey(deps, vertex.op);
        default:
          return undefined;
      }
    },
    async run(vertex: Vertex, _id: VertexId, inputs: OpResult[], ctx: OpContext): Promise<OpResult> {
      const op = vertex.op;
      switch (op.kind) {
        case 'scratch':
          return toOpResult(EMPTY_ROOTFS);
        case 'image':
          return toOpResult(await runImage(deps, op));
        case 'context':
          return toOpResult(await runContext(deps));
        case 'exec':
          return toOpResult(await runExec(deps, op, asRootfs(inputs[0], 'RUN'), ctx));
        case 'file':
          return toOpResult(await runFile(deps, op, inputs, ctx, deps.noCache === true || vertex.meta.ignoreCache === true));
      }
    },
    async usable(result: OpResult): Promise<boolean> {
      return resultUsable(deps.images, deps.snapshotter, result as unknown as BuildResult, deps.cacheLayers);
    },
    cacheable(vertex: Vertex): boolean {
      return vertex.op.kind === 'exec' || vertex.op.kind === 'file';
    },
  };
}
