/**
 * A parsed Dockerfile as typed instructions grouped into stages (BuildKit's instructions.Parse):
 * the ARGs before the first FROM are the global ("meta") ARGs, every FROM opens a stage.
 */
import {
  locatedError,
  parseInstruction,
  type ArgInstruction,
  type Command,
  type FromInstruction,
} from '../instructions/index.js';
import type { ParsedDockerfile } from '../parser/index.js';

export interface Stage {
  /** Position among the stages, from 0: what `COPY --from=<n>` names. */
  index: number;
  /** `AS name`, lower-cased. */
  name?: string;
  from: FromInstruction;
  commands: Command[];
}

export interface DockerfileDocument {
  file: string;
  escapeToken: '\\' | '`';
  /** The ARGs before the first FROM: the global scope usable in FROM lines. */
  metaArgs: ArgInstruction[];
  stages: Stage[];
}

export function parseInstructions(parsed: ParsedDockerfile): DockerfileDocument {
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const node of parsed.instructions) {
    const instruction = parseInstruction(node, parsed.file);
    if (instruction.kind === 'from') {
      const stage: Stage = { index: stages.length, from: instruction, commands: [] };
      if (instruction.stageName !== undefined) stage.name = instruction.stageName;
      stages.push(stage);
      continue;
    }
    const current = stages[stages.length - 1];
    if (current === undefined) {
      if (instruction.kind === 'arg') {
        metaArgs.push(instruction);
        continue;
      }
      throw locatedError(
        'no build stage in current context',
        instruction.location,
        `Only ARG may come before the first FROM; ${instruction.keyword.toUpperCase()} belongs in a stage.`,
      );
    }
    current.commands.push(instruction);
  }
  return { file: parsed.file, escapeToken: parsed.escapeToken, metaArgs, stages };
}
