/**
 * A regular file as a layer entry's body, read only when a writer reaches its entry: in chunks
 * by writeLayer, straight into the hashing buffer by measureLayer (no buffer per file). Reads are
 * synchronous: a page-cache read takes microseconds, and a layer is written one entry at a time.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { ErrorCode, LadeError } from '../errors/index.js';

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;
const READ_CHUNK = 1 << 20;

export class FileBody {
  /**
   * @param abs where the file is now
   * @param path its name in the layer, for errors
   * @param size the bytes the entry declares: exactly these are read
   */
  constructor(
    readonly abs: string,
    readonly path: string,
    readonly size: number,
  ) {}

  open(): number {
    try {
      return openSync(this.abs, OPEN_FLAGS);
    } catch (err) {
      throw new LadeError(ErrorCode.LayerPack, `cannot pack "${this.path}": ${(err as Error).message}`, { cause: err });
    }
  }

  /** Fills `target[offset, offset + length)` from the descriptor's current position. */
  readInto(fd: number, target: Buffer, offset: number, length: number): void {
    let filled = 0;
    while (filled < length) {
      const got = readSync(fd, target, offset + filled, length - filled, null);
      if (got === 0) throw new LadeError(ErrorCode.LayerPack, `"${this.path}" shrank while its layer was being written`);
      filled += got;
    }
  }

  *chunks(): Generator<Buffer, void, undefined> {
    const fd = this.open();
    try {
      for (let left = this.size; left > 0; ) {
        const buf = Buffer.allocUnsafe(Math.min(left, READ_CHUNK));
        this.readInto(fd, buf, 0, buf.length);
        left -= buf.length;
        yield buf;
      }
    } finally {
      closeSync(fd);
    }
  }
}
