import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import test from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Compression, DetectedCompression } from '../../src/content/index.js';
import {
  compressStream,
  decompressStream,
  detectCompression,
  digestOf,
  openContentStore,
  openDecompressed,
} from '../../src/content/index.js';
import { isLadeError } from '../../src/errors/index.js';
import { MiB, pseudoRandomBytes, tempDir } from './fixtures/content.js';

/** Compressible but not trivial: repeated text with pseudo-random bytes mixed in. */
function sample(size: number): Buffer {
  const text = Buffer.from('lade layer content: usr/bin/env, etc/passwd, 0644 root root\n'.repeat(Math.ceil(size / 120)));
  const noise = pseudoRandomBytes('noise', size);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) {
    const src = (i / 4096) % 3 === 0 ? noise : text;
    src.copy(out, i, i % (src.byteLength - 4096), Math.min(size - i, 4096) + (i % (src.byteLength - 4096)));
  }
  return out;
}

async function collect(source: Readable | AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function through(data: Uint8Array, transform: Duplex, chunkSize = 64 << 10): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < data.byteLength; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    transform,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

function corrupt(pattern?: RegExp): (err: unknown) => boolean {
  return (err) => isLadeError(err) && err.code === 'CORRUPT_COMPRESSION' && (pattern === undefined || pattern.test(err.message));
}

const data = sample(3 * MiB + 123);

test('detectCompression recognises each format by its magic, and short heads', () => {
  const cases: [number[], DetectedCompression][] = [
    [[0x1f, 0x8b, 0x08, 0, 0, 0], 'gzip'],
    [[0x28, 0xb5, 0x2f, 0xfd, 0x04], 'zstd'],
    [[0x50, 0x2a, 0x4d, 0x18, 0, 0], 'zstd'],
    [[0x5f, 0x2a, 0x4d, 0x18], 'zstd'],
    [[0x42, 0x5a, 0x68, 0x39], 'bzip2'],
    [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz'],
    [[0xfd, 0x37, 0x7a, 0x58, 0x5a], 'none'],
    [[0x1f, 0x8b], 'none'],
    [[0x1f, 0x8b, 0x07], 'none'],
    [[], 'none'],
    [[...Buffer.from('ustar')], 'none'],
  ];
  for (const [bytes, expected] of cases) assert.equal(detectCompression(Uint8Array.from(bytes)), expected, JSON.stringify(bytes));
});

for (const [c, levels] of [
  ['none', [undefined]],
  ['gzip', [undefined, 1, 9]],
  ['zstd', [undefined, 1, 19, -3]],
] as [Compression, (number | undefined)[]][]) {
  test(`${c} round-trips at levels ${levels.map(String).join(', ')}`, async () => {
    for (const level of levels) {
      const packed = await through(data, compressStream(c, level === undefined ? {} : { level }));
      assert.equal(detectCompression(packed), c);
      if (c !== 'none') assert.ok(packed.byteLength < data.byteLength * 0.8, `${c} level ${level} compresses`);
      assert.ok((await through(packed, decompressStream(c), 4096)).equals(data), `level ${level}`);
      const opened = await openDecompressed(Readable.from([packed.subarray(0, 1), packed.subarray(1, 3), packed.subarray(3)]));
      assert.equal(opened.compression, c);
      assert.ok((await collect(opened.stream)).equals(data));
    }
  });
}

test('compression output is deterministic for a given input and level', async () => {
  for (const c of ['gzip', 'zstd'] as const) {
    const a = await through(data, compressStream(c, { level: 3 }));
    const b = await through(data, compressStream(c, { level: 3 }), 1000);
    assert.equal(digestOf(a), digestOf(b), c);
  }
});

test('out-of-range levels are refused', () => {
  assert.throws(() => compressStream('gzip', { level: 10 }), { code: 'UNSUPPORTED_COMPRESSION' });
  assert.throws(() => compressStream('zstd', { level: 23 }), { code: 'UNSUPPORTED_COMPRESSION' });
  assert.throws(() => compressStream('zstd', { level: 1.5 }), { code: 'UNSUPPORTED_COMPRESSION' });
});

test('multi-member gzip decompresses to the concatenation of its members', async () => {
  const parts = [data.subarray(0, 1000), data.subarray(1000, MiB), data.subarray(MiB)];
  const multi = Buffer.concat(parts.map((p) => gzipSync(p)));
  assert.ok((await through(multi, decompressStream('gzip'), 777)).equals(data));
  const opened = await openDecompressed(Readable.from([multi]));
  assert.equal(opened.compression, 'gzip');
  assert.ok((await collect(opened.stream)).equals(data));
});

test('multi-frame zstd decompresses to the concatenation of its frames', async () => {
  const a = await through(data.subarray(0, MiB), compressStream('zstd'));
  const b = await through(data.subarray(MiB), compressStream('zstd'));
  assert.ok((await through(Buffer.concat([a, b]), decompressStream('zstd'))).equals(data));
});

for (const c of ['gzip', 'zstd'] as const) {
  test(`truncated and corrupt ${c} fail with CORRUPT_COMPRESSION`, async () => {
    const packed = await through(data, compressStream(c));
    for (const cut of [packed.byteLength - 1, packed.byteLength - 5, Math.floor(packed.byteLength / 2), 4]) {
      await assert.rejects(through(packed.subarray(0, cut), decompressStream(c)), corrupt(new RegExp(`^${c} data is corrupt`)), `cut at ${cut}`);
    }
    for (const at of [packed.byteLength - 3, Math.floor(packed.byteLength / 2), 20]) {
      const damaged = Buffer.from(packed);
      damaged[at]! ^= 0x55;
      await assert.rejects(through(damaged, decompressStream(c)), corrupt(), `flip at ${at}`);
    }
    // Trailing garbage after a complete stream is damage too.
    await assert.rejects(through(Buffer.concat([packed, Buffer.from('garbage!')]), decompressStream(c)), corrupt());
    // Through openDecompressed, the error reaches the consumer of the returned stream.
    const opened = await openDecompressed(Readable.from([packed.subarray(0, packed.byteLength - 100)]));
    await assert.rejects(collect(opened.stream), corrupt());
  });
}

test('the stream itself records the translated error, not the raw codec error', async () => {
  const gunzip = decompressStream('gzip');
  await assert.rejects(through(Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), gunzip), corrupt());
  assert.ok(isLadeError(gunzip.errored), String(gunzip.errored));
});

test('corrupt compressed input piped into the store leaves no temporary file', async () => {
  const tmp = await tempDir('corrupt-ingest');
  try {
    const dir = join(tmp.dir, 'content');
    const store = await openContentStore(dir);
    for (const c of ['gzip', 'zstd'] as const) {
      const packed = await through(data, compressStream(c));
      const truncated = packed.subarray(0, packed.byteLength - 7);
      const writer = store.createWriter();
      await assert.rejects(pipeline(Readable.from([truncated]), decompressStream(c), writer), corrupt());
      await assert.rejects(writer.commit(), corrupt());
      const opened = await openDecompressed(Readable.from([truncated]));
      await assert.rejects(store.write(opened.stream), corrupt());
      assert.deepEqual(await readdir(join(dir, 'ingest')), [], c);
    }
    assert.deepEqual(await readdir(join(dir, 'blobs', 'sha256')), []);
  } finally {
    await tmp.cleanup();
  }
});

test('openDecompressed passes uncompressed and empty input through', async () => {
  const plain = await openDecompressed(Readable.from([data.subarray(0, 2), data.subarray(2)]));
  assert.equal(plain.compression, 'none');
  assert.ok((await collect(plain.stream)).equals(data));
  const empty = await openDecompressed(Readable.from([]));
  assert.equal(empty.compression, 'none');
  assert.equal((await collect(empty.stream)).byteLength, 0);
  async function* tiny(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('ab');
  }
  assert.equal((await collect((await openDecompressed(tiny())).stream)).toString(), 'ab');
});

test('openDecompressed: a source error reaches the consumer; destroying the result stops the source', async () => {
  async function* failing(): AsyncGenerator<Uint8Array> {
    yield gzipSync(data).subarray(0, 1000);
    throw new Error('disk read failed');
  }
  const opened = await openDecompressed(failing());
  await assert.rejects(collect(opened.stream), /disk read failed/);
  let finalize!: () => void;
  const finalized = new Promise<void>((resolve) => (finalize = resolve));
  const member = gzipSync(Buffer.alloc(MiB));
  async function* endless(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) yield member;
    } finally {
      finalize();
    }
  }
  const gz = await openDecompressed(endless());
  for await (const chunk of gz.stream) {
    void chunk;
    break;
  }
  // Resolves only if breaking out of the decompressed stream returned the source generator.
  await finalized;
});

