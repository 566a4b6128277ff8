// One test per .dockerignore rule, as current BuildKit (moby/patternmatcher) reads and matches
// it. Whole-context behaviour is pinned by golden.test.ts and the walk by walk.test.ts; every
// expectation here was checked against the upstream code (see the fixtures' READMEs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, isLadeError, type LadeError } from '../../../src/errors/index.js';
import { createIgnoreMatcher, MAX_LINE_BYTES, parseDockerignore } from '../../../src/frontend/dockerignore/index.js';

const rules = (text: string) => parseDockerignore(text, '.dockerignore');
const patterns = (text: string) => rules(text).map((r) => (r.exclusion ? '!' : '') + r.pattern);
const matcher = (text: string) => createIgnoreMatcher(rules(text));
/** The given paths this ignore file excludes, each asked on its own (MatchesOrParentMatches). */
const excluded = (text: string, paths: string[]) => {
  const m = matcher(text);
  return paths.filter((p) => m.matchesOrParentMatches(p));
};

function parseError(text: string): LadeError {
  try {
    rules(text);
  } catch (err) {
    assert.ok(isLadeError(err), `expected a LadeError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('reading lines', () => {
  test('# starts a comment only in the first column', () => {
    assert.deepEqual(patterns('# note\n#a.txt\n #b.txt\nc.txt # not a comment\n'), ['#b.txt', 'c.txt # not a comment']);
  });

  test('blank and all-space lines are skipped but still counted', () => {
    assert.deepEqual(
      rules('\n   \n\t\na\n\nb').map((r) => [r.pattern, r.line]),
      [
        ['a', 4],
        ['b', 6],
      ],
    );
  });

  test("whitespace is trimmed with Go's rules, inner spaces kept", () => {
    // Go trims NEL (U+0085) and NBSP; it does not trim U+FEFF, unlike String.prototype.trim.
    assert.deepEqual(patterns('\ta.txt\t\n  b c.txt  \ne.txt\u0085\n\u00a0h.txt\ng.txt\uFEFF\n'), [
      'a.txt',
      'b c.txt',
      'e.txt',
      'h.txt',
      'g.txt\uFEFF',
    ]);
    assert.deepEqual(excluded('g.txt\uFEFF\n', ['g.txt']), []);
  });

  test('CRLF line ends are accepted; a lone CR inside a line is kept', () => {
    assert.deepEqual(patterns('# c\r\na.txt\r\n!b.txt\r\n\r\nx\ry\r\n'), ['a.txt', '!b.txt', 'x\ry']);
    assert.deepEqual(rules('# c\r\na.txt\r\n').map((r) => r.line), [2]);
  });

  test('a UTF-8 BOM is dropped from the first line, so a BOM-prefixed comment is a comment', () => {
    assert.deepEqual(patterns('\uFEFFa.txt\nb.txt'), ['a.txt', 'b.txt']);
    assert.deepEqual(patterns('\uFEFF#a.txt\nb.txt'), ['b.txt']);
  });

  test('a BOM starting a later line is kept: a plain pattern then matches nothing', () => {
    assert.deepEqual(patterns('a\n\uFEFFb.txt'), ['a', '\uFEFFb.txt']);
    assert.deepEqual(excluded('\n\uFEFFb.txt', ['b.txt', '\uFEFFb.txt']), ['\uFEFFb.txt']);
  });

  test("…but a wildcard pattern's regexp is read without it", () => {
    // Go's text/scanner skips a leading BOM; only the regexp path goes through it.
    assert.deepEqual(excluded('\n\uFEFFb.*', ['b.txt', '\uFEFFb.txt']), ['b.txt']);
    assert.deepEqual(excluded('\n\uFEFFb**', ['b.txt', '\uFEFFb.txt']), ['\uFEFFb.txt']);
  });

  test('a BOM before a leading ** leaves the suffix starting inside the BOM, as bytes', () => {
    // Go slices `pattern[2:]` in bytes: EF BB BF 2A 2A 78 leaves BF 2A 2A 78, which any name
    // whose last character before `**x` ends in the byte BF matches (¿ is C2 BF, ÿ is C3 BF).
    assert.deepEqual(excluded('\n\uFEFF**x', ['x', '**x', '¿**x', 'ÿ**x', 'a/¿**x']), ['¿**x', 'ÿ**x', 'a/¿**x']);
  });

  test('a line BuildKit cannot buffer (64 KiB) is an error at its line', () => {
    const long = 'x'.repeat(MAX_LINE_BYTES + 1);
    assert.equal(rules(`a\n${'x'.repeat(MAX_LINE_BYTES)}\n`).length, 2);
    const err = parseError(`a\n${long}\n`);
    assert.equal(err.location?.line, 2);
  });
});

describe('cleaning', () => {
  const cases: Array<[string, string]> = [
    ['./a', 'a'],
    ['a//b', 'a/b'],
    ['a/../b', 'b'],
    ['a/./b', 'a/b'],
    ['a/', 'a'],
    ['a/b/../..', '.'],
    ['../x', '../x'],
    ['/a', 'a'],
    ['//a/b/', 'a/b'],
    ['/', '/'],
    ['!/a', '!a'],
    ['! a ', '!a'],
    ['!./a/', '!a'],
    // Cleaning can expose spaces that the matcher's second trim then removes.
    ['k/ /', 'k'],
    ['/ !a', '!a'],
    // …or re-expose a slash that the first pass had already stripped.
    ['/ /m', '/m'],
  ];
  for (const [line, expected] of cases) {
    test(`${JSON.stringify(line)} becomes ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(patterns(line), [expected]);
    });
  }

  test('a line that cleans to spaces is dropped by the second pass', () => {
    assert.deepEqual(patterns('b/../ /\na'), ['a']);
  });

  test('a leading / anchors nothing: patterns are always relative to the context root', () => {
    assert.deepEqual(excluded('/a.txt', ['a.txt', 'e/a.txt']), ['a.txt']);
  });

  test('patterns that clean to "." or stay rooted match nothing', () => {
    assert.deepEqual(excluded('x/..\n/ /m\n../a\n/', ['x', 'm', 'a', 'x/m']), []);
  });
});

