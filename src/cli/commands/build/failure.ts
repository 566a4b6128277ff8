/**
 * The failure report BuildKit prints under its progress: the failing step's name and the end
 * of its output, then the Dockerfile lines around the instruction with `>>>` marking it. The
 * error itself (with its location and hint) is rendered after this by the CLI's error renderer.
 */
import type { VertexLocation } from '../../../graph/index.js';

const CONTEXT_LINES = 2;
const OUTPUT_LINES = 10;

export function failureReport(step: string, output: readonly string[], location: VertexLocation | undefined, dockerfile: string | undefined): string {
  let text = `------\n > ${step}:\n`;
  for (const line of output.slice(-OUTPUT_LINES)) text += `${line}\n`;
  text += '------\n';
  if (location !== undefined && dockerfile !== undefined) {
    const lines = dockerfile.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    const first = Math.max(1, location.line - CONTEXT_LINES);
    const last = Math.min(lines.length, location.endLine + CONTEXT_LINES);
    const width = String(last).length;
    text += `${location.file}:${location.line === location.endLine ? location.line : `${location.line}-${location.endLine}`}\n--------------------\n`;
    for (let n = first; n <= last; n++) {
      const mark = n >= location.line && n <= location.endLine ? '>>>' : '   ';
      text += `${String(n).padStart(width + 1)} | ${mark} ${lines[n - 1] ?? ''}\n`;
    }
    text += '--------------------\n';
  }
  return text;
}
