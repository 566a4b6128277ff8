// Any bytes given as a Dockerfile yield a result or a typed error naming the file and line.
// Fixed seeds keep the suite deterministic; bench/fuzz.ts runs the same property on 100,000+
// inputs with fresh seeds.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { isLadeError } from '../../src/errors/index.js';
import { parseDockerfile, parseInstructions } from '../../src/frontend/index.js';
import { checkDockerfile, Gen, mutate, randomDockerfile } from '../helpers/dockerfile-fuzzer.js';
import { conformanceDir } from '../helpers/paths.js';

function seedCorpus(): Uint8Array[] {
  const dir = join(conformanceDir(), 'parser', 'testfiles');
  return readdirSync(dir).map((name) => readFileSync(join(dir, name, 'Dockerfile')));
}

test('random Dockerfiles parse or fail with a located LadeError', (t) => {
  const g = new Gen(20261128);
  const counts = { parsed: 0, rejected: 0 };
  for (let i = 0; i < 3000; i++) {
    const text = randomDockerfile(g);
    try {
      counts[checkDockerfile(text)]++;
    } catch (err) {
      assert.fail(`input ${i} broke the property: ${String(err)}\n${JSON.stringify(text)}`);
    }
  }
  t.diagnostic(`random: ${counts.parsed} parsed, ${counts.rejected} rejected with a located error`);
  // Both outcomes must occur, or the generator has stopped exercising one side.
  assert.ok(counts.parsed > 300 && counts.rejected > 300, JSON.stringify(counts));
});

test('mutated real Dockerfiles parse or fail with a located LadeError', (t) => {
  const g = new Gen(7);
  const corpus = seedCorpus();
  const counts = { parsed: 0, rejected: 0 };
  for (let i = 0; i < 2000; i++) {
    const input = mutate(g, g.pick(corpus), corpus);
    try {
      counts[checkDockerfile(input)]++;
    } catch (err) {
      assert.fail(`input ${i} broke the property: ${String(err)}\n${Buffer.from(input).toString('base64')}`);
    }
  }
  t.diagnostic(`mutated: ${counts.parsed} parsed, ${counts.rejected} rejected with a located error`);
  assert.ok(counts.parsed > 200 && counts.rejected > 200, JSON.stringify(counts));
});

test('the special inputs of the issue each get a clear, located error', () => {
  const cases: [string, Uint8Array | string, RegExp][] = [
    ['empty file', '', /no instructions/],
    ['line over 64 KiB', `FROM x\nRUN ${'a'.repeat(70000)}\n`, /max allowed size of 65535/],
    ['NUL byte', Buffer.from('FROM x\nRUN \0\n'), /NUL byte/],
    ['unterminated heredoc', 'FROM x\nRUN <<EOF\nhi\n', /unterminated heredoc/],
    ['unknown instruction', 'FROM x\nRUNN a\n', /unknown instruction: RUNN \(did you mean RUN\?\)/],
  ];
  for (const [name, input, re] of cases) {
    assert.equal(checkDockerfile(input), 'rejected', name);
    assert.throws(
      () => parseInstructions(parseDockerfile(input, { file: 'Dockerfile' })),
      (err: unknown) => isLadeError(err) && re.test(err.message),
      name,
    );
  }
});
