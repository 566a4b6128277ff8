// Go-compatible value parsers (durations, sizes), CSV records and suggestions.
import assert from 'node:assert/strict';
import test from 'node:test';
import { editDistance, parseGoDuration, suggest, withSuggestion } from '../../../src/frontend/instructions/index.js';
import { csvFields } from '../../../src/frontend/instructions/csv.js';
import { ramInBytes } from '../../../src/frontend/instructions/go-numbers.js';

test('durations parse like Go time.ParseDuration', () => {
  const ok: [string, number][] = [
    ['0', 0],
    ['+0', 0],
    ['-0', 0],
    ['5s', 5e9],
    ['30s', 30e9],
    ['1m30s', 90e9],
    ['1.5h', 5400e9],
    ['.5s', 0.5e9],
    ['1.s', 1e9],
    ['300ms', 300e6],
    ['10us', 10e3],
    ['10\u00b5s', 10e3],
    ['10\u03bcs', 10e3],
    ['7ns', 7],
    ['-1.5m', -90e9],
    ['1h1m1s1ms1us1ns', 3661001001001],
    ['0.000000001s', 1],
  ];
  for (const [input, nanos] of ok) assert.deepEqual(parseGoDuration(input), { nanos }, input);
  const bad: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['5', 'time: missing unit in duration "5"'],
    ['s', 'time: invalid duration "s"'],
    ['.s', 'time: invalid duration ".s"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['1s2', 'time: missing unit in duration "1s2"'],
    ['-', 'time: invalid duration "-"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
  ];
  for (const [input, error] of bad) assert.deepEqual(parseGoDuration(input), { error }, input);
});

test('RAM sizes parse like go-units RAMInBytes', () => {
  const cases: [string, number | undefined][] = [
    ['32', 32],
    ['32b', 32],
    ['32B', 32],
    ['32k', 32 * 1024],
    ['32K', 32 * 1024],
    ['32kb', 32 * 1024],
    ['32Kib', 32 * 1024],
    ['32 mb', 32 * 1024 ** 2],
    ['32.5g', 32.5 * 1024 ** 3],
    ['1t', 1024 ** 4],
    ['1p', 1024 ** 5],
    ['0.3k', 307],
    ['', undefined],
    ['k', undefined],
    ['32bb', undefined],
    ['32kbs', undefined],
    ['32x', undefined],
    ['32kx', undefined],
    ['-1', undefined],
    ['1..5k', undefined],
  ];
  for (const [input, bytes] of cases) assert.equal(ramInBytes(input), bytes, input);
});

test('CSV records like go-csvvalue', () => {
  assert.deepEqual(csvFields('a,b,c'), ['a', 'b', 'c']);
  assert.deepEqual(csvFields('a,,b,'), ['a', '', 'b', '']);
  assert.deepEqual(csvFields('"a,b",c'), ['a,b', 'c']);
  assert.deepEqual(csvFields('"a""b"'), ['a"b']);
  assert.deepEqual(csvFields('""'), ['']);
  assert.deepEqual(csvFields(' a , b'), [' a ', ' b']);
  assert.deepEqual(csvFields('a,b\n'), ['a', 'b']);
  assert.throws(() => csvFields(''), /^Error: EOF$/);
  assert.throws(() => csvFields('a"b'), { message: 'parse error on line 1, column 2: bare " in non-quoted-field' });
  assert.throws(() => csvFields('é,a"'), { message: 'parse error on line 1, column 5: bare " in non-quoted-field' });
  assert.throws(() => csvFields('"ab'), { message: 'parse error on line 1, column 2: extraneous or missing " in quoted-field' });
});

test('suggestions: Levenshtein below 3, exact match means none, case handling', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('ü', 'u'), 1);
  assert.equal(suggest('RUNN', ['RUN', 'ENV'], false), 'RUN');
  assert.equal(suggest('runn', ['RUN', 'ENV'], false), 'run');
  assert.equal(suggest('Runn', ['RUN', 'ENV'], false), 'run');
  assert.equal(suggest('run', ['RUN'], false), undefined, 'exact match');
  assert.equal(suggest('xyzzy', ['RUN'], false), undefined);
  assert.equal(suggest('Cache', ['cache'], true), 'cache');
  assert.equal(suggest('cach', ['bind', 'cache'], true), 'cache');
  assert.equal(suggest('ab', ['ax', 'ab'], true), undefined, 'an exact match anywhere wins');
  assert.equal(withSuggestion('unknown flag: --frm', 'frm', ['from'], true), 'unknown flag: --frm (did you mean from?)');
  assert.equal(withSuggestion('m', 'zzz', ['from'], true), 'm');
});
