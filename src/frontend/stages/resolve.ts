/**
 * Build resolution, BuildKit's toDispatchState up to (not including) dispatch: the global ARG
 * scope, each stage's base (expanded FROM line: image, earlier stage or scratch) and platform,
 * the target, the graph of COPY --from / RUN --mount=from dependencies, the stages reachable
 * from the target, and the ONBUILD triggers those stages inherit.
 *
 * Checks BuildKit applies to every stage, reachable or not (so they apply here too): instruction
 * parsing, FROM expansion and platform parsing, `--from` expansion and stage indexes, circular
 * dependencies, and the syntax of every image reference. Everything else (ARG and ENV
 * expansion, mount specs, ONBUILD triggers) concerns reachable stages only.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import {
  locatedError,
  parseMount,
  suggest,
  withSuggestion,
  type Command,
  type FromInstruction,
  type InstructionLocation,
} from '../instructions/index.js';
import { goQuote } from '../gostrings/index.js';
import { createShellLexer, type ShellLexer } from '../shell/index.js';
import {
  buildMetaArgs,
  defaultArgs,
  isPredefinedArg,
  proxyFromBuildArgs,
  toBuildArgs,
  type BuildArgs,
  type ProxyEnv,
  type ResolvedArg,
} from './build-args.js';
import type { DockerfileDocument, Stage } from './document.js';
import type { EnvList } from './env-list.js';
import { StageGraph, type StageSource } from './graph.js';
import { parseImageReference, ImageReferenceError } from '../../reference/index.js';
import { relocateToFrom, parseOnbuildTriggers } from './onbuild-triggers.js';
import { LINUX_AMD64, parsePlatform, PlatformError, type Platform } from './platform.js';

export interface ResolveOptions {
  /** `--build-arg` values. */
  buildArgs?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** `--target`: a stage name; the last stage when absent or "". */
  target?: string;
  /** Defaults to linux/amd64. */
  targetPlatform?: Platform;
  /** Defaults to the target platform. */
  buildPlatform?: Platform;
  /**
   * The `OnBuild` triggers of the base images, by stage index. Base images are resolved after a
   * first call (only reachable ones matter); calling again with their triggers may make more
   * stages reachable, as in BuildKit's loop.
   */
  baseImageTriggers?: ReadonlyMap<number, readonly string[]>;
}

export interface StageCommand {
  instruction: Command;
  /** A trigger inherited through ONBUILD; these run before the stage's own commands. */
  onbuild: boolean;
  /** COPY --from: where to copy from. */
  copyFrom?: StageSource;
  /**
   * RUN: per --mount, in order, its `from`; null for a mount without one (the build context for
   * a bind mount, an empty directory for a cache mount).
   */
  mountSources?: (StageSource | null)[];
}

export interface ResolvedStage {
  index: number;
  name?: string;
  /** BuildKit's name in messages: the stage name, `stage-N`, or "" in a one-stage build. */
  displayName: string;
  from: FromInstruction;
  /** The FROM base after expansion with the global ARGs. */
  baseName: string;
  base: StageSource;
  /** The effective platform: a base stage's, else `--platform`, else the target platform. */
  platform: Platform;
  /** `--platform`, expanded and parsed. */
  platformFlag?: Platform;
  commands: StageCommand[];
  reachable: boolean;
}

export interface BuildWarning {
  rule: string;
  message: string;
  url: string;
  location: InstructionLocation;
}

export interface ResolvedBuild {
  file: string;
  escapeToken: '\\' | '`';
  targetPlatform: Platform;
  buildPlatform: Platform;
  /** The build args as given. */
  buildArgs: Record<string, string>;
  /** The global ARG scope (`NAME=value`): predefined ARGs, then the global ARGs that have a value. */
  globalArgs: string[];
  metaArgs: ResolvedArg[];
  stages: ResolvedStage[];
  /** The target stage's index. */
  target: number;
  /** The stages to build, in order (the target last among its dependencies). */
  reachable: number[];
  /**
   * Build args no ARG declares (globally or in a reachable stage), predefined ones excepted.
   * BuildKit says nothing about them; Docker's classic builder warned that they "were not consumed".
   */
  unusedBuildArgs: string[];
  /** Proxy settings from the build args, given to every RUN without being declared. */
  proxy?: ProxyEnv;
  warnings: BuildWarning[];
}

