/**
 * How one cleaned .dockerignore pattern matches a path: moby/patternmatcher's `Pattern.compile`
 * and `Pattern.match`, which BuildKit's context sender (tonistiigi/fsutil) uses.
 *
 * patternmatcher writes a Go regular expression character by character and, on the way, picks a
 * fast path when the pattern allows one. The fast paths do not always agree with the regexp they
 * replace, and Docker users get the fast path's answer, so lade keeps both exactly:
 *
 *   exact   no wildcard, class or escape: the path must equal the pattern text (`a+b.txt`).
 *   prefix  such a pattern ending in `**`: the path must start with the text before it
 *           (`build/**` needs `build/…`; `out**` takes `out`, `outer` and `out/x`).
 *   suffix  a pattern starting with `**` and otherwise plain: the path must END WITH the text
 *           after it, so `**.txt` takes `a.txt` and `d/e.txt`, and `**foo` takes `xfoo`, where
 *           the regexp `(.*\/)?foo` would not. `**\/foo` also takes `foo` itself.
 *   regexp  anything else: `*` is `[^/]*`, `?` is `[^/]`, `**` is `(.*\/)?` (eating a following
 *           `/`) or `.*` at the end; `. + ( ) $` are escaped; `\c` is handed to Go's regexp
 *           parser as `\c` (so `\d` is a digit); `[`, `]` and every other character are copied
 *           as they are. `[...]` is therefore a Go regexp class, in which `[^x]` can match `/`
 *           and `[!a]` means "! or a"; `^` is an anchor.
 *
 * patternmatcher means to escape `|`, `{` and `}` too, but its escape bitmap (`escapeBytes`,
 * eight bytes indexed by `c % 8`, bit `c / 8`) has no bit for characters from 64 up, so those
 * three stay live in the regexp path: `*.js|*.ts` is the alternation of `^[^/]*\.js` (no end
 * anchor) and `[^/]*\.ts$` (no start anchor), and `?{2}` repeats. In exact patterns they are
 * plain text.
 *
 * A regexp Go cannot compile (`x*[`) is not an error when the file is read: patternmatcher only
 * compiles a pattern the first time a path is tried against it, and the walk fails then.
 */
import { GoRegexpError, translateGoRegexp } from './go-regexp.js';

/**
 * `suffix-bytes` is a suffix match on UTF-8 bytes that do not start on a character boundary
 * (see compilePattern); `invalid` is a pattern whose regexp does not compile, so every attempt
 * to match it fails the walk.
 */
export type PatternKind = 'exact' | 'prefix' | 'suffix' | 'suffix-bytes' | 'regexp' | 'invalid';

export type CompiledPattern =
  | { kind: 'exact' | 'prefix'; text: string }
  | { kind: 'suffix'; text: string; bare: string | undefined }
  | { kind: 'suffix-bytes'; bytes: Buffer }
  | { kind: 'regexp'; regexp: RegExp }
  | { kind: 'invalid'; reason: string };

/** The characters of `.+()|{}$` that patternmatcher's bitmap actually escapes (see above). */
const ESCAPED = new Set(['.', '+', '(', ')', '$']);

/** The Go regexp source and fast-path choice for a cleaned pattern (without its `!`). */
export function patternSource(pattern: string): { source: string; kind: PatternKind } {
  // Go reads the pattern with text/scanner, which drops a byte-order mark at the very start.
  // The fast paths below still use the whole pattern text, BOM included.
  let at = pattern.startsWith('\uFEFF') ? 1 : 0;
  const peek = (): string | undefined =>
    at < pattern.length ? String.fromCodePoint(pattern.codePointAt(at)!) : undefined;
  const next = (): string => {
    const c = peek()!;
    at += c.length;
    return c;
  };
  let source = '^';
  let kind: PatternKind = 'exact';
  for (let i = 0; at < pattern.length; i++) {
    const c = next();
    if (c === '*') {
      if (peek() === '*') {
        next();
        if (peek() === '/') next();
        if (peek() === undefined) {
          if (kind === 'exact') kind = 'prefix';
          else {
            source += '.*';
            kind = 'regexp';
          }
        } else {
          source += '(.*/)?';
          kind = 'regexp';
        }
        // A leading `**` selects the suffix path even though the regexp was already started.
        if (i === 0) kind = 'suffix';
      } else {
        source += '[^/]*';
        kind = 'regexp';
      }
    } else if (c === '?') {
      source += '[^/]';
      kind = 'regexp';
    } else if (ESCAPED.has(c)) {
      source += `\\${c}`;
    } else if (c === '\\') {
      // A trailing backslash stays as it is; the `$` appended below then reads as `\$`.
      if (peek() === undefined) source += '\\';
      else {
        source += `\\${next()}`;
        kind = 'regexp';
      }
    } else if (c === '[' || c === ']') {
      source += c;
      kind = 'regexp';
    } else {
      source += c;
    }
  }
  return { source: `${source}$`, kind };
}

export function compilePattern(pattern: string): CompiledPattern {
  const { source, kind } = patternSource(pattern);
  switch (kind) {
    case 'exact':
      return { kind, text: pattern };
    case 'prefix':
      return { kind, text: pattern.slice(0, -2) };
    case 'suffix': {
      if (pattern.startsWith('\uFEFF')) {
        // Go takes `pattern[2:]` in bytes; after a BOM that starts inside the BOM's encoding
        // (0xBF …), which only a byte comparison reproduces.
        return { kind: 'suffix-bytes', bytes: Buffer.from(pattern, 'utf8').subarray(2) };
      }
      const text = pattern.slice(2);
      return { kind, text, bare: text.startsWith('/') ? text.slice(1) : undefined };
    }
    default:
      try {
        return { kind: 'regexp', regexp: translateGoRegexp(source) };
      } catch (err) {
        if (err instanceof GoRegexpError) return { kind: 'invalid', reason: err.message };
        throw err;
      }
  }
}

/** `Pattern.match`. Returns undefined for a pattern whose regexp does not compile. */
export function matchPattern(p: CompiledPattern, path: string): boolean | undefined {
  switch (p.kind) {
    case 'exact':
      return path === p.text;
    case 'prefix':
      return path.startsWith(p.text);
    case 'suffix':
      return path.endsWith(p.text) || path === p.bare;
    case 'suffix-bytes': {
      const bytes = Buffer.from(path, 'utf8');
      return bytes.length >= p.bytes.length && bytes.subarray(bytes.length - p.bytes.length).equals(p.bytes);
    }
    case 'regexp':
      return p.regexp.test(path);
    case 'invalid':
      return undefined;
  }
}
