// The incremental index: what a warm scan reads again, counted (never timed), and an index
// that is torn, foreign or unwritable never failing or misleading a build.
import assert from 'node:assert/strict';
import { readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { contextIndexDir, scanContext, type ContextScan, type ScanOptions } from '../../src/buildcontext/index.js';
import { tempDir, writeTree, type Tree } from './context-fixture.js';

const tree: Tree = {
  'a.txt': 'alpha',
  'b.txt': 'bravo',
  'src/c.js': 'charlie',
  'src/d.js': 'delta',
};
const FILES = 4;

/**
 * A window of 0 trusts every entry written after its file last changed. The files here are
 * seconds old at most, so with the default 2 s window every entry would be "racy" and re-read:
 * that case has its own test below.
 */
async function build(dir: string, indexDir: string, options: ScanOptions = {}): Promise<{ scan: ContextScan; key: string }> {
  const scan = await scanContext(dir, { indexDir, racyWindowMs: 0, ...options });
  const key = await scan.contentKey(['.']);
  const saved = await scan.saveIndex();
  assert.equal(saved.error, undefined);
  return { scan, key };
}

describe('warm scans', () => {
  test('an unchanged context is not read again', async () => {
    const dir = await writeTree(tree);
    const indexDir = join(await tempDir(), 'index');
    const cold = await build(dir, indexDir);
    assert.deepEqual([cold.scan.stats.index, cold.scan.stats.hashed, cold.scan.stats.reused], ['missing', FILES, 0]);
    const warm = await build(dir, indexDir);
    assert.deepEqual([warm.scan.stats.index, warm.scan.stats.hashed, warm.scan.stats.reused], ['loaded', 0, FILES]);
    assert.equal(warm.key, cold.key);
  });

  test('a touched file (mtime only) is read again once, and the key stays', async () => {
    const dir = await writeTree(tree);
    const indexDir = join(await tempDir(), 'index');
    const cold = await build(dir, indexDir);
    await utimes(join(dir, 'src/c.js'), new Date('2010-01-01'), new Date('2010-01-01'));
    const touched = await build(dir, indexDir);
    assert.deepEqual([touched.scan.stats.hashed, touched.scan.stats.reused], [1, FILES - 1]);
    assert.equal(touched.key, cold.key);
    const again = await build(dir, indexDir);
    assert.deepEqual([again.scan.stats.hashed, again.scan.stats.reused], [0, FILES]);
  });

  test('a file replaced by one of the same size and mtime but other content is detected (inode, ctime)', async () => {
    // Whole seconds, so that utimes (which takes a double) sets the very same nanoseconds again.
    const mtime = new Date('2020-01-01T00:00:00Z');
    const dir = await writeTree(tree, { mtime });
    const indexDir = join(await tempDir(), 'index');
    const cold = await build(dir, indexDir);
    const target = join(dir, 'b.txt');
    const before = await stat(target, { bigint: true });
    const replacement = join(dir, 'b.new');
    await writeFile(replacement, 'BRAVO');
    await utimes(replacement, mtime, mtime);
    await rename(replacement, target);
    const now = await stat(target, { bigint: true });
    assert.deepEqual([now.size, now.mtimeNs], [before.size, before.mtimeNs]);
    assert.notEqual(now.ino, before.ino);
    const after = await build(dir, indexDir);
    assert.equal(after.scan.stats.hashed, 1);
    assert.notEqual(after.key, cold.key);
  });

  test('only what a source selects is read; the rest of the index is kept for later', async () => {
    const dir = await writeTree(tree);
    const indexDir = join(await tempDir(), 'index');
    await build(dir, indexDir);
    await writeFile(join(dir, 'a.txt'), 'ALPHA!');
    await writeFile(join(dir, 'src/c.js'), 'CHARLIE!');
    const partial = await scanContext(dir, { indexDir, racyWindowMs: 0 });
    await partial.contentKey(['src/*.js']);
    assert.deepEqual([partial.stats.hashed, partial.stats.reused], [1, 1]);
    await partial.saveIndex();
    const next = await build(dir, indexDir);
    // a.txt changed and was never read by the partial build; src/c.js was.
    assert.deepEqual([next.scan.stats.hashed, next.scan.stats.reused], [1, FILES - 1]);
  });

  test('index entries written within the racy window of a change are not trusted', async () => {
    const dir = await writeTree(tree);
    const indexDir = join(await tempDir(), 'index');
    await build(dir, indexDir, { racyWindowMs: 60_000 });
    const warm = await build(dir, indexDir, { racyWindowMs: 60_000 });
    assert.deepEqual([warm.scan.stats.racy, warm.scan.stats.hashed, warm.scan.stats.reused], [FILES, FILES, 0]);
  });

  test('the index is per context: another directory\'s index is not used', async () => {
    const one = await writeTree(tree);
    const two = await writeTree(tree);
    const indexDir = join(await tempDir(), 'index');
    await build(one, indexDir);
    const other = await build(two, indexDir);
    assert.deepEqual([other.scan.stats.index, other.scan.stats.hashed], ['invalid', FILES]);
  });

  test('contextIndexDir: one directory per context realpath under <root>/buildcontext', async () => {
    const root = await tempDir();
    const dir = await writeTree(tree);
    const indexDir = await contextIndexDir(root, dir);
    assert.match(indexDir, new RegExp(`^${root}/buildcontext/[0-9a-f]{64}$`));
    assert.equal(await contextIndexDir(root, join(dir, 'src', '..')), indexDir);
    assert.notEqual(await contextIndexDir(root, await writeTree(tree)), indexDir);
  });
});

describe('a bad index', () => {
  const corruptions: Array<[string, (data: Buffer) => Buffer]> = [
    ['one flipped byte in the body', (d) => Buffer.from(d.map((b, i) => (i === d.length - 10 ? b ^ 1 : b)))],
    ['truncated (a torn write)', (d) => d.subarray(0, Math.floor(d.length / 2))],
    ['empty', () => Buffer.alloc(0)],
    ['garbage', () => Buffer.from('\u0000\u00ff not an index \n{]')],
    ['another version', (d) => Buffer.from(d.toString('latin1').replace(/^lade-context-index 1 /, 'lade-context-index 9 '), 'latin1')],
  ];
  for (const [what, corrupt] of corruptions) {
    test(`is ignored: ${what}`, async () => {
      const dir = await writeTree(tree);
      const indexDir = join(await tempDir(), 'index');
      const cold = await build(dir, indexDir);
      const file = join(indexDir, 'index');
      await writeFile(file, corrupt(await readFile(file)));
      const after = await build(dir, indexDir);
      assert.deepEqual([after.scan.stats.index, after.scan.stats.hashed, after.scan.stats.reused], ['invalid', FILES, 0]);
      assert.equal(after.key, cold.key);
      // …and replaced by a good one.
      const again = await build(dir, indexDir);
      assert.deepEqual([again.scan.stats.index, again.scan.stats.hashed], ['loaded', 0]);
    });
  }

  test('a well-formed index whose digests were tampered with is still caught by its checksum', async () => {
    const dir = await writeTree(tree);
    const indexDir = join(await tempDir(), 'index');
    await build(dir, indexDir);
    const file = join(indexDir, 'index');
    const text = (await readFile(file, 'utf8')).replace(/"[0-9a-f]{64}"\]/, `"${'0'.repeat(64)}"]`);
    await writeFile(file, text);
    assert.equal((await build(dir, indexDir)).scan.stats.index, 'invalid');
  });

  test('an index that cannot be written is reported, not thrown', async () => {
    const dir = await writeTree(tree);
    const blocker = join(await tempDir(), 'a-file');
    await writeFile(blocker, '');
    const scan = await scanContext(dir, { indexDir: join(blocker, 'index') });
    await scan.contentKey(['.']);
    const saved = await scan.saveIndex();
    assert.equal(saved.written, false);
    assert.ok(saved.error instanceof Error);
  });

  test('concurrent builds of one context leave a whole index (the last writer wins)', async () => {
    const dir = await writeTree(tree);
    const indexDir = join(await tempDir(), 'index');
    const scans = await Promise.all(Array.from({ length: 8 }, () => scanContext(dir, { indexDir, racyWindowMs: 0 })));
    await Promise.all(scans.map((s) => s.contentKey(['.'])));
    const results = await Promise.all(scans.map((s) => s.saveIndex()));
    assert.ok(results.every((r) => r.written && r.error === undefined));
    const warm = await build(dir, indexDir);
    assert.deepEqual([warm.scan.stats.index, warm.scan.stats.reused], ['loaded', FILES]);
  });
});
