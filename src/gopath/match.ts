/**
 * Go's `filepath.Match` (Unix flavour), as tonistiigi/fsutil's copy (and so BuildKit's COPY
 * source selection) uses it, and fsutil's `containsWildcards`.
 *
 * Go matches bytes, not UTF-16 units: `*` may stop inside a multi-byte character and `?` or a
 * class then decodes what follows. Both pattern and name are matched here as UTF-8 bytes so
 * that every answer is Go's. A malformed pattern (`[a`, a trailing `\`) matches nothing: fsutil
 * calls `filepath.Match` and drops its error.
 */

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const DASH = 0x2d;
const SLASH = 0x2f;

/** A pattern compiled once for matching many names. */
export interface GoPattern {
  readonly source: string;
  /** Does `name` (a '/'-separated relative path) match the whole pattern? */
  matches(name: string): boolean;
  /**
   * The most '/'-separated components a matching name can have: `*` and `?` never match '/',
   * but a class can (`a[^x]b` matches `a/b`), so each class may add one.
   */
  readonly maxComponents: number;
}

export function compileGoPattern(source: string): GoPattern {
  const pattern = Buffer.from(source, 'utf8');
  let maxComponents = 1;
  for (const byte of pattern) if (byte === SLASH || byte === OPEN) maxComponents++;
  return {
    source,
    maxComponents,
    matches: (name) => goMatch(pattern, Buffer.from(name, 'utf8')) === true,
  };
}

/** `filepath.Match`: true or false, or undefined for ErrBadPattern. */
export function goMatch(pattern: Uint8Array, name: Uint8Array): boolean | undefined {
  let p = 0;
  let n = 0;
  outer: while (p < pattern.length) {
    const { star, start, end } = scanChunk(pattern, p);
    p = end;
    if (star && start === end) {
      // A trailing star matches the rest unless it holds a '/'.
      return name.indexOf(SLASH, n) < 0;
    }
    const here = matchChunk(pattern, start, end, name, n);
    if (here === BAD) return undefined;
    if (here >= 0 && (here === name.length || p < pattern.length)) {
      n = here;
      continue;
    }
    if (star) {
      // Retry the chunk after skipping i+1 bytes; a star never skips a '/'.
      for (let i = n; i < name.length && name[i] !== SLASH; i++) {
        const later = matchChunk(pattern, start, end, name, i + 1);
        if (later === BAD) return undefined;
        if (later >= 0) {
          if (p === pattern.length && later < name.length) continue;
          n = later;
          continue outer;
        }
      }
    }
    return false;
  }
  return n === name.length;
}

/** Go's scanChunk: leading stars, then bytes up to the next star outside a class. */
function scanChunk(pattern: Uint8Array, from: number): { star: boolean; start: number; end: number } {
  let start = from;
  while (start < pattern.length && pattern[start] === STAR) start++;
  let inRange = false;
  let i = start;
  for (; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === BACKSLASH) {
      if (i + 1 < pattern.length) i++;
    } else if (c === OPEN) inRange = true;
    else if (c === CLOSE) inRange = false;
    else if (c === STAR && !inRange) break;
  }
  return { star: start > from, start, end: i };
}

const FAIL = -1;
const BAD = -2;

/**
 * Go's matchChunk: where in `name` the chunk pattern[start, end) stops matching from `at`, FAIL,
 * or BAD for a malformed chunk. After a mismatch Go reads the rest of the chunk without reading
 * the name, so a malformed chunk is reported even then.
 */
function matchChunk(pattern: Uint8Array, start: number, end: number, name: Uint8Array, at: number): number {
  let failed = false;
  let i = start;
  let s = at;
  while (i < end) {
    if (!failed && s >= name.length) failed = true;
    const c = pattern[i]!;
    if (c === OPEN) {
      let r = 0;
      if (!failed) {
        const [rune, size] = decodeRune(name, s);
        r = rune;
        s += size;
      }
      i++;
      const negated = i < end && pattern[i] === CARET;
      if (negated) i++;
      let match = false;
      for (let ranges = 0; ; ranges++) {
        if (i < end && pattern[i] === CLOSE && ranges > 0) {
          i++;
          break;
        }
        const lo = rangeEnd(pattern, i, end);
        if (lo === undefined) return BAD;
        let hi = lo;
        if (pattern[lo.next] === DASH) {
          const upper = rangeEnd(pattern, lo.next + 1, end);
          if (upper === undefined) return BAD;
          hi = upper;
        }
        if (lo.rune <= r && r <= hi.rune) match = true;
        i = hi.next;
      }
      if (match === negated) failed = true;
    } else if (c === QUESTION) {
      if (!failed) {
        if (name[s] === SLASH) failed = true;
        s += decodeRune(name, s)[1];
      }
      i++;
    } else {
      if (c === BACKSLASH) {
        i++;
        if (i >= end) return BAD;
      }
      if (!failed) {
        if (pattern[i] !== name[s]) failed = true;
        s++;
      }
      i++;
    }
  }
  return failed ? FAIL : s;
}

/** Go's getEsc: one possibly escaped range end, which something must follow. */
function rangeEnd(pattern: Uint8Array, from: number, end: number): { rune: number; next: number } | undefined {
  let i = from;
  if (i >= end || pattern[i] === DASH || pattern[i] === CLOSE) return undefined;
  if (pattern[i] === BACKSLASH) {
    i++;
    if (i >= end) return undefined;
  }
  const [rune, size] = decodeRune(pattern, i);
  if (rune === 0xfffd && size === 1) return undefined;
  i += size;
  if (i >= end) return undefined;
  return { rune, next: i };
}

/** utf8.DecodeRune: the code point at `at` and its length; U+FFFD and 1 for a bad sequence. */
function decodeRune(bytes: Uint8Array, at: number): [number, number] {
  const b0 = bytes[at];
  if (b0 === undefined) return [0xfffd, 0];
  if (b0 < 0x80) return [b0, 1];
  const need = b0 >= 0xf0 && b0 <= 0xf4 ? 3 : b0 >= 0xe0 ? 2 : b0 >= 0xc2 && b0 < 0xe0 ? 1 : -1;
  if (need < 0 || at + need >= bytes.length) return [0xfffd, 1];
  let cp = b0 & (0x3f >> need);
  for (let k = 1; k <= need; k++) {
    const b = bytes[at + k]!;
    if ((b & 0xc0) !== 0x80) return [0xfffd, 1];
    cp = (cp << 6) | (b & 0x3f);
  }
  const min = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return [0xfffd, 1];
  return [cp, need + 1];
}

/** fsutil's containsWildcards: an unescaped `*`, `?` or `[`. */
export function containsWildcards(component: string): boolean {
  for (let i = 0; i < component.length; i++) {
    const c = component[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

/** `filepath.Match` on strings (their UTF-8 bytes), a malformed pattern matching nothing. */
export function goMatchString(pattern: string, name: string): boolean {
  return goMatch(Buffer.from(pattern, 'utf8'), Buffer.from(name, 'utf8')) === true;
}
