// ONBUILD triggers inherited from base images and base stages.
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseOnbuildTriggers, type ResolvedBuild } from '../../../src/frontend/stages/index.js';
import { assertError, errorOf } from '../instructions/helpers.js';
import { documentOf, expandAll, resolve } from './helpers.js';

function fromOf(text: string, stage = 0) {
  return documentOf(text).stages[stage]!.from;
}

test('triggers parse to typed instructions located at the FROM that pulled them in', () => {
  const from = fromOf('# c\n\nFROM \\\n  node:20 AS app\n');
  const commands = parseOnbuildTriggers(['COPY . /app', 'RUN npm ci', 'ENV A=1'], from);
  assert.deepEqual(commands.map((c) => c.kind), ['copy', 'run', 'env']);
  for (const c of commands) assert.deepEqual(c.location, { file: 'Dockerfile', line: 3, endLine: 4 });
  const copy = commands[0]!;
  assert.ok(copy.kind === 'copy');
  assert.deepEqual([copy.sources, copy.dest], [['.'], '/app']);
});

test('a trigger with a heredoc (as BuildKit stores it) parses with its body', () => {
  const [expression] = documentOf('FROM a\nONBUILD COPY <<EOF /x\nbody\nEOF\n').stages[0]!.commands.map((c) => (c.kind === 'onbuild' ? c.expression : ''));
  const [copy] = parseOnbuildTriggers([expression!], fromOf('FROM b\n'));
  assert.ok(copy !== undefined && copy.kind === 'copy');
  assert.deepEqual(copy.contents, [{ path: 'EOF', data: 'body\n', expand: true }]);
});

test('trigger errors point at the FROM line and name the trigger', () => {
  const from = fromOf('ARG X\nFROM base-image\n');
  const err = errorOf(() => parseOnbuildTriggers(['RUN true', 'RUNN make'], from, 'image base-image'));
  assertError(err, { message: 'unknown instruction: RUNN (did you mean RUN?)', line: 2 });
  assert.match(err.hint ?? '', /^In the ONBUILD trigger "RUNN make" inherited from image base-image\./);
  assertError(errorOf(() => parseOnbuildTriggers(['FROM scratch'], from)), { message: "FROM isn't allowed as an ONBUILD trigger", line: 2 });
  assertError(errorOf(() => parseOnbuildTriggers(['RUN a\nRUN b'], from)), { message: 'onbuild trigger should be a single expression', line: 2 });
  assertError(errorOf(() => parseOnbuildTriggers(['ONBUILD ONBUILD RUN x'], from)), {
    message: "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
    line: 2,
  });
  assertError(errorOf(() => parseOnbuildTriggers(['COPY --bad a b'], from)), { message: 'unknown flag: --bad', line: 2 });
  const syntax = errorOf(() => parseOnbuildTriggers([''], from));
  assert.equal(syntax.code, 'DOCKERFILE_SYNTAX');
  assert.deepEqual(syntax.location, { file: 'Dockerfile', line: 2, endLine: 2 });
});

test('BuildKit accepts MAINTAINER and a nested ONBUILD as stored triggers', () => {
  const from = fromOf('FROM x\n');
  assert.deepEqual(parseOnbuildTriggers(['MAINTAINER me', 'ONBUILD RUN x'], from).map((c) => c.kind), ['maintainer', 'onbuild']);
});

test('base image triggers run first in the stage, marked onbuild, and are expanded like the rest', () => {
  const text = 'FROM node:20 AS app\nENV DIR=/srv\nRUN true\nFROM scratch AS other\n';
  const triggers = new Map([[0, ['WORKDIR /app', 'COPY . $DIR']]]);
  const b = resolve(text, { target: 'app', baseImageTriggers: triggers });
  assert.deepEqual(b.stages[0]!.commands.map((c) => [c.instruction.kind, c.onbuild]), [
    ['workdir', true],
    ['copy', true],
    ['env', false],
    ['run', false],
  ]);
  const copy = expandAll(text, { target: 'app', baseImageTriggers: triggers })[1]!;
  assert.ok(copy.instruction.kind === 'copy');
  // The trigger runs before ENV DIR, so $DIR is empty there.
  assert.equal(copy.instruction.dest, '');
  // Triggers of an unreachable stage are not parsed at all.
  assert.doesNotThrow(() => resolve(text, { target: 'other', baseImageTriggers: new Map([[0, ['RUNN']]]) }));
  assertError(errorOf(() => resolve(text, { target: 'app', baseImageTriggers: new Map([[0, ['RUNN']]]) })), {
    message: 'unknown instruction: RUNN (did you mean RUN?)',
    line: 1,
  });
});

test('a trigger COPY --from makes its source stage reachable', () => {
  const text = 'FROM alpine AS assets\nFROM node:20\nRUN true\n';
  assert.deepEqual(resolve(text).reachable, [1]);
  const b: ResolvedBuild = resolve(text, { baseImageTriggers: new Map([[1, ['COPY --from=assets / /public']]]) });
  assert.deepEqual(b.reachable, [0, 1]);
  assert.deepEqual(b.stages[1]!.commands[0]!.copyFrom, { kind: 'stage', index: 0 });
  const err = errorOf(() => resolve(text, { baseImageTriggers: new Map([[1, ['COPY --from=9 / /']]]) }));
  assertError(err, { message: 'invalid stage index 9', line: 2 });
  assert.match(err.hint ?? '', /In the ONBUILD trigger "COPY --from=9 \/ \/" inherited from image node:20/);
});

test('ONBUILD instructions of a base stage run in the stages built on it (not further down)', () => {
  const text = 'FROM alpine AS base\nONBUILD RUN echo child\nRUN echo base\nFROM base AS child\nRUN echo own\nFROM child\n';
  const b = resolve(text);
  assert.deepEqual(b.stages[0]!.commands.map((c) => c.onbuild), [false, false]);
  const child = b.stages[1]!.commands;
  assert.deepEqual(child.map((c) => [c.instruction.kind, c.onbuild, c.instruction.location.line]), [
    ['run', true, 4],
    ['run', false, 5],
  ]);
  const run = child[0]!.instruction;
  assert.ok(run.kind === 'run');
  assert.deepEqual(run.cmdLine, ['echo child']);
  assert.deepEqual(b.stages[2]!.commands, []);
  const err = errorOf(() => resolve('FROM alpine AS base\nONBUILD RUNN x\nFROM base\n'));
  assertError(err, { message: 'unknown instruction: RUNN (did you mean RUN?)', line: 3 });
  assert.match(err.hint ?? '', /inherited from stage base/);
});
