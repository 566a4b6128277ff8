// Shared by the instructions and stages tests: parse Dockerfile text, catch typed errors.
import assert from 'node:assert/strict';
import { LadeError } from '../../../src/errors/index.js';
import { parseInstruction, type Instruction } from '../../../src/frontend/instructions/index.js';
import { parseDockerfile } from '../../../src/frontend/parser/index.js';

/** Every instruction of `text`, parsed through the real parser. */
export function parseAll(text: string, file = 'Dockerfile'): Instruction[] {
  const parsed = parseDockerfile(text, { file });
  return parsed.instructions.map((node) => parseInstruction(node, file));
}

/** The single instruction of `text`. */
export function parseOne(text: string): Instruction {
  const all = parseAll(text);
  assert.equal(all.length, 1, `expected one instruction in ${JSON.stringify(text)}`);
  return all[0]!;
}

/** The instruction of kind `kind` in `text` (asserting it is one), typed. */
export function parseAs<K extends Instruction['kind']>(kind: K, text: string): Extract<Instruction, { kind: K }> {
  const instruction = parseOne(text);
  assert.equal(instruction.kind, kind);
  return instruction as Extract<Instruction, { kind: K }>;
}

/** The LadeError `fn` throws; fails when it throws nothing or something else. */
export function errorOf(fn: () => unknown): LadeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LadeError) return err;
    assert.fail(`expected a LadeError, got ${String(err)}`);
  }
  assert.fail('expected an error, none was thrown');
}

export interface ExpectedError {
  message: string;
  line: number;
  endLine?: number;
  code?: string;
}

/** Asserts message, code and location (file Dockerfile) of the error parsing `text` throws. */
export function expectParseError(text: string, expected: ExpectedError): LadeError {
  const err = errorOf(() => parseAll(text));
  assertError(err, expected);
  return err;
}

export function assertError(err: LadeError, expected: ExpectedError): void {
  assert.equal(err.message, expected.message);
  assert.equal(err.code, expected.code ?? 'DOCKERFILE_INSTRUCTION');
  assert.deepEqual(err.location, { file: 'Dockerfile', line: expected.line, endLine: expected.endLine ?? expected.line });
}
