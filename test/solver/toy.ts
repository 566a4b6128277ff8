/**
 * A toy OpAdapter for scheduler tests: ops do no work but count their runs, record when they
 * start and end, and can be held, failed or made to honour their abort signal on command — so
 * tests synchronise on promises they control, never on time.
 */
import type { ExecOp, Graph, Op, Vertex, VertexId, VertexMeta } from '../../src/graph/index.js';
import { GRAPH_VERSION } from '../../src/graph/index.js';
import type { OpAdapter, OpResult } from '../../src/solver/index.js';

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export function exec(label: string): ExecOp {
  return { kind: 'exec', args: [label], env: [], cwd: '/', user: '', network: 'default' };
}

/** The label a toy op answers to: an exec's first argument, an image's ref, a context's name. */
export function labelOf(op: Op): string {
  switch (op.kind) {
    case 'exec':
      return op.args[0] ?? '';
    case 'image':
      return op.ref;
    case 'context':
      return op.name;
    case 'scratch':
      return 'scratch';
    case 'file':
      return op.actions.map((a) => (a.action === 'mkfile' ? a.path : a.action)).join('+');
  }
}

/** Builds a graph by hand, so tests can use readable ids (and give two vertices one key). */
export function graphOf(vertices: Record<VertexId, { op: Op; inputs?: VertexId[]; meta?: Partial<VertexMeta> }>): Graph {
  const out: Graph = { version: GRAPH_VERSION, vertices: {} };
  for (const [id, v] of Object.entries(vertices)) {
    out.vertices[id] = { op: v.op, inputs: v.inputs ?? [], meta: { name: id, ...v.meta } };
  }
  return out;
}

export interface Toy {
  adapter: OpAdapter;
  /** Labels in the order their runs started. */
  runs: string[];
  /** `start:<label>` and `end:<label>` in the order they happened. */
  timeline: string[];
  /** Labels whose contentKey was asked for, in call order. */
  contentKeyCalls: string[];
  /** The most runs in flight at once. */
  maxActive: number;
  /** Content keys by label (undefined when absent). */
  content: Map<string, string>;
  /** A held op does not finish until its gate settles (rejecting fails the op). */
  gates: Map<string, Deferred>;
  /** Ops that fail at once with this error. */
  failures: Map<string, unknown>;
  /** contentKey fails for these labels. */
  contentKeyFailures: Map<string, unknown>;
  /** Cached results with these labels are reported unusable. */
  unusable: Set<string>;
  /** Log lines an op writes (stream 1) before finishing. */
  logs: Map<string, string>;
  /** Labels whose ctx.signal was aborted while they were held. */
  sawAbort: string[];
  /** Held ops that keep waiting for their gate when their signal is aborted. */
  ignoreAbort: Set<string>;
  /** Resolves when the held op with this label has seen its signal aborted. */
  abortSeen(label: string): Promise<void>;
  /** Resolves when the op with this label has started. */
  started(label: string): Promise<void>;
  count(label: string): number;
}

export function createToy(): Toy {
  const starts = new Map<string, Deferred>();
  const startOf = (label: string): Deferred => {
    let d = starts.get(label);
    if (d === undefined) starts.set(label, (d = deferred()));
    return d;
  };
  const aborts = new Map<string, Deferred>();
  const abortOf = (label: string): Deferred => {
    let d = aborts.get(label);
    if (d === undefined) aborts.set(label, (d = deferred()));
    return d;
  };
  let active = 0;
  const toy: Toy = {
    runs: [],
    timeline: [],
    contentKeyCalls: [],
    maxActive: 0,
    content: new Map(),
    gates: new Map(),
    failures: new Map(),
    contentKeyFailures: new Map(),
    unusable: new Set(),
    logs: new Map(),
    sawAbort: [],
    ignoreAbort: new Set(),
    abortSeen: (label) => abortOf(label).promise,
    started: (label) => startOf(label).promise,
    count: (label) => toy.runs.filter((r) => r === label).length,
    adapter: {
      async contentKey(vertex: Vertex, _id: VertexId) {
        const label = labelOf(vertex.op);
        toy.contentKeyCalls.push(label);
        if (toy.contentKeyFailures.has(label)) throw toy.contentKeyFailures.get(label);
        return toy.content.get(label);
      },
      async run(vertex, _id, inputs, ctx) {
        const label = labelOf(vertex.op);
        toy.runs.push(label);
        toy.timeline.push(`start:${label}`);
        active++;
        toy.maxActive = Math.max(toy.maxActive, active);
        startOf(label).resolve();
        try {
          if (toy.failures.has(label)) throw toy.failures.get(label);
          const gate = toy.gates.get(label);
          if (gate !== undefined) {
            // A held op honours its signal, as real ops must (unless told to ignore it).
            let onAbort = (): void => undefined;
            const aborted = new Promise<never>((_, reject) => {
              onAbort = () => {
                toy.sawAbort.push(label);
                abortOf(label).resolve();
                if (!toy.ignoreAbort.has(label)) reject(new Error(`${label} aborted`));
              };
            });
            aborted.catch(() => undefined);
            if (ctx.signal.aborted) onAbort();
            else ctx.signal.addEventListener('abort', onAbort, { once: true });
            try {
              await Promise.race([gate.promise, aborted]);
            } finally {
              ctx.signal.removeEventListener('abort', onAbort);
            }
          }
          const log = toy.logs.get(label);
          if (log !== undefined) ctx.log(1, Buffer.from(log));
          const value = inputs.length === 0 ? label : `${label}(${inputs.map((i) => String(i['value'])).join(',')})`;
          return { label, value } satisfies OpResult;
        } finally {
          active--;
          toy.timeline.push(`end:${label}`);
        }
      },
      async usable(result) {
        return !toy.unusable.has(String(result['label']));
      },
      cacheable: (vertex) => vertex.op.kind === 'exec' || vertex.op.kind === 'file',
    },
  };
  return toy;
}

