/**
 * The syntax check moby/patternmatcher runs on each pattern when BuildKit builds its matcher:
 * `filepath.Match(pattern, ".")` must not return ErrBadPattern. Go's filepath.Match (unlike
 * path.Match, which checks the rest of the pattern since Go 1.16) does not validate a whole
 * pattern up front: it matches chunk by chunk (text between stars) against ".", checking each
 * chunk it reaches in full, and stops at the first chunk that cannot match. So `[abc` is an
 * error, but `x*[` and `a/*\/[` are accepted (matching "." fails at the first chunk before the
 * broken class is read) and only fail later, as a regexp (pattern.ts). That is why this module
 * runs Go's matching algorithm rather than a grammar check.
 *
 * Malformed, where reached: an unterminated class, a class with no item before `]` (`[]`,
 * `[^]`), `-` not between two range ends (`[-a]`, `[a-]`), and a backslash with nothing after it.
 */

/** Returns why Go's `filepath.Match(pattern, ".")` fails, or undefined when it does not. */
export function globSyntaxError(pattern: string): string | undefined {
  // The name is ".": one ASCII byte, so UTF-16 indexes below agree with Go's byte indexes.
  let name = '.';
  let rest = pattern;
  chunks: while (rest.length > 0) {
    const { star, chunk, after } = scanChunk(rest);
    if (star && chunk === '') return undefined; // a trailing star: Match returns at once
    const here = matchChunk(chunk, name);
    if (here.ok && (here.rest === '' || after !== '')) {
      name = here.rest;
      rest = after;
      continue;
    }
    if (here.error !== undefined) return here.error;
    if (star) {
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const later = matchChunk(chunk, name.slice(i + 1));
        if (later.ok) {
          if (after === '' && later.rest !== '') continue;
          name = later.rest;
          rest = after;
          continue chunks;
        }
        if (later.error !== undefined) return later.error;
      }
    }
    return undefined;
  }
  return undefined;
}

/**
 * Go's `scanChunk`: skip leading stars, then take text up to the next star outside a class.
 * Its bracket tracking is naive (any `]` ends a class), and chunk boundaries decide which parts
 * get checked, so they are reproduced as they are.
 */
function scanChunk(pattern: string): { star: boolean; chunk: string; after: string } {
  let start = 0;
  while (start < pattern.length && pattern[start] === '*') start++;
  let inRange = false;
  let i = start;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case '\\':
        if (i + 1 < pattern.length) i++;
        break;
      case '[':
        inRange = true;
        break;
      case ']':
        inRange = false;
        break;
      case '*':
        if (!inRange) break scan;
        break;
    }
  }
  return { star: start > 0, chunk: pattern.slice(start, i), after: pattern.slice(i) };
}

type ChunkResult = { ok: boolean; rest: string; error?: undefined } | { ok: false; rest: string; error: string };

/**
 * Go's `matchChunk`: match `chunk` at the start of `s`. After a mismatch it keeps reading the
 * chunk (without consuming `s`) so that a malformed chunk is always reported.
 */
function matchChunk(chunk: string, s: string): ChunkResult {
  let failed = false;
  let i = 0;
  let si = 0;
  while (i < chunk.length) {
    if (!failed && si >= s.length) failed = true;
    const c = chunk[i];
    if (c === '[') {
      let r = 0;
      if (!failed) {
        r = s.codePointAt(si)!;
        si += r > 0xffff ? 2 : 1;
      }
      i++;
      const negated = chunk[i] === '^';
      if (negated) i++;
      let match = false;
      for (let ranges = 0; ; ranges++) {
        if (chunk[i] === ']' && ranges > 0) {
          i++;
          break;
        }
        const lo = rangeEnd(chunk, i);
        if (typeof lo === 'string') return { ok: false, rest: '', error: lo };
        let hi = lo;
        if (chunk[lo.next] === '-') {
          const end = rangeEnd(chunk, lo.next + 1);
          if (typeof end === 'string') return { ok: false, rest: '', error: end };
          hi = end;
        }
        if (lo.code <= r && r <= hi.code) match = true;
        i = hi.next;
      }
      if (match === negated) failed = true;
    } else if (c === '?') {
      if (!failed) {
        if (s[si] === '/') failed = true;
        si += s.codePointAt(si)! > 0xffff ? 2 : 1;
      }
      i++;
    } else {
      if (c === '\\') {
        i++;
        if (i >= chunk.length) return { ok: false, rest: '', error: 'trailing backslash' };
      }
      if (!failed) {
        if (chunk[i] !== s[si]) failed = true;
        si++;
      }
      i++;
    }
  }
  return failed ? { ok: false, rest: '' } : { ok: true, rest: s.slice(si) };
}

/**
 * Go's `getEsc`: one (possibly escaped) range end inside a class, and the index after it. Go
 * also requires something to follow it, which is how an unterminated class is detected.
 */
function rangeEnd(chunk: string, start: number): { code: number; next: number } | string {
  let i = start;
  const c = chunk[i];
  if (c === undefined) return 'unterminated character class';
  if (c === '-' || c === ']') return `"${c}" cannot start a range in a character class`;
  if (c === '\\') {
    i++;
    if (i >= chunk.length) return 'unterminated character class';
  }
  const code = chunk.codePointAt(i)!;
  i += code > 0xffff ? 2 : 1;
  if (i >= chunk.length) return 'unterminated character class';
  return { code, next: i };
}