function located<T>(location: InstructionLocation, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof LadeError) throw err.withLocation({ ...location });
    throw err;
  }
}

function reservedNameWarnings(doc: DockerfileDocument): BuildWarning[] {
  const warnings: BuildWarning[] = [];
  const seen = new Map<string, Stage>();
  for (const stage of doc.stages) {
    if (stage.name === undefined) continue;
    if (stage.name === 'scratch' || stage.name === 'context') {
      warnings.push({
        rule: 'ReservedStageName',
        message: `Stage name should not use the same name as reserved stage ${goQuote(stage.name)}`,
        url: 'https://docs.docker.com/go/dockerfile/rule/reserved-stage-name/',
        location: { ...stage.from.location },
      });
    }
    if (seen.has(stage.name)) {
      // A lint warning in BuildKit, not an error: the later stage wins for --target and --from.
      warnings.push({
        rule: 'DuplicateStageName',
        message: `Duplicate stage name ${goQuote(stage.name)}, stage names should be unique`,
        url: 'https://docs.docker.com/go/dockerfile/rule/duplicate-stage-name/',
        location: { ...stage.from.location },
      });
    }
    seen.set(stage.name, stage);
  }
  return warnings;
}

interface Base {
  baseName: string;
  base: StageSource;
  platformFlag: Platform | undefined;
  referenceError: LadeError | undefined;
}

function expandPlatform(raw: string, from: FromInstruction, lexer: ShellLexer, globals: EnvList, host: Platform): Platform {
  let match;
  try {
    match = lexer.processWordWithMatches(raw, globals);
  } catch (err) {
    if (!(err instanceof LadeError)) throw err;
    throw new LadeError(err.code, `failed to process arguments for platform : ${err.message}`, {
      location: { ...from.location },
      cause: err,
    });
  }
  const withHint = (message: string) => {
    for (const name of match.unmatched) {
      const found = suggest(name, globals.keys(), true);
      if (found !== undefined) return `${message} (did you mean ${found}?)`;
    }
    return message;
  };
  if (match.result === '') throw locatedError(withHint(`empty platform value from expression ${raw}`), from.location);
  try {
    return parsePlatform(match.result, host);
  } catch (err) {
    if (!(err instanceof PlatformError)) throw err;
    throw locatedError(`failed to parse platform ${raw}: ${withHint(err.message)}`, from.location);
  }
}

function resolveBase(stage: Stage, earlier: readonly Stage[], lexer: ShellLexer, globals: EnvList, host: Platform): Base {
  const { from } = stage;
  const baseName = located(from.location, () => lexer.processWordWithMatches(from.baseName, globals).result);
  if (baseName === '') throw locatedError(`base name (${from.baseName}) should not be blank`, from.location);
  const platformFlag = from.platform === '' ? undefined : expandPlatform(from.platform, from, lexer, globals, host);

  // Earlier stages only, matched against the lower-cased names exactly: `FROM Build` is an image.
  const result = (base: StageSource, referenceError?: LadeError): Base => ({ baseName, base, platformFlag, referenceError });
  const baseStage = [...earlier].reverse().find((s) => s.name === baseName);
  if (baseStage !== undefined) return result({ kind: 'stage', index: baseStage.index });
  if (baseName === 'scratch') return result({ kind: 'scratch' });
  try {
    return result({ kind: 'image', name: baseName, normalized: parseImageReference(baseName).normalized });
  } catch (err) {
    if (!(err instanceof ImageReferenceError)) throw err;
    const referenceError = locatedError(`failed to parse stage name ${goQuote(baseName)}: ${err.message}`, from.location);
    return result({ kind: 'image', name: baseName, normalized: '' }, referenceError);
  }
}

