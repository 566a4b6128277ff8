// What a COPY source selects from a scanned context: fsutil's ResolveWildcards (Go's
// filepath.Match per path below the wildcard's base, matched directories not entered), then
// COPY's following of a symlink source, which never leaves the context.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scanContext, type ContextScan } from '../../src/buildcontext/index.js';
import { ErrorCode, isLadeError } from '../../src/errors/index.js';
import { createIgnoreMatcher, parseDockerignore } from '../../src/frontend/index.js';
import { writeTree, type Tree } from './context-fixture.js';

const paths = (scan: ContextScan, source: string): string[] => scan.select(source).map((f) => f.path);
const matched = (scan: ContextScan, source: string): string[] => scan.matches(source).map((m) => m.path);

// Every fixture is made before the first describe: node:test starts running tests as soon as
// they are declared, and a later top-level await would race them (and the cleanup hook).
const scan = await scanContext(
  await writeTree({
    'a.txt': 'a',
    'b.txt': 'b',
    'abc': 'abc',
    'aXc': 'aXc',
    'ac': 'ac',
    'c.md': 'c',
    '*': 'a file named star',
    'a\\*': 'a file named a-backslash-star',
    '*x': 'starts with a star',
    'dir/one.txt': '1',
    'dir/sub/two.txt': '2',
    'dir/sub/deeper/three.txt': '3',
    'empty/': null,
    'Dockerfile': 'FROM scratch\n',
  }),
);

const linked = await scanContext(
  await writeTree({
    'real/f.txt': 'f',
    'real/g.txt': 'g',
    'file.txt': 'content',
    'to-dir': { link: 'real' },
    'to-file': { link: './file.txt' },
    'abs-to-file': { link: '/file.txt' },
    'escape': { link: '../../../../file.txt' },
    'etc-passwd': { link: '/etc/passwd' },
    'chain': { link: 'to-file' },
    'dangling': { link: 'nowhere' },
    'loop': { link: 'loop' },
    'real/up': { link: '../file.txt' },
  }),
);

describe('wildcards', () => {
  test('*.txt matches names in the base directory only: * never crosses a slash', () => {
    assert.deepEqual(matched(scan, '*.txt'), ['a.txt', 'b.txt']);
  });

  test('dir/* matches each entry of dir; a matched directory brings its whole subtree', () => {
    assert.deepEqual(matched(scan, 'dir/*'), ['dir/one.txt', 'dir/sub']);
    assert.deepEqual(paths(scan, 'dir/*'), ['dir/one.txt', 'dir/sub', 'dir/sub/deeper', 'dir/sub/deeper/three.txt', 'dir/sub/two.txt']);
  });

  test('? is one character; classes and negated classes', () => {
    assert.deepEqual(matched(scan, 'a?c'), ['aXc', 'abc']);
    assert.deepEqual(matched(scan, '[ab]*'), ['a.txt', 'aXc', 'a\\*', 'abc', 'ac', 'b.txt']);
    assert.deepEqual(matched(scan, '[^a-z]*'), ['*', '*x', 'Dockerfile']);
  });

  test('\\* is a literal star inside a wildcard component', () => {
    assert.deepEqual(matched(scan, '\\**'), ['*', '*x']);
  });

  test('a component whose only wildcard is escaped is no wildcard: fsutil looks the name up as written', () => {
    // BuildKit's copy does not unescape it: `a\*` names the file called `a\*`, not `a*`.
    assert.deepEqual(matched(scan, 'a\\*'), ['a\\*']);
    assert.deepEqual(matched(scan, '\\*'), []);
    assert.deepEqual(matched(scan, '*'), ['*', '*x', 'Dockerfile', 'a.txt', 'aXc', 'a\\*', 'abc', 'ac', 'b.txt', 'c.md', 'dir', 'empty']);
  });

  test('wildcards in a middle component, and below a plain base', () => {
    assert.deepEqual(matched(scan, '*/sub/*.txt'), ['dir/sub/two.txt']);
    assert.deepEqual(matched(scan, 'dir/s?b/deeper'), ['dir/sub/deeper']);
  });

  test('a class matches a slash too (Go), but a matched directory is not searched further', async () => {
    const s = await scanContext(await writeTree({ 'ac/c': 'c', 'e/f': 'f' }));
    assert.deepEqual(matched(s, 'e[^z]f'), ['e/f']);
    // `*[^z]c` matches both ac and ac/c; fsutil's walk returns SkipDir at ac.
    assert.deepEqual(matched(s, '*[^z]c'), ['ac']);
  });

  test('nothing matching gives [], and a malformed pattern matches nothing', () => {
    assert.deepEqual(scan.select('*.nothing'), []);
    assert.deepEqual(scan.select('dir/[a'), []);
  });

  test('a wildcard under a base that does not exist fails, as fsutil\'s walk does', () => {
    assert.throws(() => scan.select('missing/*.txt'), (err: unknown) => isLadeError(err) && err.code === ErrorCode.FileRead);
  });
});

