// Shared by the stages tests.
import { parseDockerfile } from '../../../src/frontend/parser/index.js';
import {
  expandReachableStages,
  parseInstructions,
  resolveBuild,
  type DockerfileDocument,
  type ExpandedCommand,
  type ResolveOptions,
  type ResolvedBuild,
} from '../../../src/frontend/stages/index.js';

export function documentOf(text: string): DockerfileDocument {
  return parseInstructions(parseDockerfile(text, { file: 'Dockerfile' }));
}

export function resolve(text: string, options: ResolveOptions = {}): ResolvedBuild {
  return resolveBuild(documentOf(text), options);
}

/** The expanded commands of every reachable stage, flattened in build order. */
export function expandAll(
  text: string,
  options: ResolveOptions = {},
  imageEnv: readonly string[] | undefined = undefined,
): ExpandedCommand[] {
  return expandReachableStages(resolve(text, options), () => imageEnv).flatMap((s) => s.commands);
}

/** The expanded command on a given Dockerfile line. */
export function commandAt(commands: readonly ExpandedCommand[], line: number): ExpandedCommand {
  const found = commands.find((c) => c.instruction.location.line === line);
  if (found === undefined) throw new Error(`no expanded command on line ${line}`);
  return found;
}

/** The value of NAME in a `NAME=value` list, or undefined. */
export function envValue(env: readonly string[], name: string): string | undefined {
  const entry = [...env].reverse().find((e) => e.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}
