/**
 * Character classes of the lexer, on Unicode code points. BuildKit's lexer reads runes with Go's
 * `unicode` package, so these follow Go's definitions rather than JavaScript's (`\s` in a JS
 * regex, for example, includes U+FEFF and leaves out U+0085, which Go does the other way round).
 */

/** What the scanners return past the last character. */
export const EOF = -1;

export const CH_TAB = 0x09;
export const CH_LF = 0x0a;
export const CH_CR = 0x0d;
export const CH_SPACE = 0x20;
export const CH_DQUOTE = 0x22;
export const CH_HASH = 0x23;
export const CH_DOLLAR = 0x24;
export const CH_PERCENT = 0x25;
export const CH_SQUOTE = 0x27;
export const CH_STAR = 0x2a;
export const CH_PLUS = 0x2b;
export const CH_MINUS = 0x2d;
export const CH_SLASH = 0x2f;
export const CH_COLON = 0x3a;
export const CH_LT = 0x3c;
export const CH_QUESTION = 0x3f;
export const CH_BACKSLASH = 0x5c;
export const CH_UNDERSCORE = 0x5f;
export const CH_BACKTICK = 0x60;
export const CH_LBRACE = 0x7b;
export const CH_RBRACE = 0x7d;
export const CH_BOM = 0xfeff;

const LETTER = /^\p{L}$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;

export { isGoSpace } from '../gostrings/index.js';

/** Go's `unicode.IsDigit` (category Nd, so other scripts' digits count too). */
export function isGoDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  if (cp <= 0xff) return false;
  return DECIMAL_DIGIT.test(String.fromCodePoint(cp));
}

/** Go's `unicode.IsLetter` (category L). */
export function isGoLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  if (cp < 0) return false;
  return LETTER.test(String.fromCodePoint(cp));
}

/** A character that may continue a variable name: letter, digit or underscore. */
export function isNameChar(cp: number): boolean {
  return cp === CH_UNDERSCORE || isGoLetter(cp) || isGoDigit(cp);
}

/**
 * POSIX special parameters (`$@ $* $# $? $- $$ $! $0`). Their names are a single character, so
 * `$@@@` is `$@` followed by `@@`. `0` is listed for completeness but digits are read as a
 * positional parameter first, which takes all following digits.
 */
export function isSpecialParam(cp: number): boolean {
  switch (cp) {
    case 0x40: // @
    case CH_STAR:
    case CH_HASH:
    case CH_QUESTION:
    case CH_MINUS:
    case CH_DOLLAR:
    case 0x21: // !
    case 0x30: // 0
      return true;
    default:
      return false;
  }
}

/** The blanks BuildKit allows between `<<` and a heredoc word (not newlines, not Unicode spaces). */
export function isHeredocBlank(cp: number): boolean {
  return cp === CH_TAB || cp === CH_CR || cp === CH_SPACE;
}

/**
 * Go's `string(rune)`: EOF (-1) and surrogate halves, which are not valid runes, become U+FFFD.
 * BuildKit builds some error messages from the character it read, so `${PWD` reports
 * "unsupported modifier (\uFFFD)".
 */
export function runeToString(cp: number): string {
  if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(cp);
}