describe('plain patterns (exact match)', () => {
  test('a pattern without wildcards names one path and everything below it', () => {
    assert.deepEqual(excluded('a/b', ['a', 'a/b', 'a/b/c/d', 'a/bc', 'x/a/b']), ['a/b', 'a/b/c/d']);
  });

  test('regexp characters in a plain pattern are plain text', () => {
    const text = 'a+b.txt\nfile (1).txt\nc{2}.txt\nx|y\na^b\nd$';
    const paths = ['a+b.txt', 'aab.txt', 'file (1).txt', 'file 1.txt', 'c{2}.txt', 'cc.txt', 'x|y', 'xray', 'a^b', 'd$'];
    assert.deepEqual(excluded(text, paths), ['a+b.txt', 'file (1).txt', 'c{2}.txt', 'x|y', 'a^b', 'd$']);
  });
});

describe('wildcards', () => {
  test('* matches within one path element', () => {
    assert.deepEqual(excluded('*.log', ['x.log', '.log', 'x.logs']), ['x.log', '.log']);
    // d/y.log is excluded only through its parent: `*.log` does not match it.
    assert.deepEqual(excluded('*.log', ['d/y.log', 'd.log/y']), ['d.log/y']);
  });

  test('? matches one character, multi-byte ones included, never /', () => {
    assert.deepEqual(excluded('a?c\ncaf?\nx?.bin', ['abc', 'a/c', 'ac', 'café', 'x😀.bin', 'xyz.bin']), [
      'abc',
      'café',
      'x😀.bin',
    ]);
  });

  test('character classes are Go regexp classes: [^x] can match /, and [!a] means ! or a', () => {
    assert.deepEqual(excluded('[a-c].txt', ['a.txt', 'c.txt', 'd.txt']), ['a.txt', 'c.txt']);
    assert.deepEqual(excluded('d[^x]e', ['dze', 'dxe', 'd/e']), ['dze', 'd/e']);
    assert.deepEqual(excluded('[!q]r', ['qr', '!r', 'zr']), ['qr', '!r']);
    assert.deepEqual(excluded('[[:digit:]].num', ['5.num', 'a.num']), ['5.num']);
  });

  test('a backslash escapes for the regexp: \\* is a star, but \\d is a digit', () => {
    const text = '\\*.txt\na\\?\n\\[x\\]\nfile\\d\nback\\\\slash';
    const paths = ['*.txt', 'b.txt', 'a?', 'ab', '[x]', 'x', 'file1', 'filed', 'back\\slash'];
    assert.deepEqual(excluded(text, paths), ['*.txt', 'a?', '[x]', 'file1', 'back\\slash']);
  });

  test('leading **/ matches zero or more directories', () => {
    assert.deepEqual(excluded('**/x', ['x', 'a/x', 'a/b/x', 'ax', 'x/y']), ['x', 'a/x', 'a/b/x', 'x/y']);
  });

  test('a leading ** without / is a plain suffix: **foo matches xfoo, **.txt every .txt', () => {
    assert.deepEqual(excluded('**foo', ['foo', 'xfoo', 'a/bfoo', 'foox']), ['foo', 'xfoo', 'a/bfoo']);
    assert.deepEqual(excluded('**.txt', ['a.txt', '.txt', 'd/e.txt', 'txt']), ['a.txt', '.txt', 'd/e.txt']);
  });

  test('**/ in the middle matches zero or more directories', () => {
    assert.deepEqual(excluded('a/**/z', ['a/z', 'a/b/z', 'a/b/c/z', 'a/zz', 'z', 'b/a/z']), ['a/z', 'a/b/z', 'a/b/c/z']);
  });

  test('a trailing ** is a plain prefix; ** alone matches everything', () => {
    assert.deepEqual(excluded('build/**', ['build', 'build/a', 'build/b/c', 'buildx']), ['build/a', 'build/b/c']);
    assert.deepEqual(excluded('out**', ['out', 'outer', 'out/x']), ['out', 'outer', 'out/x']);
    assert.deepEqual(excluded('**', ['a', 'b/c', '.dockerignore']), ['a', 'b/c', '.dockerignore']);
  });

  test('a trailing ** after a wildcard is .* and crosses / but not a newline', () => {
    assert.deepEqual(excluded('a*b**', ['ab', 'axb/c', 'ab\nx', 'ab\rx']), ['ab', 'axb/c', 'ab\rx']);
  });

  test('. + ( ) $ are escaped in a wildcard pattern', () => {
    assert.deepEqual(excluded('*.(1)+$', ['a.(1)+$', 'ab(1)+$', 'a.11$']), ['a.(1)+$']);
  });

  test('| { } stay regexp syntax in a wildcard pattern', () => {
    // patternmatcher's escape bitmap has no bit for characters from 64 up.
    assert.deepEqual(excluded('*.js|*.ts', ['a.js', 'a.json', 'src/app.ts', 'a.md', 'x/a.js']), ['a.js', 'a.json', 'src/app.ts']);
    assert.deepEqual(excluded('?{2}.log', ['ab.log', 'a.log', '?{2}.log']), ['ab.log']);
  });

  test('^ is an anchor: mid-pattern it makes a wildcard pattern match nothing', () => {
    assert.deepEqual(excluded('a^*', ['a^', 'a^b', 'a']), []);
  });
});

