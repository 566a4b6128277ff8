/**
 * Parser directives (`# escape=`, `# syntax=`, `# check=`): recognised only in the block of
 * directive lines at the very top. The first line of any other kind (blank, plain comment,
 * unknown key, instruction) closes the block for good, as in BuildKit.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { trimLeftGoSpace } from '../gostrings/index.js';

export type DirectiveName = 'syntax' | 'escape' | 'check';

export interface Directive {
  name: DirectiveName;
  value: string;
  line: number;
}

// Go's `\s` is ASCII [\t\n\f\r ] (no \v): the value may not be empty and is trimmed.
const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/s;
const KNOWN = new Set<string>(['syntax', 'escape', 'check']);

export class DirectiveScanner {
  private done = false;
  private readonly seen = new Set<string>();
  readonly found: Directive[] = [];

  get closed(): boolean {
    return this.done;
  }

  /**
   * Looks at one line (newline and leading whitespace already removed). Returns the directive
   * when the line is one; throws on a repeated directive.
   */
  scan(line: string, lineNumber: number, file: string): Directive | undefined {
    if (this.done) return undefined;
    if (!line.startsWith('#')) {
      this.done = true;
      return undefined;
    }
    const match = DIRECTIVE.exec(trimLeftGoSpace(line.slice(1)));
    const key = match?.[1]?.toLowerCase();
    if (match === null || key === undefined || !KNOWN.has(key)) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(key)) {
      throw new LadeError(ErrorCode.DockerfileSyntax, `only one ${key} parser directive can be used`, {
        location: { file, line: lineNumber },
      });
    }
    this.seen.add(key);
    const directive: Directive = { name: key as DirectiveName, value: match[2] ?? '', line: lineNumber };
    this.found.push(directive);
    return directive;
  }
}
