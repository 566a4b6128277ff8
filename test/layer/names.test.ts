// Name cleaning and whiteout classification: pure functions, no root needed.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ErrorCode } from '../../src/errors/index.js';
import { classifyEntry } from '../../src/layer/index.js';
import { cleanName } from '../../src/layer/entry.js';

test('cleanName: Docker path.Clean semantics, root-relative, escapes refused', () => {
  const clean: Array<[string, string]> = [
    ['a', 'a'],
    ['a/b/c', 'a/b/c'],
    ['./a', 'a'],
    ['a/', 'a'],
    ['a//b', 'a/b'],
    ['a/./b', 'a/b'],
    ['a/b/../c', 'a/c'],
    ['/a', 'a'],
    ['//a//', 'a'],
    ['/../a', 'a'],
    ['...', '...'],
    ['..a/b..', '..a/b..'],
    ['.wh...', '.wh...'],
    ['./', '.'],
    ['.', '.'],
    ['/', '.'],
    ['a/..', '.'],
  ];
  for (const [raw, expected] of clean) assert.equal(cleanName(raw, 'name').path, expected, raw);
  for (const raw of ['..', '../a', 'a/../..', './../a', 'a/b/../../../c']) {
    assert.throws(() => cleanName(raw, 'name'), { code: ErrorCode.LayerUnsafePath, message: /points outside the layer root/ }, raw);
  }
  assert.throws(() => cleanName('', 'name'), { code: ErrorCode.LayerUnsafePath, message: /empty name/ });
  assert.throws(() => cleanName('a\0b', 'name'), { code: ErrorCode.LayerUnsafePath, message: /NUL/ });
});

test('classifyEntry: whiteouts, opaque markers and reserved metadata', () => {
  assert.deepEqual(classifyEntry('.'), { kind: 'root' });
  assert.deepEqual(classifyEntry('etc/passwd'), { kind: 'plain' });
  assert.deepEqual(classifyEntry('etc/.wh.passwd'), { kind: 'whiteout', dir: 'etc', name: 'passwd' });
  assert.deepEqual(classifyEntry('.wh.top'), { kind: 'whiteout', dir: '', name: 'top' });
  assert.deepEqual(classifyEntry('.wh....'), { kind: 'whiteout', dir: '', name: '...' });
  assert.deepEqual(classifyEntry('var/.wh..wh..opq'), { kind: 'opaque', dir: 'var' });
  assert.deepEqual(classifyEntry('.wh..wh..opq'), { kind: 'opaque', dir: '' });
  assert.deepEqual(classifyEntry('.wh..wh.plnk/123'), { kind: 'meta' });
  assert.deepEqual(classifyEntry('a/.wh..wh.aufs'), { kind: 'meta' });
  // Only the last component is special, as in Docker: `.wh.dir/x` is an ordinary entry.
  assert.deepEqual(classifyEntry('.wh.dir/x'), { kind: 'plain' });
  for (const bad of ['.wh.', 'a/.wh.', '.wh..', 'a/.wh...']) {
    assert.throws(() => classifyEntry(bad), { code: ErrorCode.LayerUnsafePath, message: /invalid whiteout/ }, bad);
  }
});
