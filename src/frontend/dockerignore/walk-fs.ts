/**
 * walkContext over a directory on disk: what BuildKit's `fsutil.NewFS` walks. Entries are
 * Node's `fs.Dirent`s, read without following symlinks (a symlink to a directory is an entry,
 * not a directory to enter).
 *
 * Names are read as UTF-8 strings; a name that is not valid UTF-8 reaches the matcher with
 * U+FFFD in place of its bad bytes, where Go would match the raw bytes.
 */
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, LadeError } from '../../errors/index.js';
import type { IgnoreMatcher } from './matcher.js';
import { walkContext, type ContextEntry } from './walk.js';

export function walkContextDir(
  contextDir: string,
  matcher?: IgnoreMatcher,
): Generator<ContextEntry<Dirent>, void, undefined> {
  return walkContext((dir) => listDirectory(contextDir, dir), matcher);
}

function listDirectory(contextDir: string, dir: string): Dirent[] {
  const abs = dir === '' ? contextDir : join(contextDir, dir);
  try {
    return readdirSync(abs, { withFileTypes: true });
  } catch (err) {
    throw new LadeError(ErrorCode.FileRead, `cannot read directory ${abs}: ${(err as Error).message}`, { cause: err });
  }
}
