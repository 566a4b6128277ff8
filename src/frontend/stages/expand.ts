/**
 * Per-stage expansion, as BuildKit's dispatch does it: the stage's commands in order, keeping
 * the ARG and ENV state, each instruction's expandable words expanded with the environment as
 * it stands before that instruction.
 *
 * What is expanded (with the Dockerfile's escape token): ENV and LABEL keys and values; ADD and
 * COPY sources, destination, --chown, --chmod and ADD --checksum; WORKDIR; USER; VOLUME;
 * STOPSIGNAL; EXPOSE (split into words); RUN --mount values; ARG defaults. Heredoc bodies of
 * COPY/ADD with an unquoted delimiter are expanded with `\` as escape and quotes left alone.
 * Not expanded: RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK command lines (the shell does that),
 * COPY --from, --exclude, ONBUILD, MAINTAINER.
 *
 * The environment is one ordered list for ENV and ARG values: whichever was set last wins, so an
 * ARG declared after an ENV of the same name overrides it for the build (not in the image).
 */
import { LadeError } from '../../errors/index.js';
import { locatedError, parseMount, type Command, type KeyValuePair, type RunMount } from '../instructions/index.js';
import { goQuote } from '../gostrings/index.js';
import { createShellLexer, type ShellLexer } from '../shell/index.js';
import { NON_ENV_ARGS } from './build-args.js';
import { EnvList, withImageEnv } from './env-list.js';
import type { StageSource } from './graph.js';
import type { ResolvedBuild, ResolvedStage, StageCommand } from './resolve.js';

/** The default PATH BuildKit gives Linux images without one. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface DeclaredArg {
  key: string;
  /** Undefined for an ARG without default, build arg or global value. */
  value?: string;
}

/** What a stage starts from, and what it ends with (for stages built on it). */
export interface StageState {
  /** The build-time environment, `NAME=value`: ENV and ARG values in BuildKit's order. */
  env: string[];
  /** The image config's Env. */
  imageEnv: string[];
  /** The ARGs declared so far (inherited from a base stage too). */
  args: DeclaredArg[];
}

export interface ExpandedCommand {
  /** The instruction with its expandable fields expanded. */
  instruction: Command;
  /** The instruction as written (ARG's history entry shows the declaration, not the value used). */
  written: Command;
  onbuild: boolean;
  /** The build-time environment before this instruction: a RUN's process environment, proxy variables aside. */
  env: string[];
  /** The ARGs declared before this instruction (a RUN records them in its history entry). */
  args: DeclaredArg[];
  copyFrom?: StageSource;
  /** RUN: every --mount, parsed after expansion. */
  mounts?: RunMount[];
  mountSources?: (StageSource | null)[];
}

export interface ExpandedStage {
  index: number;
  commands: ExpandedCommand[];
  final: StageState;
}

/** The starting state of a stage built on an image (or scratch, for `imageEnv` undefined). */
export function initialStageState(imageEnv?: readonly string[]): StageState {
  const env = [...(imageEnv ?? [])];
  if (EnvList.fromList(env).get('PATH') === undefined) env.push(`PATH=${DEFAULT_PATH}`);
  return { env: [], imageEnv: env, args: [] };
}

class StageExpander {
  private env: EnvList;
  private imageEnv: string[];
  private readonly args: DeclaredArg[];
  private readonly lexer: ShellLexer;
  private readonly rawLexer = createShellLexer({ escapeToken: '\\', skipProcessQuotes: true });
  private readonly globals: EnvList;

  constructor(
    private readonly build: ResolvedBuild,
    private readonly stage: ResolvedStage,
    base: StageState,
  ) {
    this.lexer = createShellLexer({ escapeToken: build.escapeToken });
    this.globals = EnvList.fromList(build.globalArgs);
    // BuildKit re-applies the image's Env on top of the inherited build environment.
    let env = EnvList.fromList(base.env);
    for (const entry of EnvList.fromList(base.imageEnv).toList()) {
      const eq = entry.indexOf('=');
      env = env.with(entry.slice(0, eq), entry.slice(eq + 1));
    }
    this.env = env;
    this.imageEnv = [...base.imageEnv];
    this.args = base.args.map((a) => ({ ...a }));
  }

  private word(w: string): string {
    return this.lexer.processWord(w, this.env);
  }

  private pairs(pairs: readonly KeyValuePair[]): KeyValuePair[] {
    return pairs.map((p) => ({ key: this.word(p.key), value: this.word(p.value), noDelim: p.noDelim }));
  }

  private buildArg(key: string): string | undefined {
    return Object.hasOwn(this.build.buildArgs, key) ? this.build.buildArgs[key] : undefined;
  }

  private checkDefinedBefore(source: StageSource | null | undefined, message: string, location: Command['location']): void {
    if (source?.kind === 'stage' && source.index > this.stage.index) throw locatedError(message, location);
  }