describe('plain sources', () => {
  test('a directory selects itself and everything below it, in walk order', () => {
    assert.deepEqual(paths(scan, 'dir'), ['dir', 'dir/one.txt', 'dir/sub', 'dir/sub/deeper', 'dir/sub/deeper/three.txt', 'dir/sub/two.txt']);
    assert.deepEqual(paths(scan, './dir/sub/'), ['dir/sub', 'dir/sub/deeper', 'dir/sub/deeper/three.txt', 'dir/sub/two.txt']);
    assert.deepEqual(paths(scan, 'empty'), ['empty']);
  });

  test('a file selects itself; a missing one nothing', () => {
    assert.deepEqual(paths(scan, 'dir/one.txt'), ['dir/one.txt']);
    assert.deepEqual(scan.select('nope'), []);
  });

  test('the context root (., /, ..) selects everything, led by the root as the snapshot has it', () => {
    const all = paths(scan, '.');
    assert.equal(all[0], '.');
    assert.deepEqual(all.slice(1), [...scan.files.keys()]);
    assert.deepEqual(paths(scan, '/'), all);
    assert.deepEqual(paths(scan, '../..'), all);
    assert.equal(scan.select('.')[0]!.mode, 0o755);
  });

  test('the Dockerfile is an entry like any other', () => {
    assert.deepEqual(paths(scan, 'Dockerfile'), ['Dockerfile']);
  });
});

describe('symlinks', () => {
  test('a symlink named as the source is followed: the match keeps its name, the entries are the target\'s', () => {
    const [m] = linked.matches('to-dir');
    assert.equal(m!.path, 'to-dir');
    assert.equal(m!.source.path, 'real');
    assert.deepEqual(m!.entries.map((e) => e.path), ['real', 'real/f.txt', 'real/g.txt', 'real/up']);
    assert.deepEqual(paths(linked, 'to-file'), ['file.txt']);
    assert.deepEqual(paths(linked, 'chain'), ['file.txt']);
  });

  test('resolution stays inside the context: absolute and climbing targets start from its root', () => {
    assert.deepEqual(paths(linked, 'abs-to-file'), ['file.txt']);
    assert.deepEqual(paths(linked, 'escape'), ['file.txt']);
    // /etc/passwd is looked up as <context>/etc/passwd, which does not exist.
    assert.deepEqual(linked.select('etc-passwd'), []);
  });

  test('symlinks in the path are followed too; symlinks below a selected directory are entries, not followed', () => {
    assert.deepEqual(paths(linked, 'to-dir/f.txt'), ['real/f.txt']);
    assert.deepEqual(matched(linked, 'to-dir/*.txt'), ['real/f.txt', 'real/g.txt']);
    assert.equal(linked.select('real').find((e) => e.path === 'real/up')?.type, 'symlink');
    assert.deepEqual(paths(linked, 'real/up'), ['file.txt']);
  });

  test('up to 255 symlinks are followed on the way, as continuity\'s RootPath allows', async () => {
    const chain: Tree = { 'l0': { link: 'file.txt' }, 'file.txt': 'end' };
    for (let i = 1; i <= 256; i++) chain[`l${i}`] = { link: `l${i - 1}` };
    const s = await scanContext(await writeTree(chain));
    assert.deepEqual(paths(s, 'l254'), ['file.txt']);
    assert.throws(() => s.select('l255'), (err: unknown) => isLadeError(err) && /symbolic links/.test(err.message));
  });

  test('a dangling symlink source selects nothing; one matched by a wildcard fails the copy; a loop fails', () => {
    assert.deepEqual(linked.select('dangling'), []);
    assert.throws(() => linked.select('dang*'), (err: unknown) => isLadeError(err) && err.code === ErrorCode.FileRead);
    assert.throws(() => linked.select('loop'), (err: unknown) => isLadeError(err) && /symbolic links/.test(err.message));
  });
});

describe('.dockerignore', () => {
  test('ignored entries are not selectable; re-included ones under an ignored directory are', async () => {
    const dir = await writeTree({ 'keep.txt': 'k', 'secret.txt': 's', 'build/out/app.js': 'a', 'build/tmp.o': 'o', 'Dockerfile': 'x' });
    const ignore = createIgnoreMatcher(parseDockerignore('secret.txt\nbuild\n!build/out/app.js\n', '.dockerignore'));
    const s = await scanContext(dir, { ignore });
    assert.deepEqual([...s.files.keys()], ['Dockerfile', 'build', 'build/out', 'build/out/app.js', 'keep.txt']);
    assert.deepEqual(s.select('secret.txt'), []);
    assert.deepEqual(matched(s, '*.txt'), ['keep.txt']);
    assert.deepEqual(paths(s, 'build'), ['build', 'build/out', 'build/out/app.js']);
  });
});
