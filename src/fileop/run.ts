/**
 * runFileAction: one file action on host directory trees. Paths inside the actions are resolved
 * inside their root (see scope.ts), so nothing outside srcRoot is read and nothing outside
 * destRoot is written, whatever symlinks the trees hold.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCode, LadeError } from '../errors/index.js';
import { runCopy } from './copy-action.js';
import { runMkdir, runMkfile } from './mk-actions.js';
import { fsError, reasonOf, type Scope } from './scope.js';
import type { FileAction, FileActionOptions, FileActionRoots } from './types.js';

function rootScope(path: string, what: string, include?: (rel: string) => boolean): Scope {
  const root = resolve(path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch (err) {
    throw new LadeError(ErrorCode.FileopFailed, `the ${what} root ${root} cannot be used: ${reasonOf(err)}`, { cause: err });
  }
  if (!isDirectory) throw new LadeError(ErrorCode.FileopFailed, `the ${what} root ${root} is not a directory`);
  return include === undefined ? { root } : { root, include };
}

function describe(action: FileAction): string {
  switch (action.kind) {
    case 'copy':
      return `copy "${action.src}" to "${action.dest}"`;
    case 'mkdir':
      return `mkdir "${action.path}"`;
    case 'mkfile':
      return `mkfile "${action.path}"`;
  }
}

/** Performs `action`; failures are LadeErrors (FILEOP_NOT_FOUND, FILEOP_FAILED, or the archive's LAYER_* codes for ADD). */
export async function runFileAction(action: FileAction, roots: FileActionRoots, options: FileActionOptions = {}): Promise<void> {
  const dest = rootScope(roots.destRoot, 'destination');
  try {
    switch (action.kind) {
      case 'copy': {
        if (roots.srcRoot === undefined) {
          throw new LadeError(ErrorCode.Internal, `${describe(action)}: a copy needs a source root`);
        }
        await runCopy(action, rootScope(roots.srcRoot, 'source', options.include), dest);
        break;
      }
      case 'mkdir':
        runMkdir(action, dest);
        break;
      case 'mkfile':
        runMkfile(action, dest);
        break;
    }
  } catch (err) {
    throw fsError(err, `cannot ${describe(action)}`);
  }
}
