// Deferred blobs: recorded by digest, size and recipe, produced by the registered materializer
// on first read, verified like any write, listed and deleted like stored blobs.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import test from 'node:test';
import type { ContentStore } from '../../src/content/index.js';
import { digestOf, openContentStore, registerMaterializer } from '../../src/content/index.js';
import { isLadeError } from '../../src/errors/index.js';
import { tempDir } from './fixtures/content.js';

const made: string[] = [];
registerMaterializer('test-text', async (recipe) => {
  made.push(String(recipe['text']));
  return Readable.from([Buffer.from(String(recipe['text']))]);
});

async function withStore(fn: (store: ContentStore, dir: string) => Promise<void>): Promise<void> {
  const tmp = await tempDir('deferred');
  try {
    await fn(await openContentStore(join(tmp.dir, 'content')), join(tmp.dir, 'content'));
  } finally {
    await tmp.cleanup();
  }
}

test('a deferred blob is there by digest and size, made and stored on first read, then read like any blob', async () => {
  await withStore(async (store, dir) => {
    const bytes = Buffer.from('layer bytes\n');
    const d = digestOf(bytes);
    await store.defer(d, bytes.length, { kind: 'test-text', text: 'layer bytes\n' });
    assert.equal(await store.has(d), true);
    assert.deepEqual(await store.info(d), { digest: d, size: bytes.length });
    assert.deepEqual(await readdir(join(dir, 'blobs', 'sha256')), [], 'nothing stored yet');
    const listed = [];
    for await (const info of store.list()) listed.push(info.digest);
    assert.deepEqual(listed, [d]);

    made.length = 0;
    assert.deepEqual(await store.readBytes(d), bytes);
    assert.deepEqual(made, ['layer bytes\n']);
    assert.deepEqual(await readdir(join(dir, 'blobs', 'sha256')), [d.slice(7)], 'stored once made');
    assert.deepEqual(await store.readBytes(d), bytes);
    assert.deepEqual(made, ['layer bytes\n'], 'made once');
  });
});

test('a materializer giving other bytes fails the read with DIGEST_MISMATCH and stores nothing', async () => {
  await withStore(async (store, dir) => {
    const d = digestOf(Buffer.from('expected'));
    await store.defer(d, 8, { kind: 'test-text', text: 'tampered' });
    await assert.rejects(store.openRead(d), (err: unknown) => isLadeError(err) && err.code === 'DIGEST_MISMATCH');
    assert.deepEqual(await readdir(join(dir, 'blobs', 'sha256')), []);
  });
});

test('an unknown recipe kind is a clear error; delete removes a deferred blob', async () => {
  await withStore(async (store) => {
    const d = digestOf(Buffer.from('x'));
    await store.defer(d, 1, { kind: 'nobody-makes-this' });
    await assert.rejects(store.readBytes(d), /nothing here can make/);
    assert.equal(await store.delete(d), true);
    assert.equal(await store.has(d), false);
    assert.equal(await store.delete(d), false);
  });
});

test('deferring a blob already stored changes nothing', async () => {
  await withStore(async (store, dir) => {
    const bytes = Buffer.from('stored');
    const { digest } = await store.write(bytes);
    await store.defer(digest, bytes.length, { kind: 'test-text', text: 'other' });
    assert.deepEqual(await store.readBytes(digest), bytes);
    assert.deepEqual(await readdir(join(dir)).then((n) => n.includes('deferred')), false);
  });
});

test('openRead with keep: false streams a deferred blob from its recipe, checked, and stores nothing', async () => {
  await withStore(async (store, dir) => {
    const bytes = Buffer.from('streamed layer\n');
    const d = digestOf(bytes);
    await store.defer(d, bytes.length, { kind: 'test-text', text: 'streamed layer\n' });
    made.length = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of await store.openRead(d, { keep: false })) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), bytes);
    assert.deepEqual(await readdir(join(dir, 'blobs', 'sha256')), [], 'not stored');
    assert.equal(await store.has(d), true, 'still deferred');
    await store.openRead(d, { keep: false }).then(async (s) => {
      for await (const _ of s);
    });
    assert.deepEqual(made, ['streamed layer\n', 'streamed layer\n'], 'made for each read');

    // Other bytes than the digest names: the stream fails at its end.
    const wrong = digestOf(Buffer.from('expected bytes!'));
    await store.defer(wrong, 15, { kind: 'test-text', text: 'tampered bytes!' });
    await assert.rejects(
      (async () => {
        for await (const _ of await store.openRead(wrong, { keep: false }));
      })(),
      (err: unknown) => isLadeError(err) && err.code === 'DIGEST_MISMATCH',
    );
    assert.deepEqual(await readdir(join(dir, 'blobs', 'sha256')), []);
  });
});
