import assert from 'node:assert/strict';
import { chmod, mkdir, open, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import test from 'node:test';
import type { ContentStore, Digest } from '../../src/content/index.js';
import { digestOf, openContentStore, parseDigest } from '../../src/content/index.js';
import { isLadeError } from '../../src/errors/index.js';
import { MiB, pseudoRandomBytes, pseudoRandomChunks, tempDir } from './fixtures/content.js';

async function withStore(fn: (store: ContentStore, dir: string) => Promise<void>): Promise<void> {
  const tmp = await tempDir('store');
  try {
    await fn(await openContentStore(join(tmp.dir, 'content')), join(tmp.dir, 'content'));
  } finally {
    await tmp.cleanup();
  }
}

async function ingestFiles(dir: string): Promise<string[]> {
  return readdir(join(dir, 'ingest'));
}

async function blobFiles(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'blobs', 'sha256'))).sort();
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function hasCode(code: string, pattern?: RegExp): (err: unknown) => boolean {
  return (err) => isLadeError(err) && err.code === code && (pattern === undefined || pattern.test(err.message));
}

const OTHER = parseDigest(`sha256:${'0'.repeat(64)}`);

test('openContentStore lays out blobs/sha256 and ingest', async () => {
  await withStore(async (_store, dir) => {
    assert.ok((await stat(join(dir, 'blobs', 'sha256'))).isDirectory());
    assert.ok((await stat(join(dir, 'ingest'))).isDirectory());
    // Opening again is harmless.
    await openContentStore(dir);
  });
});

test('bytes round-trip through write, readBytes and openRead', async () => {
  await withStore(async (store, dir) => {
    const data = pseudoRandomBytes('roundtrip', 3 * MiB + 17);
    const r = await store.write(data);
    assert.deepEqual(r, { digest: digestOf(data), size: data.byteLength, created: true });
    assert.equal(await store.has(r.digest), true);
    assert.deepEqual(await store.info(r.digest), { digest: r.digest, size: data.byteLength });
    assert.ok((await store.readBytes(r.digest, { maxSize: data.byteLength })).equals(data));
    assert.ok((await drain(await store.openRead(r.digest))).equals(data));
    assert.ok((await readFile(store.path(r.digest))).equals(data));
    assert.equal(store.path(r.digest), join(dir, 'blobs', 'sha256', r.digest.slice(7)));
    assert.deepEqual(await ingestFiles(dir), []);
  });
});

test('every source kind stores the same blob: Uint8Array, Readable, AsyncIterable, empty', async () => {
  await withStore(async (store) => {
    const data = pseudoRandomBytes('sources', 2 * MiB + 5);
    const expected = digestOf(data);
    const pieces = [data.subarray(0, 100), data.subarray(100, MiB + 3), data.subarray(MiB + 3)];
    assert.equal((await store.write(new Uint8Array(data))).digest, expected);
    assert.equal((await store.write(Readable.from(pieces))).digest, expected);
    async function* gen(): AsyncGenerator<Uint8Array> {
      yield* pieces;
    }
    assert.equal((await store.write(gen())).digest, expected);
    const empty = await store.write(new Uint8Array(0), { size: 0 });
    assert.equal(empty.digest, digestOf(''));
    assert.equal((await store.readBytes(empty.digest)).byteLength, 0);
  });
});

test('a digest mismatch throws naming both digests and leaves nothing behind', async () => {
  await withStore(async (store, dir) => {
    const data = pseudoRandomBytes('mismatch', MiB + 1);
    const actual = digestOf(data);
    await assert.rejects(
      store.write(Readable.from([data]), { digest: OTHER }),
      hasCode('DIGEST_MISMATCH', new RegExp(`expected ${OTHER}, got ${actual}`)),
    );
    assert.deepEqual(await ingestFiles(dir), []);
    assert.deepEqual(await blobFiles(dir), []);
    assert.equal(await store.has(actual), false);
  });
});

test('a size mismatch, short or long, throws and leaves nothing behind', async () => {
  await withStore(async (store, dir) => {
    const data = pseudoRandomBytes('size', 2 * MiB);
    await assert.rejects(store.write(data, { size: data.byteLength + 1 }), hasCode('SIZE_MISMATCH', /expected 2097153 bytes, got 2097152/));
    // Too long is noticed while streaming, before the rest is read.
    let pulled = 0;
    function* many(): Generator<Buffer> {
      for (const chunk of pseudoRandomChunks('long', 64)) {
        pulled++;
        yield chunk;
      }
    }
    await assert.rejects(store.write(many(), { size: MiB }), hasCode('SIZE_MISMATCH', /got more than/));
    assert.ok(pulled <= 2, `stopped reading after ${pulled} chunks`);
    // The right digest with the wrong size is still a mismatch: size is checked first.
    await assert.rejects(store.write(data, { digest: digestOf(data), size: 5 }), hasCode('SIZE_MISMATCH'));
    assert.deepEqual(await ingestFiles(dir), []);
    assert.deepEqual(await blobFiles(dir), []);
  });
});

