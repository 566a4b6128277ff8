/**
 * The dependency graph between stages, built as BuildKit's dispatch states are: every stage,
 * then every image named by `COPY --from` or `RUN --mount=from` that is not a stage, appended in
 * the order found. `COPY --from=<n>` indexes that whole list, so in BuildKit (and here) an index
 * past the last stage can name such an image; a mount without `from` counts as an image named
 * `scratch`.
 */
import { LadeError } from '../../errors/index.js';
import { locatedError, type InstructionLocation } from '../instructions/index.js';
import { goLower, goQuote } from '../gostrings/index.js';
import type { ShellLexer } from '../shell/index.js';
import { EnvList } from './env-list.js';
import { parseImageReference, ImageReferenceError, type ImageReference } from '../../reference/index.js';

/** Where content comes from: a stage, an image, or nothing. */
export type StageSource =
  | { kind: 'stage'; index: number }
  | { kind: 'image'; name: string; normalized: string }
  | { kind: 'scratch' };

type GraphState =
  | { kind: 'stage'; index: number }
  | { kind: 'external'; name: string; location: InstructionLocation; ref: ImageReference | ImageReferenceError | undefined };

interface Dependency {
  state: number;
  location: InstructionLocation;
}

const NO_ENV = EnvList.empty();
const GO_INT = /^[+-]?[0-9]+$/;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

export class StageGraph {
  private readonly states: GraphState[] = [];
  private readonly byName = new Map<string, number>();
  private readonly deps = new Map<number, Dependency[]>();

  constructor(
    private readonly stageNames: readonly (string | undefined)[],
    private readonly lexer: ShellLexer,
  ) {
    stageNames.forEach((name, index) => {
      this.states.push({ kind: 'stage', index });
      if (name !== undefined) this.byName.set(goLower(name), index);
    });
  }

  /** A stage by name, case-insensitively. */
  findStage(name: string): number | undefined {
    return this.byName.get(goLower(name));
  }

  /** BuildKit's stageName: the name, `stage-N`, or "" when the graph holds a single state. */
  displayName(stage: number): string {
    if (this.states.length === 1) return '';
    return this.stageNames[stage] ?? `stage-${stage}`;
  }

  private external(name: string, location: InstructionLocation): number {
    let ref: ImageReference | ImageReferenceError | undefined;
    if (name !== 'scratch') {
      try {
        ref = parseImageReference(name);
      } catch (err) {
        if (!(err instanceof ImageReferenceError)) throw err;
        ref = err;
      }
    }
    this.states.push({ kind: 'external', name, location, ref });
    return this.states.length - 1;
  }

  private sourceOf(state: number): StageSource {
    const s = this.states[state]!;
    if (s.kind === 'stage') return { kind: 'stage', index: s.index };
    if (s.ref === undefined) return { kind: 'scratch' };
    return { kind: 'image', name: s.name, normalized: s.ref instanceof ImageReferenceError ? '' : s.ref.normalized };
  }

  private depend(stage: number, state: number, location: InstructionLocation): void {
    const list = this.deps.get(stage) ?? [];
    list.push({ state, location });
    this.deps.set(stage, list);
  }

  /** `COPY --from=x` in `stage`: a stage by index or name, else an image. */
  copyFrom(stage: number, from: string, location: InstructionLocation): StageSource {
    let expanded: string;
    try {
      expanded = this.lexer.processWordWithMatches(from, NO_ENV).result;
    } catch (err) {
      if (err instanceof LadeError) throw err.withLocation({ ...location });
      throw err;
    }
    if (expanded !== from) {
      throw locatedError(
        'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround',
        location,
        'For example: ARG SRC=alpine (before the first FROM), FROM ${SRC} AS src, then COPY --from=src.',
      );
    }
    let state: number | undefined;
    if (GO_INT.test(from) && BigInt(from) >= INT64_MIN && BigInt(from) <= INT64_MAX) {
      const index = BigInt(from);
      if (index < 0n || index >= BigInt(this.states.length)) {
        throw locatedError(`invalid stage index ${index}`, location, this.indexHint());
      }
      state = Number(index);
    } else {
      state = this.findStage(from) ?? this.external(from, location);
    }
    this.depend(stage, state, location);
    return this.sourceOf(state);
  }

  /** `RUN --mount=from=x` in `stage` (by name only); null for a mount without `from`. */
  mountFrom(stage: number, from: string, location: InstructionLocation): StageSource | null {
    const name = from === '' ? 'scratch' : from;
    const state = this.findStage(name) ?? this.external(name, location);
    this.depend(stage, state, location);
    if (from === '' && this.states[state]!.kind === 'external') return null;
    return this.sourceOf(state);
  }

  private indexHint(): string {
    const count = this.stageNames.length;
    return `This Dockerfile has ${count} stage${count === 1 ? '' : 's'}, numbered from 0.`;
  }

  /** The stages `stage` depends on through its commands, in order. */
  stageDependencies(stage: number): number[] {
    const out: number[] = [];
    for (const dep of this.deps.get(stage) ?? []) {
      const s = this.states[dep.state]!;
      if (s.kind === 'stage' && !out.includes(s.index)) out.push(s.index);
    }
    return out;
  }

  /** BuildKit's validateCircularDependency, over every stage, reachable or not. */
  checkCycles(): void {
    const visited = new Set<number>();
    const onPath = new Set<number>();
    const visit = (stage: number, path: InstructionLocation[]): InstructionLocation[] | undefined => {
      if (visited.has(stage)) return undefined;
      visited.add(stage);
      onPath.add(stage);
      for (const dep of this.deps.get(stage) ?? []) {
        const s = this.states[dep.state]!;
        if (s.kind !== 'stage') continue;
        const next = [...path, dep.location];
        if (onPath.has(s.index)) return next;
        const cycle = visit(s.index, next);
        if (cycle !== undefined) return cycle;
      }
      onPath.delete(stage);
      return undefined;
    };
    for (let stage = 0; stage < this.stageNames.length; stage++) {
      const cycle = visit(stage, []);
      if (cycle !== undefined) {
        const more = cycle.slice(1).map((l) => `line ${l.line}`);
        throw locatedError(
          `circular dependency detected on stage: ${this.displayName(stage)}`,
          cycle[0]!,
          more.length === 0 ? 'A stage cannot copy or mount from itself.' : `The cycle continues at ${more.join(', ')}.`,
        );
      }
    }
  }

  /** The invalid image references among the images found by `--from` (checked for every stage). */
  checkExternalReferences(): void {
    for (const s of this.states) {
      if (s.kind === 'external' && s.ref instanceof ImageReferenceError) {
        throw locatedError(`failed to parse stage name ${goQuote(s.name)}: ${s.ref.message}`, s.location);
      }
    }
  }

  /** The stages needed to build `target`: itself, its base stages and its sources, recursively. */
  reachable(target: number, baseStage: (stage: number) => number | undefined): Set<number> {
    const seen = new Set<number>();
    const walk = (stage: number) => {
      if (seen.has(stage)) return;
      seen.add(stage);
      const base = baseStage(stage);
      if (base !== undefined) walk(base);
      for (const dep of this.stageDependencies(stage)) walk(dep);
    };
    walk(target);
    return seen;
  }
}
