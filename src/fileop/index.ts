/**
 * BuildKit's file operations (LLB FileOp: copy, mkdir, mkfile) on real directory trees, with the
 * semantics of solver/llbsolver/file/backend.go and tonistiigi/fsutil's copy package.
 */
export { runFileAction } from './run.js';
export type {
  ChownOpt,
  CopyAction,
  FileAction,
  FileActionOptions,
  FileActionRoots,
  MkdirAction,
  MkfileAction,
} from './types.js';
export { refreshDirectoryCopy } from './refresh-copy.js';
export type { CopiedEntry, RefreshOptions, RefreshStats } from './refresh-copy.js';
export { linkedDirectoryCopy } from './linked-copy.js';
export type { LinkedCopyOptions, LinkedCopyStats } from './linked-copy.js';
