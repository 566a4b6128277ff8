import assert from 'node:assert/strict';
import test from 'node:test';
import {
  byteView,
  decodeBytes,
  encodeBytes,
  goLower,
  goQuote,
  isGoSpace,
  replaceEscapedBytes,
  trimGoSpace,
} from '../../../src/frontend/gostrings/index.js';

test('invalid UTF-8 round-trips through decodeBytes and encodeBytes', () => {
  const raw = Buffer.from([0x61, 0xff, 0xc3, 0xa9, 0xe2, 0x82, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0x62]);
  const text = decodeBytes(raw);
  // é is valid; the truncated E2 82, the encoded surrogate ED A0 80 and F4 90 80 80 (> U+10FFFF)
  // are one escape per byte, as Go's decoder sees them.
  assert.equal(text.length, 1 + 1 + 1 + 2 + 3 + 4 + 1);
  assert.deepEqual(encodeBytes(text), raw);
  assert.equal(byteView('é'), '\u00c3\u00a9');
});

test('Go quoting: escaped bytes as \\x, printable Unicode raw, JSON lone surrogates as U+FFFD', () => {
  assert.equal(goQuote(decodeBytes(Buffer.from([0x61, 0xff]))), '"a\\xff"');
  assert.equal(goQuote('tab\there "q" \\ é \u2028'), '"tab\\there \\"q\\" \\\\ é \\u2028"');
  assert.equal(goQuote('\ud800'), '"\ufffd"');
});

test('Go whitespace and lower-casing differ from JavaScript\'s', () => {
  assert.equal(isGoSpace(0x85), true);
  assert.equal(isGoSpace(0xfeff), false);
  assert.equal(trimGoSpace('\u0085 x\ufeff '), 'x\ufeff');
  assert.equal(goLower('İNCLUDE'), 'include');
  assert.equal(goLower('ΟΔΟΣ'), 'οδοσ');
});

test('escaped bytes become U+FFFD where Go decodes runes and writes them back', () => {
  assert.equal(replaceEscapedBytes(decodeBytes(Buffer.from([0x61, 0xff]))), 'a\ufffd');
});
