import { CH_BOM, EOF } from './chars.js';

/**
 * Reads a string one code point at a time, like Go's `text/scanner` Peek/Next as BuildKit uses
 * them. A lone surrogate (impossible in a string decoded from UTF-8) is returned as itself.
 */
export class RuneScanner {
  readonly src: string;
  /** UTF-16 offset of the next unread character. */
  pos: number;

  constructor(src: string) {
    this.src = src;
    // text/scanner drops one byte-order mark at the very start of its input, so BuildKit does
    // too: "\uFEFFabc" expands to "abc". A BOM anywhere else is an ordinary character.
    this.pos = src.charCodeAt(0) === CH_BOM ? 1 : 0;
  }

  peek(): number {
    return this.src.codePointAt(this.pos) ?? EOF;
  }

  next(): number {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) return EOF;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  /**
   * Consumes characters up to (not including) the first one marked in `stops`, or to the end,
   * and returns them. `stops` is indexed by ASCII code; every stop character is ASCII, so a
   * surrogate pair is never split.
   */
  takeUntil(stops: Uint8Array): string {
    const src = this.src;
    const start = this.pos;
    const end = src.length;
    let i = start;
    while (i < end) {
      const c = src.charCodeAt(i);
      if (c < 0x80 && stops[c] === 1) break;
      i++;
    }
    this.pos = i;
    return i === start ? '' : src.slice(start, i);
  }
}

/** A lookup table for {@link RuneScanner.takeUntil} from ASCII code points. */
export function stopTable(codes: readonly number[]): Uint8Array {
  const table = new Uint8Array(0x80);
  for (const c of codes) table[c] = 1;
  return table;
}
