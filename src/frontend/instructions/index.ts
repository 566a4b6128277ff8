/**
 * Typed Dockerfile instructions (BuildKit's frontend/dockerfile/instructions): parse-tree nodes
 * to a discriminated union, with BuildKit's validation and error messages.
 */
export type {
  AddInstruction,
  ArgDeclaration,
  ArgInstruction,
  CmdInstruction,
  Command,
  CopyInstruction,
  EntrypointInstruction,
  EnvInstruction,
  ExposeInstruction,
  FromInstruction,
  HealthcheckInstruction,
  HealthConfig,
  Instruction,
  InstructionKind,
  InstructionLocation,
  KeyValuePair,
  LabelInstruction,
  MaintainerInstruction,
  NetworkMode,
  OnbuildInstruction,
  RunDevice,
  RunInstruction,
  SecurityMode,
  ShellInlineFile,
  ShellInstruction,
  SourceContent,
  StopsignalInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from './types.js';
export { parseInstruction, INSTRUCTION_NAMES } from './parse.js';
export { parseMount } from './mount.js';
export type { RunMount, MountType, CacheSharing } from './mount.js';
export { parseDevice } from './device.js';
export { createFlagParser } from './flags.js';
export type { FlagParser, BoolFlag, StringFlag, StringsFlag } from './flags.js';
export { parseGoDuration } from './go-numbers.js';
export { suggest, withSuggestion, editDistance } from './suggest.js';
export { locatedError } from './errors.js';
