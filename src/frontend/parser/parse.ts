/**
 * The Dockerfile parser: bytes to a list of instruction nodes, with BuildKit's exact rules for
 * directives, comments, line continuations, heredocs and per-instruction argument forms.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { DirectiveScanner } from './directives.js';
import { chompHeredocContent, heredocsFromLine } from './heredoc.js';
import {
  parseHealthConfig,
  parseMaybeJson,
  parseMaybeJsonToList,
  parseNameOrNameVal,
  parseNameVal,
  parseString,
  parseStringsWhitespaceDelimited,
  type ParsedArgs,
} from './line-parsers.js';
import { LineReader, trimNewline } from './lines.js';
import type { DockerfileNode, Heredoc, ParsedDockerfile, ParseWarning } from './node.js';
import { splitCommand } from './split-command.js';
import { byteView, decodeBytes, fromByteView, goLower, joinBytes, trimGoSpace, trimLeftGoSpace } from '../gostrings/index.js';

export interface ParseOptions {
  /** The name used in error messages; defaults to `Dockerfile`. */
  file?: string;
}

type EscapeToken = '\\' | '`';

const HEREDOC_KEYWORDS = new Set(['add', 'copy', 'run']);

function syntaxError(message: string, file: string, line: number, endLine?: number, hint?: string): LadeError {
  return new LadeError(ErrorCode.DockerfileSyntax, message, {
    location: endLine === undefined || endLine === line ? { file, line } : { file, line, endLine },
    hint,
  });
}

/**
 * BuildKit takes a comment's text as `line[1:]` of the raw line, one byte, even when the line
 * starts with a multi-byte space before the `#`: `\u00a0# c` keeps the stray byte 0xA0.
 */
function dropFirstByte(line: string): string {
  return line.charCodeAt(0) < 0x80 ? line.slice(1) : fromByteView(byteView(line).slice(1));
}

function isComment(line: string): boolean {
  return trimLeftGoSpace(line).startsWith('#');
}

/**
 * Removes a trailing escape character (and spaces/tabs after it) that continues the line. An
 * escape preceded by another escape does not continue it (`foo\\`), but one alone on a line does.
 */
function trimContinuation(line: string, escape: EscapeToken): { text: string; continues: boolean } {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
  if (end === 0 || line[end - 1] !== escape) return { text: line, continues: false };
  if (end >= 2 && line[end - 2] === escape) return { text: line, continues: false };
  return { text: line.slice(0, end - 1), continues: true };
}

function argsFor(kind: string, rest: string, escape: EscapeToken): ParsedArgs | 'onbuild' | undefined {
  switch (kind) {
    case 'add':
    case 'copy':
    case 'volume':
      return parseMaybeJsonToList(rest);
    case 'run':
    case 'cmd':
    case 'entrypoint':
    case 'shell':
      return parseMaybeJson(rest);
    case 'env':
      return parseNameVal(rest, 'ENV', escape);
    case 'label':
      return parseNameVal(rest, 'LABEL', escape);
    case 'arg':
      return parseNameOrNameVal(rest, escape);
    case 'expose':
    case 'from':
      return parseStringsWhitespaceDelimited(rest);
    case 'healthcheck':
      return parseHealthConfig(rest);
    case 'maintainer':
    case 'stopsignal':
    case 'user':
    case 'workdir':
      return parseString(rest);
    case 'onbuild':
      return 'onbuild';
    default:
      return undefined;
  }
}

/** One logical line to a node. Unknown keywords parse (with one empty argument, as BuildKit). */
function nodeFromLine(line: string, escape: EscapeToken, comments: string[]): DockerfileNode {
  const { keyword, flags, rest } = splitCommand(line, escape);
  const kind = goLower(keyword);
  const parsed = argsFor(kind, rest, escape);
  const node: DockerfileNode = {
    keyword,
    original: line,
    flags,
    args: [],
    json: false,
    heredocs: [],
    startLine: 0,
    endLine: 0,
    comments,
  };
  if (parsed === 'onbuild') {
    if (rest !== '') node.child = nodeFromLine(rest, escape, []);
  } else if (parsed === undefined) {
    node.args = [''];
  } else {
    node.args = parsed.args;
    node.json = parsed.json;
  }
  return node;
}

function canContainHeredoc(node: DockerfileNode): boolean {
  const target = goLower(node.keyword) === 'onbuild' && node.child !== undefined ? node.child : node;
  return HEREDOC_KEYWORDS.has(goLower(target.keyword)) && !target.json;
}

function withLines(node: DockerfileNode, start: number, end: number): void {
  node.startLine = start;
  node.endLine = end;
  if (node.child !== undefined) withLines(node.child, start, end);
}

/**
 * BuildKit would parse a NUL byte as an ordinary character and fail much later (or never, in a
 * comment). Text with NULs is a binary or UTF-16 file given by mistake, so lade says so at once.
 */
