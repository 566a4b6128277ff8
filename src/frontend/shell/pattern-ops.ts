import { isGoDigit, isGoLetter, CH_UNDERSCORE } from './chars.js';
import { compileShellPattern, reversePattern } from './pattern.js';
import { PatternMatcher } from './pattern-match.js';

/**
 * The value side of `${V#p}`, `${V%p}`, `${V/p/r}` and `${V//p/r}`, with BuildKit's results.
 * Matching works on code points (a `?` takes one whole character), so values are turned into
 * an array of code points with their UTF-16 offsets for slicing the original string.
 */

interface CodePoints {
  readonly points: Int32Array;
  /** UTF-16 offset of each code point, plus the string length at the end. */
  readonly offsets: Int32Array;
}

function toCodePoints(s: string): CodePoints {
  const points = new Int32Array(s.length);
  const offsets = new Int32Array(s.length + 1);
  let n = 0;
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i) ?? 0;
    points[n] = cp;
    offsets[n] = i;
    n++;
    i += cp > 0xffff ? 2 : 1;
  }
  offsets[n] = s.length;
  return { points: points.subarray(0, n), offsets: offsets.subarray(0, n + 1) };
}

/** `${V#p}` (lazy) and `${V##p}` (greedy): drop the prefix the pattern matches. */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const compiled = compileShellPattern(pattern);
  const { points, offsets } = toCodePoints(value);
  const match = new PatternMatcher(compiled, points, greedy).find(0, true);
  if (match === undefined) return value;
  return value.slice(offsets[match.end] ?? value.length);
}

/**
 * `${V%p}` and `${V%%p}`: BuildKit reverses both the value and the pattern and trims a prefix,
 * so the pattern's escapes, errors and matches are those of the reversed pattern.
 */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  const compiled = compileShellPattern(reversePattern(pattern));
  const { points, offsets } = toCodePoints(value);
  const reversed = points.slice().reverse();
  const match = new PatternMatcher(compiled, reversed, greedy).find(0, true);
  if (match === undefined) return value;
  return value.slice(0, offsets[points.length - match.end] ?? 0);
}

/** `${V/p/r}`: the first (leftmost, longest) match is replaced by `r`, taken literally. */
export function replaceFirst(value: string, pattern: string, replacement: string): string {
  const compiled = compileShellPattern(pattern);
  const { points, offsets } = toCodePoints(value);
  const match = new PatternMatcher(compiled, points, true).find(0, false);
  if (match === undefined) return value;
  return value.slice(0, offsets[match.start] ?? 0) + replacement + value.slice(offsets[match.end] ?? value.length);
}

/**
 * `${V//p/r}`. BuildKit calls Go's `Regexp.ReplaceAllString`, so two Go behaviours come along:
 * the replacement is a Go template (see {@link compileGoTemplate}), and an empty match right
 * after a previous match is not replaced, while the search always advances by at least one
 * character.
 */
export function replaceAll(value: string, pattern: string, replacement: string): string {
  const compiled = compileShellPattern(pattern);
  const { points, offsets } = toCodePoints(value);
  const matcher = new PatternMatcher(compiled, points, true);
  const template = compileGoTemplate(replacement);
  const n = points.length;
  const out: string[] = [];
  let lastEnd = 0;
  let searchAt = 0;
  while (searchAt <= n) {
    const match = matcher.find(searchAt, false);
    if (match === undefined) break;
    const matchFrom = offsets[match.start] ?? 0;
    const matchTo = offsets[match.end] ?? value.length;
    out.push(value.slice(offsets[lastEnd] ?? 0, matchFrom));
    if (match.end > lastEnd || match.start === 0) {
      const matched = value.slice(matchFrom, matchTo);
      for (const piece of template) out.push(piece ?? matched);
    }
    lastEnd = match.end;
    const width = searchAt < n ? 1 : 0;
    if (searchAt + width > match.end) searchAt += width;
    else if (searchAt + 1 > match.end) searchAt++;
    else searchAt = match.end;
  }
  out.push(value.slice(offsets[lastEnd] ?? value.length));
  return out.join('');
}

/**
 * Go's `Regexp.Expand` applied to a pattern without capture groups. `$$` is a dollar; `$name`,
 * `${name}` and `$n` name a group (letters, digits, underscore, as many as possible), and only
 * group 0, the whole match, exists, so `$0`/`${0}` insert the match and every other reference
 * inserts nothing; a `$` not followed by a valid reference stays literal. Returns literal pieces,
 * with `undefined` where the match goes.
 */
export function compileGoTemplate(template: string): (string | undefined)[] {
  const pieces: (string | undefined)[] = [];
  let literal = '';
  let i = 0;
  for (;;) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) break;
    literal += template.slice(i, dollar);
    i = dollar + 1;
    if (template.charCodeAt(i) === 0x24) {
      literal += '$';
      i++;
      continue;
    }
    const reference = readGroupReference(template, i);
    if (reference === undefined) {
      literal += '$';
      continue;
    }
    i = reference.next;
    if (reference.name === '0') {
      pieces.push(literal);
      literal = '';
      pieces.push(undefined);
    }
  }
  pieces.push(literal + template.slice(i));
  return pieces;
}

function readGroupReference(template: string, at: number): { name: string; next: number } | undefined {
  let i = at;
  const braced = template.charCodeAt(i) === 0x7b;
  if (braced) i++;
  const nameStart = i;
  while (i < template.length) {
    const cp = template.codePointAt(i) ?? 0;
    if (!(cp === CH_UNDERSCORE || isGoLetter(cp) || isGoDigit(cp))) break;
    i += cp > 0xffff ? 2 : 1;
  }
  if (i === nameStart) return undefined;
  const name = template.slice(nameStart, i);
  if (braced) {
    if (template.charCodeAt(i) !== 0x7d) return undefined;
    i++;
  }
  return { name, next: i };
}
