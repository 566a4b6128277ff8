/**
 * Heredoc detection on RUN, COPY and ADD lines (and an ONBUILD of one of them). BuildKit lexes
 * the whole line with quotes and escapes kept, then looks for words of the form `[n]<<[-]WORD`;
 * the delimiter is expanded only when no part of WORD was quoted. The lexer always uses `\`
 * here, whatever the escape directive says.
 */
import { createShellLexer, envFromList } from '../shell/index.js';
import type { Heredoc } from './node.js';
import { replaceEscapedBytes } from '../gostrings/index.js';

const HEREDOC_WORD = /^([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
const noEnv = envFromList([]);
const lineLexer = createShellLexer({ escapeToken: '\\', rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
const wordLexer = createShellLexer({ escapeToken: '\\', skipUnsetEnv: true });
const rawWordLexer = createShellLexer({ escapeToken: '\\', rawQuotes: true, skipUnsetEnv: true });

function countQuotes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x27) n++;
  }
  return n;
}

const MAX_UINT64 = 18446744073709551615n;

/**
 * The digits before `<<`. Go's `strconv.ParseUint` saturates at 2^64-1 on overflow (BuildKit
 * ignores the range error); above 2^53 the number is only the nearest double.
 */
function parseFd(digits: string): number {
  if (digits === '') return 0;
  if (digits.length < 16) return Number.parseInt(digits, 10);
  const value = BigInt(digits);
  return Number(value > MAX_UINT64 ? MAX_UINT64 : value);
}

/**
 * Parses one word as a heredoc marker. Returns undefined when it is not one; throws (a
 * LadeError from the lexer) when the delimiter's quoting is broken, e.g. `<<'EOF`.
 */
export function parseHeredocWord(word: string): Omit<Heredoc, 'content'> | undefined {
  const match = HEREDOC_WORD.exec(word);
  if (match === null) return undefined;
  const rest = match[3] ?? '';
  if (rest === '') return undefined;
  const words = wordLexer.processWords(rest, noEnv);
  if (words.length !== 1) return undefined;
  const raw = rawWordLexer.processWords(rest, noEnv);
  const name = words[0]!;
  return {
    // Go's lexer decodes runes and writes an invalid byte back as U+FFFD, so `<<\xff` ends at a
    // line reading U+FFFD, not at a line reading the byte 0xFF.
    name: replaceEscapedBytes(name),
    fileDescriptor: parseFd(match[1] ?? ''),
    chomp: match[2] === '-',
    expand: raw.length === 1 && countQuotes(name) === countQuotes(raw[0]!),
  };
}

/** All heredoc markers on a logical line, in order. A line the lexer rejects has none. */
export function heredocsFromLine(line: string): Omit<Heredoc, 'content'>[] {
  let words: string[];
  try {
    words = lineLexer.processWords(line, noEnv);
  } catch {
    return [];
  }
  const docs: Omit<Heredoc, 'content'>[] = [];
  for (const word of words) {
    const doc = parseHeredocWord(word);
    if (doc !== undefined) docs.push(doc);
  }
  return docs;
}

/** `<<-`: strips leading tabs from every line of the body. */
export function chompHeredocContent(content: string): string {
  // Line starts are after '\n' only (Go's multi-line `^`), not after '\r' as in JavaScript.
  return content
    .split('\n')
    .map((line) => line.replace(/^\t+/, ''))
    .join('\n');
}
