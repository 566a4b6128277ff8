/** FROM: `FROM [--platform=p] base [AS name]`. */
import { goLower, goQuote } from '../gostrings/index.js';
import { instructionError } from './errors.js';
import type { ParseRequest } from './request.js';
import type { FromInstruction } from './types.js';

const VALID_STAGE_NAME = /^[a-z][a-z0-9\-_.]*$/;

/** The stage name of `FROM base AS name`, lower-cased; undefined for `FROM base`. */
export function parseBuildStageName(args: readonly string[]): string | undefined {
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    const name = goLower(args[2]!);
    if (!VALID_STAGE_NAME.test(name)) {
      throw instructionError(
        `invalid name for build stage: ${goQuote(args[2]!)}, name can't start with a number or contain symbols`,
        'A stage name starts with a letter and contains only letters, digits, "-", "_" and ".".',
      );
    }
    return name;
  }
  if (args.length !== 1) {
    throw instructionError('FROM requires either one or three arguments', 'Write FROM <image> or FROM <image> AS <name>.');
  }
  return undefined;
}

export function parseFrom(req: ParseRequest): FromInstruction {
  const stageName = parseBuildStageName(req.args);
  const platform = req.flags.string('platform');
  req.flags.parse();
  const from: FromInstruction = { kind: 'from', ...req.base, baseName: req.args[0]!, platform: platform.value };
  if (stageName !== undefined) from.stageName = stageName;
  return from;
}
