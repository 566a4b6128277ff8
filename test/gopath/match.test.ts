// Go's filepath.Match (one implementation for the context selection and the copy engine) and
// fsutil's wildcard split of a COPY source. The Match table is Go's own
// (src/path/filepath/match_test.go, `matchTests`), Unix rows, with ErrBadPattern read as "no
// match" because fsutil drops the error.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitWildcards } from '../../src/buildcontext/split-source.js';
import { compileGoPattern, containsWildcards, goMatch, goMatchString } from '../../src/gopath/index.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('goMatch (Go filepath.Match)', () => {
  // [pattern, name, match, badPattern]
  const table: Array<[string, string, boolean, boolean?]> = [
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true],
    ['[\\-x]', '-', true],
    ['[\\-x]', 'a', false],
    ['[]a]', ']', false, true],
    ['[-]', '-', false, true],
    ['[x-]', 'x', false, true],
    ['[x-]', '-', false, true],
    ['[x-]', 'z', false, true],
    ['[-x]', 'x', false, true],
    ['[-x]', '-', false, true],
    ['[-x]', 'a', false, true],
    ['\\', 'a', false, true],
    ['[a-b-c]', 'a', false, true],
    ['[', 'a', false, true],
    ['[^', 'a', false, true],
    ['[^bc', 'a', false, true],
    ['a[', 'a', false, true],
    ['a[', 'ab', false, true],
    ['a[', 'x', false, true],
    ['a/b[', 'x', false, true],
    ['*x', 'xxx', true],
  ];
  for (const [pattern, name, match, bad] of table) {
    test(`Match(${JSON.stringify(pattern)}, ${JSON.stringify(name)})`, () => {
      const got = goMatch(bytes(pattern), bytes(name));
      // Go reports a bad pattern only where matching reaches it; either way it is not a match.
      if (bad === true) assert.notEqual(got, true);
      else assert.equal(got, match);
      assert.equal(compileGoPattern(pattern).matches(name), match);
    });
  }

  test('a class can match a slash, so it counts towards the components a match may have', () => {
    assert.equal(goMatch(bytes('a[^x]b'), bytes('a/b')), true);
    assert.equal(compileGoPattern('a[^x]b').maxComponents, 2);
    assert.equal(compileGoPattern('*/x').maxComponents, 2);
  });
});

describe('containsWildcards and splitWildcards (fsutil copy)', () => {
  test('an escaped wildcard does not count', () => {
    assert.equal(containsWildcards('a\\*b'), false);
    assert.equal(containsWildcards('a\\*b*'), true);
    assert.equal(containsWildcards('[ab]'), true);
    assert.equal(containsWildcards('a]b'), false);
  });

  test('base before the first wildcard component, cleaned and kept inside the root', () => {
    assert.deepEqual(splitWildcards('src/*.txt'), { base: 'src', rest: '*.txt' });
    assert.deepEqual(splitWildcards('./a/b/../c/*/d'), { base: 'a/c', rest: '*/d' });
    assert.deepEqual(splitWildcards('../../x/?'), { base: 'x', rest: '?' });
    assert.deepEqual(splitWildcards('/abs/file'), { base: 'abs/file', rest: '' });
    assert.deepEqual(splitWildcards('.'), { base: '', rest: '' });
    assert.deepEqual(splitWildcards('*'), { base: '', rest: '*' });
    assert.deepEqual(splitWildcards('a\\*b'), { base: 'a\\*b', rest: '' });
  });
});

test('goMatchString is goMatch on the strings\' UTF-8 bytes, a bad pattern matching nothing', () => {
  assert.equal(goMatchString('a?b', 'a☺b'), true);
  assert.equal(goMatchString('a???b', 'a☺b'), false);
  assert.equal(goMatchString('[', 'a'), false);
  assert.equal(goMatchString('a[^x]b', 'a/b'), true);
});
