/**
 * How each instruction's argument text becomes its argument list. The rules are BuildKit's,
 * including its quirks (docs/frontend.md describes them):
 * - RUN/CMD/ENTRYPOINT/SHELL: a JSON string array is exec form; anything else, invalid JSON
 *   included, is one verbatim shell-form string. A JSON array with a non-string is an error.
 * - ADD/COPY/VOLUME: a JSON string array, or else whitespace-separated words.
 * - ENV/LABEL: key/value/separator triples; the legacy `ENV key value` form keeps the whole rest.
 * - ARG: quote-aware words, quotes kept.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { goUnmarshalArray } from './go-json.js';
import { byteView, fromByteView, goQuote, isGoSpace, runeAsWritten } from '../gostrings/index.js';

export interface ParsedArgs {
  args: string[];
  json: boolean;
}

const NO_ARGS: ParsedArgs = { args: [], json: false };
const WHITESPACE_RUN = /[\t\v\f\r ]+/;

export class ArgumentSyntaxError extends LadeError {
  constructor(message: string) {
    super(ErrorCode.DockerfileSyntax, message);
  }
}

export function splitWhitespace(rest: string): string[] {
  return rest.split(WHITESPACE_RUN);
}

/** A JSON array of strings, decoded as Go's encoding/json would; undefined when not JSON. */
function parseJsonArray(rest: string): string[] | undefined {
  let i = 0;
  while (i < rest.length && isGoSpace(rest.charCodeAt(i))) i++;
  if (rest.charCodeAt(i) !== 0x5b /* [ */) return undefined;
  const value = goUnmarshalArray(rest.slice(i));
  if (value === undefined) return undefined;
  const out: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string') {
      throw new ArgumentSyntaxError('when using JSON array syntax, arrays must be comprised of strings only');
    }
    out.push(item);
  }
  return out;
}

export function parseMaybeJson(rest: string): ParsedArgs {
  if (rest === '') return NO_ARGS;
  const json = parseJsonArray(rest);
  return json === undefined ? { args: [rest], json: false } : { args: json, json: true };
}

export function parseMaybeJsonToList(rest: string): ParsedArgs {
  const json = parseJsonArray(rest);
  if (json !== undefined) return { args: json, json: true };
  return parseStringsWhitespaceDelimited(rest);
}

export function parseStringsWhitespaceDelimited(rest: string): ParsedArgs {
  if (rest === '') return NO_ARGS;
  return { args: splitWhitespace(rest), json: false };
}

export function parseString(rest: string): ParsedArgs {
  return rest === '' ? NO_ARGS : { args: [rest], json: false };
}

/** HEALTHCHECK: the first word (`CMD`, `NONE`, …) verbatim, then the rest like RUN. */
export function parseHealthConfig(rest: string): ParsedArgs {
  // Go scans bytes here, so 0x85/0xA0 inside a multi-byte character end the word.
  const bytes = byteView(rest);
  let sep = 0;
  while (sep < bytes.length && !isGoSpace(bytes.charCodeAt(sep))) sep++;
  if (sep === 0) return NO_ARGS;
  let next = sep;
  while (next < bytes.length && isGoSpace(bytes.charCodeAt(next))) next++;
  const cmd = parseMaybeJson(fromByteView(bytes.slice(next)));
  return { args: [fromByteView(bytes.slice(0, sep)), ...cmd.args], json: cmd.json };
}

const enum Phase {
  Spaces,
  Word,
  Quote,
}

/**
 * Quote-aware word split used by ENV, LABEL and ARG. Quotes and escapes stay in the words; they
 * are removed later by word expansion. Runes are decoded, so an invalid byte becomes U+FFFD here
 * (Go writes utf8.RuneError back), unlike in the rest of the line.
 */
export function parseWords(rest: string, escapeToken: string): string[] {
  const words: string[] = [];
  let phase = Phase.Spaces;
  let quote = '';
  let blankOK = false;
  let word = '';
  const chars = Array.from(rest);
  for (let pos = 0; pos <= chars.length; pos++) {
    const atEnd = pos === chars.length;
    let ch = atEnd ? '' : chars[pos]!;
    if (phase === Phase.Spaces) {
      if (atEnd) break;
      if (isGoSpace(ch.codePointAt(0)!)) continue;
      phase = Phase.Word;
    }
    if (atEnd) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === Phase.Word) {
      if (isGoSpace(ch.codePointAt(0)!)) {
        phase = Phase.Spaces;
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = Phase.Quote;
      }
      if (ch === escapeToken) {
        if (pos + 1 === chars.length) continue;
        // Outside quotes the escape and the next character are both kept, even a quote.
        word += ch;
        pos++;
        ch = chars[pos]!;
      }
      word += runeAsWritten(ch);
      continue;
    }
    // Phase.Quote
    if (ch === quote) phase = Phase.Word;
    if (ch === escapeToken && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = Phase.Word;
        continue;
      }
      pos++;
      word += ch;
      ch = chars[pos]!;
    }
    word += runeAsWritten(ch);
  }
  return words;
}

/** ENV and LABEL: `key=value …` pairs, or the legacy `key value` form. Triples of key, value, separator. */
export function parseNameVal(rest: string, instruction: 'ENV' | 'LABEL', escapeToken: string): ParsedArgs {
  const words = parseWords(rest, escapeToken);
  if (words.length === 0) return NO_ARGS;
  if (!words[0]!.includes('=')) {
    const m = WHITESPACE_RUN.exec(rest);
    if (m === null) throw new ArgumentSyntaxError(`${instruction} must have two arguments`);
    return { args: [rest.slice(0, m.index), rest.slice(m.index + m[0].length), ''], json: false };
  }
  const args: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      throw new ArgumentSyntaxError(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    }
    args.push(word.slice(0, eq), word.slice(eq + 1), '=');
  }
  return { args, json: false };
}

/** ARG: one word per name or name=value, quotes kept. */
export function parseNameOrNameVal(rest: string, escapeToken: string): ParsedArgs {
  const words = parseWords(rest, escapeToken);
  return words.length === 0 ? NO_ARGS : { args: words, json: false };
}
