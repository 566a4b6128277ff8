// Regressions found by differential fuzzing against BuildKit's Go parser. Every expected value
// below is what BuildKit's parser (frontend/dockerfile/parser at 73ed6825) produced for the input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isLadeError } from '../../../src/errors/index.js';
import { goQuote } from '../../../src/frontend/gostrings/index.js';
import { dumpDockerfile, parseDockerfile } from '../../../src/frontend/parser/index.js';

/** The input as bytes: `\xNN` in the literal is the raw byte NN, everything else is ASCII. */
const bytes = (latin1: string) => Buffer.from(latin1, 'latin1');
const parse = (input: Uint8Array) => parseDockerfile(input, { file: 'Dockerfile' });
const dump = (input: Uint8Array) => dumpDockerfile(parse(input));

function parseErrorMessage(input: Uint8Array): string {
  try {
    parse(input);
  } catch (err) {
    assert.ok(isLadeError(err), `expected a LadeError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected the parse to fail');
}

describe('differential: invalid UTF-8', () => {
  test('an invalid byte in a keyword dumps as U+FFFD (Go lower-cases with strings.Map)', () => {
    assert.equal(
      dump(bytes('FROM x\n\xffRUN a\nONBUILD \xffRUN a\n')),
      '(from "x")\n(\ufffdrun "")\n(onbuild (\ufffdrun ""))',
    );
  });

  test('a heredoc delimiter with an invalid byte is U+FFFD and ends only at a U+FFFD line', () => {
    assert.match(parseErrorMessage(bytes('FROM x\nRUN <<\xff\n\xff\n')), /unterminated heredoc/);
    const p = parse(bytes('FROM x\nRUN <<\xff\n\xef\xbf\xbd\n'));
    assert.equal(dumpDockerfile(p), '(from "x")\n(run "<<\\xff")');
    assert.deepEqual(p.instructions[1]!.heredocs, [
      { name: '\ufffd', fileDescriptor: 0, expand: true, chomp: false, content: '' },
    ]);
    assert.deepEqual([p.instructions[1]!.startLine, p.instructions[1]!.endLine], [2, 3]);
  });

  test('a comment loses its first byte, not its first character, when it starts with a multi-byte space', () => {
    const p = parse(bytes('\xc2\xa0# c\nFROM x\n'));
    assert.deepEqual(p.instructions[0]!.comments.map(goQuote), ['"\\xa0# c"']);
  });
});

describe('differential: continuation lines join bytes', () => {
  // BuildKit removes the escape and the newline from a byte buffer, so a character whose bytes
  // are split by a line continuation is whole again in the logical line.
  const input = bytes('FROM x\nRUN a\xe2\\\n\x80\xa8b\nRUN <<\xe2\\\n\x80\xa8 /x\nRUN\xc2\\\n\xa0a\n');

  test('the joined character is decoded, and a space there ends words and heredoc markers', () => {
    const p = parse(input);
    assert.equal(dumpDockerfile(p), '(from "x")\n(run "a\\u2028b")\n(run "<<\\u2028 /x")\n(run\u00a0a "")');
    assert.equal(p.instructions[1]!.original, 'RUN a\u2028b');
    // `<<` followed by U+2028 is no heredoc marker: the lexer splits the word at that space.
    assert.deepEqual(p.instructions[2]!.heredocs, []);
    assert.deepEqual(
      p.instructions.map((n) => [n.startLine, n.endLine]),
      [
        [1, 1],
        [2, 3],
        [4, 5],
        [6, 7],
      ],
    );
  });

  test('bytes that still do not form a character stay invalid', () => {
    assert.equal(dump(bytes('FROM x\nRUN a\xe2\\\nz\x80b\n')), '(from "x")\n(run "a\\xe2z\\x80b")');
  });
});

describe('differential: JSON form follows encoding/json', () => {
  test('a number that overflows float64 makes the text shell form, not an error', () => {
    assert.equal(
      dump(bytes('FROM x\nRUN [1e400]\nCMD ["a", {"b": -1e999}]\n')),
      '(from "x")\n(run "[1e400]")\n(cmd "[\\"a\\", {\\"b\\": -1e999}]")',
    );
    assert.equal(parse(bytes('FROM x\nRUN [1e400]\n')).instructions[1]!.json, false);
    // Underflow is not an error in Go: the value is 0, a non-string, as with any number.
    assert.match(parseErrorMessage(bytes('FROM x\nRUN [1e-400]\n')), /arrays must be comprised of strings only/);
  });

  test('nesting deeper than 10,000 is not JSON; exactly 10,000 is (and fails as a non-string)', () => {
    const nested = (depth: number) => `FROM x\nRUN [${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}]\n`;
    assert.match(parseErrorMessage(bytes(nested(10000))), /arrays must be comprised of strings only/);
    const p = parse(bytes(nested(10001)));
    assert.equal(p.instructions[1]!.json, false);
    assert.equal(p.instructions[1]!.args[0]!.length, 20002);
  });

  test('an invalid byte after a \\uD800 escape does not pair with it: two U+FFFD', () => {
    const p = parse(bytes('FROM x\nRUN ["\\ud800\x80"]\n'));
    assert.equal(p.instructions[1]!.json, true);
    assert.deepEqual(p.instructions[1]!.args, ['\ufffd\ufffd']);
    assert.equal(dumpDockerfile(p), '(from "x")\n(run "\ufffd\ufffd")');
  });
});

describe('differential: heredoc file descriptors', () => {
  test('a descriptor above 2^64-1 saturates, as strconv.ParseUint does', () => {
    const p = parse(bytes('FROM x\nRUN 99999999999999999999<<EOF\nEOF\nRUN 007<<EOF\nEOF\n'));
    assert.equal(p.instructions[1]!.heredocs[0]!.fileDescriptor, 18446744073709551615);
    assert.equal(p.instructions[2]!.heredocs[0]!.fileDescriptor, 7);
  });
});
