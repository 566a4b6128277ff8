/**
 * ONBUILD <instruction>: stored as text in the image config and parsed only when an image (or
 * stage) built FROM this one is built. Here only the trigger's keyword is checked, as BuildKit
 * does: `ONBUILD RUNN x` is accepted now and fails in the build that runs the trigger.
 */
import { errAtLeastOneArgument, instructionError } from './errors.js';
import { trimSpace, type ParseRequest } from './request.js';
import type { OnbuildInstruction } from './types.js';

/** Go's `(?i)^\s*ONBUILD\s*` (RE2's \s is [\t\n\f\r ]). */
const ONBUILD_PREFIX = /^[\t\n\f\r ]*onbuild[\t\n\f\r ]*/i;

export function parseOnbuild(req: ParseRequest): OnbuildInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('ONBUILD');
  req.flags.parse();

  const trigger = trimSpace(req.args[0]!).toUpperCase();
  if (trigger === 'ONBUILD') {
    throw instructionError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  }
  if (trigger === 'MAINTAINER' || trigger === 'FROM') {
    throw instructionError(`${trigger} isn't allowed as an ONBUILD trigger`);
  }

  let expression = req.rawOriginal.replace(ONBUILD_PREFIX, '');
  for (const doc of req.heredocs) expression += `\n${doc.content}${doc.name}`;
  return { kind: 'onbuild', ...req.base, expression, trigger };
}
