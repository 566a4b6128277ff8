// Unit: Go's filepath.Match (the cases of Go's own match_test.go, errors counted as no match, as
// fsutil ignores them), fsutil's wildcard split, and BuildKit's cleanPath.
import assert from 'node:assert/strict';
import test from 'node:test';
import { containsWildcards, goMatch, splitWildcards } from '../../src/fileop/go-match.js';
import { buildkitCleanPath, goBase, goClean, goJoin } from '../../src/fileop/go-path.js';

const MATCH_CASES: Array<[string, string, boolean]> = [
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
  ['[]a]', ']', false],
  ['[-]', '-', false],
  ['[x-]', 'x', false],
  ['[x-]', '-', false],
  ['[-x]', 'x', false],
  ['\\', 'a', false],
  ['[a-b-c]', 'a', false],
  ['[', 'a', false],
  ['[^', 'a', false],
  ['[^bc', 'a', false],
  ['a[', 'a', false],
  ['a[', 'ab', false],
  ['*x', 'xxx', true],
  // A class can match the separator, which `*` and `?` never do.
  ['a[^x]b', 'a/b', true],
];

test('goMatch agrees with Go filepath.Match', () => {
  for (const [pattern, name, want] of MATCH_CASES) {
    assert.equal(goMatch(pattern, name), want, `Match(${JSON.stringify(pattern)}, ${JSON.stringify(name)})`);
  }
});

test('containsWildcards and splitWildcards cut at the first wildcard component; a backslash escapes', () => {
  assert.equal(containsWildcards('a*'), true);
  assert.equal(containsWildcards('a\\*'), false);
  assert.equal(containsWildcards('[ab]'), true);
  assert.equal(containsWildcards('plain'), false);
  assert.deepEqual(splitWildcards('/a/b/*.txt'), { literal: '/a/b', pattern: '*.txt' });
  assert.deepEqual(splitWildcards('/a/b*/c/d'), { literal: '/a', pattern: 'b*/c/d' });
  assert.deepEqual(splitWildcards('/*'), { literal: '/', pattern: '*' });
  assert.deepEqual(splitWildcards('/a/b/'), { literal: '/a/b', pattern: '' });
  assert.deepEqual(splitWildcards('/a/b\\*'), { literal: '/a/b\\*', pattern: '' });
});

test('Go path helpers and BuildKit cleanPath keep the trailing "/" and "/." that copy reads', () => {
  assert.equal(goClean('/a//b/./c/..'), '/a/b');
  assert.equal(goClean('/../x/'), '/x');
  assert.equal(goClean(''), '.');
  assert.equal(goJoin('/', 'a/', ''), '/a');
  assert.equal(goJoin('', ''), '');
  assert.equal(goBase('/a/b/'), 'b');
  assert.equal(goBase('/a/b/.'), '.');
  assert.equal(goBase('/'), '/');
  assert.equal(buildkitCleanPath('a/b'), '/a/b');
  assert.equal(buildkitCleanPath('/a/b/'), '/a/b/');
  assert.equal(buildkitCleanPath('/a/b/.'), '/a/b/.');
  assert.equal(buildkitCleanPath('/a/../../b/'), '/b/');
  assert.equal(buildkitCleanPath('/'), '/');
  assert.equal(buildkitCleanPath('/.'), '/.');
});
