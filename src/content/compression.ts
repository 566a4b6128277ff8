/**
 * Layer and archive codecs. Media types are the image model's business; this is only bytes.
 * Every decoder reports damaged input as CORRUPT_COMPRESSION, never as a raw zlib/zstd error.
 */
import { availableParallelism } from 'node:os';
import { PassThrough, pipeline, Readable } from 'node:stream';
import type { Duplex, Transform, TransformCallback } from 'node:stream';
import { constants as zlibConstants, createGunzip } from 'node:zlib';
import { createRequire } from 'node:module';
import { ErrorCode, LadeError } from '../errors/index.js';
import { externalDecompressor } from './external-codec.js';
import { CHUNK_SIZE } from './fs-util.js';
import { parallelGzip } from './parallel-gzip.js';

/** The codecs lade reads and writes for layers. */
export type Compression = 'none' | 'gzip' | 'zstd';
/** What detection can report: also bzip2 and xz, which `docker load` accepts for whole archives. */
export type DetectedCompression = Compression | 'bzip2' | 'xz';

export interface CompressOptions {
  /** gzip: 0–9 (default 6, zlib's default); zstd: -7–22 (default 3). */
  level?: number;
}

/** Bytes detectCompression needs to recognise every format (xz's magic is the longest). */
export const MAGIC_LENGTH = 6;

/** Output chunk size of zlib: bigger than its 16 KiB default to cut per-chunk overhead. */
const ZLIB_CHUNK = 1 << 20;
/** How much compressed input a decoder is given at a time (see openDecompressed). */
const DECODE_BATCH = 1 << 20;

/**
 * Recognises compressed data by its first bytes, as moby's pkg/archive DetectCompression does:
 * gzip 1f 8b 08 (RFC 1952, deflate), bzip2 "BZh", xz fd "7zXZ" 00, zstd 28 b5 2f fd or a zstd
 * skippable frame (RFC 8878 §3.1.2: magic 0x184D2A5?, little-endian).
 */
export function detectCompression(head: Uint8Array): DetectedCompression {
  const b = (i: number): number => head[i] ?? -1;
  if (b(0) === 0x1f && b(1) === 0x8b && b(2) === 0x08) return 'gzip';
  if (b(0) === 0x28 && b(1) === 0xb5 && b(2) === 0x2f && b(3) === 0xfd) return 'zstd';
  if ((b(0) & 0xf0) === 0x50 && b(1) === 0x2a && b(2) === 0x4d && b(3) === 0x18) return 'zstd';
  if (b(0) === 0x42 && b(1) === 0x5a && b(2) === 0x68) return 'bzip2';
  if (b(0) === 0xfd && b(1) === 0x37 && b(2) === 0x7a && b(3) === 0x58 && b(4) === 0x5a && b(5) === 0x00) return 'xz';
  return 'none';
}