test('a failing source leaves nothing behind and its error comes through', async () => {
  await withStore(async (store, dir) => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield pseudoRandomBytes('broken', 3 * MiB);
      throw new Error('network went away');
    }
    await assert.rejects(store.write(broken()), /network went away/);
    assert.deepEqual(await ingestFiles(dir), []);
    assert.deepEqual(await blobFiles(dir), []);
  });
});

test('writing an existing blob is a no-op that still verifies the input', async () => {
  await withStore(async (store, dir) => {
    const data = pseudoRandomBytes('existing', MiB);
    const d = digestOf(data);
    await store.write(data);
    const before = await stat(store.path(d));
    // Known digest and size: only hashed, nothing written.
    assert.deepEqual(await store.write(data, { digest: d, size: data.byteLength }), { digest: d, size: MiB, created: false });
    // Unknown digest: written to ingest, then dropped because the blob is there.
    assert.deepEqual(await store.write(Readable.from([data])), { digest: d, size: MiB, created: false });
    const after = await stat(store.path(d));
    assert.equal(after.ino, before.ino, 'the stored file was not replaced');
    // Wrong content claiming an existing digest is still refused.
    const wrong = Buffer.from(data);
    wrong[12345]! ^= 1;
    await assert.rejects(store.write(wrong, { digest: d, size: MiB }), hasCode('DIGEST_MISMATCH'));
    assert.deepEqual(await ingestFiles(dir), []);
    assert.deepEqual(await blobFiles(dir), [d.slice(7)]);
  });
});

test('a stored blob of the wrong size is replaced by the next write', async () => {
  await withStore(async (store) => {
    const data = pseudoRandomBytes('truncated', MiB);
    const d = digestOf(data);
    await store.write(data);
    await chmod(store.path(d), 0o644);
    await writeFile(store.path(d), data.subarray(0, 1000));
    const r = await store.write(data, { digest: d, size: data.byteLength });
    assert.equal(r.created, true);
    assert.ok((await store.readBytes(d)).equals(data));
  });
});

test('concurrent writes of one blob in one process all succeed and leave one blob', async () => {
  await withStore(async (store, dir) => {
    const data = pseudoRandomBytes('parallel', 4 * MiB);
    const d = digestOf(data);
    const results = await Promise.all([
      store.write(Readable.from([data])),
      store.write(data, { digest: d }),
      store.write(Readable.from([data.subarray(0, MiB), data.subarray(MiB)]), { size: data.byteLength }),
      store.write(data, { digest: d, size: data.byteLength }),
    ]);
    for (const r of results) assert.equal(r.digest, d);
    assert.deepEqual(await blobFiles(dir), [d.slice(7)]);
    assert.deepEqual(await ingestFiles(dir), []);
    assert.ok((await store.readBytes(d)).equals(data));
  });
});

test('readBytes refuses blobs over maxSize, and missing blobs are BLOB_NOT_FOUND', async () => {
  await withStore(async (store) => {
    const data = pseudoRandomBytes('max', 1000);
    const { digest } = await store.write(data);
    await assert.rejects(store.readBytes(digest, { maxSize: 999 }), hasCode('BLOB_TOO_LARGE', /1000 bytes, more than the 999/));
    assert.equal((await store.readBytes(digest, { maxSize: 1000 })).byteLength, 1000);
    await assert.rejects(store.readBytes(OTHER), hasCode('BLOB_NOT_FOUND', new RegExp(OTHER)));
    await assert.rejects(store.openRead(OTHER), hasCode('BLOB_NOT_FOUND'));
    assert.equal(await store.info(OTHER), undefined);
    assert.equal(await store.has(OTHER), false);
  });
});

test('sha512 digests are understood but never computed: writes and reads refuse them clearly', async () => {
  await withStore(async (store, dir) => {
    const sha512 = parseDigest(`sha512:${'a'.repeat(128)}`);
    await assert.rejects(store.write(Buffer.from('x'), { digest: sha512 }), hasCode('UNSUPPORTED_DIGEST', /only sha256/));
    await assert.rejects(store.readBytes(sha512), hasCode('UNSUPPORTED_DIGEST'));
    assert.throws(() => store.createWriter({ digest: sha512 }), hasCode('UNSUPPORTED_DIGEST'));
    assert.equal(await store.has(sha512), false);
    assert.deepEqual(await ingestFiles(dir), []);
  });
});