function haveProgram(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}

for (const [format, program, pkg] of [
  ['bzip2', 'bzip2', 'bzip2'],
  ['xz', 'xz', 'xz-utils'],
] as const) {
  test(`${format} archives decompress through the ${program} program`, async (t) => {
    if (!haveProgram(program)) {
      // Not a pass in disguise: CI installs both; a machine without them fails loudly here.
      assert.fail(`${program} is not installed; install ${pkg} to run this test`);
    }
    const packed = spawnSync(program, ['-c'], { input: data, maxBuffer: 64 * MiB }).stdout;
    assert.equal(detectCompression(packed), format);
    const opened = await openDecompressed(Readable.from([packed]));
    assert.equal(opened.compression, format);
    assert.ok((await collect(opened.stream)).equals(data));
    await assert.rejects(through(packed.subarray(0, packed.byteLength - 10), decompressStream(format)), corrupt(new RegExp(`^${format} data`)));
    const damaged = Buffer.from(packed);
    damaged[Math.floor(damaged.byteLength / 2)]! ^= 0x55;
    await assert.rejects(collect((await openDecompressed(Readable.from([damaged]))).stream), corrupt());

    await t.test('without the program, the error names the package to install', () => {
      const saved = process.env['PATH'];
      process.env['PATH'] = '/nonexistent';
      try {
        assert.throws(
          () => decompressStream(format),
          (err: unknown) =>
            isLadeError(err) &&
            err.code === 'UNSUPPORTED_COMPRESSION' &&
            err.message.includes(`the ${program} program is not installed`) &&
            err.hint?.includes(`apt-get install ${pkg}`) === true,
        );
      } finally {
        process.env['PATH'] = saved;
      }
    });
  });
}

