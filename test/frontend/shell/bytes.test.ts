import assert from 'node:assert/strict';
import test from 'node:test';
import { decodeBytes } from '../../../src/frontend/gostrings/index.js';
import { createShellLexer, envFromList } from '../../../src/frontend/shell/index.js';

test('an invalid byte comes out of the lexer as U+FFFD, as from Go\'s scanner, on every path', () => {
  const lexer = createShellLexer();
  const env = envFromList(['V=x']);
  const word = decodeBytes(Buffer.from([0x61, 0xff, 0x62]));
  assert.equal(lexer.processWord(word, env), 'a\ufffdb');
  assert.deepEqual(lexer.processWords(`${word} $V`, env), ['a\ufffdb', 'x']);
  assert.equal(lexer.processWordWithMatches(`"${word}"`, env).result, 'a\ufffdb');
});
