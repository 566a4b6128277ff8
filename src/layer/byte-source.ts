/**
 * Pull-based reading from a stream of chunks: exact reads for headers, zero-copy slices for
 * bodies. Knows how many bytes it has handed out, so readers can report where data ran out.
 */
import { ErrorCode, isLadeError, LadeError } from '../errors/index.js';

export class ByteSource {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private chunks: Buffer[] = [];
  /** Offset of the first unread byte inside chunks[0]. */
  private head = 0;
  private buffered = 0;
  private ended = false;
  /** Bytes handed out so far: the stream offset of the next byte. */
  position = 0;

  constructor(input: AsyncIterable<Uint8Array>) {
    this.iterator = input[Symbol.asyncIterator]();
  }

  /** Pulls one more chunk; false at the end of the input. */
  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await this.iterator.next();
      } catch (err) {
        // An upstream stage (a file, a decompressor) failed: the layer cannot be read whole.
        if (isLadeError(err)) throw err;
        const at = this.position + this.buffered;
        throw new LadeError(ErrorCode.LayerTruncated, `the layer stream failed after ${at} bytes: ${(err as Error).message}`, { cause: err });
      }
      if (next.done === true) {
        this.ended = true;
        return false;
      }
      const chunk = next.value;
      if (chunk.length === 0) continue;
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.chunks.push(buf);
      this.buffered += buf.length;
      return true;
    }
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length - this.head >= n) {
      out = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.chunks[0]!;
        const count = Math.min(chunk.length - this.head, n - filled);
        chunk.copy(out, filled, this.head, this.head + count);
        filled += count;
        this.head += count;
        if (this.head === chunk.length) {
          this.chunks.shift();
          this.head = 0;
        }
      }
    }
    this.buffered -= n;
    this.position += n;
    return out;
  }

  /**
   * Exactly `n` bytes, or fewer when the input ends first (the caller decides whether that is a
   * truncation). The result may share memory with the input chunk.
   */
  async read(n: number): Promise<Buffer> {
    while (this.buffered < n) {
      if (!(await this.fill())) return this.buffered === 0 ? Buffer.alloc(0) : this.take(this.buffered);
    }
    return this.take(n);
  }

  /** Up to `max` bytes without copying; an empty buffer only at the end of the input. */
  async readSome(max: number): Promise<Buffer> {
    if (this.buffered === 0 && !(await this.fill())) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    return this.take(Math.min(max, first.length - this.head));
  }

  /** Discards up to `n` bytes; returns how many were there. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const got = await this.readSome(left);
      if (got.length === 0) break;
      left -= got.length;
    }
    return n - left;
  }

  /** Reads and discards everything left, so that upstream stages (hashing, pipes) see the end. */
  async drain(): Promise<void> {
    do {
      this.position += this.buffered;
      this.chunks = [];
      this.head = 0;
      this.buffered = 0;
    } while (await this.fill());
  }

  /** Stops reading and releases the input (destroys a Readable). */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.iterator.return?.();
  }
}
