/**
 * The build graph: the only contract between the frontend and the solver (BuildKit's LLB).
 * Plain, JSON-serialisable data. A vertex is an op plus the vertices it reads from, named by
 * `VertexId`: the sha256 of the canonical JSON of exactly its semantic fields (`op` and
 * `inputs`), so identical steps anywhere in a build are one vertex. `meta` is for people
 * (progress names, Dockerfile locations) and for cache policy; it never changes an id.
 */

/** `sha256:<hex>` of a vertex's canonical definition. */
export type VertexId = string;

export const GRAPH_VERSION = 1;

export interface Graph {
  version: typeof GRAPH_VERSION;
  vertices: Record<VertexId, Vertex>;
}

export interface VertexLocation {
  file: string;
  line: number;
  endLine: number;
}

export interface VertexMeta {
  /** The progress line: `[stage 2/5] RUN make`, `[internal] load build context`. */
  name: string;
  location?: VertexLocation;
  /** `--no-cache`/`--no-cache-filter`: run even when the cache has a result. */
  ignoreCache?: boolean;
  /** The stage's display name, for `--no-cache-filter` and progress. */
  stage?: string;
}

export interface Vertex {
  op: Op;
  /** Input vertices; an op refers to them by index. */
  inputs: VertexId[];
  meta: VertexMeta;
}

/** An empty root filesystem (`FROM scratch`, the parent of a first layer). */
export interface ScratchOp {
  kind: 'scratch';
}

/** An image's root filesystem. */
export interface ImageOp {
  kind: 'image';
  /** The normalised reference (`docker.io/library/busybox:latest`, or `name@sha256:…`). */
  ref: string;
  /** `linux/amd64`. */
  platform: string;
}

/**
 * Files of the build context. `include` lists the source patterns the reading op selects, so a
 * change to a file no pattern selects leaves this vertex (and its readers) cached.
 */
export interface ContextOp {
  kind: 'context';
  /** The context's name: `context` for the build context. */
  name: string;
  include: string[];
}

export interface ExecOp {
  kind: 'exec';
  /** inputs[0] is the root filesystem; its result plus this op's changes is the output. */
  args: string[];
  env: string[];
  cwd: string;
  /** `USER` as written after expansion (`alice`, `1000:50`); "" for root. */
  user: string;
  network: 'default' | 'none' | 'host';
}

/** `--chown` as written after expansion; names are resolved in the destination's /etc/passwd and /etc/group. */
export interface ChownSpec {
  user: string;
  group?: string;
}

export interface CopyAction {
  action: 'copy';
  /** The input the files come from (an index into `inputs`). */
  src: number;
  /** Absolute path in that input; may hold wildcards when `allowWildcard`. */
  srcPath: string;
  /** Absolute path in the output; a trailing `/` makes it a directory. */
  dest: string;
  followSymlinks: boolean;
  dirCopyContents: boolean;
  attemptUnpack: boolean;
  createDestPath: boolean;
  allowWildcard: boolean;
  allowEmptyWildcard: boolean;
  chown?: ChownSpec;
  mode?: number;
}

export interface MkdirAction {
  action: 'mkdir';
  path: string;
  mode: number;
  makeParents: boolean;
  chown?: ChownSpec;
}

export interface MkfileAction {
  action: 'mkfile';
  path: string;
  data: string;
  mode: number;
  chown?: ChownSpec;
}

export type FileAction = CopyAction | MkdirAction | MkfileAction;

/** Changes to inputs[0]'s tree, applied in order; the result is one layer. */
export interface FileOp {
  kind: 'file';
  actions: FileAction[];
}

export type Op = ScratchOp | ImageOp | ContextOp | ExecOp | FileOp;
export type OpKind = Op['kind'];