test('gzip output is one standard member that gzip(1) reads, at every block boundary', async () => {
  const sizes = [0, 1, 32767, 32768, MiB - 1, MiB, MiB + 1, 2 * MiB, 2 * MiB + 32769];
  for (const n of sizes) {
    const input = data.subarray(0, n);
    const packed = await through(input, compressStream('gzip', { level: 6 }), 50_000);
    assert.deepEqual([...packed.subarray(0, 4)], [0x1f, 0x8b, 0x08, 0x00], 'no name, comment or extra field');
    assert.equal(packed.readUInt32LE(packed.byteLength - 4), n, 'ISIZE');
    const cli = spawnSync('gzip', ['-dc'], { input: packed, maxBuffer: 64 * MiB });
    assert.equal(cli.status, 0, `gzip -dc of ${n} bytes: ${cli.stderr}`);
    assert.ok(cli.stdout.equals(input), `gzip -dc output for ${n} bytes`);
    assert.ok((await through(packed, decompressStream('gzip'))).equals(input), `gunzip of ${n} bytes`);
    const list = spawnSync('gzip', ['-lv'], { input: packed, encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
  }
});

test('gzip output does not depend on how many blocks are compressed at once', async () => {
  const tmp = await tempDir('gzip-determinism');
  try {
    const writer = new URL('./fixtures/writer.js', import.meta.url).pathname;
    const digests = [1, 2, 8].map((threads) => {
      const r = spawnSync(process.execPath, [writer, 'gzip', '6', 'determinism', '60', tmp.dir], {
        encoding: 'utf8',
        env: { ...process.env, UV_THREADPOOL_SIZE: String(threads) },
      });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    });
    assert.match(digests[0]!, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(new Set(digests).size, 1, digests.join(' '));
  } finally {
    await tmp.cleanup();
  }
});

test('a compressed blob damaged on disk: the digest error reaches the decompressed stream', async () => {
  const tmp = await tempDir('corrupt-layer');
  try {
    const store = await openContentStore(join(tmp.dir, 'content'));
    const packed = await through(data, compressStream('gzip', { level: 1 }));
    const { digest } = await store.write(packed);
    // Damage only the gzip trailer's last byte (ISIZE high byte): the inflated bytes are all
    // delivered, and the first error to surface must say the blob is corrupt.
    const { open, chmod } = await import('node:fs/promises');
    await chmod(store.path(digest), 0o644);
    const fh = await open(store.path(digest), 'r+');
    await fh.write(Buffer.from([packed[packed.byteLength - 1]! ^ 0x01]), 0, 1, packed.byteLength - 1);
    await fh.close();
    const opened = await openDecompressed(await store.openRead(digest));
    assert.equal(opened.compression, 'gzip');
    await assert.rejects(collect(opened.stream), (err: unknown) => isLadeError(err) && ['DIGEST_MISMATCH', 'CORRUPT_COMPRESSION'].includes(err.code));
  } finally {
    await tmp.cleanup();
  }
});

test('gzip stores blocks that do not compress, compresses those that do, and gzip(1) reads both', async () => {
  // Like a layer of random files: their tar headers (mostly zeros) would save deflate about 2%.
  const noise = pseudoRandomBytes('incompressible', 3 * MiB);
  for (let at = 0; at + 512 <= noise.byteLength; at += 24_000) noise.fill(0, at, at + 512);
  const text = Buffer.from('COPY . /app\nRUN npm ci --omit=dev\n'.repeat(Math.ceil((3 * MiB) / 36))).subarray(0, 3 * MiB);
  for (const [what, input, low, high] of [
    ['random bytes', noise, 0.999, 1.001],
    ['text', text, 0, 0.05],
    ['random, then text', Buffer.concat([noise, text]), 0.5, 0.52],
  ] as const) {
    const packed = await through(input, compressStream('gzip'), 65_536);
    const ratio = packed.byteLength / input.byteLength;
    assert.ok(ratio >= low && ratio <= high, `${what}: ${packed.byteLength} of ${input.byteLength} bytes`);
    const cli = spawnSync('gzip', ['-dc'], { input: packed, maxBuffer: 64 * MiB });
    assert.equal(cli.status, 0, `gzip -dc of ${what}: ${cli.stderr}`);
    assert.ok(cli.stdout.equals(input), `gzip -dc output for ${what}`);
    assert.ok((await through(input, compressStream('gzip'), 12_345)).equals(packed), `${what}: the same bytes whatever the input's chunks`);
  }
});
