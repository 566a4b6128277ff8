// The tee behind unpacking while downloading: both readers get every byte in order, neither runs
// far ahead, and a failure on any side reaches both.
import assert from 'node:assert/strict';
import test from 'node:test';
import { tee } from '../../src/registry/tee.js';

async function* chunks(n: number, fail?: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < n; i++) {
    if (i === fail) throw new Error('the source broke');
    yield Buffer.from([i]);
  }
}

async function collect(it: AsyncIterable<Buffer>, stopAfter?: number): Promise<number[]> {
  const out: number[] = [];
  for await (const b of it) {
    out.push(b[0]!);
    if (out.length === stopAfter) break;
  }
  return out;
}

test('both readers see every chunk in order', async () => {
  const [a, b] = tee(chunks(100), 4);
  const [x, y] = await Promise.all([collect(a), collect(b)]);
  assert.deepEqual(x, [...Array(100).keys()]);
  assert.deepEqual(y, x);
});

test('the source is read only as fast as the slower reader allows', async () => {
  let pulled = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < 50; i++) {
      pulled++;
      yield Buffer.from([i]);
    }
  }
  const [a, b] = tee(counted(), 4);
  const fast = collect(a);
  await new Promise((r) => setTimeout(r, 50));
  // b has not read anything yet: the source stops a few chunks ahead of it.
  assert.ok(pulled <= 6, `${pulled} chunks pulled while one reader waited`);
  const [x, y] = await Promise.all([fast, collect(b)]);
  assert.equal(x.length, 50);
  assert.equal(y.length, 50);
});

test('a failing source fails both readers; a reader that stops early fails the other', async () => {
  const [a, b] = tee(chunks(10, 5), 4);
  const results = await Promise.allSettled([collect(a), collect(b)]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  assert.match(String((results[0] as PromiseRejectedResult).reason), /the source broke/);

  const [c, d] = tee(chunks(100), 4);
  const [early, other] = await Promise.allSettled([collect(c, 3), collect(d)]);
  assert.equal(early.status, 'fulfilled');
  assert.equal(other.status, 'rejected');
  assert.match(String((other as PromiseRejectedResult).reason), /the other reader of this download stopped/);
});
