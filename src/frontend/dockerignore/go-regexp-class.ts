/**
 * Escapes and character classes of Go's regular-expression syntax (RE2 as `regexp.Compile`
 * reads it), turned into JavaScript `u`-mode regex text. moby/patternmatcher passes `[...]` and
 * `\x` from a .dockerignore pattern straight to Go's regexp package, so `[[:digit:]]`, `\d` and
 * `\pL` are live there, and lade has to read them exactly as Go does: same escapes, same
 * errors, same ASCII-only Perl and POSIX classes.
 *
 * Positions are indexes into an array of code points (`cps`), the unit Go's parser steps by.
 */

/** A syntax error Go's regexp parser would report. Internal: callers turn it into a LadeError. */
export class GoRegexpError extends Error {
  override readonly name = 'GoRegexpError';
}

const MAX_RUNE = 0x10ffff;

/**
 * A union of code points: explicit ranges plus JavaScript property escapes (`\p{L}`) that can
 * sit inside `[...]`. Every Go class piece maps onto this without intersections or nesting.
 */
export interface CharSet {
  ranges: Array<readonly [number, number]>;
  props: string[];
}

export const emptySet = (): CharSet => ({ ranges: [], props: [] });

/** One code point as JavaScript regex text; everything but ASCII letters and digits is escaped. */
export function jsCodePoint(c: number): string {
  const letterOrDigit = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return letterOrDigit ? String.fromCharCode(c) : `\\u{${c.toString(16)}}`;
}

export function charSetToJs(set: CharSet, negated: boolean): string {
  const items = set.ranges.map(([lo, hi]) => (lo === hi ? jsCodePoint(lo) : `${jsCodePoint(lo)}-${jsCodePoint(hi)}`));
  return `[${negated ? '^' : ''}${items.join('')}${set.props.join('')}]`;
}

function complement(ranges: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<readonly [number, number]> = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

type Ranges = ReadonlyArray<readonly [number, number]>;
const DIGIT: Ranges = [[0x30, 0x39]];
const WORD: Ranges = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
const PERL_SPACE: Ranges = [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]];

/** Go's Perl classes are ASCII-only (JavaScript's `\s` is not), hence explicit ranges. */
const PERL_CLASSES: ReadonlyMap<string, { ranges: Ranges; negated: boolean }> = new Map([
  ['d', { ranges: DIGIT, negated: false }],
  ['D', { ranges: DIGIT, negated: true }],
  ['s', { ranges: PERL_SPACE, negated: false }],
  ['S', { ranges: PERL_SPACE, negated: true }],
  ['w', { ranges: WORD, negated: false }],
  ['W', { ranges: WORD, negated: true }],
]);

const POSIX_CLASSES: ReadonlyMap<string, Ranges> = new Map<string, Ranges>([
  ['alnum', [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]]],
  ['alpha', [[0x41, 0x5a], [0x61, 0x7a]]],
  ['ascii', [[0x00, 0x7f]]],
  ['blank', [[0x09, 0x09], [0x20, 0x20]]],
  ['cntrl', [[0x00, 0x1f], [0x7f, 0x7f]]],
  ['digit', DIGIT],
  ['graph', [[0x21, 0x7e]]],
  ['lower', [[0x61, 0x7a]]],
  ['print', [[0x20, 0x7e]]],
  ['punct', [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]]],
  ['space', [[0x09, 0x0d], [0x20, 0x20]]],
  ['upper', [[0x41, 0x5a]]],
  ['word', WORD],
  ['xdigit', [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]]],
]);

/** Go's `unicode.Categories` keys. Go's `C` omits unassigned code points (Cn); JavaScript's does not. */
const CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

/**
 * Go's `unicode.Scripts` keys (Unicode 15, Go 1.21 to 1.24). JavaScript accepts more spellings
 * (`Latn`), which Go rejects, so names are checked against Go's list. Not reproduced: Go 1.25's
 * looser lookup (aliases such as `\p{Letter}`, case and `_`/`-`/space ignored).
 */
