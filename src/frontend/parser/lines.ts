/**
 * Physical lines of a Dockerfile, with BuildKit's limits: a line may hold at most 65,535 bytes
 * (Go's bufio.Scanner token limit, which BuildKit keeps), and line endings are preserved because
 * heredoc bodies keep them.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { byteLength } from '../gostrings/index.js';

export const MAX_LINE_BYTES = 65535;

export class LineReader {
  private pos = 0;
  /** 1-based number of the line most recently returned; 0 before the first. */
  lineNumber = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  /** The next line including its `\n` (absent on a last line without one), or undefined at the end. */
  next(): string | undefined {
    if (this.pos >= this.text.length) return undefined;
    const nl = this.text.indexOf('\n', this.pos);
    const end = nl < 0 ? this.text.length : nl + 1;
    const line = this.text.slice(this.pos, end);
    this.pos = end;
    this.lineNumber++;
    // Only long lines can exceed the limit: a UTF-16 unit is at most 3 UTF-8 bytes.
    const contentLength = nl < 0 ? line.length : line.length - 1;
    if (contentLength * 3 > MAX_LINE_BYTES && byteLength(nl < 0 ? line : line.slice(0, -1)) > MAX_LINE_BYTES) {
      throw new LadeError(
        ErrorCode.DockerfileSyntax,
        `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`,
        {
          location: { file: this.file, line: this.lineNumber },
          hint: 'Split the line with the escape character at line ends, or move long content into a file the build copies.',
        },
      );
    }
    return line;
  }
}

/** Go's `bytes.TrimRight(line, "\r\n")`. */
export function trimNewline(line: string): string {
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c !== 0x0a && c !== 0x0d) break;
    end--;
  }
  return end === line.length ? line : line.slice(0, end);
}
