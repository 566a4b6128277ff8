// A large context is hashed on two threads: the digests are the files' sha256 whichever thread
// read them, the index keeps them all, and a file that cannot be read on the second thread fails
// the hash with the path, as on the first.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { scanContext } from '../../src/buildcontext/index.js';
import { hashFilesOnThread } from '../../src/buildcontext/hash-thread.js';
import { tempDir } from './context-fixture.js';

const MiB = 1 << 20;

async function bigContext(): Promise<{ dir: string; contents: Map<string, Buffer> }> {
  const dir = join(await tempDir(), 'big');
  mkdirSync(dir);
  const contents = new Map<string, Buffer>();
  // 48 MiB in 24 files: over the 32 MiB from which half goes to a worker.
  for (let i = 0; i < 24; i++) {
    const data = Buffer.alloc(2 * MiB, i + 1);
    data.writeUInt32LE(i, 0);
    writeFileSync(join(dir, `f${String(i).padStart(2, '0')}`), data);
    contents.set(`f${String(i).padStart(2, '0')}`, data);
  }
  return { dir, contents };
}

test('a large context hashed on two threads: every digest is the file\'s sha256, and the index keeps them', async () => {
  const { dir, contents } = await bigContext();
  const indexDir = join(await tempDir(), 'index');
  const scan = await scanContext(dir, { indexDir, racyWindowMs: 0 });
  await scan.contentKey(['.']);
  assert.equal(scan.stats.hashed, 24);
  assert.equal(scan.stats.hashedBytes, 48 * MiB);
  assert.ok(scan.stats.hashedOnThread > 0 && scan.stats.hashedOnThread < 24, `both threads hashed (${scan.stats.hashedOnThread} on the second)`);
  for (const f of scan.files.values()) {
    if (f.type !== 'file') continue;
    assert.equal(f.digest, `sha256:${createHash('sha256').update(contents.get(f.path)!).digest('hex')}`, f.path);
  }
  assert.equal((await scan.saveIndex()).error, undefined);
  const warm = await scanContext(dir, { indexDir, racyWindowMs: 0 });
  await warm.contentKey(['.']);
  assert.deepEqual([warm.stats.hashed, warm.stats.reused], [0, 24], 'both threads\' digests were kept');
});

test('a file that cannot be read fails the hash with its path, whichever thread took it', async () => {
  const { dir } = await bigContext();
  const scan = await scanContext(dir, { racyWindowMs: 0 });
  // Replaced by a symlink after the scan: refused, not followed.
  unlinkSync(join(dir, 'f23'));
  symlinkSync('/etc/hostname', join(dir, 'f23'));
  await assert.rejects(scan.contentKey(['.']), (err: unknown) => err instanceof Error && /cannot read .*f23/.test(err.message) && (err as { code?: string }).code === 'FILE_READ');

  // The worker alone (the counter is not shared with anyone here): what it could and could not read.
  const outcomes = await hashFilesOnThread([join(dir, 'f00'), join(dir, 'f23')], new Int32Array(new SharedArrayBuffer(4)));
  assert.equal(outcomes.size, 2);
  const ok = outcomes.get(0)!;
  assert.ok('hash' in ok && ok.hash.bytes === 2 * MiB && ok.hash.stable);
  const refused = outcomes.get(1)!;
  assert.ok('error' in refused && refused.code === 'ELOOP', JSON.stringify(refused));
});
