// moby/patternmatcher hands .dockerignore patterns with wildcards to Go's regexp package, so lade
// translates Go regexps to JavaScript. Every expectation below is Go's own answer (regexp.Compile
// and MatchString, Go 1.19); the translator only meets the subset patternmatcher can produce.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GoRegexpError, translateGoRegexp } from '../../../src/frontend/dockerignore/go-regexp.js';
import { patternSource } from '../../../src/frontend/dockerignore/pattern.js';

const matching: Array<[string, Record<string, boolean>]> = [
  ['^aa*b$', { ab: true, aab: true, 'a+b': false, b: false }],
  ['^file (1)\\.txt$', { 'file 1.txt': true, 'file (1).txt': false }],
  ['^x|y$', { xray: true, play: true, yak: false, ax: false }],
  ['^c{2}\\.txt$', { 'cc.txt': true, 'c{2}.txt': false }],
  ['^a{,2}$', { 'a{,2}': true, aa: false }],
  ['^a{02}$', { 'a{02}': true, aa: false }],
  ['^a{2,}$', { a: false, aa: true, aaaa: true }],
  ['^[[:digit:]]{1,}$', { '123': true, a1: false }],
  ['^[[:^alpha:]]$', { '1': true, a: false, é: true }],
  ['^[^/]$', { '/': false, a: true, '\n': true, '😀': true }],
  ['^d[^x]e$', { 'd/e': true, dxe: false, dze: true }],
  ['^[!a]b$', { '!b': true, ab: true, cb: false }],
  ['^\\d\\s\\w$', { '1 a': true, '1\u00a0a': false, '١ a': false }],
  ['^\\pL*$', { abc: true, é: true, a1: false }],
  ['^\\pC$', { '\u0378': false, '\ue000': true, '\u0001': true }],
  ['^\\PC$', { '\u0378': true, '\ue000': false, a: true }],
  ['^\\p{Greek}$', { α: true, a: false }],
  ['^\\x41\\x{1F600}$', { 'A😀': true }],
  ['^\\101\\0$', { 'A\u0000': true }],
  ['^a\\Qb.*\\E$', { 'ab.*': true, abc: false }],
  ['^a\\Qb$', { 'ab$': true, ab$zzz: true, ab: false }],
  ['^.$', { '\n': false, '\r': true, '\u2028': true }],
  ['^^*a$', { a: true }],
  ['^a\\bb$', { ab: false }],
  ['^\\Aa\\z$', { a: true }],
  ['(a{10}){100}', { a: false, ['a'.repeat(999)]: false, ['a'.repeat(1000)]: true }],
];

const rejected: string[] = [
  'a(b',
  'a)',
  'a**',
  '*a',
  '(|*)',
  'a{1001}',
  '(a{10}){101}',
  '[z-a]',
  '[a',
  '[[:foo:]]',
  '\\8',
  '\\1',
  '\\q',
  '\\C',
  '\\p{Latn}',
  '\\pX',
  '\\',
];

describe('Go regexp translation', () => {
  for (const [source, expected] of matching) {
    test(`${source} matches as in Go`, () => {
      const re = translateGoRegexp(source);
      const actual = Object.fromEntries(Object.keys(expected).map((s) => [s, re.test(s)]));
      assert.deepEqual(actual, expected);
    });
  }

  for (const source of rejected) {
    test(`${source} is rejected as in Go`, () => {
      assert.throws(() => translateGoRegexp(source), GoRegexpError);
    });
  }

  test('flag groups and + cannot come out of a pattern and are refused as a lade bug', () => {
    for (const source of ['(?i)a', 'a+']) {
      const isLadeBug = (err: unknown): boolean => !(err instanceof GoRegexpError) && /lade bug/.test(String(err));
      assert.throws(() => translateGoRegexp(source), isLadeBug, source);
    }
  });
});

describe("patternmatcher's pattern to regexp", () => {
  // The source is only compiled for the `regexp` kind; the fast paths compare text instead.
  const cases: Array<[string, string, string]> = [
    ['*.go', 'regexp', '^[^/]*\\.go$'],
    ['a?c', 'regexp', '^a[^/]c$'],
    ['**/x', 'suffix', '^(.*/)?x$'],
    ['a/**', 'prefix', '^a/$'],
    ['a/**/b', 'regexp', '^a/(.*/)?b$'],
    ['a*/**', 'regexp', '^a[^/]*/.*$'],
    ['**.txt', 'suffix', '^(.*/)?\\.txt$'],
    ['**/*.txt', 'regexp', '^(.*/)?[^/]*\\.txt$'],
    ['\\*x\\', 'regexp', '^\\*x\\$'],
    ['a+b(c)$', 'exact', '^a\\+b\\(c\\)\\$$'],
    ['a|b{2}', 'exact', '^a|b{2}$'],
    ['?|b{2}', 'regexp', '^[^/]|b{2}$'],
    ['[ab]', 'regexp', '^[ab]$'],
    ['\uFEFFb?', 'regexp', '^b[^/]$'],
    ['b\uFEFF?', 'regexp', '^b\uFEFF[^/]$'],
  ];
  for (const [pattern, kind, source] of cases) {
    test(`${JSON.stringify(pattern)} is ${kind} ${source}`, () => {
      assert.deepEqual(patternSource(pattern), { source, kind });
    });
  }
});
