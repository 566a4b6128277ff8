/**
 * The only place errors become text. Users see one clear message, with the Dockerfile location
 * when there is one; stack traces and error codes appear only with --debug.
 */
import { isLadeError } from '../errors/index.js';
import { UsageError } from './usage-error.js';

export interface RenderedError {
  text: string;
  exitCode: number;
}

function causeChain(err: unknown): string {
  const lines: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    if (current instanceof Error) {
      lines.push(current.stack ?? `${current.name}: ${current.message}`);
      current = current.cause;
    } else {
      lines.push(String(current));
      break;
    }
    if (current !== undefined) lines.push('Caused by:');
  }
  return lines.join('\n');
}

export function renderError(err: unknown, debug: boolean): RenderedError {
  if (err instanceof UsageError) {
    const usage = err.usageText === undefined ? '' : `\n\n${err.usageText}`;
    return { text: `${err.message}\nSee '${err.commandPath} --help'.${usage}\n`, exitCode: err.exitCode };
  }
  if (isLadeError(err)) {
    const where = err.location === undefined ? 'lade: ' : `${err.location.file}:${err.location.line}: `;
    let text = `${where}${err.message}\n`;
    if (err.hint !== undefined) text += `${err.hint}\n`;
    if (debug) text += `[${err.code}]\n${causeChain(err)}\n`;
    return { text, exitCode: 1 };
  }
  const message = err instanceof Error ? err.message : String(err);
  let text = `lade: internal error: ${message}\n`;
  text += debug ? `${causeChain(err)}\n` : 'This is a bug in lade. Run the command again with --debug to see the stack trace.\n';
  return { text, exitCode: 1 };
}
