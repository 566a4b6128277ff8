// The build-context walk, rule by rule, over in-memory trees: what tonistiigi/fsutil's filtering
// walk sends with moby/patternmatcher's answers. Every expected listing was checked against the
// upstream code (see test/fixtures/dockerignore/*/README.md).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ErrorCode, isLadeError } from '../../../src/errors/index.js';
import {
  compareNames,
  createIgnoreMatcher,
  parseDockerignore,
  walkContext,
  walkContextDir,
  type DirEntryLike,
} from '../../../src/frontend/dockerignore/index.js';

interface Node extends DirEntryLike {
  readonly kind: 'file' | 'dir' | 'symlink';
}

/** A tree from paths: `a/` is an (empty) directory, `a@` a symlink, anything else a file. */
function tree(paths: string[]): Map<string, Node[]> {
  const dirs = new Map<string, Node[]>([['', []]]);
  const add = (path: string, kind: Node['kind']): void => {
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    if (!dirs.has(parent)) add(parent, 'dir');
    const name = path.slice(slash + 1);
    if (dirs.get(parent)!.some((n) => n.name === name)) return;
    dirs.get(parent)!.push({ name, kind, isDirectory: () => kind === 'dir' });
    if (kind === 'dir') dirs.set(path, []);
  };
  for (const p of paths) {
    if (p.endsWith('/')) add(p.slice(0, -1), 'dir');
    else if (p.endsWith('@')) add(p.slice(0, -1), 'symlink');
    else add(p, 'file');
  }
  return dirs;
}

/** The walk's output in order, directories ending in "/", and the directories it listed. */
function walk(ignore: string | undefined, paths: string[]): { sent: string[]; listed: string[] } {
  const dirs = tree(paths);
  const listed: string[] = [];
  const list = (dir: string): Node[] => {
    listed.push(dir);
    return dirs.get(dir)!;
  };
  const matcher = ignore === undefined ? undefined : createIgnoreMatcher(parseDockerignore(ignore, '.dockerignore'));
  const sent = [...walkContext(list, matcher)].map(({ path, entry }) => (entry.kind === 'dir' ? `${path}/` : path));
  return { sent, listed };
}
const sent = (ignore: string | undefined, paths: string[]) => walk(ignore, paths).sent;

describe('order', () => {
  test('depth first, names in byte order, the root itself not an entry', () => {
    assert.deepEqual(sent(undefined, ['b', 'a.txt', 'a/x', 'a/B', 'A']), ['A', 'a/', 'a/B', 'a/x', 'a.txt', 'b']);
  });

  test('names sort as UTF-8 bytes, so astral characters come after U+E000–U+FFFF', () => {
    assert.deepEqual(sent(undefined, ['😀', '\uffff', '\ue000', 'é', 'z']), ['z', 'é', '\ue000', '\uffff', '😀']);
    assert.ok(compareNames('\ud83d\ude00', '\uffff') > 0 && compareNames('a', 'ab') < 0 && compareNames('b', 'b') === 0);
  });

  test('symlinks are entries and are never entered', () => {
    const { sent: out, listed } = walk('', ['link@', 'd/f']);
    assert.deepEqual(out, ['d/', 'd/f', 'link']);
    assert.deepEqual(listed, ['', 'd']);
  });
});

describe('excluded directories', () => {
  test('are skipped unlisted when there are no exceptions', () => {
    const { sent: out, listed } = walk('a\nb/c', ['a/x', 'a/y/z', 'b/c/d', 'b/cc', 'keep']);
    assert.deepEqual(out, ['b/', 'b/cc', 'keep']);
    assert.deepEqual(listed, ['', 'b']);
  });

  test("are skipped when no exception's text (without a trailing /* or /**) lies inside them", () => {
    const { listed } = walk('*\n!src/keep/**\n!lib/*', ['src/keep/a', 'src/other/b', 'lib/x', 'doc/y']);
    assert.deepEqual(listed, ['', 'lib', 'src', 'src/keep']);
  });

  test('are all entered when an exception has a wildcard', () => {
    const { sent: out, listed } = walk('*\n!*/keep', ['a/keep', 'b/drop', 'c/d/keep']);
    assert.deepEqual(out, ['a/', 'a/keep']);
    assert.deepEqual(listed, ['', 'a', 'b', 'c', 'c/d']);
  });

  test('are sent only once something inside is, just before it, with every unsent parent', () => {
    const ignore = 'build\n!build/out/app.js\ncache\n!cache/nothing-here';
    const paths = ['build/out/app.js', 'build/out/app.map', 'build/tmp/x', 'cache/a', 'empty/'];
    assert.deepEqual(sent(ignore, paths), ['build/', 'build/out/', 'build/out/app.js', 'empty/']);
  });

  test('a wildcard exception rescues files at any depth', () => {
    const paths = ['docs/keep.md', 'docs/drop.md', 'docs/sub/keep.md', 'docs/sub/deeper/x', 'keep.md'];
    assert.deepEqual(sent('docs\n!**/keep.md', paths), ['docs/', 'docs/keep.md', 'docs/sub/', 'docs/sub/keep.md', 'keep.md']);
  });

  test('everything below an excluded directory stays excluded, however deep', () => {
    const paths = ['x/y/cache/data/keep', 'x/y/cache/data/blob', 'x/y/cache/data/sub/blob', 'x/other'];
    assert.deepEqual(sent('**/cache\n!x/y/cache/data/keep', paths), [
      'x/',
      'x/other',
      'x/y/',
      'x/y/cache/',
      'x/y/cache/data/',
      'x/y/cache/data/keep',
    ]);
  });

  test('an unreadable excluded directory entered for exceptions is passed over', () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const dirs = tree(['locked/x', 'open/y']);
    const list = (dir: string): Node[] => {
      if (dir === 'locked' || dir === 'open') throw denied;
      return dirs.get(dir)!;
    };
    const m = createIgnoreMatcher(parseDockerignore('locked\n!locked/x', '.dockerignore'));
    const out: string[] = [];
    assert.throws(() => {
      for (const { path } of walkContext(list, m)) out.push(path);
    }, denied);
    // `locked` is passed over; `open` is sent, then its listing fails the walk.
    assert.deepEqual(out, ['open']);
  });
});

