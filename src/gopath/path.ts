/**
 * Go's path/filepath functions on Linux, which BuildKit's file backend uses to shape every path.
 * Their quirks are part of the behaviour (a trailing slash dropped by Join, Base of "/dir/." being
 * "."), so they are reproduced rather than replaced by node:path, whose normalize keeps trailing
 * slashes and whose basename differs on "/".
 */
import { posix } from 'node:path';

/** filepath.Clean: lexical, `..` above the root stays at the root, no trailing slash, "" is ".". */
export function goClean(path: string): string {
  if (path === '') return '.';
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/** filepath.Join: the non-empty elements joined by "/" and cleaned; "" when all are empty. */
export function goJoin(...elements: string[]): string {
  const kept = elements.filter((e) => e !== '');
  return kept.length === 0 ? '' : goClean(kept.join('/'));
}

/** filepath.Split: everything up to and including the last "/", and the rest. */
export function goSplit(path: string): { dir: string; file: string } {
  const slash = path.lastIndexOf('/');
  return { dir: path.slice(0, slash + 1), file: path.slice(slash + 1) };
}

/** filepath.Base: the last element once trailing slashes are gone; "/" for the root, "." for "". */
export function goBase(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** filepath.Dir: everything before the last element, cleaned. */
export function goDir(path: string): string {
  return goClean(path.slice(0, path.lastIndexOf('/') + 1));
}

/**
 * BuildKit's cleanPath (solver/llbsolver/file/backend.go): rooted and cleaned, but a trailing "/"
 * or "/." survives, because fsutil's copy reads meaning into them (the destination "x/" names a
 * directory to create; a source "dir/." names its contents).
 */
export function buildkitCleanPath(path: string): string {
  let cleaned = goJoin('/', path);
  if (path.endsWith('/.')) {
    if (cleaned !== '/') cleaned += '/';
    cleaned += '.';
  } else if (path.endsWith('/') && cleaned !== '/') {
    cleaned += '/';
  }
  return cleaned;
}
