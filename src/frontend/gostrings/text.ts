/**
 * Dockerfiles are bytes, and BuildKit's parser (Go) works on bytes: invalid UTF-8 survives
 * untouched through most of it, some steps look at single bytes, others at decoded runes.
 * To reproduce that exactly with JavaScript strings, text is decoded with "surrogate escapes":
 * each byte that is not part of valid UTF-8 becomes the lone surrogate U+DC80+(byte-0x80),
 * which no valid input can produce. The byte view and Go's quoting can then restore the byte.
 */

const ESCAPE_BASE = 0xdc00;

function isEscapedByte(code: number): boolean {
  return code >= 0xdc80 && code <= 0xdcff;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 the way Go's `utf8.DecodeRune` sees it, keeping invalid bytes as escapes. */
export function decodeBytes(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return decodeWithEscapes(bytes);
  }
}

function decodeWithEscapes(b: Uint8Array): string {
  const parts: string[] = [];
  let chunk: number[] = [];
  const flush = () => {
    if (chunk.length > 0) parts.push(String.fromCodePoint(...chunk));
    chunk = [];
  };
  let i = 0;
  while (i < b.length) {
    const c0 = b[i]!;
    let cp = -1;
    let width = 1;
    if (c0 < 0x80) {
      cp = c0;
    } else if (c0 >= 0xc2 && c0 <= 0xdf && i + 1 < b.length && isCont(b[i + 1]!)) {
      cp = ((c0 & 0x1f) << 6) | (b[i + 1]! & 0x3f);
      width = 2;
    } else if (c0 >= 0xe0 && c0 <= 0xef && i + 2 < b.length && isCont(b[i + 1]!) && isCont(b[i + 2]!)) {
      const v = ((c0 & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f);
      // Overlong forms and UTF-16 surrogates are invalid in Go as in the standard.
      if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) {
        cp = v;
        width = 3;
      }
    } else if (c0 >= 0xf0 && c0 <= 0xf4 && i + 3 < b.length && isCont(b[i + 1]!) && isCont(b[i + 2]!) && isCont(b[i + 3]!)) {
      const v = ((c0 & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f);
      if (v >= 0x10000 && v <= 0x10ffff) {
        cp = v;
        width = 4;
      }
    }
    chunk.push(cp < 0 ? ESCAPE_BASE + c0 : cp);
    if (chunk.length >= 4096) flush();
    i += width;
  }
  flush();
  return parts.join('');
}

function isCont(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * The string's bytes as a "binary string" (one char per byte, 0–255). Go code that indexes a
 * string byte by byte, and turns each byte into a rune, behaves exactly like code working on this
 * view; a multi-byte character becomes several Latin-1 characters, as it does in Go.
 */
export function byteView(s: string): string {
  if (ASCII_ONLY.test(s)) return s;
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (isEscapedByte(code)) out += String.fromCharCode(code - ESCAPE_BASE);
    else if (code < 0x80) out += ch;
    else out += Buffer.from(ch, 'utf8').toString('latin1');
  }
  return out;
}

/**
 * The bytes a string stands for: escaped bytes become the original byte. Anything that leaves
 * lade as bytes (a RUN command line, a file written from a heredoc) must be encoded with this,
 * not with `Buffer.from(s)`, which would turn an escaped byte into U+FFFD.
 */
export function encodeBytes(s: string): Buffer {
  return Buffer.from(byteView(s), 'latin1');
}

/** Inverse of {@link byteView}: bytes back to text, invalid sequences as escapes. */
export function fromByteView(s: string): string {
  if (ASCII_ONLY.test(s)) return s;
  return decodeBytes(Buffer.from(s, 'latin1'));
}

/**
 * `a + b` as Go's byte buffer joins them: an incomplete UTF-8 sequence at the end of `a` may be
 * completed by bytes at the start of `b`. BuildKit drops the escape character and newline between
 * continuation lines, so `\xE2\` followed by the line `\x80\xA8 b` becomes U+2028 (a space).
 */
export function joinBytes(a: string, b: string): string {
  if (a.length > 0 && b.length > 0 && isEscapedByte(a.charCodeAt(a.length - 1)) && isEscapedByte(b.charCodeAt(0))) {
    return fromByteView(byteView(a) + byteView(b));
  }
  return a + b;
}

/**
 * What Go's `string(rune)` / `WriteRune` produce for a decoded rune: an escaped byte was decoded
 * by Go as utf8.RuneError, and writing that rune back gives U+FFFD.
 */
export function runeAsWritten(ch: string): string {
  return ch.length === 1 && isEscapedByte(ch.charCodeAt(0)) ? '\ufffd' : ch;
}

/** Every invalid byte as U+FFFD: what Go code that decodes runes and writes them back produces. */
export function replaceEscapedBytes(s: string): string {
  return ASCII_ONLY.test(s) ? s : s.replace(/(?<![\ud800-\udbff])[\udc80-\udcff]/g, '\ufffd');
}

/** Go's `unicode.IsSpace`. */
export function isGoSpace(code: number): boolean {
  if (code <= 0xff) {
    return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x85 || code === 0xa0;
  }
  return (
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Go's `strings.TrimLeftFunc(s, unicode.IsSpace)`. */
export function trimLeftGoSpace(s: string): string {
  let i = 0;
  while (i < s.length && isGoSpace(s.charCodeAt(i))) i++;
  return i === 0 ? s : s.slice(i);
}

/** Go's `strings.TrimSpace`. */
export function trimGoSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/**
 * Go's `strings.ToLower`, which maps code point by code point. JavaScript's `toLowerCase` differs
 * for U+0130 (full mapping to "i̇") and for a final capital sigma (context-sensitive "ς"). A string
 * that is not all ASCII goes through Go's `strings.Map`, which writes every invalid byte back as
 * U+FFFD: BuildKit's dump shows the keyword `\xffRUN` as `�run`.
 */
export function goLower(s: string): string {
  if (ASCII_ONLY.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) out += ch === '\u0130' ? 'i' : runeAsWritten(ch).toLowerCase();
  return out;
}

/** UTF-8 length in bytes, counting an escaped byte as the one byte it stands for. */
export function byteLength(s: string): number {
  if (ASCII_ONLY.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else if (isEscapedByte(c)) n += 1;
    else n += 3;
  }
  return n;
}

/** Replaces UTF-16 surrogates that are not part of a pair (escaped bytes included) with U+FFFD, as Go's encoding/json does for invalid UTF-8 and unpaired `\uD800` escapes. */
export function replaceLoneSurrogates(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

export { isEscapedByte };
