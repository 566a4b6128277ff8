// Every recorded case (test/fixtures/build/cases) built by lade through the real CLI, as root,
// and compared with what the reference BuildKit built from the same inputs: the image config
// and history (times aside), every file that differs from the base (type, mode, owner, size,
// content, link target), and the entries of every layer.
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { baseStore, buildArgs, caseNames, caseOptions, CASES_DIR, describe, prepareCase } from './fixture-cases.js';

const store = baseStore();

for (const name of caseNames()) {
  test(`build golden: ${name}`, () => {
    const copy = prepareCase(name);
    const tag = `lade-golden/${name}:latest`;
    const built = store.run(buildArgs(name, copy, tag));
    const errorFile = join(CASES_DIR, name, 'expected-error.txt');
    if (caseOptions(name).fail === true) {
      assert.notEqual(built.status, 0, `${name} must fail; output:\n${built.stderr}`);
      const expected = readFileSync(errorFile, 'utf8');
      const code = /exit code: (\d+)/.exec(expected);
      if (code !== null) assert.match(built.stderr, new RegExp(`exit code: ${code[1]}\\b`));
      const notFound = /"([^"]+)" not found/.exec(expected);
      if (notFound !== null) assert.match(built.stderr, new RegExp(`${notFound[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*not found`));
      assert.doesNotMatch(built.stderr, /internal error|    at /, 'a build failure is reported, not a crash');
      return;
    }
    assert.equal(built.status, 0, `lade build failed:\n${built.stderr}`);
    assert.ok(existsSync(join(CASES_DIR, name, 'expected.json')));
    const expected = JSON.parse(readFileSync(join(CASES_DIR, name, 'expected.json'), 'utf8')) as Record<string, unknown>;
    const actual = describe(store.run, tag, store.baseTar, copy) as Record<string, unknown>;
    assert.deepEqual(actual['config'], expected['config'], 'image config and history');
    assert.deepEqual(actual['files'], expected['files'], 'files that differ from the base');
    assert.deepEqual(actual['layers'], expected['layers'], 'entries of each layer');
  });
}