test('list yields every blob and skips stray files; delete removes one', async () => {
  await withStore(async (store, dir) => {
    const digests = new Set<Digest>();
    for (let i = 0; i < 5; i++) digests.add((await store.write(Buffer.from(`blob ${i}`))).digest);
    await writeFile(join(dir, 'blobs', 'sha256', 'not-a-digest'), 'x');
    const listed = new Map<string, number>();
    for await (const info of store.list()) listed.set(info.digest, info.size);
    assert.deepEqual(new Set(listed.keys()), digests);
    assert.equal(listed.get(digestOf('blob 3')), 6);
    assert.equal(await store.delete(digestOf('blob 3')), true);
    assert.equal(await store.delete(digestOf('blob 3')), false);
    assert.equal(await store.has(digestOf('blob 3')), false);
  });
});

test('a symlink planted under a blob name is not a blob', async () => {
  await withStore(async (store, dir) => {
    const { symlink } = await import('node:fs/promises');
    const target = join(dir, 'elsewhere');
    await writeFile(target, 'planted');
    const d = digestOf('planted');
    await symlink(target, store.path(d));
    assert.equal(await store.has(d), false);
    await assert.rejects(store.readBytes(d), hasCode('BLOB_NOT_FOUND'));
    await assert.rejects(store.openRead(d), hasCode('BLOB_NOT_FOUND'));
  });
});

async function flipByte(path: string, offset: number): Promise<void> {
  await chmod(path, 0o644);
  const fh = await open(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, offset);
    b[0]! ^= 0x10;
    await fh.write(b, 0, 1, offset);
  } finally {
    await fh.close();
  }
}

test('a blob corrupted on disk is refused by readBytes and removed from the store', async () => {
  await withStore(async (store) => {
    const data = pseudoRandomBytes('bitflip', 100_000);
    const { digest } = await store.write(data);
    await flipByte(store.path(digest), 54_321);
    await assert.rejects(store.readBytes(digest), hasCode('DIGEST_MISMATCH', new RegExp(`${digest} is corrupt`)));
    assert.equal(await store.has(digest), false, 'the damaged blob no longer counts as present');
    // The next write repairs it.
    assert.equal((await store.write(data, { digest, size: data.byteLength })).created, true);
    assert.ok((await store.readBytes(digest)).equals(data));
  });
});

test('openRead of a corrupted blob delivers the bytes and then errors instead of ending', async () => {
  await withStore(async (store) => {
    const data = pseudoRandomBytes('bitflip-stream', 5 * MiB + 3);
    const { digest } = await store.write(data);
    await flipByte(store.path(digest), 4 * MiB + 1);
    const stream = await store.openRead(digest);
    let ended = false;
    stream.on('end', () => {
      ended = true;
    });
    let received = 0;
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) received += (chunk as Buffer).byteLength;
      })(),
      hasCode('DIGEST_MISMATCH'),
    );
    assert.equal(received, data.byteLength);
    assert.equal(ended, false);
    assert.equal(await store.has(digest), false);
  });
});

test('a consumer that stages output and commits on success never keeps corrupt data', async () => {
  await withStore(async (store, dir) => {
    const data = pseudoRandomBytes('staged', 3 * MiB);
    const { digest } = await store.write(data);
    await flipByte(store.path(digest), 7);
    // Copying the blob into a new blob is such a consumer: the writer is aborted by pipeline().
    const writer = store.createWriter();
    await assert.rejects(pipeline(await store.openRead(digest), writer), hasCode('DIGEST_MISMATCH'));
    await assert.rejects(writer.commit(), hasCode('DIGEST_MISMATCH'));
    assert.deepEqual(await ingestFiles(dir), []);
    assert.deepEqual(await blobFiles(dir), []);
  });
});

test('a truncated blob file errors at the end of openRead', async () => {
  await withStore(async (store) => {
    const data = pseudoRandomBytes('short', 2 * MiB);
    const { digest } = await store.write(data);
    await chmod(store.path(digest), 0o644);
    await writeFile(store.path(digest), data.subarray(0, MiB));
    await assert.rejects(drain(await store.openRead(digest)), hasCode('DIGEST_MISMATCH'));
  });
});

