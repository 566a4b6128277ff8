/**
 * Go's `strconv.Quote` (the `%q` verb), which BuildKit uses to show the failing word in
 * `failed to process %q`. Unlike JSON it writes printable Unicode as-is and uses `\x`, `\u` and
 * `\U` escapes with lower-case hex.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
};

function hex(cp: number, width: number): string {
  return cp.toString(16).padStart(width, '0');
}

function quoteRune(cp: number): string {
  if (cp === 0x22) return '\\"';
  if (cp === 0x5c) return '\\\\';
  if (cp >= 0x20 && cp < 0x7f) return String.fromCharCode(cp);
  // A lone surrogate reaches Go as U+FFFD once the string is encoded as UTF-8, and U+FFFD is
  // printable.
  if (cp >= 0xd800 && cp <= 0xdfff) return '\uFFFD';
  const ch = String.fromCodePoint(cp);
  if (cp >= 0x80 && PRINTABLE.test(ch)) return ch;
  const short = SHORT_ESCAPES[cp];
  if (short !== undefined) return short;
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex(cp, 2)}`;
  if (cp < 0x10000) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += quoteRune(ch.codePointAt(0) ?? 0xfffd);
  return out + '"';
}