  expand(command: StageCommand): ExpandedCommand {
    const before = { env: this.env.toList(), args: this.args.map((a) => ({ ...a })) };
    const out: ExpandedCommand = { instruction: command.instruction, written: command.instruction, onbuild: command.onbuild, ...before };
    const c = command.instruction;
    switch (c.kind) {
      case 'arg': {
        const args = c.args.map((decl) => {
          let value = decl.value;
          const given = this.buildArg(decl.key);
          if (value === undefined && given === undefined) value = this.globals.get(decl.key);
          if (given !== undefined) value = given;
          else if (decl.value !== undefined) value = this.word(decl.value);
          if (value !== undefined && !NON_ENV_ARGS.has(decl.key)) this.env = this.env.with(decl.key, value);
          const declared: DeclaredArg = value === undefined ? { key: decl.key } : { key: decl.key, value };
          this.args.push(declared);
          return declared;
        });
        out.instruction = { ...c, args };
        break;
      }
      case 'env': {
        const pairs = this.pairs(c.pairs);
        for (const p of pairs) {
          this.env = this.env.with(p.key, p.value);
          this.imageEnv = withImageEnv(this.imageEnv, p.key, p.value);
        }
        out.instruction = { ...c, pairs };
        break;
      }
      case 'label':
        out.instruction = { ...c, pairs: this.pairs(c.pairs) };
        break;
      case 'add':
      case 'copy': {
        const common = {
          chown: this.word(c.chown),
          chmod: this.word(c.chmod),
          sources: c.sources.map((s) => this.word(s)),
          dest: this.word(c.dest),
        };
        const contents = c.contents.map((content) =>
          content.expand ? { ...content, data: this.rawLexer.processWord(content.data, this.env) } : { ...content },
        );
        if (c.kind === 'add') {
          out.instruction = { ...c, ...common, checksum: this.word(c.checksum), contents };
        } else {
          out.instruction = { ...c, ...common, contents };
          if (command.copyFrom !== undefined) {
            out.copyFrom = command.copyFrom;
            const current = goQuote(this.stage.displayName);
            this.checkDefinedBefore(
              command.copyFrom,
              `cannot copy from stage ${goQuote(c.from)}, it needs to be defined before current stage ${current}`,
              c.location,
            );
          }
        }
        break;
      }
      case 'workdir':
        out.instruction = { ...c, path: this.word(c.path) };
        break;
      case 'user':
        out.instruction = { ...c, user: this.word(c.user) };
        break;
      case 'volume':
        out.instruction = { ...c, volumes: c.volumes.map((v) => this.word(v)) };
        break;
      case 'stopsignal':
        out.instruction = { ...c, signal: this.word(c.signal) };
        break;
      case 'expose':
        out.instruction = { ...c, ports: c.ports.flatMap((p) => this.lexer.processWords(p, this.env)) };
        break;
      case 'run': {
        const mounts = c.mounts.map((spec) => parseMount(spec, (w) => this.word(w)));
        const sources = command.mountSources ?? [];
        mounts.forEach((m, i) => {
          if (m.from === '' && m.type !== 'cache') return;
          const from = goQuote(m.from === '' ? 'scratch' : m.from);
          this.checkDefinedBefore(
            sources[i],
            `cannot mount from stage ${from} to ${goQuote(m.target)}, stage needs to be defined before current command`,
            c.location,
          );
        });
        out.mounts = mounts;
        out.mountSources = [...sources];
        break;
      }
      default:
        break;
    }
    return out;
  }

  final(): StageState {
    return { env: this.env.toList(), imageEnv: [...this.imageEnv], args: this.args.map((a) => ({ ...a })) };
  }
}

/**
 * Expands one stage's commands (inherited ONBUILD triggers first). `base` is
 * initialStageState(image Env) for a stage built on an image or scratch, or the `final` state
 * of the base stage's expansion.
 */
export function expandStage(build: ResolvedBuild, stageIndex: number, base: StageState): ExpandedStage {
  const stage = build.stages[stageIndex];
  if (stage === undefined) throw new RangeError(`no stage ${stageIndex}`);
  const expander = new StageExpander(build, stage, base);
  const commands = stage.commands.map((command) => {
    try {
      return expander.expand(command);
    } catch (err) {
      if (err instanceof LadeError) throw err.withLocation({ ...command.instruction.location });
      throw err;
    }
  });
  return { index: stageIndex, commands, final: expander.final() };
}

/**
 * Expands every reachable stage, in order, chaining stages built on stages. `imageEnv` gives
 * the Env of a stage's base image (undefined: none, as for scratch).
 */
export function expandReachableStages(
  build: ResolvedBuild,
  imageEnv: (stage: ResolvedStage) => readonly string[] | undefined = () => undefined,
): ExpandedStage[] {
  const done = new Map<number, ExpandedStage>();
  for (const index of build.reachable) {
    const stage = build.stages[index]!;
    const base =
      stage.base.kind === 'stage'
        ? done.get(stage.base.index)!.final
        : initialStageState(stage.base.kind === 'image' ? imageEnv(stage) : undefined);
    done.set(index, expandStage(build, index, base));
  }
  return build.reachable.map((i) => done.get(i)!);
}
