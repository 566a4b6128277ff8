/**
 * A command-line usage error. It carries the command path so the message can end with
 * Docker's "See 'lade build --help'." line, and Docker's exit status for the kind of mistake.
 */
import { ErrorCode, LadeError } from '../errors/index.js';

export class UsageError extends LadeError {
  readonly commandPath: string;
  /** Docker exits 125 for flag errors and 1 for a wrong number of arguments. */
  readonly exitCode: number;
  /** Extra text after the "See …" line (Docker repeats the usage for argument-count errors). */
  readonly usageText: string | undefined;

  constructor(message: string, commandPath: string, exitCode: number, usageText?: string) {
    super(ErrorCode.Usage, message);
    this.commandPath = commandPath;
    this.exitCode = exitCode;
    this.usageText = usageText;
  }
}