function checkEncoding(bytes: Uint8Array | string, file: string): void {
  const at = (i: number) => (typeof bytes === 'string' ? bytes.charCodeAt(i) : bytes[i]);
  if ((at(0) === 0xff && at(1) === 0xfe) || (at(0) === 0xfe && at(1) === 0xff)) {
    throw syntaxError('the file is UTF-16 encoded', file, 1, undefined, 'Save the Dockerfile as UTF-8.');
  }
  const nul = typeof bytes === 'string' ? bytes.indexOf('\0') : bytes.indexOf(0);
  if (nul >= 0) {
    let line = 1;
    for (let i = 0; i < nul; i++) if (at(i) === 0x0a) line++;
    throw syntaxError(
      'the file contains a NUL byte',
      file,
      line,
      undefined,
      'A Dockerfile is UTF-8 text; is this a binary file, or the wrong file passed with -f?',
    );
  }
}

export function parseDockerfile(source: Uint8Array | string, options: ParseOptions = {}): ParsedDockerfile {
  const file = options.file ?? 'Dockerfile';
  let text: string;
  if (typeof source === 'string') {
    checkEncoding(source, file);
    text = source;
  } else {
    checkEncoding(source, file);
    text = decodeBytes(source);
  }
  if (text.startsWith('\ufeff')) text = text.slice(1);

  const reader = new LineReader(text, file);
  const directives = new DirectiveScanner();
  let escape: EscapeToken = '\\';
  const instructions: DockerfileNode[] = [];
  const warnings: ParseWarning[] = [];
  let comments: string[] = [];

  for (let raw = reader.next(); raw !== undefined; raw = reader.next()) {
    const lineNo = reader.lineNumber;
    if (isComment(raw)) {
      const comment = trimGoSpace(dropFirstByte(raw));
      if (comment === '') comments = [];
      else comments.push(comment);
    }
    let first = trimLeftGoSpace(trimNewline(raw));
    if (!directives.closed) {
      const directive = directives.scan(first, lineNo, file);
      if (directive !== undefined) {
        comments.pop();
        if (directive.name === 'escape') {
          if (directive.value !== '`' && directive.value !== '\\') {
            throw syntaxError(`invalid escape token '${directive.value}' does not match \` or \\`, file, lineNo);
          }
          escape = directive.value;
        }
      }
    }
    if (first.startsWith('#')) first = '';
    let { text: logical, continues } = trimContinuation(first, escape);
    if (!continues && logical === '') continue;

    const startLine = lineNo;
    let emptyContinuation = false;
    while (continues) {
      const next = reader.next();
      if (next === undefined) break;
      if (isComment(next)) continue;
      const line = trimNewline(next);
      if (trimLeftGoSpace(line) === '') {
        emptyContinuation = true;
        continue;
      }
      const part = trimContinuation(line, escape);
      logical = joinBytes(logical, part.text);
      continues = part.continues;
    }

    if (emptyContinuation) {
      warnings.push({
        message: `Empty continuation line found in: ${logical}`,
        detail: 'Empty continuation lines will become errors in a future release',
        url: 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/',
        line: reader.lineNumber,
      });
    }

    let node: DockerfileNode;
    try {
      node = nodeFromLine(logical, escape, comments);
    } catch (err) {
      if (err instanceof LadeError) throw err.withLocation(locationOf(file, startLine, reader.lineNumber));
      throw err;
    }

    if (canContainHeredoc(node) && logical.includes('<<')) {
      let markers: Omit<Heredoc, 'content'>[];
      try {
        markers = heredocsFromLine(logical);
      } catch (err) {
        if (err instanceof LadeError) throw err.withLocation(locationOf(file, startLine, reader.lineNumber));
        throw err;
      }
      for (const marker of markers) {
        let content = '';
        let terminated = false;
        for (let body = reader.next(); body !== undefined; body = reader.next()) {
          let candidate = trimNewline(body);
          if (marker.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === marker.name) {
            terminated = true;
            break;
          }
          content += body;
        }
        if (!terminated) {
          throw syntaxError(
            'unterminated heredoc',
            file,
            startLine,
            reader.lineNumber,
            `No line consisting of the delimiter "${marker.name}" ends the heredoc that starts on line ${startLine}.`,
          );
        }
        node.heredocs.push({ ...marker, content });
      }
    }

    withLines(node, startLine, reader.lineNumber);
    instructions.push(node);
    comments = [];
  }

  if (instructions.length === 0) {
    throw syntaxError(
      'file with no instructions',
      file,
      Math.max(1, reader.lineNumber),
      undefined,
      'A Dockerfile needs at least a FROM instruction.',
    );
  }
  return {
    file,
    instructions,
    escapeToken: escape,
    directives: directives.found.map((d) => ({ ...d })),
    warnings,
    startLine: instructions[0]!.startLine,
    endLine: instructions[instructions.length - 1]!.endLine,
  };
}

function locationOf(file: string, line: number, endLine: number) {
  return endLine > line ? { file, line, endLine } : { file, line };
}

export { chompHeredocContent };
