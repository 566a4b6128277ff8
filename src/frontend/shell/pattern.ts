import { CH_BACKSLASH, CH_QUESTION, CH_RBRACE, CH_SLASH, CH_STAR, EOF, runeToString } from './chars.js';
import { fail } from './failure.js';
import { RuneScanner } from './scanner.js';

/**
 * The shell patterns of `${V#p}`, `${V%p}` and `${V/p/r}`. BuildKit turns them into a Go regular
 * expression; lade keeps them as data instead and matches them with its own engine
 * (pattern-match.ts), so that no user text ever reaches a RegExp and matching cannot backtrack
 * catastrophically. The language is BuildKit's subset of POSIX pattern matching: `*`, `?` and
 * backslash escapes, no bracket expressions.
 */

/** A `?`: any single code point except a newline (Go's `.` without the `s` flag). */
export const ANY = -1;

export interface ShellPattern {
  /**
   * The fixed-width runs between the stars, so there is one more segment than there are `*`s.
   * An element is a code point that must match exactly, or {@link ANY}. A star matches any run
   * of code points without a newline, as Go's `.*` does.
   */
  readonly segments: readonly Int32Array[];
}

/**
 * Parses a pattern the way BuildKit converts it to a regex. Its Go scanner also drops a leading
 * byte-order mark. A backslash before `}` or `/` only protected that character from the `${…}`
 * parser and is dropped; otherwise it may escape only `*`, `?` and `\`, and anything else fails
 * with BuildKit's message (which names the pattern as given, so a reversed one for `%`).
 */
export function compileShellPattern(pattern: string): ShellPattern {
  const segments: Int32Array[] = [];
  let current: number[] = [];
  const scanner = new RuneScanner(pattern);
  for (let tok = scanner.next(); tok !== EOF; tok = scanner.next()) {
    if (tok === CH_STAR) {
      segments.push(Int32Array.from(current));
      current = [];
      continue;
    }
    if (tok === CH_QUESTION) {
      current.push(ANY);
      continue;
    }
    if (tok === CH_BACKSLASH) {
      const following = scanner.peek();
      if (following === CH_RBRACE || following === CH_SLASH) continue;
      tok = scanner.next();
      if (tok !== CH_STAR && tok !== CH_QUESTION && tok !== CH_BACKSLASH) {
        fail(`invalid pattern (${pattern}) in substitution: invalid escape '\\${runeToString(tok)}'`);
      }
    }
    current.push(tok);
  }
  segments.push(Int32Array.from(current));
  return { segments };
}

/**
 * Reverses a pattern by code points but keeps each backslash in front of the character it was
 * paired with (left to right), so `a\*c` becomes `c\*a`. `${V%p}` matches the reversed pattern
 * against the reversed value, because a leftmost search cannot find the shortest rightmost
 * match. A lone trailing backslash simply moves to the front, as in BuildKit.
 */
export function reversePattern(pattern: string): string {
  const runes = Array.from(pattern);
  const last = runes.length - 1;
  const out = new Array<string>(runes.length);
  for (let i = 0; i <= last; ) {
    const tok = runes[i] ?? '';
    const at = last - i;
    if (tok === '\\' && i !== last) {
      out[at - 1] = tok;
      out[at] = runes[i + 1] ?? '';
      i += 2;
    } else {
      out[at] = tok;
      i++;
    }
  }
  return out.join('');
}
