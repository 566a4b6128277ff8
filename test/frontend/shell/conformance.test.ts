// BuildKit's shell-lexer data (envVarTest, wordsTest), read in place from the shared conformance
// folder and run with the harness rules of its README (sections 4 and 5).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { ErrorCode, isLadeError } from '../../../src/errors/index.js';
import { createShellLexer, envFromList } from '../../../src/frontend/shell/index.js';
import { conformanceDir } from '../../helpers/paths.js';

/** Lines as Go's bufio.Scanner yields them: split at \n, a trailing \r dropped, no empty last line. */
function readLines(file: string): string[] {
  const text = readFileSync(join(conformanceDir(), 'shell', file), 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

function describeOutcome(run: () => unknown): string {
  try {
    return `result ${JSON.stringify(run())}`;
  } catch (err) {
    return `error ${err instanceof Error ? err.message : String(err)}`;
  }
}

test('envVarTest: single-word expansion, Unix lines (A and U)', (t) => {
  const lexer = createShellLexer({ escapeToken: '\\' });
  const env = envFromList(['PWD=/home', 'SHELL=bash', 'KOREAN=한국어', 'NULL=']);
  const failures: string[] = [];
  let ran = 0;
  let windowsOnly = 0;
  let expectError = 0;
  readLines('envVarTest').forEach((raw, index) => {
    const lineNo = index + 1;
    if (raw.startsWith('#')) return;
    const line = raw.trim();
    if (line === '') return;
    const fields = line.split('|');
    assert.equal(fields.length, 3, `envVarTest:${lineNo}: expected 3 fields in ${JSON.stringify(line)}`);
    const [platform, source, expected] = fields.map((f) => f.trim()) as [string, string, string];
    assert.ok(['A', 'U', 'W'].includes(platform), `envVarTest:${lineNo}: unknown platform ${platform}`);
    if (platform === 'W') {
      windowsOnly++;
      return;
    }
    ran++;
    if (expected === 'error') {
      expectError++;
      try {
        const result = lexer.processWord(source, env);
        failures.push(`line ${lineNo}: ${JSON.stringify(source)} should fail, got ${JSON.stringify(result)}`);
      } catch (err) {
        if (!isLadeError(err) || err.code !== ErrorCode.ShellExpansion) {
          failures.push(`line ${lineNo}: ${JSON.stringify(source)} threw a non-LadeError: ${String(err)}`);
        }
      }
      return;
    }
    const outcome = describeOutcome(() => lexer.processWord(source, env));
    if (outcome !== `result ${JSON.stringify(expected)}`) {
      failures.push(`line ${lineNo}: ${JSON.stringify(source)} expected ${JSON.stringify(expected)}, ${outcome}`);
    }
  });
  t.diagnostic(
    `envVarTest: ${ran - failures.length}/${ran} Unix lines passed (${windowsOnly} W lines skipped as Windows-only)`,
  );
  assert.deepEqual(failures, []);
  // Pins the harness: a reader that drops lines must not pass quietly.
  assert.equal(ran, 228);
  assert.equal(windowsOnly, 2);
  assert.equal(expectError, 36);
});

test('wordsTest: expansion with word splitting, normal mode', (t) => {
  const lexer = createShellLexer({ escapeToken: '\\' });
  const envLines: string[] = [];
  const failures: string[] = [];
  let ran = 0;
  readLines('wordsTest').forEach((line, index) => {
    const lineNo = index + 1;
    if (line.startsWith('#')) return;
    if (line.startsWith('ENV ')) {
      envLines.push(line.slice(3).replace(/^ +/, ''));
      return;
    }
    const parts = line.split('|');
    assert.equal(parts.length, 2, `wordsTest:${lineNo}: expected exactly one | in ${JSON.stringify(line)}`);
    const [rawInput, rawExpected] = parts as [string, string];
    const input = rawInput.trim();
    // Trailing spaces of the expectation are significant (the `trailing` variable ends in three).
    const expected = rawExpected.replace(/^ +/, '').split(',');
    ran++;
    let actual: string[];
    try {
      actual = lexer.processWords(input, envFromList(envLines));
    } catch (err) {
      if (!isLadeError(err)) throw err;
      actual = ['error'];
    }
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      const got = JSON.stringify(actual);
      failures.push(`line ${lineNo}: ${JSON.stringify(input)} expected ${JSON.stringify(expected)}, got ${got}`);
    }
  });
  t.diagnostic(`wordsTest: ${ran - failures.length}/${ran}`);
  assert.deepEqual(failures, []);
  assert.equal(ran, 24);
  assert.equal(envLines.length, 4);
  assert.ok(envLines.includes('trailing=ab c   '), 'the trailing spaces of ENV trailing were lost');
});