test('createWriter: pipe, commit, verify', async () => {
  await withStore(async (store, dir) => {
    const data = pseudoRandomBytes('writer', 3 * MiB + 1);
    const writer = store.createWriter({ digest: digestOf(data), size: data.byteLength });
    await pipeline(Readable.from([data.subarray(0, 10), data.subarray(10)]), writer);
    assert.equal(writer.bytesWritten, data.byteLength);
    const r = await writer.commit();
    assert.deepEqual(r, { digest: digestOf(data), size: data.byteLength, created: true });
    assert.deepEqual(await writer.commit(), r, 'commit() is idempotent');
    assert.ok((await store.readBytes(r.digest)).equals(data));
    // Without pipeline: write, then commit() ends the stream itself.
    const w2 = store.createWriter();
    w2.write(Buffer.from('hello '));
    w2.write(Buffer.from('world'));
    assert.equal((await w2.commit()).digest, digestOf('hello world'));
    assert.deepEqual(await ingestFiles(dir), []);
  });
});

test('createWriter: abort and mismatches leave nothing behind', async () => {
  await withStore(async (store, dir) => {
    const data = pseudoRandomBytes('abort', 2 * MiB);
    const w1 = store.createWriter();
    await pipeline(Readable.from([data]), w1);
    assert.equal((await ingestFiles(dir)).length, 1, 'finished but uncommitted data waits in ingest');
    await w1.abort();
    await assert.rejects(w1.commit(), /aborted/);
    const w2 = store.createWriter();
    w2.write(data);
    await w2.abort();
    const w3 = store.createWriter({ digest: OTHER });
    await pipeline(Readable.from([data]), w3);
    await assert.rejects(w3.commit(), hasCode('DIGEST_MISMATCH', new RegExp(`expected ${OTHER}`)));
    const w4 = store.createWriter({ size: 10 });
    await assert.rejects(pipeline(Readable.from([data]), w4), hasCode('SIZE_MISMATCH'));
    await assert.rejects(w4.commit(), hasCode('SIZE_MISMATCH'));
    // An abort right after creation, before the temporary file exists.
    await store.createWriter().abort();
    assert.deepEqual(await ingestFiles(dir), []);
    assert.deepEqual(await blobFiles(dir), []);
  });
});

test('createWriter: a failing producer upstream removes the temporary file', async () => {
  await withStore(async (store, dir) => {
    async function* producer(): AsyncGenerator<Buffer> {
      yield pseudoRandomBytes('producer', 2 * MiB);
      throw new Error('compressor failed');
    }
    const writer = store.createWriter();
    await assert.rejects(pipeline(producer(), writer), /compressor failed/);
    await assert.rejects(writer.commit());
    assert.deepEqual(await ingestFiles(dir), []);
  });
});

test('stored blobs are read-only files', async () => {
  await withStore(async (store) => {
    const { digest } = await store.write(Buffer.from('immutable'));
    assert.equal((await stat(store.path(digest))).mode & 0o777, 0o444);
  });
});

test('cleanIngest removes files of dead writers and old unattributable files, keeps live ones', async () => {
  await withStore(async (store, dir) => {
    const ingest = join(dir, 'ingest');
    // A live writer in this process.
    const live = store.createWriter();
    // The write callback runs once the writer has created its temporary file and taken the bytes.
    await new Promise((resolve) => live.write(pseudoRandomBytes('live', 1000), resolve));
    const { spawnSync } = await import('node:child_process');
    const child = spawnSync(process.execPath, [new URL('./fixtures/writer.js', import.meta.url).pathname, 'tempname', '', '.partial'], {
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    const deadName = child.stdout.trim();
    await writeFile(join(ingest, deadName), 'left by a killed writer');
    await writeFile(join(ingest, 'foreign-recent'), 'x');
    await writeFile(join(ingest, 'foreign-old'), 'x');
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(join(ingest, 'foreign-old'), hourAgo, hourAgo);
    await mkdir(join(ingest, 'a-directory'));
    const before = await ingestFiles(dir);
    assert.equal(before.length, 5);
    assert.equal(await store.cleanIngest(), 2);
    const after = (await ingestFiles(dir)).sort();
    assert.equal(after.length, 3);
    assert.ok(after.includes('foreign-recent'));
    assert.ok(after.includes('a-directory'));
    assert.ok(!after.includes(deadName) && !after.includes('foreign-old'));
    // The live writer still commits.
    assert.equal((await live.commit()).size, 1000);
    assert.equal(await store.cleanIngest({ staleAfterMs: 0 }), 1);
  });
});
