/**
 * Reading a .dockerignore file into rules, as current BuildKit does. Each line goes through two
 * passes that must both be reproduced because they disagree on edge cases:
 *
 * 1. The Dockerfile frontend reads the file with moby/patternmatcher's `ignorefile.ReadAll`:
 *    BOM stripped from the first line, `#` in the first column starts a comment, then trim,
 *    split off `!`, trim again, `filepath.Clean`, and drop one leading `/`.
 * 2. The context sender builds its matcher with `patternmatcher.New`, which trims and cleans
 *    again, splits off `!` without trimming after it, and checks each pattern with
 *    `filepath.Match(pattern, ".")`.
 *
 * So `/ !a` ends up as the exception `!a`, and `k/ /` as the pattern `k`.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { globSyntaxError } from './glob-syntax.js';
// Go's strings.TrimSpace: unlike trim() it trims U+0085 and keeps U+FEFF, as Docker does.
import { trimGoSpace as goTrimSpace } from '../gostrings/index.js';
import { goCleanPath } from './clean-path.js';

export interface IgnoreRule {
  /** The pattern after Docker's cleaning, without the leading `!` of an exception. */
  pattern: string;
  /** True for a `!` line: a match re-includes the path. */
  exclusion: boolean;
  /** 1-based line in the file, counting comments and blank lines. */
  line: number;
}

/**
 * Go's bufio.Scanner gives up on a line that does not fit its 64 KiB buffer; BuildKit then fails
 * the build with "bufio.Scanner: token too long". The limit counts the line's bytes without `\n`.
 */
export const MAX_LINE_BYTES = 64 * 1024 - 1;

/**
 * Parses a .dockerignore. `file` is only used in error locations. Throws a LadeError with
 * ErrorCode.DockerignorePattern, located at the offending line, where BuildKit would refuse the
 * file before sending the context: an unreadable line, a bare `!`, a `filepath.Match` syntax
 * error. A pattern that only fails as a Go regexp is accepted here, as upstream does; the walk
 * reports it if it ever tries a path against it (see matcher.ts).
 */
export function parseDockerignore(text: string, file: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  const lines = text.split('\n');
  // A final "\n" ends the last line; it does not start an empty one (bufio.ScanLines).
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (Buffer.byteLength(raw, 'utf8') > MAX_LINE_BYTES) {
      throw patternError(file, line, `line is longer than ${MAX_LINE_BYTES} bytes, which BuildKit cannot read`);
    }
    let entry = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (index === 0 && entry.startsWith('\uFEFF')) entry = entry.slice(1);
    const rule = ruleFromLine(entry, line, file);
    if (rule !== undefined) rules.push(rule);
  });
  return rules;
}

function ruleFromLine(entry: string, line: number, file: string): IgnoreRule | undefined {
  // Only a `#` in the very first column starts a comment; ` #x` is the pattern `#x`.
  if (entry.startsWith('#')) return undefined;
  const read = readAllPattern(entry);
  if (read === undefined) return undefined;

  // Second pass, patternmatcher.New: trim and clean again, `!` included.
  let pattern = goTrimSpace(read);
  if (pattern === '') return undefined;
  pattern = goCleanPath(pattern);
  const exclusion = pattern.startsWith('!');
  if (exclusion) {
    if (pattern.length === 1) throw patternError(file, line, 'illegal exclusion pattern: "!"');
    pattern = pattern.slice(1);
  }
  checkGlobSyntax(pattern, file, line);
  return { pattern, exclusion, line };
}

/** First pass, ignorefile.ReadAll: trim, split off `!`, clean, drop one leading `/`. */
function readAllPattern(entry: string): string | undefined {
  let pattern = goTrimSpace(entry);
  if (pattern === '') return undefined;
  const invert = pattern.startsWith('!');
  if (invert) pattern = goTrimSpace(pattern.slice(1));
  if (pattern.length > 0) {
    pattern = goCleanPath(pattern);
    if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
  }
  return invert ? `!${pattern}` : pattern;
}

/** patternmatcher.New's check: `filepath.Match(pattern, ".")` must not fail. */
export function checkGlobSyntax(pattern: string, file: string, line: number): void {
  const syntax = globSyntaxError(pattern);
  if (syntax !== undefined) {
    throw patternError(file, line, `invalid pattern ${quote(pattern)}: syntax error in pattern (${syntax})`);
  }
}

/** Patterns can be 64 KiB long; messages show the start. */
function shorten(text: string): string {
  const chars = [...text];
  return chars.length <= 120 ? text : `${chars.slice(0, 120).join('')}…`;
}

export function quote(pattern: string): string {
  return JSON.stringify(shorten(pattern));
}

export function patternError(file: string, line: number, message: string): LadeError {
  return new LadeError(ErrorCode.DockerignorePattern, message, { location: { file, line } });
}