describe('exceptions', () => {
  test('the last matching line wins', () => {
    const text = '*.md\n!*.md\n*.md\n!README*.md\nREADME-secret.md';
    assert.deepEqual(excluded(text, ['a.md', 'README.md', 'README-secret.md', 'x.txt']), ['a.md', 'README-secret.md']);
  });

  test('an exception re-includes a path inside an excluded directory, wildcards included', () => {
    const m = matcher('docs\n!docs/keep.md\nvendor\n!vendor/*/LICENSE\n!**/README');
    const asked = ['docs', 'docs/keep.md', 'docs/drop.md', 'vendor/a/LICENSE', 'vendor/a/x', 'vendor/b/README'];
    assert.deepEqual(
      asked.filter((p) => m.matchesOrParentMatches(p)),
      ['docs', 'docs/drop.md', 'vendor/a/x'],
    );
  });

  test('an exception listed before the exclusion has no effect', () => {
    assert.deepEqual(excluded('!a\na', ['a', 'a/f']), ['a', 'a/f']);
  });
});

describe('errors', () => {
  const bad: Array<[string, number, RegExp]> = [
    ['a.txt\n# ok\n[abc\n', 3, /"\[abc".*syntax error in pattern/],
    ['a\n!\n', 2, /illegal exclusion pattern/],
    ['a\n! \n', 2, /illegal exclusion pattern/],
    ['!/\n', 1, /illegal exclusion pattern/],
    ['foo\\\n', 1, /"foo\\\\".*syntax error/],
    ['[]a]\n', 1, /syntax error/],
    ['[a-]\n', 1, /syntax error/],
    ['a/b[\n', 1, /syntax error/],
  ];
  for (const [text, line, message] of bad) {
    test(`${JSON.stringify(text)} fails at line ${line} when read`, () => {
      const err = parseError(text);
      assert.equal(err.code, ErrorCode.DockerignorePattern);
      assert.deepEqual(err.location, { file: '.dockerignore', line });
      assert.match(err.message, message);
    });
  }

  test('filepath.Match stops at the first chunk, so x*[ is only found as a regexp, when tried', () => {
    const m = createIgnoreMatcher(rules('ok\nx*['), 'ctx/.dockerignore');
    assert.throws(
      () => m.matchesOrParentMatches('a'),
      (err) =>
        isLadeError(err) &&
        err.code === ErrorCode.DockerignorePattern &&
        err.location?.line === 2 &&
        /missing closing \]/.test(err.message),
    );
  });

  test('a broken exception is never tried while nothing is excluded', () => {
    const m = matcher('!x*[\na');
    assert.equal(m.matchesOrParentMatches('b'), false);
    assert.equal(m.matchesOrParentMatches('a'), true);
    assert.throws(() => matcher('a\n!x*[').matchesOrParentMatches('a'), /syntax error in pattern/);
  });

  test('other regexp errors Go reports: bad escapes, classes and repeat counts', () => {
    for (const pattern of ['*\\q', '*[z-a]', '*[[:foo:]]', '?{1001}', '*\\p{Latn}', '*{2}']) {
      assert.throws(() => matcher(pattern).matchesOrParentMatches('x'), /syntax error in pattern/, pattern);
    }
  });

  test('the file name in the location is the one given', () => {
    try {
      parseDockerignore('ok\n[', 'ctx/app.Dockerfile.dockerignore');
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(isLadeError(err));
      assert.deepEqual(err.location, { file: 'ctx/app.Dockerfile.dockerignore', line: 2 });
    }
  });

  test('createIgnoreMatcher checks rules it did not get from the parser', () => {
    for (const pattern of ['[]a]', '']) {
      assert.throws(
        () => createIgnoreMatcher([{ pattern, exclusion: false, line: 7 }]),
        (err) => isLadeError(err) && err.code === ErrorCode.DockerignorePattern && err.location?.line === 7,
        pattern,
      );
    }
  });

  test('no input makes anything but a LadeError escape', () => {
    const alphabet = [...'ab*?[]^-\\/!.#(){}|+$:, \t\r\n', '\uFEFF', 'é', '😀', '**', '[:alpha:]', '\\p{', '\\Q', '{2}'];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      let text = '';
      for (let n = next() % 12; n >= 0; n--) text += alphabet[next() % alphabet.length];
      try {
        const m = matcher(text);
        m.matchesOrParentMatches('a/b.txt');
        m.matchesUsingParentResults('a', undefined, m.createMatchInfo());
      } catch (err) {
        assert.ok(isLadeError(err) && err.code === ErrorCode.DockerignorePattern, `${JSON.stringify(text)}: ${String(err)}`);
        rejected++;
      }
    }
    assert.ok(rejected > 0 && rejected < 3000, `rejected ${rejected} of 3000`);
  });
});

test('the Dockerfile and .dockerignore are ordinary paths to the matcher', () => {
  assert.deepEqual(excluded('Dockerfile\n.dockerignore', ['Dockerfile', '.dockerignore', 'a']), ['Dockerfile', '.dockerignore']);
});

test('the matcher keeps its own copy of the rules', () => {
  const list = rules('a\n!b');
  const m = createIgnoreMatcher(list);
  list[0]!.pattern = 'zzz';
  assert.equal(m.rules[0]?.pattern, 'a');
  assert.ok(Object.isFrozen(m.rules) && Object.isFrozen(m.rules[0]));
});
