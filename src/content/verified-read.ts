/**
 * Reading blobs so that corrupt bytes are never accepted: whole-blob reads are hashed before they
 * are returned; streams are hashed as they go and fail at their end instead of ending.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ErrorCode, LadeError } from '../errors/index.js';
import type { Digest } from './digest.js';
import { CHUNK_SIZE, ioError, readFully } from './fs-util.js';

/** Called when content does not hash to its name, before the error reaches the caller. */
export type CorruptionHandler = (fh: FileHandle) => Promise<void>;

export function corruptBlobError(expected: Digest, actual: string, size: number): LadeError {
  return new LadeError(
    ErrorCode.DigestMismatch,
    `blob ${expected} is corrupt on disk: its ${size} bytes hash to sha256:${actual}`,
    { hint: 'The damaged blob was removed from the content store; pull, load or build the image again.' },
  );
}

/** Reads and verifies a whole blob from an open file, refusing files over maxSize bytes. */
export async function readVerified(
  fh: FileHandle,
  path: string,
  digest: Digest,
  maxSize: number,
  onCorrupt: CorruptionHandler,
): Promise<Buffer> {
  let buffer: Buffer;
  try {
    const { size } = await fh.stat();
    if (size > maxSize) {
      throw new LadeError(ErrorCode.BlobTooLarge, `blob ${digest} is ${size} bytes, more than the ${maxSize} allowed here`);
    }
    buffer = Buffer.allocUnsafe(size);
    buffer = buffer.subarray(0, await readFully(fh, buffer, 0));
  } catch (err) {
    throw ioError('read', path, err);
  }
  const actual = createHash('sha256').update(buffer).digest('hex');
  if (`sha256:${actual}` !== digest) {
    await onCorrupt(fh);
    throw corruptBlobError(digest, actual, buffer.byteLength);
  }
  return buffer;
}

/**
 * A Readable over a blob file that owns the file handle. It hashes every byte it emits and, at end
 * of file, ends only if the hash matches the digest; otherwise it is destroyed with
 * DIGEST_MISMATCH. Consumers that stage their output and commit only after the stream ended
 * (e.g. `await pipeline(...)` then rename) therefore never accept corrupt data.
 */
class VerifiedBlobStream extends Readable {
  private readonly hash = createHash('sha256');
  private position = 0;
  private reading = false;

  constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    private readonly digest: Digest,
    private readonly onCorrupt: CorruptionHandler,
    /** The file's size when opened: small blobs get small buffers. */
    private readonly sizeHint: number,
  ) {
    super({ highWaterMark: 2 * CHUNK_SIZE });
  }

  override _read(): void {
    if (this.reading) return;
    this.reading = true;
    // A fresh buffer per chunk: consumers keep chunks, so reusing one would rewrite their data.
    // Past the expected end a small read still runs, to see end of file or bytes that should not be.
    const buffer = Buffer.allocUnsafe(Math.max(Math.min(CHUNK_SIZE, this.sizeHint - this.position), 4096));
    this.fh.read(buffer, 0, buffer.byteLength, this.position).then(
      ({ bytesRead }) => {
        this.reading = false;
        if (this.destroyed) return;
        if (bytesRead === 0) {
          this.finish();
          return;
        }
        const chunk = buffer.subarray(0, bytesRead);
        this.position += bytesRead;
        this.hash.update(chunk);
        this.push(chunk);
      },
      (err: unknown) => {
        this.reading = false;
        this.destroy(ioError('read', this.path, err));
      },
    );
  }

  private finish(): void {
    const actual = this.hash.digest('hex');
    if (`sha256:${actual}` === this.digest) {
      this.push(null);
      return;
    }
    const error = corruptBlobError(this.digest, actual, this.position);
    this.onCorrupt(this.fh).then(
      () => this.destroy(error),
      () => this.destroy(error),
    );
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.fh.close().then(
      () => callback(err),
      () => callback(err),
    );
  }
}

export async function verifiedStream(
  fh: FileHandle,
  path: string,
  digest: Digest,
  onCorrupt: CorruptionHandler,
): Promise<Readable> {
  let size: number;
  try {
    ({ size } = await fh.stat());
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw ioError('inspect', path, err);
  }
  return new VerifiedBlobStream(fh, path, digest, onCorrupt, size);
}

/**
 * Bytes being made (a deferred blob's recipe at work) passed through as they come, hashed; at
 * their end the stream ends only if they are the blob named, else it fails with DIGEST_MISMATCH.
 */
export function checkedStream(source: AsyncIterable<Uint8Array>, digest: Digest, size: number, what: string): Readable {
  return Readable.from(
    (async function* () {
      const hash = createHash('sha256');
      let got = 0;
      for await (const chunk of source) {
        hash.update(chunk);
        got += chunk.byteLength;
        yield chunk;
      }
      const actual = hash.digest('hex');
      if (`sha256:${actual}` !== digest || got !== size) {
        throw new LadeError(ErrorCode.DigestMismatch, `${what} made ${got} bytes hashing to sha256:${actual}, not ${digest} (${size} bytes)`, {
          hint: 'This is a bug in lade: report it with the command that failed.',
        });
      }
    })(),
    { objectMode: false },
  );
}