const SCRIPTS = new Set(
  (
    'Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali ' +
    'Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian ' +
    'Chakma Cham Cherokee Chorasmian Common Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret ' +
    'Devanagari ' +
    'Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Georgian Glagolitic ' +
    'Gothic Grantha Greek Gujarati Gunjala_Gondi Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran ' +
    'Hebrew Hiragana Imperial_Aramaic Inherited Inscriptional_Pahlavi Inscriptional_Parthian Javanese ' +
    'Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Lao ' +
    'Latin ' +
    'Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean ' +
    'Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs ' +
    'Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari Nandinagari New_Tai_Lue Newa Nko Nushu ' +
    'Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic Old_North_Arabian Old_Permic ' +
    'Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage Osmanya Pahawh_Hmong ' +
    'Palmyrene ' +
    'Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan Saurashtra Sharada Shavian ' +
    'Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Syloti_Nagri Syriac Tagalog ' +
    'Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan Tifinagh ' +
    'Tirhuta Toto ' +
    'Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square'
  ).split(' '),
);

function addRanges(set: CharSet, ranges: Ranges, negated: boolean): void {
  set.ranges.push(...(negated ? complement(ranges) : ranges));
}

function addUnicodeGroup(set: CharSet, name: string, negated: boolean, seq: string): void {
  if (name === 'Any') addRanges(set, [[0, MAX_RUNE]], negated);
  else if (name === 'C' && !negated) set.props.push('\\p{Cc}', '\\p{Cf}', '\\p{Co}', '\\p{Cs}');
  else if (name === 'C') set.props.push('\\p{L}', '\\p{M}', '\\p{N}', '\\p{P}', '\\p{S}', '\\p{Z}', '\\p{Cn}');
  else if (CATEGORIES.has(name)) set.props.push(`\\${negated ? 'P' : 'p'}{${name}}`);
  else if (SCRIPTS.has(name)) set.props.push(`\\${negated ? 'P' : 'p'}{Script=${name}}`);
  else throw new GoRegexpError(`invalid character class range: ${seq}`);
}

/** Code points back to text. No spread: a 64 KiB line would exceed the argument limit. */
export function text(cps: readonly number[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < Math.min(to, cps.length); i++) out += String.fromCodePoint(cps[i]!);
  return out;
}

const isOctal = (c: number | undefined): c is number => c !== undefined && c >= 0x30 && c <= 0x37;
const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

