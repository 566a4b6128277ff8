// Two lade processes on one root: the store lock and leases.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importRootfs, openImageStore } from '../../src/image/index.js';
import { withFileLock } from '../../src/image/store/lock.js';
import { tryFlock } from '../../src/sys/index.js';
import { repoRoot } from '../helpers/paths.js';
import { sampleRootfs, tempDir } from '../helpers/tar-fixtures.js';

test('the lock is exclusive between open files, and free again once closed', async () => {
  const path = join(tempDir('lade-lock-'), 'lock');
  const a = await open(path, 'a');
  const b = await open(path, 'a');
  assert.equal(tryFlock(a.fd), true);
  assert.equal(tryFlock(b.fd), false);
  await a.close();
  assert.equal(tryFlock(b.fd), true);
  await b.close();
});

test('a holder killed with SIGKILL releases the lock; the waiter then gets it', async () => {
  const path = join(tempDir('lade-lock-'), 'lock');
  const holder = spawn(process.execPath, [join(repoRoot, 'dist', 'test', 'image', 'fixtures', 'lock-holder.js'), path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(holder.stdout, 'data')) as [Buffer];
  assert.equal(line.toString(), 'locked\n');
  const events: string[] = [];
  const waiter = withFileLock(path, async () => {
    events.push('acquired');
  });
  // The waiter cannot have the lock while the holder lives: it gets it only after the kill.
  events.push('killing');
  holder.kill('SIGKILL');
  await once(holder, 'exit');
  await waiter;
  assert.deepEqual(events, ['killing', 'acquired']);
});

test('a blob held by a lease survives a prune; released, the next prune removes it', async () => {
  const store = await openImageStore(tempDir('lade-lease-'));
  await importRootfs(store, Readable.from([await sampleRootfs()]), { names: ['kept:1'] });
  const orphan = Buffer.from('a blob a load has written but not registered yet');
  const digest = await store.withLease(async (lease) => {
    const blob = await store.content.write(orphan);
    await lease.add(blob.digest);
    const result = await store.prune();
    assert.equal(result.deletedBlobs, 0);
    assert.equal(await store.content.has(blob.digest), true);
    return blob.digest;
  });
  const after = await store.prune();
  assert.equal(after.deletedBlobs, 1);
  assert.equal(await store.content.has(digest), false);
  assert.deepEqual((await store.list()).map((i) => i.tags), [['docker.io/library/kept:1']]);
});
