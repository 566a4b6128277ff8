/**
 * BuildKit's AST dump (`parser.Node.Dump`), the format of its parser test `result` files:
 * one `(keyword ["--flag" …] "arg" …)` line per instruction, Go-quoted, keyword lower-cased.
 */
import type { DockerfileNode, ParsedDockerfile } from './node.js';
import { goLower, goQuote, trimGoSpace } from '../gostrings/index.js';

export function dumpNode(node: DockerfileNode): string {
  let out = goLower(node.keyword);
  if (node.flags.length > 0) out += ` [${node.flags.map(goQuote).join(' ')}]`;
  if (node.child !== undefined) out += ` (${dumpNode(node.child)})`;
  for (const arg of node.args) out += ` ${goQuote(arg)}`;
  // Go trims the whole dump with strings.TrimSpace; only an empty keyword can leave space at the ends.
  return trimGoSpace(out);
}

/** The dump of a whole file, without the final newline (the `result` files add one). */
export function dumpDockerfile(parsed: ParsedDockerfile): string {
  return parsed.instructions.map((n) => `(${dumpNode(n)})`).join('\n');
}