function unhex(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** `\a \f \n \r \t \v`. Go has no `\b` escape: outside a class it is a word boundary, inside an error. */
const C_ESCAPES: ReadonlyMap<number, number> = new Map([
  [0x61, 0x07],
  [0x66, 0x0c],
  [0x6e, 0x0a],
  [0x72, 0x0d],
  [0x74, 0x09],
  [0x76, 0x0b],
]);

/**
 * Go's `parseEscape`: the backslash at `at` and what follows, as one code point. Any ASCII
 * punctuation escapes itself; letters only for the C escapes, octal `\0`-`\777` (a lone `\1` is a
 * back-reference, which RE2 refuses), and hex `\x41` / `\x{1F600}`.
 */
export function parseEscape(cps: readonly number[], at: number): { code: number; next: number } {
  const c = cps[at + 1];
  if (c === undefined) throw new GoRegexpError('trailing backslash at end of expression');
  let i = at + 2;
  const invalid = (): GoRegexpError => new GoRegexpError(`invalid escape sequence: ${text(cps, at, i)}`);
  if (c < 0x80 && !isAlnum(c)) return { code: c, next: i };
  if (c >= 0x31 && c <= 0x37 && !isOctal(cps[i])) throw invalid();
  if (c >= 0x30 && c <= 0x37) {
    let code = c - 0x30;
    for (let k = 1; k < 3 && isOctal(cps[i]); k++) code = code * 8 + (cps[i++]! - 0x30);
    return { code, next: i };
  }
  if (c === 0x78 /* x */) {
    if (cps[i] === 0x7b /* { */) {
      i++;
      let code = 0;
      let digits = 0;
      for (;;) {
        const d = cps[i++];
        if (d === undefined) throw invalid();
        if (d === 0x7d /* } */) break;
        const v = unhex(d);
        if (v < 0) throw invalid();
        code = code * 16 + v;
        if (code > MAX_RUNE) throw invalid();
        digits++;
      }
      if (digits === 0) throw invalid();
      return { code, next: i };
    }
    const x = unhex(cps[i++]);
    const y = unhex(cps[i++]);
    if (x < 0 || y < 0) throw invalid();
    return { code: x * 16 + y, next: i };
  }
  const code = C_ESCAPES.get(c);
  if (code === undefined) throw invalid();
  return { code, next: i };
}

/** `\d \D \s \S \w \W` at `at`, added to `set`; false when the text there is something else. */
export function addPerlClass(cps: readonly number[], at: number, set: CharSet): boolean {
  const letter = cps[at + 1];
  if (cps[at] !== 0x5c || letter === undefined) return false;
  const group = PERL_CLASSES.get(String.fromCodePoint(letter));
  if (group === undefined) return false;
  addRanges(set, group.ranges, group.negated);
  return true;
}

/**
 * Go's `parseUnicodeClass`: `\pL`, `\p{Greek}`, `\PL`, `\p{^L}` at `at`. Returns the index after
 * it, or -1 when the text there is not `\p`/`\P`. Once it sees `\p`, anything unknown is an error.
 */
export function addUnicodeClass(cps: readonly number[], at: number, set: CharSet): number {
  const kind = cps[at + 1];
  if (cps[at] !== 0x5c || (kind !== 0x70 && kind !== 0x50)) return -1;
  let negated = kind === 0x50;
  const first = cps[at + 2];
  let name: string;
  let next: number;
  if (first !== 0x7b /* { */) {
    // At the end of the expression Go reads U+FFFD here, which names no class.
    name = first === undefined ? '' : String.fromCodePoint(first);
    next = first === undefined ? at + 2 : at + 3;
  } else {
    const close = cps.indexOf(0x7d /* } */, at);
    if (close < 0) throw new GoRegexpError(`invalid character class range: ${text(cps, at, cps.length)}`);
    name = text(cps, at + 3, close);
    next = close + 1;
  }
  if (name.startsWith('^')) {
    negated = !negated;
    name = name.slice(1);
  }
  addUnicodeGroup(set, name, negated, text(cps, at, next));
  return next;
}

/**
 * Go's `parseClass` for the `[` at `at`: returns the class as JavaScript text and the index
 * after its `]`. A `]` right after `[` or `[^` is a literal; `-` is literal unless it joins two
 * ends; `[:name:]` is looked up wherever the next `:]` is, even past the class's own end.
 */
export function parseClass(cps: readonly number[], at: number): { js: string; next: number } {
  let i = at + 1;
  const negated = cps[i] === 0x5e; /* ^ */
  if (negated) i++;
  const set = emptySet();
  const missing = (): GoRegexpError => new GoRegexpError(`missing closing ]: ${text(cps, at, cps.length)}`);
  let first = true;
  while (i >= cps.length || cps[i] !== 0x5d /* ] */ || first) {
    first = false;
    if (i >= cps.length) throw missing();
    if (cps.length - i > 2 && cps[i] === 0x5b && cps[i + 1] === 0x3a /* [: */) {
      const end = indexOfPair(cps, i + 2, 0x3a, 0x5d); // ":]"
      if (end >= 0) {
        const name = text(cps, i, end + 2);
        const negatedGroup = name.startsWith('[:^');
        const ranges = POSIX_CLASSES.get(name.slice(negatedGroup ? 3 : 2, -2));
        if (ranges === undefined) throw new GoRegexpError(`invalid character class range: ${name}`);
        addRanges(set, ranges, negatedGroup);
        i = end + 2;
        continue;
      }
    }
    const afterUnicode = addUnicodeClass(cps, i, set);
    if (afterUnicode >= 0) {
      i = afterUnicode;
      continue;
    }
    if (addPerlClass(cps, i, set)) {
      i += 2;
      continue;
    }
    const lo = classChar(cps, i, missing);
    let hi = lo;
    if (cps.length - lo.next >= 2 && cps[lo.next] === 0x2d /* - */ && cps[lo.next + 1] !== 0x5d) {
      hi = classChar(cps, lo.next + 1, missing);
      if (hi.code < lo.code) throw new GoRegexpError(`invalid character class range: ${text(cps, i, hi.next)}`);
    }
    set.ranges.push([lo.code, hi.code]);
    i = hi.next;
  }
  return { js: charSetToJs(set, negated), next: i + 1 };
}

function classChar(cps: readonly number[], at: number, missing: () => GoRegexpError): { code: number; next: number } {
  const c = cps[at];
  if (c === undefined) throw missing();
  return c === 0x5c ? parseEscape(cps, at) : { code: c, next: at + 1 };
}

function indexOfPair(cps: readonly number[], from: number, a: number, b: number): number {
  for (let i = from; i + 1 < cps.length; i++) if (cps[i] === a && cps[i + 1] === b) return i;
  return -1;
}
