// Integration (root): wildcard sources as fsutil's ResolveWildcards resolves them: a walk of the
// literal directory in Go's order, filepath.Match on paths relative to it, matched directories
// not entered, a missing literal directory an error even when empty matches are allowed.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ErrorCode } from '../../src/errors/index.js';
import { assertListing, kind, link, put, read, rejectsWith, trees } from './helpers.js';

test('"*" matches within one component, in the literal directory only', async (t) => {
  const w = trees(t);
  put(w.src, 'a.txt');
  put(w.src, 'b.txt');
  put(w.src, 'c.md');
  put(w.src, 'sub/d.txt');
  put(w.src, 'docs/e.txt');
  await w.copy({ src: '/*.txt', dest: '/top/' });
  await w.copy({ src: '/docs/*.txt', dest: '/docs/' });
  assertListing(w.dest, ['top/', 'top/a.txt', 'top/b.txt', 'docs/', 'docs/e.txt']);
});

test('a pattern over several components walks into directories; a matching directory is copied, not entered', async (t) => {
  const w = trees(t);
  put(w.src, 'pkgs/one/package.json', 'one\n');
  put(w.src, 'pkgs/two/package.json', 'two\n');
  put(w.src, 'pkgs/two/deep/package.json', 'deep\n');
  put(w.src, 'srcdir/inner/file');
  put(w.src, 'srcdir2/file');
  await w.copy({ src: '/pkgs/*/package.json', dest: '/pj/' });
  assertListing(w.dest, ['pj/', 'pj/package.json']);
  assert.equal(read(w.dest, 'pj/package.json'), 'two\n', 'each match lands on the same name; the last one stays');
  // "srcdir*" matches two directories: each one's contents are copied into the destination.
  await w.copy({ src: '/srcdir*', dest: '/merged/' });
  assertListing(w.dest, ['pj/', 'pj/package.json', 'merged/', 'merged/inner/', 'merged/inner/file', 'merged/file']);
});

test('matches come in walk order (names byte by byte, parents before children), not sorted as whole paths', async (t) => {
  const w = trees(t);
  // Sorted as strings "a-b/x" < "a/x"; the walk visits "a" (and a/x) before "a-b".
  put(w.src, 'a/x', 'from a\n');
  put(w.src, 'a-b/x', 'from a-b\n');
  await w.copy({ src: '/*/x', dest: '/last' });
  assert.equal(read(w.dest, 'last'), 'from a-b\n');
});

test('classes, "?" and escapes follow filepath.Match; a class may even match "/"', async (t) => {
  const w = trees(t);
  put(w.src, 'f1');
  put(w.src, 'f2');
  put(w.src, 'f3');
  put(w.src, 'fx');
  put(w.src, 'star*');
  put(w.src, 'starry');
  put(w.src, 'a/b');
  await w.copy({ src: '/f[12]', dest: '/class/' });
  await w.copy({ src: '/f?', dest: '/any/' });
  await w.copy({ src: '/star\\**', dest: '/escaped/' });
  await w.copy({ src: '/a[/]b', dest: '/slash/' });
  assertListing(w.dest, [
    'class/', 'class/f1', 'class/f2',
    'any/', 'any/f1', 'any/f2', 'any/f3', 'any/fx',
    'escaped/', 'escaped/star*',
    'slash/', 'slash/b',
  ]);
  // A component without an unescaped wildcard is not a pattern: the backslash stays in the name.
  await rejectsWith(w.copy({ src: '/star\\*', dest: '/lit/' }), ErrorCode.FileopNotFound, /"\/star\\\*" not found/);
});

test('no match is fine with allowEmptyWildcard, an error without; a missing literal directory is always an error', async (t) => {
  const w = trees(t);
  put(w.src, 'a.txt');
  await w.copy({ src: '/*.none', dest: '/x/' });
  assertListing(w.dest, []);
  await rejectsWith(w.copy({ src: '/*.none', dest: '/x/', allowEmptyWildcard: false }), ErrorCode.FileopNotFound, /no file matches/);
  await rejectsWith(w.copy({ src: '/missing/*.txt', dest: '/x/' }), ErrorCode.FileopNotFound, /"\/missing" not found/);
  // A literal that is a file: walked as Go walks it, it has no children, so nothing matches.
  await w.copy({ src: '/a.txt/*', dest: '/x/' });
  assertListing(w.dest, []);
});

test('a matched symlink is followed with followSymlinks and copied as a link without; so is the literal directory', async (t) => {
  const w = trees(t);
  put(w.src, 'real/conf.ini', 'ini\n');
  link(w.src, 'links/conf.ini', '../real/conf.ini');
  link(w.src, 'dirlink', 'real');
  await w.copy({ src: '/links/*.ini', dest: '/followed/' });
  await w.copy({ src: '/links/*.ini', dest: '/kept/', followSymlinks: false });
  await w.copy({ src: '/dirlink/*.ini', dest: '/through/' });
  assert.equal(kind(w.dest, 'followed/conf.ini'), 'file');
  assert.equal(kind(w.dest, 'kept/conf.ini'), 'symlink:../real/conf.ini');
  assert.equal(read(w.dest, 'through/conf.ini'), 'ini\n');
  // Without followSymlinks the literal directory's own link is not followed: a link has no children.
  await w.copy({ src: '/dirlink/*.ini', dest: '/none/', followSymlinks: false });
  assertListing(w.dest, ['followed/', 'followed/conf.ini', 'kept/', 'kept/conf.ini', 'through/', 'through/conf.ini']);
});
