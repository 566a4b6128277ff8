/**
 * gzip compression on several cores whose output does not depend on how many there are (pigz's
 * scheme). The input is cut at fixed 1 MiB boundaries; each block is deflated on libuv's thread
 * pool with the previous block's last 32 KiB as preset dictionary (so the ratio stays that of one
 * stream) and ends with a sync flush, the last with a finish; a block that does not compress is
 * stored (see deflateBlock). Between one RFC 1952 header and the CRC-32/ISIZE trailer the blocks
 * form a single ordinary gzip member that any gunzip reads. Layer digests stay reproducible: same
 * input and level, same bytes, on any machine.
 */
import { availableParallelism } from 'node:os';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { constants, crc32, deflateRaw } from 'node:zlib';
import type { ZlibOptions } from 'node:zlib';

/** Bytes per independently deflated block: fixed, because it shapes the output. */
const BLOCK = 1 << 20;
/** Output buffer per deflate call: a block and deflate's worst-case growth (RFC 1951 stored blocks), with room. */
const OUT_CHUNK = BLOCK + (64 << 10);
/** deflate's window: the most a dictionary can usefully hold. */
const WINDOW = 32 << 10;
/**
 * Blocks in flight: twice the cores, so a core never idles while the oldest block is awaited, but
 * no more than libuv's thread pool runs at once (4 unless UV_THREADPOOL_SIZE says otherwise;
 * raising it is the CLI's decision, made before the pool starts).
 */
const IN_FLIGHT = Math.max(2, Math.min(2 * availableParallelism(), Number(process.env['UV_THREADPOOL_SIZE']) || 4));

/** Bytes tried, in SAMPLES pieces spread over a block, to tell whether it compresses at all. */
const SAMPLE = 16 << 10;
const SAMPLES = 4;
/** A block whose sample deflates to more than this share of itself is stored, not deflated. */
const STORE_ABOVE = 0.97;

function deflate(input: Buffer, options: ZlibOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // One output buffer that holds the whole block, stored or not (deflate's worst case adds 5
    // bytes per 16 KiB): zlib's 16 KiB default made a thread-pool round trip and a callback per
    // 16 KiB, which cost more than storing the block.
    deflateRaw(input, { chunkSize: OUT_CHUNK, ...options }, (err, out) => (err === null ? resolve(out) : reject(err)));
  });
}

/** The most a stored deflate block holds (RFC 1951 §3.2.4: LEN is 16 bits). */
const MAX_STORED = 0xffff;

/**
 * `input` as stored deflate blocks (RFC 1951 §3.2.4), written here rather than by zlib at level
 * 0: a header of 5 bytes per 64 KiB and the input itself, not copied. Stored blocks end on a
 * byte boundary, so deflated blocks may follow them as they follow a sync flush. The last block
 * of the stream has BFINAL set.
 */
function storedBlocks(input: Buffer, last: boolean): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  do {
    const n = Math.min(MAX_STORED, input.byteLength - at);
    const final = last && at + n === input.byteLength;
    const header = Buffer.allocUnsafe(5);
    header[0] = final ? 1 : 0;
    header.writeUInt16LE(n, 1);
    header.writeUInt16LE(~n & 0xffff, 3);
    out.push(header, input.subarray(at, at + n));
    at += n;
  } while (at < input.byteLength);
  return out;
}

/**
 * One block, deflated; or, when a sample of it (at level 1) does not get 3% smaller, as stored
 * deflate blocks, as zstd stores what it cannot compress. Data that does not compress is the
 * slowest for deflate (about 50 MB/s a core at any level) and gains nothing from it; stored, it
 * costs nothing but its headers. The choice depends on the bytes alone, so the output stays
 * reproducible.
 */
async function deflateBlock(input: Buffer, options: ZlibOptions, last: boolean): Promise<Buffer[]> {
  if (options.level === 0) return storedBlocks(input, last);
  if (input.byteLength >= SAMPLES * SAMPLE) {
    const step = Math.floor(input.byteLength / SAMPLES);
    const sample = Buffer.concat(Array.from({ length: SAMPLES }, (_, i) => input.subarray(i * step, i * step + SAMPLE)));
    const tried = await deflate(sample, { level: 1, memLevel: 9 });
    if (tried.byteLength > sample.byteLength * STORE_ABOVE) return storedBlocks(input, last);
  }
  return [await deflate(input, options)];
}

class ParallelGzip extends Transform {
  private block = Buffer.allocUnsafe(BLOCK);
  private fill = 0;
  private dictionary: Buffer | undefined;
  private crc = 0;
  private isize = 0;
  private readonly inFlight: Promise<Buffer[]>[] = [];
  private headerSent = false;

  constructor(private readonly level: number) {
    super({ readableHighWaterMark: BLOCK, writableHighWaterMark: BLOCK });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.accept(chunk).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.finish().then(() => callback(), callback);
  }

  private async accept(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const n = Math.min(BLOCK - this.fill, chunk.byteLength - offset);
      chunk.copy(this.block, this.fill, offset, offset + n);
      this.fill += n;
      offset += n;
      if (this.fill === BLOCK) await this.submit(false);
    }
  }

  private async submit(last: boolean): Promise<void> {
    const input = this.block.subarray(0, this.fill);
    this.crc = crc32(input, this.crc);
    // ISIZE is the input length modulo 2^32 (RFC 1952 §2.3.1).
    this.isize = (this.isize + input.byteLength) >>> 0;
    const options: ZlibOptions = {
      level: this.level,
      memLevel: 9,
      finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      ...(this.dictionary === undefined ? {} : { dictionary: this.dictionary }),
    };
    const job = deflateBlock(input, options, last);
    // Awaited in order later; this branch only keeps a failure from counting as unhandled meanwhile.
    job.catch(() => undefined);
    this.inFlight.push(job);
    this.dictionary = input.byteLength >= WINDOW ? input.subarray(input.byteLength - WINDOW) : undefined;
    // The job still reads `input`: later data goes into a new buffer.
    this.block = Buffer.allocUnsafe(BLOCK);
    this.fill = 0;
    while (this.inFlight.length >= IN_FLIGHT) this.output(await this.inFlight.shift()!);
  }

  private async finish(): Promise<void> {
    await this.submit(true);
    while (this.inFlight.length > 0) this.output(await this.inFlight.shift()!);
    const trailer = Buffer.allocUnsafe(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.isize, 4);
    this.push(trailer);
  }

  private output(deflated: Buffer[]): void {
    if (!this.headerSent) {
      this.headerSent = true;
      // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL OS=3 (Unix), as zlib writes it: no name, no time.
      const xfl = this.level === 9 ? 2 : this.level >= 0 && this.level < 2 ? 4 : 0;
      this.push(Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, xfl, 3]));
    }
    // Stored blocks come as headers and slices of the input: one piece for the reader, not 32.
    const bytes = deflated.length === 1 ? deflated[0]! : Buffer.concat(deflated);
    if (bytes.byteLength > 0) this.push(bytes);
  }
}

/** A gzip compressor at `level` (-1 for zlib's default, 0–9). */
export function parallelGzip(level: number): Transform {
  return new ParallelGzip(level);
}
