/**
 * Go's string semantics where templates expose them: Go strings are UTF-8 bytes (`len`,
 * `slice`, `index` and Docker's `truncate` count bytes), case mapping is per rune with Unicode's
 * simple mappings (`upper "ß"` stays `ß`, where JavaScript gives `SS`), and `%q` is
 * strconv.Quote.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

export function byteLength(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * `s[start:end]` in bytes. A cut inside a multi-byte sequence leaves bytes Go would print raw;
 * JavaScript strings cannot hold them, so each such fragment becomes U+FFFD.
 */
export function sliceBytes(s: string, start: number, end?: number): string {
  return decoder.decode(utf8Bytes(s).subarray(start, end));
}

export function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** unicode.ToUpper per rune: a special-case expansion (ß → SS) is not a simple mapping. */
export function goToUpper(s: string): string {
  let out = '';
  for (const ch of s) {
    const up = ch.toUpperCase();
    out += [...up].length === 1 ? up : ch;
  }
  return out;
}

/** unicode.ToLower per rune; İ lowers to i (JavaScript adds a combining dot). */
export function goToLower(s: string): string {
  let out = '';
  for (const ch of s) {
    const low = ch.toLowerCase();
    out += [...low].length === 1 ? low : String.fromCodePoint(low.codePointAt(0) ?? 0);
  }
  return out;
}

/** unicode.ToTitle: the upper case except for the four Latin digraphs with a title form. */
function toTitleRune(ch: string): string {
  const c = ch.codePointAt(0) ?? 0;
  if (c >= 0x1c4 && c <= 0x1cc) return String.fromCodePoint(c - ((c - 0x1c4) % 3) + 1);
  if (c >= 0x1f1 && c <= 0x1f3) return '\u01f2';
  return goToUpper(ch);
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;
const SPACE = /^[\t\n\v\f\r \u0085\u00a0\p{Zs}\u2028\u2029]$/u;

/** strings.Title's word boundaries: ASCII non-alphanumerics, and spaces beyond ASCII. */
function isSeparator(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if (c <= 0x7f) return !/[0-9A-Za-z_]/.test(ch);
  if (LETTER_OR_DIGIT.test(ch)) return false;
  return SPACE.test(ch);
}

export function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? toTitleRune(ch) : ch;
    prev = ch;
  }
  return out;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(ch: string): boolean {
  return PRINTABLE.test(ch);
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

const ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** One rune as strconv escapes it inside a literal delimited by `quote`. */
export function escapeRune(ch: string, quote: string, asciiOnly = false): string {
  if (ch === quote || ch === '\\') return '\\' + ch;
  let c = ch.codePointAt(0) ?? 0;
  if (asciiOnly ? c < 0x80 && isPrint(ch) : isPrint(ch)) return ch;
  const named = ESCAPES[ch];
  if (named !== undefined) return named;
  if (c < 0x20 || c === 0x7f) return '\\x' + hex(c, 2);
  if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
  return c < 0x10000 ? '\\u' + hex(c, 4) : '\\U' + hex(c, 8);
}

/** strconv.Quote (or QuoteToASCII). */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch, '"', asciiOnly);
  return out + '"';
}

/** strconv.CanBackquote: `%#q` uses a raw string when this holds. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '`' || c === 0xfeff || (c < 0x20 && ch !== '\t') || c === 0x7f || c === 0xfffd) return false;
  }
  return true;
}

/**
 * strconv.UnquoteChar: the first character of `s` (a literal's body, `quote` its delimiter),
 * escapes decoded, and the text after it. Throws `invalid syntax` as strconv does.
 */
export function unquoteChar(s: string, quote: string): { value: string; tail: string } {
  const cp = s.codePointAt(0);
  if (cp === undefined) throw new Error('invalid syntax');
  const ch = String.fromCodePoint(cp);
  if (ch === quote && (quote === "'" || quote === '"')) throw new Error('invalid syntax');
  if (ch !== '\\') return { value: ch, tail: s.slice(ch.length) };
  const [value, next] = unescape(s, 1, quote);
  return { value, tail: s.slice(next) };
}

/**
 * strconv.Unquote for the literals a template may contain: "…" with Go escapes and `…` raw.
 * Throws `invalid syntax` on malformed input.
 */
export function goUnquote(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q) throw new Error('invalid syntax');
  const body = lit.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new Error('invalid syntax');
    return body.replaceAll('\r', '');
  }
  if (q !== '"') throw new Error('invalid syntax');
  let out = '';
  for (let rest = body; rest.length > 0; ) {
    if (rest[0] === '\n') throw new Error('invalid syntax');
    const { value, tail } = unquoteChar(rest, q);
    out += value;
    rest = tail;
  }
  return out;
}

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

function unescape(body: string, i: number, quote: string): [string, number] {
  const c = body[i];
  if (c === undefined) throw new Error('invalid syntax');
  const simple = SIMPLE[c];
  if (simple !== undefined) return [simple, i + 1];
  if (c === quote) return [c, i + 1];
  const hexLen = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hexLen > 0) {
    const digits = body.slice(i + 1, i + 1 + hexLen);
    if (digits.length !== hexLen || !/^[0-9a-fA-F]+$/.test(digits)) throw new Error('invalid syntax');
    const v = parseInt(digits, 16);
    if (c === 'x') {
      // \xNN is a byte; only ASCII bytes survive as text in a JavaScript string.
      return [v < 0x80 ? String.fromCharCode(v) : '\ufffd', i + 1 + hexLen];
    }
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new Error('invalid syntax');
    return [String.fromCodePoint(v), i + 1 + hexLen];
  }
  if (c >= '0' && c <= '7') {
    const digits = body.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(digits)) throw new Error('invalid syntax');
    const v = parseInt(digits, 8);
    if (v > 255) throw new Error('invalid syntax');
    return [v < 0x80 ? String.fromCharCode(v) : '\ufffd', i + 3];
  }
  throw new Error('invalid syntax');
}