function corrupt(format: string, cause: unknown): LadeError {
  if (cause instanceof LadeError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new LadeError(ErrorCode.CorruptCompression, `${format} data is corrupt or truncated: ${detail}`, { cause });
}

function isZlibError(err: unknown): boolean {
  if (!(err instanceof Error) || !('errno' in err) || !('code' in err)) return false;
  return typeof err.errno === 'number' && typeof err.code === 'string' && err.code.startsWith('Z_');
}

/**
 * zlib reports bad data by destroying its stream with a raw error. Translating it inside destroy()
 * means the stream's `errored` state, its 'error' event and pipeline() all carry the LadeError.
 * Errors that merely pass through (a pipeline tearing everything down) are left alone.
 */
function translateZlibErrors<T extends Duplex>(stream: T, format: string): T {
  const destroy = stream.destroy.bind(stream);
  stream.destroy = (error?: Error): T => destroy(isZlibError(error) ? corrupt(format, error) : error);
  return stream;
}

function gunzip(): Transform {
  // Node's gunzip reads concatenated gzip members (multi-member files, as pigz writes them) and,
  // like gzip(1), ignores trailing zero padding; any other trailing bytes are an error.
  return translateZlibErrors(createGunzip({ chunkSize: ZLIB_CHUNK }), 'gzip');
}

type Zstd = typeof import('zstd-napi');
const requireModule = createRequire(import.meta.url);
let zstdModule: Zstd | undefined;
let decoderClass: (new () => Transform) | undefined;

/** The zstd binding, loaded on first use: most commands never compress, and it costs start-up. */
function zstd(): Zstd {
  return (zstdModule ??= requireModule('zstd-napi') as Zstd);
}

function zstdDecoder(): Transform {
  decoderClass ??= class ZstdDecoder extends zstd().DecompressStream {
    override _transform(chunk: unknown, encoding: string, done: TransformCallback): void {
      super._transform(chunk, encoding, (err, data) => done(err ? corrupt('zstd', err) : null, data));
    }

    override _flush(done: TransformCallback): void {
      super._flush((err, data) => done(err ? corrupt('zstd', err) : null, data));
    }
  };
  return new decoderClass();
}

/** A Transform from compressed to plain bytes. bzip2 and xz need their programs installed. */
export function decompressStream(c: DetectedCompression): Duplex {
  switch (c) {
    case 'none':
      return new PassThrough({ highWaterMark: CHUNK_SIZE });
    case 'gzip':
      return gunzip();
    case 'zstd':
      return zstdDecoder();
    case 'bzip2':
    case 'xz':
      return externalDecompressor(c);
  }
}

function checkLevel(c: Compression, level: number, min: number, max: number): number {
  if (!Number.isInteger(level) || level < min || level > max) {
    throw new LadeError(ErrorCode.UnsupportedCompression, `${c} compression level ${level} is out of range ${min}..${max}`);
  }
  return level;
}

/**
 * zstd output is byte-identical for any number of worker threads from 1 up (zstd.h, nbWorkers),
 * so using the machine's cores keeps layer digests reproducible across machines.
 */
const ZSTD_WORKERS = Math.max(1, Math.min(availableParallelism(), 8));

/**
 * A Transform from plain to compressed bytes, using several cores for gzip and zstd. Output is
 * deterministic for a given input and level, whatever the number of cores: the gzip header
 * carries no mtime or name, and zstd frames carry a checksum (as zstd(1) writes).
 */
export function compressStream(c: Compression, options: CompressOptions = {}): Transform {
  switch (c) {
    case 'none':
      return new PassThrough({ highWaterMark: CHUNK_SIZE });
    case 'gzip':
      return parallelGzip(checkLevel(c, options.level ?? zlibConstants.Z_DEFAULT_COMPRESSION, -1, 9));
    case 'zstd':
      return new (zstd().CompressStream)({
        compressionLevel: checkLevel(c, options.level ?? 3, -7, 22),
        checksumFlag: true,
        nbWorkers: ZSTD_WORKERS,
      });
  }
}

export interface Decompressed {
  compression: DetectedCompression;
  /** The plain bytes; errors with CORRUPT_COMPRESSION on damaged input. */
  stream: Readable;
}

/**
 * Detects the compression of a stream from its first bytes and returns the decompressed stream.
 * The source is consumed from the returned stream only; destroying that stream destroys the
 * source.
 */
export async function openDecompressed(source: Readable | AsyncIterable<Uint8Array>): Promise<Decompressed> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  const head: Uint8Array[] = [];
  let headLength = 0;
  try {
    while (headLength < MAGIC_LENGTH) {
      const r = await it.next();
      if (r.done === true) break;
      head.push(r.value);
      headLength += r.value.byteLength;
    }
  } catch (err) {
    await it.return?.();
    throw err;
  }
  const compression = detectCompression(head.length === 1 ? head[0]! : Buffer.concat(head));
  let decoder: Duplex;
  try {
    decoder = decompressStream(compression);
  } catch (err) {
    await it.return?.();
    throw err;
  }
  // A decoder takes its input in pieces of about DECODE_BATCH: each write to zlib is a trip
  // through the thread pool, and a download arrives 64 KiB at a time.
  const batch = compression === 'none' ? 0 : DECODE_BATCH;
  async function* replay(): AsyncGenerator<Uint8Array> {
    let finished = false;
    let pending: Uint8Array[] = [];
    let pendingSize = 0;
    const take = (): Uint8Array => {
      const out = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingSize);
      pending = [];
      pendingSize = 0;
      return out;
    };
    try {
      for (const chunk of head) {
        pending.push(chunk);
        pendingSize += chunk.byteLength;
      }
      for (;;) {
        if (pendingSize > batch) yield take();
        const r = await it.next();
        if (r.done === true) break;
        pending.push(r.value);
        pendingSize += r.value.byteLength;
      }
      if (pendingSize > 0) yield take();
      finished = true;
    } finally {
      if (!finished) await it.return?.();
    }
  }
  const raw = Readable.from(replay(), { objectMode: false, highWaterMark: CHUNK_SIZE });
  if (compression === 'none') return { compression, stream: raw };
  // pipeline() wires errors both ways: a source failure destroys the decoder, and destroying the
  // returned stream early tears down the source.
  const stream = pipeline(raw, decoder, () => undefined) as unknown as Readable;
  return { compression, stream };
}
