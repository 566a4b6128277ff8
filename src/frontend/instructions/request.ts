/**
 * What every instruction parser receives: the node's arguments and flags, plus the fields every
 * typed instruction carries. Mirrors BuildKit's parseRequest.
 */
import type { DockerfileNode, Heredoc } from '../parser/index.js';
import { createFlagParser, type FlagParser } from './flags.js';
import type { InstructionLocation } from './types.js';

export interface ParseRequest {
  /** The keyword as written. */
  keyword: string;
  args: string[];
  json: boolean;
  heredocs: Heredoc[];
  flags: FlagParser;
  /** The logical line as the parser gave it (untrimmed). */
  rawOriginal: string;
  base: {
    keyword: string;
    original: string;
    location: InstructionLocation;
    comments: string[];
  };
}

const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const TRIM_GO_SPACE = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'g');

/** Go's strings.TrimSpace: unicode.IsSpace at both ends (not U+FEFF, unlike JavaScript's trim). */
export function trimSpace(s: string): string {
  return s.replace(TRIM_GO_SPACE, '');
}

/**
 * BuildKit's nodeArgs: an ONBUILD node's arguments are its trigger's keyword followed by the
 * trigger's own arguments.
 */
function nodeArgs(node: DockerfileNode): string[] {
  if (node.child === undefined) return [...node.args];
  return [node.child.keyword, ...nodeArgs(node.child)];
}

export function locationOf(node: DockerfileNode, file: string): InstructionLocation {
  return { file, line: node.startLine, endLine: node.endLine };
}

export function requestFromNode(node: DockerfileNode, file: string): ParseRequest {
  return {
    keyword: node.keyword,
    args: nodeArgs(node),
    json: node.json,
    heredocs: node.heredocs,
    flags: createFlagParser(node.flags),
    rawOriginal: node.original,
    base: {
      keyword: node.keyword,
      original: trimSpace(node.original),
      location: locationOf(node, file),
      comments: [...node.comments],
    },
  };
}

/** handleJSONArgs: exec form as is, shell form joined into one string. */
export function commandLine(args: readonly string[], json: boolean): string[] {
  if (args.length === 0) return [];
  if (json) return [...args];
  return [args.join(' ')];
}
