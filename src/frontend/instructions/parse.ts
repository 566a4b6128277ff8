/**
 * One parse-tree node to one typed instruction, validated as BuildKit's ParseInstruction does.
 * Every error is a LadeError (DOCKERFILE_INSTRUCTION) located at the node's lines.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { goLower } from '../gostrings/index.js';
import type { DockerfileNode } from '../parser/index.js';
import { instructionError } from './errors.js';
import { parseHealthcheck } from './healthcheck.js';
import { parseOnbuild } from './onbuild.js';
import { parseAdd, parseCopy } from './parse-copy.js';
import { parseFrom } from './parse-from.js';
import { parseCmd, parseEntrypoint, parseRun, parseShell } from './parse-run.js';
import {
  parseArg,
  parseEnv,
  parseExpose,
  parseLabel,
  parseMaintainer,
  parseStopSignal,
  parseUser,
  parseVolume,
  parseWorkdir,
} from './parse-simple.js';
import { locationOf, requestFromNode, type ParseRequest } from './request.js';
import { withSuggestion } from './suggest.js';
import type { Instruction, InstructionKind } from './types.js';

const PARSERS: Record<InstructionKind, (req: ParseRequest) => Instruction> = {
  add: parseAdd,
  arg: parseArg,
  cmd: parseCmd,
  copy: parseCopy,
  entrypoint: parseEntrypoint,
  env: parseEnv,
  expose: parseExpose,
  from: parseFrom,
  healthcheck: parseHealthcheck,
  label: parseLabel,
  maintainer: parseMaintainer,
  onbuild: parseOnbuild,
  run: parseRun,
  shell: parseShell,
  stopsignal: parseStopSignal,
  user: parseUser,
  volume: parseVolume,
  workdir: parseWorkdir,
};

/** The instruction keywords, upper-cased, in alphabetical order. */
export const INSTRUCTION_NAMES: readonly string[] = Object.keys(PARSERS).map((k) => k.toUpperCase());

export function isInstructionKind(word: string): word is InstructionKind {
  return Object.hasOwn(PARSERS, word);
}

/**
 * Parses one node. `file` names the Dockerfile in locations. The node's keyword may be in any
 * case; an unknown keyword is an error with a suggestion (`RUNN` → `RUN`).
 */
export function parseInstruction(node: DockerfileNode, file: string): Instruction {
  const location = locationOf(node, file);
  const kind = goLower(node.keyword);
  try {
    if (!isInstructionKind(kind)) {
      const message = withSuggestion(`unknown instruction: ${node.keyword}`, node.keyword, INSTRUCTION_NAMES, false);
      const hint = message.endsWith('?)') ? undefined : 'See https://docs.docker.com/reference/dockerfile/ for the instructions.';
      throw instructionError(message, hint);
    }
    return PARSERS[kind](requestFromNode(node, file));
  } catch (err) {
    if (err instanceof LadeError) throw err.withLocation({ ...location });
    if (err instanceof Error) {
      throw new LadeError(ErrorCode.Internal, err.message, { location: { ...location }, cause: err });
    }
    throw err;
  }
}
