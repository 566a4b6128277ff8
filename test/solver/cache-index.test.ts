// The cache index: entries round-trip and survive a reopen; anything but a whole entry reads as a
// miss; temp files of dead writers are removed on open; writers in several processes never tear
// an entry for a reader.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { isLadeError } from '../../src/errors/index.js';
import { openCacheIndex, type CacheEntry } from '../../src/solver/index.js';
import { assertWhole, keyFor, scratchDir } from './cache-index-helpers.js';

const CHILD = fileURLToPath(new URL('./cache-index-child.js', import.meta.url));
const hexOf = (key: string): string => key.slice('sha256:'.length);

async function all(index: { entries(): AsyncIterable<CacheEntry> }): Promise<CacheEntry[]> {
  const out: CacheEntry[] = [];
  for await (const e of index.entries()) out.push(e);
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

test('put, get, delete and entries; the index survives a reopen', async (t) => {
  const dir = join(scratchDir(t), 'buildcache');
  const index = await openCacheIndex(dir);
  assert.equal(index.dir, dir);
  assert.equal(await index.get(keyFor(1)), undefined);

  const before = Date.now();
  await index.put(keyFor(1), { snapshot: 'abc', layers: [{ digest: 'sha256:1', size: 3 }] }, { name: 'RUN make' });
  await index.put(keyFor(2), { snapshot: 'def' });
  const one = await index.get(keyFor(1));
  assert.deepEqual(one?.result, { snapshot: 'abc', layers: [{ digest: 'sha256:1', size: 3 }] });
  assert.equal(one?.name, 'RUN make');
  assert.ok(one !== undefined && one.createdAt >= before && one.createdAt <= Date.now());
  assert.equal((await index.get(keyFor(2)))?.name, undefined);

  // A put replaces.
  await index.put(keyFor(2), { snapshot: 'ghi' });
  assert.deepEqual((await index.get(keyFor(2)))?.result, { snapshot: 'ghi' });

  const reopened = await openCacheIndex(dir);
  assert.deepEqual((await all(reopened)).map((e) => [e.key, e.result]), [
    [keyFor(1), { snapshot: 'abc', layers: [{ digest: 'sha256:1', size: 3 }] }],
    [keyFor(2), { snapshot: 'ghi' }],
  ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));

  assert.equal(await reopened.delete(keyFor(1)), true);
  assert.equal(await reopened.delete(keyFor(1)), false);
  assert.equal(await index.get(keyFor(1)), undefined, 'another handle on the same directory sees the delete');
});

test('a malformed key is a bug, not a miss', async (t) => {
  const index = await openCacheIndex(scratchDir(t));
  for (const key of ['sha256:abc', '../../etc/passwd', `sha256:${'A'.repeat(64)}`]) {
    await assert.rejects(index.get(key), (err) => isLadeError(err) && err.code === 'INTERNAL');
    await assert.rejects(index.put(key, {}), (err) => isLadeError(err) && err.code === 'INTERNAL');
  }
});

test('a result that is not JSON data is refused before anything is written', async (t) => {
  const dir = scratchDir(t);
  const index = await openCacheIndex(dir);
  await assert.rejects(index.put(keyFor(1), { n: Number.NaN }), (err) => isLadeError(err) && err.code === 'INTERNAL');
  assert.deepEqual(readdirSync(join(dir, 'entries')), []);
});

test('torn, truncated, foreign and garbage entries read as misses and are skipped by entries()', async (t) => {
  const dir = scratchDir(t);
  const index = await openCacheIndex(dir);
  await index.put(keyFor(0), { ok: true }, { name: 'entry 0' });
  const entries = join(dir, 'entries');
  const whole = readFileSync(join(entries, hexOf(keyFor(0))));

  writeFileSync(join(entries, hexOf(keyFor(1))), whole.subarray(0, whole.length - 3)); // truncated
  writeFileSync(join(entries, hexOf(keyFor(2))), whole); // a whole entry, but for another key
  writeFileSync(join(entries, hexOf(keyFor(3))), Buffer.alloc(whole.length)); // zero-filled (power loss)
  writeFileSync(join(entries, hexOf(keyFor(4))), ''); // empty
  const flipped = Buffer.from(whole);
  flipped[flipped.length - 2] = flipped[flipped.length - 2]! ^ 1;
  writeFileSync(join(entries, hexOf(keyFor(5))), flipped); // one bit off
  mkdirSync(join(entries, hexOf(keyFor(6)))); // not even a file
  const body = '{"createdAt":1,"key":"' + keyFor(7) + '","result":[1]}';
  writeFileSync(join(entries, hexOf(keyFor(7))), `lade-cache-entry 1 ${createHash('sha256').update(body).digest('hex')}\n${body}`); // checksummed, wrong shape
  writeFileSync(join(entries, 'not-a-key'), 'x');

  for (let i = 1; i <= 7; i++) assert.equal(await index.get(keyFor(i)), undefined, `entry ${i}`);
  assert.deepEqual((await all(index)).map((e) => e.key), [keyFor(0)]);
  // A put over garbage repairs it.
  await index.put(keyFor(1), { ok: 1 });
  assert.deepEqual((await index.get(keyFor(1)))?.result, { ok: 1 });
});

test('open removes temp files of dead writers and old ones, and keeps those of live writers', async (t) => {
  const dir = scratchDir(t);
  await openCacheIndex(dir);
  const entries = join(dir, 'entries');
  const ns = /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'))![1]!;
  const hex = hexOf(keyFor(0));

  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  const dead = `.${hex}.${ns}-${child.pid}.0123456789abcdef.tmp`;
  const live = `.${hex}.${ns}-${process.pid}.0123456789abcdef.tmp`;
  const liveOld = `.${hex}.${ns}-${process.pid}.fedcba9876543210.tmp`;
  const foreign = `.${hex}.1-${child.pid}.0123456789abcdef.tmp`; // another PID namespace: only age tells
  for (const name of [dead, live, liveOld, foreign]) writeFileSync(join(entries, name), 'torn');
  const old = new Date(Date.now() - 11 * 60_000);
  utimesSync(join(entries, liveOld), old, old);

  const index = await openCacheIndex(dir);
  assert.deepEqual(readdirSync(entries).sort(), [foreign, live].sort());
  assert.deepEqual(await all(index), [], 'temp files are never read as entries');
});

test('writers in several processes and a reader: every read is a miss or a whole entry', { timeout: 120_000 }, async (t) => {
  const dir = scratchDir(t);
  const index = await openCacheIndex(dir);
  const children = ['a', 'b', 'c'].map((w) => spawn(process.execPath, [CHILD, dir, w, '400', String(1 << 15)], { stdio: 'inherit' }));
  t.after(() => children.forEach((c) => c.kill('SIGKILL')));
  const exits = children.map((c) => once(c, 'exit'));
  let done = false;
  void Promise.all(exits).then(() => (done = true));
  let reads = 0;
  let hits = 0;
  while (!done) {
    for (let i = 0; i < 64; i++) {
      const entry = await index.get(keyFor(i));
      reads++;
      if (entry === undefined) continue;
      hits++;
      assertWhole(entry, i);
    }
  }
  for (const [code] of await Promise.all(exits)) assert.equal(code, 0);
  for (let i = 0; i < 64; i++) assertWhole((await index.get(keyFor(i)))!, i);
  assert.ok(reads > 0 && hits > 0, `reads ${reads}, hits ${hits}`);
  assert.deepEqual(readdirSync(join(dir, 'entries')).filter((n) => n.startsWith('.')), [], 'no temp file left');
  assert.ok(existsSync(join(dir, 'entries', hexOf(keyFor(63)))));
});
