/**
 * Instruction errors. Messages are BuildKit's wording (users search for them); the location is
 * attached once, by parseInstruction, from the node being parsed.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import type { InstructionLocation } from './types.js';

export function instructionError(message: string, hint?: string): LadeError {
  return new LadeError(ErrorCode.DockerfileInstruction, message, { hint });
}

export function locatedError(message: string, location: InstructionLocation, hint?: string): LadeError {
  return new LadeError(ErrorCode.DockerfileInstruction, message, { location: { ...location }, hint });
}

export function errAtLeastOneArgument(command: string): LadeError {
  return instructionError(`${command} requires at least one argument`);
}

export function errExactlyOneArgument(command: string): LadeError {
  return instructionError(`${command} requires exactly one argument`);
}

export function errNoDestinationArgument(command: string): LadeError {
  return instructionError(
    `${command} requires at least two arguments, but only one was provided. Destination could not be determined`,
  );
}

export function errBadHeredoc(command: string, option: string): LadeError {
  return instructionError(`${command} cannot accept a heredoc as ${option}`);
}

export function errBlankCommandNames(command: string): LadeError {
  return instructionError(`${command} names can not be blank`);
}

export function errTooManyArguments(command: string): LadeError {
  return instructionError(`Bad input to ${command}, too many arguments`);
}

export function errNotJson(command: string): LadeError {
  return instructionError(
    `${command} requires the arguments to be in JSON form`,
    `Write it as a JSON array of strings, e.g. ${command} ["/bin/bash", "-c"].`,
  );
}
