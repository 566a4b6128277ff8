/**
 * Go's `strconv.Quote` (`%q`), which BuildKit's AST dump uses for every argument and its error
 * messages for the words they name. It differs from
 * JSON.stringify: printable Unicode stays raw, control bytes are `\xNN`, other non-printables are
 * `\uNNNN`/`\UNNNNNNNN`, and a byte that is not valid UTF-8 is `\xNN`.
 */
import { isEscapedByte } from './text.js';

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const NEEDS_WORK = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/;

const SHORT_ESCAPES: Record<number, string> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

export function goQuote(s: string): string {
  if (!NEEDS_WORK.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (isEscapedByte(code)) out += `\\x${hex(code - 0xdc00, 2)}`;
    // Any other lone surrogate can only come from a JSON `\\uD800` escape; Go holds it as U+FFFD.
    else if (code >= 0xd800 && code <= 0xdfff) out += '\ufffd';
    else if (code < 0x80 ? code >= 0x20 && code < 0x7f : PRINTABLE.test(ch)) out += ch;
    else if (SHORT_ESCAPES[code] !== undefined) out += SHORT_ESCAPES[code];
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}