function resolveSources(graph: StageGraph, stage: number, instruction: Command, onbuild: boolean): StageCommand {
  const command: StageCommand = { instruction, onbuild };
  if (instruction.kind === 'copy' && instruction.from !== '') {
    command.copyFrom = graph.copyFrom(stage, instruction.from, instruction.location);
  } else if (instruction.kind === 'run') {
    command.mountSources = instruction.mounts.map((spec) =>
      graph.mountFrom(stage, located(instruction.location, () => parseMount(spec)).from, instruction.location),
    );
  }
  return command;
}

function resolveTarget(doc: DockerfileDocument, graph: StageGraph, target: string | undefined): number {
  if (target === undefined || target === '') return doc.stages.length - 1;
  const found = graph.findStage(target);
  if (found !== undefined) return found;
  const names = doc.stages.map((s, i) => s.name ?? `stage-${i}`);
  const named = doc.stages.flatMap((s) => (s.name === undefined ? [] : [s.name]));
  throw new LadeError(
    ErrorCode.DockerfileInstruction,
    withSuggestion(`target stage ${goQuote(target)} could not be found`, target, names, true),
    {
      hint:
        named.length === 0
          ? 'No stage in the Dockerfile has a name (FROM <image> AS <name>).'
          : `The named stages are: ${named.join(', ')}.`,
    },
  );
}

interface TriggerContext {
  doc: DockerfileDocument;
  graph: StageGraph;
  bases: readonly Base[];
  displayNames: readonly string[];
  /** Per stage, updated in place with the inherited triggers. */
  commands: StageCommand[][];
  imageTriggers: ReadonlyMap<number, readonly string[]> | undefined;
}

/**
 * Prepends a stage's inherited triggers: its base image's `OnBuild`, or the ONBUILD
 * instructions of its base stage (BuildKit does not carry triggers further down). Returns
 * whether a trigger added a dependency.
 */
function inheritTriggers(ctx: TriggerContext, index: number): boolean {
  const stage = ctx.doc.stages[index]!;
  const base = ctx.bases[index]!;
  const triggers: { expression: string; origin: string }[] = [];
  if (base.base.kind === 'image') {
    for (const expression of ctx.imageTriggers?.get(index) ?? []) {
      triggers.push({ expression, origin: `image ${base.baseName}` });
    }
  } else if (base.base.kind === 'stage') {
    const origin = `stage ${ctx.displayNames[base.base.index] || String(base.base.index)}`;
    for (const c of ctx.commands[base.base.index]!) {
      if (c.instruction.kind === 'onbuild') triggers.push({ expression: c.instruction.expression, origin });
    }
  }
  let newDeps = false;
  const inherited = triggers.map(({ expression, origin }) => {
    const [instruction] = parseOnbuildTriggers([expression], stage.from, origin);
    try {
      const command = resolveSources(ctx.graph, index, instruction!, true);
      if (command.copyFrom !== undefined || (command.mountSources?.length ?? 0) > 0) newDeps = true;
      return command;
    } catch (err) {
      if (err instanceof LadeError) throw relocateToFrom(err, expression, stage.from, origin);
      throw err;
    }
  });
  ctx.commands[index] = [...inherited, ...ctx.commands[index]!];
  return newDeps;
}

function unusedBuildArgs(doc: DockerfileDocument, stages: readonly ResolvedStage[], buildArgs: BuildArgs): string[] {
  const declared = new Set<string>(doc.metaArgs.flatMap((a) => a.args.map((d) => d.key)));
  for (const stage of stages) {
    if (!stage.reachable) continue;
    for (const c of stage.commands) {
      if (c.instruction.kind === 'arg') for (const d of c.instruction.args) declared.add(d.key);
    }
  }
  return [...buildArgs.keys()].filter((k) => !declared.has(k) && !isPredefinedArg(k)).sort();
}

