/**
 * A Dockerfile → the build graph and the image config of the target (BuildKit's
 * Dockerfile2LLB). Base images are asked for through `resolveImage` (the frontend never touches
 * the image store); their ONBUILD triggers may make more stages reachable, so resolution repeats
 * until nothing changes, as in BuildKit.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { createGraphBuilder, type Graph, type VertexId } from '../../graph/index.js';
import {
  DEFAULT_PATH,
  expandReachableStages,
  formatPlatform,
  resolveBuild,
  type DockerfileDocument,
  type ResolveOptions,
  type ResolvedBuild,
} from '../stages/index.js';
import { dispatchCommand } from './dispatch.js';
import { cloneImage, emptyImage, ensurePath, imageFromBase, type BaseImage, type BuildImage, type RunConfig } from './image-config.js';
import { stepName, type ConvertContext, type StageState } from './stage-state.js';

export interface DefinitionOptions extends ResolveOptions {
  /** `--label`: set on the target image after everything else, not in history. */
  labels?: Readonly<Record<string, string>>;
  /** `--no-cache-filter`: stage names (or indexes) whose steps bypass the cache. */
  noCacheFilter?: readonly string[];
}

export interface BuildDefinition {
  graph: Graph;
  /** The target stage's root filesystem. */
  target: VertexId;
  /** The target's image config (no rootfs, no created times: the exporter's). */
  image: BuildImage;
  /** The first `baseHistory` history entries are the base image's; the rest this build made. */
  baseHistory: number;
  build: ResolvedBuild;
}

/** Looks a base image up by its normalised reference (`name` as written, for messages). */
export type ResolveImage = (normalized: string, name: string) => Promise<BaseImage>;

function onBuildOf(image: BaseImage): string[] {
  const config = image.config['config'] as RunConfig | undefined;
  const triggers = config?.OnBuild;
  return Array.isArray(triggers) ? triggers.filter((t): t is string => typeof t === 'string') : [];
}

async function resolveWithBases(doc: DockerfileDocument, options: DefinitionOptions, resolveImage: ResolveImage, images: Map<string, BaseImage>) {
  let triggers = new Map<number, readonly string[]>();
  for (;;) {
    const build = resolveBuild(doc, { ...options, baseImageTriggers: triggers });
    const next = new Map<number, readonly string[]>();
    for (const index of build.reachable) {
      const stage = build.stages[index]!;
      if (stage.base.kind !== 'image') continue;
      let image = images.get(stage.base.normalized);
      if (image === undefined) {
        try {
          image = await resolveImage(stage.base.normalized, stage.baseName);
        } catch (err) {
          if (err instanceof LadeError) throw err.withLocation({ ...stage.from.location });
          throw err;
        }
        images.set(stage.base.normalized, image);
      }
      const t = onBuildOf(image);
      if (t.length > 0) next.set(index, t);
    }
    const same = next.size === triggers.size && [...next].every(([k, v]) => triggers.get(k)?.join('\0') === v.join('\0'));
    if (same) return build;
    triggers = next;
  }
}

export async function buildDefinition(doc: DockerfileDocument, options: DefinitionOptions, resolveImage: ResolveImage): Promise<BuildDefinition> {
  const images = new Map<string, BaseImage>();
  const build = await resolveWithBases(doc, options, resolveImage, images);
  const graph = createGraphBuilder();
  const platform = formatPlatform(build.targetPlatform);
  let scratch: VertexId | undefined;
  const ctx: ConvertContext = {
    graph,
    file: build.file,
    platform,
    proxy: build.proxy,
    stages: new Map(),
    imageVertex: (ref) => graph.add({ kind: 'image', ref, platform }, [], { name: `[internal] load image ${ref}` }),
    scratchVertex: () => (scratch ??= graph.add({ kind: 'scratch' }, [], { name: '' })),
  };
  const noCache = new Set((options.noCacheFilter ?? []).map((s) => s.toLowerCase()));

  const expanded = expandReachableStages(build, (stage) =>
    stage.base.kind === 'image' ? ((images.get(stage.base.normalized)!.config['config'] as RunConfig | undefined)?.Env ?? []) : undefined,
  );
  for (const exp of expanded) {
    const stage = build.stages[exp.index]!;
    const wanted = stage.platformFlag === undefined ? undefined : formatPlatform(stage.platformFlag);
    if (wanted !== undefined && wanted !== platform) {
      throw new LadeError(ErrorCode.BuildUnsupported, `FROM --platform=${wanted}: lade builds ${platform} images only`, {
        location: { ...stage.from.location },
        hint: `Leave --platform out, or use ${platform} (or $BUILDPLATFORM / $TARGETPLATFORM).`,
      });
    }
    let image: BuildImage;
    let vertex: VertexId | undefined;
    let baseHistory = 0;
    if (stage.base.kind === 'stage') {
      const base = ctx.stages.get(stage.base.index)!;
      image = cloneImage(base.image);
      vertex = base.vertex;
      baseHistory = base.baseHistory;
    } else if (stage.base.kind === 'image') {
      image = imageFromBase(images.get(stage.base.normalized)!);
      ensurePath(image, DEFAULT_PATH);
      baseHistory = image.history.length;
    } else {
      image = emptyImage(stage.platform, DEFAULT_PATH);
    }
    if (exp.commands.some((c) => c.onbuild)) image.config.OnBuild = null;
    const cmdTotal = 1 + exp.commands.filter((c) => ['run', 'copy', 'add', 'workdir'].includes(c.instruction.kind)).length;
    const state: StageState = {
      index: exp.index,
      displayName: stage.displayName,
      vertex,
      image,
      cmdSet: false,
      cmdIndex: 0,
      cmdTotal,
      ignoreCache: noCache.has(stage.displayName.toLowerCase()) || (stage.name !== undefined && noCache.has(stage.name)) || noCache.has(String(exp.index)),
      baseHistory,
    };
    const fromText = `FROM ${stage.base.kind === 'image' ? stage.base.normalized : stage.baseName}`;
    if (stage.base.kind === 'image') {
      state.vertex = graph.add({ kind: 'image', ref: stage.base.normalized, platform }, [], {
        name: stepName(state, fromText),
        location: { ...stage.from.location },
        stage: state.displayName,
      });
    } else {
      stepName(state, fromText);
    }
    for (const command of exp.commands) {
      try {
        dispatchCommand(ctx, state, command);
      } catch (err) {
        if (err instanceof LadeError) throw err.withLocation({ ...command.instruction.location });
        throw err;
      }
    }
    ctx.stages.set(exp.index, state);
  }

  const target = ctx.stages.get(build.target)!;
  const image = cloneImage(target.image);
  if (options.labels !== undefined && Object.keys(options.labels).length > 0) {
    image.config.Labels = { ...(image.config.Labels ?? {}), ...options.labels };
  }
  if (!('OnBuild' in image.config)) image.config.OnBuild = null;
  return { graph: graph.graph(), target: target.vertex ?? ctx.scratchVertex(), image, baseHistory: target.baseHistory, build };
}
