/**
 * Wildcards as fsutil's copy understands them: Go's path/filepath.Match (Linux flavour: `\`
 * escapes, `*` and `?` never match "/", character classes may), and fsutil's split of a source
 * path into the literal directory before the first wildcard component and the pattern after it.
 */
import { goJoin } from './go-path.js';

/** Go's ErrBadPattern; fsutil ignores it, so a malformed pattern simply matches nothing. */
class BadPattern extends Error {}

function runeLength(s: string, at: number): number {
  return (s.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
}

/** A possibly escaped character of a class, and where the class continues. */
function classChar(chunk: string, at: number): { rune: number; next: number } {
  if (at >= chunk.length || chunk[at] === '-' || chunk[at] === ']') throw new BadPattern();
  if (chunk[at] === '\\') {
    at++;
    if (at >= chunk.length) throw new BadPattern();
  }
  const rune = chunk.codePointAt(at)!;
  const next = at + runeLength(chunk, at);
  // Go insists that something (at least the closing bracket) follows.
  if (next >= chunk.length) throw new BadPattern();
  return { rune, next };
}

/** Matches a star-free chunk at the start of `s`: the rest of `s`, or undefined. */
function matchChunk(chunk: string, s: string): string | undefined {
  let c = 0;
  let i = 0;
  while (c < chunk.length) {
    if (i >= s.length) return undefined;
    const ch = chunk[c];
    if (ch === '[') {
      const rune = s.codePointAt(i)!;
      i += runeLength(s, i);
      c++;
      if (c >= chunk.length) throw new BadPattern();
      const negated = chunk[c] === '^';
      if (negated) c++;
      let matched = false;
      for (let ranges = 0; ; ranges++) {
        if (c < chunk.length && chunk[c] === ']' && ranges > 0) {
          c++;
          break;
        }
        const lo = classChar(chunk, c);
        let hi = lo.rune;
        c = lo.next;
        if (chunk[c] === '-') {
          const upper = classChar(chunk, c + 1);
          hi = upper.rune;
          c = upper.next;
        }
        if (lo.rune <= rune && rune <= hi) matched = true;
      }
      if (matched === negated) return undefined;
    } else if (ch === '?') {
      if (s[i] === '/') return undefined;
      i += runeLength(s, i);
      c++;
    } else {
      if (ch === '\\') {
        c++;
        if (c >= chunk.length) throw new BadPattern();
      }
      if (chunk[c] !== s[i]) return undefined;
      c++;
      i++;
    }
  }
  return s.slice(i);
}

/** The next chunk: leading stars collapsed into `star`, then everything up to the next star outside a class. */
function scanChunk(pattern: string): { star: boolean; chunk: string; rest: string } {
  let start = 0;
  while (pattern[start] === '*') start++;
  let inClass = false;
  let i = start;
  for (; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      if (i + 1 < pattern.length) i++;
    } else if (ch === '[') {
      inClass = true;
    } else if (ch === ']') {
      inClass = false;
    } else if (ch === '*' && !inClass) {
      break;
    }
  }
  return { star: start > 0, chunk: pattern.slice(start, i), rest: pattern.slice(i) };
}

function matchOrThrow(pattern: string, name: string): boolean {
  let rest = pattern;
  next: while (rest.length > 0) {
    const scanned = scanChunk(rest);
    rest = scanned.rest;
    const { star, chunk } = scanned;
    if (star && chunk === '') return !name.includes('/');
    const here = matchChunk(chunk, name);
    // The last chunk must use up the name; otherwise a star may still find a later match.
    if (here !== undefined && (here.length === 0 || rest.length > 0)) {
      name = here;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const later = matchChunk(chunk, name.slice(i + 1));
        if (later === undefined) continue;
        if (rest.length === 0 && later.length > 0) continue;
        name = later;
        continue next;
      }
    }
    return false;
  }
  return name.length === 0;
}

/** filepath.Match(pattern, name), with a malformed pattern matching nothing. */
export function goMatch(pattern: string, name: string): boolean {
  try {
    return matchOrThrow(pattern, name);
  } catch (err) {
    if (err instanceof BadPattern) return false;
    throw err;
  }
}

/** fsutil's containsWildcards: `*`, `?` or `[` not escaped by a backslash. */
export function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

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
