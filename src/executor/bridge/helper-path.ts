/** Where the sandbox helper binary is: built in the checkout's native/sandbox by `npm ci`. */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, LadeError } from '../../errors/index.js';
import { packageRoot } from '../../paths/index.js';

/** The helper's absolute path; throws SandboxHelperMissing when it is not built or not executable. */
export function sandboxHelperPath(path: string = join(packageRoot(), 'native', 'sandbox', 'build', 'lade-sandbox')): string {
  try {
    accessSync(path, constants.X_OK);
  } catch (err) {
    throw new LadeError(ErrorCode.SandboxHelperMissing, `lade's sandbox helper cannot be run: ${path}`, {
      cause: err,
      hint: 'build it with `npm ci` (or `make -C native/sandbox`)',
    });
  }
  return path;
}
