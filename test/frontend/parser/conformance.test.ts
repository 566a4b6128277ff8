// BuildKit's own parser test data, run in place from ../shared/conformance/buildkit/parser.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { dumpDockerfile, parseDockerfile } from '../../../src/frontend/parser/index.js';
import { conformanceDir } from '../../helpers/paths.js';

const parserDir = () => join(conformanceDir(), 'parser');

test('BuildKit parser conformance: positive cases dump byte-identical results', (t) => {
  const dir = join(parserDir(), 'testfiles');
  const cases = readdirSync(dir).sort();
  const failures: string[] = [];
  for (const name of cases) {
    const source = readFileSync(join(dir, name, 'Dockerfile'));
    const expected = readFileSync(join(dir, name, 'result'), 'utf8').replaceAll('\r\n', '\n');
    try {
      const actual = dumpDockerfile(parseDockerfile(source, { file: `${name}/Dockerfile` })) + '\n';
      if (actual !== expected) failures.push(`${name}: dump differs\n--- expected\n${expected}--- actual\n${actual}`);
    } catch (err) {
      failures.push(`${name}: ${String(err)}`);
    }
  }
  t.diagnostic(`parser positive cases: ${cases.length - failures.length}/${cases.length} byte-identical`);
  assert.equal(cases.length, 33, 'the conformance data has 33 positive cases');
  assert.deepEqual(failures, []);
});

test('BuildKit parser conformance: negative cases fail to parse', (t) => {
  const dir = join(parserDir(), 'testfiles-negative');
  const cases = readdirSync(dir).sort();
  const parsed: string[] = [];
  for (const name of cases) {
    try {
      parseDockerfile(readFileSync(join(dir, name, 'Dockerfile')), { file: `${name}/Dockerfile` });
      parsed.push(name);
    } catch (err) {
      assert.equal((err as { name?: string }).name, 'LadeError', `${name} must fail with a typed error`);
    }
  }
  t.diagnostic(`parser negative cases: ${cases.length - parsed.length}/${cases.length} rejected`);
  assert.equal(cases.length, 4);
  assert.deepEqual(parsed, [], 'these negative cases parsed without error');
});

test('BuildKit parser conformance: line ranges of testfile-line', (t) => {
  const parsed = parseDockerfile(readFileSync(join(parserDir(), 'testfile-line', 'Dockerfile')));
  const ranges = [
    [parsed.startLine, parsed.endLine],
    ...parsed.instructions.map((n) => [n.startLine, n.endLine]),
  ];
  assert.deepEqual(ranges, [
    [5, 31],
    [5, 5],
    [11, 12],
    [17, 31],
  ]);
  t.diagnostic('parser line-number case: 4/4 ranges match');
});
