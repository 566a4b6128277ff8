/** What converting one stage carries from instruction to instruction (BuildKit's dispatchState). */
import type { GraphBuilder, VertexId } from '../../graph/index.js';
import type { ProxyEnv } from '../stages/index.js';
import type { BuildImage } from './image-config.js';

export interface StageState {
  index: number;
  /** BuildKit's stage name for progress: the name, `stage-N`, or "" in a one-stage build. */
  displayName: string;
  /** The root filesystem so far; undefined for scratch before any change. */
  vertex: VertexId | undefined;
  image: BuildImage;
  /** CMD was given in this stage (an ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  cmdIndex: number;
  cmdTotal: number;
  ignoreCache: boolean;
  /** How many history entries come from the base image at the root of the stage chain (not made by this build). */
  baseHistory: number;
}

export interface ConvertContext {
  graph: GraphBuilder;
  file: string;
  platform: string;
  proxy: ProxyEnv | undefined;
  /** The final state of every stage converted so far, by index. */
  stages: Map<number, StageState>;
  /** Vertex of an image used by COPY --from (not a stage). */
  imageVertex(ref: string): VertexId;
  scratchVertex(): VertexId;
}

/** BuildKit's prefixCommand: `[name i/N] ` with the index padded to the width of N. */
export function stepName(state: StageState, text: string): string {
  if (state.cmdTotal === 0) return text;
  state.cmdIndex++;
  const width = String(state.cmdTotal).length;
  const prefix = state.displayName === '' ? '' : `${state.displayName} `;
  return `[${prefix}${String(state.cmdIndex).padStart(width, ' ')}/${state.cmdTotal}] ${text}`;
}
