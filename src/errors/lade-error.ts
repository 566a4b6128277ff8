/**
 * The one error type that crosses module boundaries. Modules throw it with a stable `code`;
 * only the CLI turns it into text and an exit status (see src/cli/render-error.ts).
 */

/** A place in a source file. Lines and columns are 1-based; `endLine` is inclusive. */
export interface SourceLocation {
  file: string;
  line: number;
  endLine?: number;
  column?: number;
}

export interface LadeErrorOptions {
  location?: SourceLocation | undefined;
  cause?: unknown;
  /** A hint shown under the message: what the user can do about it. */
  hint?: string | undefined;
}

export class LadeError extends Error {
  override readonly name = 'LadeError';
  readonly code: string;
  location: SourceLocation | undefined;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: LadeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
  }

  /**
   * Attaches a location unless one is already set: the innermost code that knows the exact
   * line wins, and outer dispatch code only fills the gap.
   */
  withLocation(location: SourceLocation): this {
    if (this.location === undefined) this.location = location;
    return this;
  }
}

export function isLadeError(err: unknown): err is LadeError {
  return err instanceof LadeError;
}