describe('rule order, as MatchesUsingParentResults applies it', () => {
  test('a directory passes down every rule it matched', () => {
    assert.deepEqual(sent('a\n!a/b', ['a/b/c', 'a/d']), ['a/', 'a/b/', 'a/b/c']);
  });

  test('a rule skipped for a directory is tried on its entries alone, not their ancestors', () => {
    // The third line cannot change the answer for `x`, so it is not tried there and `x/y`
    // does not inherit it; MatchesOrParentMatches (the linter's question) disagrees.
    assert.deepEqual(sent('x\n!x/y\nx', ['x/y/f', 'x/z']), ['x/', 'x/y/', 'x/y/f']);
    const m = createIgnoreMatcher(parseDockerignore('x\n!x/y\nx', '.dockerignore'));
    assert.equal(m.matchesOrParentMatches('x/y/f'), true);
  });

  test('with parent results, an entry is not tried against its ancestors again', () => {
    const m = createIgnoreMatcher(parseDockerignore('a/*\n', '.dockerignore'));
    const info = m.createMatchInfo();
    assert.equal(m.matchesUsingParentResults('a', undefined, info), false);
    assert.equal(m.matchesUsingParentResults('a/b', info), true);
    // Without parent results the ancestors are tried: `a/*` matches `a/b` for `a/b/c`.
    assert.equal(m.matchesUsingParentResults('a/b/c', undefined), true);
    assert.equal(m.matchesUsingParentResults('a/b/c', m.createMatchInfo()), false);
  });

  test('MatchInfo records 1 for each rule that matched the directory or an ancestor', () => {
    const m = createIgnoreMatcher(parseDockerignore('a\n!a/b\nz', '.dockerignore'));
    const a = m.createMatchInfo();
    m.matchesUsingParentResults('a', undefined, a);
    const ab = m.createMatchInfo();
    m.matchesUsingParentResults('a/b', a, ab);
    assert.deepEqual([[...a], [...ab]], [
      [1, 0, 0],
      [1, 1, 0],
    ]);
  });
});

describe('errors', () => {
  test('a pattern Go cannot compile fails the walk where it is first tried, naming its line', () => {
    const m = createIgnoreMatcher(parseDockerignore('a.txt\nx*[', 'ctx/.dockerignore'), 'ctx/.dockerignore');
    const out: string[] = [];
    assert.throws(
      () => {
        for (const { path } of walkContext((d) => tree(['.dockerignore', 'a.txt']).get(d)!, m)) out.push(path);
      },
      (err) =>
        isLadeError(err) &&
        err.code === ErrorCode.DockerignorePattern &&
        err.location?.file === 'ctx/.dockerignore' &&
        err.location.line === 2,
    );
    assert.deepEqual(out, []);
  });

  test('…and passes when that pattern is never tried', () => {
    assert.deepEqual(sent('!x*[\na.txt', ['a.txt', 'b.txt', 'xy']), ['b.txt', 'xy']);
  });
});

const scratch = await mkdtemp(join(tmpdir(), 'lade-dockerignore-walk-'));
after(() => rm(scratch, { recursive: true, force: true }));

describe('walkContextDir', () => {
  test('walks a directory on disk without following symlinks', async () => {
    await mkdir(join(scratch, 'ctx', 'd', 'e'), { recursive: true });
    await writeFile(join(scratch, 'ctx', 'd', 'e', 'f'), '');
    await writeFile(join(scratch, 'ctx', 'x.log'), '');
    await symlink('d', join(scratch, 'ctx', 'link'));
    const m = createIgnoreMatcher(parseDockerignore('*.log', '.dockerignore'));
    const out = [...walkContextDir(join(scratch, 'ctx'), m)].map(({ path, entry }) => (entry.isDirectory() ? `${path}/` : path));
    assert.deepEqual(out, ['d/', 'd/e/', 'd/e/f', 'link']);
  });

  test('a missing context directory is a FileRead error', () => {
    assert.throws(
      () => [...walkContextDir(join(scratch, 'missing'))],
      (err) => isLadeError(err) && err.code === ErrorCode.FileRead,
    );
  });
});
