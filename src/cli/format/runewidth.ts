/**
 * Display width of text in terminal columns, as github.com/mattn/go-runewidth's StringWidth
 * computes it for Docker's tabwriter (in a non-East-Asian locale): control characters and
 * zero-width code points count 0, East Asian wide and fullwidth characters (CJK, Hangul, kana,
 * fullwidth forms, emoji) count 2, everything else 1, and a grapheme cluster counts as its first
 * code point of non-zero width.
 *
 * go-runewidth carries generated Unicode tables; this module uses JavaScript's Unicode property
 * escapes and the wide blocks instead. The two agree on ASCII, Latin, Cyrillic, Greek, CJK,
 * Hangul, kana, fullwidth forms and emoji; they may differ on rare characters whose East Asian
 * width is W outside those blocks.
 */

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u070f\u180b-\u180e\u200b-\u200f\u2028-\u202e\u206a-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff]$/u;
const EMOJI = /^\p{Emoji_Presentation}$/u;

/** East Asian Wide and Fullwidth blocks (EastAsianWidth.txt W and F), as [first, last] pairs. */
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f200, 0x1f2ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

function isWide(c: number): boolean {
  for (const [first, last] of WIDE) {
    if (c < first) return false;
    if (c <= last) return true;
  }
  return false;
}

/** go-runewidth's RuneWidth outside East Asian locales. */
export function runeWidth(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  if (c < 0x20) return 0;
  if ((c >= 0x7f && c <= 0x9f) || c === 0xad) return 0;
  if (c < 0x300) return 1;
  if (c >= 0xd800 && c <= 0xdfff) return 0;
  if (ZERO_WIDTH.test(ch)) return 0;
  if (isWide(c) || EMOJI.test(ch)) return 2;
  return 1;
}

// Made on first use: constructing a Segmenter loads ICU data, about 10 ms that every lade command
// would otherwise pay at start-up, table output or not.
let segmenter: Intl.Segmenter | undefined;

export function stringWidth(s: string): number {
  let ascii = true;
  let width = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      ascii = false;
      break;
    }
    if (c >= 0x20 && c !== 0x7f) width++;
  }
  if (ascii) return width;
  const runes = [...s];
  if (runes.length === 1) return runeWidth(runes[0]!);
  width = 0;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { segment } of segmenter.segment(s)) {
    for (const ch of segment) {
      const w = runeWidth(ch);
      if (w > 0) {
        width += w;
        break;
      }
    }
  }
  return width;
}
