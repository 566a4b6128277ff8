// The content key of COPY sources: it moves with the content and metadata of exactly the entries
// selected, and with nothing else (mtimes, where the context is, files not selected).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { KEY_VERSION, scanContext, type ScanOptions } from '../../src/buildcontext/index.js';
import { createIgnoreMatcher, parseDockerignore } from '../../src/frontend/index.js';
import { writeTree, type Tree } from './context-fixture.js';

const tree: Tree = {
  'app/main.js': 'console.log(1)\n',
  'app/lib/util.js': 'export {}\n',
  'app/run.sh': { text: '#!/bin/sh\n', mode: 0o755 },
  'README.md': '# readme\n',
  'notes.txt': 'notes\n',
  'link': { link: 'app/main.js' },
};

async function key(dir: string, sources: string[], options: ScanOptions = {}): Promise<string> {
  return (await scanContext(dir, options)).contentKey(sources);
}

describe('content key', () => {
  test('is a sha256 digest', async () => {
    assert.match(await key(await writeTree(tree), ['app']), /^sha256:[0-9a-f]{64}$/);
  });

  // The values were computed independently of lade (Python's json.dumps + hashlib over the
  // records content-key.ts documents).
  test('golden values: a change here is a change of the key format, and of KEY_VERSION', async () => {
    const dir = await writeTree({ 'app/a.txt': { text: 'hello\n', mode: 0o644 }, 'app/run': { text: 'x', mode: 0o4755 }, 'app/l': { link: 'a.txt' } });
    await chmod(join(dir, 'app'), 0o755);
    assert.equal(KEY_VERSION, 1);
    assert.equal(await key(dir, ['app']), 'sha256:14ccc6890fc72df47ac84ff6bd9c29ed7e42b20e5d22b28a9a9b945496e3f3ba');
    assert.equal(await key(dir, ['app/*.txt', 'app/l']), 'sha256:b49032b082333a1ec5ed14f2a13d4d2ac394ba9c8320982f77c9662e6645f71a');
  });

  test('the same content in two directories with different mtimes gives the same key', async () => {
    const one = await writeTree(tree, { mtime: new Date('2001-01-01T00:00:00Z') });
    const two = await writeTree(tree, { mtime: new Date('2024-06-01T12:34:56Z') });
    for (const sources of [['.'], ['app'], ['*.md', 'app/*.js'], ['link']]) {
      assert.equal(await key(one, sources), await key(two, sources), sources.join(' '));
    }
  });

  test('one byte of a selected file changes it; of an unselected file does not', async () => {
    const dir = await writeTree(tree);
    const before = await key(dir, ['app']);
    await writeFile(join(dir, 'README.md'), '# README\n');
    assert.equal(await key(dir, ['app']), before);
    await writeFile(join(dir, 'app/lib/util.js'), 'export {}\r');
    assert.notEqual(await key(dir, ['app']), before);
  });

  test('chmod changes it; touch (mtime only) does not', async () => {
    const dir = await writeTree(tree);
    const before = await key(dir, ['app']);
    await utimes(join(dir, 'app/main.js'), new Date('1999-01-01'), new Date('1999-01-01'));
    await utimes(join(dir, 'app'), new Date('1999-01-01'), new Date('1999-01-01'));
    assert.equal(await key(dir, ['app']), before);
    await chmod(join(dir, 'app/main.js'), 0o600);
    const chmodded = await key(dir, ['app']);
    assert.notEqual(chmodded, before);
    await chmod(join(dir, 'app/lib'), 0o700);
    assert.notEqual(await key(dir, ['app']), chmodded);
  });

  test('moving or renaming a selected entry changes it', async () => {
    const dir = await writeTree(tree);
    const before = await key(dir, ['app']);
    await rename(join(dir, 'app/lib/util.js'), join(dir, 'app/lib/util2.js'));
    assert.notEqual(await key(dir, ['app']), before);
  });

  test('the source list is part of it: same files, other sources, other key', async () => {
    const dir = await writeTree(tree);
    assert.notEqual(await key(dir, ['app/main.js']), await key(dir, ['app/ma?n.js']));
    assert.notEqual(await key(dir, ['app', 'notes.txt']), await key(dir, ['notes.txt', 'app']));
    // The very same selection (app/main.js, under the same base) through two patterns.
    assert.notEqual(await key(dir, ['app/*.js']), await key(dir, ['app/[m]*.js']));
  });

  test('empty file and missing file are different; a symlink source keys its target\'s content', async () => {
    const dir = await writeTree({ 'empty': '', 'target.txt': 'v1', 'link': { link: 'target.txt' } });
    assert.notEqual(await key(dir, ['empty']), await key(dir, ['missing']));
    const before = await key(dir, ['link']);
    await writeFile(join(dir, 'target.txt'), 'v2');
    assert.notEqual(await key(dir, ['link']), before);
  });

  test('a symlink inside a selected directory is keyed by its target string, not followed', async () => {
    const dir = await writeTree({ 'd/l': { link: '../t' }, 't': 'one', 'u': 'one' });
    const before = await key(dir, ['d']);
    await writeFile(join(dir, 't'), 'two');
    assert.equal(await key(dir, ['d']), before);
    await rm(join(dir, 'd/l'));
    await symlink('../u', join(dir, 'd/l'));
    assert.notEqual(await key(dir, ['d']), before);
  });

  test('.dockerignored files are not part of any key', async () => {
    const dir = await writeTree({ ...tree, 'app/secret.env': 'TOKEN=1' });
    const ignore = createIgnoreMatcher(parseDockerignore('**/*.env\n', '.dockerignore'));
    const all = await key(dir, ['.'], { ignore });
    const named = await key(dir, ['app/secret.env'], { ignore });
    await writeFile(join(dir, 'app/secret.env'), 'TOKEN=2');
    assert.equal(await key(dir, ['.'], { ignore }), all);
    assert.equal(await key(dir, ['app/secret.env'], { ignore }), named);
    assert.notEqual(await key(dir, ['.']), await key(dir, ['.'], { ignore }));
  });

  test('only the selected files are read, and their digests are sha256 of the content', async () => {
    const dir = await writeTree(tree);
    const scan = await scanContext(dir);
    await scan.contentKey(['app/*.js']);
    assert.equal(scan.stats.hashed, 1);
    assert.equal(scan.stats.hashedBytes, 'console.log(1)\n'.length);
    assert.equal(scan.files.get('README.md')!.digest, undefined);
    assert.equal(scan.files.get('app/main.js')!.digest, `sha256:${createHash('sha256').update('console.log(1)\n').digest('hex')}`);
  });
});
