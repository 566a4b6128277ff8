/**
 * Stages: typed instructions grouped into stages, resolved for one build (global ARGs, bases,
 * target, reachability, ONBUILD triggers) and expanded per stage as BuildKit's dockerfile2llb
 * dispatch does. Pure: base images are the caller's business (their Env and OnBuild are inputs).
 */
export { parseInstructions } from './document.js';
export type { DockerfileDocument, Stage } from './document.js';
export { resolveBuild } from './resolve.js';
export type { BuildWarning, ResolveOptions, ResolvedBuild, ResolvedStage, StageCommand } from './resolve.js';
export type { StageSource } from './graph.js';
export { expandStage, expandReachableStages, initialStageState, DEFAULT_PATH } from './expand.js';
export type { DeclaredArg, ExpandedCommand, ExpandedStage, StageState } from './expand.js';
export { parseOnbuildTriggers } from './onbuild-triggers.js';
export { withImageEnv } from './env-list.js';
export { parsePlatform, formatPlatform, normalizePlatform, PlatformError, LINUX_AMD64 } from './platform.js';
export type { Platform } from './platform.js';
export {
  BUILTIN_ARGS,
  NON_ENV_ARGS,
  PLATFORM_ARGS,
  PROXY_ARGS,
  isPredefinedArg,
  proxyEnvList,
} from './build-args.js';
export type { ProxyEnv, ResolvedArg } from './build-args.js';
