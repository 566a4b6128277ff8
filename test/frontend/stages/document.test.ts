// Grouping typed instructions into global ARGs and stages.
import assert from 'node:assert/strict';
import test from 'node:test';
import { errorOf, expectParseError } from '../instructions/helpers.js';
import { documentOf } from './helpers.js';

test('ARGs before the first FROM are global; each FROM opens a stage', () => {
  const doc = documentOf('# escape=`\nARG A=1\nARG B\nFROM alpine AS Base\nRUN true\nARG C\nfrom base\nCOPY a b\n');
  assert.equal(doc.file, 'Dockerfile');
  assert.equal(doc.escapeToken, '`');
  assert.deepEqual(
    doc.metaArgs.map((a) => a.args),
    [[{ key: 'A', value: '1' }], [{ key: 'B' }]],
  );
  assert.equal(doc.stages.length, 2);
  const [base, second] = doc.stages;
  assert.equal(base!.index, 0);
  assert.equal(base!.name, 'base');
  assert.equal(base!.from.location.line, 4);
  assert.deepEqual(base!.commands.map((c) => c.kind), ['run', 'arg']);
  assert.equal(second!.index, 1);
  assert.equal('name' in second!, false);
  assert.equal(second!.from.baseName, 'base');
  assert.deepEqual(second!.commands.map((c) => c.kind), ['copy']);
});

test('an instruction other than ARG before the first FROM is an error at its line', () => {
  const err = errorOf(() => documentOf('ARG A\nENV B=1\nFROM alpine\n'));
  assert.equal(err.message, 'no build stage in current context');
  assert.deepEqual(err.location, { file: 'Dockerfile', line: 2, endLine: 2 });
  assert.match(err.hint ?? '', /Only ARG/);
});

test('a file with only ARGs has global ARGs and no stages (resolution refuses it)', () => {
  const doc = documentOf('ARG A\n');
  assert.equal(doc.stages.length, 0);
  assert.equal(doc.metaArgs.length, 1);
});

test('instruction errors surface with their location, in file order', () => {
  expectParseError('FROM alpine\nRUN --network=x true\nRUNN\n', { message: 'invalid network mode "x"', line: 2 });
  const err = errorOf(() => documentOf('FROM alpine\nRUN true\nCOPY a\n'));
  assert.equal(err.location?.line, 3);
});

