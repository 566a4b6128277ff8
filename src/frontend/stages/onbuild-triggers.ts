/**
 * ONBUILD triggers inherited from a base: each trigger string (as stored in an image config's
 * `OnBuild`, or an `ONBUILD` of a base stage) is parsed as a one-instruction Dockerfile and runs
 * before the stage's own instructions. As in BuildKit, any error points at the FROM line that
 * pulled the trigger in.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { parseInstruction, type Command, type FromInstruction } from '../instructions/index.js';
import { goQuote } from '../gostrings/index.js';
import { parseDockerfile, type DockerfileNode } from '../parser/index.js';

function withLines(node: DockerfileNode, line: number, endLine: number): DockerfileNode {
  const out: DockerfileNode = { ...node, startLine: line, endLine };
  if (node.child !== undefined) out.child = withLines(node.child, line, endLine);
  return out;
}

function parseTrigger(trigger: string, from: FromInstruction): Command {
  const { file, line, endLine } = from.location;
  const parsed = parseDockerfile(trigger, { file });
  if (parsed.instructions.length !== 1) {
    throw new LadeError(ErrorCode.DockerfileInstruction, 'onbuild trigger should be a single expression');
  }
  const instruction = parseInstruction(withLines(parsed.instructions[0]!, line, endLine), file);
  if (instruction.kind === 'from') {
    // BuildKit reports this as "*instructions.Stage is not a command type".
    throw new LadeError(ErrorCode.DockerfileInstruction, "FROM isn't allowed as an ONBUILD trigger");
  }
  return instruction;
}

/**
 * Parses the triggers in order. `origin` describes where they come from (`image alpine`,
 * `stage base`) for the error hint.
 */
export function parseOnbuildTriggers(triggers: readonly string[], from: FromInstruction, origin?: string): Command[] {
  return triggers.map((trigger) => {
    try {
      return parseTrigger(trigger, from);
    } catch (err) {
      if (!(err instanceof LadeError)) throw err;
      throw relocateToFrom(err, trigger, from, origin);
    }
  });
}

/** The error moved to the FROM line, its hint naming the trigger. */
export function relocateToFrom(err: LadeError, trigger: string, from: FromInstruction, origin?: string): LadeError {
  const where = origin === undefined ? '' : ` inherited from ${origin}`;
  const hint = `In the ONBUILD trigger ${goQuote(trigger)}${where}.${err.hint === undefined ? '' : `\n${err.hint}`}`;
  return new LadeError(err.code, err.message, { location: { ...from.location }, hint, cause: err });
}
