/**
 * Go's string semantics for the frontend. BuildKit is Go: its strings are bytes, its whitespace
 * is `unicode.IsSpace`, its quoting is `strconv.Quote`. Reproducing its results exactly needs
 * these in one place (see text.ts for the surrogate-escape convention all frontend text uses).
 */
export {
  byteLength,
  byteView,
  decodeBytes,
  encodeBytes,
  fromByteView,
  goLower,
  isEscapedByte,
  isGoSpace,
  joinBytes,
  replaceEscapedBytes,
  replaceLoneSurrogates,
  runeAsWritten,
  trimGoSpace,
  trimLeftGoSpace,
} from './text.js';
export { goQuote } from './quote.js';
