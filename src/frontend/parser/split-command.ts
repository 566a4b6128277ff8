/**
 * Splits a logical line into keyword, leading `--flags` and the rest. Flag extraction walks the
 * line byte by byte, as BuildKit's does: a multi-byte character in a flag is taken apart into
 * Latin-1 characters and the bytes 0x85 and 0xA0 count as spaces. That is a BuildKit quirk, kept
 * so that flags parse to the same values (and the same errors) as with docker build.
 */
import { byteView, fromByteView, isGoSpace, trimGoSpace } from '../gostrings/index.js';

export interface SplitLine {
  keyword: string;
  flags: string[];
  rest: string;
}

const KEYWORD_END = /[\t\v\f\r ]+/;

export function splitCommand(line: string, escapeToken: string): SplitLine {
  const trimmed = trimGoSpace(line);
  const m = KEYWORD_END.exec(trimmed);
  if (m === null) return { keyword: trimmed, flags: [], rest: '' };
  const keyword = trimmed.slice(0, m.index);
  const { rest, flags } = extractFlags(trimmed.slice(m.index + m[0].length), escapeToken);
  return { keyword, flags, rest: trimGoSpace(rest) };
}

const enum Phase {
  Spaces,
  Word,
  Quote,
}

/** Takes the leading words that start with `--`; a bare `--` ends them and is dropped. */
export function extractFlags(text: string, escapeToken: string): { rest: string; flags: string[] } {
  const line = byteView(text);
  const flags: string[] = [];
  let phase = Phase.Spaces;
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    const atEnd = pos === line.length;
    let ch = atEnd ? '' : line[pos]!;
    if (phase === Phase.Spaces) {
      if (atEnd) break;
      if (isGoSpace(ch.charCodeAt(0))) continue;
      if (ch !== '-' || pos + 1 === line.length || line[pos + 1] !== '-') {
        return { rest: fromByteView(line.slice(pos)), flags };
      }
      phase = Phase.Word;
    }
    if (atEnd) {
      if (word !== '--' && (blankOK || word.length > 0)) flags.push(word);
      break;
    }
    if (phase === Phase.Word) {
      if (isGoSpace(ch.charCodeAt(0))) {
        phase = Phase.Spaces;
        if (word === '--') return { rest: fromByteView(line.slice(pos)), flags };
        if (blankOK || word.length > 0) flags.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = Phase.Quote;
        continue;
      }
      if (ch === escapeToken) {
        if (pos + 1 === line.length) continue;
        pos++;
        ch = line[pos]!;
      }
      word += ch;
      continue;
    }
    // Phase.Quote
    if (ch === quote) {
      phase = Phase.Word;
      continue;
    }
    if (ch === escapeToken) {
      if (pos + 1 === line.length) {
        phase = Phase.Word;
        continue;
      }
      pos++;
      ch = line[pos]!;
    }
    word += ch;
  }
  return { rest: '', flags };
}
