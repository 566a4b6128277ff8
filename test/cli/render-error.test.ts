import assert from 'node:assert/strict';
import test from 'node:test';
import { renderError } from '../../src/cli/render-error.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { ErrorCode, LadeError } from '../../src/errors/index.js';

test('a located LadeError renders as file:line: message, with its hint', () => {
  const err = new LadeError(ErrorCode.DockerfileSyntax, 'unterminated heredoc', {
    location: { file: 'Dockerfile', line: 4, endLine: 6 },
    hint: 'Close it.',
  });
  assert.deepEqual(renderError(err, false), { text: 'Dockerfile:4: unterminated heredoc\nClose it.\n', exitCode: 1 });
});

test('a bug (not a LadeError) says so, and shows the stack only with --debug', () => {
  const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
  const plain = renderError(bug, false);
  assert.match(plain.text, /^lade: internal error: Cannot read properties/);
  assert.match(plain.text, /--debug/);
  assert.doesNotMatch(plain.text, /\n\s+at /);
  assert.match(renderError(bug, true).text, /\n\s+at /);
});

test('usage errors use the exit status they carry', () => {
  assert.equal(renderError(new UsageError('unknown flag: --x', 'lade', 125), false).exitCode, 125);
});

test('the cause chain is shown with --debug', () => {
  const err = new LadeError(ErrorCode.FileRead, 'cannot read x', { cause: new Error('ENOENT') });
  assert.match(renderError(err, true).text, /\[FILE_READ\][\s\S]*Caused by:\nError: ENOENT/);
});
