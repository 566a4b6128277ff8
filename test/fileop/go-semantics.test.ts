// Unit: fsutil's wildcard split as the copy engine spells it, and Go's path helpers with
// BuildKit's cleanPath (filepath.Match itself is tested in test/gopath).
import assert from 'node:assert/strict';
import test from 'node:test';
import { splitWildcards } from '../../src/fileop/wildcards.js';
import { buildkitCleanPath, containsWildcards, goBase, goClean, goJoin } from '../../src/gopath/index.js';

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
