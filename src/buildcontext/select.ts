/**
 * What a COPY/ADD source selects from the context: fsutil's `copy.ResolveWildcards` followed by
 * the `rootPath(..., followLinks=true)` that `copy.Copy` applies to each match (the Dockerfile
 * frontend always sets FollowSymlinks on COPY and ADD).
 *
 * - No wildcard: the source is its own single match (unescaped: `a\*` names a file called
 *   `a\*`); every symlink on its path, the last one included, is followed.
 * - Wildcards: the components before the first wildcard are resolved (symlinks followed) to a
 *   base directory, which Go's `filepath.Walk` then visits in order; each entry whose path
 *   relative to the base matches the rest of the pattern is a match, and a matching directory is
 *   not entered. A match that is a symlink is then followed.
 */
import { ErrorCode, LadeError } from '../errors/index.js';
import { compileGoPattern } from '../gopath/index.js';
import { splitWildcards } from './split-source.js';
import { ROOT_ENTRY, type ContextTree } from './tree.js';
import type { ContextFile, ContextMatch } from './types.js';

export interface Selection {
  /** The resolved wildcard base ('' for the root), or undefined for a source without wildcard. */
  readonly base: string | undefined;
  readonly matches: readonly ContextMatch[];
}

export function selectSource(tree: ContextTree, source: string): Selection {
  const { base, rest } = splitWildcards(source);
  if (rest === '') {
    const target = tree.get(tree.resolve(base, true));
    return { base: undefined, matches: target === undefined ? [] : [match(tree, base === '' ? '.' : base, target)] };
  }
  const resolvedBase = tree.resolve(base, true);
  const baseEntry = tree.get(resolvedBase);
  if (baseEntry === undefined) {
    // filepath.Walk reports the base's lstat error, and fsutil fails the copy with it.
    throw new LadeError(ErrorCode.FileRead, `COPY source ${source}: ${base === '' ? '.' : base} not found in the build context`);
  }
  const matches: ContextMatch[] = [];
  const pattern = compileGoPattern(rest);
  const below = tree.below(baseEntry);
  const cut = resolvedBase === '' ? 0 : resolvedBase.length + 1;
  for (let i = 0; i < below.length; i++) {
    const entry = below[i]!;
    const rel = entry.path.slice(cut);
    const depth = components(rel);
    const matched = depth <= pattern.maxComponents && pattern.matches(rel);
    if (matched) {
      const followed = tree.get(tree.resolve(entry.path, true));
      if (followed === undefined) {
        throw new LadeError(ErrorCode.FileRead, `COPY source ${source}: ${entry.path} is a symlink to nothing in the build context`);
      }
      matches.push(match(tree, entry.path, followed));
    }
    // A matched directory is not entered (SkipDir), nor one whose children are too deep to match.
    if (entry.type === 'dir' && (matched || depth >= pattern.maxComponents)) {
      const prefix = `${entry.path}/`;
      while (i + 1 < below.length && below[i + 1]!.path.startsWith(prefix)) i++;
    }
  }
  return { base: resolvedBase, matches };
}

function match(tree: ContextTree, path: string, source: ContextFile): ContextMatch {
  const entries = source.type === 'dir' ? [source, ...tree.below(source)] : [source];
  return { path, source, entries };
}

function components(rel: string): number {
  let n = 1;
  for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) n++;
  return n;
}
