/**
 * fsutil's ResolveWildcards (copy/copy.go): the literal directory before the first wildcard
 * component is resolved in the source (its last component followed only with FollowLinks), then
 * walked as Go's filepath.Walk walks (lstat, names in byte order, parents before children); each
 * path relative to it that filepath.Match accepts is a match, and a matching directory is not
 * entered. Matches therefore come in walk order, not sorted as whole strings ("a/x" before
 * "a-b/x"), and a missing literal directory is an error rather than an empty match.
 */
import { readdirSync } from 'node:fs';
import { ErrorCode, LadeError } from '../errors/index.js';
import { containsWildcards, goJoin, goMatchString as goMatch } from '../gopath/index.js';
import { absOf, childRel, fsError, lstatIn, resolveIn, shown, type Scope } from './scope.js';

/**
 * fsutil's splitWildcards: the cleaned path cut before its first component holding a wildcard.
 * `pattern` is "" when there is none (the path is then used literally, backslashes included).
 */
export function splitWildcards(path: string): { literal: string; pattern: string } {
  const literal: string[] = [];
  const pattern: string[] = [];
  let found = false;
  for (const part of goJoin(path).split('/')) {
    if (!found && containsWildcards(part)) found = true;
    const element = part === '' ? '/' : part;
    if (found) pattern.push(element);
    else literal.push(element);
  }
  return { literal: goJoin(...literal), pattern: goJoin(...pattern) };
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * How deep a match can lie below the walked directory, or Infinity when the pattern could match
 * a "/" (a character class or an escape can; `*` and `?` cannot). The walk stops there: deeper
 * paths could never match, so skipping them changes nothing but the time spent.
 */
function maxDepth(pattern: string): number {
  if (pattern.includes('[') || pattern.includes('\\')) return Infinity;
  return pattern.split('/').length;
}

/**
 * The sources a copy of `src` (a BuildKit-cleaned absolute path) reads, spelled as fsutil spells
 * them: a path without wildcards comes back cleaned and absolute, whether it exists or not;
 * matches come back relative to the root. Both are resolved again by the copy, from the root.
 */
export function resolveWildcards(scope: Scope, src: string, followLinks: boolean): string[] {
  const { literal, pattern } = splitWildcards(src);
  if (pattern === '') return [literal];
  const base = resolveIn(scope, literal, followLinks);
  const stat = lstatIn(scope, base);
  if (stat === undefined) {
    throw new LadeError(ErrorCode.FileopNotFound, `cannot resolve "${src}": "${literal}" not found`);
  }
  const matches: string[] = [];
  if (!stat.isDirectory()) return matches;
  const limit = maxDepth(pattern);

  const walk = (dirRel: string, relBelow: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(absOf(scope, dirRel)).sort(byteOrder);
    } catch (err) {
      throw fsError(err, `cannot read directory "${shown(dirRel)}"`);
    }
    for (const name of names) {
      const rel = childRel(dirRel, name);
      const entry = lstatIn(scope, rel);
      if (entry === undefined) continue;
      const below = relBelow === '' ? name : `${relBelow}/${name}`;
      if (goMatch(pattern, below)) {
        matches.push(rel);
        continue;
      }
      if (entry.isDirectory() && depth < limit) walk(rel, below, depth + 1);
    }
  };
  walk(base, '', 1);
  return matches;
}
