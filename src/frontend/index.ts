/**
 * The Dockerfile frontend: bytes → parse tree → typed instructions → stages resolved for a build.
 * Later stages (conversion to the build graph) build on these; nothing here touches the solver.
 */
export { dumpDockerfile, parseDockerfile } from './parser/index.js';
export type { DockerfileNode, Heredoc, ParsedDockerfile, ParseWarning } from './parser/index.js';
export { parseInstruction } from './instructions/index.js';
export type { Instruction, InstructionKind, InstructionLocation } from './instructions/index.js';
export {
  expandReachableStages,
  expandStage,
  parseInstructions,
  parseOnbuildTriggers,
  resolveBuild,
} from './stages/index.js';
export type {
  DockerfileDocument,
  ExpandedCommand,
  ExpandedStage,
  ResolveOptions,
  ResolvedBuild,
  Stage,
} from './stages/index.js';
export { createIgnoreMatcher, loadDockerignore, parseDockerignore } from './dockerignore/index.js';
export type { IgnoreMatcher, IgnoreRule } from './dockerignore/index.js';
export { buildDefinition, HISTORY_COMMENT } from './convert/index.js';
export type { BaseImage, BuildDefinition, BuildImage, DefinitionOptions, HistoryItem, ResolveImage, RunConfig } from './convert/index.js';