export function resolveBuild(doc: DockerfileDocument, options: ResolveOptions = {}): ResolvedBuild {
  const last = doc.stages[doc.stages.length - 1];
  if (last === undefined) {
    throw new LadeError(ErrorCode.DockerfileInstruction, 'dockerfile contains no stages to build', {
      location: { file: doc.file, line: 1 },
      hint: 'A Dockerfile needs at least one FROM instruction.',
    });
  }
  // The order of the checks is BuildKit's, so that a Dockerfile with several problems reports
  // the same one first.
  const warnings = reservedNameWarnings(doc);
  const targetPlatform = options.targetPlatform ?? LINUX_AMD64;
  const buildPlatform = options.buildPlatform ?? targetPlatform;
  const buildArgs = toBuildArgs(options.buildArgs);
  const targetName = options.target !== undefined && options.target !== '' ? options.target : (last.name ?? '');
  const lexer = createShellLexer({ escapeToken: doc.escapeToken });
  const predefined = defaultArgs(buildPlatform, targetPlatform, targetName, buildArgs);
  const meta = buildMetaArgs(predefined, lexer, doc.metaArgs, buildArgs);
  const globals = meta.env;

  const bases = doc.stages.map((stage, i) => resolveBase(stage, doc.stages.slice(0, i), lexer, globals, buildPlatform));
  const graph = new StageGraph(doc.stages.map((s) => s.name), lexer);
  const target = resolveTarget(doc, graph, options.target);
  const commands = doc.stages.map((stage) =>
    stage.commands.map((instruction) => resolveSources(graph, stage.index, instruction, false)),
  );
  graph.checkCycles();
  const displayNames = doc.stages.map((s) => graph.displayName(s.index));
  for (const base of bases) if (base.referenceError !== undefined) throw base.referenceError;
  graph.checkExternalReferences();

  // A stage built on a stage takes that stage's platform, even over its own --platform.
  const platforms: Platform[] = [];
  for (const b of bases) {
    platforms.push((b.base.kind === 'stage' ? platforms[b.base.index] : undefined) ?? b.platformFlag ?? targetPlatform);
  }

  // Triggers may add dependencies, which may make more stages reachable: repeat until stable.
  const baseStage = (i: number) => {
    const b = bases[i]!.base;
    return b.kind === 'stage' ? b.index : undefined;
  };
  const ctx: TriggerContext = { doc, graph, bases, displayNames, commands, imageTriggers: options.baseImageTriggers };
  const initialized = new Set<number>();
  let reachable: Set<number>;
  for (;;) {
    reachable = graph.reachable(target, baseStage);
    let newDeps = false;
    for (const index of [...reachable].sort((a, b) => a - b)) {
      if (initialized.has(index)) continue;
      initialized.add(index);
      if (inheritTriggers(ctx, index)) newDeps = true;
    }
    graph.checkExternalReferences();
    if (!newDeps) break;
  }

  const stages: ResolvedStage[] = doc.stages.map((stage, i) => {
    const base = bases[i]!;
    const resolved: ResolvedStage = {
      index: i,
      displayName: displayNames[i]!,
      from: stage.from,
      baseName: base.baseName,
      base: base.base,
      platform: platforms[i]!,
      commands: ctx.commands[i]!,
      reachable: reachable.has(i),
    };
    if (stage.name !== undefined) resolved.name = stage.name;
    if (base.platformFlag !== undefined) resolved.platformFlag = base.platformFlag;
    return resolved;
  });

  const result: ResolvedBuild = {
    file: doc.file,
    escapeToken: doc.escapeToken,
    targetPlatform,
    buildPlatform,
    buildArgs: Object.fromEntries(buildArgs),
    globalArgs: globals.toList(),
    metaArgs: meta.args,
    stages,
    target,
    reachable: [...reachable].sort((a, b) => a - b),
    unusedBuildArgs: unusedBuildArgs(doc, stages, buildArgs),
    warnings,
  };
  const proxy = proxyFromBuildArgs(buildArgs);
  if (proxy !== undefined) result.proxy = proxy;
  return result;
}
