import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'node:test';
import { cleanAtomicTemps, writeFileAtomic } from '../../src/content/index.js';
import { tempFileName } from '../../src/content/temp-owner.js';
import { tempDir } from './fixtures/content.js';

test('writeFileAtomic creates and replaces whole files and leaves no temporary file', async () => {
  const tmp = await tempDir('atomic');
  try {
    const path = join(tmp.dir, 'repositories.json');
    await writeFileAtomic(path, '{"a":1}');
    assert.equal(await readFile(path, 'utf8'), '{"a":1}');
    await writeFileAtomic(path, Buffer.from('{"a":2}'), { mode: 0o600 });
    assert.equal(await readFile(path, 'utf8'), '{"a":2}');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(tmp.dir), ['repositories.json']);
  } finally {
    await tmp.cleanup();
  }
});

test('writeFileAtomic into a missing directory fails with STORE_IO and no leftovers', async () => {
  const tmp = await tempDir('atomic-missing');
  try {
    await assert.rejects(writeFileAtomic(join(tmp.dir, 'no', 'such', 'file'), 'x'), {
      code: 'STORE_IO',
      message: /no\/such\/file/,
    });
    assert.deepEqual(await readdir(tmp.dir), []);
  } finally {
    await tmp.cleanup();
  }
});

test('cleanAtomicTemps removes temporary files of dead writers and keeps live and foreign ones', async () => {
  const tmp = await tempDir('atomic-clean');
  try {
    const writer = new URL('./fixtures/writer.js', import.meta.url).pathname;
    const dead = spawnSync(process.execPath, [writer, 'tempname', '.index.json.', '.lade-tmp'], { encoding: 'utf8' });
    assert.equal(dead.status, 0, dead.stderr);
    const deadName = dead.stdout.trim();
    const liveName = tempFileName('.index.json.', '.lade-tmp');
    const oldForeign = '.index.json.unknown-owner.lade-tmp';
    for (const name of [deadName, liveName, oldForeign, 'index.json']) await writeFile(join(tmp.dir, name), 'x');
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(join(tmp.dir, oldForeign), hourAgo, hourAgo);
    // An ordinary file, however old, is never touched.
    await utimes(join(tmp.dir, 'index.json'), hourAgo, hourAgo);
    assert.equal(await cleanAtomicTemps(tmp.dir), 2);
    assert.deepEqual((await readdir(tmp.dir)).sort(), ['index.json', liveName].sort());
  } finally {
    await tmp.cleanup();
  }
});
